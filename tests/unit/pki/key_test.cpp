#include "pki/key.h"

#include <openssl/pem.h>

#include "fixtures.h"
#include "pki/certificate.h"
#include "pki/internal/asn1.h"
#include "pki/pem.h"

namespace certplane::pki {
namespace {

using ::certplane::pki::testing::AlgorithmTestName;
using ::certplane::pki::testing::IsErrorWith;
using ::certplane::pki::testing::Must;
using ::certplane::pki::testing::OtherTestKey;
using ::certplane::pki::testing::TestKey;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class KeyAlgorithmTest : public ::testing::TestWithParam<KeyAlgorithm> {};

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, KeyAlgorithmTest, ::testing::ValuesIn(kAllKeyAlgorithms),
                         [](const auto& info) { return AlgorithmTestName(info.param); });

TEST_P(KeyAlgorithmTest, GeneratesAKeyOfTheRequestedAlgorithm) {
  const PrivateKey& key = TestKey(GetParam());
  EXPECT_EQ(key.algorithm(), GetParam());
  EXPECT_EQ(key.public_key().algorithm(), GetParam());
}

TEST_P(KeyAlgorithmTest, TwoGeneratedKeysDiffer) {
  EXPECT_FALSE(TestKey(GetParam()).public_key() == OtherTestKey(GetParam()).public_key());
}

TEST_P(KeyAlgorithmTest, Pkcs8PemRoundTripsToTheSameKey) {
  const PrivateKey& key = TestKey(GetParam());
  SensitiveString pem = Must(key.ToPkcs8Pem());
  EXPECT_THAT(std::string(pem.view()), StartsWith("-----BEGIN PRIVATE KEY-----\n"));
  PrivateKey parsed = Must(ParsePrivateKeyPem(pem.view()));
  EXPECT_EQ(parsed.algorithm(), GetParam());
  EXPECT_TRUE(parsed.public_key() == key.public_key());
}

TEST_P(KeyAlgorithmTest, Pkcs8DerRoundTripsThroughThePemBlock) {
  SensitiveString pem = Must(TestKey(GetParam()).ToPkcs8Pem());
  PemBlock block = Must(DecodeSinglePem(pem.view(), "PRIVATE KEY"));
  PrivateKey parsed = Must(ParsePrivateKeyDer(block.der));
  EXPECT_TRUE(parsed.public_key() == TestKey(GetParam()).public_key());
}

TEST_P(KeyAlgorithmTest, PublicKeyPemRoundTrips) {
  PublicKey pub = TestKey(GetParam()).public_key();
  std::string pem = pub.ToPem();
  EXPECT_THAT(pem, StartsWith("-----BEGIN PUBLIC KEY-----\n"));
  PublicKey parsed = Must(ParsePublicKeyPem(pem));
  EXPECT_TRUE(parsed == pub);
  EXPECT_EQ(parsed.Sha256Fingerprint(), pub.Sha256Fingerprint());
  EXPECT_EQ(pub.Sha256Fingerprint().size(), 64u);
}

TEST_P(KeyAlgorithmTest, Pkcs1IsOfferedOnlyForRsa) {
  Result<SensitiveString> pem = TestKey(GetParam()).ToPkcs1Pem();
  if (IsRsa(GetParam())) {
    ASSERT_TRUE(pem.ok()) << pem.status();
    EXPECT_THAT(std::string(pem->view()), StartsWith("-----BEGIN RSA PRIVATE KEY-----\n"));
    PrivateKey parsed = Must(ParsePrivateKeyPem(pem->view()));
    EXPECT_TRUE(parsed.public_key() == TestKey(GetParam()).public_key());
  } else {
    EXPECT_THAT(pem, IsErrorWith(StatusCode::kInvalidArgument, "PKCS#1 encoding exists only for RSA keys"));
  }
}

TEST(KeyAlgorithmNames, RoundTripCaseInsensitively) {
  for (KeyAlgorithm a : kAllKeyAlgorithms) {
    EXPECT_EQ(Must(ParseKeyAlgorithm(KeyAlgorithmName(a))), a);
  }
  EXPECT_EQ(Must(ParseKeyAlgorithm("ecdsa-p256")), KeyAlgorithm::kEcdsaP256);
  EXPECT_THAT(ParseKeyAlgorithm("DSA-1024"), IsErrorWith(StatusCode::kInvalidArgument, "unknown key algorithm"));
}

// Keys written by OpenSSL itself in formats certplane does not write.
std::string OpenSslPem(EVP_PKEY* key, bool traditional) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (traditional) {
    EXPECT_EQ(PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  } else {
    EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  }
  return internal::BioContents(bio.get());
}

EvpPkeyPtr OpenSslKey(const char* type, const char* param, const char* value) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EXPECT_EQ(EVP_PKEY_keygen_init(ctx.get()), 1);
  if (std::string(type) == "RSA") EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), std::atoi(value));
  if (std::string(type) == "EC") EVP_PKEY_CTX_set_group_name(ctx.get(), value);
  (void)param;
  EVP_PKEY* raw = nullptr;
  EXPECT_EQ(EVP_PKEY_keygen(ctx.get(), &raw), 1);
  return EvpPkeyPtr(raw);
}

TEST(ParsePrivateKeyPem, ReadsSec1EcKeysWithAnEcParametersBlockFirst) {
  std::string sec1 = OpenSslPem(TestKey(KeyAlgorithm::kEcdsaP384).get(), /*traditional=*/true);
  ASSERT_THAT(sec1, StartsWith("-----BEGIN EC PRIVATE KEY-----"));
  std::string with_params = "-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n" + sec1;
  PrivateKey parsed = Must(ParsePrivateKeyPem(with_params));
  EXPECT_EQ(parsed.algorithm(), KeyAlgorithm::kEcdsaP384);
  EXPECT_TRUE(parsed.public_key() == TestKey(KeyAlgorithm::kEcdsaP384).public_key());
}

struct BadKeyCase {
  std::string name;
  std::function<std::string()> pem;
  std::string error;
};

class ParsePrivateKeyRejects : public ::testing::TestWithParam<BadKeyCase> {};

TEST_P(ParsePrivateKeyRejects, WithAClearError) {
  EXPECT_THAT(ParsePrivateKeyPem(GetParam().pem()), IsErrorWith(StatusCode::kInvalidArgument, GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParsePrivateKeyRejects,
    ::testing::Values(
        BadKeyCase{"EmptyInput", [] { return std::string(); }, "no PEM block found"},
        BadKeyCase{"TextWithoutPem", [] { return std::string("hello"); }, "no PEM block found"},
        BadKeyCase{"ACertificateInsteadOfAKey",
                   [] { return std::string("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"); },
                   "found CERTIFICATE"},
        BadKeyCase{"AnEncryptedPkcs8Key",
                   [] {
                     return EncodePem("ENCRYPTED PRIVATE KEY", Bytes{0x30, 0x00});
                   },
                   "encrypted private keys are not supported"},
        BadKeyCase{"ALegacyEncryptedPem",
                   [] {
                     return std::string(
                         "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: "
                         "AES-128-CBC,00000000000000000000000000000000\n\nMAA=\n-----END RSA PRIVATE "
                         "KEY-----\n");
                   },
                   "encrypted legacy PEM is not supported"},
        BadKeyCase{"TwoKeys",
                   [] {
                     return std::string(Must(TestKey(KeyAlgorithm::kEd25519).ToPkcs8Pem()).view()) +
                            std::string(Must(OtherTestKey(KeyAlgorithm::kEd25519).ToPkcs8Pem()).view());
                   },
                   "found several"},
        BadKeyCase{"TruncatedDer",
                   [] {
                     PemBlock b = Must(
                         DecodeSinglePem(Must(TestKey(KeyAlgorithm::kEcdsaP256).ToPkcs8Pem()).view(), "PRIVATE KEY"));
                     b.der.resize(b.der.size() / 2);
                     return EncodePem("PRIVATE KEY", b.der);
                   },
                   "malformed DER in PKCS#8 private key"},
        BadKeyCase{"TrailingBytesAfterTheKey",
                   [] {
                     PemBlock b = Must(
                         DecodeSinglePem(Must(TestKey(KeyAlgorithm::kEcdsaP256).ToPkcs8Pem()).view(), "PRIVATE KEY"));
                     b.der.push_back(0);
                     return EncodePem("PRIVATE KEY", b.der);
                   },
                   "1 unexpected bytes after the DER object"},
        BadKeyCase{"AnRsa1024Key", [] { return OpenSslPem(OpenSslKey("RSA", "bits", "1024").get(), false); },
                   "unsupported RSA key size 1024"},
        BadKeyCase{"AP521Key", [] { return OpenSslPem(OpenSslKey("EC", "group", "P-521").get(), false); },
                   "unsupported EC curve secp521r1"},
        BadKeyCase{"AnEd448Key", [] { return OpenSslPem(OpenSslKey("ED448", "", "").get(), false); },
                   "unsupported key type ED448"},
        BadKeyCase{"AnX25519Key", [] { return OpenSslPem(OpenSslKey("X25519", "", "").get(), false); },
                   "unsupported key type X25519"},
        BadKeyCase{"BadBase64",
                   [] { return std::string("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"); },
                   "malformed PEM block 1"},
        BadKeyCase{"NoEndLine", [] { return std::string("-----BEGIN PRIVATE KEY-----\nMAA=\n"); },
                   "malformed PEM block 1"}),
    [](const auto& info) { return info.param.name; });

TEST(ParsePublicKey, RejectsAPrivateKeyBlock) {
  EXPECT_THAT(ParsePublicKeyPem(Must(TestKey(KeyAlgorithm::kEd25519).ToPkcs8Pem()).view()),
              IsErrorWith(StatusCode::kInvalidArgument, "expected a PEM block labelled PUBLIC KEY, found PRIVATE KEY"));
}

TEST(PrivateKeyFromEvp, RefusesAPublicOnlyKey) {
  Bytes der = TestKey(KeyAlgorithm::kEcdsaP256).public_key().ToDer();
  const unsigned char* p = der.data();
  EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  EXPECT_THAT(PrivateKey::FromEvp(std::move(pub)), IsErrorWith(StatusCode::kInvalidArgument, "no private part"));
}

// The key a certificate issued by certplane holds for an RSA or EC subject is a
// built-in (legacy) public-only copy (internal/spki.h); the EC one reports a zero
// private scalar. (For Ed25519 the certificate shares the subject's own EVP_PKEY.)
TEST(PrivateKeyFromEvp, RefusesTheBuiltinPublicKeyOfAnIssuedCertificate) {
  for (KeyAlgorithm algorithm : kAllKeyAlgorithms) {
    if (algorithm == KeyAlgorithm::kEd25519) continue;
    Certificate leaf = ::certplane::pki::testing::IssueLeaf(
        ::certplane::pki::testing::Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate, algorithm,
        ::certplane::pki::testing::LeafSpec().WithKeyUsages(DefaultLeafKeyUsages(algorithm)));
    EXPECT_THAT(PrivateKey::FromEvp(ShareEvpPkey(X509_get0_pubkey(leaf.get()))),
                IsErrorWith(StatusCode::kInvalidArgument, "no private part"))
        << KeyAlgorithmName(algorithm);
  }
}

TEST(SensitiveString, WipesTheSourceOnMove) {
  SensitiveString a(std::string(100, 'k'));
  SensitiveString b(std::move(a));
  EXPECT_EQ(b.size(), 100u);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the point of the test
}

}  // namespace
}  // namespace certplane::pki
