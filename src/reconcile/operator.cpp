#include "reconcile/operator.h"

#include "api/condition.h"
#include "api/well_known.h"

namespace certplane::reconcile {
namespace {

bool Ready(const api::CertificateAuthority& ca) {
  return api::IsConditionTrue(ca.status.conditions, api::kConditionReady);
}

std::shared_ptr<kube::Clock> OrSystem(std::shared_ptr<kube::Clock> clock) {
  return clock ? std::move(clock) : kube::SystemClock();
}

}  // namespace

Operator::Operator(OperatorDeps deps, OperatorOptions options)
    : deps_([&] {
        deps.clock = OrSystem(deps.clock);
        return deps;
      }()),
      options_(std::move(options)),
      referenced_secrets_(deps_.client,
                          [this](const std::string& key) {
                            if (certificates_) certificates_->queue().Add(key);
                          }),
      signers_(deps_.client, *deps_.caches, {.public_base_url = options_.public_base_url}),
      crl_publisher_({.client = deps_.client,
                      .caches = deps_.caches,
                      .signers = &signers_,
                      .events = deps_.events,
                      .clock = deps_.clock,
                      .public_base_url = options_.public_base_url,
                      .batch_window = options_.crl_batch_window,
                      .schedule =
                          [this](const std::string& ca, kube::Duration after) {
                            if (crls_) crls_->queue().AddAfter(ca, after);
                          },
                      .notify =
                          [this](const std::string& key) {
                            if (certificates_) certificates_->queue().Add(key);
                          }}),
      ocsp_maintainer_({.client = deps_.client,
                        .caches = deps_.caches,
                        .signers = &signers_,
                        .events = deps_.events,
                        .clock = deps_.clock,
                        .public_base_url = options_.public_base_url,
                        .signer_validity = options_.ocsp_signer_validity}),
      ca_reconciler_({.client = deps_.client,
                      .caches = deps_.caches,
                      .signers = &signers_,
                      .events = deps_.events,
                      .clock = deps_.clock}),
      certificate_reconciler_({.client = deps_.client,
                               .caches = deps_.caches,
                               .signers = &signers_,
                               .crl = &crl_publisher_,
                               .events = deps_.events,
                               .metrics = deps_.metrics,
                               .clock = deps_.clock,
                               .referenced_secrets = &referenced_secrets_,
                               .backoff = options_.issuance_backoff}),
      profile_reconciler_({.client = deps_.client, .caches = deps_.caches, .clock = deps_.clock}),
      template_reconciler_({.client = deps_.client, .caches = deps_.caches, .clock = deps_.clock}),
      owned_destinations_(deps_.destinations ? nullptr : MakeCloudDestinationFactory()),
      sync_reconciler_({.client = deps_.client,
                        .caches = deps_.caches,
                        .destinations = deps_.destinations ? deps_.destinations : owned_destinations_.get(),
                        .events = deps_.events,
                        .metrics = deps_.metrics,
                        .clock = deps_.clock,
                        .backoff = options_.sync_backoff}) {
  auto make = [&](const std::string& name, int workers, kube::Controller** ptr, kube::ReconcileFunc f) {
    kube::ControllerOptions o;
    o.name = name;
    o.workers = workers;
    o.clock = deps_.clock;
    auto c = std::make_unique<kube::Controller>(std::move(o), Timed(name, ptr, std::move(f)));
    *ptr = c.get();
    return c;
  };
  cas_ = make("certificateauthorities", 1, &ca_ptr_,
              [this](const kube::Request& r) { return ca_reconciler_.Reconcile(r); });
  templates_ = make("certificatetemplates", 1, &template_ptr_,
                    [this](const kube::Request& r) { return template_reconciler_.Reconcile(r); });
  profiles_ = make("certificateprofiles", 1, &profile_ptr_,
                   [this](const kube::Request& r) { return profile_reconciler_.Reconcile(r); });
  certificates_ = make("certificates", options_.workers, &certificate_ptr_,
                       [this](const kube::Request& r) { return certificate_reconciler_.Reconcile(r); });
  crls_ = make("crls", 1, &crl_ptr_, [this](const kube::Request& r) { return crl_publisher_.Reconcile(r); });
  ocsp_ = make("ocsp", 1, &ocsp_ptr_, [this](const kube::Request& r) { return ocsp_maintainer_.Reconcile(r); });
  // Two workers: a push waits on a remote service, and one slow destination should not
  // hold up every other sync.
  syncs_ =
      make("certificatesyncs", 2, &sync_ptr_, [this](const kube::Request& r) { return sync_reconciler_.Reconcile(r); });
  RegisterHandlers();
}

Operator::~Operator() { Stop(); }

kube::ReconcileFunc Operator::Timed(const std::string& name, kube::Controller** controller, kube::ReconcileFunc f) {
  return [this, name, controller, f = std::move(f)](const kube::Request& r) {
    auto start = std::chrono::steady_clock::now();
    kube::ReconcileResult result = f(r);
    deps_.metrics->ReconcileTook(name, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (*controller != nullptr) deps_.metrics->QueueDepth(name, static_cast<double>((*controller)->queue().Len()));
    return result;
  };
}

void Operator::EnqueueCertificatesOfProfile(const std::string& profile) {
  for (const std::string& key : deps_.caches->CertificateKeysOfProfile(profile)) certificates_->queue().Add(key);
}

void Operator::EnqueueCertificatesNamingSecret(const api::Certificate& cert) {
  if (cert.spec.secret_name.empty()) return;
  for (const auto& other : deps_.caches->CertificatesNamingSecret(cert.metadata.ns, cert.spec.secret_name)) {
    certificates_->queue().Add(kube::ObjectKey(other->metadata));
  }
}

void Operator::EnqueueSyncsOf(const api::Certificate& cert) {
  for (const std::string& key : deps_.caches->SyncKeysInNamespace(cert.metadata.ns)) syncs_->queue().Add(key);
}

void Operator::RegisterHandlers() {
  Caches& c = *deps_.caches;

  // CertificateAuthorities.
  auto ca_changed = [this](const std::shared_ptr<const api::CertificateAuthority>& ca, bool fan_out) {
    cas_->queue().Add(ca->metadata.name);
    crls_->queue().Add(ca->metadata.name);
    ocsp_->queue().Add(ca->metadata.name);
    if (!fan_out) return;
    for (const auto& child : deps_.caches->ChildrenOfCa(ca->metadata.name)) cas_->queue().Add(child->metadata.name);
    for (const auto& p : deps_.caches->ProfilesOfCa(ca->metadata.name)) {
      profiles_->queue().Add(p->metadata.name);
      EnqueueCertificatesOfProfile(p->metadata.name);
    }
  };
  kube::EventHandlers<api::CertificateAuthority> ca_handlers;
  ca_handlers.on_add = [ca_changed](const auto& ca) { ca_changed(ca, true); };
  ca_handlers.on_delete = [ca_changed](const auto& ca) { ca_changed(ca, true); };
  ca_handlers.on_update = [ca_changed](const auto& old_ca, const auto& ca) {
    // Only what dependents read: the certificate and whether it can sign.
    bool dependents_see_it =
        old_ca->status.fingerprint_sha256 != ca->status.fingerprint_sha256 || Ready(*old_ca) != Ready(*ca);
    ca_changed(ca, dependents_see_it);
  };
  c.cas.AddEventHandler(std::move(ca_handlers));

  // A CA's key Secret: the CA, and everything it signs for, which may have failed for
  // want of the key while the Secret was not cached yet (a new CA is Ready, and fans out,
  // a moment before its Secret reaches the cache); they would otherwise wait out a
  // backoff. Key Secrets change only when a CA is created or re-keyed.
  auto key_secret_changed = [this, ca_changed](const std::shared_ptr<const CaKeySecret>& s) {
    if (const std::string* name = s->metadata.labels.Find(kCaNameLabel)) {
      if (auto ca = deps_.caches->cas.store().Get(*name)) {
        ca_changed(ca, Ready(*ca));
      } else {
        cas_->queue().Add(*name);
        ocsp_->queue().Add(*name);
      }
    }
  };
  c.ca_key_secrets.AddEventHandler({key_secret_changed,
                                    [key_secret_changed](const auto&, const auto& s) { key_secret_changed(s); },
                                    key_secret_changed});

  // CRL ConfigMaps: one deleted by someone else is written again from the ledger the
  // publisher holds.
  c.crl_config_maps.AddEventHandler({nullptr, nullptr, [this](const std::shared_ptr<const crl::CrlConfigMap>& cm) {
                                       if (cm->ca_name.empty() || cm->shard < 0) return;
                                       crl_publisher_.ShardDeleted(cm->ca_name, cm->shard);
                                       crls_->queue().Add(cm->ca_name);
                                     }});

  // OCSP responder Secrets and issued-serial records: one changed or deleted by someone
  // else is made right again.
  c.ocsp_signer_secrets.AddEventHandler({nullptr, nullptr, [this](const std::shared_ptr<const OcspSignerSecret>& s) {
                                           if (!s->ca_name.empty()) ocsp_->queue().Add(s->ca_name);
                                         }});
  c.issued_serials.AddEventHandler({nullptr, nullptr, [this](const std::shared_ptr<const IssuedSerials>& s) {
                                      if (!s->ca_name.empty()) ocsp_->queue().Add(s->ca_name);
                                    }});

  // CertificateTemplates.
  auto template_changed = [this](const std::shared_ptr<const api::CertificateTemplate>& t, bool fan_out) {
    templates_->queue().Add(t->metadata.name);
    if (!fan_out) return;
    for (const auto& p : deps_.caches->ProfilesOfTemplate(t->metadata.name)) {
      profiles_->queue().Add(p->metadata.name);
      EnqueueCertificatesOfProfile(p->metadata.name);
    }
  };
  c.templates.AddEventHandler({[template_changed](const auto& t) { template_changed(t, true); },
                               [template_changed](const auto& old_t, const auto& t) {
                                 template_changed(t, old_t->metadata.generation != t->metadata.generation);
                               },
                               [template_changed](const auto& t) { template_changed(t, true); }});

  // CertificateProfiles.
  auto profile_changed = [this](const std::shared_ptr<const api::CertificateProfile>& p, bool fan_out) {
    profiles_->queue().Add(p->metadata.name);
    if (fan_out) EnqueueCertificatesOfProfile(p->metadata.name);
  };
  c.profiles.AddEventHandler({[profile_changed](const auto& p) { profile_changed(p, true); },
                              [profile_changed](const auto& old_p, const auto& p) {
                                profile_changed(p, old_p->metadata.generation != p->metadata.generation);
                              },
                              [profile_changed](const auto& p) { profile_changed(p, true); }});

  // Certificates.
  auto cert_changed = [this](const std::shared_ptr<const api::Certificate>& cert) {
    certificates_->queue().Add(kube::ObjectKey(cert->metadata));
    EnqueueSyncsOf(*cert);
    profiles_->queue().AddAfter(cert->spec.profile_ref.name, options_.profile_batch_delay);
  };
  // A new serial joins its CA's record of issued serials, batched like profile counts.
  auto serials_changed = [this](const api::Certificate* old_cert, const api::Certificate& cert) {
    if (cert.status.ca_name.empty() || cert.status.serial_number.empty()) return;
    if (old_cert != nullptr && old_cert->status.serial_number == cert.status.serial_number &&
        old_cert->status.ca_name == cert.status.ca_name) {
      return;
    }
    ocsp_->queue().AddAfter(cert.status.ca_name, options_.profile_batch_delay);
  };
  // A Certificate that stops naming a Secret (renamed, being deleted, gone) hands it to
  // the next oldest Certificate naming it: wake those.
  c.certificates.AddEventHandler({[cert_changed, serials_changed](const auto& cert) {
                                    cert_changed(cert);
                                    serials_changed(nullptr, *cert);
                                  },
                                  [this, cert_changed, serials_changed](const auto& old_cert, const auto& cert) {
                                    cert_changed(cert);
                                    serials_changed(old_cert.get(), *cert);
                                    if (old_cert->spec.profile_ref != cert->spec.profile_ref) cert_changed(old_cert);
                                    if (old_cert->spec.secret_name != cert->spec.secret_name ||
                                        old_cert->metadata.deletion_timestamp != cert->metadata.deletion_timestamp) {
                                      EnqueueCertificatesNamingSecret(*old_cert);
                                    }
                                  },
                                  [this, cert_changed](const auto& cert) {
                                    cert_changed(cert);
                                    EnqueueCertificatesNamingSecret(*cert);
                                    // Its serials must reach the CAs' records now that no cache remembers them.
                                    for (const std::string& ca : ocsp_maintainer_.Departed(*cert))
                                      ocsp_->queue().Add(ca);
                                  }});

  auto secret_changed = [this](const std::shared_ptr<const CertificateSecret>& s) {
    if (!s->certificate_name.empty()) certificates_->queue().Add(s->metadata.ns + "/" + s->certificate_name);
  };
  c.certificate_secrets.AddEventHandler(
      {secret_changed, [secret_changed](const auto&, const auto& s) { secret_changed(s); }, secret_changed});

  // CertificateSyncs: their own status writes do not wake them.
  auto sync_changed = [this](const std::shared_ptr<const api::CertificateSync>& s) {
    syncs_->queue().Add(kube::ObjectKey(s->metadata));
  };
  c.syncs.AddEventHandler({sync_changed,
                           [sync_changed](const auto& old_s, const auto& s) {
                             if (old_s->metadata.generation != s->metadata.generation ||
                                 old_s->metadata.deletion_timestamp != s->metadata.deletion_timestamp ||
                                 old_s->metadata.finalizers != s->metadata.finalizers) {
                               sync_changed(s);
                             }
                           },
                           nullptr});

  // Namespaces: their labels feed the profiles' namespace selectors.
  c.namespaces.AddEventHandler({nullptr,
                                [this](const auto& old_ns, const auto& ns) {
                                  if (old_ns->metadata.labels == ns->metadata.labels) return;
                                  for (const std::string& key :
                                       deps_.caches->CertificateKeysInNamespace(ns->metadata.name)) {
                                    certificates_->queue().Add(key);
                                  }
                                },
                                nullptr});
}

void Operator::Start() {
  // The per-certificate series, read from the cache at each scrape while we lead.
  deps_.metrics->CollectCertificates(
      [caches = deps_.caches](const OperatorMetrics::CertificateVisitor& visit) { caches->ForEachCertificate(visit); });
  deps_.metrics->CollectCertificateAuthorities(
      [caches = deps_.caches](const OperatorMetrics::CaVisitor& visit) { caches->cas.store().ForEach(visit); });
  deps_.metrics->Leading(true);
  cas_->Start();
  templates_->Start();
  profiles_->Start();
  certificates_->Start();
  crls_->Start();
  ocsp_->Start();
  deps_.metrics->CollectSyncLag([this](const metrics::MetricFamily::Emit& emit) { EmitSyncLag(emit); });
  syncs_->Start();
}

void Operator::EmitSyncLag(const metrics::MetricFamily::Emit& emit) const {
  const api::Time now = api::ToTime(deps_.clock->WallNow());
  deps_.caches->syncs.store().ForEach([&](const std::shared_ptr<const api::CertificateSync>& s) {
    double oldest = 0;
    for (const auto& e : s->status.certificates) {
      auto cert = deps_.caches->certificates.store().Get(s->metadata.ns + "/" + e.name);
      if (!cert || cert->status.serial_number.empty() || cert->status.serial_number == e.serial_number) continue;
      if (cert->status.revoked_at || cert->spec.secret_name.empty() || !cert->status.last_issuance_time) continue;
      oldest = std::max(oldest, static_cast<double>((now - *cert->status.last_issuance_time).count()));
    }
    emit({s->metadata.ns, s->metadata.name}, oldest);
  });
}

void Operator::Stop() {
  if (syncs_) syncs_->Stop();
  deps_.metrics->CollectSyncLag(nullptr);
  if (ocsp_) ocsp_->Stop();
  if (crls_) crls_->Stop();
  // A later leader (maybe this process again) reads the ledgers afresh.
  crl_publisher_.Reset();
  if (certificates_) certificates_->Stop();
  // After the workers, which start these watches; their events enqueue certificates_.
  referenced_secrets_.Stop();
  if (profiles_) profiles_->Stop();
  if (templates_) templates_->Stop();
  if (cas_) cas_->Stop();
  deps_.metrics->CollectCertificates(nullptr);
  deps_.metrics->CollectCertificateAuthorities(nullptr);
  deps_.metrics->Leading(false);
}

}  // namespace certplane::reconcile
