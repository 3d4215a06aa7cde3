#include "acme/objects.h"

#include <openssl/rand.h>

#include <cstdio>
#include <stdexcept>

#include "api/time.h"
#include "base/text.h"

namespace certplane::acme {
namespace {

constexpr int kStorageVersion = 1;

std::string Time(WallTime t) { return api::FormatTime(api::ToTime(t)); }

// Storage decoding: a small reader that remembers the first problem and names its
// field, so a damaged object reports "order.json: authorizations[1].expires: ...".
class Reader {
 public:
  explicit Reader(std::string what) : what_(std::move(what)) {}

  const nlohmann::json* Field(const nlohmann::json& obj, const std::string& path, const char* name, bool required) {
    if (!obj.is_object()) return Fail(path, "is not an object"), nullptr;
    auto it = obj.find(name);
    if (it == obj.end() || it->is_null()) {
      if (required) Fail(path + name, "is missing");
      return nullptr;
    }
    return &*it;
  }
  std::string String(const nlohmann::json& obj, const std::string& path, const char* name, bool required = true) {
    const nlohmann::json* v = Field(obj, path, name, required);
    if (v == nullptr) return {};
    if (!v->is_string()) return Fail(path + name, "is not a string"), std::string();
    return v->get<std::string>();
  }
  bool Bool(const nlohmann::json& obj, const std::string& path, const char* name) {
    const nlohmann::json* v = Field(obj, path, name, false);
    if (v == nullptr) return false;
    if (!v->is_boolean()) return Fail(path + name, "is not a boolean"), false;
    return v->get<bool>();
  }
  WallTime TimeField(const nlohmann::json& obj, const std::string& path, const char* name) {
    std::string text = String(obj, path, name);
    if (text.empty()) return {};
    Result<api::Time> t = api::ParseTime(text);
    if (!t.ok()) return Fail(path + name, t.status().message()), WallTime{};
    return WallTime(*t);
  }
  std::optional<WallTime> OptionalTime(const nlohmann::json& obj, const std::string& path, const char* name) {
    if (Field(obj, path, name, false) == nullptr) return std::nullopt;
    return TimeField(obj, path, name);
  }
  template <typename E>
  E Enum(const nlohmann::json& obj, const std::string& path, const char* name, std::initializer_list<E> values) {
    std::string text = String(obj, path, name);
    for (E e : values) {
      if (ToString(e) == text) return e;
    }
    if (ok()) Fail(path + name, "unknown value \"" + text + "\"");
    return *values.begin();
  }
  const nlohmann::json& Array(const nlohmann::json& obj, const std::string& path, const char* name) {
    static const nlohmann::json kEmpty = nlohmann::json::array();
    const nlohmann::json* v = Field(obj, path, name, false);
    if (v == nullptr) return kEmpty;
    if (!v->is_array()) return Fail(path + name, "is not an array"), kEmpty;
    return *v;
  }
  void Fail(const std::string& field, const std::string& why) {
    if (problem_) return;
    problem_ = MakeProblem(ProblemType::kServerInternal, what_ + ": " + field + " " + why);
  }
  bool ok() const { return !problem_.has_value(); }
  const Problem& problem() const { return *problem_; }

 private:
  std::string what_;
  std::optional<Problem> problem_;
};

nlohmann::json ProblemToStorage(const Problem& p) {
  nlohmann::json out = {{"type", std::string(ProblemTypeName(p.type))}, {"detail", p.detail}};
  if (p.identifier) out["identifier"] = {{"type", p.identifier->type}, {"value", p.identifier->value}};
  if (!p.subproblems.empty()) {
    out["subproblems"] = nlohmann::json::array();
    for (const Problem& s : p.subproblems) out["subproblems"].push_back(ProblemToStorage(s));
  }
  return out;
}

std::optional<ProblemType> ProblemTypeFromName(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(ProblemType::kUserActionRequired); ++i) {
    auto t = static_cast<ProblemType>(i);
    if (ProblemTypeName(t) == name) return t;
  }
  return std::nullopt;
}

Problem ProblemFromStorage(Reader& r, const nlohmann::json& obj, const std::string& path) {
  Problem p;
  std::string type = r.String(obj, path, "type");
  auto t = ProblemTypeFromName(type);
  if (!t && r.ok()) r.Fail(path + "type", "unknown problem type \"" + type + "\"");
  p.type = t.value_or(ProblemType::kServerInternal);
  p.detail = r.String(obj, path, "detail", false);
  if (const nlohmann::json* id = r.Field(obj, path, "identifier", false)) {
    p.identifier =
        Identifier{r.String(*id, path + "identifier.", "type"), r.String(*id, path + "identifier.", "value")};
  }
  const nlohmann::json& subs = r.Array(obj, path, "subproblems");
  for (std::size_t i = 0; i < subs.size(); ++i) {
    p.subproblems.push_back(ProblemFromStorage(r, subs[i], path + "subproblems[" + std::to_string(i) + "]."));
  }
  return p;
}

nlohmann::json IdentifierJson(const Identifier& id) { return {{"type", id.type}, {"value", id.value}}; }

Identifier IdentifierFrom(Reader& r, const nlohmann::json& obj, const std::string& path) {
  return Identifier{r.String(obj, path, "type"), r.String(obj, path, "value")};
}

}  // namespace

std::string_view ToString(AccountStatus s) {
  switch (s) {
    case AccountStatus::kValid: return "valid";
    case AccountStatus::kDeactivated: return "deactivated";
    case AccountStatus::kRevoked: return "revoked";
  }
  return "valid";
}
std::string_view ToString(ChallengeStatus s) {
  switch (s) {
    case ChallengeStatus::kPending: return "pending";
    case ChallengeStatus::kProcessing: return "processing";
    case ChallengeStatus::kValid: return "valid";
    case ChallengeStatus::kInvalid: return "invalid";
  }
  return "pending";
}
std::string_view ToString(AuthorizationStatus s) {
  switch (s) {
    case AuthorizationStatus::kPending: return "pending";
    case AuthorizationStatus::kValid: return "valid";
    case AuthorizationStatus::kInvalid: return "invalid";
    case AuthorizationStatus::kDeactivated: return "deactivated";
    case AuthorizationStatus::kExpired: return "expired";
    case AuthorizationStatus::kRevoked: return "revoked";
  }
  return "pending";
}
std::string_view ToString(OrderStatus s) {
  switch (s) {
    case OrderStatus::kPending: return "pending";
    case OrderStatus::kReady: return "ready";
    case OrderStatus::kProcessing: return "processing";
    case OrderStatus::kValid: return "valid";
    case OrderStatus::kInvalid: return "invalid";
  }
  return "pending";
}

nlohmann::json AccountToStorage(const Account& a) {
  nlohmann::json out = {{"version", kStorageVersion},
                        {"id", a.id},
                        {"profile", a.profile},
                        {"status", std::string(ToString(a.status))},
                        {"key", a.key},
                        {"contact", a.contact},
                        {"termsOfServiceAgreed", a.terms_of_service_agreed},
                        {"createdAt", Time(a.created_at)}};
  if (!a.external_account_id.empty()) out["externalAccountID"] = a.external_account_id;
  return out;
}

ProblemOr<Account> AccountFromStorage(const nlohmann::json& json) {
  Reader r("account.json");
  Account a;
  a.id = r.String(json, "", "id");
  a.profile = r.String(json, "", "profile");
  a.status = r.Enum(json, "", "status", {AccountStatus::kValid, AccountStatus::kDeactivated, AccountStatus::kRevoked});
  if (const nlohmann::json* key = r.Field(json, "", "key", true)) {
    if (key->is_object()) a.key = *key;
    else r.Fail("key", "is not an object");
  }
  for (const nlohmann::json& c : r.Array(json, "", "contact")) {
    if (!c.is_string()) {
      r.Fail("contact", "holds a non-string");
      break;
    }
    a.contact.push_back(c.get<std::string>());
  }
  a.terms_of_service_agreed = r.Bool(json, "", "termsOfServiceAgreed");
  a.external_account_id = r.String(json, "", "externalAccountID", false);
  a.created_at = r.TimeField(json, "", "createdAt");
  if (!r.ok()) return r.problem();
  return a;
}

nlohmann::json OrderToStorage(const Order& o) {
  nlohmann::json authzs = nlohmann::json::array();
  for (const Authorization& az : o.authorizations) {
    nlohmann::json challenges = nlohmann::json::array();
    for (const Challenge& c : az.challenges) {
      nlohmann::json cj = {{"type", std::string(api::ToString(c.type))},
                           {"token", c.token},
                           {"status", std::string(ToString(c.status))}};
      if (c.validated) cj["validated"] = Time(*c.validated);
      if (c.processing_since) cj["processingSince"] = Time(*c.processing_since);
      if (c.error) cj["error"] = ProblemToStorage(*c.error);
      challenges.push_back(std::move(cj));
    }
    authzs.push_back({{"identifier", IdentifierJson(az.identifier)},
                      {"wildcard", az.wildcard},
                      {"status", std::string(ToString(az.status))},
                      {"expires", Time(az.expires)},
                      {"challenges", std::move(challenges)}});
  }
  nlohmann::json ids = nlohmann::json::array();
  for (const Identifier& id : o.identifiers) ids.push_back(IdentifierJson(id));
  nlohmann::json out = {{"version", kStorageVersion},
                        {"id", o.id},
                        {"accountID", o.account_id},
                        {"profile", o.profile},
                        {"status", std::string(ToString(o.status))},
                        {"identifiers", std::move(ids)},
                        {"expires", Time(o.expires)},
                        {"createdAt", Time(o.created_at)},
                        {"authorizations", std::move(authzs)}};
  if (o.error) out["error"] = ProblemToStorage(*o.error);
  if (!o.certificate_name.empty()) out["certificateName"] = o.certificate_name;
  if (!o.serial_number.empty()) out["serialNumber"] = o.serial_number;
  return out;
}

ProblemOr<Order> OrderFromStorage(const nlohmann::json& json) {
  Reader r("order.json");
  Order o;
  o.id = r.String(json, "", "id");
  o.account_id = r.String(json, "", "accountID");
  o.profile = r.String(json, "", "profile");
  o.status = r.Enum(json, "", "status",
                    {OrderStatus::kPending, OrderStatus::kReady, OrderStatus::kProcessing, OrderStatus::kValid,
                     OrderStatus::kInvalid});
  const nlohmann::json& ids = r.Array(json, "", "identifiers");
  for (std::size_t i = 0; i < ids.size(); ++i) {
    o.identifiers.push_back(IdentifierFrom(r, ids[i], "identifiers[" + std::to_string(i) + "]."));
  }
  o.expires = r.TimeField(json, "", "expires");
  o.created_at = r.TimeField(json, "", "createdAt");
  const nlohmann::json& azs = r.Array(json, "", "authorizations");
  for (std::size_t i = 0; i < azs.size(); ++i) {
    std::string path = "authorizations[" + std::to_string(i) + "].";
    Authorization az;
    if (const nlohmann::json* id = r.Field(azs[i], path, "identifier", true)) {
      az.identifier = IdentifierFrom(r, *id, path + "identifier.");
    }
    az.wildcard = r.Bool(azs[i], path, "wildcard");
    az.status =
        r.Enum(azs[i], path, "status",
               {AuthorizationStatus::kPending, AuthorizationStatus::kValid, AuthorizationStatus::kInvalid,
                AuthorizationStatus::kDeactivated, AuthorizationStatus::kExpired, AuthorizationStatus::kRevoked});
    az.expires = r.TimeField(azs[i], path, "expires");
    const nlohmann::json& chs = r.Array(azs[i], path, "challenges");
    for (std::size_t j = 0; j < chs.size(); ++j) {
      std::string cpath = path + "challenges[" + std::to_string(j) + "].";
      Challenge c;
      std::string type = r.String(chs[j], cpath, "type");
      auto t = api::FromString<api::AcmeChallenge>(type);
      if (!t && r.ok()) r.Fail(cpath + "type", "unknown challenge type \"" + type + "\"");
      c.type = t.value_or(api::AcmeChallenge::kHttp01);
      c.token = r.String(chs[j], cpath, "token");
      c.status = r.Enum(chs[j], cpath, "status",
                        {ChallengeStatus::kPending, ChallengeStatus::kProcessing, ChallengeStatus::kValid,
                         ChallengeStatus::kInvalid});
      c.validated = r.OptionalTime(chs[j], cpath, "validated");
      c.processing_since = r.OptionalTime(chs[j], cpath, "processingSince");
      if (const nlohmann::json* e = r.Field(chs[j], cpath, "error", false))
        c.error = ProblemFromStorage(r, *e, cpath + "error.");
      az.challenges.push_back(std::move(c));
    }
    o.authorizations.push_back(std::move(az));
  }
  if (const nlohmann::json* e = r.Field(json, "", "error", false)) o.error = ProblemFromStorage(r, *e, "error.");
  o.certificate_name = r.String(json, "", "certificateName", false);
  o.serial_number = r.String(json, "", "serialNumber", false);
  if (r.ok() && o.authorizations.size() != o.identifiers.size()) {
    r.Fail("authorizations", "has " + std::to_string(o.authorizations.size()) + " entries for " +
                                 std::to_string(o.identifiers.size()) + " identifiers");
  }
  if (!r.ok()) return r.problem();
  return o;
}

nlohmann::json AccountToProtocolJson(const Account& a, const AcmeUrls& urls) {
  nlohmann::json out = {
      {"status", std::string(ToString(a.status))}, {"contact", a.contact}, {"orders", urls.AccountOrders(a.id)}};
  if (a.terms_of_service_agreed) out["termsOfServiceAgreed"] = true;
  if (!a.external_account_id.empty()) out["externalAccountBinding"] = {{"kid", a.external_account_id}};
  return out;
}

nlohmann::json ChallengeToProtocolJson(const Order& o, std::size_t authz, const Challenge& c, const AcmeUrls& urls) {
  // A client sees "processing" as "pending" would be wrong: RFC 8555 7.1.6 has both.
  nlohmann::json out = {{"type", std::string(api::ToString(c.type))},
                        {"url", urls.Challenge(o.id, authz, c.type)},
                        {"token", c.token},
                        {"status", std::string(ToString(c.status))}};
  if (c.validated) out["validated"] = Time(*c.validated);
  if (c.error) out["error"] = ProblemToJson(*c.error);
  return out;
}

nlohmann::json AuthorizationToProtocolJson(const Order& order, std::size_t authz, const AcmeUrls& urls) {
  const Authorization& az = order.authorizations.at(authz);
  nlohmann::json challenges = nlohmann::json::array();
  for (const Challenge& c : az.challenges) {
    // RFC 8555 7.1.4: a valid authorization lists only the challenge that was used.
    if (az.status == AuthorizationStatus::kValid && c.status != ChallengeStatus::kValid) continue;
    challenges.push_back(ChallengeToProtocolJson(order, authz, c, urls));
  }
  nlohmann::json out = {{"identifier", IdentifierJson(az.identifier)},
                        {"status", std::string(ToString(az.status))},
                        {"expires", Time(az.expires)},
                        {"challenges", std::move(challenges)}};
  if (az.wildcard) out["wildcard"] = true;
  return out;
}

nlohmann::json OrderToProtocolJson(const Order& o, const AcmeUrls& urls) {
  nlohmann::json ids = nlohmann::json::array();
  for (const Identifier& id : o.identifiers) ids.push_back(IdentifierJson(id));
  nlohmann::json authzs = nlohmann::json::array();
  for (std::size_t i = 0; i < o.authorizations.size(); ++i) authzs.push_back(urls.Authorization(o.id, i));
  nlohmann::json out = {{"status", std::string(ToString(o.status))},
                        {"expires", Time(o.expires)},
                        {"identifiers", std::move(ids)},
                        {"authorizations", std::move(authzs)},
                        {"finalize", urls.Finalize(o.id)}};
  if (o.status == OrderStatus::kValid) out["certificate"] = urls.Certificate(o.id);
  if (o.error) out["error"] = ProblemToJson(*o.error);
  return out;
}

bool RecomputeStatus(Order& o, WallTime now) {
  bool changed = false;
  auto set = [&changed](auto& field, auto value) {
    if (field != value) {
      field = value;
      changed = true;
    }
  };
  for (Authorization& az : o.authorizations) {
    if (az.status != AuthorizationStatus::kPending) continue;
    bool any_valid = false, any_invalid = false;
    for (const Challenge& c : az.challenges) {
      any_valid = any_valid || c.status == ChallengeStatus::kValid;
      any_invalid = any_invalid || c.status == ChallengeStatus::kInvalid;
    }
    if (any_valid) set(az.status, AuthorizationStatus::kValid);
    else if (any_invalid) set(az.status, AuthorizationStatus::kInvalid);
    else if (now >= az.expires) set(az.status, AuthorizationStatus::kExpired);
  }
  if (o.status == OrderStatus::kPending || o.status == OrderStatus::kReady) {
    bool all_valid = !o.authorizations.empty();
    const Authorization* failed = nullptr;
    for (const Authorization& az : o.authorizations) {
      all_valid = all_valid && az.status == AuthorizationStatus::kValid;
      if (failed == nullptr && az.status != AuthorizationStatus::kValid && az.status != AuthorizationStatus::kPending) {
        failed = &az;
      }
    }
    if (failed != nullptr) {
      set(o.status, OrderStatus::kInvalid);
      if (!o.error) {
        // The order's error says which identifier failed and why, so a client that
        // only polls the order learns as much as one that polls the challenge.
        Problem p = MakeProblem(ProblemType::kUnauthorized, "authorization for " + failed->identifier.value + " is " +
                                                                std::string(ToString(failed->status)));
        for (const Challenge& c : failed->challenges) {
          if (c.error) {
            p = *c.error;
            p.identifier = failed->identifier;
            break;
          }
        }
        o.error = p;
        changed = true;
      }
    } else if (now >= o.expires) {
      set(o.status, OrderStatus::kInvalid);
      if (!o.error) {
        o.error = MakeProblem(ProblemType::kMalformed, "the order expired before it was finalized");
        changed = true;
      }
    } else if (all_valid) {
      set(o.status, OrderStatus::kReady);
    }
  }
  return changed;
}

std::string NewObjectId(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return LowerHex(raw);
}

}  // namespace certplane::acme
