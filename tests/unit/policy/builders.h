// Fixture builders for policy tests (cert-manager's test/unit/gen, in C++): each starts
// from the objects of the examples (profile web, template web-server, certificate
// shop/frontend) and changes only what a test is about.
//
//   IssuanceInput in = MakeInput()
//                          .WithCertificate(MakeCertificate().WithDnsNames({"a.example.com"}))
//                          .WithSecret(IssuedSecretFor(...).WithoutPrivateKey())
//                          .At(kT0 + 1h);
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "api/certificate.h"
#include "api/certificate_profile.h"
#include "api/certificate_template.h"
#include "api/condition.h"
#include "api/defaults.h"
#include "api/well_known.h"
#include "policy/issuance.h"
#include "policy/renewal.h"

namespace certplane::policy::testing_builders {

using namespace std::chrono_literals;

// 2030-01-01T00:00:00Z, when the test certificates are issued.
inline const api::Time kT0 = api::Time{std::chrono::sys_days{std::chrono::year{2030} / 1 / 1}};

class CertificateBuilder {
 public:
  CertificateBuilder() {
    c_.metadata.name = "frontend";
    c_.metadata.ns = "shop";
    c_.metadata.uid = "6c1f0a52-3b1e-4d6a-9c8e-5f0e2d7b1a90";
    c_.metadata.generation = 1;
    c_.spec.profile_ref.name = "web";
    c_.spec.secret_name = "frontend-tls";
    c_.spec.common_name = "frontend.example.com";
    c_.spec.dns_names = {"frontend.example.com", "frontend.shop.svc.cluster.local"};
    c_.spec.ip_addresses = {"10.0.0.12"};
    c_.spec.duration = 720h;
  }
  CertificateBuilder& WithName(std::string ns, std::string name) {
    c_.metadata.ns = std::move(ns);
    c_.metadata.name = std::move(name);
    return *this;
  }
  CertificateBuilder& WithUid(std::string uid) { return Set(c_.metadata.uid, std::move(uid)); }
  CertificateBuilder& WithCommonName(std::string cn) { return Set(c_.spec.common_name, std::move(cn)); }
  CertificateBuilder& WithDnsNames(std::vector<std::string> v) { return Set(c_.spec.dns_names, std::move(v)); }
  CertificateBuilder& WithIpAddresses(std::vector<std::string> v) { return Set(c_.spec.ip_addresses, std::move(v)); }
  CertificateBuilder& WithUris(std::vector<std::string> v) { return Set(c_.spec.uris, std::move(v)); }
  CertificateBuilder& WithEmailAddresses(std::vector<std::string> v) {
    return Set(c_.spec.email_addresses, std::move(v));
  }
  CertificateBuilder& WithOrganizations(std::vector<std::string> v) {
    return Set(c_.spec.subject.organizations, std::move(v));
  }
  CertificateBuilder& WithCountries(std::vector<std::string> v) { return Set(c_.spec.subject.countries, std::move(v)); }
  CertificateBuilder& WithSubjectSerialNumber(std::string v) {
    return Set(c_.spec.subject.serial_number, std::move(v));
  }
  CertificateBuilder& WithKeyAlgorithm(api::KeyAlgorithm a) { return Set(c_.spec.private_key.algorithm, a); }
  CertificateBuilder& WithKeyEncoding(api::KeyEncoding e) { return Set(c_.spec.private_key.encoding, e); }
  CertificateBuilder& WithKeyUsages(std::vector<api::KeyUsage> v) { return Set(c_.spec.key_usages, std::move(v)); }
  CertificateBuilder& WithExtendedKeyUsages(std::vector<api::ExtendedKeyUsage> v) {
    return Set(c_.spec.extended_key_usages, std::move(v));
  }
  CertificateBuilder& WithDuration(api::Duration d) { return Set(c_.spec.duration, std::optional<api::Duration>(d)); }
  CertificateBuilder& WithoutDuration() { return Set(c_.spec.duration, std::optional<api::Duration>()); }
  CertificateBuilder& WithRenewBefore(api::Duration d) {
    return Set(c_.spec.renew_before, std::optional<api::Duration>(d));
  }
  CertificateBuilder& WithRenewBeforeDays(std::int32_t days) {
    return Set(c_.spec.renew_before_days, std::optional<std::int32_t>(days));
  }
  CertificateBuilder& WithAutoRenew(bool on) { return Set(c_.spec.auto_renew, std::optional<bool>(on)); }
  CertificateBuilder& WithProfile(std::string name) { return Set(c_.spec.profile_ref.name, std::move(name)); }
  CertificateBuilder& WithRevocation(api::RevocationReason r) {
    return Set(c_.spec.revocation, std::optional<api::RevocationSpec>(api::RevocationSpec{r}));
  }
  CertificateBuilder& WithRenewRequestedAt(api::Time t) {
    c_.metadata.annotations.Set(std::string(api::kRenewRequestedAtAnnotation), api::FormatTime(t));
    return *this;
  }
  CertificateBuilder& WithAnnotation(std::string k, std::string v) {
    c_.metadata.annotations.Set(std::move(k), std::move(v));
    return *this;
  }
  CertificateBuilder& WithLastIssuance(api::Time t) {
    return Set(c_.status.last_issuance_time, std::optional<api::Time>(t));
  }
  CertificateBuilder& WithStatusSerial(std::string s) { return Set(c_.status.serial_number, std::move(s)); }
  // Issued before (revision 1, serial "01"), and status written for the current spec:
  // what every later issuance of a settled Certificate starts from.
  CertificateBuilder& Settled() {
    c_.status.revision = 1;
    c_.status.serial_number = "01";
    c_.status.last_issuance_time = kT0;
    c_.status.observed_generation = c_.metadata.generation;
    return *this;
  }
  // The spec changed since status was written.
  CertificateBuilder& WithSpecChangedSinceStatus() {
    return Set(c_.metadata.generation, c_.status.observed_generation + 1);
  }
  // `n` failed issuances in a row, the last at `at`, its Issuing condition of `reason`.
  CertificateBuilder& WithFailures(std::int32_t n, api::Time at, std::string reason = "IssuanceFailed") {
    c_.status.failed_issuance_attempts = n;
    c_.status.last_failure_time = at;
    c_.status.conditions.push_back(
        {std::string(api::kConditionIssuing), api::ConditionStatus::kFalse, std::move(reason), "failed", 1, at});
    return *this;
  }
  // `n` unplanned reissues in a row, the last at `at`.
  CertificateBuilder& WithUnplannedReissues(std::int32_t n, api::Time at) {
    c_.status.unplanned_reissues = n;
    c_.status.last_issuance_time = at;
    return *this;
  }
  // CSR enrollment: spec.csr instead of secretName (the facts policy reads come from
  // InputBuilder::WithCsr).
  CertificateBuilder& WithCsr(std::string pem) {
    c_.spec.secret_name.clear();
    return Set(c_.spec.csr, std::move(pem));
  }
  CertificateBuilder& WithAcmeOrder(std::string account, std::string order) {
    return Set(c_.spec.acme, std::optional(api::AcmeOrderReference{std::move(account), std::move(order)}));
  }
  // What status says of the current certificate (a CSR enrollment has no Secret).
  CertificateBuilder& WithStatusIssued(std::string serial, api::Time not_before, api::Time not_after) {
    c_.status.serial_number = std::move(serial);
    c_.status.not_before = not_before;
    c_.status.not_after = not_after;
    return *this;
  }

  api::Certificate Build() const { return c_; }
  operator api::Certificate() const { return c_; }  // NOLINT(google-explicit-constructor)

 private:
  template <typename T, typename V>
  CertificateBuilder& Set(T& field, V&& value) {
    field = std::forward<V>(value);
    return *this;
  }
  api::Certificate c_;
};

inline CertificateBuilder MakeCertificate() { return CertificateBuilder(); }

// The example template web-server.
class TemplateBuilder {
 public:
  TemplateBuilder() {
    t_.metadata.name = "web-server";
    api::CertificateTemplateSpec& s = t_.spec;
    s.subject.common_name.allowed = {"*.example.com", "*.svc.cluster.local"};
    s.subject.organization.allowed = {"Example Inc"};
    s.subject_alt_names.dns_names.allowed = {"*.example.com", "*.svc", "*.svc.cluster.local"};
    s.subject_alt_names.ip_addresses.allowed = {"10.0.0.0/8", "127.0.0.0/8", "::1/128"};
    s.subject_alt_names.uris.allowed = {"spiffe://cluster.local/ns/*/sa/*"};
    s.key_usages = {api::KeyUsage::kDigitalSignature, api::KeyUsage::kKeyEncipherment};
    s.extended_key_usages = {api::ExtendedKeyUsage::kServerAuth, api::ExtendedKeyUsage::kClientAuth};
    s.default_duration = 720h;
    s.max_duration = 2160h;
  }
  TemplateBuilder& WithAllowedCommonNames(std::vector<std::string> v) {
    t_.spec.subject.common_name.allowed = std::move(v);
    return *this;
  }
  TemplateBuilder& RequiringCommonName() {
    t_.spec.subject.common_name.required = true;
    return *this;
  }
  TemplateBuilder& WithAllowedDnsNames(std::vector<std::string> v) {
    t_.spec.subject_alt_names.dns_names.allowed = std::move(v);
    return *this;
  }
  TemplateBuilder& WithAllowedIpRanges(std::vector<std::string> v) {
    t_.spec.subject_alt_names.ip_addresses.allowed = std::move(v);
    return *this;
  }
  TemplateBuilder& WithAllowedUris(std::vector<std::string> v) {
    t_.spec.subject_alt_names.uris.allowed = std::move(v);
    return *this;
  }
  TemplateBuilder& WithAllowedEmails(std::vector<std::string> v) {
    t_.spec.subject_alt_names.email_addresses.allowed = std::move(v);
    return *this;
  }
  TemplateBuilder& WithAllowedCountries(std::vector<std::string> v) {
    t_.spec.subject.country.allowed = std::move(v);
    return *this;
  }
  TemplateBuilder& WithAllowedSubjectSerialNumbers(std::vector<std::string> v) {
    t_.spec.subject.serial_number.allowed = std::move(v);
    return *this;
  }
  TemplateBuilder& WithKeyAlgorithms(std::vector<api::KeyAlgorithm> v) {
    t_.spec.key_algorithms = std::move(v);
    return *this;
  }
  TemplateBuilder& WithMaxDuration(std::optional<api::Duration> d) {
    t_.spec.max_duration = d;
    return *this;
  }
  TemplateBuilder& WithMinDuration(std::optional<api::Duration> d) {
    t_.spec.min_duration = d;
    return *this;
  }
  TemplateBuilder& WithDefaultDuration(std::optional<api::Duration> d) {
    t_.spec.default_duration = d;
    return *this;
  }
  api::CertificateTemplate Build() const { return t_; }
  operator api::CertificateTemplate() const { return t_; }  // NOLINT(google-explicit-constructor)

 private:
  api::CertificateTemplate t_;
};

inline TemplateBuilder MakeTemplate() { return TemplateBuilder(); }

// The example profile web.
class ProfileBuilder {
 public:
  ProfileBuilder() {
    p_.metadata.name = "web";
    p_.spec.ca_ref.name = "example-issuing";
    p_.spec.template_ref.name = "web-server";
    p_.spec.enrollment.api = true;
    p_.spec.renewal.auto_renew_by_default = true;
    p_.spec.renewal.renew_before_days = 30;
  }
  ProfileBuilder& WithCa(std::string name) {
    p_.spec.ca_ref.name = std::move(name);
    return *this;
  }
  ProfileBuilder& WithAutoRenewByDefault(bool on) {
    p_.spec.renewal.auto_renew_by_default = on;
    return *this;
  }
  ProfileBuilder& WithRenewBeforeDays(std::optional<std::int32_t> days) {
    p_.spec.renewal.renew_before_days = days;
    return *this;
  }
  ProfileBuilder& WithNamespaceSelector(api::LabelSelector s) {
    p_.spec.namespace_selector = std::move(s);
    return *this;
  }
  ProfileBuilder& WithName(std::string name) {
    p_.metadata.name = std::move(name);
    return *this;
  }
  // enrollment: {acme: {}} instead of {api: {}}.
  ProfileBuilder& EnrollingOverAcme() {
    p_.spec.enrollment.api = false;
    p_.spec.enrollment.acme = api::AcmeEnrollment{};
    return *this;
  }
  api::CertificateProfile Build() const { return p_; }
  operator api::CertificateProfile() const { return p_; }  // NOLINT(google-explicit-constructor)

 private:
  api::CertificateProfile p_;
};

inline ProfileBuilder MakeProfile() { return ProfileBuilder(); }

inline constexpr const char* kCaFingerprint = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

// A Secret holding exactly what `cert` asks for, issued at `issued_at` for the
// certificate's duration by CA example-issuing, with notBefore backdated as certplane
// issues it (as the reconciler would parse it).
class SecretBuilder {
 public:
  explicit SecretBuilder(const api::Certificate& cert, api::Time issued_at) {
    const api::CertificateTemplateSpec tmpl = MakeTemplate().Build().spec;
    const api::CertificateSpec& spec = cert.spec;
    s_.exists = true;
    s_.has_certificate = true;
    s_.has_private_key = true;
    s_.key_matches_certificate = true;
    s_.chain_valid = true;
    s_.serial_number = "5eed0123abcdef";
    s_.not_before = issued_at - std::chrono::floor<std::chrono::seconds>(kIssuanceBackdate);
    s_.not_after = issued_at + std::chrono::floor<std::chrono::seconds>(api::EffectiveDuration(spec, tmpl));
    s_.common_name = spec.common_name;
    s_.subject = spec.subject;
    s_.dns_names = spec.dns_names;
    s_.ip_addresses = spec.ip_addresses;
    s_.uris = spec.uris;
    s_.email_addresses = spec.email_addresses;
    s_.key_usages = api::EffectiveKeyUsages(spec, tmpl);
    s_.extended_key_usages = api::EffectiveExtendedKeyUsages(spec, tmpl);
    s_.issuer_fingerprint_sha256 = kCaFingerprint;
    s_.key_algorithm = spec.private_key.algorithm;
    s_.key_encoding = spec.private_key.encoding;
    s_.profile_name = spec.profile_ref.name;
    s_.ca_name = "example-issuing";
    s_.requested_duration = api::EffectiveDuration(spec, tmpl);
  }
  SecretBuilder& Missing() {
    s_ = SecretFacts{};
    return *this;
  }
  SecretBuilder& WithoutCertificate() { return Set(s_.has_certificate, false); }
  SecretBuilder& WithoutPrivateKey() { return Set(s_.has_private_key, false); }
  SecretBuilder& WithParseError(std::string e) { return Set(s_.parse_error, std::move(e)); }
  SecretBuilder& WithForeignKey() { return Set(s_.key_matches_certificate, false); }
  SecretBuilder& WithBrokenChain() { return Set(s_.chain_valid, false); }
  SecretBuilder& IssuedBy(std::string ca) { return Set(s_.ca_name, std::move(ca)); }
  SecretBuilder& WithIssuerFingerprint(std::string f) { return Set(s_.issuer_fingerprint_sha256, std::move(f)); }
  SecretBuilder& WithDnsNames(std::vector<std::string> v) { return Set(s_.dns_names, std::move(v)); }
  SecretBuilder& WithIpAddresses(std::vector<std::string> v) { return Set(s_.ip_addresses, std::move(v)); }
  SecretBuilder& WithCommonName(std::string v) { return Set(s_.common_name, std::move(v)); }
  SecretBuilder& WithKeyAlgorithm(api::KeyAlgorithm a) { return Set(s_.key_algorithm, std::optional(a)); }
  SecretBuilder& WithKeyEncoding(api::KeyEncoding e) { return Set(s_.key_encoding, std::optional(e)); }
  SecretBuilder& WithKeyUsages(std::vector<api::KeyUsage> v) { return Set(s_.key_usages, std::move(v)); }
  SecretBuilder& WithRequestedDuration(std::optional<api::Duration> d) { return Set(s_.requested_duration, d); }
  SecretBuilder& WithProfileName(std::string p) { return Set(s_.profile_name, std::move(p)); }
  SecretBuilder& WithIssuedAt(api::Time t) { return Set(s_.issued_at, std::optional(t)); }
  SecretBuilder& WithoutAnnotations() {
    s_.profile_name.clear();
    s_.ca_name.clear();
    s_.requested_duration.reset();
    return *this;
  }
  SecretBuilder& WithValidity(api::Time not_before, api::Time not_after) {
    s_.not_before = not_before;
    s_.not_after = not_after;
    return *this;
  }
  SecretFacts Build() const { return s_; }
  operator SecretFacts() const { return s_; }  // NOLINT(google-explicit-constructor)

 private:
  template <typename T, typename V>
  SecretBuilder& Set(T& field, V&& value) {
    field = std::forward<V>(value);
    return *this;
  }
  SecretFacts s_;
};

inline SecretBuilder IssuedSecretFor(const api::Certificate& cert, api::Time not_before = kT0) {
  return SecretBuilder(cert, not_before);
}

// A consistent input: the example certificate, issued at kT0 into its Secret, looked at
// one hour later.
class InputBuilder {
 public:
  InputBuilder() {
    in_.certificate = MakeCertificate();
    in_.profile = MakeProfile();
    in_.tmpl = MakeTemplate();
    in_.secret = IssuedSecretFor(in_.certificate);
    in_.ca_fingerprint_sha256 = kCaFingerprint;
    in_.now = kT0 + 1h;
  }
  // Replaces the certificate; the Secret stays as issued for the previous one unless
  // WithSecret follows.
  InputBuilder& WithCertificate(api::Certificate c) {
    in_.certificate = std::move(c);
    return *this;
  }
  // Replaces the certificate and reissues the Secret for it.
  InputBuilder& WithIssuedCertificate(const api::Certificate& c, api::Time not_before = kT0) {
    in_.certificate = c;
    in_.secret = IssuedSecretFor(c, not_before);
    return *this;
  }
  InputBuilder& WithSecret(SecretFacts s) {
    in_.secret = std::move(s);
    return *this;
  }
  InputBuilder& WithProfile(api::CertificateProfile p) {
    in_.profile = std::move(p);
    return *this;
  }
  InputBuilder& WithTemplate(api::CertificateTemplate t) {
    in_.tmpl = std::move(t);
    return *this;
  }
  InputBuilder& WithNamespaceLabels(api::StringMap labels) {
    in_.namespace_labels = std::move(labels);
    return *this;
  }
  InputBuilder& WithCaFingerprint(std::string f) {
    in_.ca_fingerprint_sha256 = std::move(f);
    return *this;
  }
  InputBuilder& WithCaNotReady() {
    in_.ca_ready = false;
    return *this;
  }
  InputBuilder& WithCaMissing() {
    in_.ca_ready = false;
    in_.ca_exists = false;
    in_.ca_fingerprint_sha256.clear();
    return *this;
  }
  InputBuilder& WithSecretOwner(std::string owner) {
    in_.secret_owner = std::move(owner);
    return *this;
  }
  InputBuilder& WithSecretDataKeys(std::vector<std::string> keys) {
    in_.secret_data_keys = std::move(keys);
    return *this;
  }
  InputBuilder& WithReferencedSecretsExisting() {
    in_.referenced_secrets_exist = true;
    return *this;
  }
  // What spec.csr holds; a CSR enrollment has no Secret.
  InputBuilder& WithCsr(CsrFacts csr) {
    in_.csr = std::move(csr);
    in_.secret = SecretFacts{};
    return *this;
  }
  InputBuilder& WithControllerNamespace(std::string ns) {
    in_.controller_namespace = std::move(ns);
    return *this;
  }
  InputBuilder& At(std::chrono::system_clock::time_point now) {
    in_.now = now;
    return *this;
  }
  IssuanceInput Build() const { return in_; }
  operator IssuanceInput() const { return in_; }  // NOLINT(google-explicit-constructor)
  const api::Certificate& certificate() const { return in_.certificate; }

 private:
  IssuanceInput in_;
};

inline InputBuilder MakeInput() { return InputBuilder(); }

// The facts of a CSR asking for exactly the certificate's names, with a key of `algorithm`.
inline CsrFacts CsrFactsFor(const api::Certificate& cert, api::KeyAlgorithm algorithm = api::KeyAlgorithm::kEcdsaP256) {
  CsrFacts f;
  f.common_name = cert.spec.common_name;
  f.dns_names = cert.spec.dns_names;
  f.ip_addresses = cert.spec.ip_addresses;
  f.uris = cert.spec.uris;
  f.email_addresses = cert.spec.email_addresses;
  f.key_algorithm = algorithm;
  return f;
}

}  // namespace certplane::policy::testing_builders
