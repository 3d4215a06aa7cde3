#include "pki/ocsp.h"

#include "fixtures.h"

namespace certplane::pki {
namespace {

using namespace std::chrono_literals;
using ::certplane::pki::testing::Hierarchy;
using ::certplane::pki::testing::IsErrorWith;
using ::certplane::pki::testing::kNow;
using ::certplane::pki::testing::LeafSpec;
using ::certplane::pki::testing::Must;
using ::certplane::pki::testing::TestKey;

// A delegated responder of the test intermediate, as certplane issues one.
OcspSigner Responder(KeyAlgorithm algorithm = KeyAlgorithm::kEcdsaP256) {
  const auto& pki = Hierarchy(algorithm);
  CertificateSpec spec = LeafSpec().WithCommonName("ocsp").WithDns({}).WithValidity(std::chrono::hours(72)).Build();
  spec.key_usages = {KeyUsage::kDigitalSignature};
  spec.extended_key_usages = {ExtendedKeyUsage::kOcspSigning};
  spec.ocsp_no_check = true;
  const PrivateKey& key = TestKey(KeyAlgorithm::kEcdsaP256);
  return {Must(IssueCertificate(spec, key.public_key(), pki.intermediate, kNow)), key};
}

SerialNumber Serial(std::string_view hex) { return Must(SerialNumber::FromHex(hex)); }

TEST(OcspRequest, RoundTripsCertIdAndNonce) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  Bytes nonce{0x04, 0x02, 0xab, 0xcd};
  OcspRequest req =
      Must(ParseOcspRequest(Must(BuildOcspRequest(pki.intermediate_cert, Serial("0a1b"), NID_sha1, nonce))));
  ASSERT_EQ(req.certificates.size(), 1u);
  EXPECT_EQ(req.certificates[0].serial, Serial("0a1b"));
  EXPECT_EQ(req.certificates[0].hash_nid, NID_sha1);
  EXPECT_TRUE(OcspIssuerMatches(req.certificates[0], pki.intermediate_cert));
  EXPECT_FALSE(OcspIssuerMatches(req.certificates[0], pki.root_cert));
  EXPECT_EQ(req.nonce, nonce);
}

TEST(OcspRequest, MatchesTheIssuerUnderEverySupportedHash) {
  const auto& pki = Hierarchy(KeyAlgorithm::kRsa2048);
  for (int nid : {NID_sha1, NID_sha256, NID_sha384, NID_sha512}) {
    OcspRequest req = Must(ParseOcspRequest(Must(BuildOcspRequest(pki.intermediate_cert, Serial("01"), nid))));
    EXPECT_TRUE(OcspIssuerMatches(req.certificates[0], pki.intermediate_cert)) << nid;
    EXPECT_FALSE(req.nonce.has_value());
  }
}

TEST(OcspRequest, RefusesGarbageTruncationAndOversizedInput) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  Bytes good = Must(BuildOcspRequest(pki.intermediate_cert, Serial("01"), NID_sha1));
  EXPECT_THAT(ParseOcspRequest(Bytes{}), IsErrorWith(StatusCode::kInvalidArgument, "empty"));
  EXPECT_THAT(ParseOcspRequest(Bytes{0x30, 0x03, 0x01}), IsErrorWith(StatusCode::kInvalidArgument, "OCSP request"));
  Bytes truncated(good.begin(), good.end() - 1);
  EXPECT_THAT(ParseOcspRequest(truncated), IsErrorWith(StatusCode::kInvalidArgument, "OCSP request"));
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_THAT(ParseOcspRequest(trailing), IsErrorWith(StatusCode::kInvalidArgument, "unexpected bytes"));
  EXPECT_THAT(ParseOcspRequest(Bytes(kMaxOcspRequestSize + 1, 0x30)),
              IsErrorWith(StatusCode::kInvalidArgument, "over the limit"));
}

TEST(OcspResponse, SaysGoodRevokedAndUnknownAndVerifiesWithTheDelegatedSigner) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  OcspSigner signer = Responder();
  auto id = [&](std::string_view serial) {
    return Must(ParseOcspRequest(Must(BuildOcspRequest(pki.intermediate_cert, Serial(serial), NID_sha256))))
        .certificates[0];
  };
  OcspResponseSpec spec;
  spec.nonce = Bytes{0x04, 0x01, 0x07};
  spec.responses.push_back(
      {.id = id("01"), .status = OcspCertStatus::kGood, .this_update = kNow, .next_update = kNow + 1h});
  spec.responses.push_back({.id = id("02"),
                            .status = OcspCertStatus::kRevoked,
                            .revocation_time = kNow - 1h,
                            .reason = RevocationReason::kCertificateHold,
                            .this_update = kNow,
                            .next_update = kNow + 1h});
  spec.responses.push_back(
      {.id = id("03"), .status = OcspCertStatus::kUnknown, .this_update = kNow, .next_update = kNow + 1h});
  Bytes der = Must(SignOcspResponse(spec, signer, pki.intermediate_cert));
  EXPECT_TRUE(VerifyOcspResponse(der, pki.intermediate_cert, kNow).ok())
      << VerifyOcspResponse(der, pki.intermediate_cert, kNow);
  EXPECT_FALSE(VerifyOcspResponse(der, pki.root_cert, kNow).ok());

  ParsedOcspResponse parsed = Must(ParseOcspResponse(der));
  EXPECT_EQ(parsed.status, OcspResponseStatus::kSuccessful);
  EXPECT_EQ(parsed.nonce, spec.nonce);
  ASSERT_EQ(parsed.responses.size(), 3u);
  EXPECT_EQ(parsed.responses[0].status, OcspCertStatus::kGood);
  EXPECT_EQ(parsed.responses[0].id, spec.responses[0].id);
  EXPECT_EQ(parsed.responses[0].this_update, kNow);
  EXPECT_EQ(parsed.responses[0].next_update, kNow + 1h);
  EXPECT_EQ(parsed.responses[1].status, OcspCertStatus::kRevoked);
  EXPECT_EQ(parsed.responses[1].revocation_time, kNow - 1h);
  EXPECT_EQ(parsed.responses[1].reason, RevocationReason::kCertificateHold);
  EXPECT_EQ(parsed.responses[2].status, OcspCertStatus::kUnknown);
  ASSERT_EQ(parsed.certs.size(), 1u);
  EXPECT_EQ(parsed.certs[0], signer.certificate);
}

TEST(OcspResponse, RefusesASignerTheIssuerDidNotIssue) {
  const auto& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
  OcspResponseSpec spec;
  spec.responses.push_back(
      {.id = Must(ParseOcspRequest(Must(BuildOcspRequest(pki.root_cert, Serial("01"), NID_sha1)))).certificates[0],
       .status = OcspCertStatus::kGood,
       .this_update = kNow,
       .next_update = kNow + 1h});
  EXPECT_THAT(SignOcspResponse(spec, Responder(), pki.root_cert),
              IsErrorWith(StatusCode::kFailedPrecondition, "was not issued by"));
}

TEST(OcspResponse, ErrorResponsesCarryOnlyTheirStatus) {
  for (auto status : {OcspResponseStatus::kMalformedRequest, OcspResponseStatus::kUnauthorized,
                      OcspResponseStatus::kTryLater, OcspResponseStatus::kInternalError}) {
    ParsedOcspResponse parsed = Must(ParseOcspResponse(OcspErrorResponse(status)));
    EXPECT_EQ(parsed.status, status) << OcspResponseStatusName(status);
    EXPECT_TRUE(parsed.responses.empty());
  }
}

TEST(OcspSignerCertificate, CarriesNoCheckAndOcspSigning) {
  OcspSigner signer = Responder();
  EXPECT_THAT(signer.certificate.extended_key_usages(), ::testing::ElementsAre(ExtendedKeyUsage::kOcspSigning));
  EXPECT_FALSE(signer.certificate.IsExtensionCritical("1.3.6.1.5.5.7.48.1.5"));
  EXPECT_NE(X509_get_ext_by_NID(signer.certificate.get(), NID_id_pkix_OCSP_noCheck, -1), -1);
}

}  // namespace
}  // namespace certplane::pki
