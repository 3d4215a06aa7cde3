#include "sync/aws/tags.h"

namespace certplane::sync::aws {

using json = nlohmann::json;

TagMap CertplaneTags(const PushTarget& target, const TagMap& user_tags) {
  TagMap tags = user_tags;
  tags[kCertificateUidTag] = target.certificate_uid;
  if (!target.certificate.empty()) tags[kCertificateTag] = target.certificate;
  return tags;
}

json TagList(const TagMap& tags) {
  json list = json::array();
  for (const auto& [key, value] : tags) list.push_back({{"Key", key}, {"Value", value}});
  return list;
}

SyncResult<TagMap> ReadTagList(const json& body, std::string_view member) {
  TagMap tags;
  if (!body.is_object()) return tags;
  auto it = body.find(member);
  if (it == body.end() || it->is_null()) return tags;
  auto malformed = [&] {
    return SyncError{Status(StatusCode::kUnavailable, "the answer's " + std::string(member) + " is not a list of tags"),
                     "", std::nullopt};
  };
  if (!it->is_array()) return malformed();
  for (const json& tag : *it) {
    if (!tag.is_object()) return malformed();
    auto key = tag.find("Key");
    auto value = tag.find("Value");
    if (key == tag.end() || !key->is_string()) return malformed();
    if (value != tag.end() && !value->is_string() && !value->is_null()) return malformed();
    tags[key->get<std::string>()] = (value == tag.end() || value->is_null()) ? "" : value->get<std::string>();
  }
  return tags;
}

bool TaggedFor(const TagMap& tags, std::string_view certificate_uid) {
  auto it = tags.find(kCertificateUidTag);
  return it != tags.end() && !certificate_uid.empty() && it->second == certificate_uid;
}

}  // namespace certplane::sync::aws
