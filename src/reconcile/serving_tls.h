// ServingTls: keeps the HTTPS listener's identity (a pki::TlsIdentityStore: in the
// controller, http/serving_identity.h's) equal to the serving Secret in the controller's
// namespace, on every replica, and while leading, makes sure that Secret is issued and
// renewed by certplane itself and publishes the CA clients trust it with.
//
//   ServingTls tls(client, identity, {.ns = ns, .secret_name = "certplane-serving-tls",
//                                     .manage = true, .spec = {...}, .ca_config_map = "certplane-serving-ca"});
//   tls.Start();                 // every replica: watch the Secret, load each revision
//   tls.StartLeading();          // while leading: apply the serving objects, publish ca.crt
//   tls.Stop();
//
// Every replica watches only that one Secret (a field selector on its name). A revision
// that does not load (no key, a key that is not the certificate's) is logged and the
// previous identity stays. The leader applies the objects of serving_tls_objects.h with
// server-side apply, so a restart adopts what is there, and writes the ConfigMap with
// the Secret's ca.crt whenever the Secret changes (an unchanged apply is not a write).
// Both happen on one thread of the leader's, and both are retried while they fail,
// 1 s apart at first, doubling, at most 5 min apart (logged each time).
// With manage off the Secret is the user's (cert-manager's, say) and only loaded.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "kube/informer.h"
#include "kube/rest_client.h"
#include "pki/tls_identity_store.h"
#include "reconcile/serving_tls_objects.h"

namespace certplane::reconcile {

struct ServingTlsOptions {
  std::string ns;
  std::string secret_name;
  bool manage = true;         // issue the Secret through the objects of `spec`
  ServingTlsSpec spec;        // spec.ns and spec.secret_name are taken from above
  std::string ca_config_map;  // where ca.crt is published; empty: not published
  std::string field_manager = "certplane";
  // Called (on the informer's thread) after each revision that loaded; the controller
  // opens its HTTPS port on the first.
  std::function<void()> on_loaded;
};

// The serving Secret as the listener needs it.
struct ServingSecret {
  kube::ObjectMeta metadata;
  std::string tls_crt;
  std::string tls_key;
  std::string ca_crt;
};
Result<ServingSecret> DecodeServingSecret(const nlohmann::json& secret);

class ServingTls {
 public:
  ServingTls(std::shared_ptr<kube::Client> client, pki::TlsIdentityStore& identity, ServingTlsOptions options);
  ~ServingTls();
  ServingTls(const ServingTls&) = delete;
  ServingTls& operator=(const ServingTls&) = delete;

  void Start();
  void Stop();
  // Called when this replica starts leading and stops: the leader applies the serving
  // objects and keeps the CA ConfigMap current.
  void StartLeading();
  void StopLeading();

 private:
  void Loaded(const ServingSecret& secret);
  // Hands ca.crt to the leader's thread, which publishes it.
  void QueuePublish(const std::string& ca_crt);
  // Writes the ConfigMap; false when that failed (logged).
  bool Publish(const std::string& ca_crt);
  // Applies every object; false when one failed (logged).
  bool ApplyObjects();
  // The leader's thread: applies the objects until they all are, and publishes each
  // queued ca.crt until it is, backing off while either fails.
  void Lead(std::stop_token stop);

  std::shared_ptr<kube::Client> client_;
  pki::TlsIdentityStore& identity_;
  ServingTlsOptions options_;
  kube::Informer<ServingSecret> secrets_;
  std::atomic<bool> leading_{false};
  std::mutex mu_;
  std::condition_variable_any wake_;
  std::string ca_to_publish_;  // guarded by mu_; "" when nothing is queued
  std::jthread leader_;
};

}  // namespace certplane::reconcile
