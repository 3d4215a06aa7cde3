// A recording HttpTransport for the AWS destinations' unit tests: each call is kept
// (operation from X-Amz-Target, parsed JSON body, headers), and answered with the next
// canned response queued for that operation. An operation with nothing queued answers
// 500 "UnexpectedCall", so a test that forgot a call fails with a clear message.
//
//   FakeAws aws;
//   aws.Answer("ImportCertificate", 200, R"({"CertificateArn": "arn:1"})");
//   AcmDestination acm(aws, credentials, {.region = "us-east-1"});
//   ... acm.Push(...) ...
//   EXPECT_THAT(aws.Operations(), ElementsAre("ImportCertificate"));
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sync/aws/credentials.h"
#include "sync/exchange.h"

namespace certplane::sync::aws::testing {

struct RecordedCall {
  std::string operation;  // "ImportCertificate"; the Action for a form body
  nlohmann::json body;    // null when not JSON
  HttpRequest request;
};

class FakeAws final : public HttpTransport {
 public:
  void Answer(const std::string& operation, int status, std::string body, HttpHeaders headers = {}) {
    answers_[operation].push_back(HttpResponse{status, std::move(headers), std::move(body)});
  }
  // Every call fails before any response (connection refused).
  void FailTransport(Status status) { transport_failure_ = std::move(status); }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    RecordedCall call;
    call.request = request;
    call.operation = Target(request);
    call.body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    calls_.push_back(call);
    if (!transport_failure_.ok()) return transport_failure_;
    auto& queue = answers_[call.operation];
    if (queue.empty()) {
      return HttpResponse{
          500, {}, R"({"__type":"UnexpectedCall","message":"nothing queued for )" + call.operation + "\"}"};
    }
    HttpResponse response = queue.front();
    queue.pop_front();
    return response;
  }

  const std::vector<RecordedCall>& calls() const { return calls_; }
  std::vector<std::string> Operations() const {
    std::vector<std::string> out;
    for (const auto& call : calls_) out.push_back(call.operation);
    return out;
  }
  // The calls of one operation, in order.
  std::vector<RecordedCall> CallsOf(const std::string& operation) const {
    std::vector<RecordedCall> out;
    for (const auto& call : calls_) {
      if (call.operation == operation) out.push_back(call);
    }
    return out;
  }

 private:
  static std::string Target(const HttpRequest& request) {
    for (const auto& [name, value] : request.headers) {
      if (name == "X-Amz-Target") return value.substr(value.find('.') + 1);
    }
    const std::size_t at = request.body.find("Action=");
    if (at != std::string::npos) return request.body.substr(at + 7, request.body.find('&', at) - at - 7);
    return "";
  }

  std::map<std::string, std::deque<HttpResponse>> answers_;
  std::vector<RecordedCall> calls_;
  Status transport_failure_;
};

// Credentials whose secret and token are easy to search for in messages.
inline constexpr const char* kTestSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
inline constexpr const char* kTestSessionToken = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";

inline AwsCredentials TestCredentials(bool with_token = false) {
  AwsCredentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = SensitiveString(kTestSecretKey);
  if (with_token) c.session_token = SensitiveString(kTestSessionToken);
  return c;
}

}  // namespace certplane::sync::aws::testing
