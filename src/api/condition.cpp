#include "api/condition.h"

#include <algorithm>
#include <utility>

namespace certplane::api {

Condition MakeCondition(std::string_view type, ConditionStatus status, std::string_view reason, std::string message,
                        std::int64_t observed_generation) {
  Condition c;
  c.type = std::string(type);
  c.status = status;
  c.reason = std::string(reason);
  c.message = std::move(message);
  c.observed_generation = observed_generation;
  return c;
}

bool SetCondition(std::vector<Condition>& conditions, Condition condition, Time now) {
  auto it =
      std::find_if(conditions.begin(), conditions.end(), [&](const Condition& c) { return c.type == condition.type; });
  if (it == conditions.end()) {
    condition.last_transition_time = now;
    conditions.push_back(std::move(condition));
    return true;
  }
  if (it->status != condition.status || !it->last_transition_time) {
    condition.last_transition_time = now;
  } else {
    condition.last_transition_time = it->last_transition_time;
  }
  if (*it == condition) return false;
  *it = std::move(condition);
  return true;
}

bool RemoveCondition(std::vector<Condition>& conditions, std::string_view type) {
  return std::erase_if(conditions, [&](const Condition& c) { return c.type == type; }) > 0;
}

const Condition* FindCondition(const std::vector<Condition>& conditions, std::string_view type) {
  for (const Condition& c : conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

bool IsConditionTrue(const std::vector<Condition>& conditions, std::string_view type) {
  const Condition* c = FindCondition(conditions, type);
  return c != nullptr && c->status == ConditionStatus::kTrue;
}

}  // namespace certplane::api
