#include "parsers.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "sync/aws/acm_messages.h"
#include "sync/aws/json_call.h"
#include "sync/aws/secrets_manager_messages.h"
#include "sync/aws/sts.h"
#include "sync/aws/tags.h"

namespace certplane::sync::aws::fuzz {
namespace {

using json = nlohmann::json;

// Redacted from every error message; make_corpus.py plants it in some inputs.
constexpr std::string_view kPlantedSecret = "FUZZ-PLANTED-SECRET-KEY";

[[noreturn]] void Broken(const char* what) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

std::optional<SyncError> Refusal(const SyncError& error) {
  if (error.status.ok()) Broken("a refusal has a code");
  if (error.status.message().empty()) Broken("a refusal has a message");
  if (error.status.message().find(kPlantedSecret) != std::string::npos) Broken("a refusal never holds the secret");
  return error;
}

std::optional<SyncError> MapJsonErrorParser(std::string_view input) {
  SyncError error = MapJsonError(HttpResponse{400, {}, std::string(input)}, {kPlantedSecret});
  Refusal(error);
  if (error.status.message().size() > 1024 + 3) Broken("an error message is capped");
  if (error.code.empty()) return error;
  if (error.status.message().rfind(error.code, 0) != 0) Broken("an error message starts with its code");
  if (error.code.find('#') != std::string::npos) Broken("an error code has no namespace");
  return std::nullopt;
}

// The JSON object of a 200 answer, or its refusal.
SyncResult<json> Answer(std::string_view input) { return ReadJsonResponse(HttpResponse{200, {}, std::string(input)}); }

std::optional<SyncError> CertificateArnParser(std::string_view input) {
  SyncResult<json> answer = Answer(input);
  if (!answer.ok()) return Refusal(answer.error());
  SyncResult<std::string> arn = ReadCertificateArn(*answer);
  if (!arn.ok()) return Refusal(arn.error());
  if (arn->empty()) Broken("an ARN is not empty");
  return std::nullopt;
}

std::optional<SyncError> CertificatePageParser(std::string_view input) {
  SyncResult<json> answer = Answer(input);
  if (!answer.ok()) return Refusal(answer.error());
  SyncResult<CertificatePage> page = ReadCertificatePage(*answer);
  if (!page.ok()) return Refusal(page.error());
  json next = ListCertificatesBody(page->next_token);
  if (page->next_token.empty() == next.contains("NextToken")) Broken("a next token is sent back when there is one");
  return std::nullopt;
}

std::optional<SyncError> TagListParser(std::string_view input) {
  SyncResult<json> answer = Answer(input);
  if (!answer.ok()) return Refusal(answer.error());
  SyncResult<TagMap> tags = ReadTagList(*answer, "Tags");
  if (!tags.ok()) return Refusal(tags.error());
  SyncResult<TagMap> again = ReadTagList(json{{"Tags", TagList(*tags)}}, "Tags");
  if (!again.ok() || *again != *tags) Broken("a tag list re-reads to the same tags");
  return std::nullopt;
}

std::optional<SyncError> SecretDescriptionParser(std::string_view input) {
  SyncResult<json> answer = Answer(input);
  if (!answer.ok()) return Refusal(answer.error());
  SyncResult<SecretDescription> description = ReadSecretDescription(*answer);
  if (!description.ok()) return Refusal(description.error());
  if (description->arn.empty()) Broken("a described secret has an ARN");
  return std::nullopt;
}

std::optional<SyncError> SecretVersionParser(std::string_view input) {
  SyncResult<json> answer = Answer(input);
  if (!answer.ok()) return Refusal(answer.error());
  SyncResult<SecretVersion> version = ReadSecretVersion(*answer);
  if (!version.ok()) return Refusal(version.error());
  if (version->arn.empty()) Broken("a secret version has an ARN");
  return std::nullopt;
}

std::optional<SyncError> StsParser(std::string_view input) {
  SyncResult<AwsCredentials> creds =
      ReadAssumeRoleWithWebIdentityResponse(HttpResponse{200, {}, std::string(input)}, {kPlantedSecret});
  if (!creds.ok()) return Refusal(creds.error());
  if (creds->access_key_id.empty() || creds->secret_access_key.empty() || creds->session_token.empty()) {
    Broken("credentials have every part");
  }
  if (!creds->expiry.has_value()) Broken("credentials have an expiry");
  // The same body as an error answer maps without crashing too.
  Refusal(ReadAssumeRoleWithWebIdentityResponse(HttpResponse{400, {}, std::string(input)}, {kPlantedSecret}).error());
  return std::nullopt;
}

constexpr std::array kParsers = {
    Parser{"MapJsonError", MapJsonErrorParser},
    Parser{"ReadCertificateArn", CertificateArnParser},
    Parser{"ReadCertificatePage", CertificatePageParser},
    Parser{"ReadTagList", TagListParser},
    Parser{"ReadSecretDescription", SecretDescriptionParser},
    Parser{"ReadSecretVersion", SecretVersionParser},
    Parser{"ReadAssumeRoleWithWebIdentityResponse", StsParser},
};

}  // namespace

std::span<const Parser> AllParsers() { return kParsers; }

void FuzzJsonError(std::string_view input) { (void)MapJsonErrorParser(input); }

void FuzzAcmAnswers(std::string_view input) {
  (void)CertificateArnParser(input);
  (void)CertificatePageParser(input);
  (void)TagListParser(input);
}

void FuzzSecretsManagerAnswers(std::string_view input) {
  (void)SecretDescriptionParser(input);
  (void)SecretVersionParser(input);
}

void FuzzStsAnswer(std::string_view input) { (void)StsParser(input); }

}  // namespace certplane::sync::aws::fuzz
