#include "sync/exchange.h"

#include "base/text.h"

namespace certplane::sync {

std::string HttpResponse::Header(std::string_view name) const {
  const std::string wanted = AsciiLower(name);
  for (const auto& [n, v] : headers) {
    if (AsciiLower(n) == wanted) return v;
  }
  return {};
}

}  // namespace certplane::sync
