// TtlCache: a small, bounded, thread-safe map whose entries expire a fixed time after
// they were put, for answers that may be reused for a few seconds (access reviews).
//
//   TtlCache<bool> decisions(std::chrono::seconds(10), 4096, SystemClock());
//   if (auto hit = decisions.Get(key)) return *hit;
//   decisions.Put(key, Ask());
//
// Every entry lives `ttl` after its last Put, so the oldest entry is always the first to
// expire: a full cache drops expired entries, then the oldest, before adding one.
// Time is read from the Clock (its monotonic Now), so tests move it by hand.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "kube/clock.h"

namespace certplane::kube {

template <typename V>
class TtlCache {
 public:
  // `max_entries` of 0 is treated as 1. `clock` must not be null.
  TtlCache(Duration ttl, std::size_t max_entries, std::shared_ptr<Clock> clock)
      : ttl_(ttl), max_entries_(max_entries == 0 ? 1 : max_entries), clock_(std::move(clock)) {}

  // The value put under `key` less than ttl ago; nullopt otherwise.
  std::optional<V> Get(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (clock_->Now() >= it->second.expires) {
      order_.erase(it->second.order);
      entries_.erase(it);
      return std::nullopt;
    }
    return it->second.value;
  }

  // Stores `value` under `key` for ttl from now, replacing any earlier value.
  void Put(const std::string& key, V value) {
    std::lock_guard lock(mu_);
    const TimePoint now = clock_->Now();
    if (auto it = entries_.find(key); it != entries_.end()) {
      order_.erase(it->second.order);
      entries_.erase(it);
    }
    // Oldest first: expired ones, then as many as it takes to make room.
    while (!order_.empty() && (entries_.size() >= max_entries_ || now >= entries_.at(order_.front()).expires)) {
      entries_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(key);
    entries_.emplace(key, Entry{std::move(value), now + ttl_, std::prev(order_.end())});
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
  }

 private:
  struct Entry {
    V value;
    TimePoint expires;
    std::list<std::string>::iterator order;
  };

  const Duration ttl_;
  const std::size_t max_entries_;
  const std::shared_ptr<Clock> clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
  std::list<std::string> order_;                    // guarded by mu_; keys, oldest Put first
};

}  // namespace certplane::kube
