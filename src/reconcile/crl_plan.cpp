#include "reconcile/crl_plan.h"

#include <algorithm>

namespace certplane::reconcile {
namespace {

constexpr std::string_view kShardPlaceholder = "{shard}";

std::string Replace(std::string url, std::string_view placeholder, const std::string& with) {
  for (auto pos = url.find(placeholder); pos != std::string::npos; pos = url.find(placeholder, pos + with.size())) {
    url.replace(pos, placeholder.size(), with);
  }
  return url;
}

std::string Replace(std::string url, const std::string& with) {
  return Replace(std::move(url), kShardPlaceholder, with);
}

}  // namespace

std::vector<std::string> ShardCrlUrls(const CrlUrlSource& source, std::int32_t shard) {
  const std::string k = std::to_string(shard);
  std::vector<std::string> out;
  if (!source.spec_urls.empty()) {
    for (const auto& url : source.spec_urls) {
      if (shard > 0 && url.find(kShardPlaceholder) == std::string::npos) continue;
      out.push_back(Replace(url, k));
    }
    return out;
  }
  if (source.public_base_url.empty()) return out;
  return {source.public_base_url + "/crl/" + source.ca + "/" + std::string(kCrlKeyPlaceholder) + "/" + k + ".crl"};
}

std::vector<std::string> ShardDeltaCrlUrls(const CrlUrlSource& source, std::int32_t shard) {
  if (!source.deltas) return {};
  const std::string k = std::to_string(shard);
  std::vector<std::string> out;
  if (!source.delta_spec_urls.empty()) {
    for (const auto& url : source.delta_spec_urls) {
      if (shard > 0 && url.find(kShardPlaceholder) == std::string::npos) continue;
      out.push_back(Replace(url, k));
    }
    return out;
  }
  if (source.public_base_url.empty()) return out;
  return {source.public_base_url + "/crl/" + source.ca + "/" + std::string(kCrlKeyPlaceholder) + "/" + k +
          ".delta.crl"};
}

std::vector<std::string> LegacyShardCrlUrls(const CrlUrlSource& source, std::int32_t shard) {
  std::vector<std::string> out;
  if (!source.spec_urls.empty()) {
    for (auto& url : ShardCrlUrls(source, shard)) {
      if (url.find(kCrlKeyPlaceholder) == std::string::npos) out.push_back(std::move(url));
    }
    return out;
  }
  if (source.public_base_url.empty()) return out;
  if (shard == 0) return {source.public_base_url + "/crl/" + source.ca + ".crl"};
  return {source.public_base_url + "/crl/" + source.ca + "/" + std::to_string(shard) + ".crl"};
}

std::vector<std::string> CrlUrlsForKey(const std::vector<std::string>& templates, const std::string& key_id) {
  std::vector<std::string> out;
  for (const auto& url : templates) {
    if (url.find(kCrlKeyPlaceholder) != std::string::npos) {
      if (key_id.empty()) continue;
      out.push_back(Replace(url, kCrlKeyPlaceholder, key_id));
    } else {
      out.push_back(url);
    }
  }
  return out;
}

std::vector<std::string> ShardIdpUrls(const CrlUrlSource& source, std::int32_t shard, const std::string& key_id) {
  std::vector<std::string> out = CrlUrlsForKey(ShardCrlUrls(source, shard), key_id);
  for (auto& url : LegacyShardCrlUrls(source, shard)) {
    if (std::find(out.begin(), out.end(), url) == out.end()) out.push_back(std::move(url));
  }
  return out;
}

bool CanShard(const CrlUrlSource& source) { return !ShardCrlUrls(source, 1).empty(); }

std::int32_t ChooseShard(const ShardChoiceInput& in) {
  const std::int32_t in_use = std::clamp<std::int32_t>(
      std::max<std::int32_t>(in.configured_shards, static_cast<std::int32_t>(in.load.size())), 1, kMaxCrlShards);
  auto load_of = [&](std::int32_t s) { return s < static_cast<std::int32_t>(in.load.size()) ? in.load[s] : 0; };
  const std::int64_t room = std::max<std::int64_t>(1, static_cast<std::int64_t>(in.max_entries_per_shard) * 9 / 10);

  std::vector<std::int32_t> open;
  for (std::int32_t s = 0; s < in_use; ++s) {
    if (load_of(s) < room) open.push_back(s);
  }
  if (!open.empty()) return open[in.pick % open.size()];
  if (in.can_grow && in_use < kMaxCrlShards) return in_use;
  std::int32_t least = 0;
  for (std::int32_t s = 1; s < in_use; ++s) {
    if (load_of(s) < load_of(least)) least = s;
  }
  return least;
}

}  // namespace certplane::reconcile
