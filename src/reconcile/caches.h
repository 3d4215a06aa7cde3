// Caches: the informers the reconcilers read from, with the indexes that answer
// "which objects depend on this one?".
//
//   Caches caches(client, {.controller_namespace = "certplane-system"});
//   caches.Start();
//   if (!caches.WaitForSync(std::chrono::minutes(2))) ...
//   auto cert = caches.certificates.store().Get("shop/frontend");
//   caches.ForEachCertificateOfProfile("web", [](const auto& c) { ... });
//
// Every cached object is a trimmed, typed struct (DESIGN.md): the four certplane kinds
// (Certificates without status.certificate, which only readers of the object need, and
// packed: a read unpacks one),
// certificate Secrets and CA key Secrets reduced to facts (cached_secrets.h), and
// namespaces as metadata only (their labels feed the profiles' namespace selectors),
// and the CRL ConfigMaps in the controller's namespace reduced to their DER CRL
// (crl_config_map.h), which every replica serves over HTTP; and what the OCSP
// responder of every replica reads (ocsp_material.h): the responder Secrets, with their
// delegated keys, and the records of issued serials.
//
// Thread-safe with no lock of its own: each informer's store locks itself
// (kube/store.h, whose members the thread-safety analysis checks), and Caches holds
// nothing else that changes after construction.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/catalog.h"
#include "api/certificate.h"
#include "api/certificate_authority.h"
#include "api/certificate_profile.h"
#include "api/certificate_sync.h"
#include "api/certificate_template.h"
#include "api/resources.h"
#include "crl/crl_config_map.h"
#include "kube/informer.h"
#include "kube/resource.h"
#include "reconcile/cached_secrets.h"
#include "reconcile/ocsp_material.h"
#include "reconcile/secret_facts_memo.h"

namespace certplane::reconcile {

// Index names.
inline constexpr const char* kByProfile = "profile";      // Certificates by spec.profileRef
inline constexpr const char* kByNamespace = "namespace";  // Certificates (and CertificateSyncs) by namespace
inline constexpr const char* kBySecret = "secret";        // Certificates by "<namespace>/<spec.secretName>"
inline constexpr const char* kByCa = "ca";                // Profiles by spec.caRef
inline constexpr const char* kByTemplate = "template";    // Profiles by spec.templateRef
inline constexpr const char* kByParent = "parent";        // CAs by spec.parentRef
// Certificates by the CRL shard their current serial is on: "<status.caName>/<crlShard>".
inline constexpr const char* kByCrlShard = "crl-shard";
inline std::string CrlShardIndexKey(const std::string& ca, std::int32_t shard) {
  return ca + "/" + std::to_string(shard);
}
inline constexpr const char* kByCrlCa = "crl-ca";  // CRL ConfigMaps by their CA's name
// Certificates by every CA that issued one of their serials (status.caName and history).
inline constexpr const char* kByIssuingCa = "issuing-ca";
// Certificates by "<ca>/<serial hex>" of every serial they name (current and history).
inline constexpr const char* kByIssuedSerial = "issued-serial";
inline constexpr const char* kByRecordCa = "record-ca";  // issued-serials records by their CA's name
inline std::string IssuedSerialIndexKey(const std::string& ca, const std::string& serial_hex) {
  return ca + "/" + serial_hex;
}

struct CachesOptions {
  std::string controller_namespace;
};

class Caches final : public api::Catalog {
 public:
  Caches(const std::shared_ptr<kube::Client>& client, const CachesOptions& options);

  void Start();
  void Stop();
  bool WaitForSync(kube::Duration timeout);
  bool HasSynced() const;

  // Certificates are cached packed (api/certificate_packed.h): every one a read returns
  // is unpacked, a microsecond or two apiece, and is the reader's own. Readers of many
  // visit them one at a time (in key order), so that 10,000 are never unpacked at
  // once; to fan out, take the keys.
  using CertificateVisitor = api::Catalog::CertificateVisitor;
  void ForEachCertificateOfProfile(const std::string& profile, const CertificateVisitor& visit) const override {
    certificates.store().ForEachByIndex(kByProfile, profile, visit);
  }
  std::shared_ptr<const api::CertificateAuthority> Authority(const std::string& name) const override {
    return cas.store().Get(name);
  }
  std::shared_ptr<const api::CertificateTemplate> Template(const std::string& name) const override {
    return templates.store().Get(name);
  }
  std::shared_ptr<const api::CertificateProfile> Profile(const std::string& name) const override {
    return profiles.store().Get(name);
  }
  void ForEachCertificate(const CertificateVisitor& visit) const { certificates.store().ForEach(visit); }
  std::vector<std::string> CertificateKeysOfProfile(const std::string& profile) const {
    return certificates.store().IndexKeys(kByProfile, profile);
  }
  std::vector<std::string> CertificateKeysInNamespace(const std::string& ns) const {
    return certificates.store().IndexKeys(kByNamespace, ns);
  }
  // Every Certificate whose spec.secretName is `name` in namespace `ns`.
  std::vector<std::shared_ptr<const api::Certificate>> CertificatesNamingSecret(const std::string& ns,
                                                                                const std::string& name) const;
  // The CertificateSyncs of a namespace (a handful at most: syncs are few).
  std::vector<std::string> SyncKeysInNamespace(const std::string& ns) const {
    return syncs.store().IndexKeys(kByNamespace, ns);
  }
  std::vector<std::shared_ptr<const api::CertificateProfile>> ProfilesOfCa(const std::string& ca) const;
  std::vector<std::shared_ptr<const api::CertificateProfile>> ProfilesOfTemplate(const std::string& tmpl) const;
  std::vector<std::shared_ptr<const api::CertificateAuthority>> ChildrenOfCa(const std::string& ca) const;
  // How many live Certificates hold a serial on shard `shard` of `ca`'s CRL.
  std::size_t CertificatesOnCrlShard(const std::string& ca, std::int32_t shard) const {
    return certificates.store().IndexCount(kByCrlShard, CrlShardIndexKey(ca, shard));
  }
  // The labels of a namespace; empty when unknown.
  kube::StringMap NamespaceLabels(const std::string& ns) const;
  // Every cached CRL ConfigMap labelled with CA `ca`, usable or not, in no set order.
  std::vector<std::shared_ptr<const crl::CrlConfigMap>> CrlShardsOfCa(const std::string& ca) const;
  // The CRL ConfigMap of shard `shard` of CA `ca` (by name, CrlConfigMapName); nullptr
  // when none is cached, or when the one of that name is labelled for another CA or
  // shard. May be unusable: check usable().
  std::shared_ptr<const crl::CrlConfigMap> CrlShard(const std::string& ca, std::int32_t shard) const;
  // Every Certificate one of whose serials (current or in history) CA `ca` issued.
  void ForEachCertificateIssuedBy(const std::string& ca, const CertificateVisitor& visit) const {
    certificates.store().ForEachByIndex(kByIssuingCa, ca, visit);
  }
  // The OCSP responder Secret of CA `ca` (ocsp_material.h); nullptr when none is cached.
  std::shared_ptr<const OcspSignerSecret> OcspSignersOf(const std::string& ca) const;
  // The shards of CA `ca`'s record of issued serials, by shard number; empty until written.
  std::vector<std::shared_ptr<const IssuedSerials>> IssuedSerialsOf(const std::string& ca) const;

  const std::string& controller_namespace() const { return controller_namespace_; }

  // The facts of the certificate Secrets the Certificate reconciler just wrote, taken
  // back by certificate_secrets when their watch events arrive (secret_facts_memo.h).
  // Declared before the informers, whose decoder holds it.
  const std::shared_ptr<SecretFactsMemo> written_secret_facts = std::make_shared<SecretFactsMemo>();

  kube::Informer<api::CertificateAuthority> cas;
  kube::Informer<api::CertificateTemplate> templates;
  kube::Informer<api::CertificateProfile> profiles;
  kube::Informer<api::Certificate> certificates;
  kube::Informer<api::CertificateSync> syncs;
  kube::Informer<CertificateSecret> certificate_secrets;
  kube::Informer<CaKeySecret> ca_key_secrets;
  kube::Informer<kube::PartialObjectMetadata> namespaces;
  kube::Informer<crl::CrlConfigMap> crl_config_maps;     // controller namespace, label certplane.io/crl-shard
  kube::Informer<OcspSignerSecret> ocsp_signer_secrets;  // controller namespace, label certplane.io/ocsp-signer-of
  kube::Informer<IssuedSerials> issued_serials;          // controller namespace, label certplane.io/issued-serials-of

 private:
  std::string controller_namespace_;
};

}  // namespace certplane::reconcile
