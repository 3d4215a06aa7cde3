#include "reconcile/crl_plan.h"

#include <algorithm>

namespace certplane::reconcile {
namespace {

constexpr std::string_view kShardPlaceholder = "{shard}";

std::string Replace(std::string url, const std::string& with) {
  for (auto pos = url.find(kShardPlaceholder); pos != std::string::npos;
       pos = url.find(kShardPlaceholder, pos + with.size())) {
    url.replace(pos, kShardPlaceholder.size(), with);
  }
  return url;
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
  if (shard == 0) return {source.public_base_url + "/crl/" + source.ca + ".crl"};
  return {source.public_base_url + "/crl/" + source.ca + "/" + k + ".crl"};
}

bool CanShard(const CrlUrlSource& source) { return !ShardCrlUrls(source, 1).empty(); }

std::int32_t ChooseShard(const ShardChoiceInput& in) {
  const std::int32_t in_use =
      std::clamp<std::int32_t>(std::max<std::int32_t>(in.configured_shards, static_cast<std::int32_t>(in.load.size())),
                               1, kMaxCrlShards);
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
