#include "pki/csr.h"

#include <openssl/objects.h>

#include "pki/errors.h"
#include "pki/internal/asn1.h"
#include "pki/internal/name.h"
#include "pki/internal/signing.h"
#include "pki/internal/x509v3.h"
#include "pki/pem.h"

namespace certplane::pki {
namespace {

// The SANs of the request's extensionRequest; InvalidArgument if it or the SAN
// extension is malformed or repeated.
Result<SubjectAltNames> RequestedNames(X509_REQ* req) {
  ClearOpenSslErrors();
  int index = X509_REQ_get_attr_by_NID(req, NID_ext_req, -1);
  if (index < 0) index = X509_REQ_get_attr_by_NID(req, NID_ms_ext_req, -1);
  if (index < 0) return SubjectAltNames{};
  if (X509_REQ_get_attr_by_NID(req, NID_ext_req, index) >= 0) {
    return InvalidArgument("the request has more than one extensionRequest attribute");
  }
  X509ExtensionStackPtr exts(X509_REQ_get_extensions(req));
  if (!exts) return OpenSslError(StatusCode::kInvalidArgument, "malformed extensionRequest attribute");
  SubjectAltNames names;
  bool seen = false;
  for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); ++i) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts.get(), i);
    if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_subject_alt_name) continue;
    if (seen) return InvalidArgument("the request has more than one subjectAltName extension");
    seen = true;
    GeneralNamesPtr gens(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext)));
    if (!gens) return OpenSslError(StatusCode::kInvalidArgument, "malformed subjectAltName in the request");
    names = internal::ReadGeneralNames(gens.get());
  }
  return names;
}

}  // namespace

Result<CertificateRequest> CertificateRequest::Adopt(X509ReqPtr req) {
  if (!req) return InvalidArgument("no certificate request");
  ClearOpenSslErrors();
  if (X509_REQ_get_version(req.get()) != X509_REQ_VERSION_1) {
    return InvalidArgument("unsupported CSR version " + std::to_string(X509_REQ_get_version(req.get()) + 1) +
                           " (PKCS#10 defines only version 1)");
  }
  EvpPkeyPtr key = ShareEvpPkey(X509_REQ_get0_pubkey(req.get()));
  if (!key) return OpenSslError(StatusCode::kInvalidArgument, "decoding the request's public key");
  Result<PublicKey> public_key = PublicKey::FromEvp(std::move(key));
  if (!public_key.ok()) return public_key.status();
  if (X509_REQ_verify(req.get(), public_key->get()) != 1) {
    return OpenSslError(StatusCode::kInvalidArgument, "the request's self-signature does not verify");
  }
  Result<SubjectAltNames> names = RequestedNames(req.get());
  if (!names.ok()) return names.status();
  return CertificateRequest(std::move(req), std::move(*public_key), std::move(*names));
}

std::string CertificateRequest::ToPem() const { return EncodePem("CERTIFICATE REQUEST", ToDer()); }

Bytes CertificateRequest::ToDer() const {
  Result<Bytes> der = internal::EncodeDer(req_.get(), i2d_X509_REQ, "a certificate request");
  return der.ok() ? std::move(*der) : Bytes{};  // fails only when memory runs out
}

DistinguishedName CertificateRequest::subject() const {
  return internal::ReadX509Name(X509_REQ_get_subject_name(req_.get()));
}
std::string CertificateRequest::subject_text() const {
  return internal::X509NameText(X509_REQ_get_subject_name(req_.get()));
}

std::string CertificateRequest::signature_algorithm() const {
  const char* name = OBJ_nid2ln(X509_REQ_get_signature_nid(req_.get()));
  return name != nullptr ? name : "unknown";
}

Status CertificateRequest::VerifySignature() const {
  ClearOpenSslErrors();
  if (X509_REQ_verify(req_.get(), public_key_.get()) != 1) {
    return OpenSslError(StatusCode::kInvalidArgument, "the request's self-signature does not verify");
  }
  return Status::Ok();
}

Result<CertificateRequest> CreateCertificateRequest(const CsrSpec& spec, const PrivateKey& key) {
  if (spec.subject.empty() && spec.subject_alt_names.empty()) {
    return InvalidArgument("a certificate request needs a subject or at least one subject alternative name");
  }
  ClearOpenSslErrors();
  X509ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1) {
    return OpenSslError(StatusCode::kInternal, "allocating a certificate request");
  }
  Result<X509NamePtr> subject = internal::BuildX509Name(spec.subject);
  if (!subject.ok()) return subject.status().WithContext("subject");
  if (X509_REQ_set_subject_name(req.get(), subject->get()) != 1 ||  // copies
      X509_REQ_set_pubkey(req.get(), key.get()) != 1) {             // encodes; no ownership taken
    return OpenSslError(StatusCode::kInternal, "filling the certificate request");
  }
  if (!spec.subject_alt_names.empty()) {
    Result<internal::ExtensionValue> value =
        internal::MakeSubjectAltName(spec.subject_alt_names, /*critical=*/spec.subject.empty());
    if (!value.ok()) return value.status().WithContext("subjectAltNames");
    Result<X509ExtensionPtr> san = internal::EncodeExtension(*value);
    if (!san.ok()) return san.status();
    X509ExtensionStackPtr exts(sk_X509_EXTENSION_new_null());
    if (!exts || sk_X509_EXTENSION_push(exts.get(), san->get()) <= 0) {
      return OpenSslError(StatusCode::kInternal, "allocating the extension request");
    }
    (void)san->release();                                       // the extension stack owns it now
    if (X509_REQ_add_extensions(req.get(), exts.get()) != 1) {  // encodes a copy
      return OpenSslError(StatusCode::kInternal, "adding the extension request");
    }
  }
  CERTPLANE_RETURN_IF_ERROR(internal::SignRequest(req.get(), key));
  Result<CertificateRequest> out = CertificateRequest::Adopt(std::move(req));
  if (!out.ok()) return Internal("the request just built is not valid: " + out.status().message());
  return out;
}

Result<CertificateRequest> ParseCsrDer(ByteView der) {
  Result<X509ReqPtr> req = internal::DecodeDer<X509ReqPtr>(der, d2i_X509_REQ, i2d_X509_REQ, "certificate request");
  if (!req.ok()) return req.status().WithContext("parsing a CSR");
  Result<CertificateRequest> csr = CertificateRequest::Adopt(std::move(*req));
  if (!csr.ok()) return csr.status().WithContext("parsing a CSR");
  return csr;
}

Result<CertificateRequest> ParseCsrPem(std::string_view pem) {
  Result<std::vector<PemBlock>> blocks = DecodePem(pem);
  if (!blocks.ok()) return blocks.status().WithContext("parsing a CSR");
  if (blocks->size() != 1) {
    return InvalidArgument("parsing a CSR: expected one PEM block, found " + std::to_string(blocks->size()));
  }
  const PemBlock& block = blocks->front();
  if (block.label != "CERTIFICATE REQUEST" && block.label != "NEW CERTIFICATE REQUEST") {
    return InvalidArgument("parsing a CSR: expected CERTIFICATE REQUEST, found " + block.label);
  }
  return ParseCsrDer(block.der);
}

}  // namespace certplane::pki
