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

  d.violations = CheckTemplate(in.certificate.spec, in.tmpl);
  if (std::optional<PolicyViolation> ns =
          CheckNamespace(in.profile, in.certificate.metadata.ns, in.namespace_labels)) {
    d.violations.insert(d.violations.begin(), std::move(*ns));
  }
  if (!d.violations.empty()) {
    d.action = Action::kBlocked;
    d.why = {kPolicyViolation, FormatViolations(d.violations)};
    d.not_ready = d.why;
    return d;
  }

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
