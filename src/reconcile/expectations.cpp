#include "reconcile/expectations.h"

namespace certplane::reconcile {

void Expectations::Expect(const std::string& key, std::string token, TimePoint deadline) {
  std::lock_guard lock(mu_);
  expected_[key] = Expected{std::move(token), deadline};
}

bool Expectations::Pending(const std::string& key, const std::string& observed_token, TimePoint now) {
  std::lock_guard lock(mu_);
  auto it = expected_.find(key);
  if (it == expected_.end()) return false;
  if (observed_token == it->second.token || now >= it->second.deadline) {
    expected_.erase(it);
    return false;
  }
  return true;
}

void Expectations::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  expected_.erase(key);
}

}  // namespace certplane::reconcile
