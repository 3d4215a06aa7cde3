#include "api/merge_patch.h"

namespace certplane::api {

nlohmann::json CreateMergePatch(const nlohmann::json& from, const nlohmann::json& to) {
  if (!from.is_object() || !to.is_object()) {
    // A merge patch cannot express "this value is now a non-object" other than by the
    // value itself.
    return to;
  }
  nlohmann::json patch = nlohmann::json::object();
  for (const auto& [key, old_value] : from.items()) {
    auto it = to.find(key);
    if (it == to.end() || it->is_null()) {
      if (!old_value.is_null()) patch[key] = nullptr;
      continue;
    }
    if (*it == old_value) continue;
    if (old_value.is_object() && it->is_object()) {
      nlohmann::json sub = CreateMergePatch(old_value, *it);
      if (!sub.empty()) patch[key] = std::move(sub);
    } else {
      patch[key] = *it;
    }
  }
  for (const auto& [key, new_value] : to.items()) {
    if (from.contains(key) || new_value.is_null()) continue;
    patch[key] = new_value;
  }
  return patch;
}

}  // namespace certplane::api
