#include "http/health.h"

namespace certplane::http {

void HealthChecks::AddLiveness(std::string name, Check check) {
  std::lock_guard lock(mu_);
  liveness_.emplace_back(std::move(name), std::move(check));
}

void HealthChecks::AddReadiness(std::string name, Check check) {
  std::lock_guard lock(mu_);
  readiness_.emplace_back(std::move(name), std::move(check));
}

HttpResponse HealthChecks::Evaluate(bool readiness, bool verbose) const {
  std::vector<std::pair<std::string, Check>> checks;
  {
    std::lock_guard lock(mu_);
    checks = liveness_;
    // Ready implies alive: readiness runs the liveness checks too.
    if (readiness) checks.insert(checks.end(), readiness_.begin(), readiness_.end());
  }
  std::string details;
  bool healthy = true;
  for (const auto& [name, check] : checks) {
    Status s = check();
    if (s.ok()) {
      details += "[+]" + name + " ok\n";
    } else {
      healthy = false;
      details += "[-]" + name + " failed: " + s.message() + "\n";
    }
  }
  const char* what = readiness ? "readyz" : "healthz";
  if (healthy) return HttpResponse::Text(200, verbose ? details + what + " check passed\n" : "ok");
  return HttpResponse::Text(503, details + what + " check failed\n");
}

void HealthChecks::Register(Router& router) {
  router.Get("/healthz", [this](const HttpRequest& r) { return Evaluate(false, r.query.count("verbose") > 0); });
  router.Get("/livez", [this](const HttpRequest& r) { return Evaluate(false, r.query.count("verbose") > 0); });
  router.Get("/readyz", [this](const HttpRequest& r) { return Evaluate(true, r.query.count("verbose") > 0); });
}

}  // namespace certplane::http
