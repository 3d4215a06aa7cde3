#include "reconcile/caches.h"

#include <algorithm>

#include "api/certificate_authority_json.h"
#include "api/certificate_json.h"
#include "api/certificate_packed.h"
#include "api/certificate_profile_json.h"
#include "api/certificate_sync_json.h"
#include "api/certificate_template_json.h"
#include "api/well_known.h"

namespace certplane::reconcile {
namespace {

template <typename T>
kube::InformerOptions<T> Options(const kube::GroupVersionResource& resource,
                                 std::function<Result<T>(const nlohmann::json&)> decode) {
  kube::InformerOptions<T> o;
  o.resource = resource;
  o.decode = std::move(decode);
  return o;
}

// A Certificate as the controllers read it: without status.certificate (a CSR-enrolled
// certificate's chain, which no controller reads; readers GET the object). spec.csr
// stays: the reconciler judges it whenever the spec changes.
Result<api::Certificate> DecodeCachedCertificate(const nlohmann::json& object) {
  Result<api::Certificate> out = api::DecodeCertificate(object);
  if (out.ok()) out->status.certificate.clear();
  return out;
}

kube::InformerOptions<api::Certificate> CertificateOptions() {
  auto o = Options<api::Certificate>(api::kCertificatesResource, DecodeCachedCertificate);
  // 10,000 Certificates: 3 MiB packed, 16 MiB as structs.
  o.codec = {.pack = api::PackCertificate, .unpack = api::UnpackCertificate};
  o.indexers[kByProfile] = [](const api::Certificate& c) { return std::vector<std::string>{c.spec.profile_ref.name}; };
  o.indexers[kByNamespace] = [](const api::Certificate& c) { return std::vector<std::string>{c.metadata.ns}; };
  o.indexers[kBySecret] = [](const api::Certificate& c) {
    if (c.spec.secret_name.empty()) return std::vector<std::string>{};
    return std::vector<std::string>{c.metadata.ns + "/" + c.spec.secret_name};
  };
  o.indexers[kByCrlShard] = [](const api::Certificate& c) {
    if (c.status.ca_name.empty() || c.status.serial_number.empty()) return std::vector<std::string>{};
    return std::vector<std::string>{CrlShardIndexKey(c.status.ca_name, c.status.crl_shard.value_or(0))};
  };
  o.indexers[kByIssuingCa] = [](const api::Certificate& c) {
    std::vector<std::string> cas;
    if (!c.status.ca_name.empty() && !c.status.serial_number.empty()) cas.push_back(c.status.ca_name);
    for (const auto& h : c.status.history) {
      if (!h.ca_name.empty() && std::find(cas.begin(), cas.end(), h.ca_name) == cas.end()) cas.push_back(h.ca_name);
    }
    return cas;
  };
  o.indexers[kByIssuedSerial] = [](const api::Certificate& c) {
    std::vector<std::string> keys;
    if (!c.status.ca_name.empty() && !c.status.serial_number.empty()) {
      keys.push_back(IssuedSerialIndexKey(c.status.ca_name, c.status.serial_number));
    }
    for (const auto& h : c.status.history) {
      if (!h.ca_name.empty() && !h.serial_number.empty())
        keys.push_back(IssuedSerialIndexKey(h.ca_name, h.serial_number));
    }
    return keys;
  };
  return o;
}

kube::InformerOptions<api::CertificateSync> SyncOptions() {
  auto o = Options<api::CertificateSync>(api::kCertificateSyncsResource, api::DecodeCertificateSync);
  o.indexers[kByNamespace] = [](const api::CertificateSync& s) { return std::vector<std::string>{s.metadata.ns}; };
  return o;
}

kube::InformerOptions<api::CertificateProfile> ProfileOptions() {
  auto o = Options<api::CertificateProfile>(api::kCertificateProfilesResource, api::DecodeCertificateProfile);
  o.indexers[kByCa] = [](const api::CertificateProfile& p) { return std::vector<std::string>{p.spec.ca_ref.name}; };
  o.indexers[kByTemplate] = [](const api::CertificateProfile& p) {
    return std::vector<std::string>{p.spec.template_ref.name};
  };
  return o;
}

kube::InformerOptions<api::CertificateAuthority> CaOptions() {
  auto o = Options<api::CertificateAuthority>(api::kCertificateAuthoritiesResource, api::DecodeCertificateAuthority);
  o.indexers[kByParent] = [](const api::CertificateAuthority& ca) {
    return ca.spec.parent_ref ? std::vector<std::string>{ca.spec.parent_ref->name} : std::vector<std::string>{};
  };
  return o;
}

kube::InformerOptions<CertificateSecret> CertificateSecretOptions(std::shared_ptr<SecretFactsMemo> written) {
  auto o = Options<CertificateSecret>(kube::kSecrets, [written = std::move(written)](const nlohmann::json& secret) {
    return DecodeCertificateSecret(secret, written.get());
  });
  // Only the Secrets certplane wrote: never the data of every Secret in the cluster.
  o.label_selector = std::string(api::kCertificateNameLabel);
  o.name = "certificate-secrets";
  return o;
}

kube::InformerOptions<CaKeySecret> CaKeySecretOptions(const std::string& ns) {
  auto o = Options<CaKeySecret>(kube::kSecrets, DecodeCaKeySecret);
  o.ns = ns;
  o.label_selector = std::string(kCaNameLabel);
  o.name = "ca-key-secrets";
  return o;
}

kube::InformerOptions<crl::CrlConfigMap> CrlConfigMapOptions(const std::string& ns) {
  auto o = Options<crl::CrlConfigMap>(kube::kConfigMaps, crl::DecodeCrlConfigMap);
  o.ns = ns;
  o.label_selector = std::string(api::kCrlShardLabel);
  o.name = "crl-config-maps";
  o.indexers[kByCrlCa] = [](const crl::CrlConfigMap& c) {
    return c.ca_name.empty() ? std::vector<std::string>{} : std::vector<std::string>{c.ca_name};
  };
  return o;
}

kube::InformerOptions<OcspSignerSecret> OcspSignerSecretOptions(const std::string& ns) {
  auto o = Options<OcspSignerSecret>(kube::kSecrets, DecodeOcspSignerSecret);
  o.ns = ns;
  o.label_selector = std::string(kOcspSignerOfLabel);
  o.name = "ocsp-signer-secrets";
  return o;
}

kube::InformerOptions<IssuedSerials> IssuedSerialsOptions(const std::string& ns) {
  auto o = Options<IssuedSerials>(kube::kConfigMaps, DecodeIssuedSerialsConfigMap);
  o.ns = ns;
  o.label_selector = std::string(kIssuedSerialsOfLabel);
  o.name = "issued-serials";
  o.indexers[kByRecordCa] = [](const IssuedSerials& r) {
    return r.ca_name.empty() ? std::vector<std::string>{} : std::vector<std::string>{r.ca_name};
  };
  return o;
}

kube::InformerOptions<kube::PartialObjectMetadata> NamespaceOptions() {
  kube::InformerOptions<kube::PartialObjectMetadata> o;
  o.resource = kube::kNamespaces;
  o.metadata_only = true;
  return o;
}

template <typename T>
std::vector<std::shared_ptr<const T>> ByIndex(const kube::Informer<T>& informer, const char* index,
                                              const std::string& value) {
  return informer.store().ByIndex(index, value);
}

}  // namespace

Caches::Caches(const std::shared_ptr<kube::Client>& client, const CachesOptions& options)
    : cas(client, CaOptions()),
      templates(client,
                Options<api::CertificateTemplate>(api::kCertificateTemplatesResource, api::DecodeCertificateTemplate)),
      profiles(client, ProfileOptions()),
      certificates(client, CertificateOptions()),
      syncs(client, SyncOptions()),
      certificate_secrets(client, CertificateSecretOptions(written_secret_facts)),
      ca_key_secrets(client, CaKeySecretOptions(options.controller_namespace)),
      namespaces(client, NamespaceOptions()),
      crl_config_maps(client, CrlConfigMapOptions(options.controller_namespace)),
      ocsp_signer_secrets(client, OcspSignerSecretOptions(options.controller_namespace)),
      issued_serials(client, IssuedSerialsOptions(options.controller_namespace)),
      controller_namespace_(options.controller_namespace) {}

void Caches::Start() {
  cas.Start();
  templates.Start();
  profiles.Start();
  certificates.Start();
  syncs.Start();
  certificate_secrets.Start();
  ca_key_secrets.Start();
  namespaces.Start();
  crl_config_maps.Start();
  ocsp_signer_secrets.Start();
  issued_serials.Start();
}

void Caches::Stop() {
  issued_serials.Stop();
  ocsp_signer_secrets.Stop();
  crl_config_maps.Stop();
  namespaces.Stop();
  ca_key_secrets.Stop();
  certificate_secrets.Stop();
  syncs.Stop();
  certificates.Stop();
  profiles.Stop();
  templates.Stop();
  cas.Stop();
}

bool Caches::WaitForSync(kube::Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left = [&] { return std::chrono::duration_cast<kube::Duration>(deadline - std::chrono::steady_clock::now()); };
  return cas.WaitForSync(left()) && templates.WaitForSync(left()) && profiles.WaitForSync(left()) &&
         certificates.WaitForSync(left()) && syncs.WaitForSync(left()) && certificate_secrets.WaitForSync(left()) &&
         ca_key_secrets.WaitForSync(left()) && namespaces.WaitForSync(left()) && crl_config_maps.WaitForSync(left()) &&
         ocsp_signer_secrets.WaitForSync(left()) && issued_serials.WaitForSync(left());
}

bool Caches::HasSynced() const {
  return cas.HasSynced() && templates.HasSynced() && profiles.HasSynced() && certificates.HasSynced() &&
         syncs.HasSynced() && certificate_secrets.HasSynced() && ca_key_secrets.HasSynced() && namespaces.HasSynced() &&
         crl_config_maps.HasSynced() && ocsp_signer_secrets.HasSynced() && issued_serials.HasSynced();
}

std::vector<std::shared_ptr<const api::Certificate>> Caches::CertificatesNamingSecret(const std::string& ns,
                                                                                      const std::string& name) const {
  return ByIndex(certificates, kBySecret, ns + "/" + name);
}

std::vector<std::shared_ptr<const api::CertificateProfile>> Caches::ProfilesOfCa(const std::string& ca) const {
  return ByIndex(profiles, kByCa, ca);
}

std::vector<std::shared_ptr<const api::CertificateProfile>> Caches::ProfilesOfTemplate(const std::string& tmpl) const {
  return ByIndex(profiles, kByTemplate, tmpl);
}

std::vector<std::shared_ptr<const api::CertificateAuthority>> Caches::ChildrenOfCa(const std::string& ca) const {
  return ByIndex(cas, kByParent, ca);
}

kube::StringMap Caches::NamespaceLabels(const std::string& ns) const {
  auto obj = namespaces.store().Get(ns);
  return obj ? obj->metadata.labels : kube::StringMap();
}

std::vector<std::shared_ptr<const crl::CrlConfigMap>> Caches::CrlShardsOfCa(const std::string& ca) const {
  return ByIndex(crl_config_maps, kByCrlCa, ca);
}

std::shared_ptr<const crl::CrlConfigMap> Caches::CrlShard(const std::string& ca, std::int32_t shard) const {
  std::string name = crl::CrlConfigMapName(ca, shard);
  auto obj = crl_config_maps.store().Get(controller_namespace_.empty() ? name : controller_namespace_ + "/" + name);
  // "certplane-crl-a.shard-1" is also shard 0 of a CA named "a.shard-1": the labels decide.
  // Labels that could not be read do not disqualify it: it is served as unusable.
  if (obj && ((!obj->ca_name.empty() && obj->ca_name != ca) || (obj->shard >= 0 && obj->shard != shard)))
    return nullptr;
  return obj;
}

}  // namespace certplane::reconcile

namespace certplane::reconcile {

std::shared_ptr<const OcspSignerSecret> Caches::OcspSignersOf(const std::string& ca) const {
  const std::string name = OcspSignerSecretName(ca);
  auto obj = ocsp_signer_secrets.store().Get(controller_namespace_.empty() ? name : controller_namespace_ + "/" + name);
  return obj && obj->ca_name == ca ? obj : nullptr;
}

std::vector<std::shared_ptr<const IssuedSerials>> Caches::IssuedSerialsOf(const std::string& ca) const {
  std::vector<std::shared_ptr<const IssuedSerials>> shards;
  for (auto& shard : ByIndex(issued_serials, kByRecordCa, ca)) {
    // Only the shard's own name counts: a copy under another name (someone's kubectl
    // apply) would be a second source of truth. The informer watches the controller's
    // namespace alone.
    if (shard->shard >= 0 && shard->metadata.name == IssuedSerialsConfigMapName(ca, shard->shard)) {
      shards.push_back(std::move(shard));
    }
  }
  std::sort(shards.begin(), shards.end(), [](const auto& a, const auto& b) { return a->shard < b->shard; });
  return shards;
}

}  // namespace certplane::reconcile
