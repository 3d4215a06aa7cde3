// One value of a Secret's data, from the Secret as the API server returns it (JSON,
// values in base64).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace certplane::kube {

// The decoded value of data[key]; "" when the key is absent or not valid base64.
std::string SecretDataValue(const nlohmann::json& secret, std::string_view key);

}  // namespace certplane::kube
