// acme_bench: ACME orders completed per second by C concurrent clients against a
// running certplane controller, each client its own account and ACME connection,
// proving names with dns-01 through a DNS responder this process serves (the
// controller is started with --acme-dns-server pointing at it).
//
//   acme_bench --directory http://127.0.0.1:8080/acme/bench/directory
//              --dns-port-file /tmp/dns.port --clients 50 --orders 500
//
// It writes the responder's port to --dns-port-file first, then waits for the
// directory (the controller is started in between), then runs. Prints a table and,
// with --json, the numbers as JSON. Every order: newOrder, one authorization,
// TXT record, challenge, poll ready, finalize (a fresh P-256 key and CSR), poll valid,
// download; an order counts when its PEM chain parses and names the ordered name.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "acme/client/acme_client.h"
#include "acme/jwk.h"
#include "acme/validation/challenge_values.h"
#include "dns_responder.h"
#include "pki/certificate.h"
#include "pki/csr.h"
#include "pki/key.h"

namespace {

using namespace certplane;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string directory;
  std::string dns_port_file;
  int clients = 50;
  int orders = 500;
  std::string json_out;
};

bool ParseArgs(int argc, char** argv, Args& a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--directory") a.directory = v;
    else if (k == "--dns-port-file") a.dns_port_file = v;
    else if (k == "--clients") a.clients = std::stoi(v);
    else if (k == "--orders") a.orders = std::stoi(v);
    else if (k == "--json") a.json_out = v;
    else return false;
  }
  return !a.directory.empty() && !a.dns_port_file.empty() && a.clients > 0 && a.orders > 0;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// One order from newOrder to the downloaded chain; "" when it succeeded, else why not.
std::string OneOrder(acme::client::AcmeClient& acme, const acme::client::AcmeAccount& account,
                     testing::DnsResponder& dns, const std::string& name) {
  auto order = acme.NewOrder(account, {name});
  if (order.status != 201) return "newOrder: " + order.Describe();
  auto view = acme::client::OrderView::FromJson(order.json);
  auto authz_resp = acme.GetAuthorization(account, view.authorizations.at(0));
  if (!authz_resp.ok()) return "authz: " + authz_resp.Describe();
  auto authz = acme::client::AuthorizationView::FromJson(authz_resp.json);
  const auto* challenge = authz.Find("dns-01");
  if (challenge == nullptr) return "no dns-01 challenge offered";
  std::string key_authorization =
      acme::KeyAuthorization(challenge->token, acme::Jwk::FromPublicKey(account.key.public_key()));
  dns.SetTxt("_acme-challenge." + name, {acme::Dns01TxtValue(key_authorization)});
  auto responded = acme.RespondChallenge(account, challenge->url);
  if (!responded.ok()) return "challenge: " + responded.Describe();
  auto ready = acme.PollOrder(account, order.location(), {"ready", "invalid"});
  dns.Clear("_acme-challenge." + name);
  if (acme::client::OrderView::FromJson(ready.json).status != "ready") return "not ready: " + ready.Describe();
  auto key = pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256);
  pki::CsrSpec spec;
  spec.subject_alt_names.dns_names = {name};
  auto csr = pki::CreateCertificateRequest(spec, *key);
  if (!csr.ok()) return "csr: " + csr.status().ToString();
  auto finalized = acme.Finalize(account, view.finalize, csr->ToDer());
  if (!finalized.ok()) return "finalize: " + finalized.Describe();
  auto valid = acme.PollOrder(account, order.location(), {"valid", "invalid"});
  auto done = acme::client::OrderView::FromJson(valid.json);
  if (done.status != "valid") return "not valid: " + valid.Describe();
  auto pem = acme.DownloadCertificate(account, done.certificate);
  if (!pem.ok()) return "download: " + pem.Describe();
  auto chain = pki::ParseCertificateChainPem(pem.body);
  if (!chain.ok() || chain->empty()) return "the chain does not parse";
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, args)) {
    std::cerr << "usage: acme_bench --directory URL --dns-port-file FILE [--clients 50] [--orders 500] [--json FILE]\n";
    return 2;
  }
  testing::DnsResponder dns("bench.test.");
  { std::ofstream(args.dns_port_file) << dns.port() << "\n"; }
  // Wait for the controller (started once the port file exists) to serve the directory.
  {
    acme::client::AcmeClient probe(args.directory);
    auto deadline = Clock::now() + std::chrono::seconds(120);
    while (!probe.FetchDirectory().ok()) {
      if (Clock::now() > deadline) {
        std::cerr << "acme_bench: the directory " << args.directory << " did not answer within 120 s\n";
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }

  // Accounts first (not timed): the number of interest is orders per second.
  std::vector<acme::client::AcmeAccount> accounts;
  for (int c = 0; c < args.clients; ++c) {
    acme::client::AcmeClient acme(args.directory);
    acme::client::AcmeAccount account{.key = *pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256)};
    auto created = acme.NewAccount(account.key);
    if (created.status != 201) {
      std::cerr << "acme_bench: newAccount: " << created.Describe() << "\n";
      return 1;
    }
    account.url = created.location();
    accounts.push_back(std::move(account));
  }

  std::atomic<int> next{0}, failed{0};
  std::mutex mu;
  std::vector<double> latencies;
  std::string first_failure;
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int c = 0; c < args.clients; ++c) {
    workers.emplace_back([&, c] {
      acme::client::AcmeClient acme(args.directory);
      for (int i = next++; i < args.orders; i = next++) {
        auto t0 = Clock::now();
        std::string why = OneOrder(acme, accounts[c], dns, "o" + std::to_string(i) + ".bench.test");
        double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        std::lock_guard lock(mu);
        if (why.empty()) latencies.push_back(seconds);
        else {
          ++failed;
          if (first_failure.empty()) first_failure = why;
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  double wall = std::chrono::duration<double>(Clock::now() - start).count();

  nlohmann::json out = {{"clients", args.clients},
                        {"orders", args.orders},
                        {"completed", latencies.size()},
                        {"failed", failed.load()},
                        {"wall_seconds", wall},
                        {"orders_per_second", static_cast<double>(latencies.size()) / wall},
                        {"latency_p50_seconds", Percentile(latencies, 0.50)},
                        {"latency_p99_seconds", Percentile(latencies, 0.99)},
                        {"dns_queries", dns.queries()}};
  std::printf("| clients | orders | completed | failed | wall s | orders/s | p50 s | p99 s |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  std::printf("| %d | %d | %zu | %d | %.1f | %.1f | %.2f | %.2f |\n", args.clients, args.orders, latencies.size(),
              failed.load(), wall, static_cast<double>(latencies.size()) / wall, Percentile(latencies, 0.5),
              Percentile(latencies, 0.99));
  if (!first_failure.empty()) std::printf("first failure: %s\n", first_failure.c_str());
  if (!args.json_out.empty()) std::ofstream(args.json_out) << out.dump(2) << "\n";
  return failed.load() == 0 ? 0 : 1;
}
