// ACME state outlives the controller: an order authorized before a restart is
// finalized and its certificate downloaded after it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "acme_fixture.h"

namespace certplane::testing {
namespace {

using acme::client::AcmeAccount;
using acme::client::AcmeClient;
using acme::client::AcmeResponse;
using acme::client::OrderView;
using ::testing::Contains;
using ::testing::HasSubstr;

class AcmeRestartE2E : public AcmeE2E {
 public:
  static void SetUpTestSuite() { SetUpAcmeSuite(); }
  static void TearDownTestSuite() { TearDownAcmeSuite(); }
};

// The restarted controller listens on a new port, so its URLs have a new base.
std::string Rebase(const std::string& url, const std::string& old_base, const std::string& new_base) {
  return url.rfind(old_base, 0) == 0 ? new_base + url.substr(old_base.size()) : url;
}

TEST_F(AcmeRestartE2E, AnOrderAuthorizedBeforeARestartIsFinalizedAfterIt) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"dns-01"}});
  const std::string name = "restart.acme.test";
  AcmeClient before(p.directory_url);
  AcmeAccount account = NewAccount(before, p);
  ASSERT_FALSE(account.url.empty());
  std::string order_url, finalize_url;
  {
    AcmeClient& acme = before;
    AcmeResponse created = acme.NewOrder(account, {name});
    ASSERT_EQ(created.status, 201) << created.Describe();
    ASSERT_TRUE(AuthorizeByDns01(acme, account, OrderView::FromJson(created.json)));
    AcmeResponse ready = acme.PollOrder(account, created.location(), {"ready", "invalid"});
    ASSERT_EQ(OrderView::FromJson(ready.json).status, "ready") << ready.Describe();
    order_url = created.location();
    finalize_url = OrderView::FromJson(created.json).finalize;
  }

  const std::string old_base = PublicBaseUrl();
  RestartController(false);
  const std::string new_base = PublicBaseUrl();
  account.url = Rebase(account.url, old_base, new_base);
  order_url = Rebase(order_url, old_base, new_base);
  finalize_url = Rebase(finalize_url, old_base, new_base);

  AcmeClient acme(Rebase(p.directory_url, old_base, new_base));
  AcmeResponse still_ready = acme.GetOrder(account, order_url);
  ASSERT_EQ(OrderView::FromJson(still_ready.json).status, "ready") << still_ready.Describe() << AcmeLogTail();
  const pki::PrivateKey key = *pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256);
  AcmeResponse finalized = acme.Finalize(account, finalize_url, MakeCsr({name}, key));
  ASSERT_TRUE(finalized.ok()) << finalized.Describe() << AcmeLogTail();
  AcmeResponse valid = acme.PollOrder(account, order_url, {"valid", "invalid"});
  OrderView order = OrderView::FromJson(valid.json);
  ASSERT_EQ(order.status, "valid") << valid.Describe() << AcmeLogTail();

  AcmeResponse chain = acme.DownloadCertificate(account, order.certificate);
  ASSERT_EQ(chain.status, 200) << chain.Describe();
  EXPECT_THAT(chain.Header("Content-Type"), HasSubstr("application/pem-certificate-chain"));
  const std::string cert = tmp_.File("restart.pem");
  WriteFile(cert, chain.body);
  const std::string ca = SaveTrustBundle(p);
  CommandResult verified = RunTool({"openssl", "verify", "-CAfile", ca, cert});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  // The certificate is for the key of the CSR, not the account's.
  EXPECT_EQ(Openssl({"x509", "-in", cert, "-noout", "-pubkey"}), key.public_key().ToPem());
  EXPECT_THAT(AcmeCertificateSerials(p.name), Contains(SerialOf(cert)));
}

}  // namespace
}  // namespace certplane::testing
