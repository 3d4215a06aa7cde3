// AcmeStore: the ACME server's accounts and orders, kept in the API server so that
// they survive restarts and any replica can answer any request.
//
// Each account and each order is one ConfigMap in the controller's namespace
// (certplane-acme-account-<id>, certplane-acme-order-<id>) holding its storage JSON
// (objects.h) under account.json / order.json. Nothing secret is in them: account
// keys are public keys, orders hold identifiers, tokens and status. Every read is a
// direct GET or a labelled LIST, never a cache, so a replica sees the write another
// replica just made; every update is conditional on the resourceVersion read, so two
// replicas validating or finalizing at once cannot overwrite each other (the loser
// gets kConflict, re-reads and decides again).
//
//   AcmeStore store(client, "certplane-system");
//   Result<std::optional<Order>> order = store.GetOrder(id);
//   order->status = OrderStatus::kReady;
//   Result<Order> written = store.UpdateOrder(*order);   // kConflict: someone was first
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "acme/objects.h"
#include "base/result.h"
#include "kube/rest_client.h"

namespace certplane::acme {

inline constexpr std::string_view kAcmeProfileLabel = "certplane.io/acme-profile";
inline constexpr std::string_view kAcmeObjectLabel = "certplane.io/acme-object";    // "account" or "order"
inline constexpr std::string_view kAcmeAccountLabel = "certplane.io/acme-account";  // an order's account id
inline constexpr std::string_view kAcmeKeyLabel = "certplane.io/acme-key";          // an account key's identity

// A label value naming `name`: the name itself when it is a valid label value,
// otherwise "h-" and 40 hex digits of its SHA-256 (profile names may be 253 long).
std::string LabelValueFor(std::string_view name);
// The value of kAcmeKeyLabel for a JWK thumbprint: 40 hex digits of its SHA-256.
std::string KeyLabelValue(std::string_view thumbprint);

class AcmeStore {
 public:
  AcmeStore(std::shared_ptr<kube::Client> client, std::string ns);

  // kAlreadyExists when the id is taken.
  Result<Account> CreateAccount(const Account& account, std::string_view thumbprint);
  // nullopt when there is none; a damaged object is an error naming it.
  Result<std::optional<Account>> GetAccount(const std::string& id);
  Result<std::optional<Account>> FindAccountByKey(const std::string& profile, std::string_view thumbprint);
  // Conditional on account.resource_version; kConflict when it moved. `thumbprint`
  // relabels the account after a key change.
  Result<Account> UpdateAccount(const Account& account, std::string_view thumbprint);

  Result<Order> CreateOrder(const Order& order);
  Result<std::optional<Order>> GetOrder(const std::string& id);
  Result<Order> UpdateOrder(const Order& order);
  Result<std::vector<Order>> OrdersOfAccount(const std::string& profile, const std::string& account_id);

  // Deletes orders that can no longer matter: unfinished ones a day past their
  // expiry, finished ones (valid or invalid) a week after they were created. Returns
  // how many it deleted.
  Result<int> DeleteStaleOrders(WallTime now);

  static std::string AccountObjectName(const std::string& id) { return "certplane-acme-account-" + id; }
  static std::string OrderObjectName(const std::string& id) { return "certplane-acme-order-" + id; }

 private:
  nlohmann::json AccountObject(const Account& account, std::string_view thumbprint) const;
  nlohmann::json OrderObject(const Order& order) const;

  std::shared_ptr<kube::Client> client_;
  std::string ns_;
};

}  // namespace certplane::acme
