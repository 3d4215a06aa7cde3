#include "acme/validation/challenge_values.h"

#include <gtest/gtest.h>

#include "acme/validation/validators.h"

namespace certplane::acme {
namespace {

// The key authorization of RFC 8555's example token and a thumbprint; the expected
// values were computed independently (Python hashlib).
constexpr std::string_view kKeyAuthorization =
    "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.nP1qzpXGymHBrUEepNY9HCsQk7K8KhOypzEt62jcerQ";

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

TEST(ChallengeValuesTest, Dns01TxtValueIsUnpaddedBase64UrlOfTheDigest) {
  EXPECT_EQ(Dns01TxtValue(kKeyAuthorization), "NGwKoXBgCT8JhEa0bK7AwfSqHyu_ZWeugV07fLGIVq0");
}

TEST(ChallengeValuesTest, TlsAlpn01DigestIsTheRawSha256) {
  const std::string digest = TlsAlpn01Digest(kKeyAuthorization);
  ASSERT_EQ(digest.size(), 32u);
  EXPECT_EQ(Hex(digest), "346c0aa17060093f098446b46caec0c1f4aa1f2bbf6567ae815d3b7cb18856ad");
}

TEST(ChallengeValuesTest, TlsAlpn01ExtensionValueIsADerOctetString) {
  EXPECT_EQ(Hex(TlsAlpn01ExtensionValue(kKeyAuthorization)),
            "0420346c0aa17060093f098446b46caec0c1f4aa1f2bbf6567ae815d3b7cb18856ad");
}

TEST(ReverseNameTest, NamesIpv4AndIpv6Addresses) {
  EXPECT_EQ(ReverseName(*policy::ParseIp("192.0.2.5")), "5.2.0.192.in-addr.arpa");
  EXPECT_EQ(ReverseName(*policy::ParseIp("2001:db8::567:89ab")),
            "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

}  // namespace
}  // namespace certplane::acme
