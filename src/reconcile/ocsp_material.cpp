#include "reconcile/ocsp_material.h"

#include <algorithm>
#include <charconv>

#include <openssl/crypto.h>

#include "crl/ca_key_id.h"
#include "kube/base64.h"
#include "kube/secret_data.h"
#include "pki/key.h"
#include "pki/serial.h"
#include "reconcile/ca_material.h"

namespace certplane::reconcile {
namespace {

constexpr std::string_view kCrtSuffix = ".crt";
constexpr std::string_view kKeySuffix = ".key";

Result<kube::ObjectMeta> MetadataOf(const nlohmann::json& object, std::string_view kind) {
  try {
    return object.at("metadata").get<kube::ObjectMeta>();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string(kind) + " metadata: " + e.what());
  }
}

std::string LabelOf(const kube::ObjectMeta& meta, std::string_view label) {
  const std::string* v = meta.labels.Find(label);
  return v != nullptr ? *v : std::string();
}

// One identity from "<id>.crt" (signer, then issuer) and "<id>.key".
Result<OcspIdentity> LoadIdentity(const std::string& key_id, const std::string& crt, std::string key_pem) {
  auto chain = pki::ParseCertificateChainPem(crt);
  auto key = pki::ParsePrivateKeyPem(key_pem);
  OPENSSL_cleanse(key_pem.data(), key_pem.size());
  if (!chain.ok()) return chain.status().WithContext(key_id + std::string(kCrtSuffix));
  if (chain->size() != 2) return InvalidArgument(key_id + ".crt must hold the responder certificate then its CA's");
  if (!key.ok()) return key.status().WithContext(key_id + std::string(kKeySuffix));
  if (Status s = pki::CheckKeyMatchesCertificate(*key, chain->front()); !s.ok()) return s.WithContext(key_id);
  if (crl::CaKeyId((*chain)[1]) != key_id)
    return InvalidArgument(key_id + ".crt: the CA certificate is of another key");
  return OcspIdentity{.key_id = key_id, .issuer = (*chain)[1], .signer = {.certificate = chain->front(), .key = *key}};
}

}  // namespace

std::string OcspSignerSecretName(const std::string& ca) { return "certplane-ocsp-" + ca; }
std::string IssuedSerialsConfigMapName(const std::string& ca, int shard) {
  std::string name = "certplane-issued-" + ca;
  if (shard != 0) name += ".shard-" + std::to_string(shard);
  return name;
}

const OcspIdentity* OcspSignerSecret::Find(const std::string& key_id) const {
  auto it = std::find_if(identities.begin(), identities.end(), [&](const auto& i) { return i.key_id == key_id; });
  return it == identities.end() ? nullptr : &*it;
}

Result<OcspSignerSecret> DecodeOcspSignerSecret(const nlohmann::json& secret) {
  auto meta = MetadataOf(secret, "Secret");
  if (!meta.ok()) return meta.status();
  OcspSignerSecret out;
  out.metadata = std::move(*meta);
  out.ca_name = LabelOf(out.metadata, kOcspSignerOfLabel);
  auto data = secret.find("data");
  if (data == secret.end() || !data->is_object()) return out;
  for (const auto& [name, value] : data->items()) {
    std::string_view n = name;
    if (!n.ends_with(kCrtSuffix)) continue;
    const std::string key_id(n.substr(0, n.size() - kCrtSuffix.size()));
    if (!crl::IsCaKeyId(key_id)) continue;
    std::string key_pem = kube::SecretDataValue(secret, key_id + std::string(kKeySuffix));
    if (key_pem.empty()) {
      out.invalid[key_id] = "no " + key_id + ".key";
      continue;
    }
    auto identity = LoadIdentity(key_id, kube::SecretDataValue(secret, name), std::move(key_pem));
    if (!identity.ok()) {
      out.invalid[key_id] = identity.status().message();
      continue;
    }
    out.identities.push_back(std::move(*identity));
  }
  std::sort(out.identities.begin(), out.identities.end(),
            [](const auto& a, const auto& b) { return a.key_id < b.key_id; });
  return out;
}

Result<nlohmann::json> EncodeOcspSignerData(const std::vector<OcspIdentity>& identities) {
  nlohmann::json data = nlohmann::json::object();
  for (const OcspIdentity& id : identities) {
    auto key = id.signer.key.ToPkcs8Pem();
    if (!key.ok()) return key.status().WithContext("encoding the OCSP responder key of " + id.key_id);
    data[id.key_id + std::string(kCrtSuffix)] = kube::Base64Encode(id.signer.certificate.ToPem() + id.issuer.ToPem());
    data[id.key_id + std::string(kKeySuffix)] = kube::Base64Encode(key->view());
  }
  return data;
}

Result<IssuedSerials> DecodeIssuedSerialsConfigMap(const nlohmann::json& config_map) {
  auto meta = MetadataOf(config_map, "ConfigMap");
  if (!meta.ok()) return meta.status();
  IssuedSerials out;
  out.metadata = std::move(*meta);
  out.ca_name = LabelOf(out.metadata, kIssuedSerialsOfLabel);
  if (std::string shard = LabelOf(out.metadata, kIssuedSerialsShardLabel); !shard.empty()) {
    auto [ptr, ec] = std::from_chars(shard.data(), shard.data() + shard.size(), out.shard);
    if (ec != std::errc() || ptr != shard.data() + shard.size() || out.shard < 0) out.shard = -1;
  }
  std::string text;
  if (auto d = config_map.find("data"); d != config_map.end() && d->is_object()) {
    text = d->value(std::string(kIssuedSerialsKey), "");
  }
  auto serials = ParseIssuedSerials(text);
  if (!serials.ok()) {
    out.invalid = serials.status().message();
    return out;
  }
  out.serials = std::move(*serials);
  return out;
}

namespace {

void AppendIssuedSerial(std::string& out, const std::string& serial, std::int64_t not_after) {
  out += serial;
  out += ' ';
  out += std::to_string(not_after);
  out += '\n';
}

}  // namespace

std::string FormatIssuedSerials(const IssuedSerialMap& serials) {
  std::string out;
  out.reserve(serials.size() * 45);
  for (const auto& [serial, not_after] : serials) AppendIssuedSerial(out, serial, not_after);
  return out;
}

std::string FormatIssuedSerials(const IssuedSerialMap& recorded, const IssuedSerialMap& added, std::int64_t now_unix) {
  std::string out;
  out.reserve((recorded.size() + added.size()) * 45);
  auto r = recorded.begin();
  auto a = added.begin();
  while (r != recorded.end() || a != added.end()) {
    const bool take_recorded = a == added.end() || (r != recorded.end() && r->first <= a->first);
    if (take_recorded) {
      if (a != added.end() && a->first == r->first) ++a;  // the record's notAfter stands
      if (r->second >= now_unix) AppendIssuedSerial(out, r->first, r->second);
      ++r;
    } else {
      AppendIssuedSerial(out, a->first, a->second);
      ++a;
    }
  }
  return out;
}

Result<IssuedSerialMap> ParseIssuedSerials(std::string_view text) {
  IssuedSerialMap out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const std::size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (line.empty()) continue;
    const std::size_t space = line.find(' ');
    auto bad = [&](std::string_view why) {
      return InvalidArgument(std::string(kIssuedSerialsKey) + " line " + std::to_string(line_no) + ": " +
                             std::string(why));
    };
    if (space == std::string_view::npos) return bad("expected \"<serial hex> <notAfter>\"");
    auto serial = pki::SerialNumber::FromHex(line.substr(0, space));
    if (!serial.ok()) return bad(serial.status().message());
    std::int64_t not_after = 0;
    std::string_view t = line.substr(space + 1);
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), not_after);
    if (ec != std::errc() || ptr != t.data() + t.size()) return bad("notAfter is not a number");
    out[serial->ToHex()] = not_after;
  }
  return out;
}

std::vector<IssuedSerialShardPlan> PlanIssuedSerialShards(
    const std::vector<std::shared_ptr<const IssuedSerials>>& shards, const IssuedSerialMap& added,
    std::int64_t now_unix, std::size_t per_shard) {
  per_shard = std::max<std::size_t>(per_shard, 1);
  std::vector<IssuedSerialShardPlan> plans;
  for (const auto& cached : shards) {
    IssuedSerialShardPlan plan{.shard = cached->shard, .cached = cached};
    if (cached->invalid.empty()) {
      plan.expired = static_cast<std::size_t>(std::count_if(cached->serials.begin(), cached->serials.end(),
                                                            [&](const auto& kv) { return kv.second < now_unix; }));
      plan.live = cached->serials.size() - plan.expired;
    }
    plans.push_back(std::move(plan));
  }
  std::sort(plans.begin(), plans.end(), [](const auto& a, const auto& b) { return a.shard < b.shard; });
  if (plans.empty()) plans.push_back({.shard = 0});
  auto room = [per_shard](const IssuedSerialShardPlan& p) {
    const std::size_t used = p.live + p.added.size();
    return used < per_shard ? per_shard - used : 0;
  };
  size_t at = 0;     // the plan taking serials now
  int next_new = 0;  // the lowest shard number not yet looked at for a new shard
  for (const auto& [serial, not_after] : added) {
    while (at < plans.size() && room(plans[at]) == 0) ++at;
    if (at == plans.size()) {
      auto in_use = [&plans](int k) {
        return std::any_of(plans.begin(), plans.end(), [k](const auto& p) { return p.shard == k; });
      };
      while (in_use(next_new)) ++next_new;
      plans.push_back({.shard = next_new});
    }
    plans[at].added.emplace(serial, not_after);
  }
  std::sort(plans.begin(), plans.end(), [](const auto& a, const auto& b) { return a.shard < b.shard; });
  return plans;
}

}  // namespace certplane::reconcile
