// The Certificate Manager requests certplane sends and the answers it reads, as pure
// functions over JSON (acm.cpp sends them; the unit tests and fuzzers call them).
//
//   nlohmann::json body = ImportCertificateBody(material, known_arn, /*tags=*/nullptr);
//   SyncResult<std::string> arn = ReadCertificateArn(answer);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sync/aws/tags.h"
#include "sync/destination.h"

namespace certplane::sync::aws {

// ImportCertificate: Certificate, PrivateKey and (when not empty) CertificateChain as
// base64 of the PEM bytes (the JSON protocol's blob form); CertificateArn when
// re-importing; Tags only when given (AWS refuses tags on a re-import).
nlohmann::json ImportCertificateBody(const CertificateMaterial& material, std::string_view arn, const TagMap* tags);

// Every key type ACM knows: ListCertificates lists only RSA-2048 certificates unless
// asked for the others, and certplane pushes EC and larger RSA keys too.
const std::vector<std::string>& AcmKeyTypes();

// ListCertificates for every key type, continuing after next_token when not empty.
nlohmann::json ListCertificatesBody(std::string_view next_token);

struct CertificatePage {
  std::vector<std::string> arns;
  std::string next_token;  // empty on the last page
};

// ImportCertificate's CertificateArn; kUnavailable when absent or not a string.
SyncResult<std::string> ReadCertificateArn(const nlohmann::json& answer);

// ListCertificates' CertificateSummaryList[].CertificateArn and NextToken; kUnavailable
// when they are not what the API defines.
SyncResult<CertificatePage> ReadCertificatePage(const nlohmann::json& answer);

}  // namespace certplane::sync::aws
