// ProfileReconciler and TemplateReconciler: the status of the policy objects.
//
// A CertificateProfile is Ready when its CA is Ready and its template exists; its status
// counts the certificates that use it and names the latest active one (the most
// recently issued that is Ready, not revoked and not expired), which the bundle API and
// `kubectl get cpprofile` show. A CertificateTemplate is Ready once observed: the CRD's
// schema and CEL rules have refused anything invalid before the controller sees it.
#pragma once

#include <memory>
#include <string>

#include "kube/clock.h"
#include "kube/controller.h"
#include "kube/rest_client.h"
#include "reconcile/caches.h"

namespace certplane::reconcile {

inline constexpr std::string_view kCaNotFound = "CANotFound";

struct PolicyReconcilerDeps {
  std::shared_ptr<kube::Client> client;
  const Caches* caches = nullptr;
  std::shared_ptr<kube::Clock> clock;
  std::string field_manager = "certplane";
};

class ProfileReconciler {
 public:
  explicit ProfileReconciler(PolicyReconcilerDeps deps) : deps_(std::move(deps)) {}
  kube::ReconcileResult Reconcile(const kube::Request& request);

 private:
  PolicyReconcilerDeps deps_;
};

class TemplateReconciler {
 public:
  explicit TemplateReconciler(PolicyReconcilerDeps deps) : deps_(std::move(deps)) {}
  kube::ReconcileResult Reconcile(const kube::Request& request);

 private:
  PolicyReconcilerDeps deps_;
};

}  // namespace certplane::reconcile
