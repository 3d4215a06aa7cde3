// JSON for the metadata and shared field types (meta.h).
#include "api/fields_json.h"
#include "api/well_known.h"

namespace certplane::api {

namespace {

// kube::ObjectMeta keeps timestamps as the strings the server sent. A malformed one is
// still refused with its field path, as a Time field would be.
void ReadTimestamp(ObjectReader& r, std::string_view key, std::string& out) {
  Time checked{};
  r.Optional(key, checked).Optional(key, out);
}

}  // namespace

void json_io::DecodeFields(ObjectReader& r, OwnerReference& out) {
  r.Optional("apiVersion", out.api_version)
      .Optional("kind", out.kind)
      .Optional("name", out.name)
      .Optional("uid", out.uid)
      .Optional("controller", out.controller)
      .Optional("blockOwnerDeletion", out.block_owner_deletion);
}

void json_io::EncodeFields(ObjectWriter& w, const OwnerReference& in) {
  w.Set("apiVersion", in.api_version).Set("kind", in.kind).Set("name", in.name).Set("uid", in.uid);
  w.SetIfNotEmpty("controller", in.controller).SetIfNotEmpty("blockOwnerDeletion", in.block_owner_deletion);
}

// Reads only the fields certplane uses; managedFields and the rest are never copied.
void json_io::DecodeFields(ObjectReader& r, ObjectMeta& out) {
  r.Required("name", out.name)
      .Optional("namespace", out.ns)
      .Optional("uid", out.uid)
      .Optional("resourceVersion", out.resource_version)
      .Optional("generation", out.generation);
  ReadTimestamp(r, "creationTimestamp", out.creation_timestamp);
  ReadTimestamp(r, "deletionTimestamp", out.deletion_timestamp);
  r.Optional("labels", out.labels)
      .Optional("annotations", out.annotations)
      .Optional("finalizers", out.finalizers)
      .Optional("ownerReferences", out.owner_references);
  out.annotations.Erase(kLastAppliedConfigAnnotation);
}

void json_io::EncodeFields(ObjectWriter& w, const ObjectMeta& in) {
  w.SetIfNotEmpty("name", in.name)
      .SetIfNotEmpty("namespace", in.ns)
      .SetIfNotEmpty("uid", in.uid)
      .SetIfNotEmpty("resourceVersion", in.resource_version)
      .SetIfNotEmpty("generation", in.generation)
      .SetIfNotEmpty("creationTimestamp", in.creation_timestamp)
      .SetIfNotEmpty("deletionTimestamp", in.deletion_timestamp)
      .SetIfNotEmpty("labels", in.labels)
      .SetIfNotEmpty("annotations", in.annotations)
      .SetIfNotEmpty("finalizers", in.finalizers)
      .SetIfNotEmpty("ownerReferences", in.owner_references);
}

void DecodeFields(ObjectReader& r, Condition& out) {
  r.Required("type", out.type)
      .Required("status", out.status)
      .Optional("reason", out.reason)
      .Optional("message", out.message)
      .Optional("observedGeneration", out.observed_generation)
      .Optional("lastTransitionTime", out.last_transition_time);
}

void EncodeFields(ObjectWriter& w, const Condition& in) {
  w.Set("type", in.type)
      .Set("status", in.status)
      .SetIfNotEmpty("reason", in.reason)
      .SetIfNotEmpty("message", in.message)
      .SetIfNotEmpty("observedGeneration", in.observed_generation)
      .Set("lastTransitionTime", in.last_transition_time);
}

void DecodeFields(ObjectReader& r, LocalObjectReference& out) { r.Required("name", out.name); }
void EncodeFields(ObjectWriter& w, const LocalObjectReference& in) { w.Set("name", in.name); }

void DecodeFields(ObjectReader& r, SecretKeySelector& out) { r.Required("name", out.name).Required("key", out.key); }
void EncodeFields(ObjectWriter& w, const SecretKeySelector& in) { w.Set("name", in.name).Set("key", in.key); }

void DecodeFields(ObjectReader& r, LabelSelectorRequirement& out) {
  r.Required("key", out.key).Required("operator", out.op).Optional("values", out.values);
}

void EncodeFields(ObjectWriter& w, const LabelSelectorRequirement& in) {
  w.Set("key", in.key).Set("operator", in.op).SetIfNotEmpty("values", in.values);
}

void DecodeFields(ObjectReader& r, LabelSelector& out) {
  r.Optional("matchLabels", out.match_labels).Optional("matchExpressions", out.match_expressions);
}

void EncodeFields(ObjectWriter& w, const LabelSelector& in) {
  w.SetIfNotEmpty("matchLabels", in.match_labels).SetIfNotEmpty("matchExpressions", in.match_expressions);
}

}  // namespace certplane::api
