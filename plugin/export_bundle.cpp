#include "export_bundle.h"

#include <algorithm>
#include <optional>

#include "pki/certificate.h"
#include "pki/key.h"
#include "pki/pem.h"

namespace certplane::plugin {
namespace {

std::string AsText(const pki::Bytes& der) { return std::string(der.begin(), der.end()); }

std::string Count(size_t n, const char* one) { return std::to_string(n) + " " + one + (n == 1 ? "" : "s"); }

}  // namespace

Result<ExportBundle> BuildExport(const SecretMaterial& material, const ExportOptions& options) {
  if (material.tls_crt.empty()) return InvalidArgument("tls.crt is missing or empty");
  if (material.tls_key.empty()) return InvalidArgument("tls.key is missing or empty");
  Result<std::vector<pki::Certificate>> chain = pki::ParseCertificateChainPem(material.tls_crt.view());
  if (!chain.ok()) return chain.status().WithContext("tls.crt");
  std::vector<pki::Certificate> issuers(chain->begin() + 1, chain->end());
  if (!material.ca_crt.empty()) {
    Result<std::vector<pki::Certificate>> roots = pki::ParseCertificateChainPem(material.ca_crt.view());
    if (!roots.ok()) return roots.status().WithContext("ca.crt");
    for (pki::Certificate& root : *roots) {
      if (std::find(issuers.begin(), issuers.end(), root) == issuers.end()) issuers.push_back(std::move(root));
    }
  }
  const pki::Certificate& leaf = chain->front();
  Result<pki::PrivateKey> key = pki::ParsePrivateKeyPem(material.tls_key.view());
  if (!key.ok()) return key.status().WithContext("tls.key");
  CERTPLANE_RETURN_IF_ERROR(pki::CheckKeyMatchesCertificate(*key, leaf).WithContext("tls.key and tls.crt"));

  ExportBundle bundle;
  bundle.serial = leaf.serial().ToHex();
  auto add = [&](std::string name, std::string_view content, bool secret, std::string description) {
    bundle.files.push_back({std::move(name), SensitiveString(content), secret, std::move(description)});
  };
  switch (options.format) {
    case ExportFormat::kPem: {
      add("serial.txt", bundle.serial + "\n", false, "serial number " + bundle.serial);
      add("tls.crt", leaf.ToPem(), false, "the certificate, " + leaf.subject_text());
      if (!issuers.empty()) {
        add("chain.pem", pki::EncodeCertificateChainPem(issuers), false,
            Count(issuers.size(), "certificate") + ", the issuer first, the root last");
      }
      add("tls.key", material.tls_key.view(), true, "the private key, PEM");
      break;
    }
    case ExportFormat::kDer: {
      add("serial.txt", bundle.serial + "\n", false, "serial number " + bundle.serial);
      add("certificate.der", AsText(leaf.ToDer()), false, "the certificate, " + leaf.subject_text());
      for (size_t i = 0; i < issuers.size(); ++i) {
        add("chain-" + std::to_string(i + 1) + ".der", AsText(issuers[i].ToDer()), false, issuers[i].subject_text());
      }
      Result<SensitiveString> pkcs8 = key->ToPkcs8Pem();
      if (!pkcs8.ok()) return pkcs8.status().WithContext("encoding the key as PKCS#8");
      Result<pki::PemBlock> block = pki::DecodeSinglePem(pkcs8->view(), "PRIVATE KEY");
      if (!block.ok()) return block.status().WithContext("encoding the key as PKCS#8");
      add("key.der", std::string_view(reinterpret_cast<const char*>(block->der.data()), block->der.size()), true,
          "the private key, PKCS#8 DER");
      break;
    }
    case ExportFormat::kPkcs12: {
      pki::Pkcs12Options p12;
      p12.profile = options.pkcs12_profile;
      p12.alias = options.alias;
      Result<pki::Bytes> store = pki::BuildPkcs12Keystore(*key, leaf, issuers, options.password, p12);
      if (!store.ok()) return store.status().WithContext("building the PKCS#12 keystore");
      add("keystore.p12", AsText(*store), true,
          "PKCS#12 keystore: the key, the certificate and " + Count(issuers.size(), "chain certificate") + ", alias " +
              options.alias);
      break;
    }
  }
  return bundle;
}

}  // namespace certplane::plugin
