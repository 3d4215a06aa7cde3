// The first proof that the C++ side reaches the real API server: cpprestsdk over TLS,
// verifying the server against the kubeconfig's CA and authenticating with the
// kubeconfig's client certificate.
#include <gtest/gtest.h>

#include "kube/object_meta.h"
#include "kube/resource.h"
#include "kube/rest_client.h"
#include "kube_test.h"

namespace certplane {
namespace {

using testing::KubeTest;

class ConnectTest : public KubeTest {};

TEST_F(ConnectTest, ReadsTheServerVersionOverVerifiedTls) {
  ASSERT_FALSE(testing::TestClusterConfig().ca_pem.empty()) << "the kubeconfig must carry the serving CA";
  ASSERT_FALSE(testing::TestClusterConfig().client_cert_pem.empty()) << "the kubeconfig must carry a client cert";
  kube::RawRequest req;
  req.path = "/version";
  auto version = client().RawJson(req);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(version->value("major", ""), "1");
  EXPECT_FALSE(version->value("gitVersion", "").empty());
}

TEST_F(ConnectTest, AuthenticatesWithTheClientCertificate) {
  // system:masters (the client certificate's organisation) may read namespaces; an
  // anonymous request may not.
  kube::RawRequest req;
  req.path = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
  req.method = "POST";
  req.body = R"({"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"})";
  auto review = client().RawJson(req);
  ASSERT_TRUE(review.ok()) << review.status();
  EXPECT_EQ((*review)["status"]["userInfo"].value("username", ""), "certplane-admin");
}

TEST_F(ConnectTest, CreatesAndReadsBackAConfigMap) {
  kube::ConfigMap cm;
  cm.metadata.name = "hello";
  cm.data.Set("greeting", "hello, world");
  auto created = kube::As<kube::ConfigMap>(client().Create(kube::kConfigMaps, ns(), cm));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_FALSE(created->metadata.uid.empty());

  auto read = kube::As<kube::ConfigMap>(client().Get(kube::kConfigMaps, ns(), "hello"));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->metadata.uid, created->metadata.uid);
  ASSERT_NE(read->data.Find("greeting"), nullptr);
  EXPECT_EQ(*read->data.Find("greeting"), "hello, world");
}

TEST_F(ConnectTest, RefusesAServerWhoseCertificateTheCaDidNotSign) {
  // The same server, but trusting an unrelated CA: the handshake must fail.
  kube::ClusterConfig config = testing::TestClusterConfig();
  config.ca_pem = testing::TestClusterConfig().client_cert_pem;  // a certificate, but not the serving CA
  auto client = kube::Client::Create(config, {});
  ASSERT_TRUE(client.ok()) << client.status();
  kube::RawRequest req;
  req.path = "/version";
  auto version = (*client)->Raw(req);
  EXPECT_EQ(version.status().code(), StatusCode::kUnavailable) << version.status();
}

}  // namespace
}  // namespace certplane
