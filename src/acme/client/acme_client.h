// AcmeClient: a small RFC 8555 client for certplane's tests and benchmark. It speaks
// the protocol one request at a time and hands back what the server said (status,
// headers, body, problem), so a test can assert on a refusal as easily as on a success.
// It is not a certbot: it solves no challenge itself and keeps no state on disk.
//
//   AcmeClient acme(public_base + "/acme/web/directory");
//   ASSERT_TRUE(acme.FetchDirectory().ok());
//   AcmeAccount account{.key = *pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256)};
//   AcmeResponse created = acme.NewAccount(account.key, {.eab = Eab{"kid-1", hmac_raw}});
//   account.url = created.location();                      // 201, the account URL
//   AcmeResponse order = acme.NewOrder(account, {"www.example.test"});
//   OrderView view = OrderView::FromJson(order.json);
//   AuthorizationView authz = AuthorizationView::FromJson(acme.GetAuthorization(account, view.authorizations[0]).json);
//   ... publish KeyAuthorization(token, Jwk::FromPublicKey(account.key.public_key())) ...
//   acme.RespondChallenge(account, authz.Find("dns-01")->url);
//   acme.PollOrder(account, order.location(), {"ready", "invalid"});
//   acme.Finalize(account, view.finalize, csr.ToDer());
//   AcmeResponse done = acme.PollOrder(account, order.location(), {"valid", "invalid"});
//   std::string pem = acme.DownloadCertificate(account, OrderView::FromJson(done.json).certificate).body;
//
// Nonces: each response's Replay-Nonce is kept for the next request; without one the
// client asks newNonce (HEAD). A badNonce answer is retried once with the nonce that
// came with it, as RFC 8555 section 6.5 asks clients to (not when the caller chose the
// nonce: that request is meant to be refused).
//
// Errors: a request that got an HTTP answer, whatever its status, is an AcmeResponse
// with status set; one that got none (connection refused, timeout) has status 0 and
// transport_error set. Nothing throws.
//
// Not thread-safe: one AcmeClient per thread (the benchmark makes one per worker).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "acme/client/messages.h"
#include "acme/problem.h"
#include "pki/key.h"
#include "pki/types.h"

namespace web::http::client {
class http_client;
}

namespace certplane::acme::client {

// What the server answered to one request.
struct AcmeResponse {  // NOLINT(bugprone-exception-escape): json's destructor may throw from vector growth
  std::string method;  // "POST", "GET", "HEAD"
  std::string url;
  int status = 0;                              // HTTP status; 0: no answer (transport_error)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  nlohmann::json json;             // the body when it is JSON, else null
  std::optional<Problem> problem;  // when the body is an ACME problem document
  std::string transport_error;

  bool ok() const { return status >= 200 && status < 300; }
  // A header's value ("" when absent); `name` in any case.
  std::string Header(std::string_view name) const;
  std::string location() const { return Header("Location"); }
  // The problem's type name ("badNonce"), "" when there is no problem.
  std::string problem_type() const;
  // One line for test failure messages: "POST <url> -> 400 badNonce: <detail>" (or the
  // body, cut at 500 characters, when it is not a problem).
  std::string Describe() const;
};

// An account as the client knows it: its key and, once created, its URL (the kid).
struct AcmeAccount {
  pki::PrivateKey key;
  std::string url;
};

// External Account Binding credentials: the key id and the raw (decoded) MAC key.
struct Eab {
  std::string kid;
  std::string hmac_key;
};

struct NewAccountOptions {
  std::optional<Eab> eab;
  std::vector<std::string> contact;  // "mailto:..."
  bool terms_of_service_agreed = true;
  bool only_return_existing = false;
};

// How Post() signs, for requests the shortcuts below do not make (negative tests).
struct PostOptions {
  // Sign with this kid (an account URL); empty: embed the key's JWK instead.
  std::string kid;
  // Use this nonce instead of a fresh one, and do not retry on badNonce.
  std::optional<std::string> nonce;
  // Use this "url" in the protected header instead of the request's URL.
  std::optional<std::string> header_url;
  // Sent as Accept (e.g. "application/pem-certificate-chain").
  std::string accept;
};

class AcmeClient {
 public:
  struct Options {
    std::chrono::seconds timeout{30};  // per HTTP request
    std::string user_agent = "certplane-acme-test-client";
  };

  explicit AcmeClient(std::string directory_url) : AcmeClient(std::move(directory_url), Options{}) {}
  AcmeClient(std::string directory_url, Options options);
  ~AcmeClient();
  AcmeClient(const AcmeClient&) = delete;
  AcmeClient& operator=(const AcmeClient&) = delete;

  // GET the directory; on success directory() holds it. Called by every other request
  // that needs a URL from it and finds none yet.
  AcmeResponse FetchDirectory();
  const Directory& directory() const { return directory_; }

  // A fresh nonce from newNonce (HEAD). Its response is returned; the nonce is
  // response.Header("Replay-Nonce"), and is not kept for the next request.
  AcmeResponse NewNonce();

  // newAccount signed with `key`'s JWK: 201 (created) or 200 (it existed) with the
  // account URL in Location.
  AcmeResponse NewAccount(const pki::PrivateKey& key, const NewAccountOptions& options = {});
  // POST to the account URL: an update ({"contact": [...]}) or a deactivation
  // ({"status": "deactivated"}).
  AcmeResponse UpdateAccount(const AcmeAccount& account, const nlohmann::json& payload);
  // keyChange to `new_key` (section 7.3.5). On success the caller swaps account.key.
  AcmeResponse KeyChange(const AcmeAccount& account, const pki::PrivateKey& new_key);

  // newOrder for DNS names.
  AcmeResponse NewOrder(const AcmeAccount& account, const std::vector<std::string>& dns_names);
  AcmeResponse GetOrder(const AcmeAccount& account, const std::string& order_url);
  AcmeResponse GetAuthorization(const AcmeAccount& account, const std::string& authz_url);
  // POST {} to a challenge: "I am ready, validate".
  AcmeResponse RespondChallenge(const AcmeAccount& account, const std::string& challenge_url);
  // POST-as-GET `url` until its "status" is one of `until` or `timeout` passes,
  // sleeping Retry-After (at most 2 s, default 200 ms) between polls. Returns the last
  // response (a non-2xx one ends the polling at once).
  AcmeResponse PollOrder(const AcmeAccount& account, const std::string& order_url,
                         const std::vector<std::string>& until,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));
  AcmeResponse PollAuthorization(const AcmeAccount& account, const std::string& authz_url,
                                 const std::vector<std::string>& until,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(60));
  AcmeResponse Finalize(const AcmeAccount& account, const std::string& finalize_url, const pki::Bytes& csr_der);
  // POST-as-GET the certificate URL; the PEM chain is the body.
  AcmeResponse DownloadCertificate(const AcmeAccount& account, const std::string& certificate_url);

  // revokeCert signed by the account (kid) ...
  AcmeResponse Revoke(const AcmeAccount& account, const pki::Bytes& certificate_der, std::optional<int> reason);
  // ... or by the certificate's own key (its JWK).
  AcmeResponse RevokeWithCertificateKey(const pki::PrivateKey& certificate_key, const pki::Bytes& certificate_der,
                                        std::optional<int> reason);

  // Signs `payload` ("" for POST-as-GET) with `key` and POSTs it to `url` as
  // application/jose+json.
  AcmeResponse Post(const std::string& url, std::string_view payload, const pki::PrivateKey& key,
                    const PostOptions& options = {});
  // An unsigned GET (the directory, or anything a test wants to see refused).
  AcmeResponse Get(const std::string& url);

 private:
  AcmeResponse Send(const std::string& method, const std::string& url, const std::string& body,
                    const std::string& accept);
  AcmeResponse PostOnce(const std::string& url, std::string_view payload, const pki::PrivateKey& key,
                        const PostOptions& options, const std::string& nonce);
  AcmeResponse Poll(const AcmeAccount& account, const std::string& url, const std::vector<std::string>& until,
                    std::chrono::milliseconds timeout);
  // The kept nonce, else a fresh one; "" when newNonce gave none.
  std::string TakeNonce();
  bool EnsureDirectory();
  web::http::client::http_client& ClientFor(const std::string& url, std::string* path_and_query);

  std::string directory_url_;
  Options options_;
  Directory directory_;
  std::string nonce_;
  // One HTTP client per scheme://authority, so requests to one server reuse connections.
  std::map<std::string, std::unique_ptr<web::http::client::http_client>> clients_;
};

}  // namespace certplane::acme::client
