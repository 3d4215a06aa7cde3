// AcmeServer: orders, authorizations, challenges, finalize, certificate download and
// revocation (the account resources are in acme_server.cpp).
#include <algorithm>
#include <set>

#include "acme/base64url.h"
#include "acme/identifiers.h"
#include "acme/server/acme_server.h"
#include "acme/token.h"
#include "api/condition.h"
#include "api/pki_mapping.h"
#include "api/resources.h"
#include "api/well_known.h"
#include "base/text.h"
#include "kube/logging.h"
#include "pki/certificate.h"
#include "pki/csr.h"
#include "policy/template_check.h"

namespace certplane::acme {

namespace {

// Condition reasons on a CSR Certificate that no retry can change: the order fails.
bool IsTerminalRefusal(const std::string& reason) {
  static const std::set<std::string> kTerminal = {"PolicyViolation", "CsrMismatch", "InvalidCsr", "AcmeProfile",
                                                  "NotAnAcmeProfile"};
  return kTerminal.count(reason) > 0;
}

std::optional<std::size_t> ParseIndex(const std::string& text, std::size_t size) {
  if (text.empty() || text.size() > 4 || !std::all_of(text.begin(), text.end(), ::isdigit)) return std::nullopt;
  std::size_t i = std::stoul(text);
  if (i >= size) return std::nullopt;
  return i;
}

Problem NotFound(std::string detail) {
  Problem p = MakeProblem(ProblemType::kMalformed, std::move(detail));
  p.status = 404;
  return p;
}

Problem Internal(std::string detail) { return MakeProblem(ProblemType::kServerInternal, std::move(detail)); }

}  // namespace

ProblemOr<Order> AcmeServer::LoadOrder(const std::string& id, const Request& request, const AcmeUrls& urls) {
  Result<std::optional<Order>> order = store_.GetOrder(id);
  if (!order.ok()) {
    kube::Logger("acme")->error("reading ACME order {}: {}", id, order.status().ToString());
    return Internal("the order could not be read; retry");
  }
  if (!order->has_value() || (*order)->profile != urls.profile) return NotFound("no order " + urls.Order(id));
  if ((*order)->account_id != request.account->id) {
    return MakeProblem(ProblemType::kUnauthorized, "order " + urls.Order(id) + " belongs to another account");
  }
  return std::move(**order);
}

Order AcmeServer::Refresh(Order order, const std::string& thumbprint, const api::CertificateProfile& profile) {
  auto log = kube::Logger("acme");
  const WallTime now = clock_->WallNow();
  bool changed = RecomputeStatus(order, now);

  // Validations whose replica went away: claim them again (the write below decides
  // which replica wins), then run them here.
  std::vector<std::pair<std::size_t, std::size_t>> restart;
  if (!thumbprint.empty()) {
    for (std::size_t a = 0; a < order.authorizations.size(); ++a) {
      for (std::size_t c = 0; c < order.authorizations[a].challenges.size(); ++c) {
        Challenge& ch = order.authorizations[a].challenges[c];
        if (ch.status == ChallengeStatus::kProcessing &&
            (!ch.processing_since || now - *ch.processing_since > options_.stale_validation)) {
          ch.processing_since = now;
          restart.emplace_back(a, c);
          changed = true;
        }
      }
    }
  }

  if (order.status == OrderStatus::kProcessing && !order.certificate_name.empty()) {
    auto cert = client_->Get(api::kCertificatesResource, options_.controller_namespace, order.certificate_name);
    if (cert.ok()) {
      std::string pem = cert->value("/status/certificate"_json_pointer, std::string());
      std::string serial = cert->value("/status/serialNumber"_json_pointer, std::string());
      std::string reason, message;
      bool ready_false = false;
      for (const nlohmann::json& c : cert->value("/status/conditions"_json_pointer, nlohmann::json::array())) {
        if (c.value("type", "") == "Ready") {
          ready_false = c.value("status", "") == "False";
          reason = c.value("reason", "");
          message = c.value("message", "");
        }
      }
      if (!pem.empty() && !serial.empty()) {
        order.status = OrderStatus::kValid;
        order.serial_number = serial;
        changed = true;
        orders_.Add({"valid"});
        log->info("ACME order valid profile={} order={} certificate={}/{} serial={}", order.profile, order.id,
                  options_.controller_namespace, order.certificate_name, serial);
      } else if (ready_false && IsTerminalRefusal(reason)) {
        order.status = OrderStatus::kInvalid;
        order.error = MakeProblem(ProblemType::kBadCsr, reason + ": " + message);
        changed = true;
        orders_.Add({"invalid"});
      }
    } else if (cert.status().code() == StatusCode::kNotFound) {
      order.status = OrderStatus::kInvalid;
      order.error = Internal("the Certificate " + order.certificate_name + " was deleted before it was signed");
      changed = true;
      orders_.Add({"invalid"});
    }
  }

  if (!changed) return order;
  Result<Order> written = store_.UpdateOrder(order);
  if (!written.ok()) {
    // Another replica or request changed it first: its version is at least as new.
    Result<std::optional<Order>> again = store_.GetOrder(order.id);
    if (again.ok() && again->has_value()) return std::move(**again);
    return order;
  }
  for (const auto& [a, c] : restart) {
    const Challenge& ch = written->authorizations[a].challenges[c];
    if (!runner_.Submit(
            [this, id = written->id, a = a, c = c, ka = ch.token + "." + thumbprint,
             cidrs = profile.spec.enrollment.acme->validation.allowed_cidrs] { RunValidation(id, a, c, ka, cidrs); })) {
      log->warn("the validation queue is full; order={} stays processing", written->id);
    }
  }
  return std::move(written).value();
}

http::HttpResponse AcmeServer::NewOrder(const http::HttpRequest& req, const AcmeUrls& urls,
                                        const api::CertificateProfile& profile) {
  ProblemOr<Request> r = Authenticate(req, urls, KeyMode::kAccount);
  if (!r.ok()) return ReplyProblem(r.problem(), urls);
  if (r->jws.post_as_get) return ReplyProblem(MakeProblem(ProblemType::kMalformed, "newOrder needs a payload"), urls);
  const nlohmann::json& payload = r->payload;
  if (payload.contains("notBefore") || payload.contains("notAfter")) {
    return ReplyProblem(MakeProblem(ProblemType::kMalformed,
                                    "notBefore and notAfter are not supported: the profile's "
                                    "template decides the validity"),
                        urls);
  }
  ProblemOr<std::vector<Identifier>> ids = NormalizeIdentifiers(payload.value("identifiers", nlohmann::json()));
  if (!ids.ok()) return ReplyProblem(ids.problem(), urls);

  auto tmpl = catalog_.Template(profile.spec.template_ref.name);
  if (!tmpl)
    return ReplyProblem(Internal("the profile's template " + profile.spec.template_ref.name + " is missing"), urls);

  // The names go through the same template rules as API enrollment; the rest of the
  // request (key, subject) is judged at finalize, when the CSR is known.
  api::CertificateSpec spec;
  spec.profile_ref.name = urls.profile;
  for (const Identifier& id : *ids) (id.type == "dns" ? spec.dns_names : spec.ip_addresses).push_back(id.value);
  std::vector<Problem> refused;
  for (const policy::PolicyViolation& v : policy::CheckTemplate(spec, *tmpl)) {
    bool dns = v.field.rfind("spec.dnsNames[", 0) == 0, ip = v.field.rfind("spec.ipAddresses[", 0) == 0;
    if (!dns && !ip) continue;
    std::size_t index = std::stoul(v.field.substr(v.field.find('[') + 1));
    Problem p = MakeProblem(ProblemType::kRejectedIdentifier, v.message);
    p.identifier = Identifier{dns ? "dns" : "ip", dns ? spec.dns_names.at(index) : spec.ip_addresses.at(index)};
    refused.push_back(std::move(p));
  }
  const api::AcmeEnrollment& acme = *profile.spec.enrollment.acme;
  for (const Identifier& id : *ids) {
    if (ChallengesFor(id, acme.challenges).empty()) {
      Problem p =
          MakeProblem(ProblemType::kRejectedIdentifier, "none of the profile's challenge types can prove " + id.value +
                                                            (IsWildcard(id) ? " (a wildcard needs dns-01)" : ""));
      p.identifier = id;
      refused.push_back(std::move(p));
    }
  }
  if (!refused.empty()) {
    kube::Logger("acme")->info("refused an ACME order profile={} account={} reason=\"{}\"", urls.profile,
                               r->account->id, refused.front().detail);
    if (refused.size() == 1) return ReplyProblem(refused.front(), urls);
    Problem p =
        MakeProblem(ProblemType::kRejectedIdentifier,
                    std::to_string(refused.size()) + " identifiers were refused: " + refused.front().detail + " ...");
    p.subproblems = std::move(refused);
    return ReplyProblem(p, urls);
  }

  const WallTime now = clock_->WallNow();
  Order order{.id = NewObjectId(),
              .account_id = r->account->id,
              .profile = urls.profile,
              .status = OrderStatus::kPending,
              .identifiers = *ids,
              .expires = now + options_.order_lifetime,
              .created_at = now};
  for (const Identifier& id : *ids) {
    Authorization az{.identifier = id, .wildcard = IsWildcard(id), .expires = order.expires};
    if (az.wildcard) az.identifier.value = id.value.substr(2);
    for (api::AcmeChallenge type : ChallengesFor(id, acme.challenges)) {
      az.challenges.push_back(Challenge{.type = type, .token = NewToken()});
    }
    order.authorizations.push_back(std::move(az));
  }
  Result<Order> created = store_.CreateOrder(order);
  if (!created.ok()) {
    kube::Logger("acme")->error("{}", created.status().ToString());
    return ReplyProblem(Internal("the order could not be stored; retry"), urls);
  }
  orders_.Add({"created"});
  http::HttpResponse res = Reply(201, OrderToProtocolJson(*created, urls), urls);
  res.headers.emplace_back("Location", urls.Order(created->id));
  return res;
}

http::HttpResponse AcmeServer::OrderResource(const http::HttpRequest& req, const AcmeUrls& urls,
                                             const api::CertificateProfile& profile) {
  ProblemOr<Request> r = Authenticate(req, urls, KeyMode::kAccount);
  if (!r.ok()) return ReplyProblem(r.problem(), urls);
  ProblemOr<Order> order = LoadOrder(req.params.at("order"), *r, urls);
  if (!order.ok()) return ReplyProblem(order.problem(), urls);
  Order o = Refresh(std::move(order).value(), r->key->Thumbprint(), profile);
  http::HttpResponse res = Reply(200, OrderToProtocolJson(o, urls), urls);
  if (o.status == OrderStatus::kProcessing) res.headers.emplace_back("Retry-After", "1");
  return res;
}

http::HttpResponse AcmeServer::AuthorizationResource(const http::HttpRequest& req, const AcmeUrls& urls,
                                                     const api::CertificateProfile& profile) {
  ProblemOr<Request> r = Authenticate(req, urls, KeyMode::kAccount);
  if (!r.ok()) return ReplyProblem(r.problem(), urls);
  ProblemOr<Order> loaded = LoadOrder(req.params.at("order"), *r, urls);
  if (!loaded.ok()) return ReplyProblem(loaded.problem(), urls);
  std::optional<std::size_t> index = ParseIndex(req.params.at("index"), loaded->authorizations.size());
  if (!index) return ReplyProblem(NotFound("no such authorization"), urls);
  Order o = Refresh(std::move(loaded).value(), r->key->Thumbprint(), profile);
  if (!r->jws.post_as_get && r->payload.contains("status")) {
    // RFC 8555 7.5.2: a client may give up an authorization it no longer wants.
    if (r->payload["status"] != "deactivated") {
      return ReplyProblem(MakeProblem(ProblemType::kMalformed, "status: only \"deactivated\" may be set"), urls);
    }
    Authorization& az = o.authorizations[*index];
    if (az.status != AuthorizationStatus::kPending && az.status != AuthorizationStatus::kValid) {
      return ReplyProblem(
          MakeProblem(ProblemType::kMalformed, "the authorization is " + std::string(ToString(az.status)) +
                                                   "; only pending or valid ones can be deactivated"),
          urls);
    }
    az.status = AuthorizationStatus::kDeactivated;
    if (o.status == OrderStatus::kPending || o.status == OrderStatus::kReady) {
      RecomputeStatus(o, clock_->WallNow());
    }
    Result<Order> written = store_.UpdateOrder(o);
    if (!written.ok()) return ReplyProblem(Internal("the order changed meanwhile; retry"), urls);
    o = std::move(written).value();
  }
  return Reply(200, AuthorizationToProtocolJson(o, *index, urls), urls);
}

http::HttpResponse AcmeServer::ChallengeResource(const http::HttpRequest& req, const AcmeUrls& urls,
                                                 const api::CertificateProfile& profile) {
  ProblemOr<Request> r = Authenticate(req, urls, KeyMode::kAccount);
  if (!r.ok()) return ReplyProblem(r.problem(), urls);
  ProblemOr<Order> loaded = LoadOrder(req.params.at("order"), *r, urls);
  if (!loaded.ok()) return ReplyProblem(loaded.problem(), urls);
  std::optional<std::size_t> index = ParseIndex(req.params.at("index"), loaded->authorizations.size());
  std::optional<api::AcmeChallenge> type = api::FromString<api::AcmeChallenge>(req.params.at("type"));
  if (!index || !type) return ReplyProblem(NotFound("no such challenge"), urls);
  const std::string thumbprint = r->key->Thumbprint();
  Order o = Refresh(std::move(loaded).value(), thumbprint, profile);
  const Authorization& az = o.authorizations[*index];
  auto it =
      std::find_if(az.challenges.begin(), az.challenges.end(), [&](const Challenge& c) { return c.type == *type; });
  if (it == az.challenges.end()) return ReplyProblem(NotFound("no such challenge"), urls);
  std::size_t c = static_cast<std::size_t>(it - az.challenges.begin());

  // POST-as-GET reads the challenge; a POST of {} asks for validation (RFC 8555 7.5.1).
  if (!r->jws.post_as_get && az.status == AuthorizationStatus::kPending && it->status == ChallengeStatus::kPending &&
      (o.status == OrderStatus::kPending)) {
    Order claimed = o;
    Challenge& ch = claimed.authorizations[*index].challenges[c];
    ch.status = ChallengeStatus::kProcessing;
    ch.processing_since = clock_->WallNow();
    Result<Order> written = store_.UpdateOrder(claimed);
    if (written.ok()) {
      o = std::move(written).value();
      const std::string& token = o.authorizations[*index].challenges[c].token;
      if (!runner_.Submit([this, id = o.id, a = *index, c, ka = token + "." + thumbprint,
                           cidrs = profile.spec.enrollment.acme->validation.allowed_cidrs] {
            RunValidation(id, a, c, ka, cidrs);
          })) {
        kube::Logger("acme")->warn("the validation queue is full; order={} will be validated when next read", o.id);
      }
    } else {
      Result<std::optional<Order>> again = store_.GetOrder(o.id);
      if (again.ok() && again->has_value()) o = std::move(**again);
    }
  }
  http::HttpResponse res =
      Reply(200, ChallengeToProtocolJson(o, *index, o.authorizations[*index].challenges[c], urls), urls);
  res.headers.emplace_back("Link", "<" + urls.Authorization(o.id, *index) + ">;rel=\"up\"");
  return res;
}

void AcmeServer::RunValidation(const std::string& order_id, std::size_t a, std::size_t c,
                               const std::string& key_authorization, const std::vector<std::string>& allowed_cidrs) {
  auto log = kube::Logger("acme");
  Result<std::optional<Order>> order = store_.GetOrder(order_id);
  if (!order.ok() || !order->has_value()) return;
  const Order& before = **order;
  if (a >= before.authorizations.size() || c >= before.authorizations[a].challenges.size()) return;
  const Authorization& az = before.authorizations[a];
  const Challenge& ch = az.challenges[c];
  if (ch.status != ChallengeStatus::kProcessing) return;

  std::optional<Problem> problem;
  Result<AddressPolicy> policy = AddressPolicy::Parse(allowed_cidrs);
  if (!policy.ok()) {
    problem = Internal("the profile's acme.validation.allowedCIDRs is unusable: " + policy.status().message());
  } else {
    problem = validator_.Validate(ch.type, az.identifier, ch.token, key_authorization, *policy);
  }
  const std::string type(api::ToString(ch.type));
  validations_.Add({type, problem ? std::string(ProblemTypeName(problem->type)) : "valid"});
  log->info("ACME challenge {} profile={} order={} identifier={} type={}{}", problem ? "failed" : "passed",
            before.profile, order_id, az.identifier.value, type, problem ? " problem=\"" + problem->detail + "\"" : "");

  // The first attempt writes over the order read above; a conflict rereads it.
  Result<std::optional<Order>> current = std::move(order);
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (attempt > 0) current = store_.GetOrder(order_id);
    if (!current.ok() || !current->has_value()) return;
    Order o = std::move(**current);
    Challenge& target = o.authorizations[a].challenges[c];
    if (target.status != ChallengeStatus::kProcessing) return;
    const WallTime now = clock_->WallNow();
    target.status = problem ? ChallengeStatus::kInvalid : ChallengeStatus::kValid;
    target.processing_since.reset();
    if (problem) target.error = problem;
    else target.validated = now;
    RecomputeStatus(o, now);
    Result<Order> written = store_.UpdateOrder(o);
    if (written.ok()) return;
    if (written.status().code() != StatusCode::kConflict) {
      log->error("recording a challenge result: {}", written.status().ToString());
      return;
    }
  }
}

http::HttpResponse AcmeServer::Finalize(const http::HttpRequest& req, const AcmeUrls& urls,
                                        const api::CertificateProfile& profile) {
  auto log = kube::Logger("acme");
  ProblemOr<Request> r = Authenticate(req, urls, KeyMode::kAccount);
  if (!r.ok()) return ReplyProblem(r.problem(), urls);
  ProblemOr<Order> loaded = LoadOrder(req.params.at("order"), *r, urls);
  if (!loaded.ok()) return ReplyProblem(loaded.problem(), urls);
  Order o = Refresh(std::move(loaded).value(), r->key->Thumbprint(), profile);
  if (o.status != OrderStatus::kReady) {
    return ReplyProblem(
        MakeProblem(ProblemType::kOrderNotReady,
                    "the order is " + std::string(ToString(o.status)) + ", not ready" +
                        (o.status == OrderStatus::kPending ? ": complete its authorizations first" : "")),
        urls);
  }
  if (r->jws.post_as_get || !r->payload.contains("csr") || !r->payload["csr"].is_string()) {
    return ReplyProblem(MakeProblem(ProblemType::kMalformed, "finalize wants {\"csr\": base64url DER}"), urls);
  }
  std::optional<std::string> der = Base64UrlDecode(r->payload["csr"].get<std::string>());
  if (!der) return ReplyProblem(MakeProblem(ProblemType::kBadCsr, "csr is not base64url"), urls);
  Result<pki::CertificateRequest> csr =
      pki::ParseCsrDer(pki::ByteView(reinterpret_cast<const std::uint8_t*>(der->data()), der->size()));
  if (!csr.ok()) return ReplyProblem(MakeProblem(ProblemType::kBadCsr, "csr: " + csr.status().message()), urls);

  // RFC 8555 7.4: the CSR names exactly the order's identifiers.
  std::set<std::string> want_dns, want_ip, got_dns, got_ip;
  for (const Identifier& id : o.identifiers) (id.type == "dns" ? want_dns : want_ip).insert(id.value);
  const pki::SubjectAltNames& sans = csr->subject_alt_names();
  for (const std::string& d : sans.dns_names) got_dns.insert(AsciiLower(d));
  for (const std::string& i : sans.ip_addresses) got_ip.insert(policy::CanonicalIp(i));
  const std::string cn = csr->subject().common_name;
  if (!cn.empty() && !want_dns.count(AsciiLower(cn)) && !want_ip.count(policy::CanonicalIp(cn))) {
    return ReplyProblem(
        MakeProblem(ProblemType::kBadCsr, "the CSR's common name \"" + cn + "\" is not one of the order's identifiers"),
        urls);
  }
  if (!cn.empty() && got_dns.empty() && got_ip.empty()) got_dns.insert(AsciiLower(cn));
  if (got_dns != want_dns || got_ip != want_ip || !sans.uris.empty() || !sans.email_addresses.empty()) {
    auto join = [](const std::set<std::string>& a, const std::set<std::string>& b) {
      std::string out;
      for (const auto* s : {&a, &b}) {
        for (const std::string& v : *s) out += (out.empty() ? "" : ", ") + v;
      }
      return out;
    };
    return ReplyProblem(
        MakeProblem(
            ProblemType::kBadCsr,
            "the CSR names [" + join(got_dns, got_ip) + "] but the order is for [" + join(want_dns, want_ip) + "]" +
                (sans.uris.empty() && sans.email_addresses.empty() ? ""
                                                                   : "; URIs and email addresses cannot be ordered")),
        urls);
  }
  if (Jwk::FromPublicKey(csr->public_key()) == *r->key) {
    return ReplyProblem(MakeProblem(ProblemType::kBadCsr, "the CSR's key is the account key; use a key of its own"),
                        urls);
  }

  // The same template check as API enrollment, with the CSR's key.
  auto tmpl = catalog_.Template(profile.spec.template_ref.name);
  if (!tmpl)
    return ReplyProblem(Internal("the profile's template " + profile.spec.template_ref.name + " is missing"), urls);
  api::CertificateSpec spec;
  spec.profile_ref.name = urls.profile;
  spec.common_name = cn;
  spec.dns_names.assign(want_dns.begin(), want_dns.end());
  spec.ip_addresses.assign(want_ip.begin(), want_ip.end());
  spec.private_key.algorithm = api::FromPki(csr->public_key().algorithm());
  std::vector<policy::PolicyViolation> violations = policy::CheckTemplate(spec, *tmpl);
  if (!violations.empty()) {
    log->info("refused an ACME CSR profile={} order={} reason=\"{}\"", urls.profile, o.id,
              policy::FormatViolations(violations));
    return ReplyProblem(MakeProblem(ProblemType::kBadCsr, policy::FormatViolations(violations)), urls);
  }

  // The Certificate the leader signs. Its name derives from the order, so a retried
  // finalize (or two replicas) make one Certificate, never two.
  const std::string name = "acme-" + o.id;
  nlohmann::json cert_spec = {{"profileRef", {{"name", urls.profile}}},
                              {"csr", csr->ToPem()},
                              {"acme", {{"account", o.account_id}, {"order", o.id}}}};
  if (!spec.dns_names.empty()) cert_spec["dnsNames"] = spec.dns_names;
  if (!spec.ip_addresses.empty()) cert_spec["ipAddresses"] = spec.ip_addresses;
  if (!cn.empty()) cert_spec["commonName"] = cn;
  nlohmann::json object = {{"apiVersion", std::string(api::kApiVersion)},
                           {"kind", std::string(api::kCertificateKind)},
                           {"metadata",
                            {{"name", name},
                             {"namespace", options_.controller_namespace},
                             {"labels",
                              {{std::string(kAcmeProfileLabel), LabelValueFor(urls.profile)},
                               {std::string(kAcmeAccountLabel), o.account_id}}}}},
                           {"spec", std::move(cert_spec)}};
  auto created = client_->Create(api::kCertificatesResource, options_.controller_namespace, object);
  if (!created.ok() && created.status().code() != StatusCode::kAlreadyExists) {
    log->error("creating the Certificate of ACME order {}: {}", o.id, created.status().ToString());
    return ReplyProblem(Internal("the certificate request could not be recorded; retry"), urls);
  }
  o.status = OrderStatus::kProcessing;
  o.certificate_name = name;
  Result<Order> written = store_.UpdateOrder(o);
  if (!written.ok()) {
    Result<std::optional<Order>> again = store_.GetOrder(o.id);
    if (!again.ok() || !again->has_value())
      return ReplyProblem(Internal("the order could not be updated; retry"), urls);
    o = std::move(**again);
  } else {
    o = std::move(written).value();
    orders_.Add({"finalized"});
    log->info("ACME order finalized profile={} order={} certificate={}/{}", urls.profile, o.id,
              options_.controller_namespace, name);
  }
  http::HttpResponse res = Reply(200, OrderToProtocolJson(o, urls), urls);
  res.headers.emplace_back("Location", urls.Order(o.id));
  if (o.status == OrderStatus::kProcessing) res.headers.emplace_back("Retry-After", "1");
  return res;
}

http::HttpResponse AcmeServer::CertificateResource(const http::HttpRequest& req, const AcmeUrls& urls,
                                                   const api::CertificateProfile& profile) {
  ProblemOr<Request> r = Authenticate(req, urls, KeyMode::kAccount);
  if (!r.ok()) return ReplyProblem(r.problem(), urls);
  ProblemOr<Order> loaded = LoadOrder(req.params.at("order"), *r, urls);
  if (!loaded.ok()) return ReplyProblem(loaded.problem(), urls);
  Order o = Refresh(std::move(loaded).value(), r->key->Thumbprint(), profile);
  if (o.status != OrderStatus::kValid) {
    return ReplyProblem(NotFound("the order is " + std::string(ToString(o.status)) + "; it has no certificate yet"),
                        urls);
  }
  auto cert = client_->Get(api::kCertificatesResource, options_.controller_namespace, o.certificate_name);
  std::string pem = cert.ok() ? cert->value("/status/certificate"_json_pointer, std::string()) : std::string();
  if (pem.empty()) return ReplyProblem(Internal("the certificate could not be read; retry"), urls);
  // A certificate issued straight from a root has no intermediates; serve the root
  // after it, since clients (certbot) insist on a chain of at least two and need the
  // issuer to build the path.
  Result<std::vector<pki::Certificate>> chain = pki::ParseCertificateChainPem(pem);
  if (chain.ok() && chain->size() == 1) {
    auto ca = catalog_.Authority(cert->value("/status/caName"_json_pointer, std::string()));
    if (ca && !ca->status.certificate.empty()) {
      if (pem.back() != '\n') pem += '\n';
      pem += ca->status.certificate;
    }
  }
  http::HttpResponse res = http::HttpResponse::Bytes(200, std::move(pem), "application/pem-certificate-chain");
  AddCommonHeaders(res, urls);
  return res;
}

http::HttpResponse AcmeServer::RevokeCert(const http::HttpRequest& req, const AcmeUrls& urls) {
  auto log = kube::Logger("acme");
  ProblemOr<Request> r = Authenticate(req, urls, KeyMode::kEither);
  if (!r.ok()) return ReplyProblem(r.problem(), urls);
  if (r->jws.post_as_get || !r->payload.contains("certificate") || !r->payload["certificate"].is_string()) {
    return ReplyProblem(MakeProblem(ProblemType::kMalformed, "revokeCert wants {\"certificate\": base64url DER}"),
                        urls);
  }
  std::optional<std::string> der = Base64UrlDecode(r->payload["certificate"].get<std::string>());
  if (!der) return ReplyProblem(MakeProblem(ProblemType::kMalformed, "certificate is not base64url"), urls);
  Result<pki::Certificate> cert =
      pki::ParseCertificateDer(pki::ByteView(reinterpret_cast<const std::uint8_t*>(der->data()), der->size()));
  if (!cert.ok())
    return ReplyProblem(MakeProblem(ProblemType::kMalformed, "certificate: " + cert.status().message()), urls);

  // RFC 5280 reasons a subscriber may give; certificateHold and CA compromise are not theirs.
  api::RevocationReason reason = api::RevocationReason::kUnspecified;
  if (r->payload.contains("reason")) {
    const nlohmann::json& code = r->payload["reason"];
    std::optional<api::RevocationReason> found;
    if (code.is_number_integer()) {
      for (std::size_t i = 0; i < api::EnumTable<api::RevocationReason>::kNames.size(); ++i) {
        auto candidate = static_cast<api::RevocationReason>(i);
        if (api::Rfc5280Code(candidate) == code.get<int>()) found = candidate;
      }
    }
    static const std::set<int> kAllowed = {0, 1, 3, 4, 5, 9};
    if (!found || !kAllowed.count(code.get<int>())) {
      return ReplyProblem(MakeProblem(ProblemType::kBadRevocationReason,
                                      "reason must be one of 0 (unspecified), 1 (keyCompromise), 3 "
                                      "(affiliationChanged), 4 (superseded), 5 (cessationOfOperation), 9 "
                                      "(privilegeWithdrawn)"),
                          urls);
    }
    reason = *found;
  }

  const std::string serial = cert->serial().ToHex();
  std::shared_ptr<const api::Certificate> owner;
  catalog_.ForEachCertificateOfProfile(urls.profile, [&](const std::shared_ptr<const api::Certificate>& c) {
    if (c->status.serial_number == serial && c->metadata.ns == options_.controller_namespace) owner = c;
  });
  std::string owner_name = owner ? owner->metadata.name : std::string();
  if (owner_name.empty()) {
    // This replica's cache may not have seen a certificate signed a moment ago: ask
    // the API server for the profile's ACME Certificates before saying no.
    kube::ListOptions options;
    options.label_selector = std::string(kAcmeProfileLabel) + "=" + LabelValueFor(urls.profile);
    auto listed = client_->ListEach(api::kCertificatesResource, options_.controller_namespace, options,
                                    [&](nlohmann::json&& item) {
                                      if (item.value("/status/serialNumber"_json_pointer, std::string()) == serial) {
                                        owner_name = item.value("/metadata/name"_json_pointer, std::string());
                                      }
                                      return Status::Ok();
                                    });
    if (!listed.ok()) return ReplyProblem(Internal("the certificates could not be listed; retry"), urls);
  }
  if (owner_name.empty()) {
    return ReplyProblem(NotFound("no certificate with serial " + serial + " was issued by this directory"), urls);
  }
  const std::string& owner_ns = options_.controller_namespace;
  auto current = client_->Get(api::kCertificatesResource, owner_ns, owner_name);
  if (!current.ok()) return ReplyProblem(Internal("the certificate could not be read; retry"), urls);
  Result<std::vector<pki::Certificate>> chain =
      pki::ParseCertificateChainPem(current->value("/status/certificate"_json_pointer, std::string()));
  if (!chain.ok() || chain->empty() || chain->front().ToDer() != cert->ToDer()) {
    return ReplyProblem(NotFound("the certificate is not the one this directory issued with serial " + serial), urls);
  }
  // Who may: the account that ordered it, or whoever holds the certificate's key.
  if (r->account) {
    if (current->value("/spec/acme/account"_json_pointer, std::string()) != r->account->id) {
      return ReplyProblem(MakeProblem(ProblemType::kUnauthorized, "this account did not order the certificate"), urls);
    }
  } else {
    Result<pki::PublicKey> key = cert->public_key();
    if (!key.ok() || !(Jwk::FromPublicKey(*key) == *r->key)) {
      return ReplyProblem(MakeProblem(ProblemType::kUnauthorized,
                                      "the JWS is signed neither by an account nor by the "
                                      "certificate's key"),
                          urls);
    }
  }
  if (current->contains("spec") && (*current)["spec"].contains("revocation")) {
    return ReplyProblem(MakeProblem(ProblemType::kAlreadyRevoked, "serial " + serial + " is already revoked"), urls);
  }
  nlohmann::json patch = {{"spec", {{"revocation", {{"reason", std::string(api::ToString(reason))}}}}}};
  auto patched = client_->MergePatch(api::kCertificatesResource, owner_ns, owner_name, patch);
  if (!patched.ok()) {
    log->error("revoking {}/{}: {}", owner_ns, owner_name, patched.status().ToString());
    return ReplyProblem(Internal("the revocation could not be recorded; retry"), urls);
  }
  log->info("ACME revocation profile={} certificate={}/{} serial={} reason={} by={}", urls.profile, owner_ns,
            owner_name, serial, api::ToString(reason),
            r->account ? "account " + r->account->id : std::string("certificate key"));
  http::HttpResponse res = http::HttpResponse::Text(200, "");
  AddCommonHeaders(res, urls);
  return res;
}

}  // namespace certplane::acme
