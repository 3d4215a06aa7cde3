// OcspResponder: every replica's OCSP responder (RFC 6960, with RFC 5019's profile),
// answering from its caches and signing with the CA's delegated responder keys.
//
//   GET  /ocsp/<ca>/<base64 of the DER request, URL-encoded>   (RFC 6960 appendix A.1)
//   POST /ocsp/<ca>            body: the DER request (application/ocsp-request)
//
// For each CertID it finds the CA key the issuerKeyHash names (the current key or a
// retired one still in the key Secret), then answers:
//   revoked   the serial is on the CRL that key signs (time and reason from the ledger;
//             certificateHold included, gone once the hold is lifted and the CRL re-signed)
//   good      the serial is in the CA's record of issued serials, or a cached Certificate
//             names it
//   unknown   otherwise: the CA never issued it (or it expired and was forgotten)
// and whole-response errors: malformedRequest (not a request: garbage, truncated,
// oversized, too many CertIDs), unauthorized (a CA it does not know, a CertID of another
// issuer, a hash algorithm other than SHA-1/256/384/512), tryLater (the responder
// certificate is not issued yet).
//
// Responses are signed once and cached per (CA, key, hash, serial); a request without a
// nonce is served from the cache as long as the answer is still what the caches say
// and the response is younger than half its validity. A background thread re-signs
// cached responses before that (so clients never see them go stale) and, as soon as a
// CA's inputs change (Invalidate: a CRL, the issued record, the responder Secret), those
// whose answer changed. A request with a nonce is signed for it and never cached.
//
// thisUpdate is the signing time, nextUpdate thisUpdate + response_validity (capped by
// the responder certificate's notAfter); HTTP headers say the same: Last-Modified
// thisUpdate, Expires nextUpdate, Cache-Control max-age until the responder will have
// re-signed (never past nextUpdate), a strong ETag; no-store for nonce and error
// responses.
//
//   OcspResponder responder(OcspSourcesOf(caches, clock), {});
//   responder.Start();                      // the background re-signer
//   http::RegisterOcspRoutes(router, responder, clock);   // http/routes/ocsp_routes.h
//   caches.crl_config_maps.AddEventHandler(... responder.Invalidate(cm->ca_name) ...);
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/certificate_authority.h"
#include "crl/crl_config_map.h"
#include "crl/ocsp_answerer.h"
#include "kube/clock.h"
#include "pki/crl.h"
#include "pki/ocsp.h"
#include "reconcile/ocsp_material.h"

namespace certplane::reconcile {

class Caches;

// What the responder reads; every function must be thread-safe (informer stores are).
struct OcspSources {
  std::function<std::shared_ptr<const api::CertificateAuthority>(const std::string& ca)> ca;
  std::function<std::shared_ptr<const OcspSignerSecret>(const std::string& ca)> signers;
  std::function<std::vector<std::shared_ptr<const crl::CrlConfigMap>>(const std::string& ca)> crl_shards;
  // The shards of the CA's record of issued serials.
  std::function<std::vector<std::shared_ptr<const IssuedSerials>>(const std::string& ca)> issued;
  // Whether a cached Certificate names `serial_hex` as issued by `ca` (its current
  // serial or one in its history): covers the moment before the issued record has it.
  std::function<bool(const std::string& ca, const std::string& serial_hex)> certificate_names;
  const kube::Clock* clock = nullptr;  // must outlive the responder
};

// The sources over the controller's caches.
OcspSources OcspSourcesOf(const Caches& caches, const kube::Clock& clock);

struct OcspResponderOptions {
  // nextUpdate - thisUpdate of every response; re-signed after half of it.
  std::chrono::seconds response_validity = std::chrono::hours(1);
  // The most responses kept; the least recently asked for go first.
  std::size_t max_cached = 200000;
  // How often the background thread looks for responses to re-sign.
  std::chrono::milliseconds sweep_interval = std::chrono::milliseconds(250);
};

// The answerer behind the /ocsp routes (http/routes/ocsp_routes.h).
class OcspResponder : public crl::OcspAnswerer {
 public:
  OcspResponder(OcspSources sources, OcspResponderOptions options);
  ~OcspResponder() override;
  OcspResponder(const OcspResponder&) = delete;
  OcspResponder& operator=(const OcspResponder&) = delete;

  // Answers a DER request addressed to CA `ca`. Never fails: errors are OCSP error
  // responses. Thread-safe.
  crl::OcspHttpAnswer Respond(const std::string& ca, pki::ByteView request) override;

  // CA `ca`'s inputs changed: re-check its cached responses now. Thread-safe.
  void Invalidate(const std::string& ca);

  // The background re-signer; Stop (and the destructor) joins it.
  void Start();
  void Stop();

  struct Counters {
    std::uint64_t served_from_cache = 0;
    std::uint64_t signed_on_request = 0;
    std::uint64_t signed_in_background = 0;
    std::size_t cached = 0;
  };
  Counters counters() const;

 private:
  struct Answer;
  struct Entry;
  struct Identity;

  // The key of CA `ca` whose certificate the CertID names; nullptr when none.
  std::shared_ptr<const OcspSignerSecret> SignersOf(const std::string& ca) const;
  Answer Lookup(const std::string& ca, const OcspIdentity& identity, const pki::SerialNumber& serial);
  std::shared_ptr<const pki::Crl> ParsedCrl(std::string_view der, std::string_view etag);
  Result<std::shared_ptr<Entry>> Sign(const std::string& ca, const OcspIdentity& identity,
                                      const std::vector<std::pair<pki::OcspCertId, Answer>>& answers,
                                      const std::optional<pki::Bytes>& nonce);
  void Sweep();
  void Run(std::stop_token stop);

  const OcspSources sources_;
  const OcspResponderOptions options_;

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Entry>> cache_;  // guarded by mu_
  std::map<std::string, std::uint64_t> generation_;      // guarded by mu_; by CA
  std::uint64_t use_clock_ = 0;                          // guarded by mu_
  Counters counters_;                                    // guarded by mu_
  bool dirty_ = false;                                   // guarded by mu_
  std::condition_variable_any wake_;

  std::mutex crl_mu_;
  std::map<std::string, std::shared_ptr<const pki::Crl>> crls_;  // guarded by crl_mu_; by ETag

  std::jthread thread_;
};

}  // namespace certplane::reconcile
