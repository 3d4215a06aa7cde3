#include "reconcile/certificate_reconciler.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <charconv>

#include "api/certificate_json.h"
#include "api/condition.h"
#include "api/defaults.h"
#include "api/merge_patch.h"
#include "api/well_known.h"
#include "kube/base64.h"
#include "kube/logging.h"
#include "pki/csr.h"
#include "pki/key.h"
#include "policy/issuance.h"
#include "policy/reasons.h"
#include "policy/renewal.h"
#include "reconcile/leaf_issuance.h"
#include "reconcile/secret_data.h"
#include "reconcile/tls_secret.h"

namespace certplane::reconcile {
namespace {

using api::Time;


std::int64_t RevisionOf(const CertificateSecret* secret) {
  if (secret == nullptr) return 0;
  const std::string* v = secret->metadata.annotations.Find(api::kRevisionAnnotation);
  std::int64_t out = 0;
  if (v != nullptr) std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

// The CRL shard a Secret's certificate names (recorded at issuance); 0 when unknown.
std::int32_t CrlShardOf(const CertificateSecret& secret) {
  const std::string* v = secret.metadata.annotations.Find(api::kCrlShardAnnotation);
  std::int32_t out = 0;
  if (v != nullptr) std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

// The data keys an output format puts in the Secret.
std::vector<std::string> OutputKeys(const api::OutputFormat& f) {
  switch (f.type) {
    case api::OutputFormatType::kPkcs12:
      return f.truststore ? std::vector<std::string>{"keystore.p12", "truststore.p12"}
                          : std::vector<std::string>{"keystore.p12"};
    case api::OutputFormatType::kCombinedPem: return {"tls-combined.pem"};
    case api::OutputFormatType::kDer: return {"tls.der"};
  }
  return {};
}

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

std::string ReadyMessage(bool csr_enrollment) {
  return csr_enrollment ? "the certificate for the CSR's key is issued and valid (status.certificate)"
                        : "the certificate is valid and matches its spec";
}

kube::ReconcileResult RequeueAt(std::optional<Time> when, Time now) {
  if (!when) return kube::ReconcileResult::Done();
  auto delay = std::max<kube::Duration>(*when - now, std::chrono::seconds(1));
  return kube::ReconcileResult::After(delay);
}

}  // namespace

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
      {"status", api::CreateMergePatch(api::EncodeCertificateStatus(cert.status), api::EncodeCertificateStatus(desired))},
  };
  auto written = deps_.client->MergePatch(kCertificatesResource, cert.metadata.ns, cert.metadata.name, body,
                                          {.field_manager = deps_.field_manager, .subresource = "status"});
  if (!written.ok()) return written.status().WithContext("updating the status of Certificate " + cert.metadata.ns + "/" + cert.metadata.name);
  api::Certificate observed = cert;
  observed.status = desired;
  deps_.metrics->ObserveCertificate(observed, desired.ca_name);
  return Status::Ok();
}

kube::ReconcileResult CertificateReconciler::Blocked(const api::Certificate& cert, std::string_view reason,
                                                     const std::string& message, bool warn) {
  const Time now = api::ToTime(deps_.clock->WallNow());
  api::CertificateStatus status = cert.status;
  bool changed = api::SetCondition(status.conditions,
                                   api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, reason, message,
                                                 cert.metadata.generation),
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
    std::string value = SecretDataValue(*secret, ref.key);
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
                        .crl_urls = signing->crl_urls ? &*signing->crl_urls : nullptr},
                       csr->public_key());
  if (!leaf.ok()) return leaf.status();
  return Issued{leaf->certificate.serial().ToHex(), api::ToTime(leaf->certificate.not_before()),
                api::ToTime(leaf->certificate.not_after()), profile.spec.ca_ref.name,
                signing->crl_shard, pki::EncodeCertificateChainPem(leaf->chain)};
}

Result<CertificateReconciler::Issued> CertificateReconciler::Issue(const api::Certificate& cert,
                                                                   const api::CertificateProfile& profile,
                                                                   const api::CertificateTemplate& tmpl,
                                                                   std::int64_t revision) {
  const std::string& ca_name = profile.spec.ca_ref.name;
  auto signing = PrepareSigning(cert, profile);
  if (!signing.ok()) return signing.status();
  const std::shared_ptr<const CaMaterial>& ca = signing->ca;
  const std::int32_t crl_shard = signing->crl_shard;
  const std::optional<std::vector<std::string>>& crl_urls = signing->crl_urls;

  // Under rotationPolicy Never the current key signs the next certificate too.
  std::optional<pki::PrivateKey> existing_key;
  if (cert.spec.private_key.rotation_policy == api::RotationPolicy::kNever) {
    auto current = deps_.client->Get(kube::kSecrets, cert.metadata.ns, cert.spec.secret_name);
    if (current.ok()) {
      std::string pem = SecretDataValue(*current, "tls.key");
      if (auto key = pki::ParsePrivateKeyPem(pem); key.ok()) existing_key = std::move(*key);
      OPENSSL_cleanse(pem.data(), pem.size());
    }
  }

  const auto formats = api::EffectiveOutputFormats(cert.spec, profile.spec);
  auto passwords = ReadPasswords(cert, formats);
  if (!passwords.ok()) return passwords.status();

  auto leaf = IssueLeaf({.spec = cert.spec,
                         .tmpl = tmpl.spec,
                         .ca = *ca,
                         .now = deps_.clock->WallNow(),
                         .existing_key = existing_key ? &*existing_key : nullptr,
                         .crl_urls = crl_urls ? &*crl_urls : nullptr});
  if (!leaf.ok()) return leaf.status();

  auto secret = BuildTlsSecret({.certificate = cert,
                                .leaf = *leaf,
                                .root = ca->root,
                                .ca_name = ca_name,
                                .profile_name = profile.metadata.name,
                                .revision = revision,
                                .crl_shard = crl_shard,
                                .duration = api::EffectiveDuration(cert.spec, tmpl.spec),
                                .output_formats = formats,
                                .secret_template = api::EffectiveSecretTemplate(cert.spec, profile.spec),
                                .passwords = *passwords});
  for (auto& [k, v] : *passwords) OPENSSL_cleanse(v.data(), v.size());
  if (!secret.ok()) return secret.status();

  // One server-side apply creates or updates the Secret and owns exactly the fields
  // certplane writes; labels, annotations or keys others add are left alone.
  auto applied = deps_.client->Apply(kube::kSecrets, cert.metadata.ns, cert.spec.secret_name, *secret,
                                     {.field_manager = deps_.field_manager, .force = true});
  if (!applied.ok()) return applied.status().WithContext("writing Secret " + cert.metadata.ns + "/" + cert.spec.secret_name);

  return Issued{leaf->certificate.serial().ToHex(), api::ToTime(leaf->certificate.not_before()),
                api::ToTime(leaf->certificate.not_after()), ca_name, crl_shard};
}

kube::ReconcileResult CertificateReconciler::Reconcile(const kube::Request& request) {
  const Caches& caches = *deps_.caches;
  auto cert = caches.certificates.store().Get(request.Key());
  if (!cert) {
    deps_.metrics->ForgetCertificate(request.ns, request.name);
    expectations_.Forget("secret:" + request.Key());
    expectations_.Forget("status:" + request.Key());
    return kube::ReconcileResult::Done();
  }
  if (!cert->metadata.deletion_timestamp.empty()) return ReconcileDeletion(*cert, request.Key());

  const auto wall_now = deps_.clock->WallNow();
  // A status this controller just wrote that the cache does not show yet: deciding on
  // the older copy would only write it again and conflict (and could revoke a serial
  // already replaced).
  if (expectations_.Pending("status:" + request.Key(), std::to_string(cert->status.revision), wall_now)) {
    return kube::ReconcileResult::After(std::chrono::seconds(1));
  }
  if (auto revoked = ReconcileRevocation(*cert, request.Key())) return *revoked;
  if (auto lifted = ReconcileLiftedHold(*cert, request.Key())) return *lifted;

  // --- Observe. ---------------------------------------------------------------------
  auto profile = caches.profiles.store().Get(cert->spec.profile_ref.name);
  if (!profile) {
    return Blocked(*cert, kProfileNotFound,
                   "CertificateProfile " + cert->spec.profile_ref.name + " does not exist", false);
  }
  auto tmpl = caches.templates.store().Get(profile->spec.template_ref.name);
  if (!tmpl) {
    return Blocked(*cert, kTemplateNotFound,
                   "CertificateTemplate " + profile->spec.template_ref.name + " of CertificateProfile " +
                       profile->metadata.name + " does not exist",
                   false);
  }
  auto ca = caches.cas.store().Get(profile->spec.ca_ref.name);
  // CSR enrollment has no Secret: the requester keeps its key.
  const bool csr_enrollment = !cert->spec.csr.empty();
  std::shared_ptr<const CertificateSecret> secret;
  if (!csr_enrollment) secret = caches.certificate_secrets.store().Get(cert->metadata.ns + "/" + cert->spec.secret_name);
  // A Secret of that name that certplane did not write for this Certificate is not ours
  // to judge; issuing takes it over.
  if (secret) {
    const std::string* owner = secret->metadata.labels.Find(api::kCertificateNameLabel);
    if (owner == nullptr || *owner != cert->metadata.name) secret = nullptr;
  }

  // A revision this controller just wrote that the Secret cache does not show yet: wait
  // for it (its watch event enqueues this key again) instead of judging a stale view.
  if (!csr_enrollment &&
      expectations_.Pending("secret:" + request.Key(), std::to_string(RevisionOf(secret.get())), wall_now)) {
    return kube::ReconcileResult::After(std::chrono::seconds(1));
  }
  // Under a revoke-on-delete profile, the finalizer goes on before anything is issued.
  // Its write enqueues the Certificate again.
  if (profile->spec.revocation.revoke_on_delete &&
      std::find(cert->metadata.finalizers.begin(), cert->metadata.finalizers.end(), api::kRevokeOnDeleteFinalizer) ==
          cert->metadata.finalizers.end()) {
    if (Status s = EnsureFinalizer(*cert, *profile); !s.ok()) return kube::ReconcileResult::Retry(s);
    return kube::ReconcileResult::Done();
  }

  const Time now = api::ToTime(deps_.clock->WallNow());
  policy::IssuanceInput in{.certificate = *cert,
                           .profile = *profile,
                           .tmpl = *tmpl,
                           .namespace_labels = caches.NamespaceLabels(cert->metadata.ns),
                           .secret = secret ? secret->facts : policy::SecretFacts{},
                           .ca_ready = ca && api::IsConditionTrue(ca->status.conditions, api::kConditionReady),
                           .ca_fingerprint_sha256 = ca ? ca->status.fingerprint_sha256 : std::string(),
                           .now = now,
                           .csr = csr_enrollment ? std::optional(CsrFactsOf(cert->spec.csr)) : std::nullopt,
                           .controller_namespace = caches.controller_namespace()};

  // --- Decide. ----------------------------------------------------------------------
  policy::Decision d = policy::Decide(in);
  if (d.action == policy::Action::kNone && secret && !csr_enrollment) {
    for (const auto& f : api::EffectiveOutputFormats(cert->spec, profile->spec)) {
      for (const auto& key : OutputKeys(f)) {
        if (!secret->HasKey(key)) {
          d.action = policy::Action::kIssue;
          d.why = {kOutputMissing, "the Secret lacks " + key + ", which spec.additionalOutputFormats asks for"};
        }
      }
    }
  }

  // --- Act. -------------------------------------------------------------------------
  if (d.action == policy::Action::kBlocked) {
    // What the requester must fix gets a Warning event; waiting for the CA does not.
    const bool warn = d.why.reason != policy::kCANotReady;
    return Blocked(*cert, d.why.reason, d.why.message, warn);
  }

  api::CertificateStatus status = cert->status;
  status.observed_generation = cert->metadata.generation;

  if (d.action == policy::Action::kIssue) {
    // A Secret holding a newer revision than status records was written by an earlier
    // attempt whose status write never landed: the next revision comes after it.
    const std::int64_t revision = std::max(status.revision, RevisionOf(secret.get())) + 1;
    auto issued = csr_enrollment ? IssueFromCsr(*cert, policy::EffectiveSpec(in), *profile, *tmpl)
                                 : Issue(*cert, *profile, *tmpl, revision);
    if (!issued.ok()) {
      const Status& err = issued.status();
      kube::Logger("certificates")->warn("issuance failed certificate={} reason={} error=\"{}\"", request.Key(),
                                         d.why.reason, err.ToString());
      status.failed_issuance_attempts += 1;
      status.last_failure_time = now;
      api::SetCondition(status.conditions,
                        api::MakeCondition(api::kConditionIssuing, api::ConditionStatus::kTrue, kIssuanceFailed,
                                      std::string(d.why.reason) + ": " + err.message(), cert->metadata.generation),
                        now);
      if (!secret || !secret->facts.exists) {
        api::SetCondition(status.conditions,
                          api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, kIssuanceFailed,
                                        err.message(), cert->metadata.generation),
                          now);
      }
      Event(*cert, kube::EventType::kWarning, kIssuanceFailed, err.message());
      deps_.metrics->IssuanceFailed(profile->metadata.name, d.why.reason);
      if (Status s = WriteStatus(*cert, status); !s.ok()) return kube::ReconcileResult::Retry(s);
      return err.code() == StatusCode::kInvalidArgument ? kube::ReconcileResult::Terminal(err)
                                                        : kube::ReconcileResult::Retry(err);
    }
    if (!csr_enrollment) {
      expectations_.Expect("secret:" + request.Key(), std::to_string(revision), wall_now + std::chrono::seconds(30));
    }
    status.certificate = issued->chain_pem;
    const bool first = cert->status.serial_number.empty() && !(secret && secret->facts.exists);
    RecordSerial(status, issued->serial, issued->not_before, issued->not_after, revision, issued->ca_name,
                 issued->crl_shard);
    ReconcileSuperseded(*profile, status, request.Key());
    status.last_issuance_time = now;
    status.failed_issuance_attempts = 0;
    status.last_failure_time.reset();
    status.renewal_time.reset();
    if (api::EffectiveAutoRenew(cert->spec, profile->spec)) {
      status.renewal_time = policy::RenewalTime({.not_before = issued->not_before,
                                                 .not_after = issued->not_after,
                                                 .renew_before = api::EffectiveRenewBefore(cert->spec, profile->spec),
                                                 .uid = cert->metadata.uid});
    }
    api::SetCondition(status.conditions,
                      api::MakeCondition(api::kConditionReady, api::ConditionStatus::kTrue, d.ready_reason,
                                         ReadyMessage(csr_enrollment), cert->metadata.generation),
                      now);
    api::RemoveCondition(status.conditions, api::kConditionIssuing);
    deps_.metrics->Issued(profile->metadata.name, d.why.reason);
    Event(*cert, kube::EventType::kNormal, first ? policy::kIssued : policy::kReissued,
          (first ? "issued serial " : "reissued (" + std::string(d.why.reason) + ": " + d.why.message + ") as serial ") +
              issued->serial + ", valid until " + api::FormatTime(issued->not_after));
    kube::Logger("certificates")->info("issued certificate={} serial={} revision={} reason={}", request.Key(),
                                       issued->serial, revision, d.why.reason);
    if (Status s = WriteStatus(*cert, status); !s.ok()) return kube::ReconcileResult::Retry(s);
    expectations_.Expect("status:" + request.Key(), std::to_string(revision), wall_now + std::chrono::seconds(30));
    return RequeueAt(status.renewal_time ? status.renewal_time : status.not_after, now);
  }

  // Nothing to issue: make status describe what the Secret holds.
  if (secret && secret->facts.exists && !secret->facts.serial_number.empty()) {
    RecordSerial(status, secret->facts.serial_number, secret->facts.not_before, secret->facts.not_after,
                 RevisionOf(secret.get()),
                 secret->facts.ca_name.empty() ? profile->spec.ca_ref.name : secret->facts.ca_name,
                 CrlShardOf(*secret));
  }
  ReconcileSuperseded(*profile, status, request.Key());
  status.renewal_time = d.renewal_time;
  if (d.not_ready) {
    api::SetCondition(status.conditions,
                      api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, d.not_ready->reason,
                                    d.not_ready->message, cert->metadata.generation),
                      now);
  } else {
    api::SetCondition(status.conditions,
                      api::MakeCondition(api::kConditionReady, api::ConditionStatus::kTrue, d.ready_reason,
                                         ReadyMessage(csr_enrollment), cert->metadata.generation),
                      now);
  }
  api::RemoveCondition(status.conditions, api::kConditionIssuing);
  if (Status s = WriteStatus(*cert, status); !s.ok()) return kube::ReconcileResult::Retry(s);
  deps_.metrics->ObserveCertificate(*cert, status.ca_name);
  return RequeueAt(d.next_check, now);
}

}  // namespace certplane::reconcile
