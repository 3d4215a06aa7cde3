#include "pki/crl.h"

#include "fixtures.h"

namespace certplane::pki {
namespace {

using namespace std::chrono_literals;
using ::certplane::pki::testing::AlgorithmTestName;
using ::certplane::pki::testing::Hierarchy;
using ::certplane::pki::testing::IsErrorWith;
using ::certplane::pki::testing::kNow;
using ::certplane::pki::testing::Must;
using ::testing::ElementsAre;
using ::testing::Optional;

SerialNumber Serial(std::string_view hex) { return Must(SerialNumber::FromHex(hex)); }

CrlSpec ThreeEntries() {
  CrlSpec spec;
  spec.number = 42;
  spec.this_update = kNow;
  spec.next_update = kNow + 24h;
  spec.revoked = {
      {Serial("0c"), kNow - 3h, RevocationReason::kKeyCompromise},
      {Serial("0a"), kNow - 1h, RevocationReason::kUnspecified},
      {Serial("0b"), kNow - 2h, RevocationReason::kCessationOfOperation},
  };
  return spec;
}

class CrlForEveryAlgorithm : public ::testing::TestWithParam<KeyAlgorithm> {};

INSTANTIATE_TEST_SUITE_P(AllAlgorithms, CrlForEveryAlgorithm, ::testing::ValuesIn(kAllKeyAlgorithms),
                         [](const auto& info) { return AlgorithmTestName(info.param); });

TEST_P(CrlForEveryAlgorithm, ReadsBackNumberTimesAndEntriesInSerialOrder) {
  const auto& pki = Hierarchy(GetParam());
  Crl crl = Must(BuildCrl(ThreeEntries(), pki.intermediate));
  for (const Crl& parsed : {Must(ParseCrlPem(crl.ToPem())), Must(ParseCrlDer(crl.ToDer()))}) {
    EXPECT_EQ(parsed.number(), 42u);
    EXPECT_EQ(parsed.this_update(), kNow);
    EXPECT_EQ(parsed.next_update(), kNow + 24h);
    EXPECT_EQ(parsed.issuer(), pki.intermediate_cert.subject());
    EXPECT_EQ(parsed.authority_key_id(), pki.intermediate_cert.subject_key_id());
    EXPECT_EQ(parsed.size(), 3u);
    EXPECT_THAT(parsed.entries(),
                ElementsAre(RevokedCertificate{Serial("0a"), kNow - 1h, RevocationReason::kUnspecified},
                            RevokedCertificate{Serial("0b"), kNow - 2h, RevocationReason::kCessationOfOperation},
                            RevokedCertificate{Serial("0c"), kNow - 3h, RevocationReason::kKeyCompromise}));
    EXPECT_FALSE(parsed.distribution_point().has_value());
    EXPECT_TRUE(parsed.VerifySignature(pki.intermediate_cert).ok());
  }
}

TEST(BuildCrl, FindsEntriesBySerial) {
  Crl crl = Must(BuildCrl(ThreeEntries(), Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate));
  EXPECT_THAT(crl.Find(Serial("0b")),
              Optional(RevokedCertificate{Serial("0b"), kNow - 2h, RevocationReason::kCessationOfOperation}));
  EXPECT_EQ(crl.Find(Serial("0d")), std::nullopt);
}

TEST(BuildCrl, WritesAnEmptyCrlWithoutARevokedList) {
  CrlSpec spec = ThreeEntries();
  spec.revoked.clear();
  Crl crl = Must(BuildCrl(spec, Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate));
  EXPECT_EQ(crl.size(), 0u);
  EXPECT_EQ(X509_CRL_get_REVOKED(crl.get()), nullptr);  // absent, not an empty SEQUENCE (RFC 5280 5.1.2.6)
}

TEST(BuildCrl, WritesACriticalIssuingDistributionPointForAShard) {
  CrlSpec spec = ThreeEntries();
  spec.distribution_point = testing::With<IssuingDistributionPoint>([](auto& v) {
    v.uris = {"http://certplane.svc/crl/acme/3"};
    v.only_user_certs = true;
  });
  Crl crl = Must(BuildCrl(spec, Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate));
  Crl parsed = Must(ParseCrlDer(crl.ToDer()));
  EXPECT_EQ(parsed.distribution_point(), spec.distribution_point);
  int index = X509_CRL_get_ext_by_NID(parsed.get(), NID_issuing_distribution_point, -1);
  ASSERT_GE(index, 0);
  EXPECT_EQ(X509_EXTENSION_get_critical(X509_CRL_get_ext(parsed.get(), index)), 1);
}

TEST(BuildCrl, CopesWithTenThousandEntries) {
  CrlSpec spec = ThreeEntries();
  spec.revoked.clear();
  for (int i = 0; i < 10000; ++i) {
    spec.revoked.push_back({Must(SerialNumber::Random()), kNow - 1h, RevocationReason::kSuperseded});
  }
  Crl crl = Must(BuildCrl(spec, Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate));
  EXPECT_EQ(crl.size(), 10000u);
  EXPECT_TRUE(crl.Find(spec.revoked[1234].serial).has_value());
}

struct BadCrlCase {
  std::string name;
  std::function<void(CrlSpec&)> change;
  StatusCode code;
  std::string error;
};

class BuildCrlRejects : public ::testing::TestWithParam<BadCrlCase> {};

TEST_P(BuildCrlRejects, NamingTheProblem) {
  CrlSpec spec = ThreeEntries();
  GetParam().change(spec);
  EXPECT_THAT(BuildCrl(spec, Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate),
              IsErrorWith(GetParam().code, GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BuildCrlRejects,
    ::testing::Values(BadCrlCase{"NextUpdateNotAfterThisUpdate", [](CrlSpec& s) { s.next_update = s.this_update; },
                                 StatusCode::kInvalidArgument, "nextUpdate must be after thisUpdate"},
                      BadCrlCase{"ADuplicateSerial", [](CrlSpec& s) { s.revoked.push_back(s.revoked[0]); },
                                 StatusCode::kInvalidArgument, "(serial 0c) is listed twice"},
                      BadCrlCase{"RemoveFromCrlInAFullCrl",
                                 [](CrlSpec& s) { s.revoked[1].reason = RevocationReason::kRemoveFromCrl; },
                                 StatusCode::kInvalidArgument, "removeFromCRL is only for delta CRLs"},
                      BadCrlCase{"ADeltaWhoseBaseIsNotOlder", [](CrlSpec& s) { s.delta_of = s.number; },
                                 StatusCode::kInvalidArgument, "must be below its own"},
                      BadCrlCase{"ADeltaWithFreshestCrl",
                                 [](CrlSpec& s) {
                                   s.delta_of = s.number - 1;
                                   s.freshest_crl_urls = {"http://crl.example/delta.crl"};
                                 },
                                 StatusCode::kInvalidArgument, "a delta CRL carries no Freshest CRL"},
                      BadCrlCase{"ARevocationInTheFuture",
                                 [](CrlSpec& s) { s.revoked[2].revocation_time = s.this_update + 1s; },
                                 StatusCode::kInvalidArgument, "revoked[2] (serial 0b): revoked after thisUpdate"},
                      BadCrlCase{"ADistributionPointWithBothScopes",
                                 [](CrlSpec& s) {
                                   s.distribution_point = testing::With<IssuingDistributionPoint>([](auto& v) {
                                     v.only_user_certs = true;
                                     v.only_ca_certs = true;
                                   });
                                 },
                                 StatusCode::kInvalidArgument, "cannot be both"},
                      BadCrlCase{"ADistributionPointOfDefaultsOnly",
                                 [](CrlSpec& s) { s.distribution_point = IssuingDistributionPoint{}; },
                                 StatusCode::kInvalidArgument, "not all defaults"},
                      BadCrlCase{"AMalformedDistributionPointUri",
                                 [](CrlSpec& s) {
                                   s.distribution_point =
                                       testing::With<IssuingDistributionPoint>([](auto& v) { v.uris = {"no scheme"}; });
                                 },
                                 StatusCode::kInvalidArgument, "distributionPoint[0]"}),
    [](const auto& info) { return info.param.name; });

TEST(BuildCrl, RefusesAnIssuerWithoutCrlSign) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  const PrivateKey& key = testing::TestKey(KeyAlgorithm::kEcdsaP384);
  Certificate ca =
      Must(IssueCertificate(testing::CaSpec("No CRLs").WithKeyUsages({KeyUsage::kKeyCertSign}).WithValidity(24h),
                            key.public_key(), pki.root, kNow));
  Issuer issuer = Must(Issuer::Create(ca, key));
  EXPECT_THAT(BuildCrl(ThreeEntries(), issuer), IsErrorWith(StatusCode::kFailedPrecondition, "lacks crl sign"));
}

TEST(Crl, VerifySignatureRefusesAnotherIssuer) {
  Crl crl = Must(BuildCrl(ThreeEntries(), Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate));
  EXPECT_THAT(crl.VerifySignature(Hierarchy(KeyAlgorithm::kEcdsaP256).root_cert),
              IsErrorWith(StatusCode::kInvalidArgument, "is not CN=Test Root ECDSA-P256"));
}

TEST(ParseCrlDer, RefusesTrailingBytes) {
  Bytes der = Must(BuildCrl(ThreeEntries(), Hierarchy(KeyAlgorithm::kEd25519).intermediate)).ToDer();
  der.push_back(0);
  EXPECT_THAT(ParseCrlDer(der), IsErrorWith(StatusCode::kInvalidArgument, "unexpected bytes after the DER object"));
}

TEST(ParseCrlDer, RefusesAV1CrlWithoutExtensions) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  X509CrlPtr crl(X509_CRL_new());
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(pki.root_cert.get()));
  Asn1TimePtr t(ASN1_TIME_set(nullptr, 1900000000));
  X509_CRL_set1_lastUpdate(crl.get(), t.get());
  X509_CRL_set1_nextUpdate(crl.get(), t.get());
  ASSERT_GT(X509_CRL_sign(crl.get(), testing::TestKey(KeyAlgorithm::kEcdsaP256).get(), EVP_sha256()), 0);
  int len = i2d_X509_CRL(crl.get(), nullptr);
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  i2d_X509_CRL(crl.get(), &p);
  EXPECT_THAT(ParseCrlDer(der), IsErrorWith(StatusCode::kInvalidArgument, "not a v2 CRL"));
}

TEST(RevocationReason, NamesRoundTrip) {
  for (auto r :
       {RevocationReason::kUnspecified, RevocationReason::kKeyCompromise, RevocationReason::kCaCompromise,
        RevocationReason::kAffiliationChanged, RevocationReason::kSuperseded, RevocationReason::kCessationOfOperation,
        RevocationReason::kCertificateHold, RevocationReason::kRemoveFromCrl, RevocationReason::kPrivilegeWithdrawn,
        RevocationReason::kAaCompromise}) {
    EXPECT_EQ(Must(ParseRevocationReason(RevocationReasonName(r))), r);
  }
  EXPECT_THAT(ParseRevocationReason("stolen"), IsErrorWith(StatusCode::kInvalidArgument, "unknown revocation reason"));
}

TEST(CrlShardFor, IsStableAndSpreadsRandomSerials) {
  // Pinned values: certificates carry their shard's URL, so these may never change.
  EXPECT_EQ(CrlShardFor(Serial("01"), 16), 12u);  // FNV-1a(0x01) = 0x040c5b8c
  EXPECT_EQ(CrlShardFor(Serial("0102030405"), 7), CrlShardFor(Serial("01:02:03:04:05"), 7));
  EXPECT_EQ(CrlShardFor(Serial("ff"), 1), 0u);
  EXPECT_EQ(CrlShardFor(Serial("ff"), 0), 0u);
  std::vector<int> counts(8);
  for (int i = 0; i < 8000; ++i) ++counts[CrlShardFor(Must(SerialNumber::Random()), 8)];
  for (int c : counts) {
    EXPECT_GT(c, 800);
    EXPECT_LT(c, 1200);
  }
}

TEST(BuildCrl, WritesADeltaWithItsBaseNumberAndRemoveFromCrlEntries) {
  CrlSpec spec = ThreeEntries();
  spec.delta_of = 40;
  spec.revoked[0].reason = RevocationReason::kRemoveFromCrl;
  Crl crl = Must(BuildCrl(spec, Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate));
  Crl parsed = Must(ParseCrlDer(crl.ToDer()));
  EXPECT_EQ(parsed.delta_of(), std::optional<std::uint64_t>(40));
  EXPECT_EQ(parsed.number(), 42u);
  EXPECT_EQ(parsed.Find(Serial("0c"))->reason, RevocationReason::kRemoveFromCrl);
  EXPECT_EQ(Must(BuildCrl(ThreeEntries(), Hierarchy(KeyAlgorithm::kEcdsaP256).intermediate)).delta_of(), std::nullopt);
}

}  // namespace
}  // namespace certplane::pki
