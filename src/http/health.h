// HealthChecks: named checks behind /healthz (is the process alive and able to make
// progress?) and /readyz (should it receive traffic: caches synced, CRLs loaded?).
//
//   HealthChecks health;
//   health.AddReadiness("informers", [&] { return informers.HasSynced() ? Status::Ok()
//                                                  : Unavailable("caches not synced"); });
//   health.Register(router);        // GET /healthz, /readyz (add ?verbose for details)
//
// A failing check answers 503 with the failing check's name and message, as
// kube-apiserver's own /readyz does, so `curl` shows why a replica is not ready.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "http/router.h"

namespace certplane::http {

class HealthChecks {
 public:
  using Check = std::function<Status()>;

  void AddLiveness(std::string name, Check check);
  void AddReadiness(std::string name, Check check);
  void Register(Router& router);

  // The response for one endpoint; public for tests.
  HttpResponse Evaluate(bool readiness, bool verbose) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, Check>> liveness_;   // guarded by mu_
  std::vector<std::pair<std::string, Check>> readiness_;  // guarded by mu_
};

}  // namespace certplane::http
