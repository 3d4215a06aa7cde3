#include "sync/azure/key_vault.h"

#include <openssl/crypto.h>

#include <optional>
#include <thread>
#include <utility>

namespace certplane::sync::azure {

// One Push or Remove: its token, the words its errors start with, and the exchange.
struct KeyVaultDestination::Call {
  HttpTransport& transport;
  AzureTokenProvider& tokens;
  SensitiveString token;
  std::string context;  // "pushing certificate web to https://v.vault.azure.net"

  // The response whatever its status, or the transport's failure as a SyncError.
  SyncResult<HttpResponse> Send(HttpRequest request) {
    Result<HttpResponse> response = transport.Send(request);
    // The import body holds the key: wipe our copy rather than leave it in freed memory.
    OPENSSL_cleanse(request.body.data(), request.body.size());
    for (auto& [name, value] : request.headers) OPENSSL_cleanse(value.data(), value.size());
    if (!response.ok()) return SyncError{.status = response.status().WithContext(context), .code = "TransportError"};
    return std::move(*response);
  }

  SyncError Failed(const HttpResponse& response, std::string_view doing) const {
    SyncError error = KeyVaultError(response, tokens.tenant_id());
    error.status = error.status.WithContext(context + ": " + std::string(doing));
    return error;
  }

  SyncError Wrap(SyncError error) const {
    error.status = error.status.WithContext(context);
    return error;
  }
};

namespace {

bool Ours(const CertificateBundle& bundle, const PushTarget& target) {
  auto it = bundle.tags.find(kCertificateUidTag);
  return it != bundle.tags.end() && it->second == target.certificate_uid;
}

std::string Owner(const CertificateBundle& bundle) {
  auto it = bundle.tags.find(kCertificateUidTag);
  return it == bundle.tags.end() ? "it has no " + std::string(kCertificateUidTag) + " tag"
                                 : "it is tagged for Certificate uid " + it->second;
}

// A certificate of that name that another Certificate or someone else holds.
SyncError NotOwned(const PushTarget& target, const std::string& vault_url, const CertificateBundle& bundle,
                   const char* doing) {
  return SyncError{.status = FailedPrecondition("certificate " + target.name + " in " + vault_url +
                                                " exists and is not certplane's: " + Owner(bundle))
                                 .WithContext(std::string(doing) + " " + target.certificate),
                   .code = "NotOwned"};
}

}  // namespace

KeyVaultDestination::KeyVaultDestination(HttpTransport& transport, AzureTokenProvider& tokens, KeyVaultOptions options)
    : transport_(transport),
      tokens_(tokens),
      options_(std::move(options)),
      requests_(options_.vault_url, options_.api_version) {}

SyncResult<PushResult> KeyVaultDestination::Push(const PushTarget& target, const CertificateMaterial& material) {
  const std::string context =
      "pushing " + target.certificate + " to certificate " + target.name + " in " + requests_.vault_url();
  if (Status valid = ValidateCertificateName(target.name); !valid.ok()) {
    return SyncError{.status = valid.WithContext(context), .code = "InvalidName"};
  }
  Result<ImportValue> value = BuildImportValue(material, options_.format, options_.pkcs12_profile);
  if (!value.ok()) return SyncError{.status = value.status().WithContext(context), .code = "InvalidMaterial"};
  std::map<std::string, std::string> tags = options_.tags;
  tags[kCertificateUidTag] = target.certificate_uid;
  tags[kCertificateTag] = target.certificate;
  tags[kSerialTag] = material.serial_hex;
  const SensitiveString body = BuildImportBody(*value, tags);

  SyncResult<AccessToken> token = tokens_.Get();
  if (!token.ok()) return token.error();
  Call call{transport_, tokens_, token->token, context};

  SyncResult<HttpResponse> existing = call.Send(requests_.GetCertificate(target.name, call.token));
  if (!existing.ok()) return existing.error();
  bool adopted = false;
  if (existing->status == 200) {
    SyncResult<CertificateBundle> bundle = ParseCertificateBundle(existing->body);
    if (!bundle.ok()) return call.Wrap(bundle.error());
    if (!Ours(*bundle, target)) {
      return NotOwned(target, requests_.vault_url(), *bundle, "pushing");
    }
    adopted = true;
  } else if (existing->status != 404) {
    return call.Failed(*existing, "reading the certificate");
  }
  SyncResult<PushResult> pushed = Import(call, target, body, adopted);
  if (!pushed.ok() && pushed.error().status.code() == StatusCode::kFailedPrecondition &&
      pushed.error().code == "Conflict") {
    // Key Vault's answer to importing a name that is soft-deleted.
    SyncStatus recovered = RecoverOurs(call, target, pushed.error());
    if (!recovered.ok()) return recovered.error();
    pushed = Import(call, target, body, /*adopted=*/true);
  }
  return pushed;
}

SyncResult<PushResult> KeyVaultDestination::Import(Call& call, const PushTarget& target, const SensitiveString& body,
                                                   bool adopted) {
  SyncResult<HttpResponse> imported = call.Send(requests_.Import(target.name, body.view(), call.token));
  if (!imported.ok()) return imported.error();
  if (imported->status != 200) return call.Failed(*imported, "importing");
  SyncResult<CertificateBundle> bundle = ParseCertificateBundle(imported->body);
  if (!bundle.ok()) return call.Wrap(bundle.error());
  return PushResult{.id = bundle->id, .version = bundle->version, .adopted = adopted};
}

SyncStatus KeyVaultDestination::RecoverOurs(Call& call, const PushTarget& target, const SyncError& conflict) {
  SyncResult<HttpResponse> deleted = call.Send(requests_.GetDeleted(target.name, call.token));
  if (!deleted.ok()) return deleted.error();
  if (deleted->status == 404) return conflict;  // a conflict of another kind: report Key Vault's words
  if (deleted->status != 200) return call.Failed(*deleted, "reading the deleted certificate");
  SyncResult<CertificateBundle> bundle = ParseCertificateBundle(deleted->body);
  if (!bundle.ok()) return call.Wrap(bundle.error());
  if (!Ours(*bundle, target)) {
    SyncError error = conflict;
    error.status = FailedPrecondition(conflict.status.message() +
                                      " (the deleted certificate is not certplane's: " + Owner(*bundle) + ")");
    return error;
  }
  SyncResult<HttpResponse> recovered = call.Send(requests_.Recover(target.name, call.token));
  if (!recovered.ok()) return recovered.error();
  if (recovered->status != 200) return call.Failed(*recovered, "recovering the deleted certificate");
  // Recovery finishes in the background; the certificate answers GET when it is back.
  for (int attempt = 0; attempt < options_.poll_attempts; ++attempt) {
    SyncResult<HttpResponse> back = call.Send(requests_.GetCertificate(target.name, call.token));
    if (!back.ok()) return back.error();
    if (back->status == 200) return std::monostate{};
    if (back->status != 404) return call.Failed(*back, "waiting for the recovered certificate");
    std::this_thread::sleep_for(options_.poll_interval);
  }
  return SyncError{.status = Unavailable(call.context + ": the recovered certificate is not back yet after " +
                                         std::to_string(options_.poll_attempts) + " checks"),
                   .code = "RecoveryPending"};
}

SyncStatus KeyVaultDestination::Remove(const PushTarget& target) {
  const std::string context =
      "removing " + target.certificate + " from certificate " + target.name + " in " + requests_.vault_url();
  if (Status valid = ValidateCertificateName(target.name); !valid.ok()) {
    return SyncError{.status = valid.WithContext(context), .code = "InvalidName"};
  }
  SyncResult<AccessToken> token = tokens_.Get();
  if (!token.ok()) return token.error();
  Call call{transport_, tokens_, token->token, context};

  SyncResult<HttpResponse> existing = call.Send(requests_.GetCertificate(target.name, call.token));
  if (!existing.ok()) return existing.error();
  if (existing->status == 200) {
    SyncResult<CertificateBundle> bundle = ParseCertificateBundle(existing->body);
    if (!bundle.ok()) return call.Wrap(bundle.error());
    if (!Ours(*bundle, target)) {
      return NotOwned(target, requests_.vault_url(), *bundle, "removing");
    }
    SyncResult<HttpResponse> deleted = call.Send(requests_.Delete(target.name, call.token));
    if (!deleted.ok()) return deleted.error();
    if (deleted->status != 200 && deleted->status != 404) return call.Failed(*deleted, "deleting");
    return Purge(call, target);
  }
  if (existing->status != 404) return call.Failed(*existing, "reading the certificate");
  // Nothing live: an earlier Remove may have deleted it and failed to purge.
  SyncResult<HttpResponse> deleted = call.Send(requests_.GetDeleted(target.name, call.token));
  if (!deleted.ok()) return deleted.error();
  if (deleted->status == 404) return std::monostate{};
  if (deleted->status != 200) return call.Failed(*deleted, "reading the deleted certificate");
  SyncResult<CertificateBundle> bundle = ParseCertificateBundle(deleted->body);
  if (!bundle.ok()) return call.Wrap(bundle.error());
  if (!Ours(*bundle, target)) return std::monostate{};  // someone else's deleted certificate: none of ours is there
  return Purge(call, target);
}

SyncStatus KeyVaultDestination::Purge(Call& call, const PushTarget& target) {
  for (int attempt = 0;; ++attempt) {
    SyncResult<HttpResponse> purged = call.Send(requests_.Purge(target.name, call.token));
    if (!purged.ok()) return purged.error();
    // 204 purged; 404 nothing to purge (a vault without soft delete deleted it for
    // good); 403 purge protection (or no purge permission): it stays soft-deleted, and
    // a later Push of ours recovers it.
    if (purged->status == 204 || purged->status == 200 || purged->status == 404 || purged->status == 403) {
      return std::monostate{};
    }
    // 409: the deletion is still being finished in the background.
    if (purged->status != 409 || attempt + 1 >= options_.poll_attempts) return call.Failed(*purged, "purging");
    std::this_thread::sleep_for(options_.poll_interval);
  }
}

}  // namespace certplane::sync::azure
