// AWS credentials and where they come from: a static access key (from a Kubernetes
// Secret), or temporary credentials that STS gives in exchange for the pod's projected
// service-account token (EKS "IAM roles for service accounts").
//
//   StaticAwsCredentials fixed(AwsCredentials{.access_key_id = "AKIA...",
//                                             .secret_access_key = SensitiveString(secret)});
//   WebIdentityAwsCredentials irsa(transport, {.role_arn = "arn:aws:iam::123456789012:role/certplane",
//                                              .region = "eu-west-1",
//                                              .token = ReadFileFunction("/var/run/secrets/eks/token")});
//   SyncResult<AwsCredentials> creds = irsa.Get();   // cached until 5 minutes before expiry
//
// Neither the secret key, the session token nor the web identity token ever appears in
// an error message.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "base/result.h"
#include "base/sensitive_string.h"
#include "sync/destination.h"
#include "sync/exchange.h"

namespace certplane::sync::aws {

struct AwsCredentials {
  std::string access_key_id;
  SensitiveString secret_access_key;
  SensitiveString session_token;                                // empty for long-term keys
  std::optional<std::chrono::system_clock::time_point> expiry;  // temporary credentials only
};

// Where a destination gets the credentials it signs each request with. Implementations
// are safe to call from several threads at once.
class AwsCredentialsProvider {
 public:
  virtual ~AwsCredentialsProvider() = default;
  // The credentials to sign with now; the error says why there are none (STS refused the
  // token: kUnauthenticated; STS unreachable: kUnavailable).
  virtual SyncResult<AwsCredentials> Get() = 0;
};

// Always the same credentials.
class StaticAwsCredentials final : public AwsCredentialsProvider {
 public:
  explicit StaticAwsCredentials(AwsCredentials credentials) : credentials_(std::move(credentials)) {}
  SyncResult<AwsCredentials> Get() override { return credentials_; }

 private:
  const AwsCredentials credentials_;
};

using Clock = std::function<std::chrono::system_clock::time_point()>;

struct WebIdentityOptions {
  std::string role_arn;
  std::string session_name = "certplane";
  std::string region;    // for the default endpoint https://sts.<region>.amazonaws.com
  std::string endpoint;  // empty: the regional default; tests give moto's URL
  // Reads the web identity token each time credentials are fetched, so a rotated
  // projected token file is picked up (kubelet rewrites it before it expires).
  std::function<Result<SensitiveString>()> token;
  // How long before expiry cached credentials are refreshed.
  std::chrono::seconds refresh_before{std::chrono::minutes(5)};
  Clock clock;  // empty: the system clock
};

// Temporary credentials from STS AssumeRoleWithWebIdentity (an unsigned call), cached
// until refresh_before their expiry. One fetch at a time: concurrent callers wait for
// it rather than each calling STS.
class WebIdentityAwsCredentials final : public AwsCredentialsProvider {
 public:
  WebIdentityAwsCredentials(HttpTransport& transport, WebIdentityOptions options);
  SyncResult<AwsCredentials> Get() override;

 private:
  HttpTransport& transport_;
  const WebIdentityOptions options_;
  std::mutex mu_;
  std::optional<AwsCredentials> cached_;  // guarded by mu_
};

// The token reader for WebIdentityOptions::token: the whole file, trailing whitespace
// removed; kUnauthenticated naming the path when it cannot be read or is empty.
std::function<Result<SensitiveString>()> ReadTokenFile(std::string path);

}  // namespace certplane::sync::aws
