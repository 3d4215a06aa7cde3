#include "kube/event_correlator.h"

#include "base/random_suffix.h"

namespace certplane::kube {
namespace {

std::string ObjectIdentity(const ObjectReference& ref) {
  if (!ref.uid.empty()) return ref.uid;
  return ref.api_version + "/" + ref.kind + "/" + ref.ns + "/" + ref.name;
}

}  // namespace

std::string_view EventTypeName(EventType type) { return type == EventType::kWarning ? "Warning" : "Normal"; }

EventCorrelator::EventCorrelator(EventCorrelatorOptions options, std::shared_ptr<Clock> clock)
    : options_(options), clock_(std::move(clock)) {}

CorrelatedEvent EventCorrelator::Observe(const EventRecord& record) {
  const TimePoint now = clock_->Now();
  const std::string object = ObjectIdentity(record.regarding);
  std::string identity = object;
  identity.append("\x1f").append(EventTypeName(record.type)).append("\x1f").append(record.reason);
  identity.append("\x1f").append(record.action).append("\x1f").append(record.note);

  CorrelatedEvent decision;
  auto it = series_.find(identity);
  bool repeat = it != series_.end() && now - it->second.last_seen < options_.series_window;
  if (!repeat) {
    if (it != series_.end()) {
      lru_.erase(it->second.lru);
      series_.erase(it);
    }
    lru_.push_front(identity);
    Series s;
    s.event_name = record.regarding.name + "." + RandomSuffix(10);
    s.lru = lru_.begin();
    it = series_.emplace(identity, std::move(s)).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  Series& series = it->second;
  series.count += 1;
  series.last_seen = now;
  decision.event_name = series.event_name;
  decision.count = series.count;

  auto& bucket = buckets_[object];
  if (!bucket) bucket = std::make_unique<TokenBucket>(options_.qps, options_.burst, clock_);
  if (!bucket->TryAccept()) {
    decision.action = CorrelatedEvent::Action::kSkip;
  } else {
    decision.action = series.count == 1 ? CorrelatedEvent::Action::kCreate : CorrelatedEvent::Action::kUpdateSeries;
  }

  // Forget the least recently seen events, and all object buckets when too many.
  while (series_.size() > options_.max_tracked) {
    series_.erase(lru_.back());
    lru_.pop_back();
  }
  if (buckets_.size() > options_.max_tracked) buckets_.clear();
  return decision;
}

}  // namespace certplane::kube
