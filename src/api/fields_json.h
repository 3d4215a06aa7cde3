// DecodeFields/EncodeFields for every API struct, declared in one place so that each
// <kind>_json.cpp can decode the structs the kinds share (metadata, conditions, output
// formats) and argument-dependent lookup always sees every overload. Internal to
// src/api; callers use the Decode*/Encode* functions of the kinds.
#pragma once

#include "api/certificate.h"
#include "api/certificate_authority.h"
#include "api/certificate_profile.h"
#include "api/certificate_sync.h"
#include "api/certificate_template.h"
#include "api/json_io.h"
#include "api/meta.h"

namespace certplane::api {

using json_io::ObjectReader;
using json_io::ObjectWriter;

// T names a type, where (T)& would not parse.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define CERTPLANE_API_FIELDS(T)               \
  void DecodeFields(ObjectReader& r, T& out); \
  void EncodeFields(ObjectWriter& w, const T& in);
// NOLINTEND(bugprone-macro-parentheses)

// meta_json.cpp
CERTPLANE_API_FIELDS(Condition)
CERTPLANE_API_FIELDS(LocalObjectReference)
CERTPLANE_API_FIELDS(SecretKeySelector)
CERTPLANE_API_FIELDS(LabelSelectorRequirement)
CERTPLANE_API_FIELDS(LabelSelector)
// certificate_json.cpp
CERTPLANE_API_FIELDS(CertificateSubject)
CERTPLANE_API_FIELDS(PrivateKeySpec)
CERTPLANE_API_FIELDS(SecretTemplate)
CERTPLANE_API_FIELDS(OutputFormat)
CERTPLANE_API_FIELDS(RevocationSpec)
CERTPLANE_API_FIELDS(AcmeOrderReference)
CERTPLANE_API_FIELDS(CertificateSpec)
CERTPLANE_API_FIELDS(CertificateHistoryEntry)
CERTPLANE_API_FIELDS(CertificateStatus)
CERTPLANE_API_FIELDS(Certificate)
// certificate_authority_json.cpp
CERTPLANE_API_FIELDS(CaSubject)
CERTPLANE_API_FIELDS(SecretReference)
CERTPLANE_API_FIELDS(NameConstraintSet)
CERTPLANE_API_FIELDS(NameConstraints)
CERTPLANE_API_FIELDS(CrlSpec)
CERTPLANE_API_FIELDS(CertificateAuthoritySpec)
CERTPLANE_API_FIELDS(CrlStatus)
CERTPLANE_API_FIELDS(CertificateAuthorityStatus)
CERTPLANE_API_FIELDS(CertificateAuthority)
// certificate_template_json.cpp
CERTPLANE_API_FIELDS(PatternRule)
CERTPLANE_API_FIELDS(CommonNameRule)
CERTPLANE_API_FIELDS(SubjectRules)
CERTPLANE_API_FIELDS(SubjectAltNameRules)
CERTPLANE_API_FIELDS(CertificateTemplateSpec)
CERTPLANE_API_FIELDS(CertificateTemplateStatus)
CERTPLANE_API_FIELDS(CertificateTemplate)
// certificate_profile_json.cpp
CERTPLANE_API_FIELDS(ExternalAccountBinding)
CERTPLANE_API_FIELDS(AcmeValidation)
CERTPLANE_API_FIELDS(AcmeEnrollment)
CERTPLANE_API_FIELDS(Enrollment)
CERTPLANE_API_FIELDS(RenewalDefaults)
CERTPLANE_API_FIELDS(RevocationOptions)
CERTPLANE_API_FIELDS(OutputDefaults)
CERTPLANE_API_FIELDS(CertificateProfileSpec)
CERTPLANE_API_FIELDS(CertificateReference)
CERTPLANE_API_FIELDS(CertificateProfileStatus)
CERTPLANE_API_FIELDS(CertificateProfile)
// certificate_sync_json.cpp
CERTPLANE_API_FIELDS(CertificateSelection)
CERTPLANE_API_FIELDS(AwsWebIdentity)
CERTPLANE_API_FIELDS(AwsAuth)
CERTPLANE_API_FIELDS(AwsCertificateManagerDestination)
CERTPLANE_API_FIELDS(AwsSecretsManagerDestination)
CERTPLANE_API_FIELDS(AzureWorkloadIdentity)
CERTPLANE_API_FIELDS(AzureAuth)
CERTPLANE_API_FIELDS(AzureKeyVaultDestination)
CERTPLANE_API_FIELDS(CertificateSyncSpec)
CERTPLANE_API_FIELDS(SyncedCertificate)
CERTPLANE_API_FIELDS(CertificateSyncStatus)
CERTPLANE_API_FIELDS(CertificateSync)

// meta_json.cpp. ObjectMeta and OwnerReference are kube's types, so argument-dependent
// lookup does not search this namespace for them; it does search the reader's and the
// writer's, json_io, which is why these two are declared there.
namespace json_io {
CERTPLANE_API_FIELDS(OwnerReference)
CERTPLANE_API_FIELDS(ObjectMeta)
}  // namespace json_io

#undef CERTPLANE_API_FIELDS

}  // namespace certplane::api
