#include "reconcile/ca_signers.h"

#include <openssl/crypto.h>

#include "kube/base64.h"
#include "kube/secret_data.h"
#include "reconcile/crl_plan.h"

namespace certplane::reconcile {
CaSigners::CaSigners(std::shared_ptr<kube::Client> client, const Caches& caches, CaSignersOptions options)
    : client_(std::move(client)), caches_(caches), options_(std::move(options)) {}

CaUrls CaSigners::UrlsFor(const api::CertificateAuthority& ca) const {
  CaUrls urls;
  // Shard 0's templates: "{key}" is filled in by whoever signs, with the signing key.
  urls.crl_urls = ShardCrlUrls({ca.spec.crl.distribution_point_urls, options_.public_base_url, ca.metadata.name}, 0);
  if (!ca.spec.issuer_urls.empty()) {
    urls.ca_issuers_urls = ca.spec.issuer_urls;
  } else if (!options_.public_base_url.empty()) {
    urls.ca_issuers_urls = {options_.public_base_url + "/ca/" + ca.metadata.name + ".crt"};
  }
  return urls;
}

Result<std::shared_ptr<const CaMaterial>> CaSigners::Get(const std::string& ca_name) {
  auto ca = caches_.cas.store().Get(ca_name);
  if (!ca) return FailedPrecondition("CertificateAuthority " + ca_name + " does not exist");
  const std::string secret_name = CaKeySecretName(ca_name);
  auto cached_secret = caches_.ca_key_secrets.store().Get(caches_.controller_namespace() + "/" + secret_name);
  if (!cached_secret) return FailedPrecondition("CertificateAuthority " + ca_name + " has no key Secret yet");
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(ca_name);
    if (it != entries_.end() && it->second.resource_version == cached_secret->metadata.resource_version) {
      return it->second.material;
    }
  }
  auto secret = client_->Get(kube::kSecrets, caches_.controller_namespace(), secret_name);
  if (!secret.ok()) return secret.status().WithContext("reading the key Secret of CertificateAuthority " + ca_name);
  TlsSecretContents contents{kube::SecretDataValue(*secret, "tls.crt"), kube::SecretDataValue(*secret, "tls.key"),
                             kube::SecretDataValue(*secret, "ca.crt")};
  auto material = LoadCaMaterial(ca_name, contents, UrlsFor(*ca), RetiredKeysOf(*secret));
  OPENSSL_cleanse(contents.tls_key.data(), contents.tls_key.size());
  if (!material.ok()) return material.status();
  auto shared = std::make_shared<const CaMaterial>(std::move(*material));
  std::string rv = (*secret)["metadata"].value("resourceVersion", "");
  std::lock_guard lock(mu_);
  entries_[ca_name] = Entry{rv, shared};
  return shared;
}

}  // namespace certplane::reconcile
