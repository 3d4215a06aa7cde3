// ocsp.h: the Online Certificate Status Protocol (RFC 6960), responder side: parse a
// request, tell whether it asks about a given CA certificate, and sign a response with
// a delegated responder certificate. The client side (building a request, reading a
// response) is here too, for tests and benchmarks.
//
//   Result<OcspRequest> req = ParseOcspRequest(body);       // InvalidArgument: malformedRequest
//   if (!req.ok()) return OcspErrorResponse(OcspResponseStatus::kMalformedRequest);
//   for (const OcspCertId& id : req->certificates) {
//     if (!OcspIssuerMatches(id, ca_certificate)) ... // unauthorized: not this CA (or an unknown hash)
//   }
//   OcspResponseSpec spec{.nonce = req->nonce};
//   spec.responses.push_back({.id = id, .status = OcspCertStatus::kGood,
//                             .this_update = now, .next_update = now + 1h});
//   Result<Bytes> der = SignOcspResponse(spec, signer, ca_certificate);
//
// What SignOcspResponse writes: a successful OCSPResponse holding a BasicOCSPResponse
// whose responderID is the signer's key hash (RFC 6960 4.2.2.3, as RFC 5019 recommends),
// one SingleResponse per answer with a CertID in the request's hash algorithm, the
// nonce extension when given (copied byte for byte from the request), the signer's
// certificate in `certs`, signed with the signer's key (same algorithm rule as
// certificates). producedAt is the time of signing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "pki/certificate.h"
#include "pki/crl.h"
#include "pki/key.h"
#include "pki/serial.h"
#include "pki/types.h"

namespace certplane::pki {

// The largest request ParseOcspRequest reads: a request for one certificate is about
// 100 bytes; RFC 5019 clients send one, a few at most.
inline constexpr std::size_t kMaxOcspRequestSize = std::size_t{8} * 1024;
// The most certificates one request may ask about.
inline constexpr std::size_t kMaxOcspRequestCertificates = 16;

// CertID (RFC 6960 4.1.1): which certificate a request asks about.
struct OcspCertId {
  int hash_nid = 0;        // the OpenSSL NID of hashAlgorithm
  Bytes issuer_name_hash;  // hash of the issuer's DER subject name
  Bytes issuer_key_hash;   // hash of the issuer's subjectPublicKey BIT STRING value
  SerialNumber serial;
  friend bool operator==(const OcspCertId&, const OcspCertId&) = default;
};

struct OcspRequest {
  std::vector<OcspCertId> certificates;  // at least one, at most kMaxOcspRequestCertificates
  // The nonce extension's extnValue as sent (RFC 8954 allows 1..32 octets inside);
  // nullopt when the request carries none.
  std::optional<Bytes> nonce;
};

// Parses a DER OCSPRequest. InvalidArgument for anything RFC 6960 calls a malformed
// request: not DER, trailing bytes, larger than kMaxOcspRequestSize, no certificates or
// more than kMaxOcspRequestCertificates, a serial that is negative or over 20 octets, a
// nonce whose value is not an OCTET STRING of 1 to 128 octets. A request signature is
// not checked (certplane answers anyone). An unsupported hash algorithm is not a parse
// error: OcspIssuerMatches says no for it.
Result<OcspRequest> ParseOcspRequest(ByteView der);

// Whether the hash algorithm of a CertID is one certplane answers for: SHA-1 (what most
// clients send), SHA-256, SHA-384, SHA-512.
bool IsSupportedOcspHash(int hash_nid);

// Whether `id` names `issuer` as the certificate's issuer: its name hash and key hash
// equal those of `issuer` under the id's hash algorithm. False for unsupported hashes.
bool OcspIssuerMatches(const OcspCertId& id, const Certificate& issuer);

enum class OcspCertStatus { kGood, kRevoked, kUnknown };

// "good", "revoked", "unknown".
std::string_view OcspCertStatusName(OcspCertStatus status);

struct OcspSingleResponse {
  OcspCertId id;
  OcspCertStatus status = OcspCertStatus::kUnknown;
  TimePoint revocation_time{};                               // kRevoked only
  RevocationReason reason = RevocationReason::kUnspecified;  // kRevoked only
  TimePoint this_update{};
  TimePoint next_update{};
};

struct OcspResponseSpec {
  std::vector<OcspSingleResponse> responses;  // at least one
  std::optional<Bytes> nonce;                 // copied into the response when set
};

// A delegated OCSP responder: a certificate the CA issued with id-kp-OCSPSigning (and
// id-pkix-ocsp-nocheck), and its private key.
struct OcspSigner {
  Certificate certificate;
  PrivateKey key;
};

// Signs a successful response. InvalidArgument for an empty spec, next_update not after
// this_update, or an id with an unsupported hash; FailedPrecondition when the signer's
// certificate was not issued by `issuer` or does not carry id-kp-OCSPSigning; Internal
// when OpenSSL fails.
Result<Bytes> SignOcspResponse(const OcspResponseSpec& spec, const OcspSigner& signer, const Certificate& issuer);

// OCSPResponseStatus (RFC 6960 4.2.1); the values are the ASN.1 ENUMERATED values.
enum class OcspResponseStatus {
  kSuccessful = 0,
  kMalformedRequest = 1,
  kInternalError = 2,
  kTryLater = 3,
  kSigRequired = 5,
  kUnauthorized = 6,
};

// "successful", "malformedRequest", "internalError", "tryLater", "sigRequired",
// "unauthorized".
std::string_view OcspResponseStatusName(OcspResponseStatus status);

// An unsuccessful OCSPResponse: only the status, no responseBytes (RFC 6960 4.2.1).
// `status` must not be kSuccessful (it is encoded as internalError then).
Bytes OcspErrorResponse(OcspResponseStatus status);

// ---- The client side: for tests, benchmarks and tools. ----

// A request for `serial` issued by `issuer`, hashing with `hash_nid` (NID_sha1 ...),
// with a nonce extension when `nonce` is set. InvalidArgument for an unknown hash.
Result<Bytes> BuildOcspRequest(const Certificate& issuer, const SerialNumber& serial, int hash_nid,
                               const std::optional<Bytes>& nonce = std::nullopt);

struct ParsedOcspResponse {
  OcspResponseStatus status = OcspResponseStatus::kInternalError;
  // Successful responses only:
  std::vector<OcspSingleResponse> responses;
  std::optional<Bytes> nonce;  // the nonce extension's extnValue
  TimePoint produced_at{};
  std::vector<Certificate> certs;  // the certificates the response carries
};

// Reads a DER OCSPResponse; InvalidArgument when malformed.
Result<ParsedOcspResponse> ParseOcspResponse(ByteView der);

// OK when the successful response `der` is signed by `issuer` itself or by a responder
// certificate it carries that `issuer` issued with id-kp-OCSPSigning (RFC 6960 4.2.2.2),
// valid at `at`; InvalidArgument otherwise.
Status VerifyOcspResponse(ByteView der, const Certificate& issuer, TimePoint at);

}  // namespace certplane::pki
