// KeyVaultDestination: pushes certplane certificates into an Azure Key Vault as Key
// Vault certificates (key, leaf and chain imported together, so App Gateway, Front Door
// and App Service can bind them), one certificate name per Certificate.
//
//   HttpsTransport transport({});
//   ClientSecretCredential tokens(transport, {.tenant_id = t, .client_id = c,
//                                             .scope = *KeyVaultScope(vault)}, secret);
//   KeyVaultDestination kv(transport, tokens, {.vault_url = vault});
//   SyncResult<PushResult> pushed = kv.Push({.certificate_uid = uid, .certificate = "shop/web",
//                                            .name = "shop-web"}, material);
//   // pushed->id: https://shop.vault.azure.net/certificates/shop-web/<version>
//
// Ownership: every version certplane imports carries the tag certplane.io/certificate-uid.
// A name that holds a certificate without our uid (someone else's, or another
// Certificate's) is never overwritten: Push answers kFailedPrecondition. Pushing again
// imports a new version, which Key Vault's consumers pick up as the latest.
//
// Soft delete: Remove deletes and then purges, so the name can be reused; with purge
// protection (purge answers 403) the certificate stays soft-deleted and Remove is done.
// A later Push to a name that is soft-deleted and ours recovers it and imports a new
// version; one that is soft-deleted and not ours is kFailedPrecondition with Key Vault's
// message.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "pki/pkcs12.h"
#include "sync/azure/import_value.h"
#include "sync/azure/key_vault_wire.h"
#include "sync/azure/token.h"
#include "sync/destination.h"
#include "sync/exchange.h"

namespace certplane::sync::azure {

struct KeyVaultOptions {
  std::string vault_url;  // https://{vault-name}.vault.azure.net
  using Format = KeyVaultFormat;
  Format format = Format::kPkcs12;
  // Added to every version's tags; certplane's own tags (destination.h) win over these.
  std::map<std::string, std::string> tags;
  std::string api_version = "7.4";
  // PKCS#12 encryption (import_value.h says why legacy).
  pki::Pkcs12Profile pkcs12_profile = pki::Pkcs12Profile::kLegacy;
  // The bounded wait for a recovered certificate to come back, and for a deleted one to
  // become purgeable (Key Vault finishes both in the background).
  std::chrono::milliseconds poll_interval{500};
  int poll_attempts = 20;
};

class KeyVaultDestination final : public Destination {
 public:
  // `transport` and `tokens` must outlive the destination. Safe to call from several
  // threads at once when they are (both production implementations are).
  KeyVaultDestination(HttpTransport& transport, AzureTokenProvider& tokens, KeyVaultOptions options);

  // target.name is the certificate name (InvalidArgument unless 1-127 of [0-9a-zA-Z-]).
  // Returns the new version's id and version; adopted when the name already held our
  // certificate. Errors: the token's, KeyVaultError's mapping, kFailedPrecondition for a
  // name held by another, kInvalidArgument for material Key Vault cannot hold (Ed25519).
  SyncResult<PushResult> Push(const PushTarget& target, const CertificateMaterial& material) override;

  // Deletes and purges target.name when it is ours; OK when nothing is there (also when
  // a soft-deleted certificate there is not ours); kFailedPrecondition when a live
  // certificate there is not ours.
  SyncStatus Remove(const PushTarget& target) override;

 private:
  struct Call;
  SyncResult<PushResult> Import(Call& call, const PushTarget& target, const SensitiveString& body, bool adopted);
  SyncStatus RecoverOurs(Call& call, const PushTarget& target, const SyncError& conflict);
  SyncStatus Purge(Call& call, const PushTarget& target);

  HttpTransport& transport_;
  AzureTokenProvider& tokens_;
  const KeyVaultOptions options_;
  const KeyVaultRequests requests_;
};

}  // namespace certplane::sync::azure
