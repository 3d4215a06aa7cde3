// The OCSP maintainer against a real API server: a reconcile that comes right after its
// own write, before the caches have seen it, waits for them instead of deciding on the
// stale view (which signed a spare responder certificate and failed with ALREADY_EXISTS
// creating the Secret it had just created); and a record of more serials than one
// ConfigMap holds is kept in shards, none lost when the Certificates go.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "api/condition.h"
#include "kube/clock.h"
#include "kube/event_recorder.h"
#include "kube_test.h"
#include "reconcile/ca_reconciler.h"
#include "reconcile/ca_signers.h"
#include "reconcile/caches.h"
#include "reconcile/ocsp_maintainer.h"

namespace certplane::reconcile {
namespace {

using ::certplane::testing::Eventually;
using namespace std::chrono_literals;

class OcspMaintainerTest : public certplane::testing::KubeTest {
 protected:
  // Caches watches the certplane kinds: their CRDs must be served for it to sync.
  static void SetUpTestSuite() { certplane::testing::ApplyCertplaneCrds(); }

  void SetUp() override {
    KubeTest::SetUp();
    ca_ = "ocsp-" + ns();
    caches_ = std::make_unique<Caches>(client_ptr(), CachesOptions{.controller_namespace = ns()});
    signers_ = std::make_unique<CaSigners>(client_ptr(), *caches_, CaSignersOptions{});
    events_ = std::make_unique<kube::EventRecorder>(client_ptr());
    cas_ = std::make_unique<CaReconciler>(CaReconcilerDeps{.client = client_ptr(),
                                                           .caches = caches_.get(),
                                                           .signers = signers_.get(),
                                                           .events = events_.get(),
                                                           .clock = kube::SystemClock()});
    maintainer_ = std::make_unique<OcspMaintainer>(OcspMaintainerDeps{.client = client_ptr(),
                                                                      .caches = caches_.get(),
                                                                      .signers = signers_.get(),
                                                                      .events = events_.get(),
                                                                      .public_base_url = "http://127.0.0.1:1"});
    caches_->Start();
    ASSERT_TRUE(caches_->WaitForSync(60s));
    auto created = client().Create(
        api::kCertificateAuthoritiesResource, "",
        {{"apiVersion", "certplane.io/v1alpha1"},
         {"kind", "CertificateAuthority"},
         {"metadata", {{"name", ca_}}},
         {"spec", {{"type", "Root"}, {"subject", {{"commonName", "OCSP Root"}}}, {"keyAlgorithm", "ECDSA-P256"}}}});
    ASSERT_TRUE(created.ok()) << created.status();
    ASSERT_TRUE(Eventually(
        [&] {
          (void)cas_->Reconcile({"", ca_});
          auto ca = caches_->cas.store().Get(ca_);
          return ca && api::IsConditionTrue(ca->status.conditions, api::kConditionReady) && signers_->Get(ca_).ok();
        },
        60s, 200ms))
        << "the CA never became Ready";
  }

  void TearDown() override {
    (void)client().Delete(api::kCertificateAuthoritiesResource, "", ca_);
    caches_->Stop();
    KubeTest::TearDown();
  }

  // Certificates issued by the test CA as far as the caches can tell: a status naming
  // the CA and a serial (nothing signs them; the maintainer reads only the status).
  void CertificateWithSerial(const std::string& name, const std::string& serial_hex) {
    auto created = client().Create(
        api::kCertificatesResource, ns(),
        {{"apiVersion", "certplane.io/v1alpha1"},
         {"kind", "Certificate"},
         {"metadata", {{"name", name}}},
         {"spec", {{"profileRef", {{"name", "none"}}}, {"secretName", name + "-tls"}, {"commonName", name}}}});
    ASSERT_TRUE(created.ok()) << created.status();
    auto patched = client().MergePatch(
        api::kCertificatesResource, ns(), name,
        {{"status", {{"caName", ca_}, {"serialNumber", serial_hex}, {"notAfter", "2099-01-01T00:00:00Z"}}}},
        {.subresource = "status"});
    ASSERT_TRUE(patched.ok()) << patched.status();
  }

  // The serials the record's ConfigMaps hold, read from the API server, by name.
  std::map<std::string, std::set<std::string>> RecordOnTheServer() {
    std::map<std::string, std::set<std::string>> out;
    auto list =
        client().List(kube::kConfigMaps, ns(), {.label_selector = std::string(kIssuedSerialsOfLabel) + "=" + ca_});
    EXPECT_TRUE(list.ok()) << list.status();
    if (!list.ok()) return out;
    for (const auto& cm : list->items) {
      auto serials = ParseIssuedSerials(cm["data"].value(std::string(kIssuedSerialsKey), ""));
      EXPECT_TRUE(serials.ok()) << serials.status();
      auto& names = out[cm["metadata"]["name"].get<std::string>()];
      if (serials.ok()) {
        for (const auto& kv : *serials) names.insert(kv.first);
      }
    }
    return out;
  }

  std::string ca_;
  std::unique_ptr<Caches> caches_;
  std::unique_ptr<CaSigners> signers_;
  std::unique_ptr<kube::EventRecorder> events_;
  std::unique_ptr<CaReconciler> cas_;
  std::unique_ptr<OcspMaintainer> maintainer_;
};

TEST_F(OcspMaintainerTest, AReconcileRightAfterItsOwnWriteWaitsForTheCacheInsteadOfSigningAgain) {
  ASSERT_EQ(caches_->OcspSignersOf(ca_), nullptr);
  // The caches lag behind the maintainer's writes: here for good, by stopping the two
  // informers it writes through (a busy API server does it for milliseconds).
  caches_->ocsp_signer_secrets.Stop();
  caches_->issued_serials.Stop();

  kube::ReconcileResult first = maintainer_->Reconcile({"", ca_});
  ASSERT_NE(first.kind(), kube::ReconcileResult::Kind::kRetry) << first.status();
  auto written = client().Get(kube::kSecrets, ns(), OcspSignerSecretName(ca_));
  ASSERT_TRUE(written.ok()) << written.status();
  const std::string version = written.value()["metadata"]["resourceVersion"];

  // Again, with the caches still empty: it waits briefly for them, rather than signing a
  // second responder and failing to create what exists.
  kube::ReconcileResult second = maintainer_->Reconcile({"", ca_});
  EXPECT_EQ(second.kind(), kube::ReconcileResult::Kind::kAfter) << second.status();
  EXPECT_LE(second.requeue_after(), 1s);
  auto after = client().Get(kube::kSecrets, ns(), OcspSignerSecretName(ca_));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after.value()["metadata"]["resourceVersion"], version) << "the responder Secret was written again";
}

TEST_F(OcspMaintainerTest, ARecordLargerThanAShardIsSplitOverConfigMapsAndKeepsEverySerial) {
  OcspMaintainer sharded(OcspMaintainerDeps{.client = client_ptr(),
                                            .caches = caches_.get(),
                                            .signers = signers_.get(),
                                            .events = events_.get(),
                                            .public_base_url = "http://127.0.0.1:1",
                                            .record_interval = 0s,
                                            .serials_per_shard = 2});
  const std::set<std::string> serials = {"01aa", "02bb", "03cc", "04dd", "05ee"};
  int i = 0;
  for (const std::string& serial : serials) CertificateWithSerial("rec-" + std::to_string(i++), serial);
  auto cached_count = [&] {
    int n = 0;
    caches_->ForEachCertificateIssuedBy(ca_, [&](const auto&) { ++n; });
    return n;
  };
  ASSERT_TRUE(Eventually([&] { return cached_count() == 5; }, 30s)) << "the caches never saw the Certificates";

  // Reconciles until the caches show every shard written (each pass waits for its own
  // writes to come back).
  auto settle = [&] {
    return Eventually(
        [&] {
          kube::ReconcileResult r = sharded.Reconcile({"", ca_});
          EXPECT_NE(r.kind(), kube::ReconcileResult::Kind::kRetry) << r.status();
          std::set<std::string> cached;
          for (const auto& shard : caches_->IssuedSerialsOf(ca_)) {
            for (const auto& kv : shard->serials) cached.insert(kv.first);
          }
          // A pass that had nothing to wait for comes back in a second or more.
          return cached == serials && r.kind() == kube::ReconcileResult::Kind::kAfter && r.requeue_after() >= 1s;
        },
        30s, 100ms);
  };
  ASSERT_TRUE(settle());
  const std::map<std::string, std::set<std::string>> want = {{IssuedSerialsConfigMapName(ca_, 0), {"01aa", "02bb"}},
                                                             {IssuedSerialsConfigMapName(ca_, 1), {"03cc", "04dd"}},
                                                             {IssuedSerialsConfigMapName(ca_, 2), {"05ee"}}};
  EXPECT_EQ(RecordOnTheServer(), want);
  ASSERT_TRUE(Eventually(
      [&] {
        auto ca = caches_->cas.store().Get(ca_);
        return ca && ca->status.ocsp && ca->status.ocsp->issued_serials == 5;
      },
      30s))
      << "status.ocsp.issuedSerials does not count every shard";

  // The Certificates go; the record keeps their serials, in the same shards.
  for (int k = 0; k < 5; ++k) {
    ASSERT_TRUE(client().Delete(api::kCertificatesResource, ns(), "rec-" + std::to_string(k)).ok());
  }
  ASSERT_TRUE(Eventually([&] { return cached_count() == 0; }, 30s));
  ASSERT_TRUE(settle());
  EXPECT_EQ(RecordOnTheServer(), want);
}

}  // namespace
}  // namespace certplane::reconcile
