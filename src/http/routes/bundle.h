// Bundle: one Certificate's current serial, certificate, chain and private key, read
// from its Secret for the bundle API (bundle_routes.h), and the answers built from it.
// Pure: the Secret comes in as the JSON the API server returned.
//
//   Result<Bundle> b = ReadBundle(*certificate, secret_json);
//   if (!b.ok()) ... 503: the Secret is being (re)written
//   std::string body = BundleJson(*b);                        // format=pem
//   Result<pki::Bytes> p12 = BundlePkcs12(*b, password);      // format=pkcs12
//
// The JSON (format=pem):
//   {"namespace": "shop", "name": "frontend", "profile": "web",
//    "serialNumber": "5f0c...", "notBefore": "2030-...Z", "notAfter": "2030-...Z",
//    "certificate": "<leaf PEM>", "certificateChain": "<intermediates, then the root, PEM>",
//    "privateKey": "<PEM as in tls.key: PKCS#8, or PKCS#1 when the Certificate asks>"}
//
// Private keys live in SensitiveStrings here and are wiped when the Bundle goes; none of
// these functions puts key material in a Status message.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "api/certificate.h"
#include "base/result.h"
#include "base/sensitive_string.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "pki/types.h"

namespace certplane::http {

struct Bundle {
  std::string ns;
  std::string name;
  std::string profile;
  std::string serial_number;  // lower-case hex, as status.serialNumber
  pki::Certificate leaf;
  std::vector<pki::Certificate> chain;  // the intermediates (tls.crt after the leaf), then ca.crt
  pki::PrivateKey key;
  SensitiveString key_pem;  // tls.key as stored
};

// The bundle of `certificate`'s current serial from its Secret. kUnavailable (a renewal
// is being written, or the controller will rewrite a damaged Secret: retry shortly)
// when the Secret's serial annotation or its leaf is not status.serialNumber, when
// tls.crt, tls.key or ca.crt is missing or does not parse, or when the key does not
// match the leaf; the message names the Secret and what is wrong, never key material.
Result<Bundle> ReadBundle(const api::Certificate& certificate, const nlohmann::json& secret);

// The JSON above.
std::string BundleJson(const Bundle& bundle);

// A PKCS#12 keystore (modern profile: AES-256, PBKDF2, HMAC-SHA-256) holding the key,
// the leaf and the chain under the alias of the Certificate's name. InvalidArgument for
// an empty password (or one with a NUL), as pki::BuildPkcs12Keystore.
Result<pki::Bytes> BundlePkcs12(const Bundle& bundle, std::string_view password);

enum class BundleFormat { kPem, kPkcs12 };

// The `format` query parameter: absent or "pem" -> kPem, "pkcs12" -> kPkcs12;
// InvalidArgument naming the value otherwise.
Result<BundleFormat> ParseBundleFormat(const std::map<std::string, std::string>& query);

// The token of an "Authorization: Bearer <token>" header value (the scheme in any
// case, RFC 9110), or nullopt when the header is empty, another scheme, or no token.
std::optional<std::string> BearerToken(std::string_view authorization);

// Whether `name` is a DNS-1123 subdomain (the names of namespaces and Certificates):
// 1 to 253 characters of [a-z0-9.-], starting and ending alphanumeric.
bool IsDnsSubdomain(std::string_view name);

}  // namespace certplane::http
