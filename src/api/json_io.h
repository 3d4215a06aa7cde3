// The machinery behind the Decode*/Encode* functions of the kinds: typed reads from
// nlohmann::json that name the field path on error, and writes that omit empty fields.
// Kind-specific code lives in <kind>_json.cpp; callers use those headers, not this one.
//
// Decoding a struct means providing, in namespace certplane::api,
//
//   void DecodeFields(json_io::ObjectReader& r, MyStruct& out) {
//     r.Required("name", out.name).Optional("values", out.values);
//   }
//
// and encoding one means providing `void EncodeFields(json_io::ObjectWriter&, const
// MyStruct&)`. Readers are tolerant: unknown fields are ignored and JSON null reads as
// absent. The first wrong type stops decoding with a message such as
// `spec.dnsNames[1]: want a string, got number`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/duration.h"
#include "api/enums.h"
#include "api/meta.h"
#include "api/time.h"
#include "base/status.h"

namespace certplane::api::json_io {

class ObjectReader;
class ObjectWriter;

// A struct type that has a DecodeFields overload (found by argument-dependent lookup).
template <typename T>
concept DecodableStruct = requires(ObjectReader& r, T& t) {
  DecodeFields(r, t);
};
template <typename T>
concept EncodableStruct = requires(ObjectWriter& w, const T& t) {
  EncodeFields(w, t);
};

// --- Decoding ------------------------------------------------------------------------

// DecodeValue(json, path, error, out): decode one value into `out`, or set `error`.
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, std::string& out);
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, bool& out);
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, std::int32_t& out);
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, std::int64_t& out);
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, Duration& out);
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, Time& out);
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, StringMap& out);
template <ApiEnum E>
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, E& out);
template <typename T>
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, std::vector<T>& out);
template <typename T>
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, std::optional<T>& out);
template <DecodableStruct T>
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, T& out);

// "want a string, got number" style type names.
std::string_view JsonTypeName(const nlohmann::json& j);

// Reads the fields of one JSON object. Every read after the first error does nothing, so
// a decoder is a plain sequence of reads followed by a look at the error.
class ObjectReader {
 public:
  // `object` must be a JSON object and outlive the reader; `error` collects the first
  // failure. `path` names the object ("" for the root, "spec", "spec.privateKey").
  ObjectReader(const nlohmann::json& object, std::string path, Status& error)
      : object_(object), path_(std::move(path)), error_(error) {}

  // Reads `key` into `out` when present and not null; leaves `out` as it was otherwise.
  template <typename T>
  ObjectReader& Optional(std::string_view key, T& out) {
    if (!error_.ok()) return *this;
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return *this;
    DecodeValue(*it, FieldPath(key), error_, out);
    return *this;
  }

  // Like Optional, but an absent (or null) key is an error: "<path>: required".
  template <typename T>
  ObjectReader& Required(std::string_view key, T& out) {
    if (!error_.ok()) return *this;
    if (!Has(key)) {
      error_ = InvalidArgument(FieldPath(key) + ": required");
      return *this;
    }
    return Optional(key, out);
  }

  // Present and not null.
  bool Has(std::string_view key) const {
    auto it = object_.find(key);
    return it != object_.end() && !it->is_null();
  }

  const nlohmann::json& object() const { return object_; }
  std::string FieldPath(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  bool ok() const { return error_.ok(); }

 private:
  const nlohmann::json& object_;
  std::string path_;
  Status& error_;
};

template <ApiEnum E>
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, E& out) {
  if (!j.is_string()) {
    error = InvalidArgument(path + ": want a string, got " + std::string(JsonTypeName(j)));
    return;
  }
  const std::string& s = j.get_ref<const std::string&>();
  std::optional<E> v = FromString<E>(s);
  if (!v) {
    error = InvalidArgument(path + ": unknown " + std::string(EnumTable<E>::kWhat) + " \"" + s + "\" (want one of " +
                            AllNames<E>() + ")");
    return;
  }
  out = *v;
}

template <typename T>
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, std::vector<T>& out) {
  if (!j.is_array()) {
    error = InvalidArgument(path + ": want a list, got " + std::string(JsonTypeName(j)));
    return;
  }
  std::vector<T> values;
  values.reserve(j.size());
  for (std::size_t i = 0; i < j.size() && error.ok(); ++i) {
    T v{};
    DecodeValue(j[i], path + "[" + std::to_string(i) + "]", error, v);
    values.push_back(std::move(v));
  }
  if (error.ok()) out = std::move(values);
}

template <typename T>
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, std::optional<T>& out) {
  T v{};
  DecodeValue(j, path, error, v);
  if (error.ok()) out = std::move(v);
}

template <DecodableStruct T>
void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, T& out) {
  if (!j.is_object()) {
    error = InvalidArgument(path + ": want an object, got " + std::string(JsonTypeName(j)));
    return;
  }
  ObjectReader reader(j, path, error);
  DecodeFields(reader, out);
}

// --- Encoding ------------------------------------------------------------------------

nlohmann::json EncodeValue(const std::string& v);
nlohmann::json EncodeValue(bool v);
nlohmann::json EncodeValue(std::int32_t v);
nlohmann::json EncodeValue(std::int64_t v);
nlohmann::json EncodeValue(Duration v);
nlohmann::json EncodeValue(Time v);
nlohmann::json EncodeValue(const StringMap& v);
template <ApiEnum E>
nlohmann::json EncodeValue(E v) {
  return std::string(ToString(v));
}
template <typename T>
nlohmann::json EncodeValue(const std::vector<T>& v);
template <EncodableStruct T>
nlohmann::json EncodeValue(const T& v);

// Builds one JSON object. The *IfSet forms leave out what Go's `omitempty` would.
class ObjectWriter {
 public:
  // Always writes the field.
  template <typename T>
  ObjectWriter& Set(std::string_view key, const T& v) {
    object_[std::string(key)] = EncodeValue(v);
    return *this;
  }
  // Writes an optional field only when it holds a value (even an empty one).
  template <typename T>
  ObjectWriter& Set(std::string_view key, const std::optional<T>& v) {
    if (v) object_[std::string(key)] = EncodeValue(*v);
    return *this;
  }
  // Leaves out empty strings, lists and maps, zero numbers and false.
  template <typename T>
  ObjectWriter& SetIfNotEmpty(std::string_view key, const T& v) {
    if constexpr (requires { v.empty(); }) {
      if (v.empty()) return *this;
    } else {
      if (v == T{}) return *this;
    }
    return Set(key, v);
  }
  // Writes an already-built object unless it is empty.
  ObjectWriter& SetObjectIfNotEmpty(std::string_view key, nlohmann::json v) {
    if (!v.empty()) object_[std::string(key)] = std::move(v);
    return *this;
  }

  nlohmann::json Take() { return std::move(object_); }

 private:
  nlohmann::json object_ = nlohmann::json::object();
};

template <typename T>
nlohmann::json EncodeValue(const std::vector<T>& v) {
  nlohmann::json out = nlohmann::json::array();
  for (const T& e : v) out.push_back(EncodeValue(e));
  return out;
}

template <EncodableStruct T>
nlohmann::json EncodeValue(const T& v) {
  ObjectWriter w;
  EncodeFields(w, v);
  return w.Take();
}

// Decodes a whole object of a kind: checks apiVersion and kind when present, then reads
// the root with DecodeFields. Errors name the object ("Certificate shop/frontend: ...").
template <DecodableStruct T>
Status DecodeRoot(const nlohmann::json& j, std::string_view kind, T& out);

Status CheckTypeMeta(const nlohmann::json& j, std::string_view kind);

template <DecodableStruct T>
Status DecodeRoot(const nlohmann::json& j, std::string_view kind, T& out) {
  if (!j.is_object())
    return InvalidArgument(std::string(kind) + ": want an object, got " + std::string(JsonTypeName(j)));
  Status error = CheckTypeMeta(j, kind);
  if (!error.ok()) return error;
  ObjectReader reader(j, "", error);
  DecodeFields(reader, out);
  if (!error.ok()) {
    std::string who = std::string(kind);
    if (const auto m = j.find("metadata"); m != j.end() && m->is_object()) {
      const auto ns = m->find("namespace");
      const auto name = m->find("name");
      if (name != m->end() && name->is_string()) {
        who += " ";
        if (ns != m->end() && ns->is_string()) who += ns->get<std::string>() + "/";
        who += name->get<std::string>();
      }
    }
    return error.WithContext(who);
  }
  return Status::Ok();
}

}  // namespace certplane::api::json_io
