// CertificateProfile to and from JSON; the same conventions as certificate_json.h.
#pragma once

#include <nlohmann/json.hpp>

#include "api/certificate_profile.h"
#include "base/result.h"

namespace certplane::api {

Result<CertificateProfile> DecodeCertificateProfile(const nlohmann::json& object);

nlohmann::json EncodeCertificateProfile(const CertificateProfile& profile);
nlohmann::json EncodeCertificateProfileStatus(const CertificateProfileStatus& status);

}  // namespace certplane::api
