#include "acme/client/messages.h"

#include "acme/base64url.h"
#include "acme/jwk.h"
#include "acme/jws.h"
#include "base/text.h"

namespace certplane::acme::client {
namespace {

using nlohmann::json;

constexpr std::string_view kUrnPrefix = "urn:ietf:params:acme:error:";

std::string StringMember(const json& object, const char* name) {
  if (!object.is_object()) return {};
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Base64Der(const pki::Bytes& der) {
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(der.data()), der.size()));
}

}  // namespace

std::optional<ProblemType> ProblemTypeFromName(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(ProblemType::kUserActionRequired); ++i) {
    auto type = static_cast<ProblemType>(i);
    if (ProblemTypeName(type) == name) return type;
  }
  return std::nullopt;
}

std::optional<Problem> ParseProblemDocument(const json& document) {
  const std::string urn = StringMember(document, "type");
  if (urn.rfind(kUrnPrefix, 0) != 0) return std::nullopt;
  std::optional<ProblemType> type = ProblemTypeFromName(std::string_view(urn).substr(kUrnPrefix.size()));
  if (!type) return std::nullopt;
  Problem problem{.type = *type, .detail = StringMember(document, "detail")};
  if (auto it = document.find("status"); it != document.end() && it->is_number_integer()) {
    problem.status = it->get<int>();
  }
  if (auto it = document.find("identifier"); it != document.end() && it->is_object()) {
    problem.identifier = Identifier{StringMember(*it, "type"), StringMember(*it, "value")};
  }
  if (auto it = document.find("subproblems"); it != document.end() && it->is_array()) {
    for (const json& sub : *it) {
      if (std::optional<Problem> parsed = ParseProblemDocument(sub)) problem.subproblems.push_back(*parsed);
    }
  }
  return problem;
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view header) { return ParseRetryAfterSeconds(header); }

Directory Directory::FromJson(const json& document) {
  Directory d;
  d.new_nonce = StringMember(document, "newNonce");
  d.new_account = StringMember(document, "newAccount");
  d.new_order = StringMember(document, "newOrder");
  d.revoke_cert = StringMember(document, "revokeCert");
  d.key_change = StringMember(document, "keyChange");
  if (document.is_object()) {
    if (auto meta = document.find("meta"); meta != document.end() && meta->is_object()) {
      d.terms_of_service = StringMember(*meta, "termsOfService");
      auto eab = meta->find("externalAccountRequired");
      d.external_account_required = eab != meta->end() && eab->is_boolean() && eab->get<bool>();
    }
  }
  d.raw = document;
  return d;
}

const ChallengeView* AuthorizationView::Find(std::string_view type) const {
  for (const ChallengeView& c : challenges) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

AuthorizationView AuthorizationView::FromJson(const json& document) {
  AuthorizationView a;
  a.status = StringMember(document, "status");
  if (!document.is_object()) return a;
  if (auto id = document.find("identifier"); id != document.end()) {
    a.identifier_type = StringMember(*id, "type");
    a.identifier_value = StringMember(*id, "value");
  }
  if (auto w = document.find("wildcard"); w != document.end() && w->is_boolean()) a.wildcard = w->get<bool>();
  if (auto list = document.find("challenges"); list != document.end() && list->is_array()) {
    for (const json& c : *list) {
      ChallengeView view{.type = StringMember(c, "type"),
                         .url = StringMember(c, "url"),
                         .token = StringMember(c, "token"),
                         .status = StringMember(c, "status")};
      if (c.is_object() && c.contains("error")) view.error = ParseProblemDocument(c["error"]);
      a.challenges.push_back(std::move(view));
    }
  }
  return a;
}

OrderView OrderView::FromJson(const json& document) {
  OrderView o;
  o.status = StringMember(document, "status");
  o.finalize = StringMember(document, "finalize");
  o.certificate = StringMember(document, "certificate");
  if (!document.is_object()) return o;
  if (auto ids = document.find("identifiers"); ids != document.end() && ids->is_array()) {
    for (const json& id : *ids) o.identifiers.push_back(StringMember(id, "value"));
  }
  if (auto authz = document.find("authorizations"); authz != document.end() && authz->is_array()) {
    for (const json& url : *authz) {
      if (url.is_string()) o.authorizations.push_back(url.get<std::string>());
    }
  }
  if (document.contains("error")) o.error = ParseProblemDocument(document["error"]);
  return o;
}

json RevocationPayload(const pki::Bytes& certificate_der, std::optional<int> reason) {
  json payload = {{"certificate", Base64Der(certificate_der)}};
  if (reason) payload["reason"] = *reason;
  return payload;
}

json FinalizePayload(const pki::Bytes& csr_der) { return {{"csr", Base64Der(csr_der)}}; }

json KeyChangeInnerJws(const pki::PrivateKey& new_key, std::string_view key_change_url, std::string_view account_url,
                       const pki::PublicKey& old_key) {
  json header = {{"jwk", Jwk::FromPublicKey(new_key.public_key()).ToJson()}, {"url", key_change_url}};
  json payload = {{"account", account_url}, {"oldKey", Jwk::FromPublicKey(old_key).ToJson()}};
  const std::string text = SignJws(new_key, std::move(header), payload.dump());
  return text.empty() ? json() : json::parse(text);
}

json ProtectedHeader(const pki::PrivateKey& key, std::string_view kid, std::string_view nonce, std::string_view url) {
  json header = {{"nonce", nonce}, {"url", url}};
  if (!kid.empty()) {
    header["kid"] = kid;
  } else {
    header["jwk"] = Jwk::FromPublicKey(key.public_key()).ToJson();
  }
  return header;
}

}  // namespace certplane::acme::client
