// The subject public key path of IssueCertificate (internal/spki.h) against what
// X509_set_pubkey writes with the key itself: the same SubjectPublicKeyInfo DER and the
// same key identifier, for every algorithm, and a certificate key OpenSSL can use.
#include "pki/internal/spki.h"

#include <openssl/core_names.h>

#include "fixtures.h"
#include "pki/internal/asn1.h"
#include "pki/internal/x509v3.h"

namespace certplane::pki {
namespace {

using ::certplane::pki::testing::AlgorithmTestName;
using ::certplane::pki::testing::Must;
using ::certplane::pki::testing::OtherTestKey;
using ::certplane::pki::testing::TestKey;

// What X509_set_pubkey(x, key) writes: the reference.
struct Reference {
  Bytes spki;
  Bytes key_id;
};

Reference ReferenceFor(EVP_PKEY* key) {
  X509Ptr x509(X509_new());
  EXPECT_EQ(X509_set_pubkey(x509.get(), key), 1);
  return {Must(internal::EncodeDer(X509_get_X509_PUBKEY(x509.get()), i2d_X509_PUBKEY, "reference SPKI")),
          Must(internal::KeyIdentifier(X509_get_X509_PUBKEY(x509.get())))};
}

struct Written {
  X509Ptr x509;
  Bytes spki;
  Bytes key_id;
};

Written ThroughTheNewPath(const PublicKey& key) {
  X509Ptr x509(X509_new());
  Bytes key_id;
  Status s = internal::SetSubjectPublicKey(x509.get(), key, &key_id);
  EXPECT_TRUE(s.ok()) << s;
  Bytes spki = Must(internal::EncodeDer(X509_get_X509_PUBKEY(x509.get()), i2d_X509_PUBKEY, "SPKI"));
  return {std::move(x509), std::move(spki), std::move(key_id)};
}

// SHA-1 of the subjectPublicKey BIT STRING's value, computed here from the DER bits.
Bytes Sha1OfSubjectPublicKey(X509* x509) {
  const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(x509);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(ASN1_STRING_get0_data(bits), static_cast<size_t>(ASN1_STRING_length(bits)), md, &len, EVP_sha1(),
                       nullptr),
            1);
  return Bytes(md, md + len);
}

void ExpectSameAsX509SetPubkey(const PublicKey& key) {
  Reference want = ReferenceFor(key.get());
  Written got = ThroughTheNewPath(key);
  EXPECT_EQ(got.spki, want.spki);
  EXPECT_EQ(got.key_id, want.key_id);
  EXPECT_EQ(got.key_id, Sha1OfSubjectPublicKey(got.x509.get()));
  EXPECT_EQ(got.key_id.size(), 20u);
  // The certificate holds a usable key equal to the subject key, encoding to the same DER.
  EVP_PKEY* held = X509_get0_pubkey(got.x509.get());
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(held, key.get()), 1);
  EXPECT_EQ(Must(internal::EncodeDer(held, i2d_PUBKEY, "held key")), key.ToDer());
  PublicKey back = Must(PublicKey::FromEvp(ShareEvpPkey(held)));
  EXPECT_EQ(back.algorithm(), key.algorithm());
  EXPECT_TRUE(back == key);
}

class EveryAlgorithm : public ::testing::TestWithParam<KeyAlgorithm> {};

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, EveryAlgorithm, ::testing::ValuesIn(kAllKeyAlgorithms),
                         [](const auto& info) { return AlgorithmTestName(info.param); });

TEST_P(EveryAlgorithm, WritesTheSameSubjectPublicKeyInfoAndKeyIdAsX509SetPubkey) {
  ExpectSameAsX509SetPubkey(TestKey(GetParam()).public_key());
  ExpectSameAsX509SetPubkey(OtherTestKey(GetParam()).public_key());
}

TEST_P(EveryAlgorithm, DoesTheSameForAPublicKeyParsedFromDer) {
  ExpectSameAsX509SetPubkey(Must(ParsePublicKeyDer(TestKey(GetParam()).public_key().ToDer())));
}

TEST_P(EveryAlgorithm, LeavesTheKeyIdOutWhenNotAsked) {
  X509Ptr x509(X509_new());
  EXPECT_TRUE(internal::SetSubjectPublicKey(x509.get(), TestKey(GetParam()).public_key(), nullptr).ok());
  EXPECT_EQ(Must(internal::EncodeDer(X509_get_X509_PUBKEY(x509.get()), i2d_X509_PUBKEY, "SPKI")),
            ReferenceFor(TestKey(GetParam()).get()).spki);
}

TEST_P(EveryAlgorithm, CopiesRsaAndEcKeysAsBuiltinKeysAndNothingElse) {
  EvpPkeyPtr copy = Must(internal::BuiltinPublicKeyCopy(TestKey(GetParam()).public_key()));
  if (GetParam() == KeyAlgorithm::kEd25519) {
    EXPECT_EQ(copy, nullptr);
    return;
  }
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(copy.get(), TestKey(GetParam()).get()), 1);
  // Public only: the private half never leaves the subject's key.
  EXPECT_THAT(PrivateKey::FromEvp(std::move(copy)),
              ::certplane::pki::testing::IsErrorWith(StatusCode::kInvalidArgument, "no private part"));
}

// A public key whose encoding parameter is changed, parsed from `key`'s DER so the test
// keys stay untouched.
PublicKey WithEcParam(const PrivateKey& key, const char* name, const char* value) {
  PublicKey pub = Must(ParsePublicKeyDer(key.public_key().ToDer()));
  EXPECT_EQ(EVP_PKEY_set_utf8_string_param(pub.get(), name, value), 1);
  return pub;
}

TEST(SetSubjectPublicKey, WritesACompressedEcPointAsX509SetPubkeyDoes) {
  for (KeyAlgorithm algorithm : {KeyAlgorithm::kEcdsaP256, KeyAlgorithm::kEcdsaP384}) {
    PublicKey compressed = WithEcParam(TestKey(algorithm), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                       OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_COMPRESSED);
    ExpectSameAsX509SetPubkey(compressed);
    EXPECT_LT(ThroughTheNewPath(compressed).spki.size(), TestKey(algorithm).public_key().ToDer().size());
  }
}

TEST(SetSubjectPublicKey, LeavesAKeyWithExplicitCurveParametersToX509SetPubkey) {
  PublicKey explicit_params =
      WithEcParam(TestKey(KeyAlgorithm::kEcdsaP256), OSSL_PKEY_PARAM_EC_ENCODING, OSSL_PKEY_EC_ENCODING_EXPLICIT);
  EXPECT_EQ(Must(internal::BuiltinPublicKeyCopy(explicit_params)), nullptr);
  ExpectSameAsX509SetPubkey(explicit_params);
}

}  // namespace
}  // namespace certplane::pki
