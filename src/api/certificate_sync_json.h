// CertificateSync to and from JSON; the same conventions as certificate_json.h.
#pragma once

#include <nlohmann/json.hpp>

#include "api/certificate_sync.h"
#include "base/result.h"

namespace certplane::api {

Result<CertificateSync> DecodeCertificateSync(const nlohmann::json& object);

nlohmann::json EncodeCertificateSync(const CertificateSync& sync);
nlohmann::json EncodeCertificateSyncStatus(const CertificateSyncStatus& status);

}  // namespace certplane::api
