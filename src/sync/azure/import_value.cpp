#include "sync/azure/import_value.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <utility>
#include <vector>

#include "base/text.h"
#include "pki/certificate.h"
#include "pki/errors.h"
#include "pki/key.h"
#include "pki/pem.h"

namespace certplane::sync::azure {
namespace {

// Wipes a std::string that held key material before it is freed: its whole buffer, as
// SensitiveString does. The string must not grow after this is made (a reallocation
// would free the old buffer unwiped), so callers reserve first.
struct WipeOnExit {
  std::string& text;
  ~WipeOnExit() {
    text.resize(text.capacity());
    OPENSSL_cleanse(text.data(), text.size());
  }
};

Result<std::vector<pki::Certificate>> ParseChain(std::string_view pem) {
  std::vector<pki::Certificate> chain;
  if (pem.find("-----BEGIN") == std::string_view::npos) return chain;  // no intermediates
  Result<std::vector<pki::PemBlock>> blocks = pki::DecodePem(pem);
  if (!blocks.ok()) return blocks.status().WithContext("reading the chain");
  for (std::size_t i = 0; i < blocks->size(); ++i) {
    const pki::PemBlock& block = (*blocks)[i];
    if (block.label != "CERTIFICATE") {
      return InvalidArgument("reading the chain: block " + std::to_string(i) + " is " + block.label +
                             ", not CERTIFICATE");
    }
    Result<pki::Certificate> cert = pki::ParseCertificateDer(block.der);
    if (!cert.ok()) return cert.status().WithContext("reading the chain: certificate " + std::to_string(i));
    chain.push_back(std::move(*cert));
  }
  return chain;
}

Status SetKeyProperties(pki::KeyAlgorithm algorithm, ImportValue& out) {
  switch (algorithm) {
    case pki::KeyAlgorithm::kRsa2048:
    case pki::KeyAlgorithm::kRsa3072:
    case pki::KeyAlgorithm::kRsa4096:
      out.kty = "RSA";
      out.key_size = algorithm == pki::KeyAlgorithm::kRsa2048   ? 2048
                     : algorithm == pki::KeyAlgorithm::kRsa3072 ? 3072
                                                                : 4096;
      return Status::Ok();
    case pki::KeyAlgorithm::kEcdsaP256:
      out.kty = "EC";
      out.crv = "P-256";
      return Status::Ok();
    case pki::KeyAlgorithm::kEcdsaP384:
      out.kty = "EC";
      out.crv = "P-384";
      return Status::Ok();
    case pki::KeyAlgorithm::kEd25519: break;
  }
  return InvalidArgument("Key Vault certificates hold RSA or EC keys; a " +
                         std::string(pki::KeyAlgorithmName(algorithm)) + " key cannot be imported");
}

Result<SensitiveString> RandomPassword() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return pki::OpenSslError(StatusCode::kInternal, "generating a PKCS#12 password");
  }
  std::string hex = LowerHex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  OPENSSL_cleanse(bytes, sizeof bytes);
  WipeOnExit wipe{hex};
  return SensitiveString(hex);
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

Result<ImportValue> BuildImportValue(const CertificateMaterial& material, KeyVaultFormat format,
                                     pki::Pkcs12Profile profile) {
  Result<pki::PrivateKey> key = pki::ParsePrivateKeyPem(material.private_key_pem.view());
  if (!key.ok()) return key.status().WithContext("reading the private key");
  Result<pki::Certificate> leaf = pki::ParseCertificatePem(material.certificate_pem);
  if (!leaf.ok()) return leaf.status().WithContext("reading the certificate");
  Result<std::vector<pki::Certificate>> chain = ParseChain(material.chain_pem);
  if (!chain.ok()) return chain.status();
  Result<pki::PublicKey> leaf_key = leaf->public_key();
  if (!leaf_key.ok()) return leaf_key.status().WithContext("reading the certificate's public key");
  if (!(*leaf_key == key->public_key())) return InvalidArgument("the private key does not match the certificate");

  ImportValue out;
  CERTPLANE_RETURN_IF_ERROR(SetKeyProperties(key->algorithm(), out));
  if (format == KeyVaultFormat::kPem) {
    // Key Vault reads only PKCS#8 keys from PEM; the leaf must come first after it.
    Result<SensitiveString> pkcs8 = key->ToPkcs8Pem();
    if (!pkcs8.ok()) return pkcs8.status();
    std::string certificates = leaf->ToPem();
    for (const pki::Certificate& cert : *chain) certificates += cert.ToPem();
    std::string text;
    text.reserve(pkcs8->size() + certificates.size());
    WipeOnExit wipe_text{text};
    text.append(pkcs8->view()).append(certificates);
    std::string encoded = Base64Encode(text);
    WipeOnExit wipe_encoded{encoded};
    out.value_base64 = SensitiveString(encoded);
    out.content_type = kPemContentType;
    return out;
  }
  Result<SensitiveString> password = RandomPassword();
  if (!password.ok()) return password.status();
  Result<pki::Bytes> p12 =
      pki::BuildPkcs12Keystore(*key, *leaf, *chain, password->view(), pki::Pkcs12Options{.profile = profile});
  if (!p12.ok()) return p12.status().WithContext("building the PKCS#12");
  std::string encoded = Base64Encode(std::string_view(reinterpret_cast<const char*>(p12->data()), p12->size()));
  WipeOnExit wipe_encoded{encoded};
  OPENSSL_cleanse(p12->data(), p12->size());
  out.value_base64 = SensitiveString(encoded);
  out.password = std::move(*password);
  out.content_type = kPkcs12ContentType;
  return out;
}

}  // namespace certplane::sync::azure
