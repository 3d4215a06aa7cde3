// CertificateTemplate to and from JSON; the same conventions as certificate_json.h.
#pragma once

#include <nlohmann/json.hpp>

#include "api/certificate_template.h"
#include "base/result.h"

namespace certplane::api {

Result<CertificateTemplate> DecodeCertificateTemplate(const nlohmann::json& object);

nlohmann::json EncodeCertificateTemplate(const CertificateTemplate& tmpl);
nlohmann::json EncodeCertificateTemplateStatus(const CertificateTemplateStatus& status);

}  // namespace certplane::api
