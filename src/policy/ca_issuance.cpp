#include "policy/ca_issuance.h"

#include <cstdio>

#include "api/certificate_authority_json.h"
#include "api/defaults.h"
#include "policy/hash.h"

namespace certplane::policy {
namespace {

CaDecision Act(CaAction action, std::string_view reason, std::string message) {
  CaDecision d;
  d.action = action;
  d.reason = reason;
  d.message = std::move(message);
  return d;
}

// The renewal time of a CA certificate: notAfter - renewBefore, or two thirds of its
// life when renewBefore does not fit inside it.
api::Time CaRenewalTime(const api::CertificateAuthoritySpec& spec, api::Time not_before, api::Time not_after) {
  auto life = not_after - not_before;
  auto renew_before = std::chrono::duration_cast<std::chrono::seconds>(api::EffectiveRenewBefore(spec));
  if (renew_before.count() <= 0 || renew_before >= life) return not_before + life * 2 / 3;
  return not_after - renew_before;
}

}  // namespace

std::string CaSpecFingerprint(const api::CertificateAuthoritySpec& spec) {
  api::CertificateAuthority ca;
  ca.spec = spec;
  nlohmann::json j = api::EncodeCertificateAuthority(ca)["spec"];
  // Only what shapes the certificate: CRL settings, URLs and the renewal window may
  // change without making a new CA.
  for (const char* field : {"crl", "issuerURLs", "renewBefore"}) j.erase(field);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(Fnv1a64(j.dump())));
  return hex;
}

CaDecision DecideCa(const CaIssuanceInput& in) {
  const api::CertificateAuthoritySpec& spec = in.ca.spec;
  const CaSecretFacts& secret = in.key_secret;
  const bool imported = spec.type == api::CaType::kImported;
  const bool intermediate = spec.type == api::CaType::kIntermediate;

  // What the CA depends on comes first: without it nothing can be made.
  if ((intermediate || imported) && !in.parent.ready) {
    return Act(CaAction::kWait, imported ? kCaImportFailed : kCaParentNotReady, in.parent.problem);
  }
  const CaAction make = imported ? CaAction::kImport : CaAction::kIssue;
  if (!secret.exists) return Act(make, kCaKeyMissing, "the CA's key Secret does not exist yet");
  if (!secret.invalid.empty()) return Act(make, kCaInvalid, "the CA's key Secret is unusable: " + secret.invalid);
  if (secret.spec_fingerprint != CaSpecFingerprint(spec)) {
    return Act(make, kCaSpecChanged, "the spec changed since the CA certificate was made");
  }
  if (imported && secret.source_fingerprint != in.parent.fingerprint_sha256) {
    return Act(CaAction::kImport, kCaImportChanged, "the imported Secret holds another certificate now");
  }
  if (intermediate && secret.issuer_fingerprint_sha256 != in.parent.fingerprint_sha256) {
    return Act(CaAction::kIssue, kCaParentChanged, "the parent CA's certificate changed");
  }
  CaDecision d = Act(CaAction::kNone, kCaReady, "the CA certificate is valid");
  if (secret.not_before && secret.not_after && !imported) {
    // An imported CA is renewed by whoever owns its source Secret, not by us.
    d.renewal_time = CaRenewalTime(spec, *secret.not_before, *secret.not_after);
    if (in.now >= *d.renewal_time) {
      return Act(CaAction::kIssue, kCaRenewing, "the CA certificate is due for renewal");
    }
    d.next_check = d.renewal_time;
  }
  return d;
}

}  // namespace certplane::policy
