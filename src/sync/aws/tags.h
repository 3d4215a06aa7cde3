// Tags as the AWS JSON protocol writes them ([{"Key": k, "Value": v}, ...]) and the set
// certplane puts on everything it creates: the Certificate's uid (how a later push finds
// the object again), its "<namespace>/<name>", and the user's own tags.
//
//   nlohmann::json tags = TagList(CertplaneTags(target, options.tags));
//   SyncResult<TagMap> read = ReadTagList(response, "Tags");
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sync/destination.h"

namespace certplane::sync::aws {

using TagMap = std::map<std::string, std::string>;

// The user's tags plus ours; ours win over a user tag of the same key.
TagMap CertplaneTags(const PushTarget& target, const TagMap& user_tags);

nlohmann::json TagList(const TagMap& tags);

// The tags in body[member]: an absent member is no tags; kUnavailable when it is not an
// array of objects with string Key (and string or absent Value).
SyncResult<TagMap> ReadTagList(const nlohmann::json& body, std::string_view member);

// Whether `tags` says the object belongs to the Certificate with this uid.
bool TaggedFor(const TagMap& tags, std::string_view certificate_uid);

}  // namespace certplane::sync::aws
