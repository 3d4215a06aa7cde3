// One call of an AWS service that speaks the JSON 1.1 protocol (Certificate Manager,
// Secrets Manager): POST / with X-Amz-Target "<Prefix>.<Operation>", a JSON body,
// signed with SigV4; the answer is the JSON object, or the SyncError AWS's error maps to.
//
//   AwsJsonClient acm(transport, credentials, {.region = "eu-west-1", .signing_name = "acm",
//                                              .target_prefix = "CertificateManager"});
//   SyncResult<nlohmann::json> out = acm.Call("DescribeCertificate", {{"CertificateArn", arn}});
//   if (!out.ok() && out.error().status.code() == StatusCode::kNotFound) ...
//
// The building of the request and the reading of the response are separate pure
// functions, unit-tested and fuzzed.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sync/aws/credentials.h"
#include "sync/destination.h"
#include "sync/exchange.h"

namespace certplane::sync::aws {

struct AwsServiceOptions {
  std::string region;
  std::string endpoint;       // empty: https://<signing_name>.<region>.amazonaws.com
  std::string signing_name;   // "acm", "secretsmanager"
  std::string target_prefix;  // "CertificateManager", "secretsmanager"
  Clock clock;                // empty: the system clock (SigV4's X-Amz-Date)
};

// https://<service>.<region>.amazonaws.com (the commercial partition).
std::string DefaultAwsEndpoint(std::string_view service, std::string_view region);

// The unsigned request for one operation.
HttpRequest BuildJsonRequest(const AwsServiceOptions& options, std::string_view operation, const nlohmann::json& body);

// A 2xx response's JSON object (an empty body reads as {}); any other response mapped
// by MapJsonError. A 2xx body that is not a JSON object is kUnavailable (a proxy's page,
// a truncated answer: worth a retry).
SyncResult<nlohmann::json> ReadJsonResponse(const HttpResponse& response,
                                            const std::vector<std::string_view>& secrets = {});

// The SyncError of a non-2xx response: the code from "__type" (after any '#') or the
// x-amzn-ErrorType header (before any ':'), the message from "message" or "Message",
// Retry-After when given; `secrets` are redacted from the message. An XML
// <ErrorResponse> body (Code, Message) is read too: authentication failures can come
// in the query protocol's form even from a JSON service.
SyncError MapJsonError(const HttpResponse& response, const std::vector<std::string_view>& secrets = {});

class AwsJsonClient {
 public:
  // Both references must outlive the client.
  AwsJsonClient(HttpTransport& transport, AwsCredentialsProvider& credentials, AwsServiceOptions options);

  // Sends one operation. The request body is cleansed after sending (it may hold a
  // private key). The credentials and each of `secrets` (the key material the body
  // carries) are redacted from error messages, should the service quote them.
  SyncResult<nlohmann::json> Call(std::string_view operation, const nlohmann::json& body,
                                  const std::vector<std::string_view>& secrets = {});

 private:
  HttpTransport& transport_;
  AwsCredentialsProvider& credentials_;
  AwsServiceOptions options_;
};

}  // namespace certplane::sync::aws
