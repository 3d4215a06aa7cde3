// CertificateAuthority to and from JSON; the same conventions as certificate_json.h.
#pragma once

#include <nlohmann/json.hpp>

#include "api/certificate_authority.h"
#include "base/result.h"

namespace certplane::api {

Result<CertificateAuthority> DecodeCertificateAuthority(const nlohmann::json& object);

nlohmann::json EncodeCertificateAuthority(const CertificateAuthority& ca);
nlohmann::json EncodeCertificateAuthorityStatus(const CertificateAuthorityStatus& status);

}  // namespace certplane::api
