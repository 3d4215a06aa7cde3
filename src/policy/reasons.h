// Reasons: the CamelCase words certplane puts in condition reasons and events, one
// constant each, so controllers, events, metrics and tests agree on the spelling.
// (The pattern of cert-manager's internal/controller/certificates/policies/constants.go.)
#pragma once

#include <string_view>

namespace certplane::policy {

// --- Why a certificate is (re)issued: Issuing=True reasons, and event reasons. -------

// The Secret spec.secretName does not exist.
inline constexpr std::string_view kDoesNotExist = "DoesNotExist";
// The Secret exists but lacks tls.crt or tls.key.
inline constexpr std::string_view kMissingData = "MissingData";
// tls.crt or tls.key cannot be parsed.
inline constexpr std::string_view kInvalidCertificate = "InvalidCertificate";
// tls.key is not the private key of the certificate in tls.crt.
inline constexpr std::string_view kKeyMismatch = "KeyMismatch";
// The Secret's chain (tls.crt intermediates, ca.crt) does not lead from the leaf to the CA.
inline constexpr std::string_view kSecretMismatch = "SecretMismatch";
// The certificate was issued by another CertificateAuthority than the profile now names.
inline constexpr std::string_view kIncorrectIssuer = "IncorrectIssuer";
// The CA's certificate or key changed since the certificate was issued (CA renewed or replaced).
inline constexpr std::string_view kCAChanged = "CAChanged";
// The names, subject, key settings, usages, duration or profile in the spec changed.
inline constexpr std::string_view kSpecChanged = "SpecChanged";
// The renew-requested-at annotation is newer than the last issuance.
inline constexpr std::string_view kManuallyTriggered = "ManuallyTriggered";
// The renewal time (notAfter - renewBefore, with jitter) has come.
inline constexpr std::string_view kRenewing = "Renewing";
// The certificate's notAfter has passed.
inline constexpr std::string_view kExpired = "Expired";
// The Secret lacks an output (keystore.p12, ...) the spec asks for.
inline constexpr std::string_view kOutputMissing = "OutputMissing";

// --- Why a certificate is not Ready, beyond the reasons above. -----------------------

// The request breaks a rule of the template or the profile's namespace selector.
inline constexpr std::string_view kPolicyViolation = "PolicyViolation";
// spec.revocation holds a final reason: the serial is on the CRL and never renewed.
inline constexpr std::string_view kRevoked = "Revoked";
// spec.revocation is certificateHold: the serial is on the CRL until the hold is lifted.
inline constexpr std::string_view kOnHold = "OnHold";
// An issuance is due but the profile's CertificateAuthority is not Ready to sign.
inline constexpr std::string_view kCANotReady = "CANotReady";
// The profile's CertificateAuthority does not exist: nothing can be issued or renewed
// until it is back (the Secret is left as it is).
inline constexpr std::string_view kCANotFound = "CANotFound";
// Another Certificate of the namespace (the oldest naming it) owns spec.secretName.
inline constexpr std::string_view kSecretInUse = "SecretInUse";
// An issuance is due but waits: earlier ones failed, or the Secret keeps being lost or
// rewritten by someone else. The message says why and when the next attempt is.
inline constexpr std::string_view kBackoff = "Backoff";
// Signing or writing the Secret failed; the message says why. Retried with backoff.
inline constexpr std::string_view kIssuanceFailed = "IssuanceFailed";
// A Secret the spec references (a PKCS#12 password) does not exist or lacks its key;
// issuance resumes as soon as it appears (it is watched), not after the backoff.
inline constexpr std::string_view kReferencedSecretNotFound = "ReferencedSecretNotFound";
// spec.csr cannot be parsed, its signature does not verify or its key is unsupported.
inline constexpr std::string_view kInvalidCsr = "InvalidCsr";
// The CSR's common name or subject alternative names differ from the spec's.
inline constexpr std::string_view kCsrMismatch = "CsrMismatch";
// The profile enrolls over ACME: only its ACME server's Certificates are issued.
inline constexpr std::string_view kAcmeProfile = "AcmeProfile";
// spec.acme is set but the profile does not enroll over ACME.
inline constexpr std::string_view kNotAnAcmeProfile = "NotAnAcmeProfile";

// --- Everything is fine. ---------------------------------------------------------------

// Ready=True: the Secret holds a valid certificate matching the spec.
inline constexpr std::string_view kReady = "Ready";
// Event: a first certificate was issued. Also Ready=True of a CSR-enrolled certificate,
// which is issued once and never renewed.
inline constexpr std::string_view kIssued = "Issued";
// Event: a certificate was reissued (renewal or any trigger above).
inline constexpr std::string_view kReissued = "Reissued";

}  // namespace certplane::policy
