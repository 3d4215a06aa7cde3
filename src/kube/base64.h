// Standard base64 (RFC 4648 with padding), as Kubernetes uses for []byte fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace certplane::kube {

std::string Base64Encode(std::string_view data);
// Whitespace is ignored; anything else outside the alphabet, or bad padding, fails.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace certplane::kube
