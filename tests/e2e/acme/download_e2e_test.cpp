// What the certificate URL serves (RFC 8555 section 7.4.2), from a root and from an
// intermediate, checked with openssl; and authorization deactivation (section 7.5.2),
// which fails the order that needed it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "acme_fixture.h"

namespace certplane::testing {
namespace {

using acme::client::AcmeAccount;
using acme::client::AcmeClient;
using acme::client::AcmeResponse;
using acme::client::AuthorizationView;
using acme::client::OrderView;
using ::testing::HasSubstr;
using ::testing::SizeIs;

class AcmeDownloadE2E : public AcmeE2E {
 public:
  static void SetUpTestSuite() { SetUpAcmeSuite(); }
  static void TearDownTestSuite() { TearDownAcmeSuite(); }

 protected:
  // The SHA-256 fingerprint of a PEM certificate (text or file).
  std::string FingerprintOfPem(const std::string& pem) {
    const std::string path = tmp_.File("fp-" + std::to_string(++files_) + ".pem");
    WriteFile(path, pem);
    return Openssl({"x509", "-in", path, "-noout", "-fingerprint", "-sha256"});
  }

  int files_ = 0;
};

TEST_F(AcmeDownloadE2E, ALeafIssuedByARootIsServedWithTheRootAfterIt) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"dns-01"}});
  ASSERT_EQ(p.ca, p.root);
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  std::optional<IssuedCertificate> cert = IssueByDns01(acme, account, {"root.download.acme.test"});
  ASSERT_TRUE(cert.has_value());

  const std::vector<std::string> blocks = PemBlocks(cert->chain_pem);
  ASSERT_THAT(blocks, SizeIs(2)) << cert->chain_pem;
  const std::string root = SaveCaCertificate(p.root);
  EXPECT_EQ(FingerprintOfPem(blocks[1]), FingerprintOfPem(ReadFile(root))) << "the second block is not the root";
  EXPECT_THAT(Openssl({"x509", "-in", cert->leaf_path, "-noout", "-issuer"}), HasSubstr("E2E ACME Root " + id()));
  CommandResult verified = RunTool({"openssl", "verify", "-CAfile", root, cert->leaf_path});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

TEST_F(AcmeDownloadE2E, ALeafIssuedByAnIntermediateIsServedWithTheIntermediateAndNotTheRoot) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"dns-01"}, .intermediate = true});
  ASSERT_NE(p.ca, p.root);
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  std::optional<IssuedCertificate> cert = IssueByDns01(acme, account, {"intermediate.download.acme.test"});
  ASSERT_TRUE(cert.has_value());

  const std::vector<std::string> blocks = PemBlocks(cert->chain_pem);
  ASSERT_THAT(blocks, SizeIs(2)) << cert->chain_pem;
  const std::string root = SaveCaCertificate(p.root);
  const std::string intermediate = SaveCaCertificate(p.ca);
  EXPECT_EQ(FingerprintOfPem(blocks[1]), FingerprintOfPem(ReadFile(intermediate)))
      << "the second block is not the intermediate";
  const std::string untrusted = tmp_.File("intermediate-from-chain.pem");
  WriteFile(untrusted, blocks[1]);
  CommandResult verified = RunTool({"openssl", "verify", "-CAfile", root, "-untrusted", untrusted, cert->leaf_path});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  // Without the served intermediate the root alone does not reach the leaf.
  CommandResult root_only = RunTool({"openssl", "verify", "-CAfile", root, cert->leaf_path});
  EXPECT_NE(root_only.exit_code, 0) << root_only.output;
}

TEST_F(AcmeDownloadE2E, DeactivatingAPendingAuthorizationMakesTheOrderInvalid) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"dns-01"}});
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  AcmeResponse created = acme.NewOrder(account, {"a.deactivate.acme.test", "b.deactivate.acme.test"});
  ASSERT_EQ(created.status, 201) << created.Describe();
  const OrderView order = OrderView::FromJson(created.json);
  ASSERT_THAT(order.authorizations, SizeIs(2));
  const std::string authz = order.authorizations[0];
  ASSERT_EQ(AuthorizationView::FromJson(acme.GetAuthorization(account, authz).json).status, "pending");

  AcmeResponse deactivated = acme.Post(authz, R"({"status":"deactivated"})", account.key, {.kid = account.url});
  ASSERT_EQ(deactivated.status, 200) << deactivated.Describe() << AcmeLogTail();
  EXPECT_EQ(AuthorizationView::FromJson(deactivated.json).status, "deactivated");
  EXPECT_EQ(AuthorizationView::FromJson(acme.GetAuthorization(account, authz).json).status, "deactivated");
  // The other authorization is untouched; the order cannot complete any more.
  EXPECT_EQ(AuthorizationView::FromJson(acme.GetAuthorization(account, order.authorizations[1]).json).status,
            "pending");
  AcmeResponse read = acme.GetOrder(account, created.location());
  EXPECT_EQ(OrderView::FromJson(read.json).status, "invalid") << read.Describe();

  // Nothing brings it back: a second deactivation is refused, finalize says not ready.
  AcmeResponse twice = acme.Post(authz, R"({"status":"deactivated"})", account.key, {.kid = account.url});
  EXPECT_EQ(twice.problem_type(), "malformed") << twice.Describe();
  AcmeResponse revived = acme.Post(authz, R"({"status":"valid"})", account.key, {.kid = account.url});
  EXPECT_EQ(revived.problem_type(), "malformed") << revived.Describe();
  const pki::PrivateKey key = *pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256);
  AcmeResponse finalized =
      acme.Finalize(account, order.finalize, MakeCsr({"a.deactivate.acme.test", "b.deactivate.acme.test"}, key));
  EXPECT_EQ(finalized.problem_type(), "orderNotReady") << finalized.Describe();
  EXPECT_TRUE(AcmeCertificateNames(p.name).empty());
}

}  // namespace
}  // namespace certplane::testing
