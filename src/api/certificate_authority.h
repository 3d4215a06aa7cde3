// CertificateAuthority (certplane.io/v1alpha1, cluster-scoped): a Root, an Intermediate or
// an Imported CA, and its CRL.
//
// Mirrors crds/certplane.io_certificateauthorities.yaml; `kubectl explain cpca.spec`
// describes every field. Defaults that depend on the type (duration, key algorithm,
// renewBefore) are computed by the functions in defaults.h, not stored here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/duration.h"
#include "api/enums.h"
#include "api/meta.h"
#include "api/time.h"

namespace certplane::api {

struct CaSubject {
  std::string common_name;
  std::vector<std::string> organization;
  std::vector<std::string> organizational_unit;
  std::vector<std::string> country;
  std::vector<std::string> locality;
  std::vector<std::string> province;

  bool operator==(const CaSubject&) const = default;
};

// A Secret in a namespace; an empty namespace means the controller's own.
struct SecretReference {
  std::string name;
  std::string namespace_;

  bool operator==(const SecretReference&) const = default;
};

struct NameConstraintSet {
  std::vector<std::string> dns_domains;
  std::vector<std::string> ip_ranges;  // CIDRs
  std::vector<std::string> email_addresses;
  std::vector<std::string> uri_domains;

  bool operator==(const NameConstraintSet&) const = default;
};

struct NameConstraints {
  bool critical = true;
  NameConstraintSet permitted;
  NameConstraintSet excluded;

  bool operator==(const NameConstraints&) const = default;
};

// Delta CRLs (RFC 5280 5.2.4): on when spec.crl.delta is set.
struct CrlDeltaSpec {
  Duration validity = std::chrono::hours(1);  // nextUpdate - thisUpdate of every delta CRL
  // Where the delta CRLs are published ("{shard}" and "{key}" as in distributionPointURLs);
  // empty: <--public-base-url>/crl/<ca>/<key id>/<shard>.delta.crl.
  std::vector<std::string> distribution_point_urls;

  bool operator==(const CrlDeltaSpec&) const = default;
};

struct CrlSpec {
  Duration validity = std::chrono::hours(24);
  std::optional<Duration> refresh_before;  // else validity / 3 (defaults.h)
  std::vector<std::string> distribution_point_urls;
  std::int32_t shards = 1;
  std::int32_t max_entries_per_shard = 2000;
  std::optional<CrlDeltaSpec> delta;

  bool operator==(const CrlSpec&) const = default;
};

struct CertificateAuthoritySpec {
  CaType type = CaType::kRoot;
  std::optional<LocalObjectReference> parent_ref;  // Intermediate only
  std::optional<SecretReference> secret_ref;       // Imported only
  CaSubject subject;
  std::optional<KeyAlgorithm> key_algorithm;
  std::optional<Duration> duration;
  std::optional<Duration> renew_before;
  std::optional<std::int32_t> max_path_length;
  std::optional<NameConstraints> name_constraints;
  CrlSpec crl;
  std::vector<std::string> issuer_urls;

  bool operator==(const CertificateAuthoritySpec&) const = default;
};

struct CrlStatus {
  std::int64_t number = 0;
  std::optional<Time> this_update;
  std::optional<Time> next_update;
  std::int64_t entries = 0;
  std::int32_t shards = 0;
  std::string config_map_name;
  std::int64_t delta_number = 0;          // the latest delta CRL's number; 0: no delta CRLs
  std::optional<Time> delta_next_update;  // the earliest nextUpdate of the shards' delta CRLs

  bool operator==(const CrlStatus&) const = default;
};

// One delegated OCSP responder certificate of the CA: one per CA key (current and
// retired), issued and rotated by the controller.
struct OcspSignerStatus {
  std::string key_id;         // the CA key that issued it (ca_material.h's CaKeyId)
  std::string serial_number;  // of the responder certificate, lower-case hex
  std::optional<Time> not_after;

  bool operator==(const OcspSignerStatus&) const = default;
};

struct OcspStatus {
  std::string url;          // where the responder answers: <public base URL>/ocsp/<ca>
  std::string secret_name;  // the Secret in the controller's namespace holding the responder keys
  std::vector<OcspSignerStatus> signers;
  std::int64_t issued_serials = 0;  // serials in the durable record of what the CA issued

  bool operator==(const OcspStatus&) const = default;
};

struct CertificateAuthorityStatus {
  std::vector<Condition> conditions;
  std::string serial_number;
  std::optional<Time> not_before;
  std::optional<Time> not_after;
  std::optional<Time> renewal_time;
  std::string fingerprint_sha256;  // lower-case hex of the DER certificate's SHA-256
  std::string certificate;         // PEM
  std::string chain;               // PEM, this CA then its parents
  std::string secret_name;
  std::int64_t revision = 0;
  std::optional<CrlStatus> crl;
  std::optional<OcspStatus> ocsp;
  std::int64_t observed_generation = 0;

  bool operator==(const CertificateAuthorityStatus&) const = default;
};

struct CertificateAuthority {
  ObjectMeta metadata;
  CertificateAuthoritySpec spec;
  CertificateAuthorityStatus status;

  bool operator==(const CertificateAuthority&) const = default;
};

}  // namespace certplane::api
