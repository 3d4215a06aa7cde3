// crl.h: certificate revocation lists (RFC 5280 section 5), built and parsed.
//
// Build the CRL of a CA (or of one shard of it), publish it, and read it back:
//
//   CrlSpec spec;
//   spec.number = ca_status.crl_number + 1;           // strictly increasing per CA/shard
//   spec.this_update = now;
//   spec.next_update = now + std::chrono::hours(24);
//   spec.revoked = {{serial, revoked_at, RevocationReason::kKeyCompromise}};
//   spec.distribution_point = IssuingDistributionPoint{.uris = {shard_url}};  // sharded
//   Result<Crl> crl = BuildCrl(spec, issuer);
//   configmap.data["ca.crl"] = crl->ToPem();
//
// What BuildCrl writes: a v2 CRL signed with the issuer's key (same algorithm rule as
// certificates), entries sorted by serial, each with its revocation time and, unless
// the reason is unspecified (RFC 5280 5.3.1 says to omit it then), a reasonCode entry
// extension; the CRL Number and the AuthorityKeyIdentifier (the issuer's SKI); and,
// when a distribution point is given, a critical IssuingDistributionPoint naming it.
//
// Sharding: a CA whose CRL would outgrow a ConfigMap splits its certificates over N
// shards by CrlShardFor(serial, N), writes shard i's URL into the CRL Distribution
// Points of the certificates in it, and publishes one CRL per shard with that URL in
// its IssuingDistributionPoint, so a relying party never takes a shard's CRL as
// complete for a certificate of another shard.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "pki/certificate.h"
#include "pki/handles.h"
#include "pki/issuer.h"
#include "pki/name.h"
#include "pki/serial.h"
#include "pki/types.h"

namespace certplane::pki {

// CRLReason (RFC 5280 5.3.1); the values are the ASN.1 ENUMERATED values.
enum class RevocationReason {
  kUnspecified = 0,
  kKeyCompromise = 1,
  kCaCompromise = 2,
  kAffiliationChanged = 3,
  kSuperseded = 4,
  kCessationOfOperation = 5,
  kCertificateHold = 6,
  kRemoveFromCrl = 8,  // only in delta CRLs: the serial has left the base CRL (a hold lifted)
  kPrivilegeWithdrawn = 9,
  kAaCompromise = 10,
};

// RFC 5280's names: "unspecified", "keyCompromise", "cACompromise", ...
std::string_view RevocationReasonName(RevocationReason reason);
// The inverse; InvalidArgument for other names.
Result<RevocationReason> ParseRevocationReason(std::string_view name);

struct RevokedCertificate {
  SerialNumber serial;
  TimePoint revocation_time;
  RevocationReason reason = RevocationReason::kUnspecified;
  friend bool operator==(const RevokedCertificate&, const RevokedCertificate&) = default;
};

struct IssuingDistributionPoint {
  std::vector<std::string> uris;  // where this CRL is published (fullName)
  bool only_user_certs = false;   // onlyContainsUserCerts
  bool only_ca_certs = false;     // onlyContainsCACerts
  friend bool operator==(const IssuingDistributionPoint&, const IssuingDistributionPoint&) = default;
};

struct CrlSpec {
  std::uint64_t number = 0;  // CRL Number; must grow with every CRL of the same scope
  TimePoint this_update;
  TimePoint next_update;  // RFC 5280 requires it; must be after this_update
  std::vector<RevokedCertificate> revoked;
  std::optional<IssuingDistributionPoint> distribution_point;
  // A delta CRL (RFC 5280 5.2.4): the CRL Number of the complete CRL it updates,
  // written as a critical Delta CRL Indicator. Must be below `number`. Only a delta
  // may list removeFromCRL entries.
  std::optional<std::uint64_t> delta_of;
  // Freshest CRL (RFC 5280 5.2.6): where the delta CRLs updating this complete CRL are
  // published. Not allowed on a delta.
  std::vector<std::string> freshest_crl_urls;
};

class Crl {
 public:
  // Takes ownership of a decoded CRL after checking it is well-formed v2 with a CRL
  // Number and a nextUpdate; InvalidArgument otherwise.
  static Result<Crl> Adopt(X509CrlPtr crl);

  std::string ToPem() const;  // "X509 CRL"
  Bytes ToDer() const;

  std::uint64_t number() const { return number_; }
  TimePoint this_update() const { return this_update_; }
  TimePoint next_update() const { return next_update_; }
  DistinguishedName issuer() const;
  std::string issuer_text() const;  // RFC 2253
  Bytes authority_key_id() const;   // empty if absent
  const std::optional<IssuingDistributionPoint>& distribution_point() const { return distribution_point_; }
  // The base CRL Number a delta CRL names in its Delta CRL Indicator; nullopt for a
  // complete CRL.
  std::optional<std::uint64_t> delta_of() const { return delta_of_; }

  size_t size() const;
  // Every entry, in serial order.
  std::vector<RevokedCertificate> entries() const;
  // The entry for `serial`, if the CRL lists it. O(log n).
  std::optional<RevokedCertificate> Find(const SerialNumber& serial) const;

  // OK if `issuer`'s key signed this CRL and `issuer`'s subject is the CRL's issuer;
  // InvalidArgument otherwise.
  Status VerifySignature(const Certificate& issuer) const;

  X509_CRL* get() const { return crl_.get(); }

  Crl(const Crl& other);
  Crl& operator=(const Crl& other);
  Crl(Crl&&) noexcept = default;
  Crl& operator=(Crl&&) noexcept = default;

 private:
  friend Result<Crl> BuildCrl(const CrlSpec& spec, const Issuer& issuer);
  // Adopt(), optionally without reading every entry back (for CRLs BuildCrl just wrote).
  static Result<Crl> Make(X509CrlPtr crl, bool check_entries);

  Crl() = default;
  X509CrlPtr crl_;
  std::uint64_t number_ = 0;
  TimePoint this_update_;
  TimePoint next_update_;
  std::optional<IssuingDistributionPoint> distribution_point_;
  std::optional<std::uint64_t> delta_of_;
};

// Builds and signs a CRL. InvalidArgument for a bad spec (next_update not after
// this_update, a removeFromCRL reason on a complete CRL, a delta_of not below number,
// Freshest CRL URLs on a delta, duplicate serials, a revocation time after
// this_update, a malformed distribution point URI); FailedPrecondition if the issuer's
// certificate does not allow CRL signing.
Result<Crl> BuildCrl(const CrlSpec& spec, const Issuer& issuer);

// A CRL from PEM ("X509 CRL") or DER. InvalidArgument for malformed input, a v1 CRL, a
// missing CRL Number or nextUpdate, malformed extensions or entries.
Result<Crl> ParseCrlPem(std::string_view pem);
Result<Crl> ParseCrlDer(ByteView der);

// The shard in [0, shard_count) that `serial` belongs to: FNV-1a over the serial's
// octets, modulo shard_count. Certificates embed their shard's URL, so this function
// must never change. shard_count 0 is treated as 1.
std::uint32_t CrlShardFor(const SerialNumber& serial, std::uint32_t shard_count);

}  // namespace certplane::pki
