// Must a CertificateAuthority's certificate be (re)made, and why? Gather, then decide,
// as issuance.h does for Certificates.
//
//   CaIssuanceInput in{.ca = ca, .key_secret = facts, .parent = parent_state, .now = now};
//   CaDecision d = DecideCa(in);
//   switch (d.action) {
//     case CaAction::kIssue:   // new key and certificate (self-signed, or signed by the parent)
//     case CaAction::kImport:  // copy the referenced Secret's pair into the key Secret
//     case CaAction::kWait:    // d.why says what it waits for (the parent); Ready=False
//     case CaAction::kNone:    // Ready; look again at d.next_check
//   }
//
// The spec that shapes the certificate (type, subject, key algorithm, duration, path
// length, name constraints, parent) is summarised by CaSpecFingerprint and recorded on
// the key Secret when it is written; a different fingerprint means the spec changed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/certificate_authority.h"
#include "api/time.h"

namespace certplane::policy {

// --- Reasons for CertificateAuthority conditions and events. -------------------------
// The CA's key Secret does not exist yet: a key and certificate are made.
inline constexpr std::string_view kCaKeyMissing = "KeyMissing";
// The key Secret holds no usable CA pair (unparsable, mismatched, not a CA).
inline constexpr std::string_view kCaInvalid = "InvalidCA";
// The spec changed in a way that shapes the certificate.
inline constexpr std::string_view kCaSpecChanged = "SpecChanged";
// The parent CA's certificate changed: the intermediate is signed again.
inline constexpr std::string_view kCaParentChanged = "ParentChanged";
// The renewal time (notAfter - renewBefore) has come.
inline constexpr std::string_view kCaRenewing = "Renewing";
// An Intermediate's parent does not exist or is not Ready.
inline constexpr std::string_view kCaParentNotReady = "ParentNotReady";
// An Imported CA's source Secret is missing or holds no usable CA pair.
inline constexpr std::string_view kCaImportFailed = "ImportFailed";
// The imported source changed: it is copied again.
inline constexpr std::string_view kCaImportChanged = "ImportChanged";
// Ready=True.
inline constexpr std::string_view kCaReady = "Ready";

// What the CA's key Secret holds, as plain values.
struct CaSecretFacts {
  bool exists = false;
  std::string invalid;                    // why it is unusable; empty when it holds a working CA pair
  std::string fingerprint_sha256;         // of the CA certificate
  std::string issuer_fingerprint_sha256;  // of the certificate that signed it (itself for a root)
  std::optional<api::Time> not_before;
  std::optional<api::Time> not_after;
  std::string spec_fingerprint;    // the annotation written with it
  std::string source_fingerprint;  // Imported: fingerprint of the source Secret's certificate
  // Keys retired by earlier re-keys, kept to sign their CRLs (reconcile/ca_material.h):
  // key id -> notAfter of the CA certificate it was current with.
  std::map<std::string, api::Time> retired_keys;
};

// An Intermediate's parent, or an Imported CA's source, as plain values.
struct CaParentFacts {
  bool ready = false;
  std::string fingerprint_sha256;  // parent: its current certificate; source: the certificate in it
  std::string problem;             // why not ready, for the message
};

struct CaIssuanceInput {
  api::CertificateAuthority ca;
  CaSecretFacts key_secret;
  CaParentFacts parent;  // Intermediate: the parent CA; Imported: the source Secret
  api::Time now;
};

enum class CaAction { kNone, kIssue, kImport, kWait };

struct CaDecision {
  CaAction action = CaAction::kNone;
  std::string_view reason;  // one of the constants above
  std::string message;
  std::optional<api::Time> renewal_time;
  std::optional<api::Time> next_check;  // when the clock alone may change the decision
};

CaDecision DecideCa(const CaIssuanceInput& in);

// A short stable summary (hex SHA-256) of the spec fields that shape the certificate.
std::string CaSpecFingerprint(const api::CertificateAuthoritySpec& spec);

}  // namespace certplane::policy
