// AcmeServer: an ACME (RFC 8555) directory for every CertificateProfile whose
// enrollment is `acme`, on the controller's public HTTP port:
//
//   GET  /acme/<profile>/directory
//   HEAD|GET /acme/<profile>/new-nonce
//   POST /acme/<profile>/new-account          (External Account Binding when required)
//   POST /acme/<profile>/account/<id>         (read, update contact, deactivate)
//   POST /acme/<profile>/account/<id>/orders
//   POST /acme/<profile>/key-change
//   POST /acme/<profile>/new-order
//   POST /acme/<profile>/order/<id>           /finalize  /certificate
//   POST /acme/<profile>/authz/<order>/<n>    (read, deactivate)
//   POST /acme/<profile>/chall/<order>/<n>/<type>
//   POST /acme/<profile>/revoke-cert          (by the account that ordered it, or by the
//                                              certificate's own key)
//
// Every replica serves it, leader or not: accounts and orders live in ConfigMaps
// (acme_store.h) read fresh on every request; nonces are per replica (nonce.h), so a
// request that reaches another replica than the one that issued its nonce gets
// badNonce with a fresh one, which clients retry.
//
// Finalize does not sign. It checks the CSR against the order and the profile's
// template (the same CheckTemplate as API enrollment), then creates a Certificate in
// the controller's namespace that carries the CSR (spec.csr, spec.acme); the leader's
// Certificate reconciler signs it and writes status.certificate, which the order
// reports as valid and the certificate URL serves. So every ACME certificate is in
// the inventory, counted on its profile, revocable with kubectl, and on the CRL when
// revoked either way; the client's key never leaves the client.
//
// Challenges are validated on a small thread pool (validation_runner.h) by
// ChallengeValidator, which resolves names itself and refuses addresses the profile's
// acme.validation.allowedCIDRs does not allow.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "acme/jwk.h"
#include "acme/jws.h"
#include "acme/nonce.h"
#include "acme/objects.h"
#include "acme/problem.h"
#include "acme/server/acme_store.h"
#include "acme/server/validation_runner.h"
#include "acme/validation/challenge_validator.h"
#include "api/catalog.h"
#include "api/certificate_profile.h"
#include "http/router.h"
#include "kube/clock.h"
#include "kube/rest_client.h"
#include "metrics/metrics.h"

namespace certplane::acme {

struct AcmeServerOptions {
  std::string controller_namespace;
  ValidatorOptions validator;
  int validation_threads = 4;
  // How long an order (and its authorizations) may stay unfinished.
  std::chrono::hours order_lifetime{24};
  // A challenge "processing" longer than this was abandoned (its replica stopped):
  // the next request that reads it starts the validation again.
  std::chrono::seconds stale_validation{30};
  std::chrono::minutes collect_every{10};
  // RFC 8555 section 6.1: ACME is served over HTTPS. A request that did not arrive over
  // TLS gets a 403 problem naming the HTTPS directory (on https_port), unless plain
  // HTTP is allowed (TLS ends in front of the controller).
  bool allow_plain_http = false;
  int https_port = 0;  // 0: HTTPS is off; the problem says so
};

class AcmeServer {
 public:
  AcmeServer(std::shared_ptr<kube::Client> client, const api::Catalog& catalog, metrics::MetricsRegistry& metrics,
             std::shared_ptr<kube::Clock> clock, AcmeServerOptions options);
  ~AcmeServer();

  void Register(http::Router& router);
  // Starts the stale-order collector; validations run from construction.
  void Start();
  void Stop();

 private:
  // One authenticated POST: its JWS, the key that signed it, the account of a kid
  // request and the payload object (null for POST-as-GET).
  struct Request {
    JwsMessage jws;
    std::optional<Jwk> key;
    std::optional<Account> account;
    nlohmann::json payload;
  };
  enum class KeyMode { kAccount, kJwk, kEither };

  // Plumbing (acme_server.cpp).
  http::HttpResponse Serve(const std::string& resource, const http::HttpRequest& req,
                           const std::function<http::HttpResponse(const http::HttpRequest&, const AcmeUrls&,
                                                                  const api::CertificateProfile&)>& handler);
  ProblemOr<Request> Authenticate(const http::HttpRequest& req, const AcmeUrls& urls, KeyMode mode);
  http::HttpResponse Reply(int status, const nlohmann::json& body, const AcmeUrls& urls);
  http::HttpResponse ReplyProblem(const Problem& problem, const AcmeUrls& urls);
  void AddCommonHeaders(http::HttpResponse& res, const AcmeUrls& urls);
  std::shared_ptr<const api::CertificateProfile> AcmeProfile(const std::string& name) const;

  // Resources.
  http::HttpResponse Directory(const AcmeUrls& urls, const api::CertificateProfile& profile);
  http::HttpResponse NewNonce(const http::HttpRequest& req, const AcmeUrls& urls);
  http::HttpResponse NewAccount(const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile& p);
  http::HttpResponse AccountResource(const http::HttpRequest& req, const AcmeUrls& urls);
  http::HttpResponse AccountOrders(const http::HttpRequest& req, const AcmeUrls& urls);
  http::HttpResponse KeyChange(const http::HttpRequest& req, const AcmeUrls& urls);
  http::HttpResponse NewOrder(const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile& p);
  http::HttpResponse OrderResource(const http::HttpRequest& req, const AcmeUrls& urls,
                                   const api::CertificateProfile& p);
  http::HttpResponse AuthorizationResource(const http::HttpRequest& req, const AcmeUrls& urls,
                                           const api::CertificateProfile& p);
  http::HttpResponse ChallengeResource(const http::HttpRequest& req, const AcmeUrls& urls,
                                       const api::CertificateProfile& p);
  http::HttpResponse Finalize(const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile& p);
  http::HttpResponse CertificateResource(const http::HttpRequest& req, const AcmeUrls& urls,
                                         const api::CertificateProfile& p);
  http::HttpResponse RevokeCert(const http::HttpRequest& req, const AcmeUrls& urls);

  // Orders (acme_orders.cpp).
  ProblemOr<Order> LoadOrder(const std::string& id, const Request& request, const AcmeUrls& urls);
  // Brings an order up to date: expiry, abandoned validations, and a processing
  // order's Certificate signed or refused. Writes only when something changed.
  Order Refresh(Order order, const std::string& key_thumbprint, const api::CertificateProfile& profile);
  bool StartValidation(const Order& order, std::size_t authz, std::size_t challenge, const std::string& thumbprint,
                       const api::CertificateProfile& profile);
  void RunValidation(const std::string& order_id, std::size_t authz, std::size_t challenge,
                     const std::string& key_authorization, const std::vector<std::string>& allowed_cidrs);
  void CollectLoop();

  std::shared_ptr<kube::Client> client_;
  const api::Catalog& catalog_;
  std::shared_ptr<kube::Clock> clock_;
  AcmeServerOptions options_;
  AcmeStore store_;
  NonceSource nonces_;
  ChallengeValidator validator_;
  metrics::MetricFamily& requests_;
  metrics::MetricFamily& validations_;
  metrics::MetricFamily& orders_;
  ValidationRunner runner_;
  std::mutex collect_mu_;
  std::condition_variable collect_cv_;
  bool stopping_ = false;  // guarded by collect_mu_
  std::thread collector_;
};

}  // namespace certplane::acme
