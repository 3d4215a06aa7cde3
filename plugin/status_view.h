// `kubectl certplane status NAME`: one Certificate, where it is synced to, and its
// Events as text. Pure: the command fetches, this decodes and renders.
//
//   std::vector<EventView> events = DecodeEvents(event_list["items"]);
//   SyncListing syncs{.views = DecodeSyncViews(sync_list["items"], name, uid)};
//   std::cout << RenderStatus(certificate, events, now, {}, nullptr, syncs);
//
// The text: a header of key facts (state, serial, validity, renewal time, revocation),
// then Conditions, Serial history (the current serial first, then status.history newest
// first), Syncs (one row per CertificateSync that pushes it) and Events (the most recent
// kMaxEvents, oldest first), each a table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/certificate.h"
#include "api/certificate_authority.h"
#include "api/certificate_sync.h"

namespace certplane::plugin {

// One events.k8s.io/v1 Event, reduced to what status shows.
struct EventView {
  std::string type;  // Normal, Warning
  std::string reason;
  std::string note;  // the message (events.k8s.io note, or core/v1 message)
  std::string regarding_uid;
  int count = 1;                       // series.count (or deprecatedCount) when repeated
  std::optional<api::Time> last_seen;  // series.lastObservedTime, eventTime, deprecatedLastTimestamp, or creation
};

// Decodes an Event list's items, skipping entries it cannot read (events are best
// effort; a malformed one must not hide the rest).
std::vector<EventView> DecodeEvents(const nlohmann::json& items);

inline constexpr std::size_t kMaxEvents = 10;

// One CertificateSync's entry (status.certificates[]) for one Certificate, reduced to
// what status and inventory show.
struct SyncView {
  std::string sync;                // the CertificateSync's name
  std::string ns;                  // its namespace, that of the Certificates it pushes
  std::string destination;         // DestinationKind of its spec
  std::string certificate;         // the entry's name: the Certificate's
  std::string certificate_uid;     // and its uid, when the entry has one
  std::string destination_id;      // ARN, secret ARN, Key Vault certificate id; empty before the first push
  std::string serial;              // the serial at the destination
  std::string synced = "Unknown";  // "True", "False", "Unknown"
  std::string reason;
  std::string message;
  std::int32_t failed_attempts = 0;
  std::optional<api::Time> synced_at;
  std::optional<api::Time> next_attempt_time;
};

// The CertificateSyncs' entries for some Certificates, or why they could not be listed
// (forbidden, or the CertificateSync CRD is not installed).
struct SyncListing {
  std::vector<SyncView> views;
  std::string error;  // non-empty: the listing failed and `views` is empty
};

// "awsCertificateManager", "awsSecretsManager" or "azureKeyVault": the destination the
// spec sets (the CRD allows exactly one); "unknown" when none is (a newer kind).
std::string DestinationKind(const api::CertificateSyncSpec& spec);

// Decodes a CertificateSync list's items into one view per status.certificates entry,
// sorted by namespace, sync and certificate. Best effort, like DecodeEvents: a sync that
// is not an object or has no name, and an entry that is not an object or has no name,
// are skipped; a field of the wrong type reads as absent; a spec that does not decode
// gives destination "unknown".
std::vector<SyncView> DecodeSyncViews(const nlohmann::json& items);

// The same, only the entries for one Certificate of the list's namespace: by name, and
// by uid when both the entry and `uid` have one (an entry of a deleted namesake is left
// out).
std::vector<SyncView> DecodeSyncViews(const nlohmann::json& items, const std::string& certificate,
                                      const std::string& uid);

// Whether `view` is about this certificate (the matching rule above; `ns` is compared
// too when both are set).
bool SyncViewMatches(const SyncView& view, const std::string& ns, const std::string& name, const std::string& uid);

// The status text. Events regarding another object with the same name (another uid)
// are left out. A non-empty `events_error` (the Events could not be listed) is shown in
// place of the Events table. With the issuing CA (`ca`, when it could be read), a
// "Revocation check" section says how a relying party checks this certificate: the CRL
// (its distribution point, the ConfigMap) and the OCSP responder, as openssl commands.
// The Syncs section has a row per view of `syncs` about this certificate (SYNC,
// DESTINATION, ID, SERIAL, SYNCED, AT) and, under it, the message of each one not
// synced; `syncs.error` in its place when set.
std::string RenderStatus(const api::Certificate& certificate, const std::vector<EventView>& events, api::Time now,
                         const std::string& events_error = {}, const api::CertificateAuthority* ca = nullptr,
                         const SyncListing& syncs = {});

}  // namespace certplane::plugin
