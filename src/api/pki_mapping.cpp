#include "api/pki_mapping.h"

namespace certplane::api {
namespace {

Result<std::string> AtMostOne(const std::vector<std::string>& values, const std::string& field) {
  if (values.size() > 1) {
    return InvalidArgument(field + " has " + std::to_string(values.size()) + " values; certplane issues at most one");
  }
  return values.empty() ? std::string() : values.front();
}

}  // namespace

pki::KeyAlgorithm ToPki(api::KeyAlgorithm algorithm) {
  switch (algorithm) {
    case api::KeyAlgorithm::kEcdsaP256: return pki::KeyAlgorithm::kEcdsaP256;
    case api::KeyAlgorithm::kEcdsaP384: return pki::KeyAlgorithm::kEcdsaP384;
    case api::KeyAlgorithm::kRsa2048: return pki::KeyAlgorithm::kRsa2048;
    case api::KeyAlgorithm::kRsa3072: return pki::KeyAlgorithm::kRsa3072;
    case api::KeyAlgorithm::kRsa4096: return pki::KeyAlgorithm::kRsa4096;
    case api::KeyAlgorithm::kEd25519: return pki::KeyAlgorithm::kEd25519;
  }
  return pki::KeyAlgorithm::kEcdsaP256;  // unreachable: the switch covers every value
}

api::KeyAlgorithm FromPki(pki::KeyAlgorithm algorithm) {
  switch (algorithm) {
    case pki::KeyAlgorithm::kEcdsaP256: return api::KeyAlgorithm::kEcdsaP256;
    case pki::KeyAlgorithm::kEcdsaP384: return api::KeyAlgorithm::kEcdsaP384;
    case pki::KeyAlgorithm::kRsa2048: return api::KeyAlgorithm::kRsa2048;
    case pki::KeyAlgorithm::kRsa3072: return api::KeyAlgorithm::kRsa3072;
    case pki::KeyAlgorithm::kRsa4096: return api::KeyAlgorithm::kRsa4096;
    case pki::KeyAlgorithm::kEd25519: return api::KeyAlgorithm::kEd25519;
  }
  return api::KeyAlgorithm::kEcdsaP256;
}

pki::KeyUsage ToPki(api::KeyUsage usage) {
  switch (usage) {
    case api::KeyUsage::kDigitalSignature: return pki::KeyUsage::kDigitalSignature;
    case api::KeyUsage::kContentCommitment: return pki::KeyUsage::kContentCommitment;
    case api::KeyUsage::kKeyEncipherment: return pki::KeyUsage::kKeyEncipherment;
    case api::KeyUsage::kDataEncipherment: return pki::KeyUsage::kDataEncipherment;
    case api::KeyUsage::kKeyAgreement: return pki::KeyUsage::kKeyAgreement;
    case api::KeyUsage::kEncipherOnly: return pki::KeyUsage::kEncipherOnly;
    case api::KeyUsage::kDecipherOnly: return pki::KeyUsage::kDecipherOnly;
  }
  return pki::KeyUsage::kDigitalSignature;
}

std::optional<api::KeyUsage> FromPki(pki::KeyUsage usage) {
  switch (usage) {
    case pki::KeyUsage::kDigitalSignature: return api::KeyUsage::kDigitalSignature;
    case pki::KeyUsage::kContentCommitment: return api::KeyUsage::kContentCommitment;
    case pki::KeyUsage::kKeyEncipherment: return api::KeyUsage::kKeyEncipherment;
    case pki::KeyUsage::kDataEncipherment: return api::KeyUsage::kDataEncipherment;
    case pki::KeyUsage::kKeyAgreement: return api::KeyUsage::kKeyAgreement;
    case pki::KeyUsage::kEncipherOnly: return api::KeyUsage::kEncipherOnly;
    case pki::KeyUsage::kDecipherOnly: return api::KeyUsage::kDecipherOnly;
    case pki::KeyUsage::kKeyCertSign:
    case pki::KeyUsage::kCrlSign: return std::nullopt;
  }
  return std::nullopt;
}

pki::ExtendedKeyUsage ToPki(api::ExtendedKeyUsage usage) {
  switch (usage) {
    case api::ExtendedKeyUsage::kServerAuth: return pki::ExtendedKeyUsage::kServerAuth;
    case api::ExtendedKeyUsage::kClientAuth: return pki::ExtendedKeyUsage::kClientAuth;
    case api::ExtendedKeyUsage::kCodeSigning: return pki::ExtendedKeyUsage::kCodeSigning;
    case api::ExtendedKeyUsage::kEmailProtection: return pki::ExtendedKeyUsage::kEmailProtection;
    case api::ExtendedKeyUsage::kTimeStamping: return pki::ExtendedKeyUsage::kTimeStamping;
    case api::ExtendedKeyUsage::kOcspSigning: return pki::ExtendedKeyUsage::kOcspSigning;
  }
  return pki::ExtendedKeyUsage::kServerAuth;
}

api::ExtendedKeyUsage FromPki(pki::ExtendedKeyUsage usage) {
  switch (usage) {
    case pki::ExtendedKeyUsage::kServerAuth: return api::ExtendedKeyUsage::kServerAuth;
    case pki::ExtendedKeyUsage::kClientAuth: return api::ExtendedKeyUsage::kClientAuth;
    case pki::ExtendedKeyUsage::kCodeSigning: return api::ExtendedKeyUsage::kCodeSigning;
    case pki::ExtendedKeyUsage::kEmailProtection: return api::ExtendedKeyUsage::kEmailProtection;
    case pki::ExtendedKeyUsage::kTimeStamping: return api::ExtendedKeyUsage::kTimeStamping;
    case pki::ExtendedKeyUsage::kOcspSigning: return api::ExtendedKeyUsage::kOcspSigning;
  }
  return api::ExtendedKeyUsage::kServerAuth;
}

pki::RevocationReason ToPki(api::RevocationReason reason) {
  switch (reason) {
    case api::RevocationReason::kUnspecified: return pki::RevocationReason::kUnspecified;
    case api::RevocationReason::kKeyCompromise: return pki::RevocationReason::kKeyCompromise;
    case api::RevocationReason::kCaCompromise: return pki::RevocationReason::kCaCompromise;
    case api::RevocationReason::kAffiliationChanged: return pki::RevocationReason::kAffiliationChanged;
    case api::RevocationReason::kSuperseded: return pki::RevocationReason::kSuperseded;
    case api::RevocationReason::kCessationOfOperation: return pki::RevocationReason::kCessationOfOperation;
    case api::RevocationReason::kCertificateHold: return pki::RevocationReason::kCertificateHold;
    case api::RevocationReason::kPrivilegeWithdrawn: return pki::RevocationReason::kPrivilegeWithdrawn;
    case api::RevocationReason::kAaCompromise: return pki::RevocationReason::kAaCompromise;
  }
  return pki::RevocationReason::kUnspecified;
}

std::vector<pki::KeyUsage> ToPki(const std::vector<api::KeyUsage>& usages) {
  std::vector<pki::KeyUsage> out;
  out.reserve(usages.size());
  for (auto u : usages) out.push_back(ToPki(u));
  return out;
}

std::vector<pki::ExtendedKeyUsage> ToPki(const std::vector<api::ExtendedKeyUsage>& usages) {
  std::vector<pki::ExtendedKeyUsage> out;
  out.reserve(usages.size());
  for (auto u : usages) out.push_back(ToPki(u));
  return out;
}

Result<pki::DistinguishedName> SubjectOf(const api::CertificateSpec& spec) {
  pki::DistinguishedName dn;
  dn.common_name = spec.common_name;
  dn.organizations = spec.subject.organizations;
  dn.organizational_units = spec.subject.organizational_units;
  dn.serial_number = spec.subject.serial_number;
  auto country = AtMostOne(spec.subject.countries, "spec.subject.countries");
  if (!country.ok()) return country.status();
  auto province = AtMostOne(spec.subject.provinces, "spec.subject.provinces");
  if (!province.ok()) return province.status();
  auto locality = AtMostOne(spec.subject.localities, "spec.subject.localities");
  if (!locality.ok()) return locality.status();
  dn.country = *country;
  dn.province = *province;
  dn.locality = *locality;
  return dn;
}

Result<pki::DistinguishedName> SubjectOf(const api::CertificateAuthoritySpec& spec) {
  pki::DistinguishedName dn;
  dn.common_name = spec.subject.common_name;
  dn.organizations = spec.subject.organization;
  dn.organizational_units = spec.subject.organizational_unit;
  auto country = AtMostOne(spec.subject.country, "spec.subject.country");
  if (!country.ok()) return country.status();
  auto province = AtMostOne(spec.subject.province, "spec.subject.province");
  if (!province.ok()) return province.status();
  auto locality = AtMostOne(spec.subject.locality, "spec.subject.locality");
  if (!locality.ok()) return locality.status();
  dn.country = *country;
  dn.province = *province;
  dn.locality = *locality;
  return dn;
}

api::CertificateSubject ApiSubject(const pki::DistinguishedName& name) {
  api::CertificateSubject s;
  s.organizations = name.organizations;
  s.organizational_units = name.organizational_units;
  if (!name.country.empty()) s.countries = {name.country};
  if (!name.province.empty()) s.provinces = {name.province};
  if (!name.locality.empty()) s.localities = {name.locality};
  s.serial_number = name.serial_number;
  return s;
}

}  // namespace certplane::api
