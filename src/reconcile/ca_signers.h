// CaSigners: the signing material of each CertificateAuthority, loaded from its key
// Secret with a GET when first needed and again only when that Secret's
// resourceVersion moves. The informer caches only facts about key Secrets; the private
// keys live here, for the CAs this replica signs with, and nowhere else in memory.
//
//   CaSigners signers(client, caches, {.public_base_url = "http://certplane.svc:8080"});
//   Result<std::shared_ptr<const CaMaterial>> ca = signers.Get("example-issuing");
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"
#include "kube/rest_client.h"
#include "reconcile/ca_material.h"
#include "reconcile/caches.h"

namespace certplane::reconcile {

struct CaSignersOptions {
  // Base of the CRL and CA certificate URLs written into what a CA issues, when the CA
  // names no distribution points of its own; empty writes none.
  std::string public_base_url;
};

class CaSigners {
 public:
  CaSigners(std::shared_ptr<kube::Client> client, const Caches& caches, CaSignersOptions options);

  // kFailedPrecondition when the CA or its key Secret does not exist (yet) or holds no
  // usable pair; API errors as they come.
  Result<std::shared_ptr<const CaMaterial>> Get(const std::string& ca_name);

  // The URLs a certificate issued by this CA carries.
  CaUrls UrlsFor(const api::CertificateAuthority& ca) const;

 private:
  struct Entry {
    std::string resource_version;
    std::shared_ptr<const CaMaterial> material;
  };
  const std::shared_ptr<kube::Client> client_;
  const Caches& caches_;
  const CaSignersOptions options_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // guarded by mu_; by CA name
};

}  // namespace certplane::reconcile
