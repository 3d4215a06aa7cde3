#include "parsers.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pki/certificate.h"
#include "pki/crl.h"
#include "pki/csr.h"
#include "pki/key.h"
#include "pki/pkcs12.h"

namespace certplane::pki::fuzz {
namespace {

std::string_view AsText(ByteView input) { return {reinterpret_cast<const char*>(input.data()), input.size()}; }

[[noreturn]] void Broken(const char* what, const Status& status) {
  std::fprintf(stderr, "invariant broken: %s: %s\n", what, status.ToString().c_str());
  std::abort();
}

void Exercise(const Certificate& cert) {
  (void)cert.subject_text();
  (void)cert.issuer_text();
  (void)cert.subject();
  (void)cert.subject_alt_names();
  (void)cert.public_key();
  (void)cert.is_ca();
  (void)cert.path_len();
  (void)cert.key_usages();
  (void)cert.extended_key_usages();
  (void)cert.subject_key_id();
  (void)cert.authority_key_id();
  (void)cert.crl_distribution_points();
  (void)cert.ocsp_urls();
  (void)cert.ca_issuers_urls();
  (void)cert.name_constraints();
  (void)cert.sha256_fingerprint();
  (void)cert.signature_algorithm();
  (void)cert.IsSelfSigned();
  (void)cert.serial().ToHex();
  Result<Certificate> again = ParseCertificateDer(cert.ToDer());
  if (!again.ok()) Broken("a parsed certificate re-parses", again.status());
  if (!(*again == cert)) Broken("a parsed certificate re-encodes to the same DER", Status::Ok());
}

void Exercise(const CertificateRequest& csr) {
  (void)csr.subject_text();
  (void)csr.subject();
  (void)csr.signature_algorithm();
  (void)csr.public_key().ToPem();
  Result<CertificateRequest> again = ParseCsrDer(csr.ToDer());
  if (!again.ok()) Broken("a parsed CSR re-parses", again.status());
}

void Exercise(const PrivateKey& key) {
  Result<SensitiveString> pem = key.ToPkcs8Pem();
  if (!pem.ok()) Broken("a parsed key encodes", pem.status());
  Result<PrivateKey> again = ParsePrivateKeyPem(pem->view());
  if (!again.ok()) Broken("a parsed key re-parses", again.status());
  if (!(again->public_key() == key.public_key())) Broken("a parsed key re-parses to the same key", Status::Ok());
}

void Exercise(const PublicKey& key) {
  Result<PublicKey> again = ParsePublicKeyPem(key.ToPem());
  if (!again.ok()) Broken("a parsed public key re-parses", again.status());
  (void)key.Sha256Fingerprint();
}

void Exercise(const Crl& crl) {
  (void)crl.issuer_text();
  (void)crl.authority_key_id();
  std::vector<RevokedCertificate> entries = crl.entries();
  if (entries.size() != crl.size()) Broken("every CRL entry reads back", Status::Ok());
  if (!entries.empty() && !crl.Find(entries.front().serial).has_value())
    Broken("a listed serial is found", Status::Ok());
  Result<Crl> again = ParseCrlDer(crl.ToDer());
  if (!again.ok()) Broken("a parsed CRL re-parses", again.status());
}

template <typename T>
Status Check(Result<T> parsed) {
  if (parsed.ok()) Exercise(*parsed);
  return parsed.status();
}

Status CertificatePem(ByteView in) { return Check(ParseCertificatePem(AsText(in))); }
Status CertificateChainPem(ByteView in) {
  Result<std::vector<Certificate>> chain = ParseCertificateChainPem(AsText(in));
  if (chain.ok()) {
    for (const Certificate& c : *chain) Exercise(c);
  }
  return chain.status();
}
Status CertificateDer(ByteView in) { return Check(ParseCertificateDer(in)); }
Status CsrPem(ByteView in) { return Check(ParseCsrPem(AsText(in))); }
Status CsrDer(ByteView in) { return Check(ParseCsrDer(in)); }
Status PrivateKeyPem(ByteView in) { return Check(ParsePrivateKeyPem(AsText(in))); }
Status PrivateKeyDer(ByteView in) { return Check(ParsePrivateKeyDer(in)); }
Status PublicKeyPem(ByteView in) { return Check(ParsePublicKeyPem(AsText(in))); }
Status PublicKeyDer(ByteView in) { return Check(ParsePublicKeyDer(in)); }
Status CrlPem(ByteView in) { return Check(ParseCrlPem(AsText(in))); }
Status CrlDer(ByteView in) { return Check(ParseCrlDer(in)); }
Status Pkcs12(ByteView in) {
  Result<Pkcs12Contents> contents = ParsePkcs12(in, "fuzz");
  if (contents.ok()) {
    if (contents->key.has_value()) Exercise(*contents->key);
    if (contents->certificate.has_value()) Exercise(*contents->certificate);
    for (const Certificate& c : contents->other_certificates) Exercise(c);
  }
  return contents.status();
}

constexpr std::array<Parser, 12> kParsers = {{
    {"ParseCertificatePem", CertificatePem},
    {"ParseCertificateChainPem", CertificateChainPem},
    {"ParseCertificateDer", CertificateDer},
    {"ParseCsrPem", CsrPem},
    {"ParseCsrDer", CsrDer},
    {"ParsePrivateKeyPem", PrivateKeyPem},
    {"ParsePrivateKeyDer", PrivateKeyDer},
    {"ParsePublicKeyPem", PublicKeyPem},
    {"ParsePublicKeyDer", PublicKeyDer},
    {"ParseCrlPem", CrlPem},
    {"ParseCrlDer", CrlDer},
    {"ParsePkcs12", Pkcs12},
}};

}  // namespace

std::span<const Parser> AllParsers() { return kParsers; }

void FuzzCertificatePem(ByteView input) {
  (void)CertificatePem(input);
  (void)CertificateChainPem(input);
}
void FuzzCertificateDer(ByteView input) { (void)CertificateDer(input); }
void FuzzCsrPem(ByteView input) { (void)CsrPem(input); }
void FuzzCsrDer(ByteView input) { (void)CsrDer(input); }
void FuzzKeyPem(ByteView input) {
  (void)PrivateKeyPem(input);
  (void)PublicKeyPem(input);
}
void FuzzKeyDer(ByteView input) {
  (void)PrivateKeyDer(input);
  (void)PublicKeyDer(input);
}
void FuzzCrlPem(ByteView input) { (void)CrlPem(input); }
void FuzzCrlDer(ByteView input) { (void)CrlDer(input); }
void FuzzPkcs12(ByteView input) { (void)Pkcs12(input); }

}  // namespace certplane::pki::fuzz
