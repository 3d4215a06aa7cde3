#include "reconcile/sync_destinations.h"

#include <utility>

#include "sync/aws/acm.h"
#include "sync/aws/credentials.h"
#include "sync/aws/secrets_manager.h"
#include "sync/azure/key_vault.h"
#include "sync/azure/token.h"
#include "sync/https_transport.h"

namespace certplane::reconcile {
namespace {

// The audiences the identity providers expect of a federated ServiceAccount token.
constexpr const char* kAwsAudience = "sts.amazonaws.com";
constexpr const char* kAzureAudience = "api://AzureADTokenExchange";

// Owns everything a destination refers to, and forwards to it: the transport, the
// credentials provider, and the destination itself, destroyed in reverse order.
class OwningDestination final : public sync::Destination {
 public:
  explicit OwningDestination(std::unique_ptr<sync::HttpTransport> transport) : transport_(std::move(transport)) {}
  sync::HttpTransport& transport() { return *transport_; }
  void Hold(std::shared_ptr<void> dependency) { held_.push_back(std::move(dependency)); }
  void Set(std::unique_ptr<sync::Destination> dest) { dest_ = std::move(dest); }

  sync::SyncResult<sync::PushResult> Push(const sync::PushTarget& target,
                                          const sync::CertificateMaterial& material) override {
    return dest_->Push(target, material);
  }
  sync::SyncStatus Remove(const sync::PushTarget& target) override { return dest_->Remove(target); }

 private:
  std::unique_ptr<sync::HttpTransport> transport_;
  std::vector<std::shared_ptr<void>> held_;
  std::unique_ptr<sync::Destination> dest_;  // declared last: destroyed first
};

Result<std::string> Require(const SyncCredentials& creds, const char* key, const std::string& secret) {
  auto it = creds.secret_data.find(key);
  if (it == creds.secret_data.end() || it->second.empty()) {
    return InvalidArgument("the credentials Secret " + secret + " has no key " + key);
  }
  return std::string(it->second.view());
}

Result<std::shared_ptr<sync::aws::AwsCredentialsProvider>> AwsProvider(const api::AwsAuth& auth,
                                                                       const std::string& region,
                                                                       const std::string& endpoint,
                                                                       const SyncCredentials& creds,
                                                                       sync::HttpTransport& transport) {
  if (auth.web_identity) {
    if (!creds.service_account_token) return Internal("no ServiceAccount token source for web identity");
    sync::aws::WebIdentityOptions o;
    o.role_arn = auth.web_identity->role_arn;
    o.session_name = "certplane-" + auth.web_identity->service_account_name;
    o.region = region;
    o.endpoint = endpoint;  // an endpoint override (a partition, the tests' moto) serves STS too
    o.token = [source = creds.service_account_token] { return source(kAwsAudience); };
    return std::shared_ptr<sync::aws::AwsCredentialsProvider>(
        std::make_shared<sync::aws::WebIdentityAwsCredentials>(transport, std::move(o)));
  }
  sync::aws::AwsCredentials c;
  Result<std::string> id = Require(creds, "accessKeyID", auth.secret_name);
  if (!id.ok()) return id.status();
  Result<std::string> secret = Require(creds, "secretAccessKey", auth.secret_name);
  if (!secret.ok()) return secret.status();
  c.access_key_id = *id;
  c.secret_access_key = SensitiveString(*secret);
  if (auto it = creds.secret_data.find("sessionToken"); it != creds.secret_data.end()) c.session_token = it->second;
  return std::shared_ptr<sync::aws::AwsCredentialsProvider>(
      std::make_shared<sync::aws::StaticAwsCredentials>(std::move(c)));
}

std::vector<sync::aws::SecretField> SecretFields(const std::vector<std::string>& names) {
  std::vector<sync::aws::SecretField> out;
  for (const auto& field : sync::aws::DefaultSecretFields()) {
    if (std::find(names.begin(), names.end(), field.key) != names.end()) out.push_back(field);
  }
  return out;
}

class CloudDestinationFactory final : public DestinationFactory {
 public:
  Result<std::shared_ptr<sync::Destination>> Make(const api::CertificateSync& s,
                                                  const SyncCredentials& creds) override {
    auto owner = std::make_shared<OwningDestination>(
        std::make_unique<sync::HttpsTransport>(sync::HttpsTransportOptions{.ca_bundle_pem = s.spec.ca_bundle}));
    if (const auto& acm = s.spec.aws_certificate_manager) {
      auto provider = AwsProvider(acm->auth, acm->region, acm->endpoint, creds, owner->transport());
      if (!provider.ok()) return provider.status();
      owner->Hold(*provider);
      sync::aws::AcmOptions o;
      o.region = acm->region;
      o.endpoint = acm->endpoint;
      o.preserve_arn = acm->preserve_arn;
      for (const auto& [k, v] : acm->tags) o.tags[k] = v;
      owner->Set(std::make_unique<sync::aws::AcmDestination>(owner->transport(), **provider, std::move(o)));
    } else if (const auto& sm = s.spec.aws_secrets_manager) {
      auto provider = AwsProvider(sm->auth, sm->region, sm->endpoint, creds, owner->transport());
      if (!provider.ok()) return provider.status();
      owner->Hold(*provider);
      sync::aws::SecretsManagerOptions o;
      o.region = sm->region;
      o.endpoint = sm->endpoint;
      o.kms_key_id = sm->kms_key_id;
      o.fields = SecretFields(sm->fields);
      for (const auto& [k, v] : sm->tags) o.tags[k] = v;
      owner->Set(std::make_unique<sync::aws::SecretsManagerDestination>(owner->transport(), **provider, std::move(o)));
    } else if (const auto& kv = s.spec.azure_key_vault) {
      sync::azure::AzureCredentialOptions o;
      Result<std::string> scope = sync::azure::KeyVaultScope(kv->vault_url);
      if (!scope.ok()) return scope.status();
      o.scope = *scope;
      if (!kv->auth.authority_host.empty()) o.authority = kv->auth.authority_host;
      std::shared_ptr<sync::azure::AzureTokenProvider> tokens;
      if (const auto& wi = kv->auth.workload_identity) {
        if (!creds.service_account_token) return Internal("no ServiceAccount token source for workload identity");
        o.tenant_id = wi->tenant_id;
        o.client_id = wi->client_id;
        tokens = std::make_shared<sync::azure::ClientAssertionCredential>(
            owner->transport(), std::move(o),
            [source = creds.service_account_token] { return source(kAzureAudience); });
      } else {
        Result<std::string> tenant = Require(creds, "tenantID", kv->auth.secret_name);
        if (!tenant.ok()) return tenant.status();
        Result<std::string> client = Require(creds, "clientID", kv->auth.secret_name);
        if (!client.ok()) return client.status();
        Result<std::string> secret = Require(creds, "clientSecret", kv->auth.secret_name);
        if (!secret.ok()) return secret.status();
        o.tenant_id = *tenant;
        o.client_id = *client;
        tokens = std::make_shared<sync::azure::ClientSecretCredential>(owner->transport(), std::move(o),
                                                                       SensitiveString(*secret));
      }
      owner->Hold(tokens);
      sync::azure::KeyVaultOptions ko;
      ko.vault_url = kv->vault_url;
      ko.format = kv->format == "PEM" ? sync::azure::KeyVaultOptions::Format::kPem
                                      : sync::azure::KeyVaultOptions::Format::kPkcs12;
      for (const auto& [k, v] : kv->tags) ko.tags[k] = v;
      owner->Set(std::make_unique<sync::azure::KeyVaultDestination>(owner->transport(), *tokens, std::move(ko)));
    } else {
      return InvalidArgument("the sync names no destination");
    }
    return std::shared_ptr<sync::Destination>(owner);
  }
};

}  // namespace

std::unique_ptr<DestinationFactory> MakeCloudDestinationFactory() {
  return std::make_unique<CloudDestinationFactory>();
}

}  // namespace certplane::reconcile
