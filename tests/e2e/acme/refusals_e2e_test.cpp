// What the ACME server refuses, driven with certplane's own test client so each
// request can be made wrong on purpose: the problem type (RFC 8555 section 6.7) is
// asserted, and no refused request leaves a Certificate behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "acme_fixture.h"

namespace certplane::testing {
namespace {

using acme::client::AcmeAccount;
using acme::client::AcmeClient;
using acme::client::AcmeResponse;
using acme::client::AuthorizationView;
using acme::client::Eab;
using acme::client::OrderView;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

pki::PrivateKey NewKey() { return *pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256); }

class AcmeRefusalsE2E : public AcmeE2E {
 public:
  static void SetUpTestSuite() { SetUpAcmeSuite(); }
  static void TearDownTestSuite() { TearDownAcmeSuite(); }

 protected:
  void ExpectNoCertificate(const AcmeProfile& p) {
    EXPECT_THAT(AcmeCertificateNames(p.name), IsEmpty()) << "a refused request created a Certificate";
  }
};

TEST_F(AcmeRefusalsE2E, RefusesAccountsWithoutOrWithAWrongExternalAccountBinding) {
  const AcmeProfile p = MakeAcmeProfile({});
  AcmeClient acme(p.directory_url);
  AcmeResponse directory = acme.FetchDirectory();
  ASSERT_TRUE(directory.ok()) << directory.Describe() << AcmeLogTail();
  EXPECT_TRUE(acme.directory().external_account_required);
  const pki::PrivateKey key = NewKey();

  AcmeResponse none = acme.NewAccount(key);
  EXPECT_EQ(none.problem_type(), "externalAccountRequired") << none.Describe();
  EXPECT_EQ(none.status, 403) << none.Describe();
  EXPECT_THAT(none.Header("Content-Type"), HasSubstr("application/problem+json"));

  AcmeResponse wrong_mac = acme.NewAccount(key, {.eab = Eab{p.eab_kid, std::string(32, 'x')}});
  EXPECT_EQ(wrong_mac.problem_type(), "unauthorized") << wrong_mac.Describe();

  AcmeResponse unknown_kid = acme.NewAccount(key, {.eab = Eab{"no-such-kid", p.eab_hmac_raw}});
  EXPECT_EQ(unknown_kid.problem_type(), "unauthorized") << unknown_kid.Describe();

  AcmeResponse existing = acme.NewAccount(key, {.only_return_existing = true});
  EXPECT_EQ(existing.problem_type(), "accountDoesNotExist") << existing.Describe();

  // The same key with the right binding is welcome, and then found.
  AcmeResponse created = acme.NewAccount(key, {.eab = Eab{p.eab_kid, p.eab_hmac_raw}});
  EXPECT_EQ(created.status, 201) << created.Describe();
  AcmeResponse found = acme.NewAccount(key, {.only_return_existing = true});
  EXPECT_EQ(found.status, 200) << found.Describe();
  EXPECT_EQ(found.location(), created.location());
  ExpectNoCertificate(p);
}

TEST_F(AcmeRefusalsE2E, RefusesAReplayedNonce) {
  const AcmeProfile p = MakeAcmeProfile({});
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  const std::string nonce = acme.NewNonce().Header("Replay-Nonce");
  ASSERT_FALSE(nonce.empty());
  const std::string payload = R"({"identifiers":[{"type":"dns","value":"nonce.acme.test"}]})";

  AcmeResponse first =
      acme.Post(acme.directory().new_order, payload, account.key, {.kid = account.url, .nonce = nonce});
  EXPECT_EQ(first.status, 201) << first.Describe();
  AcmeResponse replayed =
      acme.Post(acme.directory().new_order, payload, account.key, {.kid = account.url, .nonce = nonce});
  EXPECT_EQ(replayed.problem_type(), "badNonce") << replayed.Describe();
  EXPECT_EQ(replayed.status, 400);
  EXPECT_FALSE(replayed.Header("Replay-Nonce").empty()) << "a badNonce answer carries a fresh nonce";
  ExpectNoCertificate(p);
}

TEST_F(AcmeRefusalsE2E, RefusesARequestSignedByAnotherKeyThanTheAccounts) {
  const AcmeProfile p = MakeAcmeProfile({});
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  const pki::PrivateKey intruder = NewKey();

  AcmeResponse r = acme.Post(acme.directory().new_order, R"({"identifiers":[{"type":"dns","value":"kid.acme.test"}]})",
                             intruder, {.kid = account.url});
  EXPECT_EQ(r.problem_type(), "malformed") << r.Describe();
  EXPECT_THAT(r.problem ? r.problem->detail : "", HasSubstr("does not verify"));
  ExpectNoCertificate(p);
}

TEST_F(AcmeRefusalsE2E, RefusesAnOrderForANameTheTemplateForbids) {
  const AcmeProfile p = MakeAcmeProfile({});
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());

  AcmeResponse r = acme.NewOrder(account, {"www.forbidden.example"});
  EXPECT_EQ(r.problem_type(), "rejectedIdentifier") << r.Describe();
  EXPECT_THAT(r.problem ? r.problem->detail : "", HasSubstr("www.forbidden.example"));
  ExpectNoCertificate(p);
}

TEST_F(AcmeRefusalsE2E, RefusesACsrForANameTheOrderDoesNotHave) {
  const AcmeProfile p = MakeAcmeProfile({});
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  AcmeResponse created = acme.NewOrder(account, {"csr.acme.test"});
  ASSERT_EQ(created.status, 201) << created.Describe();
  ASSERT_TRUE(AuthorizeByDns01(acme, account, OrderView::FromJson(created.json)));
  AcmeResponse ready = acme.PollOrder(account, created.location(), {"ready", "invalid"});
  ASSERT_EQ(OrderView::FromJson(ready.json).status, "ready") << ready.Describe();

  const pki::PrivateKey key = NewKey();
  AcmeResponse other =
      acme.Finalize(account, OrderView::FromJson(created.json).finalize, MakeCsr({"other.acme.test"}, key));
  EXPECT_EQ(other.problem_type(), "badCSR") << other.Describe();
  AcmeResponse more = acme.Finalize(account, OrderView::FromJson(created.json).finalize,
                                    MakeCsr({"csr.acme.test", "extra.acme.test"}, key));
  EXPECT_EQ(more.problem_type(), "badCSR") << more.Describe();
  ExpectNoCertificate(p);
}

TEST_F(AcmeRefusalsE2E, RefusesToValidateAgainstLoopbackUnlessTheProfileAllowsIt) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"http-01"}, .allow_loopback = false});
  const std::string name = "loopback.acme.test";
  Dns().SetA(name, "127.0.0.1");
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  AcmeResponse created = acme.NewOrder(account, {name});
  ASSERT_EQ(created.status, 201) << created.Describe();
  const std::string authz_url = OrderView::FromJson(created.json).authorizations.at(0);
  AuthorizationView authz = AuthorizationView::FromJson(acme.GetAuthorization(account, authz_url).json);
  ASSERT_NE(authz.Find("http-01"), nullptr);

  // Nothing needs to listen: the validator must refuse 127.0.0.1 before connecting.
  AcmeResponse answered = acme.RespondChallenge(account, authz.Find("http-01")->url);
  EXPECT_TRUE(answered.ok()) << answered.Describe();
  AcmeResponse done = acme.PollAuthorization(account, authz_url, {"valid", "invalid"});
  AuthorizationView final_authz = AuthorizationView::FromJson(done.json);
  EXPECT_EQ(final_authz.status, "invalid") << done.Describe();
  const acme::client::ChallengeView* challenge = final_authz.Find("http-01");
  ASSERT_NE(challenge, nullptr);
  EXPECT_EQ(challenge->status, "invalid");
  ASSERT_TRUE(challenge->error.has_value()) << done.body;
  EXPECT_EQ(challenge->error->type, acme::ProblemType::kRejectedIdentifier) << challenge->error->detail;
  EXPECT_EQ(OrderView::FromJson(acme.GetOrder(account, created.location()).json).status, "invalid");
  ExpectNoCertificate(p);
}

}  // namespace
}  // namespace certplane::testing
