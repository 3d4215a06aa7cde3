// The AWS destinations' readers of answers, as the corpus test and the libFuzzer
// targets drive them. Each takes the raw body of an HTTP answer (which whoever answers
// in AWS's place controls) and returns nullopt when it is accepted, or the SyncError
// refusing it. An accepted answer is also checked for invariants (a tag list read back
// re-serializes to the same tags, credentials have every part, an error message never
// holds the secret it was told to redact, ...); a broken invariant aborts, so libFuzzer
// reports it as a crash.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "sync/destination.h"

namespace certplane::sync::aws::fuzz {

struct Parser {
  std::string_view name;
  std::optional<SyncError> (*parse)(std::string_view input);
};

// "MapJsonError": the input as the body of an HTTP 400 answer; accepted when it names
//   an error code (JSON "__type" or an XML <ErrorResponse> Code).
// "ReadCertificateArn", "ReadCertificatePage", "ReadTagList": ACM's ImportCertificate,
//   ListCertificates and ListTagsForCertificate answers (HTTP 200).
// "ReadSecretDescription", "ReadSecretVersion": Secrets Manager's DescribeSecret and
//   CreateSecret/PutSecretValue answers (HTTP 200).
// "ReadAssumeRoleWithWebIdentityResponse": STS's XML answer (HTTP 200).
std::span<const Parser> AllParsers();

// The libFuzzer targets' bodies.
void FuzzJsonError(std::string_view input);
void FuzzAcmAnswers(std::string_view input);
void FuzzSecretsManagerAnswers(std::string_view input);
void FuzzStsAnswer(std::string_view input);

}  // namespace certplane::sync::aws::fuzz
