// CertificateTemplate (certplane.io/v1alpha1, cluster-scoped): what a certificate issued
// through a profile bound to it may contain.
//
// Mirrors crds/certplane.io_certificatetemplates.yaml. An empty `allowed` list allows
// nothing; ["*"] allows anything. The pattern semantics are documented, and implemented,
// in policy/patterns.h. keyAlgorithms, keyUsages and extendedKeyUsages default as the CRD
// defaults them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/duration.h"
#include "api/enums.h"
#include "api/meta.h"

namespace certplane::api {

struct PatternRule {
  std::vector<std::string> allowed;

  bool operator==(const PatternRule&) const = default;
};

struct CommonNameRule {
  std::vector<std::string> allowed;
  bool required = false;

  bool operator==(const CommonNameRule&) const = default;
};

struct SubjectRules {
  CommonNameRule common_name;
  PatternRule organization;
  PatternRule organizational_unit;
  PatternRule country;
  PatternRule locality;
  PatternRule province;
  PatternRule serial_number;

  bool operator==(const SubjectRules&) const = default;
};

struct SubjectAltNameRules {
  PatternRule dns_names;
  PatternRule ip_addresses;  // CIDR ranges
  PatternRule uris;
  PatternRule email_addresses;

  bool operator==(const SubjectAltNameRules&) const = default;
};

struct CertificateTemplateSpec {
  SubjectRules subject;
  SubjectAltNameRules subject_alt_names;
  std::vector<KeyAlgorithm> key_algorithms = {KeyAlgorithm::kEcdsaP256, KeyAlgorithm::kEcdsaP384,
                                              KeyAlgorithm::kRsa2048,   KeyAlgorithm::kRsa3072,
                                              KeyAlgorithm::kRsa4096,   KeyAlgorithm::kEd25519};
  std::vector<KeyUsage> key_usages = {KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment};
  std::vector<ExtendedKeyUsage> extended_key_usages = {ExtendedKeyUsage::kServerAuth, ExtendedKeyUsage::kClientAuth};
  std::optional<Duration> default_duration;  // else min(2160h, maxDuration): defaults.h
  std::optional<Duration> max_duration;      // absent: no limit
  std::optional<Duration> min_duration;

  bool operator==(const CertificateTemplateSpec&) const = default;
};

struct CertificateTemplateStatus {
  std::vector<Condition> conditions;
  std::int64_t observed_generation = 0;

  bool operator==(const CertificateTemplateStatus&) const = default;
};

struct CertificateTemplate {
  ObjectMeta metadata;
  CertificateTemplateSpec spec;
  CertificateTemplateStatus status;

  bool operator==(const CertificateTemplate&) const = default;
};

}  // namespace certplane::api
