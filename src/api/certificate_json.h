// Certificate to and from the JSON the API server speaks.
//
//   Result<Certificate> c = DecodeCertificate(nlohmann::json::parse(body));
//   if (!c.ok()) return c.status();   // "Certificate shop/frontend: spec.dnsNames[1]: want a string, got integer"
//   ...
//   nlohmann::json patch = {{"status", EncodeCertificateStatus(c->status)}};
//
// Decoding ignores fields it does not know and reads JSON null as absent; a wrong type,
// an unknown enum value, a bad duration or timestamp fails with kInvalidArgument and a
// message naming the object and the field path. Encoding leaves out empty fields.
#pragma once

#include <nlohmann/json.hpp>

#include "api/certificate.h"
#include "base/result.h"

namespace certplane::api {

Result<Certificate> DecodeCertificate(const nlohmann::json& object);

// The whole object: apiVersion, kind, metadata, spec and (when not empty) status.
nlohmann::json EncodeCertificate(const Certificate& certificate);
nlohmann::json EncodeCertificateSpec(const CertificateSpec& spec);
// The status object alone, for a write to the status subresource.
nlohmann::json EncodeCertificateStatus(const CertificateStatus& status);

}  // namespace certplane::api
