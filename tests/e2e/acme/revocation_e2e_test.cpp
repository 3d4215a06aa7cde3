// revokeCert (RFC 8555 section 7.6) against the real controller: by the certificate's
// own key, refused to another account, refused twice and refused with a reason a
// subscriber may not give; and revocation through Kubernetes (spec.revocation on the
// ACME Certificate). What reaches the CRL is checked with openssl verify -crl_check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "acme_fixture.h"

namespace certplane::testing {
namespace {

using acme::client::AcmeAccount;
using acme::client::AcmeClient;
using acme::client::AcmeResponse;
using ::testing::HasSubstr;

pki::PrivateKey NewKey() { return *pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256); }

class AcmeRevocationE2E : public AcmeE2E {
 public:
  static void SetUpTestSuite() { SetUpAcmeSuite(); }
  static void TearDownTestSuite() { TearDownAcmeSuite(); }

 protected:
  // spec.revocation.reason of the ACME Certificate with `serial` ("" when not revoked).
  std::string RevocationReason(const AcmeProfile& p, const std::string& serial) {
    const std::string name = AcmeCertificateWithSerial(p.name, serial);
    EXPECT_FALSE(name.empty()) << "no Certificate with serial " << serial;
    if (name.empty()) return {};
    return Kubectl({"get", "cpcert", name, "-n", ControllerNamespace(), "-o", "jsonpath={.spec.revocation.reason}"})
        .output;
  }

  // The CRL lists `serial` (within 30 s), and openssl refuses the certificate with it.
  void ExpectOnTheCrl(const AcmeProfile& p, const IssuedCertificate& cert, const std::string& reason_text) {
    const std::string crl = WaitForCrlListing(p.ca, cert.serial);
    ASSERT_FALSE(crl.empty()) << "serial " << cert.serial << " not on the CRL of " << p.ca << AcmeLogTail();
    EXPECT_THAT(Openssl({"crl", "-in", crl, "-noout", "-text"}), HasSubstr(reason_text));
    CommandResult checked = VerifyWithCrl(SaveTrustBundle(p), crl, cert.leaf_path);
    EXPECT_NE(checked.exit_code, 0) << checked.output;
    EXPECT_THAT(checked.output, HasSubstr("certificate revoked"));
  }

  // The CRL, once there is one, does not list `serial`, and openssl accepts the certificate.
  void ExpectNotOnTheCrl(const AcmeProfile& p, const IssuedCertificate& cert) {
    std::string crl;
    ASSERT_TRUE(Eventually([&] { return !(crl = SaveCrl(p.ca)).empty(); }, std::chrono::seconds(30)))
        << "no CRL for " << p.ca;
    CommandResult checked = VerifyWithCrl(SaveTrustBundle(p), crl, cert.leaf_path);
    EXPECT_EQ(checked.exit_code, 0) << checked.output;
  }
};

TEST_F(AcmeRevocationE2E, TheCertificatesOwnKeyRevokesItOntoTheCrl) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"dns-01"}});
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  std::optional<IssuedCertificate> cert = IssueByDns01(acme, account, {"ownkey.revoke.acme.test"});
  ASSERT_TRUE(cert.has_value());
  ExpectNotOnTheCrl(p, *cert);

  // No account at all: the JWS carries the certificate's public key (RFC 8555 7.6).
  AcmeResponse revoked = acme.RevokeWithCertificateKey(cert->key, cert->leaf_der, 1);
  ASSERT_EQ(revoked.status, 200) << revoked.Describe() << AcmeLogTail();
  EXPECT_EQ(RevocationReason(p, cert->serial), "keyCompromise");
  ExpectOnTheCrl(p, *cert, "Key Compromise");

  // Once is enough, whoever asks again.
  AcmeResponse again = acme.RevokeWithCertificateKey(cert->key, cert->leaf_der, 1);
  EXPECT_EQ(again.problem_type(), "alreadyRevoked") << again.Describe();
  AcmeResponse by_account = acme.Revoke(account, cert->leaf_der, 4);
  EXPECT_EQ(by_account.problem_type(), "alreadyRevoked") << by_account.Describe();
  EXPECT_EQ(RevocationReason(p, cert->serial), "keyCompromise") << "a refused revocation changed the reason";
}

TEST_F(AcmeRevocationE2E, RefusesRevocationByAnotherAccountOrAnotherKey) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"dns-01"}});
  AcmeClient acme(p.directory_url);
  AcmeAccount owner = NewAccount(acme, p);
  AcmeAccount other = NewAccount(acme, p);
  ASSERT_FALSE(owner.url.empty());
  ASSERT_FALSE(other.url.empty());
  std::optional<IssuedCertificate> cert = IssueByDns01(acme, owner, {"other.revoke.acme.test"});
  ASSERT_TRUE(cert.has_value());

  AcmeResponse by_other = acme.Revoke(other, cert->leaf_der, 1);
  EXPECT_EQ(by_other.problem_type(), "unauthorized") << by_other.Describe();
  EXPECT_EQ(by_other.status, 403);
  AcmeResponse by_stranger_key = acme.RevokeWithCertificateKey(NewKey(), cert->leaf_der, 1);
  EXPECT_EQ(by_stranger_key.problem_type(), "unauthorized") << by_stranger_key.Describe();
  // The owner's account key is not the certificate's key either.
  AcmeResponse by_account_key_as_jwk = acme.RevokeWithCertificateKey(owner.key, cert->leaf_der, 1);
  EXPECT_EQ(by_account_key_as_jwk.problem_type(), "unauthorized") << by_account_key_as_jwk.Describe();

  EXPECT_EQ(RevocationReason(p, cert->serial), "") << "a refused revocation revoked";
  ExpectNotOnTheCrl(p, *cert);

  // The account that ordered it may.
  AcmeResponse by_owner = acme.Revoke(owner, cert->leaf_der, std::nullopt);
  ASSERT_EQ(by_owner.status, 200) << by_owner.Describe();
  EXPECT_EQ(RevocationReason(p, cert->serial), "unspecified");
  ExpectOnTheCrl(p, *cert, "Serial Number: ");
}

TEST_F(AcmeRevocationE2E, RefusesAReasonASubscriberMayNotGive) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"dns-01"}});
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  std::optional<IssuedCertificate> cert = IssueByDns01(acme, account, {"reason.revoke.acme.test"});
  ASSERT_TRUE(cert.has_value());

  // 2 cACompromise, 6 certificateHold, 8 removeFromCRL and 10 aACompromise are not the
  // subscriber's to claim; 7 is unassigned in RFC 5280; -1 and 11 are no reason at all.
  for (int reason : {2, 6, 7, 8, 10, 11, -1}) {
    SCOPED_TRACE("reason " + std::to_string(reason));
    AcmeResponse r = acme.Revoke(account, cert->leaf_der, reason);
    EXPECT_EQ(r.problem_type(), "badRevocationReason") << r.Describe();
    EXPECT_EQ(r.status, 400) << r.Describe();
  }
  EXPECT_EQ(RevocationReason(p, cert->serial), "") << "a refused revocation revoked";

  AcmeResponse superseded = acme.Revoke(account, cert->leaf_der, 4);
  ASSERT_EQ(superseded.status, 200) << superseded.Describe();
  EXPECT_EQ(RevocationReason(p, cert->serial), "superseded");
  ExpectOnTheCrl(p, *cert, "Superseded");
}

TEST_F(AcmeRevocationE2E, RevokingTheAcmeCertificateThroughKubernetesReachesTheCrl) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"dns-01"}, .intermediate = true});
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  std::optional<IssuedCertificate> cert = IssueByDns01(acme, account, {"kubectl.revoke.acme.test"});
  ASSERT_TRUE(cert.has_value());
  const std::string name = AcmeCertificateWithSerial(p.name, cert->serial);
  ASSERT_FALSE(name.empty()) << AcmeLogTail();

  Kubectl({"patch", "cpcert", name, "-n", ControllerNamespace(), "--type=merge", "-p",
           R"({"spec":{"revocation":{"reason":"cessationOfOperation"}}})"});
  ExpectOnTheCrl(p, *cert, "Cessation Of Operation");

  // ACME sees the revocation Kubernetes made.
  AcmeResponse again = acme.Revoke(account, cert->leaf_der, 1);
  EXPECT_EQ(again.problem_type(), "alreadyRevoked") << again.Describe();
  EXPECT_EQ(RevocationReason(p, cert->serial), "cessationOfOperation");
}

}  // namespace
}  // namespace certplane::testing
