#include "kube/routine_events.h"

#include <algorithm>

namespace certplane::kube {

std::string RoutineEventSummarizer::Summary::Note(std::size_t max_bytes) const {
  std::string note = std::to_string(count) + " more " + reason + " events in " + std::to_string(interval.count()) +
                     "s (summarized, one Event per " + std::to_string(interval.count()) + "s)";
  // Names as long as they fit, the count of the rest always at the end.
  std::size_t listed = 0;
  std::string list;
  for (const auto& name : names) {
    const std::string tail = " and " + std::to_string(count - static_cast<std::int64_t>(listed) - 1) + " more";
    if (note.size() + 2 + list.size() + 2 + name.size() + tail.size() > max_bytes) break;
    list += (listed == 0 ? "" : ", ") + name;
    ++listed;
  }
  if (listed == 0) return note;
  note += ": " + list;
  if (static_cast<std::int64_t>(listed) < count) {
    note += " and " + std::to_string(count - static_cast<std::int64_t>(listed)) + " more";
  }
  return note;
}

RoutineEventSummarizer::Decision RoutineEventSummarizer::Observe(const std::string& key,
                                                                 const ObjectReference& summary_object,
                                                                 const std::string& reason, const std::string& action,
                                                                 const std::string& name,
                                                                 std::chrono::system_clock::time_point now) {
  auto [it, inserted] = keys_.try_emplace(key);
  Key& k = it->second;
  k.last_seen = now;  // before Forget, which never drops a key seen now
  if (inserted) {
    k.tokens = options_.burst;
    k.refilled = now;
    if (keys_.size() > options_.max_keys) Forget(now);
  }
  const double elapsed = std::chrono::duration<double>(now - k.refilled).count();
  if (elapsed > 0) {
    k.tokens = std::min<double>(options_.burst, k.tokens + elapsed * options_.per_second);
    k.refilled = now;
  }
  // While a summary is pending, everything joins it, so events never overtake it.
  if (!k.pending && k.tokens >= 1) {
    k.tokens -= 1;
    return Decision::kRecordNow;
  }
  if (!k.pending) {
    k.pending = Summary{.regarding = summary_object, .reason = reason, .action = action, .interval = options_.interval};
    k.due = now + options_.interval;
  }
  ++k.pending->count;
  if (k.pending->names.size() < options_.max_names) k.pending->names.push_back(name);
  return Decision::kSummarized;
}

std::vector<RoutineEventSummarizer::Summary> RoutineEventSummarizer::TakeDue(
    std::chrono::system_clock::time_point now) {
  std::vector<Summary> out;
  for (auto& [key, k] : keys_) {
    if (k.pending && k.due <= now) {
      out.push_back(std::move(*k.pending));
      k.pending.reset();
    }
  }
  return out;
}

std::optional<std::chrono::system_clock::time_point> RoutineEventSummarizer::NextDue() const {
  std::optional<std::chrono::system_clock::time_point> next;
  for (const auto& [key, k] : keys_) {
    if (k.pending && (!next || k.due < *next)) next = k.due;
  }
  return next;
}

void RoutineEventSummarizer::Forget(std::chrono::system_clock::time_point now) {
  // Drop the key idle longest that has nothing pending (a pending summary is owed).
  auto idlest = keys_.end();
  for (auto it = keys_.begin(); it != keys_.end(); ++it) {
    if (it->second.pending || it->second.last_seen == now) continue;
    if (idlest == keys_.end() || it->second.last_seen < idlest->second.last_seen) idlest = it;
  }
  if (idlest != keys_.end()) keys_.erase(idlest);
}

}  // namespace certplane::kube
