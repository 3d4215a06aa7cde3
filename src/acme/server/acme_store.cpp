#include "acme/server/acme_store.h"

#include <openssl/evp.h>

#include "acme/jwk.h"
#include "base/text.h"

#include <algorithm>
#include <cctype>

namespace certplane::acme {
namespace {

constexpr const char* kAccountKey = "account.json";
constexpr const char* kOrderKey = "order.json";

std::string Sha256Hex(std::string_view data, std::size_t hex_chars) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return LowerHex(std::string_view(reinterpret_cast<const char*>(digest), len)).substr(0, hex_chars);
}

bool IsLabelValue(std::string_view v) {
  if (v.empty() || v.size() > 63) return false;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(v.front()) || !alnum(v.back())) return false;
  return std::all_of(v.begin(), v.end(), [&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// The JSON stored under `key` of a ConfigMap, with the object's resourceVersion.
Result<std::pair<nlohmann::json, std::string>> ReadData(const nlohmann::json& cm, const char* key) {
  std::string name = cm.value("/metadata/name"_json_pointer, std::string());
  const nlohmann::json* data = cm.contains("data") ? &cm["data"] : nullptr;
  if (data == nullptr || !data->contains(key) || !(*data)[key].is_string()) {
    return Internal("ConfigMap " + name + " has no " + key);
  }
  nlohmann::json parsed = nlohmann::json::parse((*data)[key].get<std::string>(), nullptr, false);
  if (parsed.is_discarded()) return Internal("ConfigMap " + name + ": " + key + " is not JSON");
  return std::make_pair(std::move(parsed), cm.value("/metadata/resourceVersion"_json_pointer, std::string()));
}

Result<Account> DecodeAccount(const nlohmann::json& cm) {
  auto data = ReadData(cm, kAccountKey);
  if (!data.ok()) return data.status();
  ProblemOr<Account> account = AccountFromStorage(data->first);
  if (!account.ok()) return Internal(account.problem().detail);
  Account out = std::move(account).value();
  out.resource_version = data->second;
  return out;
}

Result<Order> DecodeOrder(const nlohmann::json& cm) {
  auto data = ReadData(cm, kOrderKey);
  if (!data.ok()) return data.status();
  ProblemOr<Order> order = OrderFromStorage(data->first);
  if (!order.ok()) return Internal(order.problem().detail);
  Order out = std::move(order).value();
  out.resource_version = data->second;
  return out;
}

template <typename T>
Result<std::optional<T>> Optional(kube::ApiResult<nlohmann::json> got, Result<T> (*decode)(const nlohmann::json&)) {
  if (!got.ok()) {
    if (got.status().code() == StatusCode::kNotFound) return std::optional<T>();
    return got.status();
  }
  Result<T> decoded = decode(*got);
  if (!decoded.ok()) return decoded.status();
  return std::optional<T>(std::move(decoded).value());
}

}  // namespace

std::string LabelValueFor(std::string_view name) {
  if (IsLabelValue(name)) return std::string(name);
  return "h-" + Sha256Hex(name, 40);
}

std::string KeyLabelValue(std::string_view thumbprint) { return Sha256Hex(thumbprint, 40); }

AcmeStore::AcmeStore(std::shared_ptr<kube::Client> client, std::string ns)
    : client_(std::move(client)), ns_(std::move(ns)) {}

nlohmann::json AcmeStore::AccountObject(const Account& account, std::string_view thumbprint) const {
  nlohmann::json metadata = {{"name", AccountObjectName(account.id)},
                             {"namespace", ns_},
                             {"labels",
                              {{"app.kubernetes.io/managed-by", "certplane"},
                               {std::string(kAcmeObjectLabel), "account"},
                               {std::string(kAcmeProfileLabel), LabelValueFor(account.profile)},
                               {std::string(kAcmeKeyLabel), KeyLabelValue(thumbprint)}}}};
  if (!account.resource_version.empty()) metadata["resourceVersion"] = account.resource_version;
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", std::move(metadata)},
          {"data", {{kAccountKey, AccountToStorage(account).dump()}}}};
}

nlohmann::json AcmeStore::OrderObject(const Order& order) const {
  nlohmann::json metadata = {{"name", OrderObjectName(order.id)},
                             {"namespace", ns_},
                             {"labels",
                              {{"app.kubernetes.io/managed-by", "certplane"},
                               {std::string(kAcmeObjectLabel), "order"},
                               {std::string(kAcmeProfileLabel), LabelValueFor(order.profile)},
                               {std::string(kAcmeAccountLabel), order.account_id}}}};
  if (!order.resource_version.empty()) metadata["resourceVersion"] = order.resource_version;
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", std::move(metadata)},
          {"data", {{kOrderKey, OrderToStorage(order).dump()}}}};
}

Result<Account> AcmeStore::CreateAccount(const Account& account, std::string_view thumbprint) {
  Account fresh = account;
  fresh.resource_version.clear();
  auto created = client_->Create(kube::kConfigMaps, ns_, AccountObject(fresh, thumbprint));
  if (!created.ok()) return created.status().WithContext("creating ACME account " + account.id);
  return DecodeAccount(*created);
}

Result<std::optional<Account>> AcmeStore::GetAccount(const std::string& id) {
  return Optional<Account>(client_->Get(kube::kConfigMaps, ns_, AccountObjectName(id)), &DecodeAccount);
}

Result<std::optional<Account>> AcmeStore::FindAccountByKey(const std::string& profile, std::string_view thumbprint) {
  kube::ListOptions options;
  options.label_selector = std::string(kAcmeObjectLabel) + "=account," + std::string(kAcmeProfileLabel) + "=" +
                           LabelValueFor(profile) + "," + std::string(kAcmeKeyLabel) + "=" + KeyLabelValue(thumbprint);
  auto page = client_->List(kube::kConfigMaps, ns_, options);
  if (!page.ok()) return page.status().WithContext("finding the ACME account of a key");
  for (const nlohmann::json& item : page->items) {
    Result<Account> account = DecodeAccount(item);
    if (!account.ok()) return account.status();
    // The label is a hash prefix; the stored key decides.
    ProblemOr<Jwk> key = Jwk::FromJson(account->key);
    if (account->profile == profile && key.ok() && key->Thumbprint() == thumbprint) {
      return std::optional<Account>(std::move(account).value());
    }
  }
  return std::optional<Account>();
}

Result<Account> AcmeStore::UpdateAccount(const Account& account, std::string_view thumbprint) {
  auto updated = client_->Update(kube::kConfigMaps, ns_, AccountObject(account, thumbprint));
  if (!updated.ok()) return updated.status().WithContext("updating ACME account " + account.id);
  return DecodeAccount(*updated);
}

Result<Order> AcmeStore::CreateOrder(const Order& order) {
  Order fresh = order;
  fresh.resource_version.clear();
  auto created = client_->Create(kube::kConfigMaps, ns_, OrderObject(fresh));
  if (!created.ok()) return created.status().WithContext("creating ACME order " + order.id);
  return DecodeOrder(*created);
}

Result<std::optional<Order>> AcmeStore::GetOrder(const std::string& id) {
  return Optional<Order>(client_->Get(kube::kConfigMaps, ns_, OrderObjectName(id)), &DecodeOrder);
}

Result<Order> AcmeStore::UpdateOrder(const Order& order) {
  auto updated = client_->Update(kube::kConfigMaps, ns_, OrderObject(order));
  if (!updated.ok()) return updated.status().WithContext("updating ACME order " + order.id);
  return DecodeOrder(*updated);
}

Result<std::vector<Order>> AcmeStore::OrdersOfAccount(const std::string& profile, const std::string& account_id) {
  kube::ListOptions options;
  options.label_selector = std::string(kAcmeObjectLabel) + "=order," + std::string(kAcmeProfileLabel) + "=" +
                           LabelValueFor(profile) + "," + std::string(kAcmeAccountLabel) + "=" + account_id;
  std::vector<Order> out;
  auto listed = client_->ListEach(kube::kConfigMaps, ns_, options, [&out](nlohmann::json&& item) {
    Result<Order> order = DecodeOrder(item);
    if (order.ok()) out.push_back(std::move(order).value());  // a damaged order is skipped, not fatal to the list
    return Status::Ok();
  });
  if (!listed.ok()) return listed.status().WithContext("listing the orders of ACME account " + account_id);
  return out;
}

Result<int> AcmeStore::DeleteStaleOrders(WallTime now) {
  kube::ListOptions options;
  options.label_selector = std::string(kAcmeObjectLabel) + "=order";
  std::vector<std::pair<std::string, std::string>> stale;  // name, uid
  auto listed = client_->ListEach(kube::kConfigMaps, ns_, options, [&](nlohmann::json&& item) {
    std::string name = item.value("/metadata/name"_json_pointer, std::string());
    std::string uid = item.value("/metadata/uid"_json_pointer, std::string());
    Result<Order> order = DecodeOrder(item);
    bool finished = order.ok() && (order->status == OrderStatus::kValid || order->status == OrderStatus::kInvalid);
    // A damaged order is left for a person to look at, never deleted unread.
    bool old = order.ok() && (finished ? now - order->created_at > std::chrono::hours(24 * 7)
                                       : now - order->expires > std::chrono::hours(24));
    if (old) stale.emplace_back(name, uid);
    return Status::Ok();
  });
  if (!listed.ok()) return listed.status().WithContext("listing ACME orders to collect");
  int deleted = 0;
  for (const auto& [name, uid] : stale) {
    kube::DeleteOptions del;
    del.precondition_uid = uid;
    auto result = client_->Delete(kube::kConfigMaps, ns_, name, del);
    if (result.ok()) ++deleted;
    else if (result.status().code() != StatusCode::kNotFound && result.status().code() != StatusCode::kConflict) {
      return result.status().WithContext("deleting ACME order " + name);
    }
  }
  return deleted;
}

}  // namespace certplane::acme
