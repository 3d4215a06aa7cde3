#include "reconcile/ca_material.h"

#include "kube/logging.h"
#include "kube/secret_data.h"
#include "pki/certificate.h"
#include "pki/key.h"

namespace certplane::reconcile {
namespace {

constexpr std::string_view kRetiredPrefix = "retired-";
constexpr std::string_view kCrtSuffix = ".crt";

}  // namespace

std::string RetiredCertificateDataKey(const std::string& key_id) {
  return std::string(kRetiredPrefix) + key_id + std::string(kCrtSuffix);
}
std::string RetiredPrivateKeyDataKey(const std::string& key_id) {
  return std::string(kRetiredPrefix) + key_id + ".key";
}

std::vector<RetiredKeyPem> RetiredKeysOf(const nlohmann::json& secret) {
  std::vector<RetiredKeyPem> out;
  auto data = secret.find("data");
  if (data == secret.end() || !data->is_object()) return out;
  for (const auto& [name, value] : data->items()) {
    std::string_view n = name;
    if (!n.starts_with(kRetiredPrefix) || !n.ends_with(kCrtSuffix)) continue;
    std::string id(n.substr(kRetiredPrefix.size(), n.size() - kRetiredPrefix.size() - kCrtSuffix.size()));
    if (!crl::IsCaKeyId(id)) continue;
    std::string key = kube::SecretDataValue(secret, RetiredPrivateKeyDataKey(id));
    RetiredKeyPem r{
        .key_id = id, .certificate_pem = kube::SecretDataValue(secret, name), .private_key_pem = SensitiveString(key)};
    OPENSSL_cleanse(key.data(), key.size());
    if (r.certificate_pem.empty() || r.private_key_pem.empty()) continue;
    out.push_back(std::move(r));
  }
  return out;
}

Result<CaMaterial> LoadCaMaterial(const std::string& ca_name, const TlsSecretContents& contents, CaUrls urls,
                                  const std::vector<RetiredKeyPem>& retired) {
  const std::string what = "CertificateAuthority " + ca_name + ": ";
  auto chain = pki::ParseCertificateChainPem(contents.tls_crt);
  if (!chain.ok() || chain->empty()) {
    return FailedPrecondition(
        what + "tls.crt of its key Secret: " + (chain.ok() ? std::string("no certificate") : chain.status().message()));
  }
  auto key = pki::ParsePrivateKeyPem(contents.tls_key);
  if (!key.ok()) return FailedPrecondition(what + "tls.key of its key Secret: " + key.status().message());
  auto roots = pki::ParseCertificateChainPem(contents.ca_crt.empty() ? contents.tls_crt : contents.ca_crt);
  if (!roots.ok() || roots->empty()) {
    return FailedPrecondition(
        what + "ca.crt of its key Secret: " + (roots.ok() ? std::string("no certificate") : roots.status().message()));
  }
  auto issuer = pki::Issuer::Create(chain->front(), *key);
  if (!issuer.ok()) return FailedPrecondition(what + issuer.status().message());

  const pki::Certificate& root = roots->back();
  std::vector<pki::Certificate> intermediates;
  for (const auto& c : *chain) {
    if (!(c == root)) intermediates.push_back(c);
  }
  const std::string key_id = crl::CaKeyId(chain->front());
  std::vector<RetiredCaKey> loaded;
  for (const auto& r : retired) {
    if (r.key_id == key_id) continue;  // the current key, kept by an older write
    auto cert = pki::ParseCertificatePem(r.certificate_pem);
    auto retired_key = pki::ParsePrivateKeyPem(r.private_key_pem.view());
    Result<pki::Issuer> retired_issuer = !cert.ok()          ? Result<pki::Issuer>(cert.status())
                                         : !retired_key.ok() ? Result<pki::Issuer>(retired_key.status())
                                                             : pki::Issuer::Create(*cert, *retired_key);
    if (!retired_issuer.ok() || crl::CaKeyId(retired_issuer->certificate()) != r.key_id) {
      // The reason names the certificate or key parse step, never key material.
      kube::Logger("cas")->warn("ignoring retired key ca={} key_id={}: {}", ca_name, r.key_id,
                                retired_issuer.ok() ? std::string("its key id does not match its certificate")
                                                    : retired_issuer.status().message());
      continue;
    }
    loaded.push_back({.key_id = r.key_id, .issuer = std::move(*retired_issuer)});
  }
  return CaMaterial{.name = ca_name,
                    .issuer = std::move(*issuer),
                    .intermediates = std::move(intermediates),
                    .root = root,
                    .crl_urls = std::move(urls.crl_urls),
                    .ca_issuers_urls = std::move(urls.ca_issuers_urls),
                    .key_id = key_id,
                    .retired = std::move(loaded)};
}

}  // namespace certplane::reconcile
