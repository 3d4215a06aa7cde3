// internal/spki.h: puts a subject public key into a certificate without OpenSSL 3.0's
// encoder/decoder round trip. Not part of the public API.
//
// X509_set_pubkey(x, key) with a provider-native key (every key OpenSSL 3 generates or
// parses) encodes the key to SubjectPublicKeyInfo DER through the OSSL_ENCODER
// framework and decodes that DER back through OSSL_DECODER to fill the certificate's
// X509_PUBKEY: about 180 µs for a P-256 key here, seven ECDSA signatures' worth, almost
// all of it spent building the encoder and decoder chains. Given a key held by one of
// libcrypto's built-in key types (a "legacy" EVP_PKEY, with an ASN.1 method),
// X509_set_pubkey encodes it with that method and keeps a reference to it: a few µs.
//
// Encoding the SubjectPublicKeyInfo ourselves (X509_PUBKEY_set0_param) is not enough:
// that leaves the X509_PUBKEY without its EVP_PKEY, and X509_get0_pubkey, which
// X509_verify, X509_verify_cert, X509_check_private_key and PKCS12_create rely on,
// returns null for such a certificate. So for EC and RSA keys this builds a public-only
// copy of the key as a built-in key from the key's public values (the encoded point and
// the curve; n and e), which costs a few µs and never touches the private half, and
// hands that to X509_set_pubkey. The certificate then carries that copy as its key; it
// is equal (EVP_PKEY_eq) to the subject key and works with every EVP call.
//
// Ed25519 has no built-in key type that public API can create in OpenSSL 3.0, so an
// Ed25519 subject key (and an EC key whose curve is written as explicit parameters,
// which certplane's keys never are) still takes X509_set_pubkey's round trip.
//
//   Bytes key_id;
//   CERTPLANE_RETURN_IF_ERROR(internal::SetSubjectPublicKey(x509, subject_key, &key_id));
#pragma once

#include "base/result.h"
#include "pki/handles.h"
#include "pki/key.h"

namespace certplane::pki::internal {

// A public-only copy of `key` as a built-in (legacy) EVP_PKEY that X509_set_pubkey and
// i2d_PUBKEY encode directly: for RSA and for EC keys on a named curve. A null pointer
// (not an error) for keys with no such copy (Ed25519, explicit EC parameters); Internal
// when OpenSSL fails.
Result<EvpPkeyPtr> BuiltinPublicKeyCopy(const PublicKey& key);

// Sets `x509`'s subjectPublicKeyInfo to `key` through BuiltinPublicKeyCopy where there
// is one, else X509_set_pubkey(key). The SubjectPublicKeyInfo DER is the same either
// way (the unit tests compare them for every KeyAlgorithm). When `key_id` is not null it
// receives the key identifier (KeyIdentifier() of the result). Internal when OpenSSL
// fails.
Status SetSubjectPublicKey(X509* x509, const PublicKey& key, Bytes* key_id);

}  // namespace certplane::pki::internal
