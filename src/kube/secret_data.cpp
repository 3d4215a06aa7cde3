#include "kube/secret_data.h"

#include "kube/base64.h"

namespace certplane::kube {

std::string SecretDataValue(const nlohmann::json& secret, std::string_view key) {
  auto data = secret.find("data");
  if (data == secret.end() || !data->is_object()) return {};
  auto v = data->find(key);
  if (v == data->end() || !v->is_string()) return {};
  return Base64Decode(v->get<std::string>()).value_or(std::string());
}

}  // namespace certplane::kube
