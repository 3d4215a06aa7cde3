// internal/key_decoder.h: decodes private keys through a decoder context kept per thread,
// instead of the one OpenSSL 3.0 sets up anew for every key. Not part of the public API.
//
// EVP_PKCS82PKEY and d2i_PrivateKey build an OSSL_DECODER_CTX for each call: they walk
// every provider's decoders and key managers to assemble the chain, about 280 µs here,
// while the decoding itself takes 7 µs (RSA) to 28 µs (P-256). A controller that starts
// with 10,000 certificate Secrets reads 10,000 keys, and a third of its start-up CPU went
// to those chains. A context can decode many inputs one after another (the result goes to
// the EVP_PKEY* it was set up with), so each thread keeps one per kind of key and reuses it.
//
// Only for the key types certplane supports, so that input naming other algorithms cannot
// make a thread collect contexts; a context that failed to decode is thrown away, so an
// odd input never leaves one in a state another key would see.
//
//   EvpPkeyPtr key = internal::DecodePrivateKeyDer(der, internal::KeyStructure::kPkcs8, "id-ecPublicKey");
//   if (!key) key.reset(EVP_PKCS82PKEY(p8));  // OpenSSL's own path, for its error or other types
#pragma once

#include <string_view>

#include "pki/handles.h"
#include "pki/types.h"

namespace certplane::pki::internal {

enum class KeyStructure {
  kPkcs8,         // PrivateKeyInfo (RFC 5208): "PRIVATE KEY"
  kTypeSpecific,  // the key type's own: RSAPrivateKey (RFC 8017), ECPrivateKey (RFC 5915)
};

// The private key `der` holds as one whole object, of `keytype` as OpenSSL's decoders name
// it: for kPkcs8 the text of the PrivateKeyInfo's algorithm OID ("rsaEncryption",
// "id-ecPublicKey", "ED25519"), for kTypeSpecific "RSA" or "EC". A null pointer, with
// OpenSSL's error queue cleared, when the type is not one of those, when the bytes do not
// decode as such a key, or when bytes follow the key: the caller then asks OpenSSL's own
// function, whose error it reports.
EvpPkeyPtr DecodePrivateKeyDer(ByteView der, KeyStructure structure, std::string_view keytype);

}  // namespace certplane::pki::internal
