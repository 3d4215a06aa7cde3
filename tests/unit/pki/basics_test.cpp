// Serial numbers, PEM, names and SAN syntax.
#include "fixtures.h"
#include "pki/name.h"
#include "pki/pem.h"
#include "pki/san.h"
#include "pki/serial.h"
#include "pki/usage.h"

namespace certplane::pki {
namespace {

using ::certplane::pki::testing::IsErrorWith;
using ::certplane::pki::testing::Must;
using ::testing::ElementsAre;

TEST(SerialNumber, RandomIsPositiveSixteenOctetsWithTheSecondBitSet) {
  for (int i = 0; i < 100; ++i) {
    SerialNumber s = Must(SerialNumber::Random());
    ASSERT_EQ(s.bytes().size(), 16u);
    EXPECT_EQ(s.bytes()[0] & 0xc0, 0x40);
    EXPECT_EQ(s.ToHex().size(), 32u);
  }
}

TEST(SerialNumber, HexRoundTripsAndAcceptsOpensslColons) {
  EXPECT_EQ(Must(SerialNumber::FromHex("0A:1b:FF")).ToHex(), "0a1bff");
  EXPECT_EQ(Must(SerialNumber::FromHex("abc")).ToHex(), "0abc");
  EXPECT_EQ(Must(SerialNumber::FromHex("000001")).ToHex(), "01");
  EXPECT_THAT(SerialNumber::FromHex("xyz"), IsErrorWith(StatusCode::kInvalidArgument, "is not hex"));
  EXPECT_THAT(SerialNumber::FromHex(""), IsErrorWith(StatusCode::kInvalidArgument, "empty"));
}

TEST(SerialNumber, AllowsTwentyOctetsOfDerButNoMore) {
  EXPECT_TRUE(SerialNumber::FromBytes(Bytes(20, 0x7f)).ok());
  EXPECT_TRUE(SerialNumber::FromBytes(Bytes(19, 0xff)).ok());  // + a padding octet = 20
  EXPECT_THAT(SerialNumber::FromBytes(Bytes(20, 0xff)), IsErrorWith(StatusCode::kInvalidArgument, "needs 21 octets"));
  EXPECT_THAT(SerialNumber::FromBytes(Bytes(21, 0x01)), IsErrorWith(StatusCode::kInvalidArgument, "at most 20"));
}

TEST(SerialNumber, OrdersNumerically) {
  EXPECT_LT(Must(SerialNumber::FromHex("ff")), Must(SerialNumber::FromHex("0100")));
  EXPECT_LT(Must(SerialNumber::FromHex("01")), Must(SerialNumber::FromHex("02")));
  EXPECT_EQ(Must(SerialNumber::FromHex("0001")), Must(SerialNumber::FromHex("01")));
}

TEST(Pem, EncodeThenDecodeRoundTripsEveryLength) {
  for (size_t n = 1; n < 200; ++n) {
    Bytes der(n);
    for (size_t i = 0; i < n; ++i) der[i] = static_cast<std::uint8_t>(i * 31 + n);
    std::string pem = EncodePem("TEST", der);
    PemBlock block = Must(DecodeSinglePem(pem, "TEST"));
    ASSERT_EQ(block.der, der) << n;
  }
}

TEST(Pem, DecodesSeveralBlocksAndSkipsTextBetweenThem) {
  std::string text = "Bag Attributes\n" + EncodePem("A", Bytes{1}) + "junk\n" + EncodePem("B", Bytes{2, 3});
  std::vector<PemBlock> blocks = Must(DecodePem(text));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].label, "A");
  EXPECT_EQ(blocks[1].der, (Bytes{2, 3}));
}

TEST(Pem, RefusesAnEmptyBlock) {
  EXPECT_THAT(DecodePem("-----BEGIN X-----\n-----END X-----\n"),
              IsErrorWith(StatusCode::kInvalidArgument, "PEM block 1"));
}

TEST(Pem, RefusesMismatchedEndLine) {
  EXPECT_THAT(DecodePem("-----BEGIN X-----\nAQ==\n-----END Y-----\n"),
              IsErrorWith(StatusCode::kInvalidArgument, "malformed PEM block 1"));
}

struct SanCase {
  std::string name;
  std::function<Status()> check;
  bool valid;
};

class SanSyntax : public ::testing::TestWithParam<SanCase> {};

TEST_P(SanSyntax, IsJudgedCorrectly) {
  Status s = GetParam().check();
  EXPECT_EQ(s.ok(), GetParam().valid) << s;
  if (!GetParam().valid) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SanSyntax,
    ::testing::Values(
        SanCase{"AcceptsAServiceName", [] { return ValidateDnsName("frontend.shop.svc.cluster.local"); }, true},
        SanCase{"AcceptsALeftmostWildcard", [] { return ValidateDnsName("*.shop.example"); }, true},
        SanCase{"AcceptsASingleLabel", [] { return ValidateDnsName("localhost"); }, true},
        SanCase{"RejectsABareWildcard", [] { return ValidateDnsName("*"); }, false},
        SanCase{"RejectsAPartialWildcard", [] { return ValidateDnsName("f*.example"); }, false},
        SanCase{"RejectsATrailingDot", [] { return ValidateDnsName("example."); }, false},
        SanCase{"RejectsALabelOf64Characters", [] { return ValidateDnsName(std::string(64, 'a') + ".example"); },
                false},
        SanCase{"RejectsANameOf254Characters",
                [] {
                  return ValidateDnsName(std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                                         std::string(63, 'c') + "." + std::string(63, 'd'));
                },
                false},
        SanCase{"AcceptsIpv4", [] { return ValidateIpAddress("192.0.2.1"); }, true},
        SanCase{"AcceptsIpv6", [] { return ValidateIpAddress("2001:db8::1"); }, true},
        SanCase{"RejectsAnIpWithAPort", [] { return ValidateIpAddress("192.0.2.1:80"); }, false},
        SanCase{"RejectsAHostnameAsIp", [] { return ValidateIpAddress("example.com"); }, false},
        SanCase{"AcceptsASpiffeId", [] { return ValidateUri("spiffe://cluster.local/ns/a/sa/b"); }, true},
        SanCase{"AcceptsAUrn", [] { return ValidateUri("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"); }, true},
        SanCase{"RejectsASchemeStartingWithADigit", [] { return ValidateUri("1http://a"); }, false},
        SanCase{"RejectsNonAsciiInAUri",
                [] {
                  return ValidateUri(
                      "https://b\xc3\xbc"
                      "cher.example");
                },
                false},
        SanCase{"AcceptsAnEmail", [] { return ValidateEmailAddress("first.last@acme.example"); }, true},
        SanCase{"RejectsAnEmailWithTwoDots", [] { return ValidateEmailAddress("first..last@acme.example"); }, false},
        SanCase{"RejectsAnEmailWithASpace", [] { return ValidateEmailAddress("first last@acme.example"); }, false},
        SanCase{"RejectsAnEmailWithABadDomain", [] { return ValidateEmailAddress("a@-acme.example"); }, false},
        SanCase{"AcceptsAPrintableSubjectSerial",
                [] {
                  return ValidateDistinguishedName(
                      testing::With<DistinguishedName>([](auto& v) { v.serial_number = "A-123 (x)"; }));
                },
                true},
        SanCase{"RejectsASubjectSerialWithAnAsterisk",
                [] {
                  return ValidateDistinguishedName(
                      testing::With<DistinguishedName>([](auto& v) { v.serial_number = "A*1"; }));
                },
                false},
        SanCase{"AcceptsAUnicodeOrganization",
                [] {
                  return ValidateDistinguishedName(testing::With<DistinguishedName>([](auto& v) {
                    v.organizations = {
                        "B\xc3\xbc"
                        "cher GmbH"};
                  }));
                },
                true},
        SanCase{"RejectsAnOverlongUtf8Encoding",
                [] {
                  return ValidateDistinguishedName(
                      testing::With<DistinguishedName>([](auto& v) { v.common_name = "\xc0\xaf"; }));
                },
                false},
        SanCase{"RejectsAUtf8Surrogate",
                [] {
                  return ValidateDistinguishedName(
                      testing::With<DistinguishedName>([](auto& v) { v.common_name = "\xed\xa0\x80"; }));
                },
                false},
        SanCase{"RejectsALowercaseCountry",
                [] {
                  return ValidateDistinguishedName(testing::With<DistinguishedName>([](auto& v) { v.country = "de"; }));
                },
                false}),
    [](const auto& info) { return info.param.name; });

TEST(Usage, NamesRoundTrip) {
  for (KeyUsage u : {KeyUsage::kDigitalSignature, KeyUsage::kContentCommitment, KeyUsage::kKeyEncipherment,
                     KeyUsage::kDataEncipherment, KeyUsage::kKeyAgreement, KeyUsage::kKeyCertSign, KeyUsage::kCrlSign,
                     KeyUsage::kEncipherOnly, KeyUsage::kDecipherOnly}) {
    EXPECT_EQ(Must(ParseKeyUsage(KeyUsageName(u))), u);
  }
  for (ExtendedKeyUsage u :
       {ExtendedKeyUsage::kServerAuth, ExtendedKeyUsage::kClientAuth, ExtendedKeyUsage::kCodeSigning,
        ExtendedKeyUsage::kEmailProtection, ExtendedKeyUsage::kTimeStamping, ExtendedKeyUsage::kOcspSigning}) {
    EXPECT_EQ(Must(ParseExtendedKeyUsage(ExtendedKeyUsageName(u))), u);
  }
  EXPECT_THAT(ParseKeyUsage("sign everything"), IsErrorWith(StatusCode::kInvalidArgument, "unknown key usage"));
}

TEST(Usage, DefaultsFitTheKey) {
  EXPECT_THAT(DefaultLeafKeyUsages(KeyAlgorithm::kRsa2048),
              ElementsAre(KeyUsage::kDigitalSignature, KeyUsage::kKeyEncipherment));
  EXPECT_THAT(DefaultLeafKeyUsages(KeyAlgorithm::kEcdsaP256), ElementsAre(KeyUsage::kDigitalSignature));
}

}  // namespace
}  // namespace certplane::pki
