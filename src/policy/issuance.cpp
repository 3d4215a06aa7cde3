// The chains and Decide (issuance.h); the checks are in issuance_checks.cpp.
#include "policy/issuance.h"

#include <array>

#include "api/condition.h"
#include "api/well_known.h"
#include "policy/namespace_selector.h"
#include "policy/reasons.h"
#include "policy/template_check.h"

namespace certplane::policy {
namespace {

constexpr std::array<Check, 11> kTriggerChain = {
    SecretDoesNotExist, SecretIsMissingData,     SecretDataIsInvalid, KeyDoesNotMatchCertificate,
    ChainDoesNotMatch,  IssuedByAnotherCA,       CAHasChanged,        SpecHasChanged,
    RenewalRequested,   HasExpiredAndAutoRenews, RenewalIsDue,
};

constexpr std::array<Check, 7> kReadinessChain = {
    SecretDoesNotExist, SecretIsMissingData, SecretDataIsInvalid, KeyDoesNotMatchCertificate,
    ChainDoesNotMatch,  SpecHasChanged,      HasExpired,
};

// The earliest clock-driven change after now: renewal, expiry, a future renew request.
std::optional<api::Time> NextCheck(const IssuanceInput& in, const std::optional<api::Time>& renewal) {
  const api::Time now = std::chrono::floor<std::chrono::seconds>(in.now);
  std::optional<api::Time> next;
  auto consider = [&](const std::optional<api::Time>& t) {
    if (t && *t > now && (!next || *t < *next)) next = t;
  };
  consider(renewal);
  consider(in.secret.not_after);
  const auto& annotations = in.certificate.metadata.annotations;
  if (const std::string* at = annotations.Find(api::kRenewRequestedAtAnnotation)) {
    Result<api::Time> requested = api::ParseTime(*at);
    if (requested.ok()) consider(*requested);
  }
  return next;
}

// The template's violations for `spec`, with the profile's namespace selector first. An
// ACME profile's Certificates all live in the controller's namespace (EnrollmentFinding
// made sure): its selector says nothing about them.
std::vector<PolicyViolation> Violations(const IssuanceInput& in, const api::CertificateSpec& spec) {
  std::vector<PolicyViolation> out = CheckTemplate(spec, in.tmpl);
  if (in.profile.spec.enrollment.acme) return out;
  if (std::optional<PolicyViolation> ns = CheckNamespace(in.profile, in.certificate.metadata.ns, in.namespace_labels)) {
    out.insert(out.begin(), std::move(*ns));
  }
  return out;
}

// A CSR's key algorithm is judged where spec.privateKey.algorithm would be: say so.
void NameCsrKey(std::vector<PolicyViolation>& violations) {
  static constexpr std::string_view kField = "spec.privateKey.algorithm";
  for (PolicyViolation& v : violations) {
    if (v.field != kField) continue;
    v.field = "spec.csr";
    if (v.message.starts_with(kField)) v.message = "the CSR's key algorithm" + v.message.substr(kField.size());
  }
}

Finding CaMissing(const IssuanceInput& in, const std::string& consequence);
Decision DecideIssuance(const IssuanceInput& in, Finding trigger, Decision d);

// spec.csr: issued once, Ready until it expires, never renewed.
Decision DecideCsr(const IssuanceInput& in, Decision d) {
  d.ready_reason = kIssued;
  const api::CertificateStatus& status = in.certificate.status;
  if (!status.serial_number.empty()) {
    const api::Time now = std::chrono::floor<std::chrono::seconds>(in.now);
    if (status.not_after && now >= *status.not_after) {
      d.not_ready = Finding{kExpired, "the certificate expired at " + api::FormatTime(*status.not_after) +
                                          "; submit a new CSR in a new Certificate to get another"};
    } else if (status.not_after) {
      d.next_check = status.not_after;
    }
    return d;
  }
  Finding trigger{kDoesNotExist, "the CSR in spec.csr has not been signed yet"};
  d.not_ready = trigger;
  if (!in.ca_exists) {
    d.action = Action::kBlocked;
    d.why = CaMissing(in, "the CSR is signed once it is back");
  } else if (!in.ca_ready) {
    d.action = Action::kBlocked;
    d.why = {kCANotReady, "CA " + in.profile.spec.ca_ref.name + " is not Ready; waiting to sign the CSR"};
  } else {
    d = DecideIssuance(in, std::move(trigger), std::move(d));
  }
  return d;
}

// CANotFound for a profile whose CA does not exist, saying what cannot happen.
Finding CaMissing(const IssuanceInput& in, const std::string& consequence) {
  return {kCANotFound, "CertificateAuthority " + in.profile.spec.ca_ref.name + " (of profile " +
                           in.profile.metadata.name + ") does not exist: " + consequence};
}

// An issuance is due; the CA must exist and be Ready to sign it.
std::optional<Finding> WaitForCa(const IssuanceInput& in, const Finding& trigger) {
  const std::string due = " (" + std::string(trigger.reason) + ": " + trigger.message + ")";
  if (!in.ca_exists) return CaMissing(in, "nothing is issued until it is back; the Secret is left as it is" + due);
  if (!in.ca_ready) {
    return Finding{kCANotReady, "CA " + in.profile.spec.ca_ref.name + " is not Ready; waiting to issue" + due};
  }
  return std::nullopt;
}

// Whether a renew request newer than `since` asks to retry at once.
bool RenewRequestedSince(const IssuanceInput& in, const std::optional<api::Time>& since) {
  const std::string* at = in.certificate.metadata.annotations.Find(api::kRenewRequestedAtAnnotation);
  if (at == nullptr) return false;
  Result<api::Time> requested = api::ParseTime(*at);
  if (!requested.ok() || *requested > std::chrono::floor<std::chrono::seconds>(in.now)) return false;
  return !since || *requested > *since;
}

// The certificate's spec changed since status was last written.
bool SpecChangedSinceStatus(const IssuanceInput& in) {
  return in.certificate.metadata.generation != in.certificate.status.observed_generation;
}

// An issuance is due for `trigger` and the CA can sign: now, or after a backoff.
Decision DecideIssuance(const IssuanceInput& in, Finding trigger, Decision d) {
  const api::CertificateStatus& status = in.certificate.status;
  const api::Time now = std::chrono::floor<std::chrono::seconds>(in.now);
  const bool fresh_request = SpecChangedSinceStatus(in) || RenewRequestedSince(in, status.last_failure_time);

  // Failed issuances back off from the last failure, unless something that could fix
  // it changed: the spec, a renew request, or the referenced Secret that was missing.
  std::int32_t failures = fresh_request ? 0 : status.failed_issuance_attempts;
  const api::Condition* issuing = api::FindCondition(status.conditions, api::kConditionIssuing);
  if (failures > 0 && issuing != nullptr && issuing->reason == kReferencedSecretNotFound &&
      in.referenced_secrets_exist) {
    failures = 0;
  }
  d.failed_attempts_after_failure = failures + 1;
  if (failures > 0 && status.last_failure_time) {
    const api::Time retry_at = *status.last_failure_time + BackoffDelay(failures, in.backoff);
    if (now < retry_at) {
      d.action = Action::kBackoff;
      d.why = std::move(trigger);
      d.retry_at = retry_at;
      d.next_check = retry_at;
      return d;
    }
  }

  // Unplanned reissues (the Secret lost or rewritten by someone else) back off from the
  // last issuance; a quiet spell as long as the cap forgives the count.
  std::int32_t unplanned = 0;
  if (!IsPlannedIssuance(in, trigger) && !RenewRequestedSince(in, status.last_issuance_time)) {
    const std::optional<api::Time>& last = status.last_issuance_time;
    const bool forgiven = !last || now - *last > in.backoff.max;
    unplanned = forgiven ? 0 : status.unplanned_reissues;
    if (unplanned > 0) {
      const api::Time retry_at = *last + BackoffDelay(unplanned, in.backoff);
      if (now < retry_at) {
        d.action = Action::kBackoff;
        d.retry_at = retry_at;
        d.next_check = retry_at;
        d.backoff = Finding{kBackoff, std::string(trigger.reason) + ": " + trigger.message + "; reissued " +
                                          std::to_string(unplanned) + (unplanned == 1 ? " time" : " times") +
                                          " in a row because the Secret was lost or changed by another writer, so "
                                          "the next attempt waits until " +
                                          api::FormatTime(retry_at) +
                                          " (a spec change or the renew annotation retries at once)"};
        d.why = std::move(trigger);
        return d;
      }
    }
    d.unplanned_reissues_after = unplanned + 1;
  }
  d.action = Action::kIssue;
  d.why = std::move(trigger);
  return d;
}

}  // namespace

std::optional<Finding> Evaluate(std::span<const Check> chain, const IssuanceInput& in) {
  for (Check check : chain) {
    if (std::optional<Finding> f = check(in)) return f;
  }
  return std::nullopt;
}

std::span<const Check> TriggerChain() { return kTriggerChain; }
std::span<const Check> ReadinessChain() { return kReadinessChain; }

Decision Decide(const IssuanceInput& in) {
  Decision d;
  // A revoked or held certificate is never issued again; it is not Ready.
  if (std::optional<Finding> revoked = RevocationFinding(in.certificate)) {
    d.not_ready = std::move(revoked);
    return d;
  }

  // Enrollment, the CSR and ownership come before the template: a request the profile
  // would never take, a CSR that cannot be read, or a Secret that is another
  // Certificate's leaves the template nothing to judge.
  std::optional<Finding> refused = EnrollmentFinding(in);
  if (!refused) refused = CsrFinding(in);
  if (!refused && !in.csr) refused = SecretOwnedByAnother(in);
  if (refused) {
    d.action = Action::kBlocked;
    d.why = std::move(*refused);
    d.not_ready = d.why;
    return d;
  }

  d.violations = Violations(in, EffectiveSpec(in));
  if (in.csr) NameCsrKey(d.violations);
  if (!d.violations.empty()) {
    d.action = Action::kBlocked;
    d.why = {kPolicyViolation, FormatViolations(d.violations)};
    d.not_ready = d.why;
    return d;
  }

  if (in.csr) return DecideCsr(in, std::move(d));

  d.renewal_time = ScheduledRenewal(in);
  d.next_check = NextCheck(in, d.renewal_time);
  d.not_ready = Evaluate(ReadinessChain(), in);
  std::optional<Finding> trigger = Evaluate(TriggerChain(), in);
  if (!trigger) trigger = OutputIsMissing(in);
  if (!trigger) {
    if (!in.ca_exists) d.issuing = CaMissing(in, "it cannot be renewed or reissued until it is back");
    return d;
  }
  if (std::optional<Finding> waiting = WaitForCa(in, *trigger)) {
    d.action = Action::kBlocked;
    d.why = std::move(*waiting);
    return d;
  }
  return DecideIssuance(in, std::move(*trigger), std::move(d));
}

}  // namespace certplane::policy
