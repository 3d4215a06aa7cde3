#include "api/json_io.h"

#include <limits>

#include "api/well_known.h"

namespace certplane::api::json_io {
namespace {

Status WrongType(const std::string& path, std::string_view want, const nlohmann::json& j) {
  return InvalidArgument(path + ": want " + std::string(want) + ", got " + std::string(JsonTypeName(j)));
}

}  // namespace

std::string_view JsonTypeName(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "object";
    case nlohmann::json::value_t::array: return "list";
    case nlohmann::json::value_t::string: return "string";
    case nlohmann::json::value_t::boolean: return "boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "integer";
    case nlohmann::json::value_t::number_float: return "number";
    case nlohmann::json::value_t::binary: return "binary";
    case nlohmann::json::value_t::discarded: return "discarded";
  }
  return "unknown";
}

void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, std::string& out) {
  if (!j.is_string()) {
    error = WrongType(path, "a string", j);
    return;
  }
  out = j.get<std::string>();
}

void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, bool& out) {
  if (!j.is_boolean()) {
    error = WrongType(path, "a boolean", j);
    return;
  }
  out = j.get<bool>();
}

void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, std::int64_t& out) {
  if (j.is_number_integer()) {  // signed or unsigned
    if (j.is_number_unsigned() &&
        j.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      error = InvalidArgument(path + ": integer out of range");
      return;
    }
    out = j.get<std::int64_t>();
    return;
  }
  // JSON has one number type; accept 3.0 but not 3.5.
  if (j.is_number_float()) {
    const double d = j.get<double>();
    if (d == static_cast<double>(static_cast<std::int64_t>(d)) && d >= -9.2e18 && d <= 9.2e18) {
      out = static_cast<std::int64_t>(d);
      return;
    }
  }
  error = WrongType(path, "an integer", j);
}

void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, std::int32_t& out) {
  std::int64_t v = 0;
  DecodeValue(j, path, error, v);
  if (!error.ok()) return;
  if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max()) {
    error = InvalidArgument(path + ": integer out of range");
    return;
  }
  out = static_cast<std::int32_t>(v);
}

void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, Duration& out) {
  if (!j.is_string()) {
    error = WrongType(path, "a duration string", j);
    return;
  }
  Result<Duration> d = ParseDuration(j.get_ref<const std::string&>());
  if (!d.ok()) {
    error = d.status().WithContext(path);
    return;
  }
  out = *d;
}

void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, Time& out) {
  if (!j.is_string()) {
    error = WrongType(path, "a timestamp string", j);
    return;
  }
  Result<Time> t = ParseTime(j.get_ref<const std::string&>());
  if (!t.ok()) {
    error = t.status().WithContext(path);
    return;
  }
  out = *t;
}

void DecodeValue(const nlohmann::json& j, const std::string& path, Status& error, StringMap& out) {
  if (!j.is_object()) {
    error = WrongType(path, "an object of strings", j);
    return;
  }
  StringMap values;
  for (const auto& [key, value] : j.items()) {
    if (!value.is_string()) {
      error = WrongType(path + "." + key, "a string", value);
      return;
    }
    values.Set(key, value.get<std::string>());
  }
  out = std::move(values);
}

Status CheckTypeMeta(const nlohmann::json& j, std::string_view kind) {
  if (const auto k = j.find("kind"); k != j.end() && !k->is_null()) {
    if (!k->is_string() || k->get_ref<const std::string&>() != kind) {
      return InvalidArgument("kind: want " + std::string(kind) + ", got " + k->dump());
    }
  }
  if (const auto v = j.find("apiVersion"); v != j.end() && !v->is_null()) {
    if (!v->is_string() || v->get_ref<const std::string&>() != kApiVersion) {
      return InvalidArgument("apiVersion: want " + std::string(kApiVersion) + ", got " + v->dump());
    }
  }
  return Status::Ok();
}

nlohmann::json EncodeValue(const std::string& v) { return v; }
nlohmann::json EncodeValue(bool v) { return v; }
nlohmann::json EncodeValue(std::int32_t v) { return v; }
nlohmann::json EncodeValue(std::int64_t v) { return v; }
nlohmann::json EncodeValue(Duration v) { return FormatDuration(v); }
nlohmann::json EncodeValue(Time v) { return FormatTime(v); }
nlohmann::json EncodeValue(const StringMap& v) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : v) out[key] = value;
  return out;
}

}  // namespace certplane::api::json_io
