// csr.h: PKCS#10 certificate signing requests (RFC 2986), built and parsed.
//
// An ACME server finalizing an order:
//
//   Result<CertificateRequest> csr = ParseCsrDer(finalize.csr);   // checks the signature
//   if (!csr.ok()) return BadCsr(csr.status().message());
//   SubjectAltNames requested = csr->subject_alt_names();         // compare with the order
//   Result<Certificate> cert = IssueCertificate(spec, csr->public_key(), issuer, now);
//
// A client (or a test) making one:
//
//   CsrSpec spec;
//   spec.subject.common_name = "frontend";
//   spec.subject_alt_names.dns_names = {"frontend.shop.svc"};
//   Result<CertificateRequest> csr = CreateCertificateRequest(spec, key);
//   std::string pem = csr->ToPem();                               // "CERTIFICATE REQUEST"
//
// Parsing refuses a request whose self-signature does not verify, whose key is not a
// supported algorithm, or whose requested extensions are malformed, so an accepted
// CertificateRequest is one a CA may act on (after its policy says yes). Requested
// names other than DNS, IP, URI and email are ignored, never silently issued: the CA
// issues only the names its spec lists.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "pki/handles.h"
#include "pki/key.h"
#include "pki/name.h"
#include "pki/san.h"
#include "pki/types.h"

namespace certplane::pki {

struct CsrSpec {
  DistinguishedName subject;
  SubjectAltNames subject_alt_names;  // sent as an extensionRequest attribute
};

class CertificateRequest {
 public:
  // Takes ownership of a decoded request after the checks described above;
  // InvalidArgument naming the first problem otherwise.
  static Result<CertificateRequest> Adopt(X509ReqPtr req);

  std::string ToPem() const;  // "CERTIFICATE REQUEST"
  Bytes ToDer() const;

  DistinguishedName subject() const;
  std::string subject_text() const;
  const SubjectAltNames& subject_alt_names() const { return subject_alt_names_; }
  const PublicKey& public_key() const { return public_key_; }
  std::string signature_algorithm() const;

  // OK when the request's signature verifies with its own public key (Adopt checked
  // it once already); InvalidArgument otherwise.
  Status VerifySignature() const;

  X509_REQ* get() const { return req_.get(); }

  CertificateRequest(CertificateRequest&&) noexcept = default;
  CertificateRequest& operator=(CertificateRequest&&) noexcept = default;

 private:
  CertificateRequest(X509ReqPtr req, PublicKey key, SubjectAltNames sans)
      : req_(std::move(req)), public_key_(std::move(key)), subject_alt_names_(std::move(sans)) {}
  X509ReqPtr req_;
  PublicKey public_key_;
  SubjectAltNames subject_alt_names_;
};

// A signed CSR for `key`. InvalidArgument for an invalid subject or SAN, or a spec
// with neither; Internal when OpenSSL fails.
Result<CertificateRequest> CreateCertificateRequest(const CsrSpec& spec, const PrivateKey& key);

// A CSR from PEM ("CERTIFICATE REQUEST", or the legacy "NEW CERTIFICATE REQUEST") or
// DER. InvalidArgument, with the reason, for malformed input, a bad signature, an
// unsupported key or a malformed extension request.
Result<CertificateRequest> ParseCsrPem(std::string_view pem);
Result<CertificateRequest> ParseCsrDer(ByteView der);

}  // namespace certplane::pki
