#include "sync/aws/acm_messages.h"

#include "sync/aws/encoding.h"

namespace certplane::sync::aws {

using json = nlohmann::json;

namespace {
SyncError Malformed(std::string what) {
  return SyncError{Status(StatusCode::kUnavailable, "ACM answered " + std::move(what)), "", std::nullopt};
}
}  // namespace

json ImportCertificateBody(const CertificateMaterial& material, std::string_view arn, const TagMap* tags) {
  json body = {{"Certificate", Base64Encode(material.certificate_pem)},
               {"PrivateKey", Base64Encode(material.private_key_pem.view())}};
  if (!material.chain_pem.empty()) body["CertificateChain"] = Base64Encode(material.chain_pem);
  if (!arn.empty()) body["CertificateArn"] = arn;
  if (tags != nullptr && !tags->empty()) body["Tags"] = TagList(*tags);
  return body;
}

const std::vector<std::string>& AcmKeyTypes() {
  static const std::vector<std::string> types = {"RSA_1024",      "RSA_2048",     "RSA_3072",    "RSA_4096",
                                                 "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"};
  return types;
}

json ListCertificatesBody(std::string_view next_token) {
  json body = {{"Includes", {{"keyTypes", AcmKeyTypes()}}}, {"MaxItems", 1000}};
  if (!next_token.empty()) body["NextToken"] = next_token;
  return body;
}

SyncResult<std::string> ReadCertificateArn(const json& answer) {
  auto it = answer.find("CertificateArn");
  if (it == answer.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return Malformed("without a CertificateArn");
  }
  return it->get<std::string>();
}

SyncResult<CertificatePage> ReadCertificatePage(const json& answer) {
  CertificatePage page;
  if (!answer.is_object()) return Malformed("with something that is not an object");
  if (auto it = answer.find("CertificateSummaryList"); it != answer.end() && !it->is_null()) {
    if (!it->is_array()) return Malformed("with a CertificateSummaryList that is not a list");
    for (const json& summary : *it) {
      if (!summary.is_object()) return Malformed("with a certificate summary that is not an object");
      auto arn = summary.find("CertificateArn");
      if (arn == summary.end() || !arn->is_string()) return Malformed("with a certificate summary without an ARN");
      page.arns.push_back(arn->get<std::string>());
    }
  }
  if (auto it = answer.find("NextToken"); it != answer.end() && !it->is_null()) {
    if (!it->is_string()) return Malformed("with a NextToken that is not a string");
    page.next_token = it->get<std::string>();
  }
  return page;
}

}  // namespace certplane::sync::aws
