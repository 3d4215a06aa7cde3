// What a CA's OCSP responder needs, as the controller keeps it in its namespace and as
// every replica caches it:
//
//   Secret certplane-ocsp-<ca>        (label certplane.io/ocsp-signer-of=<ca>)
//     <key id>.crt   the delegated responder certificate, then the CA certificate of
//                    that key (current or retired) which issued it, PEM
//     <key id>.key   the responder's private key, PKCS#8 PEM
//   ConfigMap certplane-issued-<ca>, certplane-issued-<ca>.shard-<k> for k >= 1
//                    (labels certplane.io/issued-serials-of=<ca>,
//                    certplane.io/issued-serials-shard=<k>; no shard label is shard 0)
//     issued.txt     the CA's unexpired issued serials, each in one shard:
//                    "<serial hex> <notAfter unix>" per line, sorted; kept after the
//                    Certificate is deleted. A shard holds at most a set number of
//                    serials (ocsp_maintainer.h), so the record grows by ConfigMaps
//                    instead of reaching the API server's 1 MiB per object.
//
// Unlike certificate and CA key Secrets (cached_secrets.h), the responder Secret is
// cached with its keys: every replica signs OCSP responses, and that is why these keys
// are delegated ones, valid for days (RFC 6960 4.2.2.2), not the CA's.
//
//   auto signers = caches.OcspSignersOf("example-issuing");    // nullptr until issued
//   for (const OcspIdentity& id : signers->identities) ...     // one per CA key
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "kube/object_meta.h"
#include "pki/certificate.h"
#include "pki/ocsp.h"

namespace certplane::reconcile {

inline constexpr std::string_view kOcspSignerOfLabel = "certplane.io/ocsp-signer-of";
inline constexpr std::string_view kIssuedSerialsOfLabel = "certplane.io/issued-serials-of";
inline constexpr std::string_view kIssuedSerialsShardLabel = "certplane.io/issued-serials-shard";
inline constexpr std::string_view kIssuedSerialsKey = "issued.txt";

std::string OcspSignerSecretName(const std::string& ca);  // "certplane-ocsp-<ca>"
// "certplane-issued-<ca>" for shard 0, "certplane-issued-<ca>.shard-<k>" for the others.
// Names can collide across CAs ("a.shard-1"): the labels decide whose a record is.
std::string IssuedSerialsConfigMapName(const std::string& ca, int shard = 0);

// The responder identity of one CA key: the CA certificate a CertID's issuerKeyHash
// names, and the delegated signer that CA certificate issued.
struct OcspIdentity {
  std::string key_id;
  pki::Certificate issuer;
  pki::OcspSigner signer;
};

struct OcspSignerSecret {
  kube::ObjectMeta metadata;
  std::string ca_name;                   // label certplane.io/ocsp-signer-of
  std::vector<OcspIdentity> identities;  // sorted by key id
  // Pairs that did not load (a missing half, a key that does not match), by key id:
  // the maintainer replaces them.
  std::map<std::string, std::string> invalid;

  const OcspIdentity* Find(const std::string& key_id) const;
};

// InvalidArgument only when the metadata cannot be read; a bad pair lands in `invalid`.
Result<OcspSignerSecret> DecodeOcspSignerSecret(const nlohmann::json& secret);

// The data of the responder Secret for `identities` (base64, as the API takes it).
// Internal when a key cannot be encoded.
Result<nlohmann::json> EncodeOcspSignerData(const std::vector<OcspIdentity>& identities);

// The durable record of issued serials: serial (lower-case hex) -> notAfter (unix seconds).
using IssuedSerialMap = std::map<std::string, std::int64_t>;

// One shard of a CA's record.
struct IssuedSerials {
  kube::ObjectMeta metadata;
  std::string ca_name;  // label certplane.io/issued-serials-of
  int shard = 0;        // label certplane.io/issued-serials-shard; -1 when it is not a number
  IssuedSerialMap serials;
  std::string invalid;  // why issued.txt did not parse; empty when it did

  bool Contains(const std::string& serial_hex) const { return serials.count(serial_hex) != 0; }
};

Result<IssuedSerials> DecodeIssuedSerialsConfigMap(const nlohmann::json& config_map);

// "<hex> <unix>\n" per serial, in serial order.
std::string FormatIssuedSerials(const IssuedSerialMap& serials);
// The same for `recorded` and `added` merged, leaving out the serials of `recorded` whose
// notAfter is before `now_unix`; on a serial in both, `recorded`'s notAfter. Neither map
// is copied: the maintainer calls it with the whole record.
std::string FormatIssuedSerials(const IssuedSerialMap& recorded, const IssuedSerialMap& added, std::int64_t now_unix);
// The inverse; InvalidArgument naming the first bad line.
Result<IssuedSerialMap> ParseIssuedSerials(std::string_view text);

// What one pass of the maintainer does to one shard of a CA's record.
struct IssuedSerialShardPlan {
  int shard = 0;
  std::shared_ptr<const IssuedSerials> cached;  // null: a shard to create
  std::size_t live = 0;                         // cached serials still unexpired (0 if unusable)
  std::size_t expired = 0;                      // cached serials past their notAfter
  IssuedSerialMap added;                        // the new serials this shard takes

  // Whether the shard must be written: new, unusable, or with serials to drop or add.
  bool Changes() const { return !cached || !cached->invalid.empty() || expired > 0 || !added.empty(); }
};

// Spreads the new serials `added` over a CA's record: every shard keeps its serials
// unexpired at `now_unix`, the lowest-numbered shards with room under `per_shard` take
// new serials in serial order, and new shards (the lowest numbers not in use) take the
// rest. With no shard at all there is still shard 0. The plans of every cached shard
// (from `shards`, one CA's, usable or not) and of every new one, by shard number.
std::vector<IssuedSerialShardPlan> PlanIssuedSerialShards(
    const std::vector<std::shared_ptr<const IssuedSerials>>& shards, const IssuedSerialMap& added,
    std::int64_t now_unix, std::size_t per_shard);

}  // namespace certplane::reconcile
