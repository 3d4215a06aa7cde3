// AccessReviewer: who is calling, and may they do this? Asked of the API server with a
// TokenReview (authentication.k8s.io/v1) and a SubjectAccessReview
// (authorization.k8s.io/v1), so an HTTP surface of the controller authenticates and
// authorizes its callers exactly as the API server would, never granting more than
// the caller's own RBAC. (The pattern of kube-rbac-proxy and the delegated
// authentication/authorization of k8s.io/apiserver.)
//
//   ApiAccessReviewer api(client);                       // the controller's client
//   CachingAccessReviewer reviewer(api, {.ttl = std::chrono::seconds(10)});
//   Result<UserInfo> user = reviewer.Authenticate(SensitiveString(token));
//   if (user.status().code() == StatusCode::kUnauthenticated) ... 401
//   Result<AccessDecision> d = reviewer.Authorize(*user, {.ns = "shop", .verb = "get",
//                                                          .resource = "secrets", .name = "web-tls"});
//   if (d.ok() && !d->allowed) ... 403
//
// The client needs `create` on tokenreviews and subjectaccessreviews. Tokens are never
// logged and never kept: the cache keys by their SHA-256.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"
#include "base/sensitive_string.h"
#include "kube/clock.h"
#include "kube/ttl_cache.h"

namespace certplane::kube {

class Client;

// An authenticated user as the API server knows them (TokenReview status.user).
struct UserInfo {
  std::string username;  // e.g. "system:serviceaccount:shop:deployer"
  std::string uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;

  bool operator==(const UserInfo&) const = default;
};

// What a SubjectAccessReview asks about (spec.resourceAttributes).
struct ResourceAttributes {
  std::string ns;  // empty for cluster-scoped resources
  std::string verb;
  std::string group;  // "" for the core group
  std::string resource;
  std::string subresource;
  std::string name;

  bool operator==(const ResourceAttributes&) const = default;
};

struct AccessDecision {
  bool allowed = false;
  std::string reason;  // the authorizer's explanation, often empty; never shown to callers

  bool operator==(const AccessDecision&) const = default;
};

class AccessReviewer {
 public:
  virtual ~AccessReviewer() = default;
  // The user the bearer token belongs to. kUnauthenticated when the API server does not
  // accept the token (expired, revoked, malformed, meant for another audience); any
  // other error when the review could not be made (kUnavailable, kPermissionDenied
  // when the reviewer may not create TokenReviews, ...).
  virtual Result<UserInfo> Authenticate(const SensitiveString& token) = 0;
  // Whether `user` may do `attributes`. An error only when the review could not be made.
  virtual Result<AccessDecision> Authorize(const UserInfo& user, const ResourceAttributes& attributes) = 0;
};

// The request bodies and the reading of the answers, as pure functions.
// `audiences` empty: the API server's own audiences.
nlohmann::json TokenReviewBody(const SensitiveString& token, const std::vector<std::string>& audiences);
// kUnauthenticated when status.authenticated is not true (the message carries
// status.error); kInternal when the answer is not a TokenReview.
Result<UserInfo> ParseTokenReview(const nlohmann::json& review);
nlohmann::json SubjectAccessReviewBody(const UserInfo& user, const ResourceAttributes& attributes);
// status.allowed (false when absent; status.denied only confirms it). kInternal when the
// answer is not a SubjectAccessReview, or carries an evaluationError and no decision.
Result<AccessDecision> ParseSubjectAccessReview(const nlohmann::json& review);

// Reviews through the API server, with `client`'s credentials.
class ApiAccessReviewer final : public AccessReviewer {
 public:
  struct Options {
    // The audiences a token must be meant for; empty: the API server's.
    std::vector<std::string> audiences;
  };
  explicit ApiAccessReviewer(std::shared_ptr<Client> client, Options options = {});
  Result<UserInfo> Authenticate(const SensitiveString& token) override;
  Result<AccessDecision> Authorize(const UserInfo& user, const ResourceAttributes& attributes) override;

 private:
  std::shared_ptr<Client> client_;
  Options options_;
};

struct AccessReviewCacheOptions {
  Duration ttl = std::chrono::seconds(10);  // how long an answer is reused
  std::size_t max_entries = 4096;           // per kind of review
  std::shared_ptr<Clock> clock;             // default: the system clock
};

// Reuses the answers of `inner` for ttl: authentications by SHA-256 of the token (an
// accepted token and a refused one alike), authorizations by the whole question (user,
// uid, groups, extra and attributes). Errors are not cached. Thread-safe; `inner` must
// be thread-safe too and outlive this.
class CachingAccessReviewer final : public AccessReviewer {
 public:
  CachingAccessReviewer(AccessReviewer& inner, const AccessReviewCacheOptions& options = {});
  Result<UserInfo> Authenticate(const SensitiveString& token) override;
  Result<AccessDecision> Authorize(const UserInfo& user, const ResourceAttributes& attributes) override;

 private:
  AccessReviewer& inner_;
  TtlCache<Result<UserInfo>> users_;
  TtlCache<AccessDecision> decisions_;
};

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace certplane::kube
