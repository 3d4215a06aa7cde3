#include "acme/server/acme_server.h"

#include <algorithm>

#include "acme/base64url.h"
#include "acme/eab.h"
#include "api/enums.h"
#include "base/text.h"
#include "kube/base64.h"
#include "kube/logging.h"
#include "pki/certificate.h"
#include "policy/ip.h"

namespace certplane::acme {

namespace {

constexpr std::size_t kMaxContacts = 10;

// The scheme and host the client used, so URLs in answers are ones it can reach (and
// ones its JWS "url" names): https on the HTTPS listener, and behind a TLS-terminating
// proxy that says so in X-Forwarded-Proto.
std::string BaseUrl(const http::HttpRequest& req) {
  std::string proto = req.tls ? "https" : AsciiLower(req.Header("x-forwarded-proto"));
  if (proto != "https") proto = "http";
  std::string host = req.Header("x-forwarded-host");
  if (host.empty()) host = req.Header("host");
  if (host.empty()) host = "localhost";
  return proto + "://" + host;
}

// What a client that came over plain HTTP is told: where the HTTPS directory is.
std::string PlainHttpRefusal(const http::HttpRequest& req, const std::string& profile, int https_port) {
  std::string message = "ACME is served over HTTPS only (RFC 8555 section 6.1)";
  if (https_port > 0) {
    std::string host = req.Header("host");
    if (host.empty()) host = "localhost";
    // Drop the port of the plain listener; keep a bracketed IPv6 literal whole.
    if (auto colon = host.rfind(':'); colon != std::string::npos && host.find(']', colon) == std::string::npos) {
      host.resize(colon);
    }
    message += ": https://" + host + ":" + std::to_string(https_port) + "/acme/" + profile +
               "/directory, trusting the CA in the controller's ConfigMap certplane-serving-ca";
  } else {
    message += ", and this controller runs without an HTTPS listener (--https-bind-address)";
  }
  return message + "; --acme-plain-http serves plain HTTP where TLS ends in front of the controller";
}

bool ClientAllowed(const api::AcmeEnrollment& acme, const std::string& remote) {
  if (acme.allowed_addresses.empty()) return true;
  std::string text = remote;
  if (text.rfind("::ffff:", 0) == 0 && text.find('.') != std::string::npos) text = text.substr(7);
  std::optional<policy::IpAddress> ip = policy::ParseIp(text);
  if (!ip) return false;
  for (const std::string& cidr : acme.allowed_addresses) {
    std::optional<policy::Cidr> range = policy::ParseCidr(cidr);
    if (range && policy::Contains(*range, *ip)) return true;
  }
  return false;
}

Problem WithStatus(Problem p, int status) {
  p.status = status;
  return p;
}

// contact: "mailto:" addresses only (RFC 8555 7.3: a server may support others; we
// have nowhere to send anything, but clients expect mailto to be accepted).
ProblemOr<std::vector<std::string>> ParseContacts(const nlohmann::json& payload) {
  std::vector<std::string> out;
  if (!payload.contains("contact")) return out;
  const nlohmann::json& list = payload["contact"];
  if (!list.is_array()) return MakeProblem(ProblemType::kMalformed, "contact: want an array of mailto: URLs");
  if (list.size() > kMaxContacts) {
    return MakeProblem(ProblemType::kInvalidContact, "contact: at most " + std::to_string(kMaxContacts) + " entries");
  }
  for (const nlohmann::json& c : list) {
    if (!c.is_string()) return MakeProblem(ProblemType::kMalformed, "contact: every entry must be a string");
    std::string v = c.get<std::string>();
    if (v.rfind("mailto:", 0) != 0) {
      return MakeProblem(ProblemType::kUnsupportedContact, "contact \"" + v + "\": only mailto: URLs are supported");
    }
    std::string address = v.substr(7);
    auto at = address.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == address.size() ||
        address.find_first_of("?,; ") != std::string::npos) {
      return MakeProblem(ProblemType::kInvalidContact, "contact \"" + v + "\" is not a single email address");
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

AcmeServer::AcmeServer(std::shared_ptr<kube::Client> client, const api::Catalog& catalog,
                       metrics::MetricsRegistry& metrics, std::shared_ptr<kube::Clock> clock, AcmeServerOptions options)
    : client_(std::move(client)),
      catalog_(catalog),
      clock_(clock ? std::move(clock) : kube::SystemClock()),
      options_(std::move(options)),
      store_(client_, options_.controller_namespace),
      validator_(options_.validator),
      requests_(metrics.Counter("certplane_acme_requests_total", "ACME requests answered, by resource and HTTP status",
                                {"resource", "code"})),
      validations_(metrics.Counter("certplane_acme_validations_total",
                                   "ACME challenge validations finished, by challenge type and result",
                                   {"type", "result"})),
      orders_(metrics.Counter("certplane_acme_orders_total",
                              "ACME orders by what happened to them (created, finalized, "
                              "valid, invalid)",
                              {"event"})),
      runner_({.threads = options_.validation_threads, .max_queued = 1000}) {}

AcmeServer::~AcmeServer() { Stop(); }

void AcmeServer::Start() {
  std::lock_guard lock(collect_mu_);
  if (collector_.joinable()) return;
  stopping_ = false;
  collector_ = std::thread([this] { CollectLoop(); });
}

void AcmeServer::Stop() {
  {
    std::lock_guard lock(collect_mu_);
    stopping_ = true;
  }
  collect_cv_.notify_all();
  if (collector_.joinable()) collector_.join();
  runner_.Stop();
}

void AcmeServer::CollectLoop() {
  auto log = kube::Logger("acme");
  std::unique_lock lock(collect_mu_);
  while (!stopping_) {
    collect_cv_.wait_for(lock, options_.collect_every, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    Result<int> deleted = store_.DeleteStaleOrders(clock_->WallNow());
    if (!deleted.ok()) log->warn("collecting stale ACME orders: {}", deleted.status().ToString());
    else if (*deleted > 0) log->info("collected stale ACME orders count={}", *deleted);
    lock.lock();
  }
}

void AcmeServer::Register(http::Router& router) {
  using Handler =
      std::function<http::HttpResponse(const http::HttpRequest&, const AcmeUrls&, const api::CertificateProfile&)>;
  auto route = [this, &router](const std::string& method, const std::string& path, const std::string& resource,
                               const Handler& handler) {
    router.Handle(method, "/acme/{profile}" + path,
                  [this, resource, handler](const http::HttpRequest& req) { return Serve(resource, req, handler); });
  };
  route("GET", "/directory", "directory",
        [this](const http::HttpRequest&, const AcmeUrls& urls, const api::CertificateProfile& p) {
          return Directory(urls, p);
        });
  route("GET", "/new-nonce", "new-nonce",
        [this](const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile&) {
          return NewNonce(req, urls);
        });
  route("POST", "/new-account", "new-account",
        [this](const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile& p) {
          return NewAccount(req, urls, p);
        });
  route("POST", "/account/{id}", "account",
        [this](const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile&) {
          return AccountResource(req, urls);
        });
  route("POST", "/account/{id}/orders", "account-orders",
        [this](const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile&) {
          return AccountOrders(req, urls);
        });
  route("POST", "/key-change", "key-change",
        [this](const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile&) {
          return KeyChange(req, urls);
        });
  route("POST", "/new-order", "new-order",
        [this](const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile& p) {
          return NewOrder(req, urls, p);
        });
  route("POST", "/order/{order}", "order",
        [this](const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile& p) {
          return OrderResource(req, urls, p);
        });
  route("POST", "/order/{order}/finalize", "finalize",
        [this](const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile& p) {
          return Finalize(req, urls, p);
        });
  route("POST", "/order/{order}/certificate", "certificate",
        [this](const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile& p) {
          return CertificateResource(req, urls, p);
        });
  route("POST", "/authz/{order}/{index}", "authz",
        [this](const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile& p) {
          return AuthorizationResource(req, urls, p);
        });
  route("POST", "/chall/{order}/{index}/{type}", "challenge",
        [this](const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile& p) {
          return ChallengeResource(req, urls, p);
        });
  route("POST", "/revoke-cert", "revoke-cert",
        [this](const http::HttpRequest& req, const AcmeUrls& urls, const api::CertificateProfile&) {
          return RevokeCert(req, urls);
        });
}

std::shared_ptr<const api::CertificateProfile> AcmeServer::AcmeProfile(const std::string& name) const {
  auto profile = catalog_.Profile(name);
  if (!profile || !profile->spec.enrollment.acme) return nullptr;
  return profile;
}

http::HttpResponse AcmeServer::Serve(const std::string& resource, const http::HttpRequest& req,
                                     const std::function<http::HttpResponse(const http::HttpRequest&, const AcmeUrls&,
                                                                            const api::CertificateProfile&)>& handler) {
  AcmeUrls urls{BaseUrl(req), req.params.at("profile")};
  http::HttpResponse res;
  auto profile = AcmeProfile(urls.profile);
  if (!req.tls && !options_.allow_plain_http) {
    res = ReplyProblem(
        WithStatus(MakeProblem(ProblemType::kUnauthorized, PlainHttpRefusal(req, urls.profile, options_.https_port)),
                   403),
        urls);
  } else if (!profile) {
    res = ReplyProblem(WithStatus(MakeProblem(ProblemType::kMalformed,
                                              "no CertificateProfile named \"" + urls.profile + "\" enrolls over ACME"),
                                  404),
                       urls);
  } else if (!ClientAllowed(*profile->spec.enrollment.acme, req.remote_address)) {
    res = ReplyProblem(MakeProblem(ProblemType::kUnauthorized,
                                   "address " + req.remote_address + " is not in the profile's acme.allowedAddresses"),
                       urls);
  } else {
    res = handler(req, urls, *profile);
  }
  requests_.Add({resource, std::to_string(res.status)});
  return res;
}

void AcmeServer::AddCommonHeaders(http::HttpResponse& res, const AcmeUrls& urls) {
  res.headers.emplace_back("Replay-Nonce", nonces_.Issue());
  res.headers.emplace_back("Link", "<" + urls.Directory() + ">;rel=\"index\"");
  res.headers.emplace_back("Cache-Control", "no-store");
}

http::HttpResponse AcmeServer::Reply(int status, const nlohmann::json& body, const AcmeUrls& urls) {
  http::HttpResponse res = http::HttpResponse::Json(status, body.dump());
  AddCommonHeaders(res, urls);
  return res;
}

http::HttpResponse AcmeServer::ReplyProblem(const Problem& problem, const AcmeUrls& urls) {
  http::HttpResponse res =
      http::HttpResponse::Json(problem.http_status(), ProblemToJson(problem).dump(), "application/problem+json");
  AddCommonHeaders(res, urls);
  return res;
}

ProblemOr<AcmeServer::Request> AcmeServer::Authenticate(const http::HttpRequest& req, const AcmeUrls& urls,
                                                        KeyMode mode) {
  std::string content_type = AsciiLower(req.Header("content-type"));
  content_type = content_type.substr(0, content_type.find(';'));
  if (content_type != "application/jose+json") {
    return WithStatus(MakeProblem(ProblemType::kMalformed,
                                  "Content-Type must be application/jose+json, got \"" + content_type + "\""),
                      415);
  }
  ProblemOr<JwsMessage> jws = ParseJws(req.body);
  if (!jws.ok()) return jws.problem();
  Request r{.jws = std::move(jws).value()};
  const std::string url = urls.base + req.path;
  if (r.jws.header.url != url) {
    return MakeProblem(ProblemType::kUnauthorized,
                       "the JWS url \"" + r.jws.header.url + "\" is not the URL this request was sent to, " + url);
  }
  if (r.jws.header.jwk) {
    if (mode == KeyMode::kAccount) {
      return MakeProblem(ProblemType::kMalformed, "this resource wants the account URL in \"kid\", not a \"jwk\"");
    }
    r.key = *r.jws.header.jwk;
  } else {
    if (mode == KeyMode::kJwk) {
      return MakeProblem(ProblemType::kMalformed, "newAccount wants the account key in \"jwk\", not a \"kid\"");
    }
    const std::string& kid = *r.jws.header.kid;
    const std::string prefix = urls.Root() + "/account/";
    if (kid.rfind(prefix, 0) != 0 || kid.size() == prefix.size() || kid.find('/', prefix.size()) != std::string::npos) {
      return MakeProblem(ProblemType::kAccountDoesNotExist,
                         "kid \"" + kid + "\" is not an account URL of " + urls.Directory());
    }
    Result<std::optional<Account>> account = store_.GetAccount(kid.substr(prefix.size()));
    if (!account.ok()) {
      kube::Logger("acme")->error("reading ACME account: {}", account.status().ToString());
      return MakeProblem(ProblemType::kServerInternal, "the account could not be read; retry");
    }
    if (!account->has_value() || (*account)->profile != urls.profile) {
      return MakeProblem(ProblemType::kAccountDoesNotExist, "no account " + kid);
    }
    if ((*account)->status != AccountStatus::kValid) {
      return MakeProblem(ProblemType::kUnauthorized,
                         "account " + kid + " is " + std::string(ToString((*account)->status)));
    }
    ProblemOr<Jwk> key = Jwk::FromJson((*account)->key);
    if (!key.ok()) return MakeProblem(ProblemType::kServerInternal, "the stored account key is unusable");
    r.key = std::move(key).value();
    r.account = std::move(**account);
  }
  if (std::optional<Problem> bad = VerifyJws(r.jws, *r.key)) return *bad;
  // The nonce is spent only by a request whose signature holds, so nobody can burn
  // another client's nonces.
  if (!nonces_.Redeem(r.jws.header.nonce)) {
    return MakeProblem(ProblemType::kBadNonce,
                       "the nonce is unknown, expired or already used; retry with the Replay-Nonce of this response");
  }
  if (!r.jws.post_as_get) {
    ProblemOr<nlohmann::json> payload = ParseJsonObject(r.jws.payload, "payload");
    if (!payload.ok()) return payload.problem();
    r.payload = std::move(payload).value();
  }
  return r;
}

http::HttpResponse AcmeServer::Directory(const AcmeUrls& urls, const api::CertificateProfile& profile) {
  const api::AcmeEnrollment& acme = *profile.spec.enrollment.acme;
  nlohmann::json meta = {{"externalAccountRequired", acme.external_account_binding.has_value()}};
  if (!acme.terms_of_service_url.empty()) meta["termsOfService"] = acme.terms_of_service_url;
  nlohmann::json body = {{"newNonce", urls.NewNonce()},   {"newAccount", urls.NewAccount()},
                         {"newOrder", urls.NewOrder()},   {"revokeCert", urls.RevokeCert()},
                         {"keyChange", urls.KeyChange()}, {"meta", std::move(meta)}};
  http::HttpResponse res = http::HttpResponse::Json(200, body.dump());
  res.headers.emplace_back("Cache-Control", "public, max-age=60");
  return res;
}

http::HttpResponse AcmeServer::NewNonce(const http::HttpRequest& req, const AcmeUrls& urls) {
  // RFC 8555 7.2: 200 for HEAD, 204 for GET.
  http::HttpResponse res = http::HttpResponse::Text(req.method == "HEAD" ? 200 : 204, "");
  AddCommonHeaders(res, urls);
  return res;
}

http::HttpResponse AcmeServer::NewAccount(const http::HttpRequest& req, const AcmeUrls& urls,
                                          const api::CertificateProfile& profile) {
  auto log = kube::Logger("acme");
  ProblemOr<Request> r = Authenticate(req, urls, KeyMode::kJwk);
  if (!r.ok()) return ReplyProblem(r.problem(), urls);
  if (r->jws.post_as_get) return ReplyProblem(MakeProblem(ProblemType::kMalformed, "newAccount needs a payload"), urls);
  const nlohmann::json& payload = r->payload;
  const std::string thumbprint = r->key->Thumbprint();

  Result<std::optional<Account>> existing = store_.FindAccountByKey(urls.profile, thumbprint);
  if (!existing.ok()) {
    log->error("finding an ACME account: {}", existing.status().ToString());
    return ReplyProblem(MakeProblem(ProblemType::kServerInternal, "accounts could not be read; retry"), urls);
  }
  if (existing->has_value()) {
    // RFC 8555 7.3.6: no request authorized by a deactivated account's key is
    // accepted, this one included (as Boulder and Pebble answer it).
    if ((*existing)->status != AccountStatus::kValid) {
      return ReplyProblem(
          MakeProblem(ProblemType::kUnauthorized, "the account of this key, " + urls.Account((*existing)->id) +
                                                      ", is " + std::string(ToString((*existing)->status))),
          urls);
    }
    // RFC 8555 7.3.1: the existing account, 200, its URL in Location.
    http::HttpResponse res = Reply(200, AccountToProtocolJson(**existing, urls), urls);
    res.headers.emplace_back("Location", urls.Account((*existing)->id));
    return res;
  }
  if (payload.value("onlyReturnExisting", false)) {
    return ReplyProblem(MakeProblem(ProblemType::kAccountDoesNotExist, "no account has this key"), urls);
  }
  const api::AcmeEnrollment& acme = *profile.spec.enrollment.acme;
  if (!acme.terms_of_service_url.empty() && !payload.value("termsOfServiceAgreed", false)) {
    return ReplyProblem(MakeProblem(ProblemType::kMalformed, "you must agree to the terms of service at " +
                                                                 acme.terms_of_service_url + " (termsOfServiceAgreed)"),
                        urls);
  }
  ProblemOr<std::vector<std::string>> contacts = ParseContacts(payload);
  if (!contacts.ok()) return ReplyProblem(contacts.problem(), urls);

  std::string external_id;
  if (acme.external_account_binding) {
    const api::ExternalAccountBinding& eab = *acme.external_account_binding;
    if (!payload.contains("externalAccountBinding")) {
      return ReplyProblem(MakeProblem(ProblemType::kExternalAccountRequired,
                                      "this directory requires an external account binding (RFC 8555 7.3.4); ask "
                                      "the administrator for a key ID and HMAC key"),
                          urls);
    }
    auto secret = client_->Get(kube::kSecrets, options_.controller_namespace, eab.secret_ref.name);
    std::optional<std::string> mac_key;
    if (secret.ok()) {
      std::string encoded = secret->value("/data"_json_pointer / eab.secret_ref.key, std::string());
      std::optional<std::string> text = kube::Base64Decode(encoded);
      if (text) {
        while (!text->empty() && std::isspace(static_cast<unsigned char>(text->back()))) text->pop_back();
        mac_key = Base64UrlDecode(*text);
      }
    }
    if (!mac_key || mac_key->empty()) {
      log->error("the EAB key of profile {} is unusable: Secret {}/{} key {} {}", urls.profile,
                 options_.controller_namespace, eab.secret_ref.name, eab.secret_ref.key,
                 secret.ok() ? "does not hold a base64url key" : secret.status().ToString());
      return ReplyProblem(MakeProblem(ProblemType::kServerInternal,
                                      "the external account key is not configured correctly; tell the administrator"),
                          urls);
    }
    if (std::optional<Problem> bad = VerifyExternalAccountBinding(payload["externalAccountBinding"], *r->key,
                                                                  urls.NewAccount(), eab.key_id, *mac_key)) {
      log->info("refused an ACME account profile={} reason=\"{}\"", urls.profile, bad->detail);
      return ReplyProblem(*bad, urls);
    }
    external_id = eab.key_id;
  }

  Account account{.id = NewObjectId(),
                  .profile = urls.profile,
                  .status = AccountStatus::kValid,
                  .key = r->key->ToJson(),
                  .contact = std::move(contacts).value(),
                  .terms_of_service_agreed = payload.value("termsOfServiceAgreed", false),
                  .external_account_id = external_id,
                  .created_at = clock_->WallNow()};
  Result<Account> created = store_.CreateAccount(account, thumbprint);
  if (!created.ok()) {
    log->error("{}", created.status().ToString());
    return ReplyProblem(MakeProblem(ProblemType::kServerInternal, "the account could not be stored; retry"), urls);
  }
  log->info("ACME account created profile={} account={} eab={}", urls.profile, created->id,
            external_id.empty() ? "-" : external_id);
  http::HttpResponse res = Reply(201, AccountToProtocolJson(*created, urls), urls);
  res.headers.emplace_back("Location", urls.Account(created->id));
  return res;
}

http::HttpResponse AcmeServer::AccountResource(const http::HttpRequest& req, const AcmeUrls& urls) {
  ProblemOr<Request> r = Authenticate(req, urls, KeyMode::kAccount);
  if (!r.ok()) return ReplyProblem(r.problem(), urls);
  Account account = *r->account;
  if (account.id != req.params.at("id")) {
    return ReplyProblem(MakeProblem(ProblemType::kUnauthorized, "the kid does not name this account"), urls);
  }
  bool changed = false;
  if (!r->jws.post_as_get) {
    const nlohmann::json& payload = r->payload;
    if (payload.contains("status")) {
      if (payload["status"] != "deactivated") {
        return ReplyProblem(
            MakeProblem(ProblemType::kMalformed, "status: an account can only be set to \"deactivated\""), urls);
      }
      account.status = AccountStatus::kDeactivated;
      changed = true;
    }
    if (payload.contains("contact")) {
      ProblemOr<std::vector<std::string>> contacts = ParseContacts(payload);
      if (!contacts.ok()) return ReplyProblem(contacts.problem(), urls);
      account.contact = std::move(contacts).value();
      changed = true;
    }
    if (payload.contains("termsOfServiceAgreed") && payload["termsOfServiceAgreed"].is_boolean()) {
      account.terms_of_service_agreed = account.terms_of_service_agreed || payload["termsOfServiceAgreed"].get<bool>();
      changed = true;
    }
  }
  if (changed) {
    Result<Account> updated = store_.UpdateAccount(account, r->key->Thumbprint());
    if (!updated.ok()) {
      kube::Logger("acme")->warn("{}", updated.status().ToString());
      return ReplyProblem(MakeProblem(ProblemType::kServerInternal,
                                      "the account changed meanwhile or could not be "
                                      "written; retry"),
                          urls);
    }
    account = std::move(updated).value();
    if (account.status == AccountStatus::kDeactivated) {
      kube::Logger("acme")->info("ACME account deactivated profile={} account={}", urls.profile, account.id);
    }
  }
  return Reply(200, AccountToProtocolJson(account, urls), urls);
}

http::HttpResponse AcmeServer::AccountOrders(const http::HttpRequest& req, const AcmeUrls& urls) {
  ProblemOr<Request> r = Authenticate(req, urls, KeyMode::kAccount);
  if (!r.ok()) return ReplyProblem(r.problem(), urls);
  if (r->account->id != req.params.at("id")) {
    return ReplyProblem(MakeProblem(ProblemType::kUnauthorized, "the kid does not name this account"), urls);
  }
  Result<std::vector<Order>> orders = store_.OrdersOfAccount(urls.profile, r->account->id);
  if (!orders.ok()) {
    return ReplyProblem(MakeProblem(ProblemType::kServerInternal, "the orders could not be listed; retry"), urls);
  }
  nlohmann::json list = nlohmann::json::array();
  for (const Order& o : *orders) {
    if (o.status != OrderStatus::kInvalid) list.push_back(urls.Order(o.id));
  }
  return Reply(200, {{"orders", std::move(list)}}, urls);
}

http::HttpResponse AcmeServer::KeyChange(const http::HttpRequest& req, const AcmeUrls& urls) {
  ProblemOr<Request> r = Authenticate(req, urls, KeyMode::kAccount);
  if (!r.ok()) return ReplyProblem(r.problem(), urls);
  if (r->jws.post_as_get) return ReplyProblem(MakeProblem(ProblemType::kMalformed, "keyChange needs a payload"), urls);
  // RFC 8555 7.3.5: the payload is a JWS signed by the new key, without a nonce, for
  // the same URL, saying which account and which old key.
  ProblemOr<JwsMessage> inner = ParseJws(r->jws.payload, {.require_nonce = false});
  if (!inner.ok()) {
    Problem p = inner.problem();
    p.detail = "inner JWS: " + p.detail;
    return ReplyProblem(p, urls);
  }
  if (!inner->header.jwk || !inner->header.nonce.empty()) {
    return ReplyProblem(
        MakeProblem(ProblemType::kMalformed, "inner JWS: wants the new key in \"jwk\" and no \"nonce\""), urls);
  }
  if (inner->header.url != r->jws.header.url) {
    return ReplyProblem(MakeProblem(ProblemType::kMalformed, "inner JWS: url differs from the outer JWS's"), urls);
  }
  if (std::optional<Problem> bad = VerifyJws(*inner, *inner->header.jwk)) {
    Problem p = *bad;
    p.detail = "inner JWS: " + p.detail;
    return ReplyProblem(p, urls);
  }
  ProblemOr<nlohmann::json> payload = ParseJsonObject(inner->payload, "inner JWS payload");
  if (!payload.ok()) return ReplyProblem(payload.problem(), urls);
  if (payload->value("account", std::string()) != urls.Account(r->account->id)) {
    return ReplyProblem(
        MakeProblem(ProblemType::kMalformed, "inner JWS payload: account is not the signer's account URL"), urls);
  }
  ProblemOr<Jwk> old_key = payload->contains("oldKey")
                               ? Jwk::FromJson((*payload)["oldKey"])
                               : ProblemOr<Jwk>(MakeProblem(ProblemType::kMalformed, "oldKey is missing"));
  if (!old_key.ok() || !(*old_key == *r->key)) {
    return ReplyProblem(
        MakeProblem(ProblemType::kMalformed, "inner JWS payload: oldKey is not the account's current key"), urls);
  }
  const Jwk& new_key = *inner->header.jwk;
  const std::string new_thumbprint = new_key.Thumbprint();
  Result<std::optional<Account>> holder = store_.FindAccountByKey(urls.profile, new_thumbprint);
  if (!holder.ok())
    return ReplyProblem(MakeProblem(ProblemType::kServerInternal, "accounts could not be read; retry"), urls);
  if (holder->has_value()) {
    http::HttpResponse res = ReplyProblem(
        WithStatus(MakeProblem(ProblemType::kMalformed, "the new key already belongs to an account"), 409), urls);
    res.headers.emplace_back("Location", urls.Account((*holder)->id));
    return res;
  }
  Account account = *r->account;
  account.key = new_key.ToJson();
  Result<Account> updated = store_.UpdateAccount(account, new_thumbprint);
  if (!updated.ok()) {
    return ReplyProblem(MakeProblem(ProblemType::kServerInternal, "the account changed meanwhile; retry"), urls);
  }
  kube::Logger("acme")->info("ACME account key changed profile={} account={}", urls.profile, account.id);
  return Reply(200, AccountToProtocolJson(*updated, urls), urls);
}

}  // namespace certplane::acme
