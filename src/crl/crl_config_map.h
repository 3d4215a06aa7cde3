// The ConfigMaps a CA's CRL is published in (api/well_known.h has the contract), as the
// controller caches them: one per shard, reduced at decode time to the DER CRL and the
// facts the HTTP handlers and the publisher read. The ledger (revoked.txt) and crl.pem
// are not kept: the ledger is read from the API server by whoever rebuilds the CRL, and
// the PEM is derived from the DER when it is asked for.
//
//   CrlConfigMapName("example-issuing", 0);   // "certplane-crl-example-issuing"
//   CrlConfigMapName("example-issuing", 3);   // "certplane-crl-example-issuing.shard-3"
//
//   InformerOptions<CrlConfigMap> o;           // what reconcile::Caches::crl_config_maps does
//   o.resource = kube::kConfigMaps;
//   o.ns = controller_namespace;
//   o.label_selector = std::string(api::kCrlShardLabel);
//   o.decode = DecodeCrlConfigMap;
//
//   auto shard = caches.CrlShard("example-issuing", 0);
//   if (shard && shard->usable()) Serve(shard->der, shard->etag);
//
// A ConfigMap that carries the shard label but is malformed (a missing or bad label, a
// missing or undecodable crl.der, or delta.der when the delta number annotation is
// there, an unparseable annotation, a name that disagrees with
// its labels) is still cached, marked unusable with the reason in `invalid`, so the
// publisher sees it (and can overwrite it) and the HTTP side can answer 503 rather than
// serve a stale CRL. Only an object without readable metadata fails to decode.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/time.h"
#include "base/result.h"
#include "kube/object_meta.h"

namespace certplane::crl {

// The name of the ConfigMap holding shard `shard` of CA `ca`'s CRL:
// "certplane-crl-<ca>" for shard 0, "certplane-crl-<ca>.shard-<k>" for k >= 1.
// Names are unique because no CA may be named like a shard: the CRD refuses a
// CertificateAuthority name ending in ".shard-<digits>" (IsCrlShardLikeCaName), so a name
// ending so is always a shard k >= 1 of the CA before the suffix, and any other name is
// shard 0 of the CA it spells.
std::string CrlConfigMapName(const std::string& ca, std::int32_t shard);

// Whether `ca` ends in ".shard-<digits>", which the CRD refuses for CertificateAuthority
// names (the same rule, for CAs created before it, and for tests of the naming).
bool IsCrlShardLikeCaName(std::string_view ca);

// One shard's CRL ConfigMap, trimmed.
struct CrlConfigMap {
  kube::ObjectMeta metadata;
  std::string ca_name;                   // label certplane.io/ca-name; "" when missing
  std::int32_t shard = -1;               // label certplane.io/crl-shard; -1 when not a shard number
  std::uint64_t number = 0;              // annotation certplane.io/crl-number; 0 when absent
  std::optional<api::Time> this_update;  // annotation certplane.io/crl-this-update
  std::optional<api::Time> next_update;  // annotation certplane.io/crl-next-update
  std::int64_t entries = 0;              // annotation certplane.io/crl-entries; 0 when absent
  std::string der;                       // binaryData crl.der, decoded
  std::string etag;                      // strong ETag of `der`, quoted: "\"<16 hex of SHA-256>\""
  std::string key_id;                    // annotation certplane.io/crl-key-id: the key that signed `der`
  struct KeyedCrl {
    std::string der;
    std::string etag;
  };
  // binaryData crl-<key id>.der: the same shard's CRL signed by each retired key, by key id.
  std::map<std::string, KeyedCrl> retired;
  // With delta CRLs (api/well_known.h): the delta over `der` by the current key
  // (binaryData delta.der), by each retired key (delta-<key id>.der), and the
  // annotations' number and times. delta_number 0 and an empty delta: none published.
  std::uint64_t delta_number = 0;
  std::optional<api::Time> delta_this_update;
  std::optional<api::Time> delta_next_update;
  KeyedCrl delta;
  std::map<std::string, KeyedCrl> retired_deltas;
  std::string invalid;  // why it cannot be served; empty when usable

  // The DER and ETag of the CRL signed by `key_id` (the current key's or a retired
  // key's), viewing this object; nullopt when this shard has none for that key.
  struct KeyedCrlView {
    std::string_view der;
    std::string_view etag;
  };
  std::optional<KeyedCrlView> ForKey(const std::string& key_id) const;
  // The same for the delta CRL over that key's complete CRL; nullopt without one.
  std::optional<KeyedCrlView> DeltaForKey(const std::string& key_id) const;

  bool usable() const { return invalid.empty(); }
};

// Decodes a ConfigMap as the API server returns it. InvalidArgument only when the
// metadata cannot be read; every other defect yields a value with `invalid` set (and
// `der`/`etag` empty), naming the label, key or annotation at fault. Labels, then
// annotations, then crl.der are read in that order; on an unusable value the fields
// after the defect keep their defaults.
Result<CrlConfigMap> DecodeCrlConfigMap(const nlohmann::json& config_map);

// The binaryData key of the CRL signed by retired key `key_id`: "crl-<key id>.der".
std::string RetiredCrlDataKey(const std::string& key_id);
// The binaryData key of the delta CRL signed by retired key `key_id`: "delta-<key id>.der".
std::string RetiredDeltaCrlDataKey(const std::string& key_id);

// The strong ETag certplane gives a CRL's DER bytes: the first 16 hex digits of their
// SHA-256, in double quotes.
std::string CrlEtag(std::string_view der);

// Parses a shard number as written in the shard label and in /crl/<ca>/<k>.crl: canonical
// decimal (no sign, no leading zero), 0 .. 1023 (the CRD allows 1024 shards). nullopt
// otherwise.
std::optional<std::int32_t> ParseCrlShard(std::string_view text);

}  // namespace certplane::crl
