// AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html):
// signs an HttpRequest in place with the Authorization header AWS checks. Pure: the
// time is an argument, so the published test vectors (awslabs/aws-c-auth's
// aws-signing-test-suite) are unit tests.
//
//   HttpRequest req{.method = "POST", .url = "https://acm.eu-west-1.amazonaws.com/"};
//   req.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", "..."}};
//   Result<SigV4Signature> signed = SignV4(req, credentials,
//       {.region = "eu-west-1", .service = "acm"}, std::chrono::system_clock::now());
//
// It adds X-Amz-Date and, with a session token, X-Amz-Security-Token, then signs every
// header of the request plus host (taken from the URL unless a Host header is given).
// The path is normalized and encoded as for every service but S3 (dot segments and
// empty segments removed, each segment percent-encoded once more); the query is decoded,
// re-encoded strictly and sorted.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"
#include "sync/aws/credentials.h"
#include "sync/exchange.h"

namespace certplane::sync::aws {

struct SigV4Scope {
  std::string region;
  std::string service;  // the signing name: "acm", "secretsmanager", "sts"
  // Also sign an X-Amz-Content-Sha256 header with the payload hash (S3 wants it; the
  // JSON services do not).
  bool content_sha256_header = false;
};

// The intermediate values, for tests and for debugging a SignatureDoesNotMatch.
// The canonical request holds the session token when there is one: never log it.
struct SigV4Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // 64 lower-case hex digits
};

// Signs `request` in place (replacing any earlier Authorization, X-Amz-Date and
// X-Amz-Security-Token). kInvalidArgument when the URL is not absolute http(s).
Result<SigV4Signature> SignV4(HttpRequest& request, const AwsCredentials& credentials, const SigV4Scope& scope,
                              std::chrono::system_clock::time_point now);

// "20150830T123600Z": the X-Amz-Date form of a time (UTC, whole seconds).
std::string AmzDate(std::chrono::system_clock::time_point time);

}  // namespace certplane::sync::aws
