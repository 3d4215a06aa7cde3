#include "reconcile/ca_material.h"

#include "pki/certificate.h"
#include "pki/key.h"

namespace certplane::reconcile {

Result<CaMaterial> LoadCaMaterial(const std::string& ca_name, const TlsSecretContents& contents, CaUrls urls) {
  const std::string what = "CertificateAuthority " + ca_name + ": ";
  auto chain = pki::ParseCertificateChainPem(contents.tls_crt);
  if (!chain.ok() || chain->empty()) {
    return FailedPrecondition(what + "tls.crt of its key Secret: " +
                              (chain.ok() ? std::string("no certificate") : chain.status().message()));
  }
  auto key = pki::ParsePrivateKeyPem(contents.tls_key);
  if (!key.ok()) return FailedPrecondition(what + "tls.key of its key Secret: " + key.status().message());
  auto roots = pki::ParseCertificateChainPem(contents.ca_crt.empty() ? contents.tls_crt : contents.ca_crt);
  if (!roots.ok() || roots->empty()) {
    return FailedPrecondition(what + "ca.crt of its key Secret: " +
                              (roots.ok() ? std::string("no certificate") : roots.status().message()));
  }
  auto issuer = pki::Issuer::Create(chain->front(), *key);
  if (!issuer.ok()) return FailedPrecondition(what + issuer.status().message());

  const pki::Certificate& root = roots->back();
  std::vector<pki::Certificate> intermediates;
  for (const auto& c : *chain) {
    if (!(c == root)) intermediates.push_back(c);
  }
  return CaMaterial{.name = ca_name,
                    .issuer = std::move(*issuer),
                    .intermediates = std::move(intermediates),
                    .root = root,
                    .crl_urls = std::move(urls.crl_urls),
                    .ca_issuers_urls = std::move(urls.ca_issuers_urls)};
}

}  // namespace certplane::reconcile
