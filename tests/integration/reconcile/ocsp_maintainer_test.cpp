// The OCSP maintainer against a real API server: a reconcile that comes right after its
// own write, before the caches have seen it, waits for them instead of deciding on the
// stale view (which signed a spare responder certificate and failed with ALREADY_EXISTS
// creating the Secret it had just created).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

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

}  // namespace
}  // namespace certplane::reconcile
