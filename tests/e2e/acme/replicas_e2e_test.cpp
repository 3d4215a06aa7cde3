// Any replica can answer any ACME request: a second controller process that serves
// HTTP but never leads (its Lease is held by someone else for an hour) takes half of
// one order's requests, the suite's leading controller the other half, and the order
// completes. Nonces are per replica: one from A used on B is refused with badNonce and
// B's fresh nonce works.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <sstream>

#include "acme/jwk.h"
#include "acme/validation/challenge_values.h"
#include "acme_fixture.h"
#include "free_port.h"

namespace certplane::testing {
namespace {

using acme::client::AcmeAccount;
using acme::client::AcmeClient;
using acme::client::AcmeResponse;
using acme::client::AuthorizationView;
using acme::client::OrderView;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// The name of the Lease the second replica campaigns for and never gets.
constexpr char kBlockerLease[] = "acme-replica-blocker";

// A second certplane-controller in the suite's controller namespace, on its own
// loopback ports, with the suite's --acme-* flags, campaigning for `lease`. Stopped
// when it goes out of scope (ChildProcess), whatever the test did.
class Replica {
 public:
  Replica(const std::string& controller_ns, const std::string& lease, const std::vector<std::string>& extra_flags,
          const std::string& log_path)
      : http_port_(FreeLoopbackPort()),
        health_port_(FreeLoopbackPort()),
        metrics_port_(FreeLoopbackPort()),
        log_path_(log_path) {
    std::vector<std::string> argv{RequireEnv("CERTPLANE_BINARY_DIR") + "/controller/certplane-controller",
                                  "--kubeconfig",
                                  RequireEnv("KUBECONFIG"),
                                  "--namespace",
                                  controller_ns,
                                  "--leader-elect=true",
                                  "--leader-election-id",
                                  lease,
                                  "--log-level=debug",
                                  "--http-bind-address=127.0.0.1:" + std::to_string(http_port_),
                                  "--health-probe-bind-address=127.0.0.1:" + std::to_string(health_port_),
                                  "--metrics-bind-address=127.0.0.1:" + std::to_string(metrics_port_),
                                  "--public-base-url=" + base(),
                                  "--https-bind-address="};
    argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
    process_ = std::make_unique<ChildProcess>(argv, ChildOptions{.log_path = log_path_});
  }

  // True once /readyz answers (the caches have synced), within `timeout`.
  bool WaitReady(std::chrono::seconds timeout = std::chrono::seconds(60)) {
    const std::string readyz = "http://127.0.0.1:" + std::to_string(health_port_) + "/readyz";
    return Eventually(
        [&] {
          return RunTool({"curl", "-fsS", "--max-time", "2", readyz}).exit_code == 0;
        },
        timeout, std::chrono::milliseconds(200));
  }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(http_port_); }
  std::string log() const { return ReadFile(log_path_); }

  // certplane_acme_requests_total{resource=<resource>,code=<code>} on this replica.
  double AcmeRequests(const std::string& resource, int code) const {
    CommandResult r =
        RunTool({"curl", "-fsS", "--max-time", "5", "http://127.0.0.1:" + std::to_string(metrics_port_) + "/metrics"});
    std::istringstream in(r.output);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("certplane_acme_requests_total{", 0) != 0) continue;
      if (line.find("resource=\"" + resource + "\"") == std::string::npos) continue;
      if (line.find("code=\"" + std::to_string(code) + "\"") == std::string::npos) continue;
      return std::stod(line.substr(line.rfind(' ') + 1));
    }
    return 0;
  }

 private:
  int http_port_, health_port_, metrics_port_;
  std::string log_path_;
  std::unique_ptr<ChildProcess> process_;
};

class AcmeReplicasE2E : public AcmeE2E {
 public:
  static void SetUpTestSuite() { SetUpAcmeSuite(); }
  static void TearDownTestSuite() { TearDownAcmeSuite(); }

 protected:
  // A Lease held by "someone-else" for an hour, renewed just now: whoever campaigns
  // for it waits (client-go semantics: the holder's claim lasts leaseDurationSeconds
  // from when the candidate first saw it).
  void HoldLeaseForSomeoneElse(const std::string& lease) {
    std::string now = NowRfc3339();  // "...:SSZ"; a MicroTime wants microseconds
    now.insert(now.size() - 1, ".000000");
    Apply("apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: " + lease + "\n  namespace: " +
          ControllerNamespace() + "\nspec:\n  holderIdentity: someone-else\n  leaseDurationSeconds: 3600\n" +
          "  acquireTime: \"" + now + "\"\n  renewTime: \"" + now + "\"\n");
  }

  std::unique_ptr<Replica> StartNonLeadingReplica() {
    HoldLeaseForSomeoneElse(kBlockerLease);
    std::filesystem::create_directories(RequireEnv("CERTPLANE_BINARY_DIR") + "/e2e-logs");
    const std::string log_path =
        RequireEnv("CERTPLANE_BINARY_DIR") + "/e2e-logs/controller-AcmeReplicasE2E-replica-" + id() + ".log";
    auto replica = std::make_unique<Replica>(ControllerNamespace(), kBlockerLease, ExtraControllerFlags(), log_path);
    EXPECT_TRUE(replica->WaitReady()) << "the second replica did not become ready; log: " << log_path;
    // It campaigned and saw the Lease taken: it serves but does not lead.
    EXPECT_TRUE(Eventually([&] { return replica->log().find("leader is someone-else") != std::string::npos; },
                           std::chrono::seconds(30)))
        << "the second replica never saw the blocker Lease; log: " << log_path;
    return replica;
  }
};

TEST_F(AcmeReplicasE2E, AnOrderCompletesWithItsRequestsSplitBetweenTwoReplicas) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"dns-01"}});
  std::unique_ptr<Replica> replica = StartNonLeadingReplica();
  ASSERT_FALSE(HasFailure());
  const std::string base_a = PublicBaseUrl(), base_b = replica->base();
  ASSERT_NE(base_a, base_b);
  auto on_a = [&](const std::string& url) { return RebaseUrl(url, base_b, base_a); };
  auto on_b = [&](const std::string& url) { return RebaseUrl(url, base_a, base_b); };

  AcmeClient a(p.directory_url);
  AcmeClient b(on_b(p.directory_url));
  AcmeResponse directory_b = b.FetchDirectory();
  ASSERT_TRUE(directory_b.ok()) << directory_b.Describe();
  EXPECT_THAT(b.directory().new_order, StartsWith(base_b + "/")) << "B's directory names B";

  // The account on A ...
  AcmeAccount account_a = NewAccount(a, p);
  ASSERT_THAT(account_a.url, StartsWith(base_a + "/"));
  const AcmeAccount account_b{.key = account_a.key, .url = on_b(account_a.url)};

  // ... the order on B, with B's URLs ...
  const std::string name = "replicas.acme.test";
  AcmeResponse created = b.NewOrder(account_b, {name});
  ASSERT_EQ(created.status, 201) << created.Describe() << "\n--- replica log ---\n" << replica->log();
  ASSERT_THAT(created.location(), StartsWith(base_b + "/"));
  const OrderView order_b = OrderView::FromJson(created.json);
  ASSERT_EQ(order_b.authorizations.size(), 1u);

  // ... the challenge answered on A ...
  const std::string authz_a = on_a(order_b.authorizations[0]);
  AcmeResponse authz_read = a.GetAuthorization(account_a, authz_a);
  ASSERT_TRUE(authz_read.ok()) << authz_read.Describe();
  const AuthorizationView authz = AuthorizationView::FromJson(authz_read.json);
  const acme::client::ChallengeView* dns01 = authz.Find("dns-01");
  ASSERT_NE(dns01, nullptr) << authz_read.body;
  EXPECT_THAT(dns01->url, StartsWith(base_a + "/"));
  Dns().SetTxt("_acme-challenge." + name, {acme::Dns01TxtValue(acme::KeyAuthorization(
                                              dns01->token, acme::Jwk::FromPublicKey(account_a.key.public_key())))});
  AcmeResponse answered = a.RespondChallenge(account_a, dns01->url);
  ASSERT_TRUE(answered.ok()) << answered.Describe();
  // (B sees A's validation result: both read the order from the API server.)
  AcmeResponse authz_done = b.PollAuthorization(account_b, order_b.authorizations[0], {"valid", "invalid"});
  ASSERT_EQ(AuthorizationView::FromJson(authz_done.json).status, "valid") << authz_done.Describe() << AcmeLogTail();
  AcmeResponse ready = a.PollOrder(account_a, on_a(created.location()), {"ready", "invalid"});
  ASSERT_EQ(OrderView::FromJson(ready.json).status, "ready") << ready.Describe();

  // ... finalized on B (which does not sign: the leader, A, does) ...
  const pki::PrivateKey key = *pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256);
  AcmeResponse finalized = b.Finalize(account_b, order_b.finalize, MakeCsr({name}, key));
  ASSERT_TRUE(finalized.ok()) << finalized.Describe() << "\n--- replica log ---\n" << replica->log();

  // ... polled and downloaded on A.
  AcmeResponse valid = a.PollOrder(account_a, on_a(created.location()), {"valid", "invalid"});
  const OrderView done = OrderView::FromJson(valid.json);
  ASSERT_EQ(done.status, "valid") << valid.Describe() << AcmeLogTail();
  ASSERT_THAT(done.certificate, StartsWith(base_a + "/"));
  AcmeResponse chain = a.DownloadCertificate(account_a, done.certificate);
  ASSERT_EQ(chain.status, 200) << chain.Describe();
  const std::vector<std::string> blocks = PemBlocks(chain.body);
  ASSERT_FALSE(blocks.empty()) << chain.body;
  const std::string cert = tmp_.File("replicas.pem");
  WriteFile(cert, blocks.front());
  CommandResult verified = RunTool({"openssl", "verify", "-CAfile", SaveTrustBundle(p), cert});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_EQ(Openssl({"x509", "-in", cert, "-noout", "-pubkey"}), key.public_key().ToPem());
  EXPECT_THAT(AcmeCertificateSerials(p.name), Contains(SerialOf(cert)));
  // B can serve the same download.
  AcmeResponse chain_b = b.DownloadCertificate(account_b, on_b(done.certificate));
  EXPECT_EQ(chain_b.status, 200) << chain_b.Describe();
  EXPECT_EQ(chain_b.body, chain.body);

  // B served ACME all along without ever leading.
  const std::string replica_log = replica->log();
  EXPECT_THAT(replica_log, HasSubstr("ACME order finalized"));
  EXPECT_THAT(replica_log, Not(HasSubstr("starting the controllers")));
}

TEST_F(AcmeReplicasE2E, ANonceFromOneReplicaIsBadOnTheOtherAndTheClientRetriesWithTheFreshOne) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"dns-01"}});
  std::unique_ptr<Replica> replica = StartNonLeadingReplica();
  ASSERT_FALSE(HasFailure());
  const std::string base_a = PublicBaseUrl(), base_b = replica->base();
  AcmeClient a(p.directory_url);
  AcmeClient b(RebaseUrl(p.directory_url, base_a, base_b));
  AcmeAccount account_a = NewAccount(a, p);
  ASSERT_FALSE(account_a.url.empty());
  const AcmeAccount account_b{.key = account_a.key, .url = RebaseUrl(account_a.url, base_a, base_b)};
  AcmeResponse created = b.NewOrder(account_b, {"nonce.replicas.acme.test"});
  ASSERT_EQ(created.status, 201) << created.Describe();
  const std::string order_b = created.location();

  // Explicitly: A's nonce on B is badNonce, with B's fresh nonce in the answer ...
  const std::string nonce_a = a.NewNonce().Header("Replay-Nonce");
  ASSERT_FALSE(nonce_a.empty());
  AcmeResponse refused = b.Post(order_b, "", account_b.key, {.kid = account_b.url, .nonce = nonce_a});
  EXPECT_EQ(refused.problem_type(), "badNonce") << refused.Describe();
  EXPECT_EQ(refused.status, 400);
  const std::string nonce_b = refused.Header("Replay-Nonce");
  ASSERT_FALSE(nonce_b.empty());
  // ... which B accepts once ...
  AcmeResponse retried = b.Post(order_b, "", account_b.key, {.kid = account_b.url, .nonce = nonce_b});
  EXPECT_EQ(retried.status, 200) << retried.Describe();
  EXPECT_EQ(OrderView::FromJson(retried.json).status, "pending");
  // ... and the other way round: B's nonces mean nothing to A.
  const std::string fresh_b = b.NewNonce().Header("Replay-Nonce");
  ASSERT_FALSE(fresh_b.empty());
  AcmeResponse on_a =
      a.Post(RebaseUrl(order_b, base_b, base_a), "", account_a.key, {.kid = account_a.url, .nonce = fresh_b});
  EXPECT_EQ(on_a.problem_type(), "badNonce") << on_a.Describe();

  // Implicitly: client A, holding A's nonce, asks B; it is refused once and the client
  // retries with B's nonce on its own. B counts exactly one more badNonce on "order".
  ASSERT_TRUE(a.GetOrder(account_a, RebaseUrl(order_b, base_b, base_a)).ok());  // a now holds a nonce of A
  const double refused_before = replica->AcmeRequests("order", 400);
  const double served_before = replica->AcmeRequests("order", 200);
  AcmeResponse across = a.GetOrder(account_b, order_b);
  EXPECT_EQ(across.status, 200) << across.Describe();
  EXPECT_EQ(replica->AcmeRequests("order", 400), refused_before + 1) << "the first try was not refused on B";
  EXPECT_EQ(replica->AcmeRequests("order", 200), served_before + 1);
}

}  // namespace
}  // namespace certplane::testing
