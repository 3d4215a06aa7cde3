#include "pki/errors.h"

#include <openssl/err.h>

namespace certplane::pki {

std::string TakeOpenSslErrors() {
  std::string out;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0') {
      out += " (";
      out += data;
      out += ")";
    }
  }
  return out;
}

void ClearOpenSslErrors() { ERR_clear_error(); }

Status OpenSslError(StatusCode code, std::string_view what) {
  std::string queue = TakeOpenSslErrors();
  std::string message(what);
  if (!queue.empty()) {
    message += ": ";
    message += queue;
  }
  return Status(code, std::move(message));
}

}  // namespace certplane::pki
