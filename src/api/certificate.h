// Certificate (certplane.io/v1alpha1, namespaced): one managed X.509 certificate.
//
// Plain structs mirroring crds/certplane.io_certificates.yaml field for field; see the
// CRD (or `kubectl explain cpcert.spec`) for what each field means. Optional fields whose
// absence means something ("use the profile's default") are std::optional; lists and
// strings are empty when absent. Defaults the API server applies (privateKey.*) are the
// member initializers, so an object decoded offline behaves like one read from the server.
//
//   Result<Certificate> c = DecodeCertificate(json);    // certificate_json.h
//   if (c->spec.revocation) ...
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

struct CertificateSubject {
  std::vector<std::string> organizations;
  std::vector<std::string> organizational_units;
  std::vector<std::string> countries;
  std::vector<std::string> localities;
  std::vector<std::string> provinces;
  std::string serial_number;

  bool operator==(const CertificateSubject&) const = default;
};

struct PrivateKeySpec {
  KeyAlgorithm algorithm = KeyAlgorithm::kEcdsaP256;
  KeyEncoding encoding = KeyEncoding::kPkcs8;
  RotationPolicy rotation_policy = RotationPolicy::kAlways;

  bool operator==(const PrivateKeySpec&) const = default;
};

struct SecretTemplate {
  StringMap labels;
  StringMap annotations;

  bool operator==(const SecretTemplate&) const = default;
};

// One entry of additionalOutputFormats (also used by CertificateProfile output defaults).
struct OutputFormat {
  OutputFormatType type = OutputFormatType::kPkcs12;
  std::optional<SecretKeySelector> password_secret_ref;  // PKCS12 only
  bool truststore = false;                               // PKCS12 only
  Pkcs12Profile profile = Pkcs12Profile::kModern;        // PKCS12 only

  bool operator==(const OutputFormat&) const = default;
};

struct RevocationSpec {
  RevocationReason reason = RevocationReason::kUnspecified;

  bool operator==(const RevocationSpec&) const = default;
};

// spec.acme: which ACME account and order a Certificate was enrolled for. Set only by
// the ACME server; informational (and immutable).
struct AcmeOrderReference {
  std::string account;  // the account's id in its URL path
  std::string order;    // the order's id

  bool operator==(const AcmeOrderReference&) const = default;
};

struct CertificateSpec {
  LocalObjectReference profile_ref;
  std::string secret_name;  // empty with csr: the requester keeps the key, no Secret
  // A PEM "CERTIFICATE REQUEST" (CSR enrollment): the certificate is issued for its
  // public key into status.certificate; exactly one of secretName and csr is set.
  std::string csr;
  std::optional<AcmeOrderReference> acme;
  std::string common_name;
  CertificateSubject subject;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::vector<std::string> uris;
  std::vector<std::string> email_addresses;
  std::optional<Duration> duration;      // else the template's default
  std::optional<Duration> renew_before;  // else renewBeforeDays, else the profile's
  std::optional<std::int32_t> renew_before_days;
  std::optional<bool> auto_renew;  // else the profile's autoRenewByDefault
  PrivateKeySpec private_key;
  std::vector<KeyUsage> key_usages;                   // empty: all of the template's
  std::vector<ExtendedKeyUsage> extended_key_usages;  // empty: all of the template's
  SecretTemplate secret_template;
  std::optional<std::vector<OutputFormat>> additional_output_formats;  // absent: the profile's
  std::optional<RevocationSpec> revocation;

  bool operator==(const CertificateSpec&) const = default;
};

// An earlier serial of the Certificate (status.history).
struct CertificateHistoryEntry {
  std::int64_t revision = 0;
  std::string serial_number;
  std::optional<Time> not_before;
  std::optional<Time> not_after;
  std::optional<Time> revoked_at;
  std::optional<RevocationReason> revocation_reason;
  std::string ca_name;                    // the CA that issued it
  std::optional<std::int32_t> crl_shard;  // the CRL shard its distribution point names

  bool operator==(const CertificateHistoryEntry&) const = default;
};

struct CertificateStatus {
  std::vector<Condition> conditions;
  std::string serial_number;  // lower-case hex
  std::optional<Time> not_before;
  std::optional<Time> not_after;
  std::optional<Time> renewal_time;
  std::optional<Time> last_issuance_time;
  std::int64_t revision = 0;
  std::vector<CertificateHistoryEntry> history;  // newest first
  std::optional<Time> revoked_at;
  std::optional<RevocationReason> revocation_reason;
  std::string ca_name;
  std::optional<std::int32_t> crl_shard;
  std::optional<Time> last_failure_time;
  std::int32_t failed_issuance_attempts = 0;
  // Reissues in a row that were not planned (the Secret lost or rewritten by someone
  // else); the next one backs off from lastIssuanceTime. Reset by a planned issuance.
  std::int32_t unplanned_reissues = 0;
  std::int64_t observed_generation = 0;
  // CSR enrollment only: the issued chain as PEM, leaf then intermediates. Public, but
  // kept out of the informer cache (reconcile/caches.cpp): readers GET the object.
  std::string certificate;

  bool operator==(const CertificateStatus&) const = default;
};

struct Certificate {
  ObjectMeta metadata;
  CertificateSpec spec;
  CertificateStatus status;

  bool operator==(const Certificate&) const = default;
};

}  // namespace certplane::api
