#include "pki/ocsp.h"

#include <algorithm>

#include "pki/errors.h"
#include "pki/internal/asn1.h"
#include "pki/internal/signing.h"
#include "pki/internal/x509v3.h"

namespace certplane::pki {
namespace {

// The longest nonce extnValue accepted: RFC 8954 says 1..32 octets inside an OCTET
// STRING; older clients send other lengths, so allow room but not a megabyte.
constexpr std::size_t kMaxNonceSize = 128;

Bytes OctetBytes(const ASN1_OCTET_STRING* s) {
  if (s == nullptr) return {};
  const unsigned char* data = ASN1_STRING_get0_data(s);
  return Bytes(data, data + ASN1_STRING_length(s));
}

// The digest of a supported CertID hash algorithm; nullptr otherwise.
const EVP_MD* OcspDigest(int nid) {
  switch (nid) {
    case NID_sha1: return EVP_sha1();
    case NID_sha256: return EVP_sha256();
    case NID_sha384: return EVP_sha384();
    case NID_sha512: return EVP_sha512();
    default: return nullptr;
  }
}

Result<OcspCertId> ReadCertId(OCSP_CERTID* cid) {
  ASN1_OCTET_STRING* name_hash = nullptr;
  ASN1_OBJECT* md = nullptr;
  ASN1_OCTET_STRING* key_hash = nullptr;
  ASN1_INTEGER* serial = nullptr;
  if (cid == nullptr || OCSP_id_get0_info(&name_hash, &md, &key_hash, &serial, cid) != 1) {
    return InvalidArgument("a CertID cannot be read");
  }
  Result<SerialNumber> number = internal::FromAsn1Integer(serial);
  if (!number.ok()) return number.status().WithContext("CertID serialNumber");
  OcspCertId id{.hash_nid = OBJ_obj2nid(md),
                .issuer_name_hash = OctetBytes(name_hash),
                .issuer_key_hash = OctetBytes(key_hash),
                .serial = std::move(*number)};
  return id;
}

// The nonce extension's extnValue among `count` extensions read by `get`.
template <typename Get>
Result<std::optional<Bytes>> ReadNonce(int index, Get get) {
  if (index < 0) return std::optional<Bytes>();
  X509_EXTENSION* ext = get(index);
  if (ext == nullptr) return InvalidArgument("the nonce extension cannot be read");
  Bytes value = OctetBytes(X509_EXTENSION_get_data(ext));
  if (value.empty() || value.size() > kMaxNonceSize) {
    return InvalidArgument("the nonce must hold 1 to " + std::to_string(kMaxNonceSize) + " octets, not " +
                           std::to_string(value.size()));
  }
  return std::optional<Bytes>(std::move(value));
}

Result<OcspCertIdPtr> MakeCertId(const OcspCertId& id, const Certificate& issuer) {
  const EVP_MD* md = OcspDigest(id.hash_nid);
  if (md == nullptr) return InvalidArgument("unsupported CertID hash algorithm " + std::to_string(id.hash_nid));
  Result<Asn1IntegerPtr> serial = internal::ToAsn1Integer(id.serial);
  if (!serial.ok()) return serial.status();
  OcspCertIdPtr cid(
      OCSP_cert_id_new(md, X509_get_subject_name(issuer.get()), X509_get0_pubkey_bitstr(issuer.get()), serial->get()));
  if (!cid) return OpenSslError(StatusCode::kInternal, "building a CertID");
  return cid;
}

Result<X509ExtensionPtr> MakeNonceExtension(const Bytes& nonce) {
  Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
  if (!value || ASN1_OCTET_STRING_set(value.get(), nonce.data(), static_cast<int>(nonce.size())) != 1) {
    return OpenSslError(StatusCode::kInternal, "allocating the nonce");
  }
  X509ExtensionPtr ext(X509_EXTENSION_create_by_NID(nullptr, NID_id_pkix_OCSP_Nonce, 0, value.get()));
  if (!ext) return OpenSslError(StatusCode::kInternal, "encoding the nonce extension");
  return ext;
}

Bytes EncodeResponse(OCSP_RESPONSE* response) {
  Result<Bytes> der = internal::EncodeDer(response, i2d_OCSP_RESPONSE, "OCSP response");
  return der.ok() ? std::move(*der) : Bytes{};
}

}  // namespace

Result<OcspRequest> ParseOcspRequest(ByteView der) {
  if (der.size() > kMaxOcspRequestSize) {
    return InvalidArgument("an OCSP request of " + std::to_string(der.size()) + " bytes is over the limit of " +
                           std::to_string(kMaxOcspRequestSize));
  }
  Result<OcspRequestPtr> req = internal::DecodeDer<OcspRequestPtr>(der, d2i_OCSP_REQUEST, i2d_OCSP_REQUEST,
                                                                   "OCSP request", internal::Encoding::kBer);
  if (!req.ok()) return req.status();
  const int count = OCSP_request_onereq_count(req->get());
  if (count <= 0) return InvalidArgument("the OCSP request asks about no certificate");
  if (static_cast<std::size_t>(count) > kMaxOcspRequestCertificates) {
    return InvalidArgument("the OCSP request asks about " + std::to_string(count) +
                           " certificates, over the limit of " + std::to_string(kMaxOcspRequestCertificates));
  }
  OcspRequest out;
  for (int i = 0; i < count; ++i) {
    Result<OcspCertId> id = ReadCertId(OCSP_onereq_get0_id(OCSP_request_onereq_get0(req->get(), i)));
    if (!id.ok()) return id.status().WithContext("request " + std::to_string(i));
    out.certificates.push_back(std::move(*id));
  }
  OCSP_REQUEST* r = req->get();
  auto nonce = ReadNonce(OCSP_REQUEST_get_ext_by_NID(r, NID_id_pkix_OCSP_Nonce, -1),
                         [r](int i) { return OCSP_REQUEST_get_ext(r, i); });
  if (!nonce.ok()) return nonce.status();
  out.nonce = std::move(*nonce);
  return out;
}

bool IsSupportedOcspHash(int hash_nid) { return OcspDigest(hash_nid) != nullptr; }

bool OcspIssuerMatches(const OcspCertId& id, const Certificate& issuer) {
  const EVP_MD* md = OcspDigest(id.hash_nid);
  if (md == nullptr) return false;
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_NAME_digest(X509_get_subject_name(issuer.get()), md, buf, &len) != 1) return false;
  if (!std::equal(buf, buf + len, id.issuer_name_hash.begin(), id.issuer_name_hash.end())) return false;
  if (X509_pubkey_digest(issuer.get(), md, buf, &len) != 1) return false;
  return std::equal(buf, buf + len, id.issuer_key_hash.begin(), id.issuer_key_hash.end());
}

std::string_view OcspCertStatusName(OcspCertStatus status) {
  switch (status) {
    case OcspCertStatus::kGood: return "good";
    case OcspCertStatus::kRevoked: return "revoked";
    case OcspCertStatus::kUnknown: return "unknown";
  }
  return "unknown";
}

Result<Bytes> SignOcspResponse(const OcspResponseSpec& spec, const OcspSigner& signer, const Certificate& issuer) {
  ClearOpenSslErrors();
  if (spec.responses.empty()) return InvalidArgument("an OCSP response needs at least one answer");
  if (Status s = signer.certificate.VerifySignedBy(issuer); !s.ok()) {
    return FailedPrecondition("the OCSP signer " + signer.certificate.subject_text() + " was not issued by " +
                              issuer.subject_text());
  }
  const auto ekus = signer.certificate.extended_key_usages();
  if (std::find(ekus.begin(), ekus.end(), ExtendedKeyUsage::kOcspSigning) == ekus.end()) {
    return FailedPrecondition("the OCSP signer " + signer.certificate.subject_text() + " lacks id-kp-OCSPSigning");
  }
  OcspBasicRespPtr basic(OCSP_BASICRESP_new());
  if (!basic) return OpenSslError(StatusCode::kInternal, "allocating an OCSP response");
  for (const OcspSingleResponse& answer : spec.responses) {
    if (answer.next_update <= answer.this_update) return InvalidArgument("nextUpdate must be after thisUpdate");
    Result<OcspCertIdPtr> cid = MakeCertId(answer.id, issuer);
    if (!cid.ok()) return cid.status();
    Result<Asn1TimePtr> this_update = internal::ToAsn1Time(answer.this_update);
    if (!this_update.ok()) return this_update.status();
    Result<Asn1TimePtr> next_update = internal::ToAsn1Time(answer.next_update);
    if (!next_update.ok()) return next_update.status();
    Asn1TimePtr revoked_at;
    int status = V_OCSP_CERTSTATUS_UNKNOWN;
    int reason = OCSP_REVOKED_STATUS_NOSTATUS;
    if (answer.status == OcspCertStatus::kGood) status = V_OCSP_CERTSTATUS_GOOD;
    if (answer.status == OcspCertStatus::kRevoked) {
      status = V_OCSP_CERTSTATUS_REVOKED;
      // As on the CRL (RFC 5280 5.3.1): no reason rather than "unspecified".
      if (answer.reason != RevocationReason::kUnspecified) reason = static_cast<int>(answer.reason);
      Result<Asn1TimePtr> t = internal::ToAsn1Time(answer.revocation_time);
      if (!t.ok()) return t.status();
      revoked_at = std::move(*t);
    }
    // add1: the response copies the CertID and the times.
    if (OCSP_basic_add1_status(basic.get(), cid->get(), status, reason, revoked_at.get(), this_update->get(),
                               next_update->get()) == nullptr) {
      return OpenSslError(StatusCode::kInternal, "adding an answer to the OCSP response");
    }
  }
  if (spec.nonce) {
    Result<X509ExtensionPtr> ext = MakeNonceExtension(*spec.nonce);
    if (!ext.ok()) return ext.status();
    // The response copies the extension.
    if (OCSP_BASICRESP_add_ext(basic.get(), ext->get(), -1) != 1) {
      return OpenSslError(StatusCode::kInternal, "adding the nonce to the OCSP response");
    }
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, internal::DigestFor(signer.key.algorithm()), nullptr,
                                 signer.key.get()) != 1) {
    return OpenSslError(StatusCode::kInternal, "preparing to sign the OCSP response");
  }
  if (OCSP_basic_sign_ctx(basic.get(), signer.certificate.get(), ctx.get(), nullptr, OCSP_RESPID_KEY) != 1) {
    return OpenSslError(StatusCode::kInternal, "signing the OCSP response");
  }
  // OCSP_response_create encodes a copy of the basic response.
  OcspResponsePtr response(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  if (!response) return OpenSslError(StatusCode::kInternal, "wrapping the OCSP response");
  return internal::EncodeDer(response.get(), i2d_OCSP_RESPONSE, "OCSP response");
}

std::string_view OcspResponseStatusName(OcspResponseStatus status) {
  switch (status) {
    case OcspResponseStatus::kSuccessful: return "successful";
    case OcspResponseStatus::kMalformedRequest: return "malformedRequest";
    case OcspResponseStatus::kInternalError: return "internalError";
    case OcspResponseStatus::kTryLater: return "tryLater";
    case OcspResponseStatus::kSigRequired: return "sigRequired";
    case OcspResponseStatus::kUnauthorized: return "unauthorized";
  }
  return "internalError";
}

Bytes OcspErrorResponse(OcspResponseStatus status) {
  if (status == OcspResponseStatus::kSuccessful) status = OcspResponseStatus::kInternalError;
  OcspResponsePtr response(OCSP_response_create(static_cast<int>(status), nullptr));
  if (!response) return {};
  return EncodeResponse(response.get());
}

Result<Bytes> BuildOcspRequest(const Certificate& issuer, const SerialNumber& serial, int hash_nid,
                               const std::optional<Bytes>& nonce) {
  ClearOpenSslErrors();
  Result<OcspCertIdPtr> cid = MakeCertId({.hash_nid = hash_nid, .serial = serial}, issuer);
  if (!cid.ok()) return cid.status();
  OcspRequestPtr req(OCSP_REQUEST_new());
  if (!req) return OpenSslError(StatusCode::kInternal, "allocating an OCSP request");
  // add0: the request takes the CertID.
  if (OCSP_request_add0_id(req.get(), cid->get()) == nullptr) {
    return OpenSslError(StatusCode::kInternal, "adding a CertID to the OCSP request");
  }
  (void)cid->release();  // owned by req now
  if (nonce) {
    Result<X509ExtensionPtr> ext = MakeNonceExtension(*nonce);
    if (!ext.ok()) return ext.status();
    if (OCSP_REQUEST_add_ext(req.get(), ext->get(), -1) != 1) {
      return OpenSslError(StatusCode::kInternal, "adding the nonce to the OCSP request");
    }
  }
  return internal::EncodeDer(req.get(), i2d_OCSP_REQUEST, "OCSP request");
}

Result<ParsedOcspResponse> ParseOcspResponse(ByteView der) {
  Result<OcspResponsePtr> response = internal::DecodeDer<OcspResponsePtr>(der, d2i_OCSP_RESPONSE, i2d_OCSP_RESPONSE,
                                                                          "OCSP response", internal::Encoding::kBer);
  if (!response.ok()) return response.status();
  ParsedOcspResponse out;
  out.status = static_cast<OcspResponseStatus>(OCSP_response_status(response->get()));
  if (out.status != OcspResponseStatus::kSuccessful) return out;
  OcspBasicRespPtr basic(OCSP_response_get1_basic(response->get()));
  if (!basic) return OpenSslError(StatusCode::kInvalidArgument, "reading the basic OCSP response");
  for (int i = 0; i < OCSP_resp_count(basic.get()); ++i) {
    OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), i);
    int reason = OCSP_REVOKED_STATUS_NOSTATUS;
    ASN1_GENERALIZEDTIME* revoked_at = nullptr;
    ASN1_GENERALIZEDTIME* this_update = nullptr;
    ASN1_GENERALIZEDTIME* next_update = nullptr;
    const int status = OCSP_single_get0_status(single, &reason, &revoked_at, &this_update, &next_update);
    Result<OcspCertId> id = ReadCertId(const_cast<OCSP_CERTID*>(OCSP_SINGLERESP_get0_id(single)));
    if (!id.ok()) return id.status();
    OcspSingleResponse answer{.id = std::move(*id)};
    answer.status = status == V_OCSP_CERTSTATUS_GOOD      ? OcspCertStatus::kGood
                    : status == V_OCSP_CERTSTATUS_REVOKED ? OcspCertStatus::kRevoked
                                                          : OcspCertStatus::kUnknown;
    if (reason >= 0) answer.reason = static_cast<RevocationReason>(reason);
    auto read = [](const ASN1_GENERALIZEDTIME* t, TimePoint& into) -> Status {
      if (t == nullptr) return Status::Ok();
      Result<TimePoint> v = internal::FromAsn1Time(t);
      if (!v.ok()) return v.status();
      into = *v;
      return Status::Ok();
    };
    CERTPLANE_RETURN_IF_ERROR(read(revoked_at, answer.revocation_time));
    CERTPLANE_RETURN_IF_ERROR(read(this_update, answer.this_update));
    CERTPLANE_RETURN_IF_ERROR(read(next_update, answer.next_update));
    out.responses.push_back(std::move(answer));
  }
  OCSP_BASICRESP* b = basic.get();
  auto nonce = ReadNonce(OCSP_BASICRESP_get_ext_by_NID(b, NID_id_pkix_OCSP_Nonce, -1),
                         [b](int i) { return OCSP_BASICRESP_get_ext(b, i); });
  if (!nonce.ok()) return nonce.status();
  out.nonce = std::move(*nonce);
  if (Result<TimePoint> t = internal::FromAsn1Time(OCSP_resp_get0_produced_at(b)); t.ok()) out.produced_at = *t;
  const STACK_OF(X509)* certs = OCSP_resp_get0_certs(b);
  for (int i = 0; i < sk_X509_num(certs); ++i) {
    Result<Certificate> c = Certificate::Adopt(ShareX509(sk_X509_value(certs, i)));
    if (c.ok()) out.certs.push_back(std::move(*c));
  }
  return out;
}

Status VerifyOcspResponse(ByteView der, const Certificate& issuer, TimePoint at) {
  ClearOpenSslErrors();
  Result<OcspResponsePtr> response = internal::DecodeDer<OcspResponsePtr>(der, d2i_OCSP_RESPONSE, i2d_OCSP_RESPONSE,
                                                                          "OCSP response", internal::Encoding::kBer);
  if (!response.ok()) return response.status();
  OcspBasicRespPtr basic(OCSP_response_get1_basic(response->get()));
  if (!basic) return InvalidArgument("the OCSP response is not a successful basic response");
  X509StorePtr store(X509_STORE_new());
  if (!store || X509_STORE_add_cert(store.get(), issuer.get()) != 1) {
    return OpenSslError(StatusCode::kInternal, "building the trust store");
  }
  // The issuer may be an intermediate: trust it as the anchor.
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), std::chrono::system_clock::to_time_t(at));
  if (OCSP_basic_verify(basic.get(), nullptr, store.get(), 0) != 1) {
    return OpenSslError(StatusCode::kInvalidArgument, "verifying the OCSP response");
  }
  return Status::Ok();
}

}  // namespace certplane::pki
