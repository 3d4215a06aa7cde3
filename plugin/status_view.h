// `kubectl certplane status NAME`: one Certificate and its Events as text. Pure: the
// command fetches, this decodes and renders.
//
//   std::vector<EventView> events = DecodeEvents(event_list["items"]);
//   std::cout << RenderStatus(certificate, events, now);
//
// The text: a header of key facts (state, serial, validity, renewal time, revocation),
// then Conditions, Serial history (the current serial first, then status.history newest
// first) and Events (the most recent kMaxEvents, oldest first), each a table.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/certificate.h"
#include "api/certificate_authority.h"

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

// The status text. Events regarding another object with the same name (another uid)
// are left out. A non-empty `events_error` (the Events could not be listed) is shown in
// place of the Events table. With the issuing CA (`ca`, when it could be read), a
// "Revocation check" section says how a relying party checks this certificate: the CRL
// (its distribution point, the ConfigMap) and the OCSP responder, as openssl commands.
std::string RenderStatus(const api::Certificate& certificate, const std::vector<EventView>& events, api::Time now,
                         const std::string& events_error = {}, const api::CertificateAuthority* ca = nullptr);

}  // namespace certplane::plugin
