// AcmDestination: pushes a certificate, its key and its chain into AWS Certificate
// Manager, where load balancers and CloudFront use it.
//
//   StaticAwsCredentials credentials(...);
//   AcmDestination acm(transport, credentials, {.region = "eu-west-1", .tags = {{"team", "shop"}}});
//   SyncResult<PushResult> pushed = acm.Push({.certificate_uid = uid, .certificate = "shop/frontend",
//                                             .known_id = status_arn}, material);
//   // pushed->id: the certificate ARN, to record in status for the next push
//
// By default the certificate is re-imported in place, so its ARN never changes and
// whatever uses it picks up the renewal. The ARN is found by, in order: the known id;
// the certplane.io/certificate-uid tag (a search through ListCertificates and
// ListTagsForCertificate: one call per certificate in the account, so it runs only when
// the id is unknown or gone); else a new certificate is imported with the tags.
// A re-import sends no tags (AWS refuses them there); AddTagsToCertificate writes them
// again right after, so a server that dropped them still finds the certificate later.
// With preserve_arn = false every push imports a new certificate and deletes the
// previous one once the new one is in.
//
// IAM actions used: acm:ImportCertificate, acm:AddTagsToCertificate,
// acm:ListCertificates, acm:ListTagsForCertificate, acm:DeleteCertificate.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "sync/aws/credentials.h"
#include "sync/aws/json_call.h"
#include "sync/aws/tags.h"
#include "sync/destination.h"

namespace certplane::sync::aws {

struct AcmOptions {
  std::string region;
  std::string endpoint;  // empty: https://acm.<region>.amazonaws.com
  bool preserve_arn = true;
  TagMap tags;  // the user's, added to certplane's on import
  Clock clock;  // empty: the system clock (for signing)
};

class AcmDestination final : public Destination {
 public:
  // transport and credentials must outlive the destination. Safe to call from several
  // threads at once (it holds no state between calls).
  AcmDestination(HttpTransport& transport, AwsCredentialsProvider& credentials, AcmOptions options);

  SyncResult<PushResult> Push(const PushTarget& target, const CertificateMaterial& material) override;
  SyncStatus Remove(const PushTarget& target) override;

 private:
  // The ARN tagged with the uid, nullopt when none is.
  SyncResult<std::optional<std::string>> FindTagged(const std::string& certificate_uid);
  SyncResult<std::string> Import(const CertificateMaterial& material, const std::string& arn, const TagMap* tags);
  SyncStatus Delete(const std::string& arn);  // OK when it is already gone
  // Puts certplane's (and the user's) tags back after a re-import.
  SyncResult<PushResult> Retagged(const std::string& arn, const TagMap& tags, bool adopted);

  AcmOptions options_;
  AwsJsonClient client_;
};

}  // namespace certplane::sync::aws
