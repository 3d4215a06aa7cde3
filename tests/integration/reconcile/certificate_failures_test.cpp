// The CertificateReconciler's failure paths, driven directly against the real API
// server: a ValidatingAdmissionPolicy refuses one write at a time (the Secret, the
// status), and a fake clock moves the backoff on without sleeping. Each test calls
// Reconcile itself and checks the result, the objects and how many requests it cost.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>

#include "api/certificate_json.h"
#include "api/condition.h"
#include "kube/clock.h"
#include "kube/event_recorder.h"
#include "kube/resource.h"
#include "kube_test.h"
#include "metrics/metrics.h"
#include "reconcile/ca_reconciler.h"
#include "reconcile/ca_signers.h"
#include "reconcile/caches.h"
#include "reconcile/certificate_reconciler.h"
#include "reconcile/operator_metrics.h"

namespace certplane::reconcile {
namespace {

using ::certplane::testing::Eventually;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

const kube::GroupVersionResource kPolicies{"admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", false};
const kube::GroupVersionResource kBindings{"admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings",
                                           false};

class CertificateFailuresTest : public certplane::testing::KubeTest {
 protected:
  // Caches watches the certplane kinds: their CRDs must be served for it to sync.
  static void SetUpTestSuite() { certplane::testing::ApplyCertplaneCrds(); }

  void SetUp() override {
    KubeTest::SetUp();
    suffix_ = ns();
    clock_ = std::make_shared<kube::FakeClock>();
    caches_ = std::make_unique<Caches>(client_ptr(), CachesOptions{.controller_namespace = ns()});
    signers_ = std::make_unique<CaSigners>(client_ptr(), *caches_, CaSignersOptions{});
    events_ = std::make_unique<kube::EventRecorder>(client_ptr(), kube::EventRecorderOptions{.clock = clock_});
    metrics_ = std::make_unique<OperatorMetrics>(registry_);
    cas_ = std::make_unique<CaReconciler>(CaReconcilerDeps{.client = client_ptr(),
                                                           .caches = caches_.get(),
                                                           .signers = signers_.get(),
                                                           .events = events_.get(),
                                                           .clock = clock_});
    // The reconciler's own client counts its requests (the caches and events have theirs).
    reconciler_client_ = certplane::testing::NewClient(
        {.qps = 100, .burst = 200, .on_response = [this](const std::string&, int) { ++requests_; }});
    certificates_ =
        std::make_unique<CertificateReconciler>(CertificateReconcilerDeps{.client = reconciler_client_,
                                                                          .caches = caches_.get(),
                                                                          .signers = signers_.get(),
                                                                          .crl = nullptr,
                                                                          .events = events_.get(),
                                                                          .metrics = metrics_.get(),
                                                                          .clock = clock_,
                                                                          .backoff = {.initial = 10s, .max = 1h}});
    caches_->Start();
    ASSERT_TRUE(caches_->WaitForSync(60s));
    MakeIssuer();
  }

  void TearDown() override {
    for (const std::string& name : policies_) {
      (void)client().Delete(kBindings, "", name);
      (void)client().Delete(kPolicies, "", name);
    }
    (void)client().Delete(api::kCertificateProfilesResource, "", Name("profile"));
    (void)client().Delete(api::kCertificateTemplatesResource, "", Name("template"));
    (void)client().Delete(api::kCertificateAuthoritiesResource, "", Name("ca"));
    caches_->Stop();
    KubeTest::TearDown();
  }

  std::string Name(const std::string& base) const { return base + "-" + suffix_; }

  void Create(const kube::GroupVersionResource& gvr, const std::string& ns, const nlohmann::json& object) {
    auto created = client().Create(gvr, ns, object);
    ASSERT_TRUE(created.ok()) << created.status();
  }

  // A root CA made Ready by the CA reconciler, a template and a profile.
  void MakeIssuer() {
    Create(api::kCertificateAuthoritiesResource, "",
           {{"apiVersion", "certplane.io/v1alpha1"},
            {"kind", "CertificateAuthority"},
            {"metadata", {{"name", Name("ca")}}},
            {"spec",
             {{"type", "Root"}, {"subject", {{"commonName", "Failures Root CA"}}}, {"keyAlgorithm", "ECDSA-P256"}}}});
    Create(api::kCertificateTemplatesResource, "",
           {{"apiVersion", "certplane.io/v1alpha1"},
            {"kind", "CertificateTemplate"},
            {"metadata", {{"name", Name("template")}}},
            {"spec",
             {{"subject", {{"commonName", {{"allowed", {"*.example.com"}}}}}},
              {"subjectAltNames", {{"dnsNames", {{"allowed", {"*.example.com"}}}}}},
              {"keyAlgorithms", {"ECDSA-P256"}},
              {"defaultDuration", "720h"}}}});
    Create(api::kCertificateProfilesResource, "",
           {{"apiVersion", "certplane.io/v1alpha1"},
            {"kind", "CertificateProfile"},
            {"metadata", {{"name", Name("profile")}}},
            {"spec",
             {{"caRef", {{"name", Name("ca")}}},
              {"templateRef", {{"name", Name("template")}}},
              {"enrollment", {{"api", nlohmann::json::object()}}}}}});
    ASSERT_TRUE(Eventually(
        [&] {
          (void)cas_->Reconcile({"", Name("ca")});
          auto ca = caches_->cas.store().Get(Name("ca"));
          return ca && api::IsConditionTrue(ca->status.conditions, api::kConditionReady);
        },
        60s, 200ms))
        << "the CA never became Ready";
    ASSERT_TRUE(Eventually([&] {
      return caches_->profiles.store().Get(Name("profile")) && caches_->templates.store().Get(Name("template"));
    }));
  }

  // A Certificate `name` into Secret `secret`, seen by the cache.
  void CreateCertificate(const std::string& name, const std::string& secret) {
    Create(api::kCertificatesResource, ns(),
           {{"apiVersion", "certplane.io/v1alpha1"},
            {"kind", "Certificate"},
            {"metadata", {{"name", name}, {"namespace", ns()}}},
            {"spec",
             {{"profileRef", {{"name", Name("profile")}}},
              {"secretName", secret},
              {"commonName", name + ".example.com"},
              {"dnsNames", {name + ".example.com"}}}}});
    ASSERT_TRUE(Eventually([&] { return caches_->certificates.store().Get(ns() + "/" + name) != nullptr; }));
  }

  // Refuses CREATE and UPDATE of `resources` in this test's namespace when `expression`
  // is false; waits until the API server enforces it (a server-side dry run is refused).
  void Refuse(const std::string& group, const std::string& resource, const std::string& expression,
              const std::function<bool()>& enforced) {
    const std::string name = Name("refuse-" + std::to_string(policies_.size()));
    Create(kPolicies, "",
           {{"apiVersion", "admissionregistration.k8s.io/v1"},
            {"kind", "ValidatingAdmissionPolicy"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"failurePolicy", "Fail"},
              {"matchConstraints",
               {{"resourceRules",
                 {{{"apiGroups", {group}},
                   {"apiVersions", {"*"}},
                   {"operations", {"CREATE", "UPDATE"}},
                   {"resources", {resource}}}}}}},
              {"validations", {{{"expression", expression}, {"message", "injected failure"}}}}}}});
    Create(
        kBindings, "",
        {{"apiVersion", "admissionregistration.k8s.io/v1"},
         {"kind", "ValidatingAdmissionPolicyBinding"},
         {"metadata", {{"name", name}}},
         {"spec",
          {{"policyName", name},
           {"validationActions", {"Deny"}},
           {"matchResources", {{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", ns()}}}}}}}}}});
    policies_.push_back(name);
    enforced_.push_back(enforced);
    ASSERT_TRUE(Eventually(enforced, 30s, 250ms)) << "the API server never enforced " << name;
  }
  // Whether a probe was refused by our policy (not by a busy API server or anything else).
  static bool Refused(const kube::ApiResult<nlohmann::json>& probe) {
    return !probe.ok() && probe.status().message().find("injected failure") != std::string::npos;
  }

  // Refuses writes of Secret `name` (and of `name`-probe, which shows when the API
  // server enforces it: a dry-run create of a Secret that does not exist).
  void RefuseSecret(const std::string& name) {
    Refuse(
        "", "secrets", "object.metadata.name != '" + name + "' && object.metadata.name != '" + name + "-probe'",
        [this, name] {
          nlohmann::json probe = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", name + "-probe"}}}};
          return Refused(client().Create(kube::kSecrets, ns(), probe, {.dry_run = true}));
        });
  }
  // Removes the refusals and waits until the API server no longer enforces them.
  void Allow() {
    for (const std::string& name : policies_) {
      (void)client().Delete(kBindings, "", name);
      (void)client().Delete(kPolicies, "", name);
    }
    policies_.clear();
    for (const auto& enforced : enforced_) {
      ASSERT_TRUE(Eventually([&] { return !enforced(); }, 30s, 250ms)) << "a refusal outlived its policy";
    }
    enforced_.clear();
  }

  std::shared_ptr<const api::Certificate> Cached(const std::string& name) {
    return caches_->certificates.store().Get(ns() + "/" + name);
  }
  // Waits until the cache shows the Certificate's status with `predicate` true.
  std::shared_ptr<const api::Certificate> WaitFor(const std::string& name,
                                                  const std::function<bool(const api::Certificate&)>& predicate) {
    std::shared_ptr<const api::Certificate> out;
    EXPECT_TRUE(Eventually([&] {
      out = Cached(name);
      return out && predicate(*out);
    }));
    return out;
  }
  // API requests the reconciler has made.
  long Requests() const { return requests_.load(); }

  std::string suffix_;
  std::shared_ptr<kube::FakeClock> clock_;
  metrics::MetricsRegistry registry_;
  std::unique_ptr<Caches> caches_;
  std::unique_ptr<CaSigners> signers_;
  std::unique_ptr<kube::EventRecorder> events_;
  std::unique_ptr<OperatorMetrics> metrics_;
  std::unique_ptr<CaReconciler> cas_;
  std::unique_ptr<CertificateReconciler> certificates_;
  std::vector<std::string> policies_;
  std::vector<std::function<bool()>> enforced_;
  std::atomic<long> requests_{0};
  std::shared_ptr<kube::Client> reconciler_client_;
};

TEST_F(CertificateFailuresTest, ARefusedSecretWriteIsRecordedAndBacksOffWithoutAnotherAttempt) {
  CreateCertificate("refused", "refused-tls");
  RefuseSecret("refused-tls");

  kube::ReconcileResult first = certificates_->Reconcile({ns(), "refused"});
  EXPECT_EQ(first.kind(), kube::ReconcileResult::Kind::kAfter);
  EXPECT_EQ(first.requeue_after(), 10s) << "waits the initial backoff, from status";
  auto failed = WaitFor("refused", [](const api::Certificate& c) { return c.status.failed_issuance_attempts == 1; });
  ASSERT_TRUE(failed);
  const api::Condition* issuing = api::FindCondition(failed->status.conditions, api::kConditionIssuing);
  ASSERT_NE(issuing, nullptr);
  EXPECT_EQ(issuing->reason, "IssuanceFailed");
  EXPECT_THAT(issuing->message, HasSubstr("injected failure"));
  EXPECT_THAT(issuing->message, HasSubstr("attempt 1 failed"));
  EXPECT_EQ(failed->status.serial_number, "");

  // The status write woke it again: that pass only confirms the wait, and writes nothing.
  const long before = Requests();
  kube::ReconcileResult woken = certificates_->Reconcile({ns(), "refused"});
  EXPECT_EQ(woken.kind(), kube::ReconcileResult::Kind::kAfter);
  EXPECT_EQ(woken.requeue_after(), 10s);
  EXPECT_EQ(Requests(), before) << "a Certificate waiting out its backoff made API requests";

  // When the wait is over it tries again, and waits twice as long after a second failure.
  clock_->Advance(10s);
  kube::ReconcileResult second = certificates_->Reconcile({ns(), "refused"});
  EXPECT_EQ(second.requeue_after(), 20s);
  ASSERT_TRUE(WaitFor("refused", [](const api::Certificate& c) { return c.status.failed_issuance_attempts == 2; }));

  // Once the write is allowed and the wait is over, it is issued and the count cleared.
  Allow();
  clock_->Advance(20s);
  ASSERT_TRUE(Eventually(
      [&] {
        (void)certificates_->Reconcile({ns(), "refused"});
        auto c = Cached("refused");
        return c && !c->status.serial_number.empty();
      },
      30s, 200ms));
  auto issued = WaitFor("refused", [](const api::Certificate& c) {
    return c.status.failed_issuance_attempts == 0 && api::IsConditionTrue(c.status.conditions, api::kConditionReady);
  });
  ASSERT_TRUE(issued);
  EXPECT_EQ(issued->status.revision, 1);
}

TEST_F(CertificateFailuresTest, ARefusedStatusWriteAfterTheSecretIsRecordedLaterWithoutSigningAgain) {
  CreateCertificate("statusless", "statusless-tls");
  Refuse("certplane.io", "certificates/status", "object.metadata.name != 'statusless'", [this] {
    nlohmann::json patch = {{"status", {{"observedGeneration", 0}}}};
    return Refused(client().MergePatch(api::kCertificatesResource, ns(), "statusless", patch,
                                       {.field_manager = "probe", .dry_run = true, .subresource = "status"}));
  });

  // The Secret is written, the status write refused: a retry, as for any API error.
  kube::ReconcileResult result = certificates_->Reconcile({ns(), "statusless"});
  EXPECT_EQ(result.kind(), kube::ReconcileResult::Kind::kRetry);
  EXPECT_THAT(result.status().message(), HasSubstr("injected failure"));
  ASSERT_TRUE(
      Eventually([&] { return caches_->certificate_secrets.store().Get(ns() + "/statusless-tls") != nullptr; }));
  const std::string serial = caches_->certificate_secrets.store().Get(ns() + "/statusless-tls")->Facts().serial_number;
  ASSERT_FALSE(serial.empty());

  // A new process (no memory of what it wrote) records the Secret's serial instead of
  // signing a second certificate.
  Allow();
  certificates_ =
      std::make_unique<CertificateReconciler>(CertificateReconcilerDeps{.client = reconciler_client_,
                                                                        .caches = caches_.get(),
                                                                        .signers = signers_.get(),
                                                                        .crl = nullptr,
                                                                        .events = events_.get(),
                                                                        .metrics = metrics_.get(),
                                                                        .clock = clock_,
                                                                        .backoff = {.initial = 10s, .max = 1h}});
  ASSERT_TRUE(Eventually(
      [&] {
        (void)certificates_->Reconcile({ns(), "statusless"});
        auto c = Cached("statusless");
        return c && c->status.serial_number == serial;
      },
      30s, 200ms));
  EXPECT_EQ(Cached("statusless")->status.revision, 1);
  EXPECT_EQ(caches_->certificate_secrets.store().Get(ns() + "/statusless-tls")->Facts().serial_number, serial)
      << "signed again";
}

TEST_F(CertificateFailuresTest, ARefusedWriteOfTheRenewedSecretKeepsTheKeyUnderRotationPolicyNever) {
  Create(api::kCertificatesResource, ns(),
         {{"apiVersion", "certplane.io/v1alpha1"},
          {"kind", "Certificate"},
          {"metadata", {{"name", "kept"}, {"namespace", ns()}}},
          {"spec",
           {{"profileRef", {{"name", Name("profile")}}},
            {"secretName", "kept-tls"},
            {"commonName", "kept.example.com"},
            {"dnsNames", {"kept.example.com"}},
            {"privateKey", {{"rotationPolicy", "Never"}}}}}});
  ASSERT_TRUE(Eventually([&] { return Cached("kept") != nullptr; }));
  ASSERT_TRUE(Eventually(
      [&] {
        (void)certificates_->Reconcile({ns(), "kept"});
        auto c = Cached("kept");
        return c && c->status.revision == 1;
      },
      30s, 200ms));
  auto key_of = [&] {
    auto s = client().Get(kube::kSecrets, ns(), "kept-tls");
    EXPECT_TRUE(s.ok());
    return s.ok() ? (*s)["data"]["tls.key"].get<std::string>() : std::string();
  };
  const std::string key = key_of();

  // A renew request whose Secret write is refused twice, then allowed.
  auto request = [&] {
    nlohmann::json patch = {
        {"metadata",
         {{"annotations", {{"certplane.io/renew-requested-at", api::FormatTime(api::ToTime(clock_->WallNow()))}}}}}};
    ASSERT_TRUE(client().MergePatch(api::kCertificatesResource, ns(), "kept", patch, {.field_manager = "test"}).ok());
  };
  clock_->Advance(1h);
  request();
  clock_->Advance(1s);
  RefuseSecret("kept-tls");
  ASSERT_TRUE(Eventually([&] {
    auto c = Cached("kept");
    return c && c->metadata.annotations.Find("certplane.io/renew-requested-at") != nullptr;
  }));
  EXPECT_EQ(certificates_->Reconcile({ns(), "kept"}).kind(), kube::ReconcileResult::Kind::kAfter);
  ASSERT_TRUE(WaitFor("kept", [](const api::Certificate& c) { return c.status.failed_issuance_attempts == 1; }));
  Allow();
  clock_->Advance(10s);
  ASSERT_TRUE(Eventually(
      [&] {
        (void)certificates_->Reconcile({ns(), "kept"});
        auto c = Cached("kept");
        return c && c->status.revision == 2;
      },
      30s, 200ms));
  EXPECT_EQ(key_of(), key) << "rotationPolicy Never made a new key";
}

}  // namespace
}  // namespace certplane::reconcile
