// What the Azure sync tests push: a leaf with its key, chain and serial, issued by
// certplane's own PKI test hierarchy (tests/unit/pki/fixtures.h), and a fake
// HttpTransport that answers from a script and records what was sent.
//
//   CertificateMaterial m = MakeMaterial(pki::KeyAlgorithm::kEcdsaP256);
//   ScriptedTransport t({{"GET", "/certificates/web", Json(404, NotFoundBody())}, ...});
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>

#include "pki/key.h"
#include "sync/destination.h"
#include "sync/exchange.h"

namespace certplane::sync::azure::testing {

// A leaf for TestKey(algorithm) issued by Hierarchy(algorithm)'s intermediate, with a
// fresh random serial each call; chain_pem is the intermediate then the root.
CertificateMaterial MakeMaterial(pki::KeyAlgorithm algorithm);

// One expected request (method, and a substring of the URL) and the answer to give.
struct Exchange {
  std::string method;
  std::string url_part;
  HttpResponse response;
};

// Standard base64 (with padding) decoded; empty on malformed input.
std::string DecodeBase64(std::string_view text);

HttpResponse JsonResponse(int status, std::string body, HttpHeaders headers = {});

// Answers each request with the next exchange of the script; a request that does not
// match it fails the test and gets a 599. Records every request.
class ScriptedTransport final : public HttpTransport {
 public:
  explicit ScriptedTransport(std::vector<Exchange> script) : script_(script.begin(), script.end()) {}
  Result<HttpResponse> Send(const HttpRequest& request) override;

  std::vector<HttpRequest> sent;
  bool done() const { return script_.empty(); }

 private:
  std::deque<Exchange> script_;
};

// Matches a SyncResult (or SyncError) whose Status code is `code` and whose message
// contains `text`.
MATCHER_P2(FailsWith, code, text, "") {
  const SyncError& e = [&]() -> const SyncError& {
    if constexpr (std::is_same_v<std::decay_t<arg_type>, SyncError>) {
      return arg;
    } else {
      return arg.error();
    }
  }();
  if constexpr (!std::is_same_v<std::decay_t<arg_type>, SyncError>) {
    if (arg.ok()) {
      *result_listener << "succeeded";
      return false;
    }
  }
  *result_listener << "status is " << e.status << " (code " << e.code << ")";
  return e.status.code() == code && e.status.message().find(text) != std::string::npos;
}

}  // namespace certplane::sync::azure::testing
