// Expectations: what this controller has just written and its caches have not shown it
// yet (client-go's pattern, as the ReplicaSet controller uses it).
//
// After an issuance the Certificate's status update and the new Secret arrive through
// two watches, in either order. A reconcile triggered by the status update may find the
// Secret cache still without the new Secret; deciding on that stale view would sign the
// same revision again. So the reconciler records "revision N written" and, until the
// Secret cache shows revision N (or a deadline passes, say because someone deleted the
// Secret meanwhile), it waits instead of deciding. CAs do the same with the fingerprint
// of the certificate they wrote into their key Secret.
//
//   expectations.Expect(key, std::to_string(revision), now + 30s);
//   if (expectations.Pending(key, cached_revision, now)) return After(1s);
//
// Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace certplane::reconcile {

class Expectations {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // Records that `token` (a revision, a fingerprint) was written for `key` and should
  // appear in the cache by `deadline`.
  void Expect(const std::string& key, std::string token, TimePoint deadline);
  // True while the cache shows another token than the expected one and the deadline
  // has not passed; forgets the expectation once it is met or expired.
  bool Pending(const std::string& key, const std::string& observed_token, TimePoint now);
  void Forget(const std::string& key);

 private:
  struct Expected {
    std::string token;
    TimePoint deadline;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Expected> expected_;  // guarded by mu_
};

}  // namespace certplane::reconcile
