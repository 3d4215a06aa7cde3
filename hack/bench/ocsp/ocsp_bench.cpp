// OCSP responder throughput.
//
//   ocsp_bench inproc [--quick]
//     OcspResponder over stub caches (a P-256 CA, its delegated responder, 10,000
//     issued serials, a CRL of 1,000): responses per second served from the cache (one
//     thread, then two), and signed on a miss (a nonce in every request).
//   ocsp_bench http URL CA_PEM SERIALS_FILE SECONDS CONNECTIONS
//     POSTs requests (SHA-1 CertIDs, no nonce, one serial each, cycling through the hex
//     serials in SERIALS_FILE) to URL over CONNECTIONS concurrent clients for SECONDS;
//     prints responses per second and how many were successful OCSP responses.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <cpprest/http_client.h>

#include "../bench_support.h"
#include "crl/ca_key_id.h"
#include "kube/clock.h"
#include "pki/certificate.h"
#include "pki/issue.h"
#include "pki/issuer.h"
#include "pki/key.h"
#include "pki/ocsp.h"
#include "reconcile/ca_material.h"
#include "reconcile/ocsp_responder.h"

using namespace certplane;
using namespace std::chrono_literals;

namespace {

using bench::Must;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int InProcess(bool quick) {
  const auto now = std::chrono::system_clock::now();
  pki::PrivateKey ca_key = Must(pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256));
  pki::CertificateSpec ca_spec;
  ca_spec.subject.common_name = "Bench OCSP CA";
  ca_spec.is_ca = true;
  ca_spec.key_usages = pki::DefaultCaKeyUsages();
  ca_spec.validity = 24h * 3650;
  pki::Issuer issuer = Must(pki::Issuer::Create(Must(pki::SelfSignCertificate(ca_spec, ca_key, now - 24h)), ca_key));
  pki::PrivateKey key = Must(pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256));
  pki::CertificateSpec spec;
  spec.subject.common_name = "Bench OCSP responder";
  spec.validity = 72h;
  spec.key_usages = {pki::KeyUsage::kDigitalSignature};
  spec.extended_key_usages = {pki::ExtendedKeyUsage::kOcspSigning};
  spec.ocsp_no_check = true;
  auto signers = std::make_shared<reconcile::OcspSignerSecret>();
  signers->ca_name = "bench";
  signers->identities.push_back({crl::CaKeyId(issuer.certificate()),
                                 issuer.certificate(),
                                 {Must(pki::IssueCertificate(spec, key.public_key(), issuer, now)), key}});
  auto issued = std::make_shared<reconcile::IssuedSerials>();
  issued->ca_name = "bench";
  const int n = 10000;
  std::vector<pki::Bytes> requests, nonced;
  for (int i = 0; i < n; ++i) {
    pki::SerialNumber serial = Must(pki::SerialNumber::Random());
    issued->serials[serial.ToHex()] = 0;
    requests.push_back(Must(pki::BuildOcspRequest(issuer.certificate(), serial, NID_sha1)));
    if (i < 2000)
      nonced.push_back(Must(pki::BuildOcspRequest(issuer.certificate(), serial, NID_sha1, pki::Bytes{4, 2, 1, 2})));
  }
  reconcile::OcspSources sources{
      .ca = [](const std::string&) { return std::make_shared<const api::CertificateAuthority>(); },
      .signers = [signers](const std::string&) { return std::shared_ptr<const reconcile::OcspSignerSecret>(signers); },
      .crl_shards = [](const std::string&) { return std::vector<std::shared_ptr<const crl::CrlConfigMap>>{}; },
      .issued =
          [issued](const std::string&) { return std::vector<std::shared_ptr<const reconcile::IssuedSerials>>{issued}; },
      .certificate_names = [](const std::string&, const std::string&) { return false; },
      .clock = kube::SystemClock().get()};
  reconcile::OcspResponder responder(sources, {});
  auto start = std::chrono::steady_clock::now();
  for (const auto& r : requests) (void)responder.Respond("bench", r);  // fills the cache
  std::printf("in process: first answers (signed)      %9.0f responses/s\n", n / Seconds(start));
  const int rounds = quick ? 5 : 30;
  for (int threads : {1, 2}) {
    start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    std::atomic<long> misses{0};
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        for (int k = 0; k < rounds; ++k) {
          for (const auto& r : requests) {
            if (!responder.Respond("bench", r).from_cache) ++misses;
          }
        }
      });
    }
    for (auto& w : workers) w.join();
    std::printf("in process: from the cache, %d thread(s) %9.0f responses/s (%ld misses)\n", threads,
                static_cast<double>(threads) * rounds * n / Seconds(start), misses.load());
  }
  start = std::chrono::steady_clock::now();
  for (const auto& r : nonced) (void)responder.Respond("bench", r);
  std::printf("in process: with a nonce (signed each)   %9.0f responses/s\n", nonced.size() / Seconds(start));
  return 0;
}

int OverHttp(const std::string& url, const std::string& ca_pem, const std::string& serials_file, int seconds,
             int connections) {
  std::ifstream in(ca_pem);
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  pki::Certificate ca = Must(pki::ParseCertificatePem(pem));
  std::ifstream list(serials_file);
  std::vector<std::vector<unsigned char>> bodies;
  for (std::string line; std::getline(list, line);) {
    if (line.empty()) continue;
    pki::Bytes der = Must(pki::BuildOcspRequest(ca, Must(pki::SerialNumber::FromHex(line)), NID_sha1));
    bodies.emplace_back(der.begin(), der.end());
  }
  if (bodies.empty()) {
    std::fprintf(stderr, "no serials in %s\n", serials_file.c_str());
    return 1;
  }
  std::atomic<long> ok{0}, failed{0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int c = 0; c < connections; ++c) {
    workers.emplace_back([&, c] {
      web::http::client::http_client client(utility::conversions::to_string_t(url));
      for (std::size_t i = c; std::chrono::steady_clock::now() < deadline; i += connections) {
        web::http::http_request req(web::http::methods::POST);
        req.headers().set_content_type("application/ocsp-request");
        req.set_body(bodies[i % bodies.size()]);
        try {
          auto resp = client.request(req).get();
          auto body = resp.extract_vector().get();
          auto parsed = pki::ParseOcspResponse(body);
          if (resp.status_code() == 200 && parsed.ok() && parsed->status == pki::OcspResponseStatus::kSuccessful) {
            ++ok;
          } else {
            ++failed;
          }
        } catch (const std::exception&) {
          ++failed;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  const double elapsed = Seconds(start);
  std::printf("%s: %.0f responses/s over %d connection(s) (%ld successful, %ld failed, %.1f s)\n", url.c_str(),
              ok / elapsed, connections, ok.load(), failed.load(), elapsed);
  return failed > 0 && ok == 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "inproc") return InProcess(args.size() > 1 && args[1] == "--quick");
  if (args.size() == 6 && args[0] == "http") {
    return OverHttp(args[1], args[2], args[3], std::stoi(args[4]), std::stoi(args[5]));
  }
  std::fprintf(stderr, "usage: ocsp_bench inproc [--quick] | http URL CA_PEM SERIALS_FILE SECONDS CONNECTIONS\n");
  return 2;
}
