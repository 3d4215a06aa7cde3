// The account resources of RFC 8555 section 7.3 against the real controller: updating
// the contact, deactivation (7.3.6), the orders list (7.1.2.1) and key rollover
// (7.3.5), each with the refusals a client meets when it gets them wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "acme/client/messages.h"
#include "acme_fixture.h"

namespace certplane::testing {
namespace {

using acme::client::AcmeAccount;
using acme::client::AcmeClient;
using acme::client::AcmeResponse;
using acme::client::Eab;
using acme::client::OrderView;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

pki::PrivateKey NewKey() { return *pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256); }

std::vector<std::string> Strings(const nlohmann::json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const nlohmann::json& v : list) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

class AcmeAccountsE2E : public AcmeE2E {
 public:
  static void SetUpTestSuite() { SetUpAcmeSuite(); }
  static void TearDownTestSuite() { TearDownAcmeSuite(); }

 protected:
  // POST-as-GET of the account URL: what the server has stored now.
  static AcmeResponse ReadAccount(AcmeClient& acme, const AcmeAccount& account) {
    return acme.Post(account.url, "", account.key, {.kid = account.url});
  }
  static AcmeResponse ListOrders(AcmeClient& acme, const AcmeAccount& account, const std::string& orders_url) {
    return acme.Post(orders_url, "", account.key, {.kid = account.url});
  }
};

TEST_F(AcmeAccountsE2E, UpdatesTheContactAndKeepsIt) {
  const AcmeProfile p = MakeAcmeProfile({});
  AcmeClient acme(p.directory_url);
  AcmeAccount account{.key = NewKey()};
  AcmeResponse created = acme.NewAccount(
      account.key, {.eab = Eab{p.eab_kid, p.eab_hmac_raw}, .contact = {"mailto:first@accounts.acme.test"}});
  ASSERT_EQ(created.status, 201) << created.Describe() << AcmeLogTail();
  account.url = created.location();
  EXPECT_THAT(Strings(created.json["contact"]), ElementsAre("mailto:first@accounts.acme.test"));

  AcmeResponse updated = acme.UpdateAccount(
      account, {{"contact", {"mailto:second@accounts.acme.test", "mailto:third@accounts.acme.test"}}});
  ASSERT_EQ(updated.status, 200) << updated.Describe();
  EXPECT_THAT(Strings(updated.json["contact"]),
              ElementsAre("mailto:second@accounts.acme.test", "mailto:third@accounts.acme.test"));
  EXPECT_EQ(updated.json.value("status", ""), "valid");

  AcmeResponse read = ReadAccount(acme, account);
  ASSERT_EQ(read.status, 200) << read.Describe();
  EXPECT_THAT(Strings(read.json["contact"]),
              ElementsAre("mailto:second@accounts.acme.test", "mailto:third@accounts.acme.test"));

  // A contact that is not an email address is refused and changes nothing.
  AcmeResponse bad = acme.UpdateAccount(account, {{"contact", {"tel:+15555550100"}}});
  EXPECT_EQ(bad.problem_type(), "unsupportedContact") << bad.Describe();
  EXPECT_THAT(Strings(ReadAccount(acme, account).json["contact"]),
              ElementsAre("mailto:second@accounts.acme.test", "mailto:third@accounts.acme.test"));

  // An empty list clears it.
  AcmeResponse cleared = acme.UpdateAccount(account, {{"contact", nlohmann::json::array()}});
  ASSERT_EQ(cleared.status, 200) << cleared.Describe();
  EXPECT_THAT(Strings(ReadAccount(acme, account).json["contact"]), IsEmpty());
}

TEST_F(AcmeAccountsE2E, ADeactivatedAccountIsRefusedWhateverItAsks) {
  const AcmeProfile p = MakeAcmeProfile({});
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  AcmeResponse order = acme.NewOrder(account, {"deactivated.acme.test"});
  ASSERT_EQ(order.status, 201) << order.Describe();

  AcmeResponse deactivated = acme.UpdateAccount(account, {{"status", "deactivated"}});
  ASSERT_EQ(deactivated.status, 200) << deactivated.Describe() << AcmeLogTail();
  EXPECT_EQ(deactivated.json.value("status", ""), "deactivated");

  // RFC 8555 7.3.6: no further request authorized by the account's key is accepted.
  auto expect_unauthorized = [](const AcmeResponse& r) {
    EXPECT_EQ(r.problem_type(), "unauthorized") << r.Describe();
    EXPECT_EQ(r.status, 403) << r.Describe();
  };
  {
    SCOPED_TRACE("POST-as-GET of the account");
    expect_unauthorized(ReadAccount(acme, account));
  }
  {
    SCOPED_TRACE("an update of the contact");
    expect_unauthorized(acme.UpdateAccount(account, {{"contact", {"mailto:again@accounts.acme.test"}}}));
  }
  {
    SCOPED_TRACE("a new order");
    expect_unauthorized(acme.NewOrder(account, {"after.acme.test"}));
  }
  {
    SCOPED_TRACE("reading an order made before");
    expect_unauthorized(acme.GetOrder(account, order.location()));
  }
  {
    SCOPED_TRACE("a key change");
    expect_unauthorized(acme.KeyChange(account, NewKey()));
  }
  {
    SCOPED_TRACE("newAccount with the deactivated account's key (onlyReturnExisting)");
    expect_unauthorized(acme.NewAccount(account.key, {.only_return_existing = true}));
  }
  {
    SCOPED_TRACE("newAccount with the deactivated account's key and a valid binding");
    AcmeResponse again = acme.NewAccount(account.key, {.eab = Eab{p.eab_kid, p.eab_hmac_raw}});
    expect_unauthorized(again);
    EXPECT_TRUE(again.location().empty() || again.location() == account.url) << again.Describe();
  }
}

TEST_F(AcmeAccountsE2E, ListsTheOrdersOfTheAccountAndOnlyThose) {
  const AcmeProfile p = MakeAcmeProfile({});
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  AcmeAccount other = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  ASSERT_FALSE(other.url.empty());
  const std::string orders_url = ReadAccount(acme, account).json.value("orders", "");
  ASSERT_EQ(orders_url, account.url + "/orders");

  AcmeResponse empty = ListOrders(acme, account, orders_url);
  ASSERT_EQ(empty.status, 200) << empty.Describe();
  EXPECT_THAT(Strings(empty.json["orders"]), IsEmpty());

  AcmeResponse first = acme.NewOrder(account, {"one.orders.acme.test"});
  AcmeResponse second = acme.NewOrder(account, {"two.orders.acme.test"});
  AcmeResponse theirs = acme.NewOrder(other, {"theirs.orders.acme.test"});
  ASSERT_EQ(first.status, 201) << first.Describe();
  ASSERT_EQ(second.status, 201) << second.Describe();
  ASSERT_EQ(theirs.status, 201) << theirs.Describe();

  AcmeResponse listed = ListOrders(acme, account, orders_url);
  ASSERT_EQ(listed.status, 200) << listed.Describe();
  EXPECT_THAT(Strings(listed.json["orders"]), UnorderedElementsAre(first.location(), second.location()));

  // Another account may not read the list.
  AcmeResponse foreign = ListOrders(acme, other, orders_url);
  EXPECT_EQ(foreign.problem_type(), "unauthorized") << foreign.Describe();

  // An order that became invalid (its authorization given up) leaves the list
  // (RFC 8555 7.1.2.1: invalid orders SHOULD NOT be listed).
  const std::string authz = OrderView::FromJson(second.json).authorizations.at(0);
  AcmeResponse given_up = acme.Post(authz, R"({"status":"deactivated"})", account.key, {.kid = account.url});
  ASSERT_EQ(given_up.status, 200) << given_up.Describe();
  ASSERT_EQ(OrderView::FromJson(acme.GetOrder(account, second.location()).json).status, "invalid");
  EXPECT_THAT(Strings(ListOrders(acme, account, orders_url).json["orders"]), ElementsAre(first.location()));
}

TEST_F(AcmeAccountsE2E, KeyChangeRetiresTheOldKeyAndTheNewOneFindsTheSameAccount) {
  const AcmeProfile p = MakeAcmeProfile({});
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  const pki::PrivateKey old_key = account.key;
  const pki::PrivateKey new_key = NewKey();

  AcmeResponse changed = acme.KeyChange(account, new_key);
  ASSERT_EQ(changed.status, 200) << changed.Describe() << AcmeLogTail();
  EXPECT_EQ(changed.json.value("status", ""), "valid");

  // Signed with the old key, the account's requests no longer verify.
  AcmeResponse with_old = acme.NewOrder(AcmeAccount{.key = old_key, .url = account.url}, {"old.keychange.acme.test"});
  EXPECT_EQ(with_old.problem_type(), "malformed") << with_old.Describe();
  EXPECT_THAT(with_old.problem ? with_old.problem->detail : "", HasSubstr("does not verify"));

  // With the new key they do.
  account.key = new_key;
  AcmeResponse with_new = acme.NewOrder(account, {"new.keychange.acme.test"});
  EXPECT_EQ(with_new.status, 201) << with_new.Describe();
  AcmeResponse read = ReadAccount(acme, account);
  EXPECT_EQ(read.status, 200) << read.Describe();

  // The key index moved with the key: the new key finds the account, the old one nothing.
  AcmeResponse found = acme.NewAccount(new_key, {.only_return_existing = true});
  EXPECT_EQ(found.status, 200) << found.Describe();
  EXPECT_EQ(found.location(), account.url);
  AcmeResponse lost = acme.NewAccount(old_key, {.only_return_existing = true});
  EXPECT_EQ(lost.problem_type(), "accountDoesNotExist") << lost.Describe();
}

TEST_F(AcmeAccountsE2E, KeyChangeToAnotherAccountsKeyIsAConflictNamingThatAccount) {
  const AcmeProfile p = MakeAcmeProfile({});
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  AcmeAccount other = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  ASSERT_FALSE(other.url.empty());

  AcmeResponse conflict = acme.KeyChange(account, other.key);
  EXPECT_EQ(conflict.status, 409) << conflict.Describe();
  EXPECT_EQ(conflict.location(), other.url) << conflict.Describe();

  // Neither account changed.
  EXPECT_EQ(ReadAccount(acme, account).status, 200);
  EXPECT_EQ(ReadAccount(acme, other).status, 200);
  EXPECT_EQ(acme.NewAccount(other.key, {.only_return_existing = true}).location(), other.url);
  EXPECT_EQ(acme.NewAccount(account.key, {.only_return_existing = true}).location(), account.url);
}

TEST_F(AcmeAccountsE2E, KeyChangeNamingAnotherOldKeyIsMalformedAndChangesNothing) {
  const AcmeProfile p = MakeAcmeProfile({});
  AcmeClient acme(p.directory_url);
  AcmeAccount account = NewAccount(acme, p);
  ASSERT_FALSE(account.url.empty());
  ASSERT_TRUE(acme.FetchDirectory().ok());
  const pki::PrivateKey new_key = NewKey();
  const pki::PrivateKey stranger = NewKey();

  const nlohmann::json inner =
      acme::client::KeyChangeInnerJws(new_key, acme.directory().key_change, account.url, stranger.public_key());
  ASSERT_FALSE(inner.is_null());
  AcmeResponse r = acme.Post(acme.directory().key_change, inner.dump(), account.key, {.kid = account.url});
  EXPECT_EQ(r.problem_type(), "malformed") << r.Describe();
  EXPECT_EQ(r.status, 400) << r.Describe();
  EXPECT_THAT(r.problem ? r.problem->detail : "", HasSubstr("oldKey"));

  // The old key still signs for the account; the new one is nobody's.
  EXPECT_EQ(ReadAccount(acme, account).status, 200);
  AcmeResponse nobody = acme.NewAccount(new_key, {.only_return_existing = true});
  EXPECT_EQ(nobody.problem_type(), "accountDoesNotExist") << nobody.Describe();
}

}  // namespace
}  // namespace certplane::testing
