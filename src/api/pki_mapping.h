// Translations between the API's vocabulary (src/api) and the PKI engine's (src/pki),
// which keeps no Kubernetes types. Switches, not name lookups, so a value added on one
// side without the other fails to compile (-Wswitch) instead of failing at run time.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/certificate.h"
#include "api/certificate_authority.h"
#include "api/enums.h"
#include "base/result.h"
#include "pki/crl.h"
#include "pki/key.h"
#include "pki/name.h"
#include "pki/usage.h"

namespace certplane::api {

pki::KeyAlgorithm ToPki(api::KeyAlgorithm algorithm);
api::KeyAlgorithm FromPki(pki::KeyAlgorithm algorithm);

pki::KeyUsage ToPki(api::KeyUsage usage);
// nullopt for the CA-only usages (keyCertSign, cRLSign), which the API does not name.
std::optional<api::KeyUsage> FromPki(pki::KeyUsage usage);

pki::ExtendedKeyUsage ToPki(api::ExtendedKeyUsage usage);
api::ExtendedKeyUsage FromPki(pki::ExtendedKeyUsage usage);

pki::RevocationReason ToPki(api::RevocationReason reason);

std::vector<pki::KeyUsage> ToPki(const std::vector<api::KeyUsage>& usages);
std::vector<pki::ExtendedKeyUsage> ToPki(const std::vector<api::ExtendedKeyUsage>& usages);

// A Certificate's subject: spec.commonName plus spec.subject. X.509 allows several C,
// ST and L attributes but no client expects them, so more than one is refused with
// kInvalidArgument naming the field.
Result<pki::DistinguishedName> SubjectOf(const api::CertificateSpec& spec);
// A CertificateAuthority's subject (spec.subject), with the same rule.
Result<pki::DistinguishedName> SubjectOf(const api::CertificateAuthoritySpec& spec);

// The API's view of a parsed subject (for comparing what was issued with the spec).
api::CertificateSubject ApiSubject(const pki::DistinguishedName& name);

}  // namespace certplane::api
