// The chains and Decide (issuance.h); the checks are in issuance_checks.cpp.
#include "policy/issuance.h"

#include <array>

#include "api/well_known.h"
#include "policy/namespace_selector.h"
#include "policy/reasons.h"
#include "policy/template_check.h"

namespace certplane::policy {
namespace {

constexpr std::array<Check, 11> kTriggerChain = {
    SecretDoesNotExist, SecretIsMissingData, SecretDataIsInvalid, KeyDoesNotMatchCertificate,
    ChainDoesNotMatch,  IssuedByAnotherCA,   CAHasChanged,        SpecHasChanged,
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
  if (in.ca_ready) {
    d.action = Action::kIssue;
    d.why = std::move(trigger);
  } else {
    d.action = Action::kBlocked;
    d.why = {kCANotReady, "CA " + in.profile.spec.ca_ref.name + " is not Ready; waiting to sign the CSR"};
  }
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

  // Enrollment and the CSR come before the template: a request the profile would never
  // take, or a CSR that cannot be read, has nothing for the template to judge.
  std::optional<Finding> refused = EnrollmentFinding(in);
  if (!refused) refused = CsrFinding(in);
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
  if (std::optional<Finding> trigger = Evaluate(TriggerChain(), in)) {
    if (in.ca_ready) {
      d.action = Action::kIssue;
      d.why = std::move(*trigger);
    } else {
      d.action = Action::kBlocked;
      d.why = {kCANotReady, "CA " + in.profile.spec.ca_ref.name + " is not Ready; waiting to issue (" +
                                std::string(trigger->reason) + ": " + trigger->message + ")"};
    }
  }
  return d;
}

}  // namespace certplane::policy
