#include "test_material.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <utility>

#include "fixtures.h"

namespace certplane::sync::azure::testing {

using pki::testing::Hierarchy;
using pki::testing::Must;
using pki::testing::TestKey;

CertificateMaterial MakeMaterial(pki::KeyAlgorithm algorithm) {
  const pki::testing::TestHierarchy& ca = Hierarchy(algorithm);
  const pki::Certificate leaf = pki::testing::IssueLeaf(ca.intermediate, algorithm);
  CertificateMaterial m;
  m.certificate_pem = leaf.ToPem();
  m.chain_pem = ca.intermediate_cert.ToPem() + ca.root_cert.ToPem();
  m.ca_pem = ca.root_cert.ToPem();
  m.private_key_pem = Must(TestKey(algorithm).ToPkcs8Pem());
  m.serial_hex = leaf.serial().ToHex();
  return m;
}

std::string DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) return {};
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return {};
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

HttpResponse JsonResponse(int status, std::string body, HttpHeaders headers) {
  HttpResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.headers.push_back({"Content-Type", "application/json; charset=utf-8"});
  r.body = std::move(body);
  return r;
}

Result<HttpResponse> ScriptedTransport::Send(const HttpRequest& request) {
  sent.push_back(request);
  if (script_.empty()) {
    ADD_FAILURE() << "unexpected request " << request.method << " " << request.url;
    return JsonResponse(599, "{}");
  }
  Exchange next = std::move(script_.front());
  script_.pop_front();
  if (request.method != next.method || request.url.find(next.url_part) == std::string::npos) {
    ADD_FAILURE() << "expected " << next.method << " ..." << next.url_part << "..., got " << request.method << " "
                  << request.url;
    return JsonResponse(599, "{}");
  }
  return next.response;
}

}  // namespace certplane::sync::azure::testing
