#include "parsers.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "acme/eab.h"
#include "acme/jwk.h"
#include "acme/jws.h"

namespace certplane::acme::fuzz {
namespace {

using json = nlohmann::json;

// Keep in sync with make_corpus.py.
constexpr std::string_view kEabUrl = "https://acme.example/acme/new-account";
constexpr std::string_view kEabKid = "fuzz-kid";
constexpr std::string_view kEabMacKey = "fuzz-eab-mac-key-0123456789abcdef";

[[noreturn]] void Broken(const char* what) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

const Jwk& FixedAccountKey() {
  static const Jwk key = [] {
    ProblemOr<Jwk> jwk = Jwk::FromJson({{"kty", "EC"},
                                        {"crv", "P-256"},
                                        {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
                                        {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}});
    if (!jwk.ok()) Broken("the fixed account key parses");
    return *jwk;
  }();
  return key;
}

void Exercise(const Jwk& jwk) {
  ProblemOr<Jwk> again = Jwk::FromJson(jwk.ToJson());
  if (!again.ok()) Broken("a parsed JWK re-parses");
  if (!(*again == jwk)) Broken("a parsed JWK re-parses to the same key");
  if (again->Thumbprint() != jwk.Thumbprint()) Broken("a parsed JWK keeps its thumbprint");
  if (jwk.Thumbprint().size() != 43) Broken("a thumbprint is 43 characters");
  if (!(Jwk::FromPublicKey(jwk.public_key()) == jwk)) Broken("a JWK's key converts back to the same JWK");
  if (KeyAuthorization("t", jwk) != "t." + jwk.Thumbprint()) Broken("a key authorization is token.thumbprint");
}

std::optional<Problem> Jws(std::string_view input) {
  ProblemOr<JwsMessage> m = ParseJws(input);
  if (!m.ok()) {
    if (m.problem().detail.empty()) Broken("a refusal has a detail");
    return m.problem();
  }
  if (m->header.kid.has_value() == m->header.jwk.has_value()) Broken("a JWS has exactly one of kid and jwk");
  if (m->post_as_get && !m->payload.empty()) Broken("a POST-as-GET has an empty payload");
  if (m->header.nonce.empty() || m->header.url.empty()) Broken("a JWS has a nonce and a url");
  if (m->signature.empty() || m->signing_input.find('.') == std::string::npos) Broken("a JWS has its parts");
  if (m->header.jwk.has_value()) Exercise(*m->header.jwk);
  return VerifyJws(*m, m->header.jwk.has_value() ? *m->header.jwk : FixedAccountKey());
}

std::optional<Problem> JwkFromText(std::string_view input) {
  json value = json::parse(input.begin(), input.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return MakeProblem(ProblemType::kMalformed, "not JSON");
  ProblemOr<Jwk> jwk = Jwk::FromJson(value);
  if (!jwk.ok()) {
    if (jwk.problem().detail.empty()) Broken("a refusal has a detail");
    return jwk.problem();
  }
  Exercise(*jwk);
  return std::nullopt;
}

std::optional<Problem> Eab(std::string_view input) {
  json value = json::parse(input.begin(), input.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return MakeProblem(ProblemType::kMalformed, "not JSON");
  std::optional<Problem> problem = VerifyExternalAccountBinding(value, FixedAccountKey(), kEabUrl, kEabKid, kEabMacKey);
  ProblemOr<std::string> kid = ExternalAccountBindingKid(value);
  if (!problem.has_value() && (!kid.ok() || *kid != kEabKid)) Broken("an accepted binding names the expected kid");
  if (problem.has_value() && problem->detail.empty()) Broken("a refusal has a detail");
  return problem;
}

constexpr std::array<Parser, 3> kParsers = {{
    {"ParseJws", Jws},
    {"Jwk::FromJson", JwkFromText},
    {"VerifyExternalAccountBinding", Eab},
}};

}  // namespace

std::span<const Parser> AllParsers() { return kParsers; }

void FuzzJws(std::string_view input) { (void)Jws(input); }
void FuzzJwk(std::string_view input) { (void)JwkFromText(input); }
void FuzzEab(std::string_view input) { (void)Eab(input); }

}  // namespace certplane::acme::fuzz
