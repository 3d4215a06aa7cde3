#include "http/routes/bundle.h"

#include <openssl/crypto.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "api/time.h"
#include "api/well_known.h"
#include "base/text.h"
#include "kube/base64.h"
#include "kube/secret_data.h"
#include "pki/pkcs12.h"
#include "pki/serial.h"

namespace certplane::http {
namespace {

// Serials compare by value: "0a1b" and "A1B" are the same number.
bool SameSerial(std::string_view a, std::string_view b) {
  Result<pki::SerialNumber> x = pki::SerialNumber::FromHex(a), y = pki::SerialNumber::FromHex(b);
  if (x.ok() && y.ok()) return *x == *y;
  return a == b;
}

std::string Annotation(const nlohmann::json& secret, std::string_view key) {
  const nlohmann::json* annotations = nullptr;
  if (auto m = secret.find("metadata"); m != secret.end() && m->is_object()) {
    if (auto a = m->find("annotations"); a != m->end() && a->is_object()) annotations = &*a;
  }
  if (annotations == nullptr) return {};
  auto v = annotations->find(key);
  return v != annotations->end() && v->is_string() ? v->get<std::string>() : std::string();
}

// data[key] decoded straight into a SensitiveString, the temporary copy wiped.
SensitiveString SensitiveSecretValue(const nlohmann::json& secret, std::string_view key) {
  auto data = secret.find("data");
  if (data == secret.end() || !data->is_object()) return {};
  auto v = data->find(key);
  if (v == data->end() || !v->is_string()) return {};
  std::optional<std::string> raw = kube::Base64Decode(v->get_ref<const std::string&>());
  if (!raw) return {};
  SensitiveString out(*raw);
  OPENSSL_cleanse(raw->data(), raw->size());
  return out;
}

std::string FormatTimePoint(pki::TimePoint t) { return api::FormatTime(api::ToTime(t)); }

}  // namespace

Result<Bundle> ReadBundle(const api::Certificate& certificate, const nlohmann::json& secret) {
  const std::string& serial = certificate.status.serial_number;
  const std::string where = "Secret " + certificate.metadata.ns + "/" + certificate.spec.secret_name;
  auto unavailable = [&where](const std::string& why) { return Unavailable(where + ": " + why); };
  if (serial.empty()) return unavailable("the Certificate has not been issued yet");

  const std::string annotated = Annotation(secret, api::kSerialNumberAnnotation);
  if (!SameSerial(annotated, serial)) {
    return unavailable("holds serial \"" + annotated + "\" but the Certificate's status says " + serial +
                       ": it is being reissued");
  }
  const std::string tls_crt = kube::SecretDataValue(secret, "tls.crt");
  const std::string ca_crt = kube::SecretDataValue(secret, "ca.crt");
  SensitiveString key_pem = SensitiveSecretValue(secret, "tls.key");
  if (tls_crt.empty() || ca_crt.empty() || key_pem.empty()) {
    return unavailable("tls.crt, tls.key or ca.crt is missing: it is being rewritten");
  }
  Result<std::vector<pki::Certificate>> certs = pki::ParseCertificateChainPem(tls_crt);
  if (!certs.ok()) return unavailable("tls.crt: " + certs.status().message());
  Result<std::vector<pki::Certificate>> roots = pki::ParseCertificateChainPem(ca_crt);
  if (!roots.ok()) return unavailable("ca.crt: " + roots.status().message());
  if (!SameSerial(certs->front().serial().ToHex(), serial)) {
    return unavailable("tls.crt holds serial " + certs->front().serial().ToHex() +
                       " but the Certificate's status says " + serial + ": it is being reissued");
  }
  // The parser's messages say what is wrong with the PEM, never what it holds.
  Result<pki::PrivateKey> key = pki::ParsePrivateKeyPem(key_pem.view());
  if (!key.ok()) return unavailable("tls.key does not parse");
  if (Status s = pki::CheckKeyMatchesCertificate(*key, certs->front()); !s.ok()) {
    return unavailable("tls.key is not the key of the certificate in tls.crt");
  }

  std::vector<pki::Certificate> chain(certs->begin() + 1, certs->end());
  chain.insert(chain.end(), roots->begin(), roots->end());
  return Bundle{
      .ns = certificate.metadata.ns,
      .name = certificate.metadata.name,
      .profile = certificate.spec.profile_ref.name,
      .serial_number = certs->front().serial().ToHex(),
      .leaf = certs->front(),
      .chain = std::move(chain),
      .key = std::move(*key),
      .key_pem = std::move(key_pem),
  };
}

std::string BundleJson(const Bundle& bundle) {
  nlohmann::json j = {
      {"namespace", bundle.ns},
      {"name", bundle.name},
      {"profile", bundle.profile},
      {"serialNumber", bundle.serial_number},
      {"notBefore", FormatTimePoint(bundle.leaf.not_before())},
      {"notAfter", FormatTimePoint(bundle.leaf.not_after())},
      {"certificate", bundle.leaf.ToPem()},
      {"certificateChain", pki::EncodeCertificateChainPem(bundle.chain)},
      {"privateKey", std::string(bundle.key_pem.view())},
  };
  std::string out = j.dump(2) + "\n";
  // Our copy of the key in the JSON tree; the body itself goes to the caller.
  std::string& key = j["privateKey"].get_ref<std::string&>();
  OPENSSL_cleanse(key.data(), key.size());
  return out;
}

Result<pki::Bytes> BundlePkcs12(const Bundle& bundle, std::string_view password) {
  pki::Pkcs12Options options;
  options.alias = bundle.name;
  return pki::BuildPkcs12Keystore(bundle.key, bundle.leaf, bundle.chain, password, options);
}

Result<BundleFormat> ParseBundleFormat(const std::map<std::string, std::string>& query) {
  auto it = query.find("format");
  if (it == query.end() || it->second == "pem") return BundleFormat::kPem;
  if (it->second == "pkcs12") return BundleFormat::kPkcs12;
  return InvalidArgument("format \"" + it->second + "\" is not supported: want pem or pkcs12");
}

std::optional<std::string> BearerToken(std::string_view authorization) {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!authorization.empty() && is_space(authorization.front())) authorization.remove_prefix(1);
  while (!authorization.empty() && is_space(authorization.back())) authorization.remove_suffix(1);
  constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size() || !is_space(authorization[kScheme.size()])) return std::nullopt;
  if (!AsciiEqualIgnoringCase(authorization.substr(0, kScheme.size()), kScheme)) return std::nullopt;
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && is_space(token.front())) token.remove_prefix(1);
  if (token.empty()) return std::nullopt;
  for (char c : token) {
    if (is_space(c) || static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e)
      return std::nullopt;
  }
  return std::string(token);
}

bool IsDnsSubdomain(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  for (char c : name) {
    if (!alnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace certplane::http
