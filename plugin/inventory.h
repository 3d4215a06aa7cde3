// The inventory: one row per Certificate with its state, filtered and rendered as a
// table, JSON or YAML. Pure functions of the Certificates (and, for -o wide, json and
// yaml, the CertificateSyncs' entries) and the current time.
//
//   std::vector<InventoryRow> rows = BuildInventory(certificates, filter, now);
//   AttachSyncs(rows, SyncListing{.views = DecodeSyncViews(sync_list["items"])});
//   std::cout << RenderInventory(rows, OutputFormat::kWide);
//
// States, the first that applies (also in `kubectl certplane inventory --help`):
//   revoked   the current serial is on the CRL: Revoked=True, or status.revokedAt set
//   revoking  spec.revocation is set but the controller has not confirmed it yet
//   pending   nothing issued yet (no status.serialNumber or notAfter)
//   expired   notAfter <= now
//   renewing  Issuing=True: an issuance is due and has not succeeded yet
//   expiring  status.renewalTime <= now but no renewal under way; with no renewal time
//             (auto-renew off), less than a third of notBefore..notAfter is left
//   active    none of the above
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/certificate.h"
#include "args.h"
#include "status_view.h"

namespace certplane::plugin {

enum class CertificateState { kActive, kRenewing, kExpiring, kExpired, kRevoking, kRevoked, kPending };

// "active", "renewing", ...: the words the table, JSON and YAML print.
std::string_view StateName(CertificateState state);

CertificateState Classify(const api::Certificate& certificate, api::Time now);

struct InventoryRow {
  std::string ns;
  std::string name;
  std::string uid;
  std::string profile;
  std::string ca;          // status.caName: the CA that issued the current serial
  std::string serial;      // status.serialNumber, lower-case hex
  std::string secret;      // spec.secretName; empty with spec.csr
  std::string enrollment;  // "csr" (spec.csr) or "acme" (spec.csr and spec.acme); empty: a Secret
  std::optional<api::Time> not_before;
  std::optional<api::Time> not_after;
  std::optional<api::Time> renewal_time;
  std::string ready;         // the Ready condition's status ("True", "False", "Unknown"), or ""
  std::string ready_reason;  // and its reason
  std::optional<api::RevocationReason> revocation_reason;  // status, else spec (revoking)
  std::optional<api::Time> revoked_at;
  CertificateState state = CertificateState::kPending;
  std::vector<SyncView> syncs;  // the CertificateSyncs' entries for it (AttachSyncs)
  bool syncs_unknown = false;   // the CertificateSyncs could not be listed
};

InventoryRow MakeRow(const api::Certificate& certificate, api::Time now);

// All set fields must match (AND).
struct InventoryFilter {
  std::string profile;                                  // spec.profileRef.name equals it
  std::optional<std::chrono::seconds> expiring_within;  // notAfter <= now + it (expired ones too)
  bool revoked_only = false;                            // state revoked or revoking
};

bool Matches(const InventoryRow& row, const InventoryFilter& filter, api::Time now);

// The rows of the certificates that match, sorted by namespace, then name.
std::vector<InventoryRow> BuildInventory(const std::vector<api::Certificate>& certificates,
                                         const InventoryFilter& filter, api::Time now);

// Gives each row the views of `syncs` about it (same namespace and name, and uid when
// both have one). With `syncs.error` set every row is marked syncs_unknown instead.
void AttachSyncs(std::vector<InventoryRow>& rows, const SyncListing& syncs);

// The SYNCED column: "-" when no CertificateSync has an entry for the certificate, "?"
// when they could not be listed, else "<synced>/<entries>", where an entry is synced when
// its synced is "True" and its serial is the certificate's current serial.
std::string SyncedCount(const InventoryRow& row);

// {"items": [{"namespace", "name", "profile", "state", "secretName", and when set "ca",
// "serialNumber", "notBefore", "notAfter", "renewalTime", "ready", "readyReason",
// "revocationReason", "revokedAt"}, "syncs": [{"sync", "destination", "synced", and when
// set "id", "serial"}]]}; "syncs" is absent when the CertificateSyncs could not be
// listed. Times are RFC 3339.
nlohmann::json InventoryJson(const std::vector<InventoryRow>& rows);

// The table (NAMESPACE NAME PROFILE CA SERIAL NOT AFTER STATE; wide adds SECRET, NOT
// BEFORE, RENEWAL, READY, REASON, REVOCATION and SYNCED), the JSON above (indented), or
// the same as YAML. Absent values print as <none> in tables.
std::string RenderInventory(const std::vector<InventoryRow>& rows, OutputFormat format);

}  // namespace certplane::plugin
