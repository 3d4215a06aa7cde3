#include "reconcile/sync_material.h"

#include <vector>

#include "base/text.h"
#include "pki/certificate.h"
#include "pki/key.h"

namespace certplane::reconcile {
namespace {

const std::string* Find(const std::map<std::string, std::string>& data, const char* key) {
  auto it = data.find(key);
  return it == data.end() || it->second.empty() ? nullptr : &it->second;
}

}  // namespace

Result<sync::CertificateMaterial> MaterialFromSecret(const std::map<std::string, std::string>& data,
                                                     const std::string& serial_hex, bool include_root) {
  const std::string* crt = Find(data, "tls.crt");
  const std::string* key = Find(data, "tls.key");
  if (crt == nullptr || key == nullptr) return InvalidArgument("the Secret has no tls.crt or no tls.key");
  Result<std::vector<pki::Certificate>> chain = pki::ParseCertificateChainPem(*crt);
  if (!chain.ok()) return chain.status().WithContext("tls.crt");
  if (chain->empty()) return InvalidArgument("tls.crt holds no certificate");
  const std::string leaf_serial = AsciiLower(chain->front().serial().ToHex());
  if (leaf_serial != AsciiLower(serial_hex)) {
    return FailedPrecondition("the Secret holds serial " + leaf_serial + ", not " + serial_hex + " yet");
  }
  Result<pki::PrivateKey> private_key = pki::ParsePrivateKeyPem(*key);
  if (!private_key.ok()) return private_key.status().WithContext("tls.key");
  if (Status match = pki::CheckKeyMatchesCertificate(*private_key, chain->front()); !match.ok()) {
    return InvalidArgument("tls.key: " + match.message());
  }
  Result<SensitiveString> pkcs8 = private_key->ToPkcs8Pem();
  if (!pkcs8.ok()) return pkcs8.status().WithContext("tls.key");

  sync::CertificateMaterial out;
  out.certificate_pem = chain->front().ToPem();
  out.serial_hex = leaf_serial;
  out.private_key_pem = std::move(*pkcs8);
  std::vector<pki::Certificate> intermediates(chain->begin() + 1, chain->end());
  if (const std::string* ca = Find(data, "ca.crt")) {
    Result<std::vector<pki::Certificate>> roots = pki::ParseCertificateChainPem(*ca);
    if (!roots.ok()) return roots.status().WithContext("ca.crt");
    out.ca_pem = pki::EncodeCertificateChainPem(*roots);
    if (include_root && !roots->empty()) {
      const std::string root_fp = roots->front().sha256_fingerprint();
      const bool already = !intermediates.empty() && intermediates.back().sha256_fingerprint() == root_fp;
      if (!already && chain->front().sha256_fingerprint() != root_fp) intermediates.push_back(roots->front());
    }
  }
  out.chain_pem = pki::EncodeCertificateChainPem(intermediates);
  return out;
}

}  // namespace certplane::reconcile
