// The per-thread private key decoders (internal/key_decoder.h): a context reused for key
// after key gives each one exactly, whatever came before it, and hands anything it does
// not decode back to OpenSSL's own path.
#include "pki/internal/key_decoder.h"

#include <thread>
#include <vector>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "fixtures.h"
#include "pki/internal/asn1.h"
#include "pki/key.h"
#include "pki/pem.h"

namespace certplane::pki {
namespace {

using ::certplane::pki::internal::DecodePrivateKeyDer;
using ::certplane::pki::internal::KeyStructure;
using ::certplane::pki::testing::AlgorithmTestName;
using ::certplane::pki::testing::Must;
using ::certplane::pki::testing::OtherTestKey;
using ::certplane::pki::testing::TestKey;

Bytes Pkcs8Der(const PrivateKey& key) {
  SensitiveString pem = Must(key.ToPkcs8Pem());
  return Must(DecodeSinglePem(pem.view(), "PRIVATE KEY")).der;
}

// RSAPrivateKey (PKCS#1) or ECPrivateKey (SEC 1), as OpenSSL writes them.
Bytes TypeSpecificDer(const PrivateKey& key) { return Must(internal::EncodeDer(key.get(), i2d_PrivateKey, "key")); }

// The name EVP_PKCS82PKEY gives the decoders: the text of the PrivateKeyInfo's OID.
std::string Pkcs8KeyType(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048:
    case KeyAlgorithm::kRsa3072:
    case KeyAlgorithm::kRsa4096: return "rsaEncryption";
    case KeyAlgorithm::kEcdsaP256:
    case KeyAlgorithm::kEcdsaP384: return "id-ecPublicKey";
    case KeyAlgorithm::kEd25519: return "ED25519";
  }
  return "";
}

bool SameKey(EVP_PKEY* decoded, const PrivateKey& want) {
  return decoded != nullptr && EVP_PKEY_eq(decoded, want.get()) == 1 &&
         PrivateKey::FromEvp(ShareEvpPkey(decoded)).ok();  // and it has its private half
}

class KeyDecoderTest : public ::testing::TestWithParam<KeyAlgorithm> {};

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, KeyDecoderTest, ::testing::ValuesIn(kAllKeyAlgorithms),
                         [](const auto& info) { return AlgorithmTestName(info.param); });

TEST_P(KeyDecoderTest, DecodesEachKeyOfItsKindExactlyWhenOneContextReadsThemInTurn) {
  const PrivateKey& a = TestKey(GetParam());
  const PrivateKey& b = OtherTestKey(GetParam());
  Bytes a_der = Pkcs8Der(a);
  Bytes b_der = Pkcs8Der(b);
  for (int round = 0; round < 3; ++round) {
    EvpPkeyPtr got_a = DecodePrivateKeyDer(a_der, KeyStructure::kPkcs8, Pkcs8KeyType(GetParam()));
    EvpPkeyPtr got_b = DecodePrivateKeyDer(b_der, KeyStructure::kPkcs8, Pkcs8KeyType(GetParam()));
    EXPECT_TRUE(SameKey(got_a.get(), a)) << "round " << round;
    EXPECT_TRUE(SameKey(got_b.get(), b)) << "round " << round;
    EXPECT_NE(EVP_PKEY_eq(got_a.get(), got_b.get()), 1);
  }
}

// Ed25519 has no structure of its own (RFC 8410): PKCS#8 only.
TEST(KeyDecoder, ReadsTheTypeSpecificStructureOfRsaAndEcKeys) {
  for (KeyAlgorithm algorithm : kAllKeyAlgorithms) {
    if (algorithm == KeyAlgorithm::kEd25519) continue;
    SCOPED_TRACE(AlgorithmTestName(algorithm));
    const PrivateKey& key = TestKey(algorithm);
    EvpPkeyPtr got =
        DecodePrivateKeyDer(TypeSpecificDer(key), KeyStructure::kTypeSpecific, IsRsa(algorithm) ? "RSA" : "EC");
    EXPECT_TRUE(SameKey(got.get(), key));
    // The same bytes through ParsePrivateKeyPem, which takes this path first.
    std::string label = IsRsa(algorithm) ? "RSA PRIVATE KEY" : "EC PRIVATE KEY";
    PrivateKey parsed = Must(ParsePrivateKeyPem(EncodePem(label, TypeSpecificDer(key))));
    EXPECT_TRUE(parsed.public_key() == key.public_key());
  }
}

TEST_P(KeyDecoderTest, AKeyThatDoesNotDecodeLeavesTheNextOneReadable) {
  const PrivateKey& key = TestKey(GetParam());
  Bytes der = Pkcs8Der(key);
  Bytes truncated(der.begin(), der.begin() + static_cast<std::ptrdiff_t>(der.size() / 2));
  for (const Bytes& bad : {truncated, Bytes{0x30, 0x03, 0x02, 0x01, 0x00}}) {
    EXPECT_EQ(DecodePrivateKeyDer(bad, KeyStructure::kPkcs8, Pkcs8KeyType(GetParam())), nullptr);
    EXPECT_EQ(ERR_peek_error(), 0u) << "the error queue is left clean for OpenSSL's own path";
    EXPECT_TRUE(SameKey(DecodePrivateKeyDer(der, KeyStructure::kPkcs8, Pkcs8KeyType(GetParam())).get(), key));
  }
}

TEST_P(KeyDecoderTest, RefusesBytesAfterTheKey) {
  Bytes der = Pkcs8Der(TestKey(GetParam()));
  der.push_back(0x00);
  EXPECT_EQ(DecodePrivateKeyDer(der, KeyStructure::kPkcs8, Pkcs8KeyType(GetParam())), nullptr);
}

TEST(KeyDecoder, LeavesKeyTypesCertplaneDoesNotSupportToOpenSsl) {
  Bytes der = Pkcs8Der(TestKey(KeyAlgorithm::kEcdsaP256));
  for (const char* other : {"X25519", "dsaEncryption", "", "id-ecPublicKey\x01"}) {
    EXPECT_EQ(DecodePrivateKeyDer(der, KeyStructure::kPkcs8, other), nullptr) << other;
  }
  EXPECT_EQ(DecodePrivateKeyDer(der, KeyStructure::kTypeSpecific, "id-ecPublicKey"), nullptr);
}

TEST(KeyDecoder, AKeyOfAnotherTypeThanNamedIsNotDecodedAsTheNamedType) {
  // An RSA PrivateKeyInfo handed to the EC context, as a PrivateKeyInfo whose OID lies
  // would be: the EC decoder refuses it, and the EC context still works afterwards.
  EXPECT_EQ(DecodePrivateKeyDer(Pkcs8Der(TestKey(KeyAlgorithm::kRsa2048)), KeyStructure::kPkcs8, "id-ecPublicKey"),
            nullptr);
  const PrivateKey& ec = TestKey(KeyAlgorithm::kEcdsaP256);
  EXPECT_TRUE(SameKey(DecodePrivateKeyDer(Pkcs8Der(ec), KeyStructure::kPkcs8, "id-ecPublicKey").get(), ec));
}

TEST(KeyDecoder, ThreadsDecodingAtOnceEachGetTheirOwnKeys) {
  std::vector<const PrivateKey*> keys;
  for (KeyAlgorithm a : kAllKeyAlgorithms) {
    keys.push_back(&TestKey(a));
    keys.push_back(&OtherTestKey(a));
  }
  std::vector<Bytes> ders;
  for (const PrivateKey* k : keys) ders.push_back(Pkcs8Der(*k));
  constexpr int kThreads = 4;
  std::vector<int> wrong(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (size_t i = 0; i < keys.size(); ++i) {
          size_t k = (i + static_cast<size_t>(t)) % keys.size();  // each thread in its own order
          EvpPkeyPtr got = DecodePrivateKeyDer(ders[k], KeyStructure::kPkcs8, Pkcs8KeyType(keys[k]->algorithm()));
          if (!SameKey(got.get(), *keys[k])) ++wrong[static_cast<size_t>(t)];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(kThreads, 0));
}

}  // namespace
}  // namespace certplane::pki
