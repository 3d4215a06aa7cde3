// How the sync reconciler gets a Destination for a CertificateSync: a seam, so the
// reconciler's decisions are tested with a recording destination and production builds
// the AWS and Azure clients (sync_destinations.cpp).
//
//   DestinationFactory& f = ...;
//   Result<std::shared_ptr<sync::Destination>> d = f.Make(sync, credentials);
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "api/certificate_sync.h"
#include "base/result.h"
#include "base/sensitive_string.h"
#include "sync/destination.h"

namespace certplane::reconcile {

// What the reconciler read for a sync's credentials: the referenced Secret's data
// (empty for web or workload identity), and a source of ServiceAccount tokens for the
// identity kinds (audience in, token out), which the factory calls whenever its
// provider needs a fresh token.
struct SyncCredentials {
  std::map<std::string, SensitiveString> secret_data;
  std::string secret_version;  // the Secret's resourceVersion: new credentials, new destination
  std::function<Result<SensitiveString>(const std::string& audience)> service_account_token;
};

class DestinationFactory {
 public:
  virtual ~DestinationFactory() = default;
  // A destination for the sync's spec. kInvalidArgument when the spec or credentials
  // cannot make one (a missing key of the Secret, say), with a message a person can act on.
  virtual Result<std::shared_ptr<sync::Destination>> Make(const api::CertificateSync& sync,
                                                          const SyncCredentials& credentials) = 0;
};

// The production factory: the AWS (ACM, Secrets Manager) and Azure Key Vault clients over
// an HttpsTransport that verifies TLS (spec.caBundle, else the system roots).
std::unique_ptr<DestinationFactory> MakeCloudDestinationFactory();

}  // namespace certplane::reconcile
