// Condition helpers, with the Kubernetes rule that lastTransitionTime moves only when
// the status does (meta.SetStatusCondition in apimachinery).
//
//   bool changed = SetCondition(cert.status.conditions,
//                               {.type = std::string(kConditionReady),
//                                .status = ConditionStatus::kFalse,
//                                .reason = "PolicyViolation",
//                                .message = "spec.dnsNames[1] ...",
//                                .observed_generation = cert.metadata.generation},
//                               now);
//   if (changed) WriteStatus(...);   // nothing to write when nothing changed
#pragma once

#include <string_view>
#include <vector>

#include "api/meta.h"
#include "api/time.h"

namespace certplane::api {

// Condition types of the certplane kinds.
inline constexpr std::string_view kConditionReady = "Ready";      // usable: issued and valid / able to issue
inline constexpr std::string_view kConditionIssuing = "Issuing";  // a new revision is being issued
inline constexpr std::string_view kConditionRevoked = "Revoked";  // the current serial is on the CRL

// A condition with the given fields and no transition time (SetCondition sets it).
Condition MakeCondition(std::string_view type, ConditionStatus status, std::string_view reason, std::string message,
                        std::int64_t observed_generation);

// Sets `condition` in `conditions`, replacing the one of the same type. The transition
// time is `now` when the type is new or its status changed, and kept otherwise; reason,
// message and observedGeneration always take the new values. Returns whether anything
// changed, so callers can skip a status write that would change nothing.
bool SetCondition(std::vector<Condition>& conditions, Condition condition, Time now);

// Removes the condition of that type; returns whether there was one.
bool RemoveCondition(std::vector<Condition>& conditions, std::string_view type);

// The condition of that type, or nullptr.
const Condition* FindCondition(const std::vector<Condition>& conditions, std::string_view type);

// Whether the condition of that type exists and is True.
bool IsConditionTrue(const std::vector<Condition>& conditions, std::string_view type);

}  // namespace certplane::api
