// ProfileReconciler and TemplateReconciler: the status of the policy objects.
//
// A CertificateProfile is Ready when its CA is Ready and its template exists; its status
// counts the certificates that use it and names the latest active one (the most
// recently issued that is Ready, not revoked and not expired), which the bundle API and
// `kubectl get cpprofile` show. A CertificateTemplate is Ready once observed: the CRD's
// schema and CEL rules have refused anything invalid before the controller sees it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "kube/clock.h"
#include "kube/controller.h"
#include "kube/rest_client.h"
#include "reconcile/caches.h"
#include "reconcile/write_pacer.h"

namespace certplane::reconcile {

inline constexpr std::string_view kCaNotFound = "CANotFound";

struct PolicyReconcilerDeps {
  std::shared_ptr<kube::Client> client;
  const Caches* caches = nullptr;
  std::shared_ptr<kube::Clock> clock;
  std::string field_manager = "certplane";
  // A profile's counts change with every certificate issued; counted and written at most
  // this often (ProfileRecountDelay), so a burst costs a write per interval, not per
  // certificate.
  kube::Duration status_interval = std::chrono::seconds(5);
};

// How long counting a profile's certificates, and writing the counts, waits. `desired`
// is the status with its conditions and observedGeneration worked out and its counts
// not yet. Zero when those change (people and tools wait on them: written at once) or
// when the last write (`last_write`, nullopt: none since start) is `interval` old; else
// until it is. Only the counts and the latest active certificate are ever held back, and
// the count waits with its write: counting visits every Certificate of the profile, and
// a burst queues the profile every second.
kube::Duration ProfileRecountDelay(const api::CertificateProfileStatus& current,
                                   const api::CertificateProfileStatus& desired,
                                   std::optional<kube::TimePoint> last_write, kube::TimePoint now,
                                   kube::Duration interval);

class ProfileReconciler {
 public:
  explicit ProfileReconciler(PolicyReconcilerDeps deps) : deps_(std::move(deps)) {}
  kube::ReconcileResult Reconcile(const kube::Request& request);

 private:
  PolicyReconcilerDeps deps_;
  WritePacer status_writes_;  // by profile name
};

class TemplateReconciler {
 public:
  explicit TemplateReconciler(PolicyReconcilerDeps deps) : deps_(std::move(deps)) {}
  kube::ReconcileResult Reconcile(const kube::Request& request);

 private:
  PolicyReconcilerDeps deps_;
};

}  // namespace certplane::reconcile
