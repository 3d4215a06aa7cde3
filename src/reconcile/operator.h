// Operator: certplane's four controllers (CertificateAuthority, CertificateTemplate,
// CertificateProfile, Certificate) over one set of caches, and the event handlers that
// turn every change into the keys of the objects it affects:
//
//   a CA changes its certificate or readiness -> its child CAs, its profiles and their
//                                                certificates
//   a CA key Secret changes                   -> its CA (and its OCSP responders)
//   a certificate's serials change            -> (batched) its CAs' OCSP records
//   a template changes                        -> its profiles and their certificates
//   a profile's spec changes                  -> its certificates
//   a certificate changes                     -> it, and (batched) its profile's counts
//   a certificate Secret changes or goes      -> its certificate
//   a namespace's labels change               -> the certificates in it
//   a certificate changes                     -> the CertificateSyncs of its namespace
//   a CertificateSync's spec or finalizers change -> it
//
// Status-only updates do not fan out (a profile's counts change with every issuance;
// re-enqueueing all of its certificates each time would grow as n squared).
//
//   Operator op(deps, {.workers = 16});
//   caches.Start(); caches.WaitForSync(...);
//   op.Start();      // when leading
//   op.Stop();       // drains the queues, joins the workers
#pragma once

#include <memory>
#include <string>

#include "kube/controller.h"
#include "kube/event_recorder.h"
#include "reconcile/ca_reconciler.h"
#include "reconcile/ca_signers.h"
#include "reconcile/caches.h"
#include "reconcile/certificate_reconciler.h"
#include "reconcile/crl_publisher.h"
#include "reconcile/ocsp_maintainer.h"
#include "reconcile/operator_metrics.h"
#include "reconcile/profile_reconciler.h"
#include "reconcile/referenced_secrets.h"
#include "reconcile/sync_destinations.h"
#include "reconcile/sync_reconciler.h"

namespace certplane::reconcile {

struct OperatorDeps {
  std::shared_ptr<kube::Client> client;
  Caches* caches = nullptr;
  kube::EventRecorder* events = nullptr;
  OperatorMetrics* metrics = nullptr;
  std::shared_ptr<kube::Clock> clock;  // default: the system clock
  // Where CertificateSyncs push; default: the AWS and Azure clients.
  DestinationFactory* destinations = nullptr;
};

struct OperatorOptions {
  // Certificates reconciled at once. An issuance is two API writes one after the other,
  // so a worker mostly waits on the API server: at 4 workers the round trips, not the
  // CPU or the server, bounded throughput (0.80 of the API floor at N = 10,000).
  int workers = 16;
  std::string public_base_url;
  // How long a profile's recount waits so that a burst of certificate changes makes
  // one status write, not one each.
  kube::Duration profile_batch_delay = std::chrono::seconds(1);
  // How long a revocation waits for others to join its CRL.
  kube::Duration crl_batch_window = std::chrono::seconds(1);
  // How failed issuances and unplanned reissues back off.
  policy::BackoffPolicy issuance_backoff;
  // How long a delegated OCSP responder certificate is valid.
  kube::Duration ocsp_signer_validity = std::chrono::hours(72);
  // How failed pushes of CertificateSyncs back off (per certificate).
  policy::BackoffPolicy sync_backoff{.initial = std::chrono::seconds(10), .max = std::chrono::seconds(1800)};
};

class Operator {
 public:
  // Registers the event handlers on the caches (before or after they start).
  Operator(OperatorDeps deps, OperatorOptions options);
  ~Operator();

  void Start();
  void Stop();

 private:
  void RegisterHandlers();
  void EnqueueCertificatesOfProfile(const std::string& profile);
  kube::ReconcileFunc Timed(const std::string& name, kube::Controller** controller, kube::ReconcileFunc f);

  void EnqueueCertificatesNamingSecret(const api::Certificate& cert);
  void EnqueueSyncsOf(const api::Certificate& cert);
  // certplane_certificate_sync_unsynced_age_seconds, from the caches.
  void EmitSyncLag(const metrics::MetricFamily::Emit& emit) const;

  OperatorDeps deps_;
  OperatorOptions options_;
  // Declared before the reconciler that uses it; its watches enqueue certificates_.
  ReferencedSecrets referenced_secrets_;
  CaSigners signers_;
  CrlPublisher crl_publisher_;
  OcspMaintainer ocsp_maintainer_;
  CaReconciler ca_reconciler_;
  CertificateReconciler certificate_reconciler_;
  ProfileReconciler profile_reconciler_;
  TemplateReconciler template_reconciler_;
  std::unique_ptr<DestinationFactory> owned_destinations_;  // when deps gave none
  SyncReconciler sync_reconciler_;
  // Raw pointers for the Timed wrapper to read queue depth; owned by the unique_ptrs.
  kube::Controller* ca_ptr_ = nullptr;
  kube::Controller* template_ptr_ = nullptr;
  kube::Controller* profile_ptr_ = nullptr;
  kube::Controller* certificate_ptr_ = nullptr;
  kube::Controller* crl_ptr_ = nullptr;
  kube::Controller* ocsp_ptr_ = nullptr;
  kube::Controller* sync_ptr_ = nullptr;
  std::unique_ptr<kube::Controller> cas_;
  std::unique_ptr<kube::Controller> templates_;
  std::unique_ptr<kube::Controller> profiles_;
  std::unique_ptr<kube::Controller> certificates_;
  std::unique_ptr<kube::Controller> crls_;   // keyed by CA name: CrlPublisher
  std::unique_ptr<kube::Controller> ocsp_;   // keyed by CA name: OcspMaintainer
  std::unique_ptr<kube::Controller> syncs_;  // keyed by "<namespace>/<name>": SyncReconciler
};

}  // namespace certplane::reconcile
