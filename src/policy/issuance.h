// Must a Certificate be (re)issued, and why? Is it Ready? When should it be looked at
// again? "Gather, then decide" (cert-manager's policies.go): the reconciler reads
// everything into an IssuanceInput (the objects from its caches, the Secret's facts
// parsed with src/pki, the clock), and these pure functions decide.
//
//   IssuanceInput in{.certificate = cert, .profile = profile, .tmpl = tmpl,
//                    .namespace_labels = ns.labels, .secret = facts,
//                    .ca_ready = ca_ready, .ca_fingerprint_sha256 = ca.status.fingerprintSHA256,
//                    .now = clock.Now()};
//   Decision d = Decide(in);
//   switch (d.action) {
//     case Action::kIssue:   /* Issuing=True reason d.why.reason; sign; write Secret, status */
//     case Action::kBlocked: /* Ready=False reason d.why.reason; issue nothing */
//     case Action::kNone:    /* Ready from d.not_ready */
//   }
//   status.renewalTime = d.renewal_time;  requeue at d.next_check.
//
// Decide runs, in order: revocation (a revoked or held certificate is never issued),
// the profile's enrollment rules (AcmeProfile, NotAnAcmeProfile), the CSR (InvalidCsr,
// CsrMismatch), ownership of the Secret (SecretInUse), policy (template and namespace
// selector: PolicyViolation), the trigger chain (first reason to issue, then outputs
// the Secret lacks: OutputMissing), the CA (an issuance waits for it: CANotFound,
// CANotReady), the backoff (a failed issuance, or a Secret someone else keeps
// rewriting, waits longer each time: Backoff), and the readiness chain. Each check is
// also exported so it can be tested on its own.
//
// Backoff, from status alone (so restarts and leader changes keep it): after a failed
// issuance, status.failedIssuanceAttempts and lastFailureTime; after reissues that were
// not planned (the Secret lost, emptied or rewritten by someone else, rather than a
// renewal, a spec change or a renew request), status.unplannedReissues and
// lastIssuanceTime. A spec change (generation past status.observedGeneration) or a renew
// request newer than the last attempt retries at once; so does a failure for want of a
// referenced Secret once that Secret exists.
//
// A certificate with spec.csr has no Secret: it is issued once (the CSR's key, the
// template checked with the CSR's key algorithm), Ready=True reason Issued until it
// expires (Ready=False reason Expired), and never renewed or reissued.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/certificate.h"
#include "api/certificate_profile.h"
#include "api/certificate_template.h"
#include "api/duration.h"
#include "api/enums.h"
#include "api/time.h"
#include "policy/backoff.h"
#include "policy/reasons.h"
#include "policy/violation.h"

namespace certplane::policy {

// What the Secret spec.secretName holds, as plain values. The reconciler fills it (with
// src/pki for the parsing); nothing here reads a Secret.
struct SecretFacts {
  bool exists = false;
  bool has_certificate = false;  // tls.crt present and not empty
  bool has_private_key = false;  // tls.key present and not empty
  // Why tls.crt or tls.key could not be parsed; empty when both parsed.
  std::string parse_error;
  bool key_matches_certificate = false;
  // tls.crt's intermediates and ca.crt lead from the leaf to the CA's current root.
  bool chain_valid = true;

  // The leaf certificate.
  std::string serial_number;
  std::optional<api::Time> not_before;
  std::optional<api::Time> not_after;
  std::string common_name;
  api::CertificateSubject subject;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::vector<std::string> uris;
  std::vector<std::string> email_addresses;
  std::vector<api::KeyUsage> key_usages;
  std::vector<api::ExtendedKeyUsage> extended_key_usages;
  // SHA-256 (hex) of the CA certificate that signed the leaf; empty if unknown.
  std::string issuer_fingerprint_sha256;

  // The private key.
  std::optional<api::KeyAlgorithm> key_algorithm;
  std::optional<api::KeyEncoding> key_encoding;

  // What certplane recorded on the Secret at issuance (api/well_known.h annotations);
  // empty when absent, and then not compared.
  std::string profile_name;
  std::string ca_name;
  std::optional<api::Duration> requested_duration;
  std::optional<api::Time> issued_at;

  bool operator==(const SecretFacts&) const = default;
};

// What spec.csr holds, as plain values (the reconciler parses it with src/pki, which
// checks its self-signature).
struct CsrFacts {
  // Why the CSR cannot be used; empty when it parsed.
  std::string parse_error;
  std::string common_name;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::vector<std::string> uris;
  std::vector<std::string> email_addresses;
  std::optional<api::KeyAlgorithm> key_algorithm;
};

// Everything one decision needs. Immutable by convention: build it, then only read it.
struct IssuanceInput {
  api::Certificate certificate;
  api::CertificateProfile profile;  // the one spec.profileRef names
  api::CertificateTemplate tmpl;    // the profile's template
  api::StringMap namespace_labels;  // labels of the Certificate's namespace
  SecretFacts secret;
  // Whether the profile's CA is Ready, and its current certificate's fingerprint (empty
  // when unknown: then CAChanged is not checked).
  bool ca_ready = true;
  std::string ca_fingerprint_sha256;
  std::chrono::system_clock::time_point now;
  // Set exactly when spec.csr is: what the CSR asks for.
  std::optional<CsrFacts> csr;
  // The controller's own namespace, where an ACME profile's Certificates live.
  std::string controller_namespace;
  // Whether the profile's CertificateAuthority exists at all (ca_ready is false then too).
  bool ca_exists = true;
  // Another Certificate of the namespace that owns spec.secretName (SecretOwner over
  // every Certificate naming it); empty when this one owns it.
  std::string secret_owner;
  // The data keys the Secret holds (for the outputs the spec asks for).
  std::vector<std::string> secret_data_keys;
  BackoffPolicy backoff;
  // Every Secret the spec references (PKCS#12 passwords) exists now, as the watch on
  // them sees it: a failure for want of one retries at once.
  bool referenced_secrets_exist = false;
};

// One reason (reasons.h) and a message for a person.
struct Finding {
  std::string_view reason;
  std::string message;

  bool operator==(const Finding&) const = default;
};

using Check = std::optional<Finding> (*)(const IssuanceInput&);

// The first finding of the chain, or nullopt when every check passes.
std::optional<Finding> Evaluate(std::span<const Check> chain, const IssuanceInput& in);

// Why (re)issue now: DoesNotExist, MissingData, InvalidCertificate, KeyMismatch,
// SecretMismatch, IncorrectIssuer, CAChanged, SpecChanged, ManuallyTriggered, and, when
// autoRenew, Expired and Renewing. Without autoRenew an expiring certificate is left to
// expire.
std::span<const Check> TriggerChain();
// Why not Ready: DoesNotExist, MissingData, InvalidCertificate, KeyMismatch,
// SecretMismatch, SpecChanged, Expired. (A certificate from a superseded CA stays Ready
// while its replacement is issued.)
std::span<const Check> ReadinessChain();

// The checks, each testing one thing; later checks assume earlier ones passed (a check
// of the certificate's contents assumes the Secret exists and parsed).
std::optional<Finding> SecretDoesNotExist(const IssuanceInput& in);
std::optional<Finding> SecretIsMissingData(const IssuanceInput& in);
std::optional<Finding> SecretDataIsInvalid(const IssuanceInput& in);
std::optional<Finding> KeyDoesNotMatchCertificate(const IssuanceInput& in);
std::optional<Finding> ChainDoesNotMatch(const IssuanceInput& in);
std::optional<Finding> IssuedByAnotherCA(const IssuanceInput& in);
std::optional<Finding> CAHasChanged(const IssuanceInput& in);
std::optional<Finding> SpecHasChanged(const IssuanceInput& in);
std::optional<Finding> RenewalRequested(const IssuanceInput& in);
std::optional<Finding> HasExpired(const IssuanceInput& in);
std::optional<Finding> HasExpiredAndAutoRenews(const IssuanceInput& in);
std::optional<Finding> RenewalIsDue(const IssuanceInput& in);
// OutputMissing: the Secret lacks a data key an output format of the spec asks for
// (keystore.p12, truststore.p12, tls-combined.pem, tls.der). Only of an existing Secret.
std::optional<Finding> OutputIsMissing(const IssuanceInput& in);

// The data keys an output format puts in the Secret.
std::vector<std::string> OutputKeys(const api::OutputFormat& format);

// SecretInUse when another Certificate owns spec.secretName (in.secret_owner).
std::optional<Finding> SecretOwnedByAnother(const IssuanceInput& in);

// Whether an issuance for `trigger` is planned: a renewal, an expiry, a renew request,
// a first issuance, or anything after a spec change. Others (the Secret lost or changed
// under us) are unplanned, and repeated ones back off.
bool IsPlannedIssuance(const IssuanceInput& in, const Finding& trigger);

// Enrollment rules of the profile: AcmeProfile when the profile enrolls over ACME and
// the Certificate is not one of its ACME server's (spec.csr and spec.acme, in the
// controller's namespace); NotAnAcmeProfile when spec.acme names an ACME order but the
// profile does not enroll over ACME.
std::optional<Finding> EnrollmentFinding(const IssuanceInput& in);

// CSR enrollment: InvalidCsr when the CSR could not be parsed; CsrMismatch when its
// common name or subject alternative names (as sets) differ from the spec's.
std::optional<Finding> CsrFinding(const IssuanceInput& in);

// The spec the template judges and the certificate is built from: spec, with the CSR's
// key algorithm in place of privateKey.algorithm for a CSR (so that defaulted key
// usages fit the requester's key).
api::CertificateSpec EffectiveSpec(const IssuanceInput& in);

// Revoked or OnHold when spec.revocation is set.
std::optional<Finding> RevocationFinding(const api::Certificate& certificate);

// When the current certificate renews (notAfter - renewBefore, with jitter: renewal.h);
// nullopt without autoRenew or without a certificate.
std::optional<api::Time> ScheduledRenewal(const IssuanceInput& in);

enum class Action {
  kNone,     // nothing to issue
  kIssue,    // issue a new revision now, because of `why`
  kBlocked,  // would issue or keep, but `why` forbids it (PolicyViolation, CANotReady)
  kBackoff,  // would issue (`why`), but waits until `retry_at`; `backoff` says why
};

struct Decision {
  Action action = Action::kNone;
  Finding why;                       // for kIssue and kBlocked
  std::optional<Finding> not_ready;  // nullopt: Ready=True
  std::vector<PolicyViolation> violations;
  std::optional<api::Time> renewal_time;  // for status.renewalTime
  // The earliest moment after `now` at which the decision may change by the clock alone
  // (renewal, expiry, a renew request timestamped in the future); requeue then.
  std::optional<api::Time> next_check;
  // The reason of Ready=True: Ready, or Issued for a CSR-enrolled certificate.
  std::string_view ready_reason = kReady;

  // kBackoff: when the next attempt may be made, and the Issuing=False finding that
  // says why it waits (reason Backoff for unplanned reissues; for a failed issuance the
  // failure's own condition already says so, and `backoff` is empty).
  std::optional<api::Time> retry_at;
  std::optional<Finding> backoff;
  // kIssue: status.unplannedReissues once it succeeds, and failedIssuanceAttempts if it
  // fails (the next attempt then waits BackoffDelay of that).
  std::int32_t unplanned_reissues_after = 0;
  std::int32_t failed_attempts_after_failure = 1;
  // kNone: an Issuing=False condition to show although the certificate is fine
  // (CANotFound: it could not be renewed or reissued now); nullopt removes Issuing.
  std::optional<Finding> issuing;
};

Decision Decide(const IssuanceInput& in);

}  // namespace certplane::policy
