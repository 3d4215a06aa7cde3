// CertificateProfile (certplane.io/v1alpha1, cluster-scoped): binds one CA and one
// template to an enrollment method, renewal and output defaults, revocation options and
// the namespaces that may use it.
//
// Mirrors crds/certplane.io_certificateprofiles.yaml; member initializers are the CRD's
// defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/certificate.h"
#include "api/duration.h"
#include "api/enums.h"
#include "api/meta.h"
#include "api/time.h"

namespace certplane::api {

struct ExternalAccountBinding {
  std::string key_id;
  SecretKeySelector secret_ref;  // in the controller's namespace

  bool operator==(const ExternalAccountBinding&) const = default;
};

// How the ACME challenge validator may connect to the names it validates.
struct AcmeValidation {
  // CIDRs the validator may connect to besides public unicast addresses.
  std::vector<std::string> allowed_cidrs;

  bool operator==(const AcmeValidation&) const = default;
};

struct AcmeEnrollment {
  std::vector<AcmeChallenge> challenges = {AcmeChallenge::kHttp01};
  std::optional<ExternalAccountBinding> external_account_binding;
  std::vector<std::string> allowed_addresses;  // CIDRs; empty allows any client
  std::string terms_of_service_url;
  AcmeValidation validation;

  bool operator==(const AcmeEnrollment&) const = default;
};

// Exactly one of api and acme is set (the CRD enforces it).
struct Enrollment {
  bool api = false;
  std::optional<AcmeEnrollment> acme;

  bool operator==(const Enrollment&) const = default;
};

struct RenewalDefaults {
  bool auto_renew_by_default = true;
  std::optional<std::int32_t> renew_before_days;
  std::optional<Duration> renew_before;

  bool operator==(const RenewalDefaults&) const = default;
};

struct RevocationOptions {
  bool revoke_superseded_on_renewal = false;
  bool revoke_on_delete = false;
  // New certificates carry the CA's OCSP responder URL (status.ocsp.url) in their
  // Authority Information Access extension.
  bool include_ocsp_url = false;

  bool operator==(const RevocationOptions&) const = default;
};

struct OutputDefaults {
  std::vector<OutputFormat> additional_output_formats;
  StringMap secret_labels;
  StringMap secret_annotations;

  bool operator==(const OutputDefaults&) const = default;
};

struct CertificateProfileSpec {
  LocalObjectReference ca_ref;
  LocalObjectReference template_ref;
  Enrollment enrollment;
  RenewalDefaults renewal;
  LabelSelector namespace_selector;  // empty: every namespace
  RevocationOptions revocation;
  OutputDefaults output;

  bool operator==(const CertificateProfileSpec&) const = default;
};

struct CertificateReference {
  std::string namespace_;
  std::string name;
  std::string serial_number;
  std::optional<Time> not_after;

  bool operator==(const CertificateReference&) const = default;
};

struct CertificateProfileStatus {
  std::vector<Condition> conditions;
  std::int64_t certificates = 0;
  std::int64_t ready_certificates = 0;
  std::optional<CertificateReference> latest_active_certificate;
  std::int64_t observed_generation = 0;

  bool operator==(const CertificateProfileStatus&) const = default;
};

struct CertificateProfile {
  ObjectMeta metadata;
  CertificateProfileSpec spec;
  CertificateProfileStatus status;

  bool operator==(const CertificateProfile&) const = default;
};

}  // namespace certplane::api
