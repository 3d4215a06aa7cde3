// ObjectMeta and the small trimmed object types the kube runtime caches.
//
// The informer caches typed, trimmed objects, never JSON trees: a 2 KB object held as
// nlohmann::json costs about 14 KB. These structs keep only what controllers read;
// managedFields and the kubectl last-applied-configuration annotation are dropped.
// Each type has from_json (and to_json where it is written back), so it works both
// with Informer<T> and with the typed REST helpers (As<T>).
//
//   InformerOptions<PartialObjectMetadata> options;
//   options.resource = kSecrets;
//   options.metadata_only = true;            // the server sends metadata only
//   Informer<PartialObjectMetadata> secrets(client, options);
//   const std::string* owner = secret->metadata.labels.Find("certplane.io/certificate");
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace certplane::kube {

// A small sorted string map (labels, annotations, data) that costs two strings per
// entry and nothing more.
class StringMap {
 public:
  StringMap() = default;
  StringMap(std::initializer_list<std::pair<std::string, std::string>> entries);

  const std::string* Find(std::string_view key) const;
  void Set(std::string key, std::string value);
  bool Erase(std::string_view key);
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  friend bool operator==(const StringMap&, const StringMap&) = default;

 private:
  std::vector<std::pair<std::string, std::string>> entries_;  // sorted by key
};

void to_json(nlohmann::json& j, const StringMap& m);
void from_json(const nlohmann::json& j, StringMap& m);

struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
  bool block_owner_deletion = false;
  friend bool operator==(const OwnerReference&, const OwnerReference&) = default;
};

struct ObjectMeta {
  std::string name;
  std::string ns;  // "namespace"
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
  std::string creation_timestamp;
  std::string deletion_timestamp;  // empty unless being deleted
  StringMap labels;
  StringMap annotations;  // without kubectl.kubernetes.io/last-applied-configuration
  std::vector<OwnerReference> owner_references;
  std::vector<std::string> finalizers;
  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

// Writes only the fields that are set (what a create or update needs).
void to_json(nlohmann::json& j, const ObjectMeta& m);
void from_json(const nlohmann::json& j, ObjectMeta& m);

// Any object reduced to its metadata; what a metadata-only informer caches.
struct PartialObjectMetadata {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
};
void from_json(const nlohmann::json& j, PartialObjectMetadata& o);

struct ConfigMap {
  ObjectMeta metadata;
  StringMap data;
  StringMap binary_data;  // base64 values as the API carries them
};
void to_json(nlohmann::json& j, const ConfigMap& c);
void from_json(const nlohmann::json& j, ConfigMap& c);

// A Secret with its data (base64 values as the API carries them). Prefer a
// metadata-only informer, or a label selector, over caching every Secret.
struct Secret {
  ObjectMeta metadata;
  std::string type;
  StringMap data;
};
void to_json(nlohmann::json& j, const Secret& s);
void from_json(const nlohmann::json& j, Secret& s);

// coordination.k8s.io/v1 Lease, as leader election uses it.
struct Lease {
  ObjectMeta metadata;
  std::string holder_identity;
  std::optional<int32_t> lease_duration_seconds;
  std::string acquire_time;  // RFC 3339 with microseconds ("MicroTime")
  std::string renew_time;
  int32_t lease_transitions = 0;
};
void to_json(nlohmann::json& j, const Lease& l);
void from_json(const nlohmann::json& j, Lease& l);

// The least of its metadata an object needs to be cached by an informer: its key and
// its version. A cached type whose readers need nothing else of the metadata (the
// certificate Secrets, reduced to facts) carries this instead of an ObjectMeta, which
// is 296 bytes even when its strings are empty.
struct ObjectId {
  std::string name;
  std::string ns;  // "namespace"
  std::string resource_version;
  friend bool operator==(const ObjectId&, const ObjectId&) = default;
};

// "namespace/name", or "name" when the namespace is empty.
inline std::string ObjectKey(const ObjectMeta& m) { return m.ns.empty() ? m.name : m.ns + "/" + m.name; }
inline std::string ObjectKey(const ObjectId& m) { return m.ns.empty() ? m.name : m.ns + "/" + m.name; }

}  // namespace certplane::kube
