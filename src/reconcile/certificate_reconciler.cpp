#include "reconcile/certificate_reconciler.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "api/certificate_json.h"
#include "api/condition.h"
#include "api/defaults.h"
#include "api/merge_patch.h"
#include "api/well_known.h"
#include "kube/base64.h"
#include "kube/logging.h"
#include "kube/secret_data.h"
#include "pki/csr.h"
#include "pki/key.h"
#include "policy/issuance.h"
#include "policy/reasons.h"
#include "policy/renewal.h"
#include "policy/secret_owner.h"
#include "reconcile/certificate_status.h"
#include "reconcile/leaf_issuance.h"
#include "reconcile/secret_facts.h"
#include "reconcile/secret_facts_memo.h"
#include "reconcile/tls_secret.h"

namespace certplane::reconcile {
namespace {

using api::Time;

std::int64_t RevisionOf(const CertificateSecret* secret) { return secret == nullptr ? 0 : secret->Revision(); }

std::string ReadyMessage(bool csr_enrollment) {
  return csr_enrollment ? "the certificate for the CSR's key is issued and valid (status.certificate)"
                        : "the certificate is valid and matches its spec";
}

std::string RequestKey(const api::Certificate& cert) { return cert.metadata.ns + "/" + cert.metadata.name; }

kube::ReconcileResult RequeueAt(std::optional<Time> when, Time now) {
  if (!when) return kube::ReconcileResult::Done();
  auto delay = std::max<kube::Duration>(*when - now, std::chrono::seconds(1));
  return kube::ReconcileResult::After(delay);
}

}  // namespace

// Records that the Secret now holds `serial`, issued by CA `ca_name` onto CRL shard
// `crl_shard`: the previous serial moves to history, with the CA and shard it had.
void RecordSerial(api::CertificateStatus& status, const std::string& serial, std::optional<Time> not_before,
                  std::optional<Time> not_after, std::int64_t revision, const std::string& ca_name,
                  std::int32_t crl_shard) {
  if (!status.serial_number.empty() && status.serial_number != serial) {
    api::CertificateHistoryEntry old;
    old.revision = status.revision;
    old.serial_number = status.serial_number;
    old.not_before = status.not_before;
    old.not_after = status.not_after;
    old.ca_name = status.ca_name;
    old.crl_shard = status.crl_shard;
    status.history.insert(status.history.begin(), std::move(old));
    if (status.history.size() > kHistoryLimit) status.history.resize(kHistoryLimit);
  }
  status.ca_name = ca_name;
  status.crl_shard = crl_shard;
  status.serial_number = serial;
  status.not_before = not_before;
  status.not_after = not_after;
  status.revision = std::max(status.revision, revision);
}

struct CertificateReconciler::Issued {
  std::string serial;
  Time not_before;
  Time not_after;
  std::string ca_name;
  std::int32_t crl_shard = 0;
  std::string chain_pem;  // CSR enrollment only: for status.certificate
};

// The CA that signs, and the CRL shard (chosen before signing: the certificate names its
// shard's URL).
struct CertificateReconciler::SigningCa {
  std::shared_ptr<const CaMaterial> ca;
  std::int32_t crl_shard = 0;
  std::optional<std::vector<std::string>> crl_urls;
  std::vector<std::string> delta_crl_urls;  // the shard's Freshest CRL templates; empty without deltas
  std::vector<std::string> ocsp_urls;       // the CA's responder, when the profile asks for it
};

CertificateReconciler::CertificateReconciler(CertificateReconcilerDeps deps) : deps_(std::move(deps)) {}

void CertificateReconciler::Event(const api::Certificate& cert, kube::EventType type, std::string_view reason,
                                  std::string note) {
  kube::ObjectReference ref{std::string(api::kApiVersion), std::string(api::kCertificateKind), cert.metadata.ns,
                            cert.metadata.name, cert.metadata.uid};
  deps_.events->Record(ref, type, std::string(reason), "Issue", std::move(note));
}

Status CertificateReconciler::WriteStatus(const api::Certificate& cert, const api::CertificateStatus& desired) {
  if (desired == cert.status) return Status::Ok();
  // A merge patch of what changed, not a PUT of the whole status: the cache leaves out
  // status.certificate (caches.cpp), which a PUT would wipe. The resourceVersion keeps
  // it conditional (409 when stale), as the PUT was.
  nlohmann::json body = {
      {"metadata", {{"resourceVersion", cert.metadata.resource_version}}},
      {"status",
       api::CreateMergePatch(api::EncodeCertificateStatus(cert.status), api::EncodeCertificateStatus(desired))},
  };
  auto written =
      deps_.client->MergePatch(api::kCertificatesResource, cert.metadata.ns, cert.metadata.name, body,
                               {.field_manager = deps_.field_manager, .subresource = "status", .metadata_only = true});
  if (!written.ok())
    return written.status().WithContext("updating the status of Certificate " + cert.metadata.ns + "/" +
                                        cert.metadata.name);
  return Status::Ok();
}

kube::ReconcileResult CertificateReconciler::Blocked(const api::Certificate& cert, std::string_view reason,
                                                     const std::string& message, bool warn) {
  const Time now = api::ToTime(deps_.clock->WallNow());
  api::CertificateStatus status = cert.status;
  bool changed = api::SetCondition(
      status.conditions,
      api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, reason, message, cert.metadata.generation),
      now);
  changed |= api::RemoveCondition(status.conditions, api::kConditionIssuing);
  status.observed_generation = cert.metadata.generation;
  if (changed && warn) {
    Event(cert, kube::EventType::kWarning, reason, message);
    deps_.metrics->IssuanceFailed(cert.spec.profile_ref.name, reason);
  }
  if (Status s = WriteStatus(cert, status); !s.ok()) return kube::ReconcileResult::Retry(s);
  // Nothing the clock does can unblock this: a change to the Certificate, its profile,
  // template, CA or namespace enqueues it again.
  return kube::ReconcileResult::Done();
}

Result<std::map<std::string, std::string>> CertificateReconciler::ReadPasswords(
    const api::Certificate& cert, const std::vector<api::OutputFormat>& formats) {
  std::map<std::string, std::string> out;
  for (const auto& f : formats) {
    if (f.type != api::OutputFormatType::kPkcs12 || !f.password_secret_ref) continue;
    const auto& ref = *f.password_secret_ref;
    auto secret = deps_.client->Get(kube::kSecrets, cert.metadata.ns, ref.name);
    if (!secret.ok()) {
      return secret.status().WithContext("reading the PKCS12 password Secret " + cert.metadata.ns + "/" + ref.name);
    }
    std::string value = kube::SecretDataValue(*secret, ref.key);
    if (value.empty()) {
      return InvalidArgument("the PKCS12 password Secret " + cert.metadata.ns + "/" + ref.name + " has no key " +
                             ref.key);
    }
    out[PasswordKey(ref)] = std::move(value);
  }
  return out;
}

Result<CertificateReconciler::SigningCa> CertificateReconciler::PrepareSigning(const api::Certificate& cert,
                                                                               const api::CertificateProfile& profile) {
  const std::string& ca_name = profile.spec.ca_ref.name;
  auto ca = deps_.signers->Get(ca_name);
  if (!ca.ok()) return ca.status();
  auto ca_object = deps_.caches->cas.store().Get(ca_name);
  if (!ca_object) return FailedPrecondition("CertificateAuthority " + ca_name + " does not exist");

  // The CRL shard is chosen before signing: the certificate names its shard's URL.
  SigningCa out{.ca = *ca};
  if (deps_.crl != nullptr) {
    out.crl_shard = deps_.crl->ShardForNewCertificate(*ca_object, cert.metadata.ns + "/" + cert.metadata.name);
    out.crl_urls = deps_.crl->ShardUrls(*ca_object, out.crl_shard);
    out.delta_crl_urls = deps_.crl->ShardDeltaUrls(*ca_object, out.crl_shard);
  }
  // The URL the OCSP maintainer published for the CA; none before it has.
  if (profile.spec.revocation.include_ocsp_url && ca_object->status.ocsp && !ca_object->status.ocsp->url.empty()) {
    out.ocsp_urls = {ca_object->status.ocsp->url};
  }
  return out;
}

Result<CertificateReconciler::Issued> CertificateReconciler::IssueFromCsr(const api::Certificate& cert,
                                                                          const api::CertificateSpec& spec,
                                                                          const api::CertificateProfile& profile,
                                                                          const api::CertificateTemplate& tmpl) {
  // Decide parsed it already; a CSR that stopped parsing would be a bug, not a retry.
  auto csr = pki::ParseCsrPem(cert.spec.csr);
  if (!csr.ok()) return csr.status().WithContext("spec.csr");
  auto signing = PrepareSigning(cert, profile);
  if (!signing.ok()) return signing.status();
  const CaMaterial& ca = *signing->ca;
  auto leaf = SignLeaf({.spec = spec,
                        .tmpl = tmpl.spec,
                        .ca = ca,
                        .now = deps_.clock->WallNow(),
                        .crl_urls = signing->crl_urls ? &*signing->crl_urls : nullptr,
                        .freshest_crl_urls = &signing->delta_crl_urls,
                        .ocsp_urls = &signing->ocsp_urls},
                       csr->public_key());
  if (!leaf.ok()) return leaf.status();
  return Issued{leaf->certificate.serial().ToHex(),
                api::ToTime(leaf->certificate.not_before()),
                api::ToTime(leaf->certificate.not_after()),
                profile.spec.ca_ref.name,
                signing->crl_shard,
                pki::EncodeCertificateChainPem(leaf->chain)};
}

Result<CertificateReconciler::Issued> CertificateReconciler::Issue(
    const api::Certificate& cert, const api::CertificateProfile& profile, const api::CertificateTemplate& tmpl,
    std::int64_t revision, const std::map<std::string, std::string>& passwords) {
  const std::string& ca_name = profile.spec.ca_ref.name;
  auto signing = PrepareSigning(cert, profile);
  if (!signing.ok()) return signing.status();
  const std::shared_ptr<const CaMaterial>& ca = signing->ca;
  const std::int32_t crl_shard = signing->crl_shard;
  const std::optional<std::vector<std::string>>& crl_urls = signing->crl_urls;

  // Under rotationPolicy Never the current key signs the next certificate too. Only a
  // Secret that is really not there (or a key that cannot be read) lets a new key be
  // made: an error reading it is retried, never taken for "no key".
  std::optional<pki::PrivateKey> existing_key;
  if (cert.spec.private_key.rotation_policy == api::RotationPolicy::kNever) {
    auto current = deps_.client->Get(kube::kSecrets, cert.metadata.ns, cert.spec.secret_name);
    if (current.ok()) {
      std::string pem = kube::SecretDataValue(*current, "tls.key");
      if (auto key = pki::ParsePrivateKeyPem(pem); key.ok()) existing_key = std::move(*key);
      OPENSSL_cleanse(pem.data(), pem.size());
    } else if (current.status().code() != StatusCode::kNotFound) {
      return current.status().WithContext("reading Secret " + cert.metadata.ns + "/" + cert.spec.secret_name +
                                          " to keep its key (rotationPolicy Never)");
    }
  }

  const auto formats = api::EffectiveOutputFormats(cert.spec, profile.spec);
  const auto issued_at = deps_.clock->WallNow();
  auto leaf = IssueLeaf({.spec = cert.spec,
                         .tmpl = tmpl.spec,
                         .ca = *ca,
                         .now = issued_at,
                         .existing_key = existing_key ? &*existing_key : nullptr,
                         .crl_urls = crl_urls ? &*crl_urls : nullptr,
                         .freshest_crl_urls = &signing->delta_crl_urls,
                         .ocsp_urls = &signing->ocsp_urls});
  if (!leaf.ok()) return leaf.status();

  auto secret = BuildTlsSecret({.certificate = cert,
                                .leaf = *leaf,
                                .root = ca->root,
                                .ca_name = ca_name,
                                .profile_name = profile.metadata.name,
                                .revision = revision,
                                .issued_at = std::chrono::floor<std::chrono::seconds>(issued_at),
                                .crl_shard = crl_shard,
                                .duration = api::EffectiveDuration(cert.spec, tmpl.spec),
                                .output_formats = formats,
                                .secret_template = api::EffectiveSecretTemplate(cert.spec, profile.spec),
                                .passwords = passwords});
  if (!secret.ok()) return secret.status();

  // The Secret informer sees these exact bytes again a moment after the write: hand it
  // their facts, which this issuance holds as objects, so it need not parse them
  // (secret_facts_memo.h). Before the write, which its watch event may overtake.
  TlsSecretContents written{kube::SecretDataValue(*secret, "tls.crt"), kube::SecretDataValue(*secret, "tls.key"),
                            kube::SecretDataValue(*secret, "ca.crt")};
  deps_.caches->written_secret_facts->Remember(written,
                                               IssuedContentFacts(leaf->chain, leaf->key, written.tls_key, ca->root));
  OPENSSL_cleanse(written.tls_key.data(), written.tls_key.size());

  // One server-side apply creates or updates the Secret and owns exactly the fields
  // certplane writes; labels, annotations or keys others add are left alone.
  // Metadata only in the response: the private key is not sent back to be parsed.
  auto applied = deps_.client->Apply(kube::kSecrets, cert.metadata.ns, cert.spec.secret_name, *secret,
                                     {.field_manager = deps_.field_manager, .force = true, .metadata_only = true});
  if (!applied.ok())
    return applied.status().WithContext("writing Secret " + cert.metadata.ns + "/" + cert.spec.secret_name);

  return Issued{leaf->certificate.serial().ToHex(), api::ToTime(leaf->certificate.not_before()),
                api::ToTime(leaf->certificate.not_after()), ca_name, crl_shard};
}

// --- Gather ---------------------------------------------------------------------------

std::vector<policy::SecretClaimant> CertificateReconciler::SecretClaimants(const api::Certificate& cert) const {
  std::vector<policy::SecretClaimant> out;
  for (const auto& c : deps_.caches->CertificatesNamingSecret(cert.metadata.ns, cert.spec.secret_name)) {
    // One being deleted gives the Secret up at once: the next oldest takes it over.
    if (!c->metadata.deletion_timestamp.empty() && c->metadata.uid != cert.metadata.uid) continue;
    out.push_back({c->metadata.name, c->metadata.creation_timestamp, c->metadata.uid});
  }
  return out;
}

bool CertificateReconciler::ReferencedSecretsExist(const api::Certificate& cert, const api::CertificateProfile& profile,
                                                   const std::string& key) {
  const api::Condition* issuing = api::FindCondition(cert.status.conditions, api::kConditionIssuing);
  if (deps_.referenced_secrets == nullptr || issuing == nullptr ||
      issuing->reason != policy::kReferencedSecretNotFound) {
    if (deps_.referenced_secrets != nullptr) deps_.referenced_secrets->Release(key);
    return false;
  }
  bool all = true;
  for (const auto& f : api::EffectiveOutputFormats(cert.spec, profile.spec)) {
    if (!f.password_secret_ref) continue;
    all &= deps_.referenced_secrets->Exists(cert.metadata.ns, f.password_secret_ref->name, key);
  }
  return all;
}

std::optional<CertificateReconciler::Gathered> CertificateReconciler::Gather(
    std::shared_ptr<const api::Certificate> cert, const std::string& key, kube::ReconcileResult& blocked) {
  const Caches& caches = *deps_.caches;
  Gathered g;
  g.cert = std::move(cert);
  g.profile = caches.profiles.store().Get(g.cert->spec.profile_ref.name);
  if (!g.profile) {
    blocked = Blocked(*g.cert, kProfileNotFound,
                      "CertificateProfile " + g.cert->spec.profile_ref.name + " does not exist", false);
    return std::nullopt;
  }
  g.tmpl = caches.templates.store().Get(g.profile->spec.template_ref.name);
  if (!g.tmpl) {
    blocked = Blocked(*g.cert, kTemplateNotFound,
                      "CertificateTemplate " + g.profile->spec.template_ref.name + " of CertificateProfile " +
                          g.profile->metadata.name + " does not exist",
                      false);
    return std::nullopt;
  }
  auto ca = caches.cas.store().Get(g.profile->spec.ca_ref.name);
  // CSR enrollment has no Secret: the requester keeps its key.
  g.csr_enrollment = !g.cert->spec.csr.empty();
  if (!g.csr_enrollment) {
    g.secret = caches.certificate_secrets.store().Get(g.cert->metadata.ns + "/" + g.cert->spec.secret_name);
    // A Secret of that name that certplane did not write for this Certificate is not
    // ours to judge; its owner (below) issuing takes it over.
    if (g.secret && g.secret->certificate_name != g.cert->metadata.name) g.secret = nullptr;
  }

  const std::vector<policy::SecretClaimant> claimants =
      g.csr_enrollment ? std::vector<policy::SecretClaimant>{} : SecretClaimants(*g.cert);
  std::string owner = policy::SecretOwner(claimants);
  if (owner == g.cert->metadata.name) owner.clear();
  CertificateSecret::Contents secret = g.secret ? g.secret->Unpack() : CertificateSecret::Contents{};

  g.input = policy::IssuanceInput{
      .certificate = *g.cert,
      .profile = *g.profile,
      .tmpl = *g.tmpl,
      .namespace_labels = caches.NamespaceLabels(g.cert->metadata.ns),
      .secret = std::move(secret.facts),
      .ca_ready = ca && api::IsConditionTrue(ca->status.conditions, api::kConditionReady),
      .ca_fingerprint_sha256 = ca ? ca->status.fingerprint_sha256 : std::string(),
      .now = api::ToTime(deps_.clock->WallNow()),
      .csr = g.csr_enrollment ? std::optional(CsrFactsOf(g.cert->spec.csr)) : std::nullopt,
      .controller_namespace = caches.controller_namespace(),
      .ca_exists = ca != nullptr,
      .secret_owner = std::move(owner),
      .secret_data_keys = std::move(secret.data_keys),
      .backoff = deps_.backoff,
      .referenced_secrets_exist = ReferencedSecretsExist(*g.cert, *g.profile, key),
  };
  return g;
}

// --- Reconcile: gather, decide, act ---------------------------------------------------

kube::ReconcileResult CertificateReconciler::Reconcile(const kube::Request& request) {
  const std::string key = request.Key();
  auto cert = deps_.caches->certificates.store().Get(key);
  if (!cert) {
    expectations_.Forget("secret:" + key);
    expectations_.Forget("status:" + key);
    if (deps_.referenced_secrets != nullptr) deps_.referenced_secrets->Release(key);
    return kube::ReconcileResult::Done();
  }
  if (!cert->metadata.deletion_timestamp.empty()) return ReconcileDeletion(*cert, key);

  const auto wall_now = deps_.clock->WallNow();
  // A status this controller just wrote that the cache does not show yet: deciding on
  // the older copy would only write it again and conflict (and could revoke a serial
  // already replaced).
  if (expectations_.Pending("status:" + key, std::to_string(cert->status.revision), wall_now)) {
    return kube::ReconcileResult::After(std::chrono::seconds(1));
  }
  if (auto revoked = ReconcileRevocation(*cert, key)) return *revoked;
  if (auto lifted = ReconcileLiftedHold(*cert, key)) return *lifted;

  kube::ReconcileResult blocked = kube::ReconcileResult::Done();
  std::optional<Gathered> g = Gather(cert, key, blocked);
  if (!g) return blocked;

  // A revision this controller just wrote that the Secret cache does not show yet: wait
  // for it (its watch event enqueues this key again) instead of judging a stale view.
  if (!g->csr_enrollment &&
      expectations_.Pending("secret:" + key, std::to_string(RevisionOf(g->secret.get())), wall_now)) {
    return kube::ReconcileResult::After(std::chrono::seconds(1));
  }
  // Under a revoke-on-delete profile, the finalizer goes on before anything is issued.
  // Its write enqueues the Certificate again.
  if (g->profile->spec.revocation.revoke_on_delete &&
      std::find(cert->metadata.finalizers.begin(), cert->metadata.finalizers.end(), api::kRevokeOnDeleteFinalizer) ==
          cert->metadata.finalizers.end()) {
    if (Status s = EnsureFinalizer(*cert, *g->profile); !s.ok()) return kube::ReconcileResult::Retry(s);
    return kube::ReconcileResult::Done();
  }

  const policy::Decision d = policy::Decide(g->input);
  switch (d.action) {
    case policy::Action::kBlocked: {
      // What the requester must fix gets a Warning event; waiting for the CA does not.
      const bool warn = d.why.reason != policy::kCANotReady;
      return Blocked(*cert, d.why.reason, d.why.message, warn);
    }
    case policy::Action::kBackoff: return ActBackoff(*g, d);
    case policy::Action::kIssue: return ActIssue(*g, d, key);
    case policy::Action::kNone: return ActObserve(*g, d);
  }
  return kube::ReconcileResult::Done();
}

// --- Act --------------------------------------------------------------------------------

kube::ReconcileResult CertificateReconciler::ActBackoff(const Gathered& g, const policy::Decision& d) {
  const api::Certificate& cert = *g.cert;
  const Time now = std::chrono::floor<std::chrono::seconds>(g.input.now);
  api::CertificateStatus status = cert.status;
  status.observed_generation = cert.metadata.generation;
  // A failed issuance's own condition already says when it is tried again; an unplanned
  // reissue that waits says so here, once (the message names a fixed time, so the
  // writes that keep waking this Certificate change nothing).
  if (d.backoff) {
    const bool changed =
        api::SetCondition(status.conditions,
                          api::MakeCondition(api::kConditionIssuing, api::ConditionStatus::kFalse, d.backoff->reason,
                                             d.backoff->message, cert.metadata.generation),
                          now);
    if (d.not_ready) {
      api::SetCondition(status.conditions,
                        api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, d.not_ready->reason,
                                           d.not_ready->message, cert.metadata.generation),
                        now);
    }
    if (changed) {
      Event(cert, kube::EventType::kWarning, d.backoff->reason, d.backoff->message);
      kube::Logger("certificates")
          ->warn("backing off certificate={}/{} trigger={} until={}", cert.metadata.ns, cert.metadata.name,
                 d.why.reason, api::FormatTime(*d.retry_at));
    }
  }
  if (Status s = WriteStatus(cert, status); !s.ok()) return kube::ReconcileResult::Retry(s);
  return RequeueAt(d.retry_at, now);
}

kube::ReconcileResult CertificateReconciler::ActFailed(const Gathered& g, const policy::Decision& d,
                                                       std::string_view reason, const Status& err) {
  const api::Certificate& cert = *g.cert;
  const Time now = std::chrono::floor<std::chrono::seconds>(g.input.now);
  api::CertificateStatus status = cert.status;
  status.observed_generation = cert.metadata.generation;
  status.failed_issuance_attempts = d.failed_attempts_after_failure;
  status.last_failure_time = now;
  const Time retry_at = now + policy::BackoffDelay(status.failed_issuance_attempts, g.input.backoff);
  const std::string message =
      std::string(d.why.reason) + ": " + err.message() + "; attempt " +
      std::to_string(status.failed_issuance_attempts) + " failed, the next is at " + api::FormatTime(retry_at) +
      (reason == policy::kReferencedSecretNotFound ? " or as soon as the Secret appears"
                                                   : " (a spec change or the renew annotation retries at once)");
  kube::Logger("certificates")
      ->warn("issuance failed certificate={}/{} reason={} attempt={} retry_at={} error=\"{}\"", cert.metadata.ns,
             cert.metadata.name, reason, status.failed_issuance_attempts, api::FormatTime(retry_at), err.ToString());
  api::SetCondition(status.conditions,
                    api::MakeCondition(api::kConditionIssuing, api::ConditionStatus::kFalse, reason, message,
                                       cert.metadata.generation),
                    now);
  if (!g.input.secret.exists) {
    api::SetCondition(status.conditions,
                      api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, reason, message,
                                         cert.metadata.generation),
                      now);
  }
  Event(cert, kube::EventType::kWarning, reason, message);
  deps_.metrics->IssuanceFailed(g.profile->metadata.name, d.why.reason);
  if (Status s = WriteStatus(cert, status); !s.ok()) return kube::ReconcileResult::Retry(s);
  // The backoff is ours, from status: the write above wakes this key at once, and that
  // pass only confirms the wait.
  return RequeueAt(retry_at, now);
}

kube::ReconcileResult CertificateReconciler::ActIssue(const Gathered& g, const policy::Decision& d,
                                                      const std::string& key) {
  const api::Certificate& cert = *g.cert;
  const Time now = std::chrono::floor<std::chrono::seconds>(g.input.now);
  const auto wall_now = deps_.clock->WallNow();
  api::CertificateStatus status = cert.status;
  status.observed_generation = cert.metadata.generation;

  // A Secret holding a newer revision than status records was written by an earlier
  // attempt whose status write never landed: the next revision comes after it.
  const std::int64_t revision = std::max(status.revision, RevisionOf(g.secret.get())) + 1;
  Result<Issued> issued = InvalidArgument("not issued");
  if (g.csr_enrollment) {
    issued = IssueFromCsr(cert, policy::EffectiveSpec(g.input), *g.profile, *g.tmpl);
  } else {
    auto passwords = ReadPasswords(cert, api::EffectiveOutputFormats(cert.spec, g.profile->spec));
    if (!passwords.ok()) return ActFailed(g, d, policy::kReferencedSecretNotFound, passwords.status());
    issued = Issue(cert, *g.profile, *g.tmpl, revision, *passwords);
    for (auto& [k, v] : *passwords) OPENSSL_cleanse(v.data(), v.size());
  }
  if (!issued.ok()) return ActFailed(g, d, policy::kIssuanceFailed, issued.status());
  if (deps_.referenced_secrets != nullptr) deps_.referenced_secrets->Release(key);

  if (!g.csr_enrollment) {
    expectations_.Expect("secret:" + key, std::to_string(revision), wall_now + std::chrono::seconds(30));
  }
  status.certificate = issued->chain_pem;
  const bool first = cert.status.serial_number.empty() && !g.input.secret.exists;
  RecordSerial(status, issued->serial, issued->not_before, issued->not_after, revision, issued->ca_name,
               issued->crl_shard);
  ReconcileSuperseded(*g.profile, status, key);
  status.last_issuance_time = now;
  status.failed_issuance_attempts = 0;
  status.last_failure_time.reset();
  status.unplanned_reissues = d.unplanned_reissues_after;
  status.renewal_time.reset();
  if (api::EffectiveAutoRenew(cert.spec, g.profile->spec)) {
    status.renewal_time = policy::RenewalTime({.not_before = issued->not_before,
                                               .not_after = issued->not_after,
                                               .renew_before = api::EffectiveRenewBefore(cert.spec, g.profile->spec),
                                               .uid = cert.metadata.uid});
  }
  api::SetCondition(status.conditions,
                    api::MakeCondition(api::kConditionReady, api::ConditionStatus::kTrue, d.ready_reason,
                                       ReadyMessage(g.csr_enrollment), cert.metadata.generation),
                    now);
  api::RemoveCondition(status.conditions, api::kConditionIssuing);
  deps_.metrics->Issued(g.profile->metadata.name, d.why.reason);
  // Routine: one Event per certificate while issuances are rare, a summary on the
  // profile when many are issued at once (the Event would be a third write each).
  deps_.events->RecordRoutine(
      {std::string(api::kApiVersion), std::string(api::kCertificateKind), cert.metadata.ns, cert.metadata.name,
       cert.metadata.uid},
      {std::string(api::kApiVersion), std::string(api::kCertificateProfileKind), "", g.profile->metadata.name,
       g.profile->metadata.uid},
      std::string(first ? policy::kIssued : policy::kReissued), "Issue",
      (first ? "issued serial " : "reissued (" + std::string(d.why.reason) + ": " + d.why.message + ") as serial ") +
          issued->serial + ", valid until " + api::FormatTime(issued->not_after));
  kube::Logger("certificates")
      ->info("issued certificate={} serial={} revision={} reason={}", key, issued->serial, revision, d.why.reason);
  if (Status s = WriteStatus(cert, status); !s.ok()) return kube::ReconcileResult::Retry(s);
  expectations_.Expect("status:" + key, std::to_string(revision), wall_now + std::chrono::seconds(30));
  return RequeueAt(status.renewal_time ? status.renewal_time : status.not_after, now);
}

kube::ReconcileResult CertificateReconciler::ActObserve(const Gathered& g, const policy::Decision& d) {
  const api::Certificate& cert = *g.cert;
  const Time now = std::chrono::floor<std::chrono::seconds>(g.input.now);
  api::CertificateStatus status = cert.status;
  status.observed_generation = cert.metadata.generation;
  // Nothing to issue: make status describe what the Secret holds.
  if (const policy::SecretFacts& facts = g.input.secret; g.secret && facts.exists && !facts.serial_number.empty()) {
    // A revision whose status write was lost is adopted with the time it was issued, so
    // that the renew request it answered stays answered.
    if (facts.serial_number != status.serial_number && facts.issued_at &&
        (!status.last_issuance_time || *facts.issued_at > *status.last_issuance_time)) {
      status.last_issuance_time = facts.issued_at;
    }
    RecordSerial(status, facts.serial_number, facts.not_before, facts.not_after, RevisionOf(g.secret.get()),
                 facts.ca_name.empty() ? g.profile->spec.ca_ref.name : facts.ca_name, g.secret->CrlShard());
  }
  ReconcileSuperseded(*g.profile, status, RequestKey(cert));
  status.renewal_time = d.renewal_time;
  if (d.not_ready) {
    api::SetCondition(status.conditions,
                      api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, d.not_ready->reason,
                                         d.not_ready->message, cert.metadata.generation),
                      now);
  } else {
    // Whatever failed before is moot: the Secret is right (restored by someone, say).
    status.failed_issuance_attempts = 0;
    status.last_failure_time.reset();
    api::SetCondition(status.conditions,
                      api::MakeCondition(api::kConditionReady, api::ConditionStatus::kTrue, d.ready_reason,
                                         ReadyMessage(g.csr_enrollment), cert.metadata.generation),
                      now);
  }
  if (d.issuing) {
    api::SetCondition(status.conditions,
                      api::MakeCondition(api::kConditionIssuing, api::ConditionStatus::kFalse, d.issuing->reason,
                                         d.issuing->message, cert.metadata.generation),
                      now);
  } else {
    api::RemoveCondition(status.conditions, api::kConditionIssuing);
  }
  if (Status s = WriteStatus(cert, status); !s.ok()) return kube::ReconcileResult::Retry(s);
  return RequeueAt(d.next_check, now);
}

}  // namespace certplane::reconcile
