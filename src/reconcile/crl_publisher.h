// CrlPublisher: keeps every CertificateAuthority's CRL published, shard by shard, in
// ConfigMaps in the controller's namespace (api/well_known.h has the contract).
//
// The certificate reconciler asks for revocations; the publisher batches them per CA
// (a burst of revocations becomes one CRL a second later), merges them into the CA's
// ledger, signs a CRL for every shard that changed, writes each shard's ConfigMap with
// its ledger, records the CRL in the CA's status and then enqueues the Certificates
// that waited, which see their serial in Published() and report Revoked.
//
//   publisher.Revoke("issuing", /*shard=*/0, {.serial_hex = s, .revoked_at = now,
//                    .reason = kKeyCompromise, .not_after = na}, "shop/frontend");
//   ... later, in the Certificate's reconcile:
//   auto on_crl = publisher.Published("issuing", 0, s);  // the record once published
//
// Durability: the ledger in the ConfigMaps is the only record, rebuilt from them on
// every leadership; writes are conditional on the resourceVersion the publisher read,
// so a second writer (a stale leader) can never drop an entry: it conflicts, reloads
// and merges again. The CRL number is one counter per CA across shards, continued from
// the highest number found in the ConfigMaps or the CA's status.
//
// Runs on the leader only, as one worker of a "crls" controller keyed by CA name.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/certificate_authority.h"
#include "base/mutex.h"
#include "kube/clock.h"
#include "kube/controller.h"
#include "kube/event_recorder.h"
#include "kube/rest_client.h"
#include "reconcile/ca_signers.h"
#include "reconcile/caches.h"
#include "reconcile/crl_decision.h"
#include "reconcile/crl_ledger.h"
#include "reconcile/crl_signing.h"

namespace certplane::reconcile {

struct CrlPublisherDeps {
  std::shared_ptr<kube::Client> client;
  const Caches* caches = nullptr;
  CaSigners* signers = nullptr;
  kube::EventRecorder* events = nullptr;
  std::shared_ptr<kube::Clock> clock;
  std::string field_manager = "certplane";
  std::string public_base_url;
  // How long a revocation waits for others to join its CRL.
  kube::Duration batch_window = std::chrono::milliseconds(1000);
  // Schedules the CA's CRL reconcile (the "crls" queue's AddAfter).
  std::function<void(const std::string& ca, kube::Duration after)> schedule;
  // Enqueues a Certificate whose request reached the CRL.
  std::function<void(const std::string& certificate_key)> notify;
};

class CrlPublisher {
 public:
  explicit CrlPublisher(CrlPublisherDeps deps);

  // Asks that `record` be on shard `shard` of `ca`'s CRL; `waiter` is notified once it
  // is. Thread-safe.
  void Revoke(const std::string& ca, std::int32_t shard, RevocationRecord record, std::string waiter) EXCLUDES(mu_);
  // Asks that a held serial leave the CRL (certificateHold lifted). Thread-safe.
  void Unrevoke(const std::string& ca, std::int32_t shard, std::string serial_hex, std::string waiter) EXCLUDES(mu_);

  struct Lookup {
    bool loaded = false;  // false: the CA's ledger has not been read yet; ask again later
    std::optional<RevocationRecord> record;
  };
  // What the published CRL of `ca` says about `serial_hex` on `shard`. Thread-safe.
  Lookup Published(const std::string& ca, std::int32_t shard, const std::string& serial_hex) const EXCLUDES(mu_);

  // The shard a certificate about to be issued by `ca` joins (crl_plan.h's
  // ChooseShard over the published ledgers and the live certificates in the caches),
  // and the URLs its CRL Distribution Points name: templates with "{key}" where the
  // signing key's id goes (IssueLeaf fills it in from the CaMaterial that signs), so a
  // certificate names the CRL its own key keeps signing after the CA is re-keyed.
  std::int32_t ShardForNewCertificate(const api::CertificateAuthority& ca, const std::string& certificate_key)
      EXCLUDES(mu_);
  std::vector<std::string> ShardUrls(const api::CertificateAuthority& ca, std::int32_t shard) const;
  // The URLs of shard `shard`'s delta CRLs (Freshest CRL), templates with "{key}" as
  // ShardUrls'; empty when the CA has no delta CRLs.
  std::vector<std::string> ShardDeltaUrls(const api::CertificateAuthority& ca, std::int32_t shard) const;

  // The "crls" controller's reconcile; the key is a CA name.
  kube::ReconcileResult Reconcile(const kube::Request& request) EXCLUDES(mu_);

  // Shard `shard`'s ConfigMap was deleted (by someone else): write it again, from the
  // ledger held here, on the next reconcile.
  void ShardDeleted(const std::string& ca, std::int32_t shard) EXCLUDES(mu_);

  // Forgets everything loaded (leadership lost or the operator stopped).
  void Reset() EXCLUDES(mu_);

 private:
  struct Shard {
    std::shared_ptr<const Ledger> ledger = std::make_shared<const Ledger>();
    bool exists = false;  // its ConfigMap exists
    std::string resource_version;
    std::uint64_t number = 0;
    api::Time this_update{};
    api::Time next_update{};
    std::string issuer_fingerprint;            // of the CA certificate that signed it
    std::string key_id;                        // of the key that signed crl.der
    std::vector<std::string> retired_key_ids;  // retired keys whose CRLs it carries, sorted
    std::int32_t shard_count = 0;              // how many shards there were when it was signed
    // What crl.der lists: the base its delta CRLs are computed against.
    std::shared_ptr<const BaseCrlEntries> base = std::make_shared<const BaseCrlEntries>();
    std::size_t base_bytes = 0;  // what the ConfigMap holds for the complete CRLs
    bool has_delta = false;      // a delta CRL is published over crl.der
    std::uint64_t delta_number = 0;
    api::Time delta_next_update{};
  };
  struct Pending {
    enum class Kind { kRevoke, kUnrevoke } kind;
    std::int32_t shard;
    RevocationRecord record;  // kUnrevoke: serial_hex only
    std::string waiter;
  };
  struct CaState {
    bool loaded = false;
    std::map<std::int32_t, Shard> shards;
    std::uint64_t number = 0;        // highest CRL number signed
    std::int32_t wanted_shards = 0;  // opened by ShardForNewCertificate
    std::vector<Pending> pending;
  };

  // One reconcile's work: a snapshot of the CA's state (the requests taken out of the
  // queue), the ledgers the requests change, and the decision's input built from them.
  struct Gathered {
    CaState work;
    std::map<std::int32_t, std::shared_ptr<Ledger>> edited;  // ledgers with the requests applied
    CrlPublishInput input;
  };

  // Reads every shard's ConfigMap of `ca` (the ledgers are not cached): API calls, so
  // never with mu_ held.
  Result<CaState> Load(const api::CertificateAuthority& ca) const EXCLUDES(mu_);
  // Loads the ledgers once per leadership; a result when the reconcile must end here.
  std::optional<kube::ReconcileResult> EnsureLoaded(const api::CertificateAuthority& ca) EXCLUDES(mu_);
  // Gather: takes the pending requests and a snapshot of the shards, applies the
  // requests to copies of the ledgers they touch, and describes it all for the decision.
  Gathered Gather(const api::CertificateAuthority& ca, const CaMaterial& material) EXCLUDES(mu_);
  // Act: signs and writes what the plan says, records the CRL in the CA's status,
  // notifies the waiters; on a failure puts the requests back and reloads.
  kube::ReconcileResult Act(const api::CertificateAuthority& ca, const CaMaterial& material, Gathered gathered,
                            const CrlPublishPlan& plan) EXCLUDES(mu_);
  // The CRLs one shard publishes: crl.der/crl.pem by the current key, one DER per retired key.
  Result<ShardCrl> SignShard(const api::CertificateAuthority& ca, const CaMaterial& material, std::int32_t index,
                             const Ledger& ledger, std::uint64_t number, std::int32_t shard_count,
                             const std::vector<std::string>& retired_key_ids,
                             std::map<std::string, std::string>& retired_ders) const;
  // The delta CRLs of one shard over its published complete CRL: delta.der by the
  // current key, one DER per retired key.
  Result<ShardDeltaCrl> SignShardDelta(const api::CertificateAuthority& ca, const CaMaterial& material,
                                       std::int32_t index, const Shard& shard, std::uint64_t number,
                                       std::int32_t shard_count, const std::vector<std::string>& retired_key_ids,
                                       std::map<std::string, std::string>& retired_delta_ders) const;
  struct SignedDelta {
    const ShardDeltaCrl* crl = nullptr;
    const std::map<std::string, std::string>* retired_ders = nullptr;
  };
  // Writes the whole shard: its complete CRLs, its ledger and, with deltas, the delta over them.
  Status WriteShard(const api::CertificateAuthority& ca, std::int32_t index, Shard& shard, const ShardCrl& crl,
                    const std::map<std::string, std::string>& retired_ders, std::int32_t shard_count,
                    SignedDelta delta);
  // Writes the ledger and the delta CRLs alone (a merge patch conditional on the
  // resourceVersion read), leaving the complete CRLs as they are.
  Status WriteShardDelta(const api::CertificateAuthority& ca, std::int32_t index, Shard& shard,
                         const std::string& ledger_text, api::Time now, SignedDelta delta);
  Status WriteCaStatus(const api::CertificateAuthority& ca, const CaState& state);

  CrlPublisherDeps deps_;
  mutable Mutex mu_;
  std::map<std::string, CaState> cas_ GUARDED_BY(mu_);
};

}  // namespace certplane::reconcile
