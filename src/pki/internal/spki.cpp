#include "pki/internal/spki.h"

#include <cstring>

#include <openssl/core_names.h>
#include <openssl/objects.h>

#include "pki/errors.h"
#include "pki/internal/x509v3.h"

namespace certplane::pki::internal {
namespace {

// A built-in EC key holding only a named curve's parameters, the template every EC copy
// starts from (copying the group is cheaper than building it from its OID each time).
// Made once; read-only afterwards, so it may be used from several threads. Null if
// OpenSSL failed, and then every EC key takes X509_set_pubkey's own path.
EVP_PKEY* CurveTemplate(int curve_nid) {
  auto make = [](int nid) -> EVP_PKEY* {
    unsigned char der[16];
    unsigned char* out = der;
    const ASN1_OBJECT* oid = OBJ_nid2obj(nid);
    if (oid == nullptr || i2d_ASN1_OBJECT(oid, nullptr) > static_cast<int>(sizeof(der))) return nullptr;
    int len = i2d_ASN1_OBJECT(oid, &out);
    const unsigned char* in = der;
    EVP_PKEY* params = d2i_KeyParams(EVP_PKEY_EC, nullptr, &in, len);
    ClearOpenSslErrors();
    return params;  // kept for the life of the process
  };
  static EVP_PKEY* const p256 = make(NID_X9_62_prime256v1);
  static EVP_PKEY* const p384 = make(NID_secp384r1);
  switch (curve_nid) {
    case NID_X9_62_prime256v1: return p256;
    case NID_secp384r1: return p384;
    default: return nullptr;
  }
}

Result<EvpPkeyPtr> EcCopy(EVP_PKEY* key, int curve_nid) {
  // Only a named curve: the template writes the curve's OID, and a key read from
  // explicit parameters is written back with them.
  char encoding[32] = {};
  size_t encoding_len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING, encoding, sizeof(encoding), &encoding_len) !=
          1 ||
      std::strcmp(encoding, OSSL_PKEY_EC_ENCODING_GROUP) != 0) {
    ClearOpenSslErrors();
    return EvpPkeyPtr();
  }
  EVP_PKEY* curve = CurveTemplate(curve_nid);
  if (curve == nullptr) return EvpPkeyPtr();
  // The point in the key's own conversion form (uncompressed unless it was read
  // compressed), which is how X509_set_pubkey would write it; o2i_ECPublicKey keeps the
  // form it reads. (OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY is always uncompressed in 3.0.)
  unsigned char point[1 + 2 * 66];
  size_t point_len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &point_len) != 1) {
    return OpenSslError(StatusCode::kInternal, "reading the EC public point");
  }
  EvpPkeyPtr copy(EVP_PKEY_new());
  if (!copy || EVP_PKEY_copy_parameters(copy.get(), curve) != 1) {
    return OpenSslError(StatusCode::kInternal, "copying the EC curve");
  }
  EVP_PKEY* filled = copy.get();
  const unsigned char* in = point;
  // Fills `copy` in place (and leaves it ours on failure).
  if (d2i_PublicKey(EVP_PKEY_EC, &filled, &in, static_cast<long>(point_len)) == nullptr) {
    return OpenSslError(StatusCode::kInternal, "setting the EC public point");
  }
  return copy;
}

// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1).
Result<EvpPkeyPtr> RsaCopy(EVP_PKEY* key) {
  BIGNUM* n_raw = nullptr;
  BIGNUM* e_raw = nullptr;
  bool got = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n_raw) == 1 &&
             EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e_raw) == 1;
  BignumPtr n(n_raw);  // owns the copy of the modulus
  BignumPtr e(e_raw);  // owns the copy of the exponent
  if (!got) return OpenSslError(StatusCode::kInternal, "reading the RSA public key");
  Asn1IntegerPtr n_asn1(BN_to_ASN1_INTEGER(n.get(), nullptr));
  Asn1IntegerPtr e_asn1(BN_to_ASN1_INTEGER(e.get(), nullptr));
  if (!n_asn1 || !e_asn1) return OpenSslError(StatusCode::kInternal, "encoding the RSA public key");
  int n_len = i2d_ASN1_INTEGER(n_asn1.get(), nullptr);
  int e_len = i2d_ASN1_INTEGER(e_asn1.get(), nullptr);
  if (n_len <= 0 || e_len <= 0) return OpenSslError(StatusCode::kInternal, "encoding the RSA public key");
  int total = ASN1_object_size(/*constructed=*/1, n_len + e_len, V_ASN1_SEQUENCE);
  if (total <= 0) return OpenSslError(StatusCode::kInternal, "encoding the RSA public key");
  Bytes der(static_cast<size_t>(total));
  unsigned char* out = der.data();
  ASN1_put_object(&out, /*constructed=*/1, n_len + e_len, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
  i2d_ASN1_INTEGER(n_asn1.get(), &out);
  i2d_ASN1_INTEGER(e_asn1.get(), &out);
  const unsigned char* in = der.data();
  EvpPkeyPtr copy(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &in, static_cast<long>(der.size())));
  if (!copy) return OpenSslError(StatusCode::kInternal, "decoding the RSA public key");
  return copy;
}

}  // namespace

Result<EvpPkeyPtr> BuiltinPublicKeyCopy(const PublicKey& key) {
  switch (key.algorithm()) {
    case KeyAlgorithm::kRsa2048:
    case KeyAlgorithm::kRsa3072:
    case KeyAlgorithm::kRsa4096: return RsaCopy(key.get());
    case KeyAlgorithm::kEcdsaP256: return EcCopy(key.get(), NID_X9_62_prime256v1);
    case KeyAlgorithm::kEcdsaP384: return EcCopy(key.get(), NID_secp384r1);
    case KeyAlgorithm::kEd25519: return EvpPkeyPtr();
  }
  return EvpPkeyPtr();
}

Status SetSubjectPublicKey(X509* x509, const PublicKey& key, Bytes* key_id) {
  Result<EvpPkeyPtr> copy = BuiltinPublicKeyCopy(key);
  if (!copy.ok()) return copy.status();
  EVP_PKEY* to_set = *copy ? copy->get() : key.get();
  if (X509_set_pubkey(x509, to_set) != 1) {  // takes its own reference to the key
    return OpenSslError(StatusCode::kInternal, "setting the public key");
  }
  if (key_id != nullptr) {
    Result<Bytes> id = KeyIdentifier(X509_get_X509_PUBKEY(x509));
    if (!id.ok()) return id.status();
    *key_id = std::move(*id);
  }
  return Status::Ok();
}

}  // namespace certplane::pki::internal
