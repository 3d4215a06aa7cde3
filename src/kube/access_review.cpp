#include "kube/access_review.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "kube/rest_client.h"

namespace certplane::kube {
namespace {

const GroupVersionResource kTokenReviews{"authentication.k8s.io", "v1", "tokenreviews", false};
const GroupVersionResource kSubjectAccessReviews{"authorization.k8s.io", "v1", "subjectaccessreviews", false};

std::vector<std::string> Strings(const nlohmann::json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& v : j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// Fields of an object, by type; absent, of another type, or not an object: the default.
// (nlohmann's value() throws on a type mismatch; an answer must never make us throw.)
std::string StringField(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
bool BoolField(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return false;
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}
const nlohmann::json& Field(const nlohmann::json& j, const char* key) {
  static const nlohmann::json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it != j.end() ? *it : kNull;
}

// The reviews are answered in their own object's status; anything else (a Status, an
// HTML error page turned JSON) is a bug somewhere between us and the API server.
Status CheckKind(const nlohmann::json& review, std::string_view kind) {
  if (StringField(review, "kind") != kind) {
    return Internal("the answer to a " + std::string(kind) + " is not a " + std::string(kind));
  }
  return Status::Ok();
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::size_t{length} * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

nlohmann::json TokenReviewBody(const SensitiveString& token, const std::vector<std::string>& audiences) {
  nlohmann::json spec = {{"token", token.view()}};
  if (!audiences.empty()) spec["audiences"] = audiences;
  return {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenReview"}, {"spec", std::move(spec)}};
}

Result<UserInfo> ParseTokenReview(const nlohmann::json& review) {
  CERTPLANE_RETURN_IF_ERROR(CheckKind(review, "TokenReview"));
  const nlohmann::json& status = Field(review, "status");
  if (!BoolField(status, "authenticated")) {
    const std::string why = StringField(status, "error");
    return Status(StatusCode::kUnauthenticated,
                  "the API server did not accept the token" + (why.empty() ? std::string() : ": " + why));
  }
  const nlohmann::json& user = Field(status, "user");
  UserInfo out;
  out.username = StringField(user, "username");
  out.uid = StringField(user, "uid");
  out.groups = Strings(Field(user, "groups"));
  if (const nlohmann::json& extra = Field(user, "extra"); extra.is_object()) {
    for (const auto& [key, values] : extra.items()) out.extra[key] = Strings(values);
  }
  // An authenticated review always names the user; without a name there is no one to
  // authorize.
  if (out.username.empty()) return Internal("the TokenReview says authenticated but names no user");
  return out;
}

nlohmann::json SubjectAccessReviewBody(const UserInfo& user, const ResourceAttributes& attributes) {
  nlohmann::json resource = {{"verb", attributes.verb}, {"group", attributes.group}, {"resource", attributes.resource}};
  if (!attributes.ns.empty()) resource["namespace"] = attributes.ns;
  if (!attributes.subresource.empty()) resource["subresource"] = attributes.subresource;
  if (!attributes.name.empty()) resource["name"] = attributes.name;
  nlohmann::json spec = {{"user", user.username}, {"resourceAttributes", std::move(resource)}};
  if (!user.uid.empty()) spec["uid"] = user.uid;
  if (!user.groups.empty()) spec["groups"] = user.groups;
  if (!user.extra.empty()) spec["extra"] = user.extra;
  return {{"apiVersion", "authorization.k8s.io/v1"}, {"kind", "SubjectAccessReview"}, {"spec", std::move(spec)}};
}

Result<AccessDecision> ParseSubjectAccessReview(const nlohmann::json& review) {
  CERTPLANE_RETURN_IF_ERROR(CheckKind(review, "SubjectAccessReview"));
  const nlohmann::json& status = Field(review, "status");
  if (!status.is_object()) return Internal("the SubjectAccessReview has no status");
  const bool denied = BoolField(status, "denied");
  AccessDecision out;
  out.allowed = BoolField(status, "allowed") && !denied;
  out.reason = StringField(status, "reason");
  // An authorizer that failed and decided nothing: not a denial, a failed review.
  const std::string error = StringField(status, "evaluationError");
  if (!out.allowed && !denied && out.reason.empty() && !error.empty()) {
    return Internal("the SubjectAccessReview could not be evaluated: " + error);
  }
  return out;
}

ApiAccessReviewer::ApiAccessReviewer(std::shared_ptr<Client> client, Options options)
    : client_(std::move(client)), options_(std::move(options)) {}

Result<UserInfo> ApiAccessReviewer::Authenticate(const SensitiveString& token) {
  nlohmann::json body = TokenReviewBody(token, options_.audiences);
  ApiResult<nlohmann::json> review = client_->Create(kTokenReviews, "", body);
  // The body held the token; wipe our copy of it.
  if (std::string& t = body["spec"]["token"].get_ref<std::string&>(); !t.empty()) OPENSSL_cleanse(t.data(), t.size());
  if (!review.ok()) return review.status().WithContext("creating a TokenReview");
  return ParseTokenReview(*review);
}

Result<AccessDecision> ApiAccessReviewer::Authorize(const UserInfo& user, const ResourceAttributes& attributes) {
  ApiResult<nlohmann::json> review =
      client_->Create(kSubjectAccessReviews, "", SubjectAccessReviewBody(user, attributes));
  if (!review.ok()) return review.status().WithContext("creating a SubjectAccessReview");
  return ParseSubjectAccessReview(*review);
}

CachingAccessReviewer::CachingAccessReviewer(AccessReviewer& inner, const AccessReviewCacheOptions& options)
    : inner_(inner),
      users_(options.ttl, options.max_entries, options.clock ? options.clock : SystemClock()),
      decisions_(options.ttl, options.max_entries, options.clock ? options.clock : SystemClock()) {}

Result<UserInfo> CachingAccessReviewer::Authenticate(const SensitiveString& token) {
  const std::string key = Sha256Hex(token.view());
  if (auto hit = users_.Get(key)) return *hit;
  Result<UserInfo> user = inner_.Authenticate(token);
  if (user.ok() || user.status().code() == StatusCode::kUnauthenticated) users_.Put(key, user);
  return user;
}

Result<AccessDecision> CachingAccessReviewer::Authorize(const UserInfo& user, const ResourceAttributes& attributes) {
  // The whole question, in one canonical form (nlohmann orders object keys).
  const std::string key = Sha256Hex(SubjectAccessReviewBody(user, attributes).dump());
  if (auto hit = decisions_.Get(key)) return *hit;
  Result<AccessDecision> decision = inner_.Authorize(user, attributes);
  if (decision.ok()) decisions_.Put(key, *decision);
  return decision;
}

}  // namespace certplane::kube
