#include "crl/crl_config_map.h"

#include <openssl/evp.h>

#include <charconv>
#include <cstdio>

#include "api/well_known.h"
#include "kube/base64.h"

namespace certplane::crl {
namespace {

// Shards are 0 .. kShardLimit - 1: the CRD's maximum for spec.crl.shards (crl_plan.h's
// kMaxCrlShards, not included here so that the cache does not depend on the planner).
constexpr std::int32_t kShardLimit = 1024;

// Canonical unsigned decimal: digits only, no leading zero unless the number is 0.
template <typename T>
std::optional<T> ParseDecimal(std::string_view text) {
  if (text.empty() || (text.size() > 1 && text.front() == '0')) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Reads the annotations into `out`; the first defect as a message, or "".
std::string ReadAnnotations(const kube::StringMap& annotations, CrlConfigMap& out) {
  if (const std::string* v = annotations.Find(api::kCrlNumberAnnotation)) {
    auto n = ParseDecimal<std::uint64_t>(*v);
    if (!n) return "annotation " + std::string(api::kCrlNumberAnnotation) + " \"" + *v + "\" is not a CRL number";
    out.number = *n;
  }
  if (const std::string* v = annotations.Find(api::kCrlEntriesAnnotation)) {
    auto n = ParseDecimal<std::int64_t>(*v);
    if (!n) return "annotation " + std::string(api::kCrlEntriesAnnotation) + " \"" + *v + "\" is not a count";
    out.entries = *n;
  }
  if (const std::string* v = annotations.Find(api::kDeltaCrlNumberAnnotation)) {
    auto n = ParseDecimal<std::uint64_t>(*v);
    if (!n || *n == 0) {
      return "annotation " + std::string(api::kDeltaCrlNumberAnnotation) + " \"" + *v + "\" is not a CRL number";
    }
    out.delta_number = *n;
  }
  for (auto [key, field] : {std::pair{api::kCrlThisUpdateAnnotation, &out.this_update},
                            std::pair{api::kCrlNextUpdateAnnotation, &out.next_update},
                            std::pair{api::kDeltaCrlThisUpdateAnnotation, &out.delta_this_update},
                            std::pair{api::kDeltaCrlNextUpdateAnnotation, &out.delta_next_update}}) {
    const std::string* v = annotations.Find(key);
    if (v == nullptr) continue;
    Result<api::Time> t = api::ParseTime(*v);
    if (!t.ok()) return "annotation " + std::string(key) + ": " + t.status().message();
    *field = *t;
  }
  return {};
}

// The decoded binaryData[key], or the defect.
Result<std::string> ReadDer(const nlohmann::json& config_map, std::string_view data_key) {
  const std::string key(data_key);
  auto binary = config_map.find("binaryData");
  if (binary == config_map.end() || !binary->is_object()) return InvalidArgument("binaryData " + key + " is missing");
  auto v = binary->find(key);
  if (v == binary->end()) return InvalidArgument("binaryData " + key + " is missing");
  if (!v->is_string()) return InvalidArgument("binaryData " + key + " is not a string");
  std::optional<std::string> der = kube::Base64Decode(v->get_ref<const std::string&>());
  if (!der) return InvalidArgument("binaryData " + key + " is not valid base64");
  if (der->empty()) return InvalidArgument("binaryData " + key + " is empty");
  return std::move(*der);
}

// Fills everything but metadata; the first defect as a message, or "".
std::string Read(const nlohmann::json& config_map, CrlConfigMap& out) {
  const kube::StringMap& labels = out.metadata.labels;
  const std::string* ca = labels.Find(api::kCaNameLabel);
  if (ca == nullptr || ca->empty()) return "label " + std::string(api::kCaNameLabel) + " is missing";
  out.ca_name = *ca;
  const std::string* shard_text = labels.Find(api::kCrlShardLabel);
  std::optional<std::int32_t> shard = shard_text ? ParseCrlShard(*shard_text) : std::nullopt;
  if (!shard) {
    return "label " + std::string(api::kCrlShardLabel) + " \"" + (shard_text ? *shard_text : "") +
           "\" is not a shard number 0.." + std::to_string(kShardLimit - 1);
  }
  out.shard = *shard;
  if (std::string want = CrlConfigMapName(out.ca_name, out.shard); out.metadata.name != want) {
    return "the labels name CA \"" + out.ca_name + "\" shard " + std::to_string(out.shard) + ", whose ConfigMap is " +
           want;
  }
  if (std::string defect = ReadAnnotations(out.metadata.annotations, out); !defect.empty()) return defect;
  Result<std::string> der = ReadDer(config_map, api::kCrlDerKey);
  if (!der.ok()) return der.status().message();
  out.der = std::move(*der);
  out.etag = CrlEtag(out.der);
  if (out.delta_number != 0) {
    // A delta announced but unreadable would let the OCSP responder miss a revocation
    // that only the delta lists: the shard is unusable until it is written again.
    Result<std::string> delta = ReadDer(config_map, api::kDeltaCrlDerKey);
    if (!delta.ok()) return delta.status().message();
    out.delta.etag = CrlEtag(*delta);
    out.delta.der = std::move(*delta);
  }
  if (const std::string* id = out.metadata.annotations.Find(api::kCrlKeyIdAnnotation)) out.key_id = *id;
  // The retired keys' CRLs: one that does not decode is left out (it answers 404), as it
  // must not make the current key's CRL unservable.
  if (auto binary = config_map.find("binaryData"); binary != config_map.end() && binary->is_object()) {
    for (const auto& [key, value] : binary->items()) {
      const bool delta = key.starts_with(api::kDeltaCrlRetiredDerPrefix);
      const std::string_view prefix = delta ? api::kDeltaCrlRetiredDerPrefix : api::kCrlRetiredDerPrefix;
      if (!key.starts_with(prefix) || !key.ends_with(".der") || key.size() <= prefix.size() + 4) continue;
      if (!value.is_string()) continue;
      std::optional<std::string> bytes = kube::Base64Decode(value.get_ref<const std::string&>());
      if (!bytes || bytes->empty()) continue;
      std::string id = key.substr(prefix.size(), key.size() - prefix.size() - 4);
      // A retired key's delta over a base that is not published would be meaningless.
      if (delta && (out.delta_number == 0 || !out.retired.contains(id))) continue;
      (delta ? out.retired_deltas : out.retired)[id] = CrlConfigMap::KeyedCrl{*bytes, CrlEtag(*bytes)};
    }
  }
  return {};
}

}  // namespace

std::string CrlConfigMapName(const std::string& ca, std::int32_t shard) {
  std::string name = "certplane-crl-" + ca;
  if (shard != 0) name += ".shard-" + std::to_string(shard);
  return name;
}

std::optional<CrlConfigMap::KeyedCrlView> CrlConfigMap::ForKey(const std::string& id) const {
  if (!usable() || id.empty()) return std::nullopt;
  if (id == key_id) return KeyedCrlView{der, etag};
  auto it = retired.find(id);
  if (it == retired.end()) return std::nullopt;
  return KeyedCrlView{it->second.der, it->second.etag};
}

std::string RetiredCrlDataKey(const std::string& key_id) {
  return std::string(api::kCrlRetiredDerPrefix) + key_id + ".der";
}

std::string RetiredDeltaCrlDataKey(const std::string& key_id) {
  return std::string(api::kDeltaCrlRetiredDerPrefix) + key_id + ".der";
}

std::optional<CrlConfigMap::KeyedCrlView> CrlConfigMap::DeltaForKey(const std::string& id) const {
  if (!usable() || id.empty() || delta_number == 0) return std::nullopt;
  if (id == key_id) return KeyedCrlView{delta.der, delta.etag};
  auto it = retired_deltas.find(id);
  if (it == retired_deltas.end()) return std::nullopt;
  return KeyedCrlView{it->second.der, it->second.etag};
}

bool IsCrlShardLikeCaName(std::string_view ca) {
  constexpr std::string_view kSuffix = ".shard-";
  std::size_t digits = 0;
  while (digits < ca.size() && ca[ca.size() - 1 - digits] >= '0' && ca[ca.size() - 1 - digits] <= '9') ++digits;
  if (digits == 0) return false;
  return ca.substr(0, ca.size() - digits).ends_with(kSuffix);
}

std::optional<std::int32_t> ParseCrlShard(std::string_view text) {
  auto n = ParseDecimal<std::int32_t>(text);
  if (!n || *n >= kShardLimit) return std::nullopt;
  return n;
}

std::string CrlEtag(std::string_view der) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest allocates nothing the caller must free. It fails only if OpenSSL cannot
  // fetch SHA-256, which the rest of certplane cannot live without either.
  if (EVP_Digest(der.data(), der.size(), md, &len, EVP_sha256(), nullptr) != 1 || len < 8) return "\"\"";
  std::string out = "\"";
  char hex[3];
  for (unsigned int i = 0; i < 8; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", md[i]);
    out += hex;
  }
  out += '"';
  return out;
}

Result<CrlConfigMap> DecodeCrlConfigMap(const nlohmann::json& config_map) {
  CrlConfigMap out;
  try {
    out.metadata = config_map.at("metadata").get<kube::ObjectMeta>();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("CRL ConfigMap metadata: ") + e.what());
  }
  if (std::string defect = Read(config_map, out); !defect.empty()) {
    out.invalid = std::move(defect);
    out.der.clear();
    out.etag.clear();
    out.delta = {};
  }
  return out;
}

}  // namespace certplane::crl
