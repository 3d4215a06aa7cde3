#include "parsers.h"

#include <cstdio>
#include <cstdlib>

#include "pki/issue.h"
#include "pki/issuer.h"
#include "pki/key.h"
#include "pki/ocsp.h"

namespace certplane::pki::ocsp_fuzz {
namespace {

const TimePoint kNow = TimePoint(std::chrono::sys_days(std::chrono::year(2030) / 6 / 1));

[[noreturn]] void Broken(const char* what, const Status& status) {
  std::fprintf(stderr, "invariant broken: %s: %s\n", what, status.ToString().c_str());
  std::abort();
}

template <typename T>
T MustOk(Result<T> r, const char* what) {
  if (!r.ok()) Broken(what, r.status());
  return std::move(*r);
}

struct Responder {
  Certificate ca;
  OcspSigner signer;
};

// A P-256 root and its delegated responder, as the controller makes them.
const Responder& Fixed() {
  static const Responder responder = [] {
    PrivateKey ca_key = MustOk(GeneratePrivateKey(KeyAlgorithm::kEcdsaP256), "CA key");
    CertificateSpec ca_spec;
    ca_spec.subject.common_name = "Fuzz OCSP CA";
    ca_spec.is_ca = true;
    ca_spec.key_usages = {KeyUsage::kKeyCertSign, KeyUsage::kCrlSign, KeyUsage::kDigitalSignature};
    ca_spec.validity = std::chrono::hours(24 * 3650);
    Certificate ca = MustOk(SelfSignCertificate(ca_spec, ca_key, kNow - std::chrono::hours(24)), "CA certificate");
    Issuer issuer = MustOk(Issuer::Create(ca, ca_key), "issuer");
    PrivateKey key = MustOk(GeneratePrivateKey(KeyAlgorithm::kEcdsaP256), "responder key");
    CertificateSpec spec;
    spec.subject.common_name = "Fuzz OCSP responder";
    spec.key_usages = {KeyUsage::kDigitalSignature};
    spec.extended_key_usages = {ExtendedKeyUsage::kOcspSigning};
    spec.ocsp_no_check = true;
    spec.validity = std::chrono::hours(72);
    Certificate cert = MustOk(IssueCertificate(spec, key.public_key(), issuer, kNow), "responder certificate");
    return Responder{ca, {cert, key}};
  }();
  return responder;
}

}  // namespace

Status HandleOcspRequest(ByteView input) {
  Result<OcspRequest> req = ParseOcspRequest(input);
  if (!req.ok()) return req.status();
  const Responder& r = Fixed();
  OcspResponseSpec spec{.nonce = req->nonce};
  for (const OcspCertId& id : req->certificates) {
    // The responder answers only for CertIDs naming its CA (unauthorized otherwise);
    // the answer itself must be signable for any supported hash and serial.
    (void)OcspIssuerMatches(id, r.ca);
    if (!IsSupportedOcspHash(id.hash_nid)) continue;
    spec.responses.push_back(
        {.id = id, .status = OcspCertStatus::kGood, .this_update = kNow, .next_update = kNow + std::chrono::hours(1)});
  }
  if (spec.responses.empty()) return Status::Ok();
  Bytes der = MustOk(SignOcspResponse(spec, r.signer, r.ca), "an accepted request is answered");
  ParsedOcspResponse parsed = MustOk(ParseOcspResponse(der), "a signed response parses");
  if (parsed.status != OcspResponseStatus::kSuccessful || parsed.responses.size() != spec.responses.size()) {
    Broken("the response answers every supported CertID", Status::Ok());
  }
  for (std::size_t i = 0; i < spec.responses.size(); ++i) {
    if (parsed.responses[i].id.serial != spec.responses[i].id.serial ||
        parsed.responses[i].id.hash_nid != spec.responses[i].id.hash_nid) {
      Broken("the response names the CertIDs asked about", Status::Ok());
    }
  }
  if (parsed.nonce != req->nonce) Broken("the nonce is echoed", Status::Ok());
  if (Status s = VerifyOcspResponse(der, r.ca, kNow); !s.ok()) Broken("the response verifies", s);
  return Status::Ok();
}

void FuzzOcspRequest(ByteView input) { (void)HandleOcspRequest(input); }

}  // namespace certplane::pki::ocsp_fuzz
