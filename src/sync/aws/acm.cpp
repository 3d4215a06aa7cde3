#include "sync/aws/acm.h"

#include <utility>

#include "sync/aws/acm_messages.h"
#include "sync/aws/errors.h"

namespace certplane::sync::aws {

using json = nlohmann::json;

namespace {
AwsServiceOptions AcmService(const AcmOptions& options) {
  return {.region = options.region,
          .endpoint = options.endpoint,
          .signing_name = "acm",
          .target_prefix = "CertificateManager",
          .clock = options.clock};
}

}  // namespace

AcmDestination::AcmDestination(HttpTransport& transport, AwsCredentialsProvider& credentials, AcmOptions options)
    : options_(std::move(options)), client_(transport, credentials, AcmService(options_)) {}

SyncResult<std::string> AcmDestination::Import(const CertificateMaterial& material, const std::string& arn,
                                               const TagMap* tags) {
  SyncResult<json> answer =
      client_.Call("ImportCertificate", ImportCertificateBody(material, arn, tags), {material.private_key_pem.view()});
  if (!answer.ok()) return answer.error();
  return ReadCertificateArn(*answer);
}

SyncStatus AcmDestination::Delete(const std::string& arn) {
  SyncResult<json> answer = client_.Call("DeleteCertificate", {{"CertificateArn", arn}});
  if (!answer.ok() && !IsNotFound(answer.error())) return answer.error();
  return std::monostate{};
}

SyncResult<std::optional<std::string>> AcmDestination::FindTagged(const std::string& certificate_uid) {
  std::string next_token;
  do {
    SyncResult<json> answer = client_.Call("ListCertificates", ListCertificatesBody(next_token));
    if (!answer.ok()) return answer.error();
    SyncResult<CertificatePage> page = ReadCertificatePage(*answer);
    if (!page.ok()) return page.error();
    for (const std::string& arn : page->arns) {
      SyncResult<json> tags_answer = client_.Call("ListTagsForCertificate", {{"CertificateArn", arn}});
      if (!tags_answer.ok()) {
        if (IsNotFound(tags_answer.error())) continue;  // deleted since it was listed
        return tags_answer.error();
      }
      SyncResult<TagMap> tags = ReadTagList(*tags_answer, "Tags");
      if (!tags.ok()) return tags.error();
      if (TaggedFor(*tags, certificate_uid)) return std::optional<std::string>(arn);
    }
    next_token = page->next_token;
  } while (!next_token.empty());
  return std::optional<std::string>();
}

// After a re-import, certplane's tags are put back: AWS keeps tags across a re-import,
// but a server that drops them (moto does) would otherwise leave the certificate
// without the uid tag that a later push without its ARN finds it by, and a duplicate
// would follow. AddTagsToCertificate overwrites equal tags, so on AWS it changes
// nothing; it costs one call per renewal.
SyncResult<PushResult> AcmDestination::Retagged(const std::string& arn, const TagMap& tags, bool adopted) {
  SyncResult<json> added = client_.Call("AddTagsToCertificate", {{"CertificateArn", arn}, {"Tags", TagList(tags)}});
  if (!added.ok()) return added.error();
  return PushResult{.id = arn, .adopted = adopted};
}

SyncResult<PushResult> AcmDestination::Push(const PushTarget& target, const CertificateMaterial& material) {
  const TagMap tags = CertplaneTags(target, options_.tags);

  // The certificate this push replaces: the known one, else the one tagged for us.
  std::string existing = target.known_id;
  bool adopted = false;
  if (!existing.empty() && options_.preserve_arn) {
    // Re-import in place. Tags are not sent: AWS refuses them on a re-import, and the
    // ones set at the first import stay.
    SyncResult<std::string> arn = Import(material, existing, nullptr);
    if (arn.ok()) return Retagged(*arn, tags, false);
    if (!IsNotFound(arn.error())) return arn.error();
    existing.clear();  // deleted behind our back: look for another one of ours
  }
  if (existing.empty()) {
    SyncResult<std::optional<std::string>> found = FindTagged(target.certificate_uid);
    if (!found.ok()) return found.error();
    if (found->has_value()) {
      existing = **found;
      adopted = true;
    }
  }

  if (!existing.empty() && options_.preserve_arn) {
    SyncResult<std::string> arn = Import(material, existing, nullptr);
    if (!arn.ok()) return arn.error();
    return Retagged(*arn, tags, adopted);
  }

  SyncResult<std::string> arn = Import(material, "", &tags);
  if (!arn.ok()) return arn.error();
  if (!existing.empty() && existing != *arn) {
    // preserve_arn = false: the new certificate is in, so the old one can go. A failed
    // delete fails the push (the caller retries with the new ARN recorded nowhere), so
    // it is reported rather than leaving a stray certificate silently.
    SyncStatus deleted = Delete(existing);
    if (!deleted.ok()) {
      SyncError error = deleted.error();
      error.status = error.status.WithContext("imported " + *arn + " but could not delete the previous " + existing);
      return error;
    }
  }
  return PushResult{.id = *arn, .adopted = adopted};
}

SyncStatus AcmDestination::Remove(const PushTarget& target) {
  std::string arn = target.known_id;
  if (arn.empty()) {
    SyncResult<std::optional<std::string>> found = FindTagged(target.certificate_uid);
    if (!found.ok()) return found.error();
    if (!found->has_value()) return std::monostate{};
    arn = **found;
  }
  return Delete(arn);
}

}  // namespace certplane::sync::aws
