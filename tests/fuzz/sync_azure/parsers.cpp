#include "parsers.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sync/azure/challenge.h"
#include "sync/azure/key_vault_wire.h"
#include "sync/azure/token.h"

namespace certplane::sync::azure::fuzz {
namespace {

const std::chrono::system_clock::time_point kNow = std::chrono::sys_days(std::chrono::year(2030) / 1 / 1);

[[noreturn]] void Broken(const char* what) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

HttpResponse Answer(int status, std::string_view body) {
  HttpResponse r;
  r.status = status;
  r.body = std::string(body);
  return r;
}

std::optional<Status> Token(std::string_view input) {
  SyncResult<AccessToken> token = ParseTokenResponse(Answer(200, input), kNow);
  if (!token.ok()) {
    if (token.error().status.ok() || token.error().status.message().empty()) Broken("a refusal has a message");
    return token.error().status;
  }
  if (token->token.empty()) Broken("an accepted token is not empty");
  if (token->expires_on < kNow) Broken("an accepted token does not expire in the past");
  return std::nullopt;
}

std::optional<Status> Bundle(std::string_view input) {
  SyncResult<CertificateBundle> bundle = ParseCertificateBundle(input);
  if (!bundle.ok()) {
    if (bundle.error().status.code() != StatusCode::kInvalidArgument) Broken("a bad bundle is InvalidArgument");
    return bundle.error().status;
  }
  if (bundle->name.empty() || bundle->version.empty()) Broken("a bundle has a name and a version");
  if (bundle->name.find('/') != std::string::npos || bundle->version.find('/') != std::string::npos) {
    Broken("a bundle's name and version are single path segments");
  }
  if (!bundle->id.ends_with("/certificates/" + bundle->name + "/" + bundle->version)) Broken("id ends name/version");
  return std::nullopt;
}

std::optional<Status> Error(std::string_view input) {
  SyncError error = KeyVaultError(Answer(409, input), "72f988bf-86f1-41af-91ab-2d7cd011db47");
  if (error.status.code() != StatusCode::kFailedPrecondition) Broken("a 409 maps to FailedPrecondition");
  if (error.code.empty() || !error.status.message().starts_with(error.code + ": ")) {
    Broken("the message is led by the error code");
  }
  if (error.code == "HTTP409") return error.status;  // no error object: refused
  return std::nullopt;
}

std::optional<Status> Challenge(std::string_view input) {
  std::optional<BearerChallenge> challenge = ParseBearerChallenge(input);
  if (!challenge.has_value()) return InvalidArgument("not a Bearer challenge");
  if (!challenge->tenant.empty()) {
    // The tenant is one whole path segment of the authority: after a '/', before the
    // end, a '/', a '?' or a '#'.
    const std::string& url = challenge->authorization;
    bool found = false;
    for (std::size_t at = url.find("/" + challenge->tenant); at != std::string::npos && !found;
         at = url.find("/" + challenge->tenant, at + 1)) {
      const std::size_t end = at + 1 + challenge->tenant.size();
      found = end == url.size() || url[end] == '/' || url[end] == '?' || url[end] == '#';
    }
    if (!found) Broken("the tenant is a segment of the authority");
    if (challenge->tenant.find('/') != std::string::npos) Broken("the tenant has no '/'");
  }
  return std::nullopt;
}

constexpr std::array<Parser, 4> kParsers = {{
    {"ParseTokenResponse", Token},
    {"ParseCertificateBundle", Bundle},
    {"KeyVaultError", Error},
    {"ParseBearerChallenge", Challenge},
}};

}  // namespace

std::span<const Parser> AllParsers() { return kParsers; }

void FuzzTokenResponse(std::string_view input) { (void)Token(input); }
void FuzzCertificateBundle(std::string_view input) { (void)Bundle(input); }
void FuzzKeyVaultError(std::string_view input) { (void)Error(input); }
void FuzzBearerChallenge(std::string_view input) { (void)Challenge(input); }

}  // namespace certplane::sync::azure::fuzz
