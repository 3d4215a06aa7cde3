// The closed sets of values in the certplane API, each spelled exactly as the CRD enums
// spell them.
//
//   ToString(KeyAlgorithm::kEcdsaP256);              // "ECDSA-P256"
//   std::optional<KeyAlgorithm> a = FromString<KeyAlgorithm>("RSA-2048");
//   AllNames<KeyUsage>();                            // "digitalSignature, contentCommitment, ..."
//
// Every enum here has its values numbered 0..N-1 in the order of its EnumTable, which is
// also the order the CRD lists them in.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace certplane::api {

enum class KeyAlgorithm { kEcdsaP256, kEcdsaP384, kRsa2048, kRsa3072, kRsa4096, kEd25519 };
enum class KeyEncoding { kPkcs1, kPkcs8 };
enum class RotationPolicy { kAlways, kNever };
// Key usages a leaf may carry (keyCertSign and cRLSign are for CA certificates only).
enum class KeyUsage {
  kDigitalSignature,
  kContentCommitment,
  kKeyEncipherment,
  kDataEncipherment,
  kKeyAgreement,
  kEncipherOnly,
  kDecipherOnly,
};
enum class ExtendedKeyUsage { kServerAuth, kClientAuth, kCodeSigning, kEmailProtection, kTimeStamping, kOcspSigning };
// RFC 5280 section 5.3.1 reasons (removeFromCRL is a delta-CRL mechanism, not a reason).
enum class RevocationReason {
  kUnspecified,
  kKeyCompromise,
  kCaCompromise,
  kAffiliationChanged,
  kSuperseded,
  kCessationOfOperation,
  kCertificateHold,
  kPrivilegeWithdrawn,
  kAaCompromise,
};
enum class CaType { kRoot, kIntermediate, kImported };
enum class OutputFormatType { kPkcs12, kCombinedPem, kDer };
enum class Pkcs12Profile { kModern, kLegacy };
enum class SelectorOperator { kIn, kNotIn, kExists, kDoesNotExist };
enum class ConditionStatus { kTrue, kFalse, kUnknown };
enum class AcmeChallenge { kHttp01, kDns01, kTlsAlpn01 };

// EnumTable<E>::kNames[i] is the API spelling of the value numbered i.
template <typename E>
struct EnumTable;

template <>
struct EnumTable<KeyAlgorithm> {
  static constexpr std::string_view kWhat = "key algorithm";
  static constexpr std::array<std::string_view, 6> kNames = {"ECDSA-P256", "ECDSA-P384", "RSA-2048",
                                                             "RSA-3072",   "RSA-4096",   "Ed25519"};
};
template <>
struct EnumTable<KeyEncoding> {
  static constexpr std::string_view kWhat = "key encoding";
  static constexpr std::array<std::string_view, 2> kNames = {"PKCS1", "PKCS8"};
};
template <>
struct EnumTable<RotationPolicy> {
  static constexpr std::string_view kWhat = "rotation policy";
  static constexpr std::array<std::string_view, 2> kNames = {"Always", "Never"};
};
template <>
struct EnumTable<KeyUsage> {
  static constexpr std::string_view kWhat = "key usage";
  static constexpr std::array<std::string_view, 7> kNames = {"digitalSignature", "contentCommitment", "keyEncipherment",
                                                             "dataEncipherment", "keyAgreement",      "encipherOnly",
                                                             "decipherOnly"};
};
template <>
struct EnumTable<ExtendedKeyUsage> {
  static constexpr std::string_view kWhat = "extended key usage";
  static constexpr std::array<std::string_view, 6> kNames = {"serverAuth",      "clientAuth",   "codeSigning",
                                                             "emailProtection", "timeStamping", "OCSPSigning"};
};
template <>
struct EnumTable<RevocationReason> {
  static constexpr std::string_view kWhat = "revocation reason";
  static constexpr std::array<std::string_view, 9> kNames = {
      "unspecified",          "keyCompromise",   "cACompromise",       "affiliationChanged", "superseded",
      "cessationOfOperation", "certificateHold", "privilegeWithdrawn", "aACompromise"};
};
template <>
struct EnumTable<CaType> {
  static constexpr std::string_view kWhat = "CA type";
  static constexpr std::array<std::string_view, 3> kNames = {"Root", "Intermediate", "Imported"};
};
template <>
struct EnumTable<OutputFormatType> {
  static constexpr std::string_view kWhat = "output format";
  static constexpr std::array<std::string_view, 3> kNames = {"PKCS12", "CombinedPEM", "DER"};
};
template <>
struct EnumTable<Pkcs12Profile> {
  static constexpr std::string_view kWhat = "PKCS12 profile";
  static constexpr std::array<std::string_view, 2> kNames = {"Modern", "Legacy"};
};
template <>
struct EnumTable<SelectorOperator> {
  static constexpr std::string_view kWhat = "selector operator";
  static constexpr std::array<std::string_view, 4> kNames = {"In", "NotIn", "Exists", "DoesNotExist"};
};
template <>
struct EnumTable<ConditionStatus> {
  static constexpr std::string_view kWhat = "condition status";
  static constexpr std::array<std::string_view, 3> kNames = {"True", "False", "Unknown"};
};
template <>
struct EnumTable<AcmeChallenge> {
  static constexpr std::string_view kWhat = "ACME challenge";
  static constexpr std::array<std::string_view, 3> kNames = {"http-01", "dns-01", "tls-alpn-01"};
};

template <typename E>
concept ApiEnum = requires {
  EnumTable<E>::kNames;
};

template <ApiEnum E>
constexpr std::string_view ToString(E value) {
  return EnumTable<E>::kNames[static_cast<std::size_t>(value)];
}

template <ApiEnum E>
constexpr std::optional<E> FromString(std::string_view name) {
  for (std::size_t i = 0; i < EnumTable<E>::kNames.size(); ++i) {
    if (EnumTable<E>::kNames[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

// "a, b, c": every spelling of E, for error messages.
template <ApiEnum E>
std::string AllNames() {
  std::string out;
  for (std::string_view n : EnumTable<E>::kNames) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// The RFC 5280 CRLReason code (certificateHold is 6, privilegeWithdrawn 9; 7 is unused).
int Rfc5280Code(RevocationReason reason);

// certificateHold is the one reason that can be lifted; every other revocation is final.
constexpr bool IsFinal(RevocationReason reason) { return reason != RevocationReason::kCertificateHold; }

}  // namespace certplane::api
