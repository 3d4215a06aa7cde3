// A Certificate packed (base/packed.h) for the informer cache, and back: about 300
// bytes for a typical one where the struct alone is 1.2 KB. The Certificate cache keeps
// every object packed and unpacks one on each read (reconcile/caches.cpp), so 10,000
// Certificates cost 4 MiB instead of 16.
//
//   std::string bytes = PackCertificate(cert);
//   Certificate back = UnpackCertificate(bytes);   // back == cert
#pragma once

#include <string>
#include <string_view>

#include "api/certificate.h"

namespace certplane::api {

std::string PackCertificate(const Certificate& certificate);
// Throws std::logic_error when `bytes` are not PackCertificate's: they never come from
// outside the process, so that is a bug, not an input to handle.
Certificate UnpackCertificate(std::string_view bytes);

}  // namespace certplane::api
