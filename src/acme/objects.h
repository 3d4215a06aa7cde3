// The ACME server's state (RFC 8555 section 7.1): accounts and orders, with each
// order's authorizations and challenges inside it. Plain structs, their storage JSON
// (what the server keeps in the API server, see server/acme_store.h) and their
// protocol JSON (what clients see), and the status rules that connect them.
//
// One order owns its authorizations: an authorization is addressed as
// authz/<order>/<index> and a challenge as chall/<order>/<index>/<type>, so one object
// read answers any request about an order and one conditional write changes it.
// Authorizations are not reused across orders; a renewal validates again.
//
//   Order order = ...;
//   order.authorizations[0].challenges[1].status = ChallengeStatus::kValid;
//   RecomputeStatus(order, now);        // authz valid -> order ready
//   nlohmann::json body = OrderToProtocolJson(order, urls);
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acme/problem.h"
#include "api/enums.h"

namespace certplane::acme {

using WallTime = std::chrono::system_clock::time_point;

enum class AccountStatus { kValid, kDeactivated, kRevoked };
enum class ChallengeStatus { kPending, kProcessing, kValid, kInvalid };
enum class AuthorizationStatus { kPending, kValid, kInvalid, kDeactivated, kExpired, kRevoked };
enum class OrderStatus { kPending, kReady, kProcessing, kValid, kInvalid };

std::string_view ToString(AccountStatus s);
std::string_view ToString(ChallengeStatus s);
std::string_view ToString(AuthorizationStatus s);
std::string_view ToString(OrderStatus s);

struct Account {
  std::string id;  // lower-case hex; the account URL ends in it
  std::string profile;
  AccountStatus status = AccountStatus::kValid;
  nlohmann::json key;  // the account's public JWK
  std::vector<std::string> contact;
  bool terms_of_service_agreed = false;
  std::string external_account_id;  // the EAB key ID it was bound with, if any
  WallTime created_at{};
  // Not stored in the JSON: the version of the object it was read from, so a write
  // can be conditional on it.
  std::string resource_version;

  bool operator==(const Account&) const = default;
};

struct Challenge {
  api::AcmeChallenge type = api::AcmeChallenge::kHttp01;
  std::string token;
  ChallengeStatus status = ChallengeStatus::kPending;
  std::optional<WallTime> validated;
  std::optional<WallTime> processing_since;  // when a validation was started
  std::optional<Problem> error;

  bool operator==(const Challenge&) const = default;
};

struct Authorization {
  Identifier identifier;  // without the "*." of a wildcard
  bool wildcard = false;
  AuthorizationStatus status = AuthorizationStatus::kPending;
  WallTime expires{};
  std::vector<Challenge> challenges;

  bool operator==(const Authorization&) const = default;
};

struct Order {
  std::string id;  // lower-case hex
  std::string account_id;
  std::string profile;
  OrderStatus status = OrderStatus::kPending;
  std::vector<Identifier> identifiers;  // as requested, wildcards with "*."
  WallTime expires{};
  WallTime created_at{};
  std::vector<Authorization> authorizations;  // one per identifier, same order
  std::optional<Problem> error;
  // Set by finalize: the Certificate resource that carries the CSR (in the
  // controller's namespace), and the serial once it is signed.
  std::string certificate_name;
  std::string serial_number;
  std::string resource_version;  // see Account

  bool operator==(const Order&) const = default;
};

// Storage JSON (versioned: {"version": 1, ...}). Decoding names the bad field.
nlohmann::json AccountToStorage(const Account& account);
ProblemOr<Account> AccountFromStorage(const nlohmann::json& json);
nlohmann::json OrderToStorage(const Order& order);
ProblemOr<Order> OrderFromStorage(const nlohmann::json& json);

// Absolute URLs of one profile's ACME resources: "<base>/acme/<profile>/...".
struct AcmeUrls {
  std::string base;  // "http://certplane.certplane-system.svc" (no trailing slash)
  std::string profile;

  std::string Root() const { return base + "/acme/" + profile; }
  std::string Directory() const { return Root() + "/directory"; }
  std::string NewNonce() const { return Root() + "/new-nonce"; }
  std::string NewAccount() const { return Root() + "/new-account"; }
  std::string NewOrder() const { return Root() + "/new-order"; }
  std::string RevokeCert() const { return Root() + "/revoke-cert"; }
  std::string KeyChange() const { return Root() + "/key-change"; }
  std::string Account(const std::string& id) const { return Root() + "/account/" + id; }
  std::string AccountOrders(const std::string& id) const { return Account(id) + "/orders"; }
  std::string Order(const std::string& id) const { return Root() + "/order/" + id; }
  std::string Finalize(const std::string& id) const { return Order(id) + "/finalize"; }
  std::string Certificate(const std::string& id) const { return Order(id) + "/certificate"; }
  std::string Authorization(const std::string& order, std::size_t index) const {
    return Root() + "/authz/" + order + "/" + std::to_string(index);
  }
  std::string Challenge(const std::string& order, std::size_t index, api::AcmeChallenge type) const {
    return Root() + "/chall/" + order + "/" + std::to_string(index) + "/" + std::string(api::ToString(type));
  }
};

// Protocol JSON (RFC 8555 sections 7.1.2 to 7.1.5).
nlohmann::json AccountToProtocolJson(const Account& account, const AcmeUrls& urls);
nlohmann::json ChallengeToProtocolJson(const Order& order, std::size_t authz, const Challenge& challenge,
                                       const AcmeUrls& urls);
nlohmann::json AuthorizationToProtocolJson(const Order& order, std::size_t authz, const AcmeUrls& urls);
nlohmann::json OrderToProtocolJson(const Order& order, const AcmeUrls& urls);

// The status rules of RFC 8555 section 7.1.6, applied to an order after a change:
//  - a pending authorization past its expiry is expired;
//  - an authorization is valid once one challenge is valid, invalid once every
//    challenge has failed (one failure invalidates it, as Boulder and Pebble do);
//  - an order whose authorizations are all valid is ready (if it was pending); one
//    invalid, expired or deactivated authorization makes it invalid; a pending or
//    ready order past its expiry is invalid.
// Returns true when anything changed.
bool RecomputeStatus(Order& order, WallTime now);

// Lower-case hex of `bytes` random bytes (RAND_bytes): account and order ids.
std::string NewObjectId(std::size_t bytes = 16);

}  // namespace certplane::acme
