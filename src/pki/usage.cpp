#include "pki/usage.h"

#include <algorithm>
#include <array>
#include <string>

namespace certplane::pki {
namespace {

constexpr std::array<KeyUsage, 9> kAllKeyUsages = {
    KeyUsage::kDigitalSignature, KeyUsage::kContentCommitment, KeyUsage::kKeyEncipherment,
    KeyUsage::kDataEncipherment, KeyUsage::kKeyAgreement,      KeyUsage::kKeyCertSign,
    KeyUsage::kCrlSign,          KeyUsage::kEncipherOnly,      KeyUsage::kDecipherOnly,
};
constexpr std::array<ExtendedKeyUsage, 6> kAllExtendedKeyUsages = {
    ExtendedKeyUsage::kServerAuth,      ExtendedKeyUsage::kClientAuth,   ExtendedKeyUsage::kCodeSigning,
    ExtendedKeyUsage::kEmailProtection, ExtendedKeyUsage::kTimeStamping, ExtendedKeyUsage::kOcspSigning,
};

bool Has(const std::vector<KeyUsage>& usages, KeyUsage u) {
  return std::find(usages.begin(), usages.end(), u) != usages.end();
}

}  // namespace

std::string_view KeyUsageName(KeyUsage usage) {
  switch (usage) {
    case KeyUsage::kDigitalSignature: return "digital signature";
    case KeyUsage::kContentCommitment: return "content commitment";
    case KeyUsage::kKeyEncipherment: return "key encipherment";
    case KeyUsage::kDataEncipherment: return "data encipherment";
    case KeyUsage::kKeyAgreement: return "key agreement";
    case KeyUsage::kKeyCertSign: return "cert sign";
    case KeyUsage::kCrlSign: return "crl sign";
    case KeyUsage::kEncipherOnly: return "encipher only";
    case KeyUsage::kDecipherOnly: return "decipher only";
  }
  return "unknown";
}

std::string_view ExtendedKeyUsageName(ExtendedKeyUsage usage) {
  switch (usage) {
    case ExtendedKeyUsage::kServerAuth: return "server auth";
    case ExtendedKeyUsage::kClientAuth: return "client auth";
    case ExtendedKeyUsage::kCodeSigning: return "code signing";
    case ExtendedKeyUsage::kEmailProtection: return "email protection";
    case ExtendedKeyUsage::kTimeStamping: return "timestamping";
    case ExtendedKeyUsage::kOcspSigning: return "ocsp signing";
  }
  return "unknown";
}

Result<KeyUsage> ParseKeyUsage(std::string_view name) {
  for (KeyUsage u : kAllKeyUsages) {
    if (KeyUsageName(u) == name) return u;
  }
  return InvalidArgument("unknown key usage \"" + std::string(name) + "\"");
}

Result<ExtendedKeyUsage> ParseExtendedKeyUsage(std::string_view name) {
  for (ExtendedKeyUsage u : kAllExtendedKeyUsages) {
    if (ExtendedKeyUsageName(u) == name) return u;
  }
  return InvalidArgument("unknown extended key usage \"" + std::string(name) + "\"");
}

std::vector<KeyUsage> DefaultCaKeyUsages() {
  return {KeyUsage::kDigitalSignature, KeyUsage::kKeyCertSign, KeyUsage::kCrlSign};
}

std::vector<KeyUsage> DefaultLeafKeyUsages(KeyAlgorithm subject_key) {
  if (IsRsa(subject_key)) return {KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment};
  return {KeyUsage::kDigitalSignature};
}

Status CheckKeyUsagesFitKey(const std::vector<KeyUsage>& usages, KeyAlgorithm subject_key) {
  auto refuse = [&](KeyUsage u, std::string_view why) {
    return InvalidArgument("key usage \"" + std::string(KeyUsageName(u)) + "\" is not possible with an " +
                           std::string(KeyAlgorithmName(subject_key)) + " key (" + std::string(why) + ")");
  };
  for (KeyUsage u : usages) {
    switch (subject_key) {
      case KeyAlgorithm::kEcdsaP256:
      case KeyAlgorithm::kEcdsaP384:
        if (u == KeyUsage::kKeyEncipherment || u == KeyUsage::kDataEncipherment) {
          return refuse(u, "RFC 8813: EC keys do not encipher");
        }
        break;
      case KeyAlgorithm::kEd25519:
        if (u != KeyUsage::kDigitalSignature && u != KeyUsage::kContentCommitment && u != KeyUsage::kKeyCertSign &&
            u != KeyUsage::kCrlSign) {
          return refuse(u, "RFC 8410: Ed25519 keys only sign");
        }
        break;
      default:
        if (u == KeyUsage::kKeyAgreement || u == KeyUsage::kEncipherOnly || u == KeyUsage::kDecipherOnly) {
          return refuse(u, "RSA keys do no key agreement");
        }
        break;
    }
  }
  if ((Has(usages, KeyUsage::kEncipherOnly) || Has(usages, KeyUsage::kDecipherOnly)) &&
      !Has(usages, KeyUsage::kKeyAgreement)) {
    return InvalidArgument(
        "key usages \"encipher only\" and \"decipher only\" need \"key agreement\" (RFC 5280 4.2.1.3)");
  }
  return Status::Ok();
}

}  // namespace certplane::pki
