// Test fixtures for the PKI engine: cached keys, spec builders and a small CA hierarchy,
// all made in-process with certplane's own code (no opaque blobs).
//
//   CertificateSpec spec = LeafSpec().WithDns({"a.example"}).WithValidity(std::chrono::hours(1));
//   const TestHierarchy& pki = Hierarchy(KeyAlgorithm::kEcdsaP256);
//   Result<Certificate> cert = IssueCertificate(spec, TestKey(KeyAlgorithm::kEcdsaP256).public_key(),
//                                               pki.intermediate, kNow);
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/result.h"
#include "pki/certificate.h"
#include "pki/crl.h"
#include "pki/issue.h"
#include "pki/issuer.h"
#include "pki/key.h"

namespace certplane::pki::testing {

// A fixed "now" for every test: 2030-06-01T12:00:00Z.
inline const TimePoint kNow =
    TimePoint(std::chrono::sys_days(std::chrono::year(2030) / 6 / 1)) + std::chrono::hours(12);

// A key per algorithm, generated once per test binary (RSA-4096 takes a while).
const PrivateKey& TestKey(KeyAlgorithm algorithm);
// A second, different key per algorithm.
const PrivateKey& OtherTestKey(KeyAlgorithm algorithm);

// Value or test failure: ASSERT-like unwrapping for fixtures.
template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) {
    ADD_FAILURE() << r.status();
    std::abort();
  }
  return std::move(*r);
}

// A value-initialized T changed by `f`: designated initializers without the warning
// about the fields they leave out.
template <typename T, typename F>
T With(F&& f) {
  T value{};
  f(value);
  return value;
}

// Builds a CertificateSpec fluently.
class SpecBuilder {
 public:
  SpecBuilder& WithCommonName(std::string cn) {
    spec_.subject.common_name = std::move(cn);
    return *this;
  }
  SpecBuilder& WithSubject(DistinguishedName dn) {
    spec_.subject = std::move(dn);
    return *this;
  }
  SpecBuilder& WithDns(std::vector<std::string> names) {
    spec_.subject_alt_names.dns_names = std::move(names);
    return *this;
  }
  SpecBuilder& WithIps(std::vector<std::string> ips) {
    spec_.subject_alt_names.ip_addresses = std::move(ips);
    return *this;
  }
  SpecBuilder& WithUris(std::vector<std::string> uris) {
    spec_.subject_alt_names.uris = std::move(uris);
    return *this;
  }
  SpecBuilder& WithEmails(std::vector<std::string> e) {
    spec_.subject_alt_names.email_addresses = std::move(e);
    return *this;
  }
  SpecBuilder& WithValidity(std::chrono::seconds v) {
    spec_.validity = v;
    return *this;
  }
  SpecBuilder& WithBackdate(std::chrono::seconds b) {
    spec_.backdate = b;
    return *this;
  }
  SpecBuilder& WithKeyUsages(std::vector<KeyUsage> u) {
    spec_.key_usages = std::move(u);
    return *this;
  }
  SpecBuilder& WithExtendedKeyUsages(std::vector<ExtendedKeyUsage> u) {
    spec_.extended_key_usages = std::move(u);
    return *this;
  }
  SpecBuilder& WithPathLen(int n) {
    spec_.path_len = n;
    return *this;
  }
  SpecBuilder& WithNameConstraints(NameConstraints nc) {
    spec_.name_constraints = std::move(nc);
    return *this;
  }
  SpecBuilder& WithCrlDistributionPoints(std::vector<std::string> u) {
    spec_.crl_distribution_points = std::move(u);
    return *this;
  }
  SpecBuilder& WithOcsp(std::vector<std::string> u) {
    spec_.ocsp_urls = std::move(u);
    return *this;
  }
  SpecBuilder& WithCaIssuers(std::vector<std::string> u) {
    spec_.ca_issuers_urls = std::move(u);
    return *this;
  }
  SpecBuilder& WithSerial(SerialNumber s) {
    spec_.serial = std::move(s);
    return *this;
  }
  SpecBuilder& TruncatedToIssuer() {
    spec_.truncate_to_issuer = true;
    return *this;
  }
  SpecBuilder& AsCa() {
    spec_.is_ca = true;
    return *this;
  }
  SpecBuilder& AsLeaf() {
    spec_.is_ca = false;
    return *this;
  }

  CertificateSpec Build() const { return spec_; }
  operator CertificateSpec() const { return spec_; }  // NOLINT(google-explicit-constructor)

 private:
  friend SpecBuilder CaSpec(std::string);
  friend SpecBuilder LeafSpec();
  CertificateSpec spec_;
};

// A CA: cert sign + crl sign + digital signature, 10 years, the given CN.
SpecBuilder CaSpec(std::string common_name);
// A server/client leaf: CN "leaf", DNS leaf.example, digital signature, 90 days.
SpecBuilder LeafSpec();

// root (self-signed) -> intermediate, both with the same key algorithm, issued at
// kNow - 1 day, each with a CRL distribution point.
struct TestHierarchy {
  Certificate root_cert;
  Issuer root;
  Certificate intermediate_cert;
  Issuer intermediate;
};
const TestHierarchy& Hierarchy(KeyAlgorithm algorithm);

// IssueCertificate skips the extension checks of Certificate::Adopt for what it has
// just built; this checks that the DER parses back with all of them, to an equal
// certificate with the same extension flags. IssueLeaf and Hierarchy call it.
void ExpectParsesBackWithEveryCheck(const Certificate& issued);

// Issues a leaf for TestKey(leaf_key) from `issuer` at kNow, checked with
// ExpectParsesBackWithEveryCheck.
Certificate IssueLeaf(const Issuer& issuer, KeyAlgorithm leaf_key, const CertificateSpec& spec = LeafSpec());

// gtest's name for a key algorithm parameter: "RSA_2048", "ECDSA_P256", "Ed25519".
std::string AlgorithmTestName(KeyAlgorithm algorithm);

// Matches a Result or Status whose code is `code` and whose message contains `text`.
MATCHER_P2(IsErrorWith, code, text, "") {
  Status s = [&] {
    if constexpr (std::is_same_v<std::decay_t<arg_type>, Status>) {
      return arg;
    } else {
      return arg.status();
    }
  }();
  *result_listener << "status is " << s;
  return s.code() == code && s.message().find(text) != std::string::npos;
}

}  // namespace certplane::pki::testing
