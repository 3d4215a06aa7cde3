#include "kube/object_meta.h"

#include <algorithm>

namespace certplane::kube {
namespace {

constexpr std::string_view kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

}  // namespace

StringMap::StringMap(std::initializer_list<std::pair<std::string, std::string>> entries) {
  for (const auto& [k, v] : entries) Set(k, v);
}

const std::string* StringMap::Find(std::string_view key) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                             [](const auto& e, std::string_view k) { return e.first < k; });
  if (it == entries_.end() || it->first != key) return nullptr;
  return &it->second;
}

void StringMap::Set(std::string key, std::string value) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                             [](const auto& e, const std::string& k) { return e.first < k; });
  if (it != entries_.end() && it->first == key) {
    it->second = std::move(value);
  } else {
    entries_.emplace(it, std::move(key), std::move(value));
  }
}

bool StringMap::Erase(std::string_view key) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                             [](const auto& e, std::string_view k) { return e.first < k; });
  if (it == entries_.end() || it->first != key) return false;
  entries_.erase(it);
  return true;
}

void to_json(nlohmann::json& j, const StringMap& m) {
  j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = v;
}

void from_json(const nlohmann::json& j, StringMap& m) {
  m = StringMap();
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) m.Set(it.key(), it.value().get<std::string>());
  }
}

void to_json(nlohmann::json& j, const ObjectMeta& m) {
  j = nlohmann::json::object();
  if (!m.name.empty()) j["name"] = m.name;
  if (!m.ns.empty()) j["namespace"] = m.ns;
  if (!m.uid.empty()) j["uid"] = m.uid;
  if (!m.resource_version.empty()) j["resourceVersion"] = m.resource_version;
  if (!m.labels.empty()) j["labels"] = m.labels;
  if (!m.annotations.empty()) j["annotations"] = m.annotations;
  if (!m.finalizers.empty()) j["finalizers"] = m.finalizers;
  if (!m.owner_references.empty()) {
    auto& refs = j["ownerReferences"] = nlohmann::json::array();
    for (const auto& r : m.owner_references) {
      nlohmann::json ref = {{"apiVersion", r.api_version}, {"kind", r.kind}, {"name", r.name}, {"uid", r.uid}};
      if (r.controller) ref["controller"] = true;
      if (r.block_owner_deletion) ref["blockOwnerDeletion"] = true;
      refs.push_back(std::move(ref));
    }
  }
}

void from_json(const nlohmann::json& j, ObjectMeta& m) {
  m = ObjectMeta();
  if (!j.is_object()) return;
  m.name = Str(j, "name");
  m.ns = Str(j, "namespace");
  m.uid = Str(j, "uid");
  m.resource_version = Str(j, "resourceVersion");
  if (auto it = j.find("generation"); it != j.end() && it->is_number_integer()) m.generation = it->get<int64_t>();
  m.creation_timestamp = Str(j, "creationTimestamp");
  m.deletion_timestamp = Str(j, "deletionTimestamp");
  if (auto it = j.find("labels"); it != j.end()) from_json(*it, m.labels);
  if (auto it = j.find("annotations"); it != j.end()) {
    from_json(*it, m.annotations);
    m.annotations.Erase(kLastApplied);
  }
  if (auto it = j.find("finalizers"); it != j.end() && it->is_array()) {
    for (const auto& f : *it) {
      if (f.is_string()) m.finalizers.push_back(f.get<std::string>());
    }
  }
  if (auto it = j.find("ownerReferences"); it != j.end() && it->is_array()) {
    for (const auto& r : *it) {
      if (!r.is_object()) continue;
      OwnerReference ref;
      ref.api_version = Str(r, "apiVersion");
      ref.kind = Str(r, "kind");
      ref.name = Str(r, "name");
      ref.uid = Str(r, "uid");
      if (auto c = r.find("controller"); c != r.end() && c->is_boolean()) ref.controller = c->get<bool>();
      if (auto b = r.find("blockOwnerDeletion"); b != r.end() && b->is_boolean()) {
        ref.block_owner_deletion = b->get<bool>();
      }
      m.owner_references.push_back(std::move(ref));
    }
  }
  // managedFields is deliberately not read.
}

void from_json(const nlohmann::json& j, PartialObjectMetadata& o) {
  o.api_version = Str(j, "apiVersion");
  o.kind = Str(j, "kind");
  if (auto it = j.find("metadata"); it != j.end()) from_json(*it, o.metadata);
}

void to_json(nlohmann::json& j, const ConfigMap& c) {
  j = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", c.metadata}};
  if (!c.data.empty()) j["data"] = c.data;
  if (!c.binary_data.empty()) j["binaryData"] = c.binary_data;
}

void from_json(const nlohmann::json& j, ConfigMap& c) {
  c = ConfigMap();
  if (auto it = j.find("metadata"); it != j.end()) from_json(*it, c.metadata);
  if (auto it = j.find("data"); it != j.end()) from_json(*it, c.data);
  if (auto it = j.find("binaryData"); it != j.end()) from_json(*it, c.binary_data);
}

void to_json(nlohmann::json& j, const Secret& s) {
  j = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", s.metadata}};
  if (!s.type.empty()) j["type"] = s.type;
  if (!s.data.empty()) j["data"] = s.data;
}

void from_json(const nlohmann::json& j, Secret& s) {
  s = Secret();
  if (auto it = j.find("metadata"); it != j.end()) from_json(*it, s.metadata);
  s.type = Str(j, "type");
  if (auto it = j.find("data"); it != j.end()) from_json(*it, s.data);
}

void to_json(nlohmann::json& j, const Lease& l) {
  j = {{"apiVersion", "coordination.k8s.io/v1"}, {"kind", "Lease"}, {"metadata", l.metadata}};
  nlohmann::json spec = nlohmann::json::object();
  spec["holderIdentity"] = l.holder_identity;
  if (l.lease_duration_seconds) spec["leaseDurationSeconds"] = *l.lease_duration_seconds;
  if (!l.acquire_time.empty()) spec["acquireTime"] = l.acquire_time;
  if (!l.renew_time.empty()) spec["renewTime"] = l.renew_time;
  spec["leaseTransitions"] = l.lease_transitions;
  j["spec"] = std::move(spec);
}

void from_json(const nlohmann::json& j, Lease& l) {
  l = Lease();
  if (auto it = j.find("metadata"); it != j.end()) from_json(*it, l.metadata);
  auto spec = j.find("spec");
  if (spec == j.end() || !spec->is_object()) return;
  l.holder_identity = Str(*spec, "holderIdentity");
  if (auto it = spec->find("leaseDurationSeconds"); it != spec->end() && it->is_number_integer()) {
    l.lease_duration_seconds = it->get<int32_t>();
  }
  l.acquire_time = Str(*spec, "acquireTime");
  l.renew_time = Str(*spec, "renewTime");
  if (auto it = spec->find("leaseTransitions"); it != spec->end() && it->is_number_integer()) {
    l.lease_transitions = it->get<int32_t>();
  }
}

}  // namespace certplane::kube
