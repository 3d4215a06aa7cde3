// The OCSP responder over stub sources: answers from the CRL, the issued record and
// the Certificates, the cache and its invalidation. (Its HTTP routes:
// tests/unit/http_routes/ocsp_routes_test.cpp.)
#include "reconcile/ocsp_responder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "crl/ca_key_id.h"
#include "crl_fixtures.h"
#include "pki/issue.h"
#include "reconcile/ca_material.h"

namespace certplane::reconcile {
namespace {

using namespace std::chrono_literals;
using crl::testing::CrlConfigMapJson;
using pki::testing::Hierarchy;
using pki::testing::kNow;
using pki::testing::Must;
using ::testing::HasSubstr;

const pki::testing::TestHierarchy& Pki() { return Hierarchy(pki::KeyAlgorithm::kEcdsaP256); }

pki::SerialNumber Serial(std::string_view hex) { return Must(pki::SerialNumber::FromHex(hex)); }

OcspIdentity Identity() {
  pki::CertificateSpec spec;
  spec.subject.common_name = "issuing OCSP responder";
  spec.validity = 72h;
  spec.key_usages = {pki::KeyUsage::kDigitalSignature};
  spec.extended_key_usages = {pki::ExtendedKeyUsage::kOcspSigning};
  spec.ocsp_no_check = true;
  const pki::PrivateKey& key = pki::testing::TestKey(pki::KeyAlgorithm::kEcdsaP256);
  return {crl::CaKeyId(Pki().intermediate_cert),
          Pki().intermediate_cert,
          {Must(pki::IssueCertificate(spec, key.public_key(), Pki().intermediate, kNow)), key}};
}

// The caches as the responder sees them, changeable by the test.
struct Stub {
  std::mutex mu;
  std::shared_ptr<const OcspSignerSecret> signers;
  std::vector<std::shared_ptr<const crl::CrlConfigMap>> crls;
  std::vector<std::shared_ptr<const IssuedSerials>> issued;  // the record's shards
  std::set<std::string> named;                               // serials a Certificate names
  kube::FakeClock clock;

  Stub() {
    auto s = std::make_shared<OcspSignerSecret>();
    s->ca_name = "issuing";
    s->identities.push_back(Identity());
    signers = s;
    SetCrl(crl::testing::TestCrl(1, 2));  // serials 80 and 81, keyCompromise
    for (int shard : {0, 1}) {
      auto i = std::make_shared<IssuedSerials>();
      i->ca_name = "issuing";
      i->shard = shard;
      i->serials = shard == 0 ? IssuedSerialMap{{"0a", 0}, {"80", 0}} : IssuedSerialMap{{"0c", 0}};
      issued.push_back(i);
    }
  }
  void SetCrl(const pki::Crl& crl) {
    auto cm = Must(
        crl::DecodeCrlConfigMap(CrlConfigMapJson("certplane-system", "issuing", 0, crl)
                                    .WithAnnotation(api::kCrlKeyIdAnnotation, crl::CaKeyId(Pki().intermediate_cert))
                                    .Build()));
    std::lock_guard lock(mu);
    crls = {std::make_shared<const crl::CrlConfigMap>(std::move(cm))};
  }
  OcspSources Sources() {
    return {.ca =
                [](const std::string& ca) {
                  if (ca != "issuing") return std::shared_ptr<const api::CertificateAuthority>();
                  auto out = std::make_shared<api::CertificateAuthority>();
                  out->metadata.name = ca;
                  return std::shared_ptr<const api::CertificateAuthority>(out);
                },
            .signers =
                [this](const std::string&) {
                  std::lock_guard l(mu);
                  return signers;
                },
            .crl_shards =
                [this](const std::string&) {
                  std::lock_guard l(mu);
                  return crls;
                },
            .issued =
                [this](const std::string&) {
                  std::lock_guard l(mu);
                  return issued;
                },
            .certificate_names =
                [this](const std::string&, const std::string& s) {
                  std::lock_guard l(mu);
                  return named.count(s) > 0;
                },
            .clock = &clock};
  }
};

pki::Bytes Request(std::string_view serial, const std::optional<pki::Bytes>& nonce = std::nullopt,
                   const pki::Certificate& issuer = Pki().intermediate_cert) {
  return Must(pki::BuildOcspRequest(issuer, Serial(serial), NID_sha1, nonce));
}

pki::ParsedOcspResponse Parse(const crl::OcspHttpAnswer& a) {
  return Must(pki::ParseOcspResponse({reinterpret_cast<const std::uint8_t*>(a.der->data()), a.der->size()}));
}

pki::OcspCertStatus StatusOf(const crl::OcspHttpAnswer& a) {
  auto parsed = Parse(a);
  EXPECT_EQ(parsed.status, pki::OcspResponseStatus::kSuccessful);
  EXPECT_EQ(parsed.responses.size(), 1u);
  return parsed.responses.empty() ? pki::OcspCertStatus::kUnknown : parsed.responses[0].status;
}

TEST(OcspResponder, AnswersGoodRevokedAndUnknownSignedByTheDelegatedResponder) {
  Stub stub;
  OcspResponder responder(stub.Sources(), {});
  crl::OcspHttpAnswer good = responder.Respond("issuing", Request("0a"));
  EXPECT_EQ(StatusOf(good), pki::OcspCertStatus::kGood);
  EXPECT_TRUE(pki::VerifyOcspResponse({reinterpret_cast<const std::uint8_t*>(good.der->data()), good.der->size()},
                                      Pki().intermediate_cert, kNow)
                  .ok());
  EXPECT_TRUE(good.cacheable);
  EXPECT_EQ(good.next_update - good.this_update, 1h);
  EXPECT_EQ(good.refresh_at - good.this_update, 30min);

  crl::OcspHttpAnswer revoked = responder.Respond("issuing", Request("80"));
  auto parsed = Parse(revoked);
  ASSERT_EQ(parsed.responses.size(), 1u);
  EXPECT_EQ(parsed.responses[0].status, pki::OcspCertStatus::kRevoked);
  EXPECT_EQ(parsed.responses[0].reason, pki::RevocationReason::kKeyCompromise);
  EXPECT_EQ(parsed.responses[0].revocation_time, kNow - 1h);

  EXPECT_EQ(StatusOf(responder.Respond("issuing", Request("0b"))), pki::OcspCertStatus::kUnknown);
  stub.named.insert("0b");  // a Certificate names it before the issued record does
  EXPECT_EQ(StatusOf(responder.Respond("issuing", Request("0b"))), pki::OcspCertStatus::kGood);
}

TEST(OcspResponder, AnswersGoodForASerialInAnyShardOfTheRecord) {
  Stub stub;
  OcspResponder responder(stub.Sources(), {});
  EXPECT_EQ(StatusOf(responder.Respond("issuing", Request("0c"))), pki::OcspCertStatus::kGood);  // shard 1
  {
    std::lock_guard l(stub.mu);
    stub.issued.pop_back();
  }
  EXPECT_EQ(StatusOf(OcspResponder(stub.Sources(), {}).Respond("issuing", Request("0c"))),
            pki::OcspCertStatus::kUnknown);
}

TEST(OcspResponder, ServesFromItsCacheUntilTheAnswerChanges) {
  Stub stub;
  OcspResponder responder(stub.Sources(), {});
  crl::OcspHttpAnswer first = responder.Respond("issuing", Request("0a"));
  crl::OcspHttpAnswer second = responder.Respond("issuing", Request("0a"));
  EXPECT_FALSE(first.from_cache);
  EXPECT_TRUE(second.from_cache);
  EXPECT_EQ(*first.der, *second.der);

  // 0a is revoked: the next answer says so, without waiting for anything.
  pki::CrlSpec spec;
  spec.number = 2;
  spec.this_update = kNow;
  spec.next_update = kNow + 24h;
  spec.revoked = {{Serial("0a"), kNow, pki::RevocationReason::kCertificateHold}};
  stub.SetCrl(Must(pki::BuildCrl(spec, Pki().intermediate)));
  crl::OcspHttpAnswer third = responder.Respond("issuing", Request("0a"));
  EXPECT_FALSE(third.from_cache);
  EXPECT_EQ(Parse(third).responses[0].reason, pki::RevocationReason::kCertificateHold);

  // Past half its validity a response is signed again.
  stub.clock.Advance(31min);
  EXPECT_FALSE(responder.Respond("issuing", Request("0a")).from_cache);
}

TEST(OcspResponder, ReSignsCachedResponsesInTheBackgroundWhenTheCaChanges) {
  Stub stub;
  OcspResponder responder(stub.Sources(), {.sweep_interval = 10ms});
  responder.Start();
  (void)responder.Respond("issuing", Request("0a"));
  pki::CrlSpec spec;
  spec.number = 2;
  spec.this_update = kNow;
  spec.next_update = kNow + 24h;
  spec.revoked = {{Serial("0a"), kNow, pki::RevocationReason::kSuperseded}};
  stub.SetCrl(Must(pki::BuildCrl(spec, Pki().intermediate)));
  responder.Invalidate("issuing");
  for (int i = 0; i < 500 && responder.counters().signed_in_background == 0; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(responder.counters().signed_in_background, 1u);
  crl::OcspHttpAnswer cached = responder.Respond("issuing", Request("0a"));
  EXPECT_TRUE(cached.from_cache);
  EXPECT_EQ(Parse(cached).responses[0].status, pki::OcspCertStatus::kRevoked);
  responder.Stop();
}

TEST(OcspResponder, EchoesANonceAndNeverCachesThatResponse) {
  Stub stub;
  OcspResponder responder(stub.Sources(), {});
  pki::Bytes nonce{0x04, 0x04, 1, 2, 3, 4};
  crl::OcspHttpAnswer a = responder.Respond("issuing", Request("0a", nonce));
  crl::OcspHttpAnswer b = responder.Respond("issuing", Request("0a", nonce));
  EXPECT_FALSE(a.cacheable);
  EXPECT_FALSE(b.from_cache);
  EXPECT_EQ(Parse(a).nonce, nonce);
  EXPECT_EQ(responder.counters().cached, 0u);
}

TEST(OcspResponder, RefusesWhatItCannotAnswer) {
  Stub stub;
  OcspResponder responder(stub.Sources(), {});
  auto status = [&](const std::string& ca, const pki::Bytes& req) { return Parse(responder.Respond(ca, req)).status; };
  EXPECT_EQ(status("issuing", pki::Bytes{0x30, 0x03, 0x02}), pki::OcspResponseStatus::kMalformedRequest);
  EXPECT_EQ(status("issuing", pki::Bytes(20000, 0x30)), pki::OcspResponseStatus::kMalformedRequest);
  EXPECT_EQ(status("issuing", Request("0a", std::nullopt, Pki().root_cert)), pki::OcspResponseStatus::kUnauthorized);
  EXPECT_EQ(status("other", Request("0a")), pki::OcspResponseStatus::kUnauthorized);
  EXPECT_EQ(status("issuing", Must(pki::BuildOcspRequest(Pki().intermediate_cert, Serial("0a"), NID_sha512))),
            pki::OcspResponseStatus::kSuccessful);
  stub.signers = std::make_shared<OcspSignerSecret>();
  EXPECT_EQ(status("issuing", Request("0a")), pki::OcspResponseStatus::kTryLater);
}

}  // namespace
}  // namespace certplane::reconcile
