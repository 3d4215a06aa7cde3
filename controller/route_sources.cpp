#include "route_sources.h"

#include <string>

#include "kube/object_meta.h"
#include "kube/resource.h"

namespace certplane::controller {

http::PublicRouteSources PublicRouteSourcesOf(const reconcile::Caches& caches, const kube::Clock& clock) {
  return http::PublicRouteSources{
      .crl = [&caches](const std::string& ca, std::int32_t shard) { return caches.CrlShard(ca, shard); },
      .ca = [&caches](const std::string& ca) { return caches.cas.store().Get(ca); },
      .clock = &clock,
  };
}

http::BundleRouteSources BundleRouteSourcesOf(const reconcile::Caches& caches,
                                              const std::shared_ptr<kube::Client>& client,
                                              kube::AccessReviewer& reviewer, const kube::Clock& clock,
                                              bool allow_plain_http) {
  return http::BundleRouteSources{
      .for_each_certificate_of_profile =
          [&caches](const std::string& profile, const reconcile::Caches::CertificateVisitor& visit) {
            caches.ForEachCertificateOfProfile(profile, visit);
          },
      .certificate =
          [&caches](const std::string& ns, const std::string& name) {
            return caches.certificates.store().Get(kube::ObjectKey(kube::ObjectId{.name = name, .ns = ns}));
          },
      .secret = [client](const std::string& ns,
                         const std::string& name) { return client->Get(kube::kSecrets, ns, name); },
      .synced = [&caches] { return caches.HasSynced(); },
      .reviewer = &reviewer,
      .clock = &clock,
      .allow_plain_http = allow_plain_http,
  };
}

}  // namespace certplane::controller
