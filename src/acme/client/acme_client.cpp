#include "acme/client/acme_client.h"

#include <algorithm>
#include <cctype>
#include <thread>

#include <cpprest/http_client.h>

#include "acme/eab.h"
#include "acme/jwk.h"
#include "acme/jws.h"
#include "base/text.h"

namespace certplane::acme::client {
namespace {

using nlohmann::json;
namespace http = web::http;

std::string StatusOf(const AcmeResponse& r) {
  if (!r.json.is_object()) return {};
  auto it = r.json.find("status");
  return it != r.json.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string AcmeResponse::Header(std::string_view name) const {
  auto it = headers.find(AsciiLower(std::string(name)));
  return it == headers.end() ? std::string() : it->second;
}

std::string AcmeResponse::problem_type() const {
  return problem ? std::string(ProblemTypeName(problem->type)) : std::string();
}

std::string AcmeResponse::Describe() const {
  std::string out = method + " " + url + " -> ";
  if (status == 0) return out + "no answer: " + transport_error;
  out += std::to_string(status);
  if (problem) return out + " " + problem_type() + ": " + problem->detail;
  return out + " " + (body.size() > 500 ? body.substr(0, 500) + "..." : body);
}

AcmeClient::AcmeClient(std::string directory_url, Options options)
    : directory_url_(std::move(directory_url)), options_(std::move(options)) {}

AcmeClient::~AcmeClient() = default;

http::client::http_client& AcmeClient::ClientFor(const std::string& url, std::string* path_and_query) {
  web::uri uri(url);
  std::string origin = uri.scheme() + "://" + uri.host();
  if (uri.port() > 0) origin += ":" + std::to_string(uri.port());
  *path_and_query = uri.resource().to_string();
  auto& client = clients_[origin];
  if (!client) {
    http::client::http_client_config config;
    config.set_timeout(options_.timeout);
    client = std::make_unique<http::client::http_client>(web::uri(origin), config);
  }
  return *client;
}

AcmeResponse AcmeClient::Send(const std::string& method, const std::string& url, const std::string& body,
                              const std::string& accept) {
  AcmeResponse out;
  out.method = method;
  out.url = url;
  try {
    std::string path;
    http::client::http_client& client = ClientFor(url, &path);
    http::http_request request(method);
    request.set_request_uri(web::uri(path.empty() ? "/" : path));
    request.headers().add("User-Agent", options_.user_agent);
    if (!accept.empty()) request.headers().add("Accept", accept);
    if (method == http::methods::POST) request.set_body(body, "application/jose+json");
    http::http_response response = client.request(request).get();
    out.status = response.status_code();
    for (const auto& [name, value] : response.headers()) out.headers[AsciiLower(name)] = value;
    out.body = response.extract_utf8string(true).get();
  } catch (const std::exception& e) {
    out.status = 0;
    out.transport_error = e.what();
    return out;
  }
  if (std::string nonce = out.Header("Replay-Nonce"); !nonce.empty()) nonce_ = nonce;
  const std::string content_type = AsciiLower(out.Header("Content-Type"));
  if (content_type.find("json") != std::string::npos) {
    out.json = json::parse(out.body, nullptr, /*allow_exceptions=*/false);
    if (out.json.is_discarded()) out.json = nullptr;
  }
  if (content_type.find("application/problem+json") != std::string::npos ||
      (out.status >= 400 && !out.json.is_null())) {
    out.problem = ParseProblemDocument(out.json);
  }
  return out;
}

AcmeResponse AcmeClient::Get(const std::string& url) { return Send(http::methods::GET, url, {}, {}); }

AcmeResponse AcmeClient::FetchDirectory() {
  AcmeResponse r = Get(directory_url_);
  if (r.ok() && r.json.is_object()) directory_ = Directory::FromJson(r.json);
  return r;
}

bool AcmeClient::EnsureDirectory() {
  if (!directory_.new_nonce.empty()) return true;
  return FetchDirectory().ok() && !directory_.new_nonce.empty();
}

AcmeResponse AcmeClient::NewNonce() {
  if (!EnsureDirectory()) {
    return AcmeResponse{.method = "HEAD", .url = directory_url_, .transport_error = "no directory"};
  }
  std::string kept = nonce_;
  AcmeResponse r = Send(http::methods::HEAD, directory_.new_nonce, {}, {});
  nonce_ = kept;  // the caller owns the nonce it asked for
  return r;
}

std::string AcmeClient::TakeNonce() {
  std::string nonce;
  std::swap(nonce, nonce_);
  if (!nonce.empty()) return nonce;
  if (!EnsureDirectory()) return {};
  AcmeResponse r = Send(http::methods::HEAD, directory_.new_nonce, {}, {});
  nonce_.clear();
  return r.Header("Replay-Nonce");
}

AcmeResponse AcmeClient::PostOnce(const std::string& url, std::string_view payload, const pki::PrivateKey& key,
                                  const PostOptions& options, const std::string& nonce) {
  json header = ProtectedHeader(key, options.kid, nonce, options.header_url.value_or(url));
  const std::string body = SignJws(key, std::move(header), payload);
  return Send(http::methods::POST, url, body, options.accept);
}

AcmeResponse AcmeClient::Post(const std::string& url, std::string_view payload, const pki::PrivateKey& key,
                              const PostOptions& options) {
  if (options.nonce) return PostOnce(url, payload, key, options, *options.nonce);
  AcmeResponse r = PostOnce(url, payload, key, options, TakeNonce());
  if (r.problem && r.problem->type == ProblemType::kBadNonce) {
    r = PostOnce(url, payload, key, options, TakeNonce());
  }
  return r;
}

AcmeResponse AcmeClient::NewAccount(const pki::PrivateKey& key, const NewAccountOptions& options) {
  EnsureDirectory();
  json payload = json::object();
  if (options.terms_of_service_agreed) payload["termsOfServiceAgreed"] = true;
  if (!options.contact.empty()) payload["contact"] = options.contact;
  if (options.only_return_existing) payload["onlyReturnExisting"] = true;
  if (options.eab) {
    payload["externalAccountBinding"] = SignExternalAccountBinding(
        Jwk::FromPublicKey(key.public_key()), directory_.new_account, options.eab->kid, options.eab->hmac_key);
  }
  return Post(directory_.new_account, payload.dump(), key);
}

AcmeResponse AcmeClient::UpdateAccount(const AcmeAccount& account, const json& payload) {
  return Post(account.url, payload.dump(), account.key, {.kid = account.url});
}

AcmeResponse AcmeClient::KeyChange(const AcmeAccount& account, const pki::PrivateKey& new_key) {
  EnsureDirectory();
  json inner = KeyChangeInnerJws(new_key, directory_.key_change, account.url, account.key.public_key());
  return Post(directory_.key_change, inner.dump(), account.key, {.kid = account.url});
}

AcmeResponse AcmeClient::NewOrder(const AcmeAccount& account, const std::vector<std::string>& dns_names) {
  EnsureDirectory();
  json identifiers = json::array();
  for (const std::string& name : dns_names) identifiers.push_back({{"type", "dns"}, {"value", name}});
  return Post(directory_.new_order, json{{"identifiers", identifiers}}.dump(), account.key, {.kid = account.url});
}

AcmeResponse AcmeClient::GetOrder(const AcmeAccount& account, const std::string& order_url) {
  return Post(order_url, "", account.key, {.kid = account.url});
}

AcmeResponse AcmeClient::GetAuthorization(const AcmeAccount& account, const std::string& authz_url) {
  return Post(authz_url, "", account.key, {.kid = account.url});
}

AcmeResponse AcmeClient::RespondChallenge(const AcmeAccount& account, const std::string& challenge_url) {
  return Post(challenge_url, "{}", account.key, {.kid = account.url});
}

AcmeResponse AcmeClient::Poll(const AcmeAccount& account, const std::string& url, const std::vector<std::string>& until,
                              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    AcmeResponse r = Post(url, "", account.key, {.kid = account.url});
    if (!r.ok() || std::find(until.begin(), until.end(), StatusOf(r)) != until.end() ||
        std::chrono::steady_clock::now() >= deadline) {
      return r;
    }
    std::chrono::milliseconds wait(200);
    if (auto advised = ParseRetryAfter(r.Header("Retry-After"))) {
      wait = std::min<std::chrono::milliseconds>(*advised, std::chrono::seconds(2));
    }
    std::this_thread::sleep_for(wait);
  }
}

AcmeResponse AcmeClient::PollOrder(const AcmeAccount& account, const std::string& order_url,
                                   const std::vector<std::string>& until, std::chrono::milliseconds timeout) {
  return Poll(account, order_url, until, timeout);
}

AcmeResponse AcmeClient::PollAuthorization(const AcmeAccount& account, const std::string& authz_url,
                                           const std::vector<std::string>& until, std::chrono::milliseconds timeout) {
  return Poll(account, authz_url, until, timeout);
}

AcmeResponse AcmeClient::Finalize(const AcmeAccount& account, const std::string& finalize_url,
                                  const pki::Bytes& csr_der) {
  return Post(finalize_url, FinalizePayload(csr_der).dump(), account.key, {.kid = account.url});
}

AcmeResponse AcmeClient::DownloadCertificate(const AcmeAccount& account, const std::string& certificate_url) {
  return Post(certificate_url, "", account.key, {.kid = account.url, .accept = "application/pem-certificate-chain"});
}

AcmeResponse AcmeClient::Revoke(const AcmeAccount& account, const pki::Bytes& certificate_der,
                                std::optional<int> reason) {
  EnsureDirectory();
  return Post(directory_.revoke_cert, RevocationPayload(certificate_der, reason).dump(), account.key,
              {.kid = account.url});
}

AcmeResponse AcmeClient::RevokeWithCertificateKey(const pki::PrivateKey& certificate_key,
                                                  const pki::Bytes& certificate_der, std::optional<int> reason) {
  EnsureDirectory();
  return Post(directory_.revoke_cert, RevocationPayload(certificate_der, reason).dump(), certificate_key);
}

}  // namespace certplane::acme::client
