// The individual checks of the trigger and readiness chains (issuance.h).
#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "api/defaults.h"
#include "api/well_known.h"
#include "base/text.h"
#include "policy/ip.h"
#include "policy/issuance.h"
#include "policy/reasons.h"
#include "policy/renewal.h"

namespace certplane::policy {
namespace {

const std::string& SecretName(const IssuanceInput& in) { return in.certificate.spec.secret_name; }

api::Time Floor(std::chrono::system_clock::time_point t) { return std::chrono::floor<std::chrono::seconds>(t); }

// Fingerprints compare as hex, ignoring case and ":" separators.
std::string NormalizeFingerprint(const std::string& f) {
  std::string out;
  for (char c : f) {
    if (c != ':') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string JoinSorted(const std::set<std::string>& values) {
  if (values.empty()) return "none";
  std::string out;
  for (const std::string& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

// Collects "field (has X; wants Y)" for every difference.
class Differences {
 public:
  void Strings(std::string_view field, const std::vector<std::string>& has, const std::vector<std::string>& wants,
               std::string (*normalize)(std::string_view) = nullptr) {
    std::set<std::string> a, b;
    for (const std::string& v : has) a.insert(normalize ? normalize(v) : v);
    for (const std::string& v : wants) b.insert(normalize ? normalize(v) : v);
    if (a != b) Add(field, JoinSorted(a), JoinSorted(b));
  }
  void String(std::string_view field, const std::string& has, const std::string& wants) {
    if (has != wants) Add(field, has.empty() ? "none" : has, wants.empty() ? "none" : wants);
  }
  template <api::ApiEnum E>
  void Enums(std::string_view field, const std::vector<E>& has, const std::vector<E>& wants) {
    std::vector<std::string> a, b;
    for (E v : has) a.emplace_back(api::ToString(v));
    for (E v : wants) b.emplace_back(api::ToString(v));
    Strings(field, a, b);
  }
  template <api::ApiEnum E>
  void Enum(std::string_view field, const std::optional<E>& has, E wants) {
    if (has && *has != wants) Add(field, std::string(api::ToString(*has)), std::string(api::ToString(wants)));
  }

  bool empty() const { return text_.empty(); }
  const std::string& text() const { return text_; }

 private:
  void Add(std::string_view field, const std::string& has, const std::string& wants) {
    text_ += (text_.empty() ? "" : ", ") + std::string(field) + " (has " + has + "; wants " + wants + ")";
  }
  std::string text_;
};

}  // namespace

std::optional<Finding> SecretDoesNotExist(const IssuanceInput& in) {
  if (in.secret.exists) return std::nullopt;
  return Finding{kDoesNotExist, "Secret " + SecretName(in) + " does not exist"};
}

std::optional<Finding> SecretIsMissingData(const IssuanceInput& in) {
  if (!in.secret.has_certificate) return Finding{kMissingData, "Secret " + SecretName(in) + " has no tls.crt"};
  if (!in.secret.has_private_key) return Finding{kMissingData, "Secret " + SecretName(in) + " has no tls.key"};
  return std::nullopt;
}

std::optional<Finding> SecretDataIsInvalid(const IssuanceInput& in) {
  if (in.secret.parse_error.empty()) return std::nullopt;
  return Finding{kInvalidCertificate,
                 "Secret " + SecretName(in) + " holds data that cannot be parsed: " + in.secret.parse_error};
}

std::optional<Finding> KeyDoesNotMatchCertificate(const IssuanceInput& in) {
  if (in.secret.key_matches_certificate) return std::nullopt;
  return Finding{kKeyMismatch, "tls.key in Secret " + SecretName(in) + " is not the private key of its tls.crt"};
}

std::optional<Finding> ChainDoesNotMatch(const IssuanceInput& in) {
  if (in.secret.chain_valid) return std::nullopt;
  return Finding{kSecretMismatch, "the chain in Secret " + SecretName(in) + " (tls.crt, ca.crt) does not lead to CA " +
                                      in.profile.spec.ca_ref.name};
}

std::optional<Finding> IssuedByAnotherCA(const IssuanceInput& in) {
  const std::string& want = in.profile.spec.ca_ref.name;
  if (in.secret.ca_name.empty() || in.secret.ca_name == want) return std::nullopt;
  return Finding{kIncorrectIssuer, "the certificate was issued by CA " + in.secret.ca_name + "; profile " +
                                       in.profile.metadata.name + " now issues from CA " + want};
}

std::optional<Finding> CAHasChanged(const IssuanceInput& in) {
  if (in.ca_fingerprint_sha256.empty() || in.secret.issuer_fingerprint_sha256.empty()) return std::nullopt;
  const std::string has = NormalizeFingerprint(in.secret.issuer_fingerprint_sha256);
  const std::string now = NormalizeFingerprint(in.ca_fingerprint_sha256);
  if (has == now) return std::nullopt;
  return Finding{kCAChanged, "CA " + in.profile.spec.ca_ref.name + " has a new certificate (SHA-256 " +
                                 now.substr(0, 16) + "...); the certificate was signed by " + has.substr(0, 16) +
                                 "..."};
}

std::optional<Finding> SpecHasChanged(const IssuanceInput& in) {
  const api::CertificateSpec& spec = in.certificate.spec;
  const SecretFacts& s = in.secret;
  Differences d;
  if (!s.profile_name.empty()) d.String("profileRef", s.profile_name, spec.profile_ref.name);
  d.String("commonName", s.common_name, spec.common_name);
  d.Strings("dnsNames", s.dns_names, spec.dns_names, AsciiLower);
  d.Strings("ipAddresses", s.ip_addresses, spec.ip_addresses, CanonicalIp);
  d.Strings("uris", s.uris, spec.uris);
  d.Strings("emailAddresses", s.email_addresses, spec.email_addresses);
  d.Strings("subject.organizations", s.subject.organizations, spec.subject.organizations);
  d.Strings("subject.organizationalUnits", s.subject.organizational_units, spec.subject.organizational_units);
  d.Strings("subject.countries", s.subject.countries, spec.subject.countries);
  d.Strings("subject.localities", s.subject.localities, spec.subject.localities);
  d.Strings("subject.provinces", s.subject.provinces, spec.subject.provinces);
  d.String("subject.serialNumber", s.subject.serial_number, spec.subject.serial_number);
  d.Enum("privateKey.algorithm", s.key_algorithm, spec.private_key.algorithm);
  d.Enum("privateKey.encoding", s.key_encoding, spec.private_key.encoding);
  d.Enums("keyUsages", s.key_usages, api::EffectiveKeyUsages(spec, in.tmpl.spec));
  d.Enums("extendedKeyUsages", s.extended_key_usages, api::EffectiveExtendedKeyUsages(spec, in.tmpl.spec));
  if (s.requested_duration) {
    const api::Duration want = api::EffectiveDuration(spec, in.tmpl.spec);
    if (*s.requested_duration != want) {
      d.String("duration", api::FormatDuration(*s.requested_duration), api::FormatDuration(want));
    }
  }
  if (d.empty()) return std::nullopt;
  return Finding{kSpecChanged, "the certificate in Secret " + SecretName(in) + " does not match the spec: " + d.text()};
}

std::optional<Finding> RenewalRequested(const IssuanceInput& in) {
  const auto& annotations = in.certificate.metadata.annotations;
  const std::string* at = annotations.Find(api::kRenewRequestedAtAnnotation);
  if (at == nullptr) return std::nullopt;
  // An annotation that is not a timestamp cannot be refused by the schema; it is ignored.
  Result<api::Time> requested = api::ParseTime(*at);
  if (!requested.ok() || *requested > Floor(in.now)) return std::nullopt;
  // The Secret's own issue time counts too: a status write lost after the Secret landed
  // must not turn one renew request into a second issuance.
  std::optional<api::Time> last = in.certificate.status.last_issuance_time;
  if (in.secret.issued_at && (!last || *in.secret.issued_at > *last)) last = in.secret.issued_at;
  if (!last) last = in.secret.not_before;
  if (last && *requested <= *last) return std::nullopt;
  return Finding{kManuallyTriggered,
                 "renewal requested at " + *at + " (annotation " + std::string(api::kRenewRequestedAtAnnotation) + ")"};
}

std::optional<Finding> HasExpired(const IssuanceInput& in) {
  if (!in.secret.not_after || Floor(in.now) < *in.secret.not_after) return std::nullopt;
  return Finding{kExpired, "the certificate expired at " + api::FormatTime(*in.secret.not_after)};
}

std::optional<Finding> HasExpiredAndAutoRenews(const IssuanceInput& in) {
  if (!api::EffectiveAutoRenew(in.certificate.spec, in.profile.spec)) return std::nullopt;
  return HasExpired(in);
}

std::optional<Finding> RenewalIsDue(const IssuanceInput& in) {
  const std::optional<api::Time> due = ScheduledRenewal(in);
  if (!due || Floor(in.now) < *due) return std::nullopt;
  return Finding{kRenewing, "renewal was due at " + api::FormatTime(*due)};
}

std::vector<std::string> OutputKeys(const api::OutputFormat& format) {
  switch (format.type) {
    case api::OutputFormatType::kPkcs12:
      return format.truststore ? std::vector<std::string>{"keystore.p12", "truststore.p12"}
                               : std::vector<std::string>{"keystore.p12"};
    case api::OutputFormatType::kCombinedPem: return {"tls-combined.pem"};
    case api::OutputFormatType::kDer: return {"tls.der"};
  }
  return {};
}

std::optional<Finding> OutputIsMissing(const IssuanceInput& in) {
  if (!in.secret.exists || in.csr) return std::nullopt;
  const auto& keys = in.secret_data_keys;
  for (const api::OutputFormat& f : api::EffectiveOutputFormats(in.certificate.spec, in.profile.spec)) {
    for (const std::string& key : OutputKeys(f)) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        return Finding{kOutputMissing, "Secret " + SecretName(in) + " lacks " + key +
                                           ", which spec.additionalOutputFormats (or the profile's outputs) asks for"};
      }
    }
  }
  return std::nullopt;
}

std::optional<Finding> SecretOwnedByAnother(const IssuanceInput& in) {
  if (in.secret_owner.empty() || in.secret_owner == in.certificate.metadata.name) return std::nullopt;
  const std::string ns = in.certificate.metadata.ns;
  return Finding{kSecretInUse, "Secret " + ns + "/" + SecretName(in) + " belongs to Certificate " + ns + "/" +
                                   in.secret_owner +
                                   " (the oldest Certificate naming a Secret owns it); this one issues nothing until "
                                   "it names a Secret of its own or " +
                                   in.secret_owner + " is deleted"};
}

bool IsPlannedIssuance(const IssuanceInput& in, const Finding& trigger) {
  const api::Certificate& cert = in.certificate;
  if (trigger.reason == kRenewing || trigger.reason == kExpired || trigger.reason == kManuallyTriggered) return true;
  // Nothing was ever issued, or the spec changed since status was last written.
  if (cert.status.revision == 0 && cert.status.serial_number.empty()) return true;
  return cert.metadata.generation != cert.status.observed_generation;
}

std::optional<api::Time> ScheduledRenewal(const IssuanceInput& in) {
  if (!api::EffectiveAutoRenew(in.certificate.spec, in.profile.spec)) return std::nullopt;
  if (!in.secret.not_before || !in.secret.not_after) return std::nullopt;
  return RenewalTime({.not_before = *in.secret.not_before,
                      .not_after = *in.secret.not_after,
                      .renew_before = api::EffectiveRenewBefore(in.certificate.spec, in.profile.spec),
                      .uid = in.certificate.metadata.uid});
}

std::optional<Finding> EnrollmentFinding(const IssuanceInput& in) {
  const api::Certificate& cert = in.certificate;
  const std::string& profile = in.profile.metadata.name;
  if (in.profile.spec.enrollment.acme) {
    if (cert.spec.csr.empty() || !cert.spec.acme || cert.metadata.ns != in.controller_namespace) {
      return Finding{kAcmeProfile,
                     "profile " + profile + " enrolls over ACME: use its directory /acme/" + profile + "/directory"};
    }
    return std::nullopt;
  }
  if (cert.spec.acme) {
    return Finding{kNotAnAcmeProfile, "spec.acme names ACME order " + cert.spec.acme->order + " but profile " +
                                          profile + " does not enroll over ACME"};
  }
  return std::nullopt;
}

std::optional<Finding> CsrFinding(const IssuanceInput& in) {
  if (!in.csr) return std::nullopt;
  const CsrFacts& csr = *in.csr;
  if (!csr.parse_error.empty()) return Finding{kInvalidCsr, "spec.csr cannot be used: " + csr.parse_error};
  if (!csr.key_algorithm) return Finding{kInvalidCsr, "spec.csr cannot be used: its key algorithm is not supported"};
  const api::CertificateSpec& spec = in.certificate.spec;
  Differences d;
  d.String("commonName", csr.common_name, spec.common_name);
  d.Strings("dnsNames", csr.dns_names, spec.dns_names, AsciiLower);
  d.Strings("ipAddresses", csr.ip_addresses, spec.ip_addresses, CanonicalIp);
  d.Strings("uris", csr.uris, spec.uris);
  d.Strings("emailAddresses", csr.email_addresses, spec.email_addresses);
  if (d.empty()) return std::nullopt;
  return Finding{kCsrMismatch, "the CSR does not match the spec (has: the CSR; wants: the spec): " + d.text()};
}

api::CertificateSpec EffectiveSpec(const IssuanceInput& in) {
  api::CertificateSpec spec = in.certificate.spec;
  if (in.csr && in.csr->key_algorithm) spec.private_key.algorithm = *in.csr->key_algorithm;
  return spec;
}

std::optional<Finding> RevocationFinding(const api::Certificate& certificate) {
  if (!certificate.spec.revocation) return std::nullopt;
  const api::RevocationReason reason = certificate.spec.revocation->reason;
  const std::string serial = certificate.status.serial_number.empty() ? "" : " " + certificate.status.serial_number;
  if (!api::IsFinal(reason)) {
    return Finding{kOnHold, "serial" + serial + " is on hold (certificateHold); remove spec.revocation to lift it"};
  }
  return Finding{kRevoked, "serial" + serial + " is revoked (" + std::string(api::ToString(reason)) +
                               "); create a new Certificate to get a new one"};
}

}  // namespace certplane::policy
