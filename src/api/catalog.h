// Catalog: read-only lookups of the certplane objects a controller has cached, for the
// parts that serve requests beside the reconcilers (the ACME server) and must not depend
// on how they are cached. reconcile::Caches implements it; the lookups are cheap and
// thread-safe, and what they return is the caller's own (shared, immutable).
//
//   std::shared_ptr<const CertificateProfile> web = catalog.Profile("web");
//   catalog.ForEachCertificateOfProfile("web", [](const auto& certificate) { ... });
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/certificate.h"
#include "api/certificate_authority.h"
#include "api/certificate_profile.h"
#include "api/certificate_template.h"

namespace certplane::api {

class Catalog {
 public:
  virtual ~Catalog() = default;

  // The cluster-scoped objects by name; nullptr when none is cached.
  virtual std::shared_ptr<const CertificateAuthority> Authority(const std::string& name) const = 0;
  virtual std::shared_ptr<const CertificateTemplate> Template(const std::string& name) const = 0;
  virtual std::shared_ptr<const CertificateProfile> Profile(const std::string& name) const = 0;

  // Every Certificate whose spec.profileRef names `profile`, one at a time, in no
  // promised order.
  using CertificateVisitor = std::function<void(const std::shared_ptr<const Certificate>&)>;
  virtual void ForEachCertificateOfProfile(const std::string& profile, const CertificateVisitor& visit) const = 0;
};

}  // namespace certplane::api
