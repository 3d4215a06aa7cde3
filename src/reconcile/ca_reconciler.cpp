#include "reconcile/ca_reconciler.h"

#include <openssl/crypto.h>

#include "api/certificate_authority_json.h"
#include "api/condition.h"
#include "api/defaults.h"
#include "api/pki_mapping.h"
#include "api/well_known.h"
#include "crl/ca_key_id.h"
#include "kube/base64.h"
#include "kube/logging.h"
#include "kube/secret_data.h"
#include "pki/certificate.h"
#include "pki/issue.h"
#include "pki/key.h"
#include "pki/usage.h"
#include "reconcile/ca_material.h"
#include "reconcile/cached_secrets.h"
#include "reconcile/crl_decision.h"
#include "reconcile/crl_plan.h"

namespace certplane::reconcile {
namespace {

using api::Time;

pki::NameSubtrees ToPki(const api::NameConstraintSet& s) {
  return {s.dns_domains, s.ip_ranges, s.email_addresses, s.uri_domains};
}

nlohmann::json KeySecret(const api::CertificateAuthority& ca, const std::string& ns, const std::string& tls_crt,
                         std::string_view tls_key, const std::string& ca_crt, nlohmann::json annotations) {
  annotations[std::string(kCaSpecFingerprintAnnotation)] = policy::CaSpecFingerprint(ca.spec);
  return {
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"type", "kubernetes.io/tls"},
      {"metadata",
       {{"name", CaKeySecretName(ca.metadata.name)},
        {"namespace", ns},
        {"labels", {{std::string(kCaNameLabel), ca.metadata.name}}},
        {"annotations", annotations}}},
      {"data",
       {{"tls.crt", kube::Base64Encode(tls_crt)},
        {"tls.key", kube::Base64Encode(tls_key)},
        {"ca.crt", kube::Base64Encode(ca_crt)}}},
  };
}

// Fills the certificate fields of status from a key Secret's content.
Status StatusFromKeySecret(const nlohmann::json& secret, api::CertificateAuthorityStatus& status) {
  auto chain = pki::ParseCertificateChainPem(kube::SecretDataValue(secret, "tls.crt"));
  if (!chain.ok() || chain->empty()) return Internal("the key Secret just written holds no certificate");
  const pki::Certificate& cert = chain->front();
  status.serial_number = cert.serial().ToHex();
  status.not_before = api::ToTime(cert.not_before());
  status.not_after = api::ToTime(cert.not_after());
  status.fingerprint_sha256 = cert.sha256_fingerprint();
  status.certificate = cert.ToPem();
  std::string chain_pem = pki::EncodeCertificateChainPem(*chain);
  std::string root = kube::SecretDataValue(secret, "ca.crt");
  if (!cert.IsSelfSigned()) chain_pem += root;
  status.chain = chain_pem;
  status.secret_name = secret["metadata"].value("name", "");
  return Status::Ok();
}

}  // namespace

CaReconciler::CaReconciler(CaReconcilerDeps deps) : deps_(std::move(deps)) {}

void CaReconciler::Event(const api::CertificateAuthority& ca, kube::EventType type, std::string_view reason,
                         std::string note) {
  // Events about cluster-scoped objects live in the default namespace, as kubectl expects.
  kube::ObjectReference ref{std::string(api::kApiVersion), std::string(api::kCertificateAuthorityKind), "",
                            ca.metadata.name, ca.metadata.uid};
  deps_.events->Record(ref, type, std::string(reason), "Issue", std::move(note));
}

Status CaReconciler::WriteStatus(const api::CertificateAuthority& ca, const api::CertificateAuthorityStatus& desired) {
  if (desired == ca.status) return Status::Ok();
  nlohmann::json body = {
      {"apiVersion", std::string(api::kApiVersion)},
      {"kind", std::string(api::kCertificateAuthorityKind)},
      {"metadata", {{"name", ca.metadata.name}, {"resourceVersion", ca.metadata.resource_version}}},
      {"status", api::EncodeCertificateAuthorityStatus(desired)},
  };
  auto written = deps_.client->UpdateStatus(api::kCertificateAuthoritiesResource, "", body,
                                            {.field_manager = deps_.field_manager, .metadata_only = true});
  if (!written.ok())
    return written.status().WithContext("updating the status of CertificateAuthority " + ca.metadata.name);
  return Status::Ok();
}

policy::CaParentFacts CaReconciler::ParentFacts(const api::CertificateAuthority& ca, nlohmann::json* source_secret) {
  policy::CaParentFacts facts;
  if (ca.spec.type == api::CaType::kIntermediate && ca.spec.parent_ref) {
    const std::string& parent_name = ca.spec.parent_ref->name;
    auto parent = deps_.caches->cas.store().Get(parent_name);
    if (!parent) {
      facts.problem = "parent CertificateAuthority " + parent_name + " does not exist";
    } else if (!api::IsConditionTrue(parent->status.conditions, api::kConditionReady)) {
      facts.problem = "parent CertificateAuthority " + parent_name + " is not Ready";
    } else {
      facts.ready = true;
      facts.fingerprint_sha256 = parent->status.fingerprint_sha256;
    }
  } else if (ca.spec.type == api::CaType::kImported && ca.spec.secret_ref) {
    const auto& ref = *ca.spec.secret_ref;
    const std::string ns = ref.namespace_.empty() ? deps_.caches->controller_namespace() : ref.namespace_;
    auto secret = deps_.client->Get(kube::kSecrets, ns, ref.name);
    if (!secret.ok()) {
      facts.problem = "reading Secret " + ns + "/" + ref.name + ": " + secret.status().message();
      return facts;
    }
    auto chain = pki::ParseCertificateChainPem(kube::SecretDataValue(*secret, "tls.crt"));
    std::string key_pem = kube::SecretDataValue(*secret, "tls.key");
    auto key = pki::ParsePrivateKeyPem(key_pem);
    OPENSSL_cleanse(key_pem.data(), key_pem.size());
    if (!chain.ok() || chain->empty()) {
      facts.problem = "Secret " + ns + "/" + ref.name +
                      " tls.crt: " + (chain.ok() ? std::string("no certificate") : chain.status().message());
    } else if (!key.ok()) {
      facts.problem = "Secret " + ns + "/" + ref.name + " tls.key: " + key.status().message();
    } else if (auto issuer = pki::Issuer::Create(chain->front(), *key); !issuer.ok()) {
      facts.problem = "Secret " + ns + "/" + ref.name + ": " + issuer.status().message();
    } else {
      facts.ready = true;
      facts.fingerprint_sha256 = chain->front().sha256_fingerprint();
      if (source_secret != nullptr) *source_secret = std::move(*secret);
    }
  }
  return facts;
}

Result<nlohmann::json> CaReconciler::MakeKeySecret(const api::CertificateAuthority& ca) {
  const api::CertificateAuthoritySpec& spec = ca.spec;
  auto key = pki::GeneratePrivateKey(ToPki(api::EffectiveKeyAlgorithm(spec)));
  if (!key.ok()) return key.status().WithContext("generating the CA key");
  pki::CertificateSpec cert_spec;
  auto subject = SubjectOf(spec);
  if (!subject.ok()) return subject.status();
  cert_spec.subject = std::move(*subject);
  cert_spec.is_ca = true;
  cert_spec.key_usages = pki::DefaultCaKeyUsages();
  cert_spec.validity = std::chrono::duration_cast<std::chrono::seconds>(api::EffectiveDuration(spec));
  if (spec.max_path_length) cert_spec.path_len = *spec.max_path_length;
  if (spec.name_constraints) {
    cert_spec.name_constraints = {ToPki(spec.name_constraints->permitted), ToPki(spec.name_constraints->excluded)};
  }
  const auto now = deps_.clock->WallNow();

  std::string tls_crt, ca_crt;
  if (spec.type == api::CaType::kRoot) {
    auto cert = pki::SelfSignCertificate(cert_spec, *key, now);
    if (!cert.ok()) return cert.status().WithContext("self-signing");
    tls_crt = cert->ToPem();
    ca_crt = tls_crt;
  } else {
    const std::string& parent_name = spec.parent_ref->name;
    auto parent = deps_.signers->Get(parent_name);
    if (!parent.ok()) return parent.status();
    auto parent_ca = deps_.caches->cas.store().Get(parent_name);
    if (parent_ca) {
      CaUrls urls = deps_.signers->UrlsFor(*parent_ca);
      cert_spec.crl_distribution_points = CrlUrlsForKey(urls.crl_urls, (*parent)->key_id);
      cert_spec.ca_issuers_urls = urls.ca_issuers_urls;
    }
    cert_spec.truncate_to_issuer = true;
    auto cert = pki::IssueCertificate(cert_spec, key->public_key(), (*parent)->issuer, now);
    if (!cert.ok()) return cert.status().WithContext("signing with parent CertificateAuthority " + parent_name);
    std::vector<pki::Certificate> chain{*cert};
    chain.insert(chain.end(), (*parent)->intermediates.begin(), (*parent)->intermediates.end());
    tls_crt = pki::EncodeCertificateChainPem(chain);
    ca_crt = (*parent)->root.ToPem();
  }
  auto key_pem = key->ToPkcs8Pem();
  if (!key_pem.ok()) return key_pem.status();
  return KeySecret(ca, deps_.caches->controller_namespace(), tls_crt, key_pem->view(), ca_crt,
                   nlohmann::json::object());
}

Result<nlohmann::json> CaReconciler::ImportKeySecret(const api::CertificateAuthority& ca,
                                                     const nlohmann::json& source) {
  std::string tls_crt = kube::SecretDataValue(source, "tls.crt");
  std::string tls_key = kube::SecretDataValue(source, "tls.key");
  std::string ca_crt = kube::SecretDataValue(source, "ca.crt");
  auto chain = pki::ParseCertificateChainPem(tls_crt);
  if (!chain.ok() || chain->empty()) return FailedPrecondition("the imported tls.crt holds no certificate");
  if (ca_crt.empty()) ca_crt = chain->back().ToPem();  // a self-signed root, or the last of the chain
  nlohmann::json annotations = {{std::string(kCaSourceFingerprintAnnotation), chain->front().sha256_fingerprint()}};
  nlohmann::json secret = KeySecret(ca, deps_.caches->controller_namespace(), tls_crt, tls_key, ca_crt, annotations);
  OPENSSL_cleanse(tls_key.data(), tls_key.size());
  return secret;
}

Status CaReconciler::CarryRetiredKeys(const api::CertificateAuthority& ca, nlohmann::json& next, Time now) {
  const std::string ns = deps_.caches->controller_namespace();
  const std::string secret_name = CaKeySecretName(ca.metadata.name);
  auto current = deps_.client->Get(kube::kSecrets, ns, secret_name);
  if (!current.ok()) {
    // No key Secret (first issuance, or someone deleted it): there is no key to keep.
    if (current.status().code() == StatusCode::kNotFound) return Status::Ok();
    return current.status().WithContext("reading the key Secret of CertificateAuthority " + ca.metadata.name +
                                        " to keep its key for its CRLs");
  }
  auto next_chain = pki::ParseCertificateChainPem(kube::SecretDataValue(next, "tls.crt"));
  const std::string next_id = next_chain.ok() && !next_chain->empty() ? crl::CaKeyId(next_chain->front()) : "";

  std::vector<RetiredKeyPem> keys = RetiredKeysOf(*current);
  // The pair being replaced, when it is a working one (an unusable Secret has no key to keep).
  auto chain = pki::ParseCertificateChainPem(kube::SecretDataValue(*current, "tls.crt"));
  SensitiveString key_pem(kube::SecretDataValue(*current, "tls.key"));
  if (chain.ok() && !chain->empty()) {
    auto key = pki::ParsePrivateKeyPem(key_pem.view());
    if (key.ok() && pki::Issuer::Create(chain->front(), *key).ok()) {
      keys.push_back({.key_id = crl::CaKeyId(chain->front()),
                      .certificate_pem = chain->front().ToPem(),
                      .private_key_pem = std::move(key_pem)});
    }
  }
  for (const RetiredKeyPem& key : keys) {
    auto cert = pki::ParseCertificatePem(key.certificate_pem);
    if (!cert.ok()) continue;
    const CrlKeyFacts facts{.key_id = key.key_id, .not_after = api::ToTime(cert->not_after())};
    if (!crl::IsCaKeyId(key.key_id) || !RetiredKeyNeeded(facts, next_id, now)) continue;
    next["data"][RetiredCertificateDataKey(key.key_id)] = kube::Base64Encode(key.certificate_pem);
    next["data"][RetiredPrivateKeyDataKey(key.key_id)] = kube::Base64Encode(key.private_key_pem.view());
    kube::Logger("cas")->info("keeping retired key ca={} key_id={} until={}", ca.metadata.name, key.key_id,
                              api::FormatTime(facts.not_after));
  }
  return Status::Ok();
}

Result<std::optional<Time>> CaReconciler::DropExpiredRetiredKeys(const api::CertificateAuthority& ca,
                                                                 const policy::CaSecretFacts& facts, Time now) {
  std::optional<Time> next;
  nlohmann::json drop = nlohmann::json::object();
  for (const auto& [id, not_after] : facts.retired_keys) {
    if (RetiredKeyNeeded({.key_id = id, .not_after = not_after}, "", now)) {
      next = next ? std::min(*next, not_after) : not_after;
    } else {
      drop[RetiredCertificateDataKey(id)] = nullptr;
      drop[RetiredPrivateKeyDataKey(id)] = nullptr;
    }
  }
  if (drop.empty()) return next;
  const std::string ns = deps_.caches->controller_namespace();
  auto patched = deps_.client->MergePatch(kube::kSecrets, ns, CaKeySecretName(ca.metadata.name), {{"data", drop}},
                                          {.field_manager = deps_.field_manager, .metadata_only = true});
  if (!patched.ok()) {
    return patched.status().WithContext("dropping expired retired keys from the key Secret of CertificateAuthority " +
                                        ca.metadata.name);
  }
  kube::Logger("cas")->info("dropped retired keys ca={} count={} (their certificates have expired)", ca.metadata.name,
                            drop.size() / 2);
  return next;
}

kube::ReconcileResult CaReconciler::Reconcile(const kube::Request& request) {
  auto ca = deps_.caches->cas.store().Get(request.name);
  if (!ca) return kube::ReconcileResult::Done();
  const std::string ns = deps_.caches->controller_namespace();
  const std::string secret_name = CaKeySecretName(ca->metadata.name);
  auto key_secret = deps_.caches->ca_key_secrets.store().Get(ns + "/" + secret_name);
  const Time now = api::ToTime(deps_.clock->WallNow());
  // A key Secret just written that the cache does not show yet: wait for it rather than
  // take its absence for a missing key and make (and rotate to) another one.
  if (expectations_.Pending(ca->metadata.name, key_secret ? key_secret->facts.fingerprint_sha256 : std::string(),
                            deps_.clock->WallNow())) {
    return kube::ReconcileResult::After(std::chrono::seconds(1));
  }

  nlohmann::json source;
  policy::CaIssuanceInput in{.ca = *ca,
                             .key_secret = key_secret ? key_secret->facts : policy::CaSecretFacts{},
                             .parent = ParentFacts(*ca, &source),
                             .now = now};
  policy::CaDecision d = policy::DecideCa(in);
  const bool keeps_key_secret = d.action == policy::CaAction::kNone;

  api::CertificateAuthorityStatus status = ca->status;
  status.observed_generation = ca->metadata.generation;

  if (d.action == policy::CaAction::kWait) {
    api::SetCondition(status.conditions,
                      api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, d.reason, d.message,
                                         ca->metadata.generation),
                      now);
    if (Status s = WriteStatus(*ca, status); !s.ok()) return kube::ReconcileResult::Retry(s);
    // Imported sources are not watched (they may live anywhere): look again later.
    return ca->spec.type == api::CaType::kImported ? kube::ReconcileResult::After(std::chrono::minutes(1))
                                                   : kube::ReconcileResult::Done();
  }

  if (d.action == policy::CaAction::kIssue || d.action == policy::CaAction::kImport) {
    auto secret = d.action == policy::CaAction::kIssue ? MakeKeySecret(*ca) : ImportKeySecret(*ca, source);
    if (secret.ok()) {
      if (Status s = CarryRetiredKeys(*ca, *secret, now); !s.ok()) secret = s;
    }
    if (!secret.ok()) {
      api::SetCondition(status.conditions,
                        api::MakeCondition(api::kConditionReady, api::ConditionStatus::kFalse, "IssuanceFailed",
                                           secret.status().message(), ca->metadata.generation),
                        now);
      Event(*ca, kube::EventType::kWarning, "IssuanceFailed", secret.status().message());
      if (Status s = WriteStatus(*ca, status); !s.ok()) return kube::ReconcileResult::Retry(s);
      return kube::ReconcileResult::Retry(secret.status());
    }
    auto applied = deps_.client->Apply(kube::kSecrets, ns, secret_name, *secret,
                                       {.field_manager = deps_.field_manager, .force = true});
    // The JSON held the keys (current and retired) in base64: wipe them before they are freed.
    for (auto& [data_key, value] : (*secret)["data"].items()) {
      if (!std::string_view(data_key).ends_with(".key") || !value.is_string()) continue;
      auto& key_b64 = value.get_ref<std::string&>();
      OPENSSL_cleanse(key_b64.data(), key_b64.size());
    }
    if (!applied.ok()) return kube::ReconcileResult::Retry(applied.status().WithContext("writing the CA key Secret"));
    if (Status s = StatusFromKeySecret(*applied, status); !s.ok()) return kube::ReconcileResult::Retry(s);
    expectations_.Expect(ca->metadata.name, status.fingerprint_sha256,
                         deps_.clock->WallNow() + std::chrono::seconds(30));
    status.revision += 1;
    const std::string why(d.reason);
    d = policy::DecideCa(
        {.ca = *ca, .key_secret = DecodeCaKeySecret(*applied)->facts, .parent = in.parent, .now = now});
    Event(*ca, kube::EventType::kNormal, "Issued",
          std::string(in.key_secret.exists ? "made a new CA certificate (" : "made the CA certificate (") + why +
              "), serial " + status.serial_number);
    kube::Logger("cas")->info("issued ca={} serial={} fingerprint={}", ca->metadata.name, status.serial_number,
                              status.fingerprint_sha256);
  } else if (key_secret && status.fingerprint_sha256 != key_secret->facts.fingerprint_sha256) {
    // The key Secret holds a certificate status does not describe (a restart between the
    // two writes): read it and describe it.
    auto secret = deps_.client->Get(kube::kSecrets, ns, secret_name);
    if (!secret.ok()) return kube::ReconcileResult::Retry(secret.status());
    if (Status s = StatusFromKeySecret(*secret, status); !s.ok()) return kube::ReconcileResult::Retry(s);
  }

  if (key_secret && keeps_key_secret) {
    auto next_drop = DropExpiredRetiredKeys(*ca, key_secret->facts, now);
    if (!next_drop.ok()) return kube::ReconcileResult::Retry(next_drop.status());
    if (*next_drop && (!d.next_check || **next_drop < *d.next_check)) d.next_check = **next_drop;
  }

  status.renewal_time = d.renewal_time;
  api::SetCondition(status.conditions,
                    api::MakeCondition(api::kConditionReady, api::ConditionStatus::kTrue, policy::kCaReady,
                                       "the CA can sign", ca->metadata.generation),
                    now);
  if (Status s = WriteStatus(*ca, status); !s.ok()) return kube::ReconcileResult::Retry(s);
  if (ca->spec.type == api::CaType::kImported) return kube::ReconcileResult::After(std::chrono::minutes(1));
  if (!d.next_check) return kube::ReconcileResult::Done();
  return kube::ReconcileResult::After(std::max<kube::Duration>(*d.next_check - now, std::chrono::seconds(1)));
}

}  // namespace certplane::reconcile
