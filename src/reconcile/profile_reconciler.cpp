#include "reconcile/profile_reconciler.h"

#include "api/certificate_profile_json.h"
#include "api/certificate_template_json.h"
#include "api/condition.h"
#include "api/well_known.h"
#include "policy/latest_active.h"
#include "policy/reasons.h"

namespace certplane::reconcile {
namespace {

using api::Time;

// Writes a cluster-scoped object's status when it differs from what is cached.
template <typename Status, typename Encode>
certplane::Status WriteClusterStatus(kube::Client& client, const kube::GroupVersionResource& gvr, std::string_view kind,
                                     const kube::ObjectMeta& meta, const Status& current, const Status& desired,
                                     Encode encode, const std::string& field_manager) {
  if (desired == current) return certplane::Status::Ok();
  nlohmann::json body = {
      {"apiVersion", std::string(api::kApiVersion)},
      {"kind", std::string(kind)},
      {"metadata", {{"name", meta.name}, {"resourceVersion", meta.resource_version}}},
      {"status", encode(desired)},
  };
  auto written = client.UpdateStatus(gvr, "", body, {.field_manager = field_manager});
  if (!written.ok())
    return written.status().WithContext("updating the status of " + std::string(kind) + " " + meta.name);
  return certplane::Status::Ok();
}

}  // namespace

kube::Duration ProfileRecountDelay(const api::CertificateProfileStatus& current,
                                   const api::CertificateProfileStatus& desired,
                                   std::optional<kube::TimePoint> last_write, kube::TimePoint now,
                                   kube::Duration interval) {
  if (desired.conditions != current.conditions || desired.observed_generation != current.observed_generation) {
    return kube::Duration::zero();
  }
  return PacedWriteDelay(last_write, now, interval);
}

kube::ReconcileResult ProfileReconciler::Reconcile(const kube::Request& request) {
  const Caches& caches = *deps_.caches;
  auto profile = caches.profiles.store().Get(request.name);
  if (!profile) return kube::ReconcileResult::Done();
  const Time now = api::ToTime(deps_.clock->WallNow());
  const auto generation = profile->metadata.generation;

  api::CertificateProfileStatus status = profile->status;
  status.observed_generation = generation;
  auto ca = caches.cas.store().Get(profile->spec.ca_ref.name);
  auto tmpl = caches.templates.store().Get(profile->spec.template_ref.name);
  if (!ca) {
    api::SetCondition(
        status.conditions,
        api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, kCaNotFound,
                           "CertificateAuthority " + profile->spec.ca_ref.name + " does not exist", generation),
        now);
  } else if (!api::IsConditionTrue(ca->status.conditions, api::kConditionReady)) {
    api::SetCondition(
        status.conditions,
        api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, policy::kCANotReady,
                           "CertificateAuthority " + profile->spec.ca_ref.name + " is not Ready", generation),
        now);
  } else if (!tmpl) {
    api::SetCondition(
        status.conditions,
        api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, "TemplateNotFound",
                           "CertificateTemplate " + profile->spec.template_ref.name + " does not exist", generation),
        now);
  } else {
    api::SetCondition(status.conditions,
                      api::MakeCondition(api::kConditionReady, api::ConditionStatus::kTrue, policy::kReady,
                                         "the profile can issue", generation),
                      now);
  }

  const kube::TimePoint mono = deps_.clock->Now();
  if (kube::Duration wait = ProfileRecountDelay(profile->status, status, status_writes_.LastWrite(request.name), mono,
                                                deps_.status_interval);
      wait > kube::Duration::zero()) {
    return kube::ReconcileResult::After(wait);
  }

  status.certificates = 0;
  status.ready_certificates = 0;
  status.latest_active_certificate.reset();
  std::optional<Time> next_expiry;
  // The same rule as the bundle API's latest-bundle (policy/latest_active.h).
  policy::LatestActive latest_active(now);
  caches.ForEachCertificateOfProfile(profile->metadata.name, [&](const std::shared_ptr<const api::Certificate>& cert) {
    ++status.certificates;
    if (!api::IsConditionTrue(cert->status.conditions, api::kConditionReady)) return;
    ++status.ready_certificates;
    if (policy::WhyInactive(*cert, now) != policy::InactiveReason::kActive) return;
    if (!next_expiry || *cert->status.not_after < *next_expiry) next_expiry = cert->status.not_after;
    latest_active.Consider(cert);
  });
  if (const auto& latest = latest_active.get()) {
    status.latest_active_certificate = api::CertificateReference{
        latest->metadata.ns, latest->metadata.name, latest->status.serial_number, latest->status.not_after};
  }
  // Paced before counting (ProfileRecountDelay): a status that changed is written now.
  if (status != profile->status) {
    if (Status s = WriteClusterStatus(*deps_.client, api::kCertificateProfilesResource, api::kCertificateProfileKind,
                                      profile->metadata, profile->status, status, api::EncodeCertificateProfileStatus,
                                      deps_.field_manager);
        !s.ok()) {
      return kube::ReconcileResult::Retry(s);
    }
    status_writes_.Wrote(request.name, mono);
  }
  // An active certificate stops being active when it expires, without any event.
  if (next_expiry)
    return kube::ReconcileResult::After(std::max<kube::Duration>(*next_expiry - now, std::chrono::seconds(1)));
  return kube::ReconcileResult::Done();
}

kube::ReconcileResult TemplateReconciler::Reconcile(const kube::Request& request) {
  auto tmpl = deps_.caches->templates.store().Get(request.name);
  if (!tmpl) return kube::ReconcileResult::Done();
  const Time now = api::ToTime(deps_.clock->WallNow());
  api::CertificateTemplateStatus status = tmpl->status;
  status.observed_generation = tmpl->metadata.generation;
  api::SetCondition(status.conditions,
                    api::MakeCondition(api::kConditionReady, api::ConditionStatus::kTrue, policy::kReady,
                                       "the template is valid", tmpl->metadata.generation),
                    now);
  if (Status s = WriteClusterStatus(*deps_.client, api::kCertificateTemplatesResource, api::kCertificateTemplateKind,
                                    tmpl->metadata, tmpl->status, status, api::EncodeCertificateTemplateStatus,
                                    deps_.field_manager);
      !s.ok()) {
    return kube::ReconcileResult::Retry(s);
  }
  return kube::ReconcileResult::Done();
}

}  // namespace certplane::reconcile
