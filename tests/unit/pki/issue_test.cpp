#include "pki/issue.h"

#include <openssl/objects.h>

#include <thread>

#include "fixtures.h"
#include "pki/internal/asn1.h"
#include "pki/pem.h"

namespace certplane::pki {
namespace {

using namespace std::chrono_literals;
using ::certplane::pki::testing::AlgorithmTestName;
using ::certplane::pki::testing::CaSpec;
using ::certplane::pki::testing::Hierarchy;
using ::certplane::pki::testing::IsErrorWith;
using ::certplane::pki::testing::IssueLeaf;
using ::certplane::pki::testing::kNow;
using ::certplane::pki::testing::LeafSpec;
using ::certplane::pki::testing::Must;
using ::certplane::pki::testing::OtherTestKey;
using ::certplane::pki::testing::TestKey;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kBasicConstraints[] = "2.5.29.19";
constexpr char kKeyUsage[] = "2.5.29.15";
constexpr char kSubjectAltName[] = "2.5.29.17";
constexpr char kNameConstraints[] = "2.5.29.30";

// ---- Signature algorithms and the chain, for every issuer algorithm ----

struct SignatureCase {
  KeyAlgorithm issuer;
  std::string signature_algorithm;
};

class IssuedByEveryAlgorithm : public ::testing::TestWithParam<SignatureCase> {};

INSTANTIATE_TEST_SUITE_P(Algorithms, IssuedByEveryAlgorithm,
                         ::testing::Values(SignatureCase{KeyAlgorithm::kRsa2048, "sha256WithRSAEncryption"},
                                           SignatureCase{KeyAlgorithm::kRsa3072, "sha256WithRSAEncryption"},
                                           SignatureCase{KeyAlgorithm::kRsa4096, "sha256WithRSAEncryption"},
                                           SignatureCase{KeyAlgorithm::kEcdsaP256, "ecdsa-with-SHA256"},
                                           SignatureCase{KeyAlgorithm::kEcdsaP384, "ecdsa-with-SHA384"},
                                           SignatureCase{KeyAlgorithm::kEd25519, "ED25519"}),
                         [](const auto& info) { return AlgorithmTestName(info.param.issuer); });

TEST_P(IssuedByEveryAlgorithm, SignsWithTheAlgorithmThatFollowsTheIssuerKey) {
  const auto& pki = Hierarchy(GetParam().issuer);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256);
  EXPECT_EQ(leaf.signature_algorithm(), GetParam().signature_algorithm);
  EXPECT_EQ(pki.intermediate_cert.signature_algorithm(), GetParam().signature_algorithm);
  EXPECT_EQ(pki.root_cert.signature_algorithm(), GetParam().signature_algorithm);
}

TEST_P(IssuedByEveryAlgorithm, LinksEachCertificateToItsIssuerByKeyIdentifiers) {
  const auto& pki = Hierarchy(GetParam().issuer);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEd25519);
  EXPECT_EQ(pki.root_cert.subject_key_id().size(), 20u);
  EXPECT_EQ(pki.root_cert.authority_key_id(), pki.root_cert.subject_key_id());
  EXPECT_EQ(pki.intermediate_cert.authority_key_id(), pki.root_cert.subject_key_id());
  EXPECT_EQ(leaf.authority_key_id(), pki.intermediate_cert.subject_key_id());
  EXPECT_NE(leaf.subject_key_id(), leaf.authority_key_id());
  EXPECT_TRUE(leaf.VerifySignedBy(pki.intermediate_cert).ok());
  EXPECT_TRUE(pki.intermediate_cert.VerifySignedBy(pki.root_cert).ok());
  EXPECT_TRUE(pki.root_cert.IsSelfSigned());
  EXPECT_FALSE(leaf.IsSelfSigned());
  EXPECT_EQ(leaf.issuer(), pki.intermediate_cert.subject());
}

TEST_P(IssuedByEveryAlgorithm, CarriesTheSubjectKeyNotTheIssuerKey) {
  const auto& pki = Hierarchy(GetParam().issuer);
  for (KeyAlgorithm subject : kAllKeyAlgorithms) {
    Certificate leaf = IssueLeaf(pki.intermediate, subject, LeafSpec().WithKeyUsages(DefaultLeafKeyUsages(subject)));
    EXPECT_TRUE(Must(leaf.public_key()) == TestKey(subject).public_key()) << KeyAlgorithmName(subject);
    EXPECT_TRUE(CheckKeyMatchesCertificate(TestKey(subject), leaf).ok());
  }
}

// ---- What a root, an intermediate and a leaf carry ----

TEST(SelfSignCertificate, MakesARootWithCriticalCaConstraintsAndUsages) {
  const Certificate& root = Hierarchy(KeyAlgorithm::kEcdsaP256).root_cert;
  EXPECT_TRUE(root.is_ca());
  EXPECT_EQ(root.path_len(), std::nullopt);
  EXPECT_TRUE(root.IsExtensionCritical(kBasicConstraints));
  EXPECT_TRUE(root.IsExtensionCritical(kKeyUsage));
  EXPECT_THAT(root.key_usages(), ElementsAre(KeyUsage::kDigitalSignature, KeyUsage::kKeyCertSign, KeyUsage::kCrlSign));
  EXPECT_EQ(root.subject(), root.issuer());
  EXPECT_EQ(root.subject_text(), "CN=Test Root ECDSA-P256,O=certplane tests");
}

TEST(IssueCertificate, GivesAnIntermediateItsPathLength) {
  const Certificate& intermediate = Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate_cert;
  EXPECT_TRUE(intermediate.is_ca());
  EXPECT_EQ(intermediate.path_len(), 0);
  EXPECT_THAT(intermediate.crl_distribution_points(), ElementsAre("http://crl.example/root.crl"));
}

TEST(IssueCertificate, GivesALeafEveryRequestedExtension) {
  NameConstraints unused;
  DistinguishedName dn;
  dn.common_name = "frontend";
  dn.organizations = {"Acme", "Acme Labs"};
  dn.organizational_units = {"Platform"};
  dn.country = "DE";
  dn.province = "Berlin";
  dn.locality = "Berlin";
  dn.serial_number = "42";
  CertificateSpec spec = LeafSpec()
                             .WithSubject(dn)
                             .WithDns({"frontend.shop.svc", "*.frontend.shop.svc.cluster.local"})
                             .WithIps({"10.0.0.7", "fd00::7"})
                             .WithUris({"spiffe://cluster.local/ns/shop/sa/frontend"})
                             .WithEmails({"ops@acme.example"})
                             .WithKeyUsages({KeyUsage::kDigitalSignature, KeyUsage::kKeyAgreement})
                             .WithExtendedKeyUsages({ExtendedKeyUsage::kServerAuth, ExtendedKeyUsage::kClientAuth})
                             .WithCrlDistributionPoints({"http://certplane.svc/crl/acme/0"})
                             .WithOcsp({"http://ocsp.acme.example"})
                             .WithCaIssuers({"http://certplane.svc/ca/acme.crt"});
  Certificate leaf = IssueLeaf(Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate, KeyAlgorithm::kEcdsaP256, spec);

  EXPECT_EQ(leaf.subject(), dn);
  EXPECT_EQ(leaf.subject_text(), "serialNumber=42,CN=frontend,OU=Platform,O=Acme Labs,O=Acme,L=Berlin,ST=Berlin,C=DE");
  SubjectAltNames sans = leaf.subject_alt_names();
  EXPECT_THAT(sans.dns_names, ElementsAre("frontend.shop.svc", "*.frontend.shop.svc.cluster.local"));
  EXPECT_THAT(sans.ip_addresses, ElementsAre("10.0.0.7", "fd00::7"));
  EXPECT_THAT(sans.uris, ElementsAre("spiffe://cluster.local/ns/shop/sa/frontend"));
  EXPECT_THAT(sans.email_addresses, ElementsAre("ops@acme.example"));
  EXPECT_FALSE(leaf.IsExtensionCritical(kSubjectAltName));
  EXPECT_FALSE(leaf.is_ca());
  EXPECT_TRUE(leaf.IsExtensionCritical(kBasicConstraints));
  EXPECT_TRUE(leaf.IsExtensionCritical(kKeyUsage));
  EXPECT_THAT(leaf.key_usages(), ElementsAre(KeyUsage::kDigitalSignature, KeyUsage::kKeyAgreement));
  EXPECT_THAT(leaf.extended_key_usages(), ElementsAre(ExtendedKeyUsage::kServerAuth, ExtendedKeyUsage::kClientAuth));
  EXPECT_THAT(leaf.crl_distribution_points(), ElementsAre("http://certplane.svc/crl/acme/0"));
  EXPECT_THAT(leaf.ocsp_urls(), ElementsAre("http://ocsp.acme.example"));
  EXPECT_THAT(leaf.ca_issuers_urls(), ElementsAre("http://certplane.svc/ca/acme.crt"));
  EXPECT_TRUE(leaf.name_constraints().empty());
}

TEST(IssueCertificate, MarksTheSanCriticalWhenTheSubjectIsEmpty) {
  CertificateSpec spec = LeafSpec().WithSubject({});
  Certificate leaf = IssueLeaf(Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate, KeyAlgorithm::kEcdsaP256, spec);
  EXPECT_TRUE(leaf.subject().empty());
  EXPECT_EQ(leaf.subject_text(), "");
  EXPECT_TRUE(leaf.IsExtensionCritical(kSubjectAltName));
}

TEST(IssueCertificate, WritesCriticalNameConstraintsOnACa) {
  NameConstraints nc;
  nc.permitted.dns_domains = {"shop.svc.cluster.local"};
  nc.permitted.ip_ranges = {"10.0.0.0/8", "fd00::/8"};
  nc.permitted.email_addresses = {".acme.example"};
  nc.permitted.uri_domains = {".cluster.local"};
  nc.excluded.dns_domains = {"admin.shop.svc.cluster.local"};
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP384);
  Certificate ca = Must(IssueCertificate(CaSpec("Constrained").WithNameConstraints(nc).WithValidity(24h * 365),
                                         TestKey(KeyAlgorithm::kEcdsaP256).public_key(), pki.root, kNow));
  EXPECT_TRUE(ca.IsExtensionCritical(kNameConstraints));
  EXPECT_EQ(ca.name_constraints(), nc);
}

// IssueCertificate does not decode what it has just built (Certificate::Make); every
// extension it can write must still pass the parser's checks.
TEST(IssueCertificate, WritesEveryExtensionSoThatItParsesBackWithEveryCheck) {
  NameConstraints nc;
  nc.permitted.dns_domains = {"shop.svc.cluster.local"};
  nc.permitted.ip_ranges = {"10.0.0.0/8", "fd00::/8"};
  nc.excluded.email_addresses = {".acme.example"};
  CertificateSpec ca = CaSpec("Everything CA")
                           .WithPathLen(1)
                           .WithNameConstraints(nc)
                           .WithValidity(24h * 365)
                           .WithCrlDistributionPoints({"http://crl.example/a.crl", "http://crl2.example/a.crl"})
                           .WithOcsp({"http://ocsp.example"})
                           .WithCaIssuers({"http://ca.example/ca.crt"})
                           .WithExtendedKeyUsages({ExtendedKeyUsage::kServerAuth, ExtendedKeyUsage::kClientAuth});
  ca.freshest_crl = {"http://crl.example/delta.crl"};
  CertificateSpec responder = LeafSpec()
                                  .WithSubject({})
                                  .WithDns({"a.example", "*.b.example"})
                                  .WithIps({"10.1.2.3", "2001:db8::1"})
                                  .WithUris({"spiffe://cluster.local/ns/a/sa/b"})
                                  .WithEmails({"ops@acme.example"})
                                  .WithKeyUsages({KeyUsage::kDigitalSignature})
                                  .WithExtendedKeyUsages({ExtendedKeyUsage::kOcspSigning});
  responder.ocsp_no_check = true;
  for (KeyAlgorithm algorithm : kAllKeyAlgorithms) {
    const auto& pki = Hierarchy(algorithm);
    Certificate issued_ca = Must(IssueCertificate(ca, TestKey(algorithm).public_key(), pki.root, kNow));
    testing::ExpectParsesBackWithEveryCheck(issued_ca);
    EXPECT_EQ(issued_ca.name_constraints(), nc);
    EXPECT_EQ(issued_ca.path_len(), 1);
    testing::ExpectParsesBackWithEveryCheck(IssueLeaf(pki.intermediate, algorithm, responder));
    testing::ExpectParsesBackWithEveryCheck(Must(SelfSignCertificate(CertificateSpec(ca), TestKey(algorithm), kNow)));
  }
}

// An Issuer signs from one prepared signing context (internal/signing.h) that copies of
// the Issuer share; workers issue from the same CA at once.
TEST_P(IssuedByEveryAlgorithm, IssuesFromOneIssuerOnSeveralThreadsAtOnce) {
  const auto& pki = Hierarchy(GetParam().issuer);
  constexpr int kThreads = 4;
  const int per_thread = IsRsa(GetParam().issuer) ? 3 : 20;
  std::vector<std::vector<Certificate>> issued(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t, issuer = pki.intermediate] {  // a copy, sharing the context
      for (int i = 0; i < per_thread; ++i) {
        Result<Certificate> cert =
            IssueCertificate(LeafSpec(), TestKey(KeyAlgorithm::kEcdsaP256).public_key(), issuer, kNow);
        if (cert.ok()) issued[static_cast<size_t>(t)].push_back(std::move(*cert));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& certs : issued) {
    ASSERT_EQ(certs.size(), static_cast<size_t>(per_thread));
    for (const Certificate& cert : certs) {
      EXPECT_TRUE(cert.VerifySignedBy(pki.intermediate_cert).ok());
      EXPECT_EQ(cert.signature_algorithm(), GetParam().signature_algorithm);
    }
  }
}

TEST(IssueCertificate, DrawsADistinctPositiveSixteenOctetSerialEachTime) {
  const Issuer& issuer = Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate;
  Certificate a = IssueLeaf(issuer, KeyAlgorithm::kEcdsaP256);
  Certificate b = IssueLeaf(issuer, KeyAlgorithm::kEcdsaP256);
  EXPECT_NE(a.serial(), b.serial());
  EXPECT_EQ(a.serial().bytes().size(), 16u);
  EXPECT_EQ(a.serial().bytes()[0] & 0xc0, 0x40);  // positive, no padding octet, full length
}

TEST(IssueCertificate, UsesAFixedSerialWhenTheSpecGivesOne) {
  SerialNumber serial = Must(SerialNumber::FromHex("0a:0b:0c"));
  Certificate leaf = IssueLeaf(Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate, KeyAlgorithm::kEcdsaP256,
                               LeafSpec().WithSerial(serial));
  EXPECT_EQ(leaf.serial().ToHex(), "0a0b0c");
}

// ---- Validity ----

TEST(IssueCertificate, BackdatesNotBeforeForClockSkew) {
  Certificate leaf = IssueLeaf(Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate, KeyAlgorithm::kEcdsaP256,
                               LeafSpec().WithValidity(1h).WithBackdate(5min));
  EXPECT_EQ(leaf.not_before(), kNow - 5min);
  EXPECT_EQ(leaf.not_after(), kNow + 1h);
}

TEST(IssueCertificate, NeverStartsBeforeItsIssuer) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  TimePoint just_after = pki.intermediate_cert.not_before() + 1min;
  Certificate leaf = Must(IssueCertificate(LeafSpec().WithBackdate(1h), TestKey(KeyAlgorithm::kEcdsaP256).public_key(),
                                           pki.intermediate, just_after));
  EXPECT_EQ(leaf.not_before(), pki.intermediate_cert.not_before());
}

Bytes TimeField(const Certificate& cert, bool not_after) {
  const ASN1_TIME* t = not_after ? X509_get0_notAfter(cert.get()) : X509_get0_notBefore(cert.get());
  return Bytes{static_cast<std::uint8_t>(ASN1_STRING_type(t))};
}

TEST(SelfSignCertificate, EncodesTimesBefore2050AsUtcTimeAndFromThenOnAsGeneralizedTime) {
  // kNow is 2030-06-01; 19.5 years later is 2049-12, 20 years later is 2050-06.
  Certificate before =
      Must(SelfSignCertificate(CaSpec("Y2049").WithValidity(24h * 7120), TestKey(KeyAlgorithm::kEd25519), kNow));
  Certificate after =
      Must(SelfSignCertificate(CaSpec("Y2050").WithValidity(24h * 7305), TestKey(KeyAlgorithm::kEd25519), kNow));
  EXPECT_EQ(TimeField(before, false), Bytes{V_ASN1_UTCTIME});
  EXPECT_EQ(TimeField(before, true), Bytes{V_ASN1_UTCTIME});
  EXPECT_EQ(TimeField(after, true), Bytes{V_ASN1_GENERALIZEDTIME});
  EXPECT_EQ(after.not_after(), kNow + 24h * 7305);
}

TEST(IssueCertificate, RefusesToOutliveItsIssuer) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  EXPECT_THAT(IssueCertificate(LeafSpec().WithValidity(24h * 3650 * 2), TestKey(KeyAlgorithm::kEcdsaP256).public_key(),
                               pki.intermediate, kNow),
              IsErrorWith(StatusCode::kFailedPrecondition, "after issuer CN=Test Intermediate ECDSA-P256"));
}

TEST(IssueCertificate, TruncatesToTheIssuerWhenAsked) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  Certificate leaf = Must(IssueCertificate(LeafSpec().WithValidity(24h * 3650 * 2).TruncatedToIssuer(),
                                           TestKey(KeyAlgorithm::kEcdsaP256).public_key(), pki.intermediate, kNow));
  EXPECT_EQ(leaf.not_after(), pki.intermediate_cert.not_after());
}

TEST(IssueCertificate, RefusesWhenTheIssuerHasExpired) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  EXPECT_THAT(IssueCertificate(LeafSpec(), TestKey(KeyAlgorithm::kEcdsaP256).public_key(), pki.intermediate,
                               pki.intermediate_cert.not_after() + 1s),
              IsErrorWith(StatusCode::kFailedPrecondition, "expired at"));
}

TEST(IssueCertificate, RefusesACaBelowAPathLengthZeroIntermediate) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  EXPECT_THAT(IssueCertificate(CaSpec("Too deep").WithValidity(24h), TestKey(KeyAlgorithm::kEcdsaP256).public_key(),
                               pki.intermediate, kNow),
              IsErrorWith(StatusCode::kFailedPrecondition, "pathLenConstraint 0"));
}

// ---- Specs that cannot make an RFC 5280 certificate ----

struct BadSpecCase {
  std::string name;
  CertificateSpec spec;
  KeyAlgorithm key;
  std::string error;
};

class ValidateCertificateSpecRejects : public ::testing::TestWithParam<BadSpecCase> {};

TEST_P(ValidateCertificateSpecRejects, NamingTheProblem) {
  EXPECT_THAT(ValidateCertificateSpec(GetParam().spec, GetParam().key),
              IsErrorWith(StatusCode::kInvalidArgument, GetParam().error));
  EXPECT_THAT(IssueCertificate(GetParam().spec, TestKey(GetParam().key).public_key(),
                               Hierarchy(KeyAlgorithm::kEcdsaP256).root, kNow),
              IsErrorWith(StatusCode::kInvalidArgument, GetParam().error));
}

DistinguishedName Dn(std::string cn) {
  DistinguishedName dn;
  dn.common_name = std::move(cn);
  return dn;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidateCertificateSpecRejects,
    ::testing::Values(
        BadSpecCase{"ZeroValidity", LeafSpec().WithValidity(0s), KeyAlgorithm::kEcdsaP256, "validity must be positive"},
        BadSpecCase{"NegativeBackdate", LeafSpec().WithBackdate(-1s), KeyAlgorithm::kEcdsaP256, "backdate"},
        BadSpecCase{"ALeafWithNoNameAtAll", LeafSpec().WithSubject({}).WithDns({}), KeyAlgorithm::kEcdsaP256,
                    "needs a subject or at least one subject alternative name"},
        BadSpecCase{"ACaWithAnEmptySubject", CaSpec("x").WithSubject({}).WithDns({"ca.example"}),
                    KeyAlgorithm::kEcdsaP256, "a CA certificate needs a non-empty subject"},
        BadSpecCase{"ACaWithoutCertSign", CaSpec("x").WithKeyUsages({KeyUsage::kCrlSign}), KeyAlgorithm::kEcdsaP256,
                    "needs the key usage \"cert sign\""},
        BadSpecCase{"ALeafWithCertSign", LeafSpec().WithKeyUsages({KeyUsage::kKeyCertSign}), KeyAlgorithm::kEcdsaP256,
                    "only for CA certificates"},
        BadSpecCase{"ALeafWithAPathLength", LeafSpec().WithPathLen(1), KeyAlgorithm::kEcdsaP256,
                    "pathLen is only for CA certificates"},
        BadSpecCase{"ANegativePathLength", CaSpec("x").WithPathLen(-1), KeyAlgorithm::kEcdsaP256,
                    "pathLen must not be negative"},
        BadSpecCase{"ALeafWithNameConstraints",
                    LeafSpec().WithNameConstraints(testing::With<NameConstraints>([](auto& v) {
                      v.permitted.dns_domains = {"a.example"};
                    })),
                    KeyAlgorithm::kEcdsaP256, "name constraints are only for CA certificates"},
        BadSpecCase{"KeyEnciphermentWithAnEcKey", LeafSpec().WithKeyUsages({KeyUsage::kKeyEncipherment}),
                    KeyAlgorithm::kEcdsaP256, "RFC 8813"},
        BadSpecCase{"KeyAgreementWithAnEd25519Key", LeafSpec().WithKeyUsages({KeyUsage::kKeyAgreement}),
                    KeyAlgorithm::kEd25519, "RFC 8410"},
        BadSpecCase{"KeyAgreementWithAnRsaKey", LeafSpec().WithKeyUsages({KeyUsage::kKeyAgreement}),
                    KeyAlgorithm::kRsa2048, "RSA keys do no key agreement"},
        BadSpecCase{"EncipherOnlyWithoutKeyAgreement", LeafSpec().WithKeyUsages({KeyUsage::kEncipherOnly}),
                    KeyAlgorithm::kEcdsaP256, "need \"key agreement\""},
        BadSpecCase{"AMalformedDnsName", LeafSpec().WithDns({"a..example"}), KeyAlgorithm::kEcdsaP256,
                    "dnsNames[0]: \"a..example\": empty label"},
        BadSpecCase{"AWildcardInTheMiddle", LeafSpec().WithDns({"a.*.example"}), KeyAlgorithm::kEcdsaP256,
                    "a wildcard may only be the whole leftmost label"},
        BadSpecCase{"AnUnderscoreInADnsName", LeafSpec().WithDns({"_srv.example"}), KeyAlgorithm::kEcdsaP256,
                    "character '_' is not allowed"},
        BadSpecCase{"ANonAsciiDnsName",
                    LeafSpec().WithDns({"b\xc3\xbc"
                                        "cher.example"}),
                    KeyAlgorithm::kEcdsaP256, "is not allowed in a DNS label"},
        BadSpecCase{"AnInvalidIp", LeafSpec().WithIps({"10.0.0.256"}), KeyAlgorithm::kEcdsaP256,
                    "ipAddresses[0]: \"10.0.0.256\": not an IPv4 or IPv6 address"},
        BadSpecCase{"ARelativeUri", LeafSpec().WithUris({"/ns/shop"}), KeyAlgorithm::kEcdsaP256, "not an absolute URI"},
        BadSpecCase{"AUriWithASpace", LeafSpec().WithUris({"spiffe://a b"}), KeyAlgorithm::kEcdsaP256,
                    "space, control or non-ASCII"},
        BadSpecCase{"AUriWithoutAHost", LeafSpec().WithUris({"spiffe:///ns"}), KeyAlgorithm::kEcdsaP256, "empty host"},
        BadSpecCase{"AnEmailWithoutDomain", LeafSpec().WithEmails({"ops@"}), KeyAlgorithm::kEcdsaP256,
                    "not an email address"},
        BadSpecCase{"ALongCommonName", LeafSpec().WithSubject(Dn(std::string(65, 'a'))), KeyAlgorithm::kEcdsaP256,
                    "longer than 64 characters"},
        BadSpecCase{"ACountryOfThreeLetters",
                    LeafSpec().WithSubject(testing::With<DistinguishedName>([](auto& v) { v.country = "DEU"; })),
                    KeyAlgorithm::kEcdsaP256, "not a two-letter ISO 3166 code"},
        BadSpecCase{"InvalidUtf8InTheSubject", LeafSpec().WithSubject(Dn("\xc3(")), KeyAlgorithm::kEcdsaP256,
                    "not valid UTF-8"},
        BadSpecCase{"AnEmptyOrganization",
                    LeafSpec().WithSubject(testing::With<DistinguishedName>([](auto& v) { v.organizations = {""}; })),
                    KeyAlgorithm::kEcdsaP256, "organization (O) is empty"},
        BadSpecCase{"AMalformedCrlUrl", LeafSpec().WithCrlDistributionPoints({"crl.example/x"}),
                    KeyAlgorithm::kEcdsaP256, "crlDistributionPoints[0]"},
        BadSpecCase{"AMalformedOcspUrl", LeafSpec().WithOcsp({"http://"}), KeyAlgorithm::kEcdsaP256, "ocspUrls[0]"},
        BadSpecCase{"ACidrWithHostBits", CaSpec("x").WithNameConstraints(testing::With<NameConstraints>([](auto& v) {
                      v.permitted.ip_ranges = {"10.0.0.1/8"};
                    })),
                    KeyAlgorithm::kEcdsaP256, "permitted.ipRanges[0]: \"10.0.0.1/8\": host bits set"},
        BadSpecCase{"AWildcardNameConstraint",
                    CaSpec("x").WithNameConstraints(testing::With<NameConstraints>([](auto& v) {
                      v.excluded.dns_domains = {"*.example"};
                    })),
                    KeyAlgorithm::kEcdsaP256, "wildcards have no meaning"}),
    [](const auto& info) { return info.param.name; });

TEST(ValidateCertificateSpec, AcceptsTheDefaults) {
  for (KeyAlgorithm a : kAllKeyAlgorithms) {
    EXPECT_TRUE(ValidateCertificateSpec(LeafSpec().WithKeyUsages(DefaultLeafKeyUsages(a)), a).ok());
    EXPECT_TRUE(ValidateCertificateSpec(CaSpec("ca"), a).ok());
  }
}

// ---- Issuer ----

TEST(Issuer, RefusesAKeyThatDoesNotMatch) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  EXPECT_THAT(Issuer::Create(pki.root_cert, OtherTestKey(KeyAlgorithm::kEcdsaP256)),
              IsErrorWith(StatusCode::kFailedPrecondition, "the private key does not match the certificate"));
}

TEST(Issuer, RefusesALeafCertificate) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP384);
  EXPECT_THAT(Issuer::Create(leaf, TestKey(KeyAlgorithm::kEcdsaP384)),
              IsErrorWith(StatusCode::kFailedPrecondition, "is not a CA"));
}

// ---- Parsing certificates back ----

TEST(ParseCertificateChainPem, ReadsTheChainInOrder) {
  const auto& pki = Hierarchy(KeyAlgorithm::kRsa2048);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kRsa2048,
                               LeafSpec().WithKeyUsages(DefaultLeafKeyUsages(KeyAlgorithm::kRsa2048)));
  std::string pem = EncodeCertificateChainPem({leaf, pki.intermediate_cert, pki.root_cert});
  std::vector<Certificate> chain = Must(ParseCertificateChainPem(pem));
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_TRUE(chain[0] == leaf);
  EXPECT_TRUE(chain[1] == pki.intermediate_cert);
  EXPECT_TRUE(chain[2] == pki.root_cert);
  EXPECT_EQ(chain[0].sha256_fingerprint(), leaf.sha256_fingerprint());
  EXPECT_TRUE(Must(ParseCertificateDer(leaf.ToDer())) == leaf);
}

TEST(ParseCertificateChainPem, NamesTheBlockThatIsNotACertificate) {
  std::string pem = Hierarchy(KeyAlgorithm::kEd25519).root_cert.ToPem() +
                    std::string(Must(TestKey(KeyAlgorithm::kEd25519).ToPkcs8Pem()).view());
  EXPECT_THAT(ParseCertificateChainPem(pem),
              IsErrorWith(StatusCode::kInvalidArgument, "block 2: expected CERTIFICATE, found PRIVATE KEY"));
}

TEST(ParseCertificatePem, RefusesAChainWhereOneCertificateIsExpected) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEd25519);
  EXPECT_THAT(ParseCertificatePem(pki.root_cert.ToPem() + pki.intermediate_cert.ToPem()),
              IsErrorWith(StatusCode::kInvalidArgument, "expected one PEM block (CERTIFICATE), found 2"));
}

// Certificates that break RFC 5280 and that certplane would never write, made with
// OpenSSL's API directly.
Bytes HandMadeCertificate(const std::function<void(X509*)>& tweak) {
  X509Ptr x(X509_new());
  X509_set_version(x.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("bad"), -1, -1, 0);
  X509_set_issuer_name(x.get(), X509_get_subject_name(x.get()));
  X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
  X509_set_pubkey(x.get(), TestKey(KeyAlgorithm::kEcdsaP256).get());
  tweak(x.get());
  EXPECT_GT(X509_sign(x.get(), TestKey(KeyAlgorithm::kEcdsaP256).get(), EVP_sha256()), 0);
  return Must(internal::EncodeDer(x.get(), i2d_X509, "test certificate"));
}

TEST(ParseCertificateDer, RefusesANegativeSerial) {
  Bytes der = HandMadeCertificate([](X509* x) { ASN1_INTEGER_set(X509_get_serialNumber(x), -5); });
  EXPECT_THAT(ParseCertificateDer(der), IsErrorWith(StatusCode::kInvalidArgument, "serial number is negative"));
}

TEST(ParseCertificateDer, RefusesASerialLongerThanTwentyOctets) {
  Bytes der = HandMadeCertificate([](X509* x) {
    BignumPtr bn(BN_new());
    BN_set_bit(bn.get(), 170);
    BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x));
  });
  EXPECT_THAT(ParseCertificateDer(der), IsErrorWith(StatusCode::kInvalidArgument, "RFC 5280 allows at most 20"));
}

TEST(ParseCertificateDer, RefusesARepeatedExtension) {
  Bytes der = HandMadeCertificate([](X509* x) {
    for (int i = 0; i < 2; ++i) {
      X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, "DNS:a.example"));
      X509_add_ext(x, ext.get(), -1);
    }
  });
  EXPECT_THAT(ParseCertificateDer(der),
              IsErrorWith(StatusCode::kInvalidArgument, "subjectAltName (2.5.29.17) appears more than once"));
}

TEST(ParseCertificateDer, RefusesAMalformedExtension) {
  Bytes der = HandMadeCertificate([](X509* x) {
    Asn1OctetStringPtr junk(ASN1_OCTET_STRING_new());
    ASN1_OCTET_STRING_set(junk.get(), reinterpret_cast<const unsigned char*>("\x30\x05\x82\x01"), 4);
    X509ExtensionPtr ext(X509_EXTENSION_create_by_NID(nullptr, NID_subject_alt_name, 0, junk.get()));
    X509_add_ext(x, ext.get(), -1);
  });
  EXPECT_THAT(ParseCertificateDer(der),
              IsErrorWith(StatusCode::kInvalidArgument, "malformed extension subjectAltName (2.5.29.17)"));
}

TEST(ParseCertificateDer, RefusesBerThatIsNotDer) {
  // The outer SEQUENCE re-written with an indefinite length: valid BER, not DER.
  Bytes der = Hierarchy(KeyAlgorithm::kEcdsaP256).root_cert.ToDer();
  ASSERT_EQ(der[1], 0x82);  // a two-octet definite length
  Bytes ber = {0x30, 0x80};
  ber.insert(ber.end(), der.begin() + 4, der.end());
  ber.push_back(0x00);
  ber.push_back(0x00);
  EXPECT_THAT(ParseCertificateDer(ber), IsErrorWith(StatusCode::kInvalidArgument, "not DER"));
}

TEST(ParseCertificateDer, ReadsBackExactlyTheBytesIssued) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEd25519);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEd25519);
  Certificate parsed = Must(ParseCertificateDer(leaf.ToDer()));
  EXPECT_EQ(parsed.ToDer(), leaf.ToDer());
  EXPECT_EQ(parsed.subject_alt_names(), leaf.subject_alt_names());
  EXPECT_EQ(parsed.key_usages(), leaf.key_usages());
  EXPECT_TRUE(parsed.VerifySignedBy(pki.intermediate_cert).ok());
}

TEST(CheckKeyMatchesCertificate, SaysWhichCertificateAKeyDoesNotMatch) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  Certificate leaf = IssueLeaf(pki.intermediate, KeyAlgorithm::kEcdsaP256);
  EXPECT_THAT(CheckKeyMatchesCertificate(OtherTestKey(KeyAlgorithm::kEcdsaP256), leaf),
              IsErrorWith(StatusCode::kFailedPrecondition, "does not match the certificate CN=leaf (serial"));
  EXPECT_THAT(CheckKeyMatchesCertificate(TestKey(KeyAlgorithm::kEd25519), leaf),
              IsErrorWith(StatusCode::kFailedPrecondition, "does not match"));
}

}  // namespace
}  // namespace certplane::pki
