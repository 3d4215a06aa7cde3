// Serves GET /hello over HTTPS with the certificate chain and key given, on the loopback
// port given, exactly as the controller's HTTPS listener does (HttpServer with a
// ServingIdentity), until stdin closes. hack/bench/https/run.sh measures it.
//
//   https_bench_server PORT CHAIN_PEM_FILE KEY_PEM_FILE
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "http/http_server.h"
#include "http/serving_identity.h"

namespace {

std::string Slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: https_bench_server PORT CHAIN_PEM KEY_PEM\n");
    return 2;
  }
  certplane::http::ServingIdentity identity;
  if (auto s = identity.Load(Slurp(argv[2]), Slurp(argv[3])); !s.ok()) {
    std::fprintf(stderr, "https_bench_server: %s\n", s.ToString().c_str());
    return 1;
  }
  certplane::http::Router router;
  router.Get("/hello",
             [](const certplane::http::HttpRequest&) { return certplane::http::HttpResponse::Text(200, "hello\n"); });
  certplane::http::HttpServer server(std::string("127.0.0.1:") + argv[1], router, {.tls = &identity});
  if (auto s = server.Start(); !s.ok()) {
    std::fprintf(stderr, "https_bench_server: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  server.Stop();
  return 0;
}
