#include "pki/csr.h"

#include "fixtures.h"
#include "pki/internal/asn1.h"
#include "pki/pem.h"

namespace certplane::pki {
namespace {

using ::certplane::pki::testing::AlgorithmTestName;
using ::certplane::pki::testing::IsErrorWith;
using ::certplane::pki::testing::Must;
using ::certplane::pki::testing::TestKey;
using ::testing::ElementsAre;
using ::testing::StartsWith;

CsrSpec FullSpec() {
  CsrSpec spec;
  spec.subject.common_name = "frontend";
  spec.subject.organizations = {"Acme"};
  spec.subject_alt_names.dns_names = {"frontend.shop.svc"};
  spec.subject_alt_names.ip_addresses = {"192.0.2.1", "2001:db8::1"};
  spec.subject_alt_names.uris = {"spiffe://cluster.local/ns/shop/sa/frontend"};
  spec.subject_alt_names.email_addresses = {"ops@acme.example"};
  return spec;
}

class CsrForEveryAlgorithm : public ::testing::TestWithParam<KeyAlgorithm> {};

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, CsrForEveryAlgorithm, ::testing::ValuesIn(kAllKeyAlgorithms),
                         [](const auto& info) { return AlgorithmTestName(info.param); });

TEST_P(CsrForEveryAlgorithm, RoundTripsSubjectNamesAndKeyThroughPemAndDer) {
  CertificateRequest csr = Must(CreateCertificateRequest(FullSpec(), TestKey(GetParam())));
  std::string pem = csr.ToPem();
  EXPECT_THAT(pem, StartsWith("-----BEGIN CERTIFICATE REQUEST-----\n"));
  for (const CertificateRequest& parsed : {Must(ParseCsrPem(pem)), Must(ParseCsrDer(csr.ToDer()))}) {
    EXPECT_EQ(parsed.subject(), FullSpec().subject);
    EXPECT_EQ(parsed.subject_alt_names(), FullSpec().subject_alt_names);
    EXPECT_TRUE(parsed.public_key() == TestKey(GetParam()).public_key());
    EXPECT_TRUE(parsed.VerifySignature().ok());
  }
}

TEST(CreateCertificateRequest, AllowsAnEmptySubjectWithSans) {
  CsrSpec spec;
  spec.subject_alt_names.dns_names = {"acme.example"};
  CertificateRequest csr = Must(CreateCertificateRequest(spec, TestKey(KeyAlgorithm::kEcdsaP256)));
  EXPECT_EQ(csr.subject_text(), "");
  EXPECT_THAT(csr.subject_alt_names().dns_names, ElementsAre("acme.example"));
  EXPECT_EQ(csr.signature_algorithm(), "ecdsa-with-SHA256");
}

TEST(CreateCertificateRequest, RefusesARequestWithoutAnyName) {
  EXPECT_THAT(CreateCertificateRequest({}, TestKey(KeyAlgorithm::kEcdsaP256)),
              IsErrorWith(StatusCode::kInvalidArgument, "needs a subject or at least one subject alternative name"));
}

TEST(CreateCertificateRequest, RefusesAnInvalidSan) {
  CsrSpec spec;
  spec.subject_alt_names.dns_names = {"-bad.example"};
  EXPECT_THAT(CreateCertificateRequest(spec, TestKey(KeyAlgorithm::kEcdsaP256)),
              IsErrorWith(StatusCode::kInvalidArgument, "label starts or ends with '-'"));
}

Bytes Tampered(Bytes der) {
  // Flip a bit in the last octet: part of the signature value.
  der.back() ^= 0x01;
  return der;
}

struct BadCsrCase {
  std::string name;
  std::function<Bytes()> der;
  std::string error;
};

class ParseCsrDerRejects : public ::testing::TestWithParam<BadCsrCase> {};

TEST_P(ParseCsrDerRejects, WithAClearError) {
  EXPECT_THAT(ParseCsrDer(GetParam().der()), IsErrorWith(StatusCode::kInvalidArgument, GetParam().error));
}

Bytes ValidCsrDer(KeyAlgorithm a) { return Must(CreateCertificateRequest(FullSpec(), TestKey(a))).ToDer(); }

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseCsrDerRejects,
    ::testing::Values(
        BadCsrCase{"EmptyInput", [] { return Bytes{}; }, "input is empty"},
        BadCsrCase{"ATamperedEcdsaSignature", [] { return Tampered(ValidCsrDer(KeyAlgorithm::kEcdsaP256)); },
                   "self-signature does not verify"},
        BadCsrCase{"ATamperedEd25519Signature", [] { return Tampered(ValidCsrDer(KeyAlgorithm::kEd25519)); },
                   "self-signature does not verify"},
        BadCsrCase{"ATamperedRsaSignature", [] { return Tampered(ValidCsrDer(KeyAlgorithm::kRsa2048)); },
                   "self-signature does not verify"},
        BadCsrCase{"ATruncatedRequest",
                   [] {
                     Bytes der = ValidCsrDer(KeyAlgorithm::kEcdsaP256);
                     der.erase(der.end() - 10, der.end());
                     return der;
                   },
                   "malformed DER in certificate request"},
        BadCsrCase{"ACertificateInstead", [] { return testing::Hierarchy(KeyAlgorithm::kEd25519).root_cert.ToDer(); },
                   "malformed DER in certificate request"},
        BadCsrCase{"TrailingGarbage",
                   [] {
                     Bytes der = ValidCsrDer(KeyAlgorithm::kEd25519);
                     der.push_back(0x00);
                     der.push_back(0x00);
                     return der;
                   },
                   "2 unexpected bytes after the DER object"}),
    [](const auto& info) { return info.param.name; });

TEST(ParseCsrPem, RefusesAnotherPemType) {
  EXPECT_THAT(ParseCsrPem(testing::Hierarchy(KeyAlgorithm::kEd25519).root_cert.ToPem()),
              IsErrorWith(StatusCode::kInvalidArgument, "expected CERTIFICATE REQUEST, found CERTIFICATE"));
}

TEST(ParseCsrPem, AcceptsTheLegacyNewCertificateRequestLabel) {
  Bytes der = ValidCsrDer(KeyAlgorithm::kEcdsaP384);
  CertificateRequest csr = Must(ParseCsrPem(EncodePem("NEW CERTIFICATE REQUEST", der)));
  EXPECT_EQ(csr.signature_algorithm(), "ecdsa-with-SHA384");
}

TEST(ParseCsrDer, RefusesAnUnsupportedKey) {
  // An RSA-1024 request built with OpenSSL directly.
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  ASSERT_EQ(EVP_PKEY_keygen_init(ctx.get()), 1);
  EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 1024);
  EVP_PKEY* raw = nullptr;
  ASSERT_EQ(EVP_PKEY_keygen(ctx.get(), &raw), 1);
  EvpPkeyPtr key(raw);
  X509ReqPtr req(X509_REQ_new());
  X509_REQ_set_pubkey(req.get(), key.get());
  ASSERT_GT(X509_REQ_sign(req.get(), key.get(), EVP_sha256()), 0);
  Bytes der = Must(internal::EncodeDer(req.get(), i2d_X509_REQ, "csr"));
  EXPECT_THAT(ParseCsrDer(der), IsErrorWith(StatusCode::kInvalidArgument, "unsupported RSA key size 1024"));
}

}  // namespace
}  // namespace certplane::pki
