#include "kube/event_recorder.h"

#include <unistd.h>

#include "kube/leader_election.h"
#include "kube/logging.h"
#include "kube/resource.h"

namespace certplane::kube {
namespace {
constexpr size_t kMaxNote = 1024;
}  // namespace

EventRecorder::EventRecorder(std::shared_ptr<Client> client, EventRecorderOptions options)
    : client_(std::move(client)),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : SystemClock()),
      correlator_(options_.correlator, clock_),
      summarizer_(options_.routine) {
  instance_ = options_.reporting_instance;
  if (instance_.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0) instance_ = host;
  }
  thread_ = std::thread([this] { Loop(); });
}

EventRecorder::~EventRecorder() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  // Give what is queued a moment to be written, then drop the rest: shutdown must
  // not wait on an API server that is not answering.
  Flush(std::chrono::seconds(5));
  {
    std::lock_guard lock(mu_);
    abandon_ = true;
    stats_.dropped += queue_.size();
    queue_.clear();
    cv_.notify_all();
  }
  thread_.join();
}

void EventRecorder::Record(const ObjectReference& regarding, EventType type, std::string reason, std::string action,
                           std::string note) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  EnqueueLocked(EventRecord{regarding, type, std::move(reason), std::move(action), std::move(note)});
}

void EventRecorder::RecordRoutine(const ObjectReference& regarding, const ObjectReference& summary_object,
                                  std::string reason, std::string action, std::string note) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  const std::string key = summary_object.kind + "/" + summary_object.ns + "/" + summary_object.name + "/" + reason;
  const std::string name = regarding.ns.empty() ? regarding.name : regarding.ns + "/" + regarding.name;
  if (summarizer_.Observe(key, summary_object, reason, action, name, clock_->WallNow()) ==
      RoutineEventSummarizer::Decision::kSummarized) {
    ++stats_.summarized;
    cv_.notify_all();  // the loop may need to wake for a new due time
    return;
  }
  EnqueueLocked(EventRecord{regarding, EventType::kNormal, std::move(reason), std::move(action), std::move(note)});
}

void EventRecorder::EnqueueLocked(EventRecord record) {
  Pending p;
  p.record = std::move(record);
  p.decision = correlator_.Observe(p.record);
  p.at = clock_->WallNow();
  if (p.decision.action == CorrelatedEvent::Action::kSkip) {
    ++stats_.throttled;
    return;
  }
  if (queue_.size() >= options_.queue_size) {
    queue_.pop_front();
    ++stats_.dropped;
  }
  queue_.push_back(std::move(p));
  cv_.notify_all();
}

bool EventRecorder::Flush(Duration timeout) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_for(lock, timeout,
                           [this] { return queue_.empty() && !writing_ && !summarizer_.NextDue().has_value(); });
}

EventRecorder::Stats EventRecorder::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void EventRecorder::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    auto ready = [this] { return stopping_ || abandon_ || !queue_.empty(); };
    if (auto due = summarizer_.NextDue()) {
      cv_.wait_for(lock,
                   std::max<Duration>(std::chrono::duration_cast<Duration>(*due - clock_->WallNow()), Duration::zero()),
                   ready);
    } else {
      cv_.wait(lock, ready);
    }
    if (abandon_) break;
    // Summaries that are due, and on the way out every pending one.
    const auto now = stopping_ ? std::chrono::system_clock::time_point::max() : clock_->WallNow();
    for (auto& summary : summarizer_.TakeDue(now)) {
      std::string note = summary.Note();
      EnqueueLocked(
          EventRecord{summary.regarding, EventType::kNormal, summary.reason, summary.action, std::move(note)});
    }
    if (stopping_ && queue_.empty()) break;
    if (queue_.empty()) continue;
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    Write(p);
    lock.lock();
    writing_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
  idle_cv_.notify_all();
}

void EventRecorder::Write(const Pending& p) {
  auto log = Logger("kube.events");
  const ObjectReference& ref = p.record.regarding;
  const std::string ns = ref.ns.empty() ? "default" : ref.ns;
  const std::string when = FormatMicroTime(p.at);
  if (p.decision.action == CorrelatedEvent::Action::kUpdateSeries) {
    nlohmann::json patch = {{"series", {{"count", p.decision.count}, {"lastObservedTime", when}}}};
    ApiResult<nlohmann::json> r = client_->MergePatch(kEvents, ns, p.decision.event_name, patch);
    std::lock_guard lock(mu_);
    if (r.ok()) {
      ++stats_.series_updates;
      return;
    }
    if (r.status().code() != StatusCode::kNotFound) {
      ++stats_.failed;
      log->warn("updating an event series failed event={}/{} error=\"{}\"", ns, p.decision.event_name,
                r.status().ToString());
      return;
    }
    // The Event expired or was deleted: create it again below, carrying the count.
  }
  nlohmann::json regarding = {{"apiVersion", ref.api_version}, {"kind", ref.kind}, {"name", ref.name}};
  if (!ref.ns.empty()) regarding["namespace"] = ref.ns;
  if (!ref.uid.empty()) regarding["uid"] = ref.uid;
  nlohmann::json event = {
      {"apiVersion", "events.k8s.io/v1"},
      {"kind", "Event"},
      {"metadata", {{"name", p.decision.event_name}, {"namespace", ns}}},
      {"eventTime", when},
      {"reportingController", options_.reporting_controller},
      {"reportingInstance", instance_},
      {"action", p.record.action},
      {"reason", p.record.reason},
      {"regarding", regarding},
      {"note", p.record.note.substr(0, kMaxNote)},
      {"type", std::string(EventTypeName(p.record.type))},
  };
  if (p.decision.count > 1) event["series"] = {{"count", p.decision.count}, {"lastObservedTime", when}};
  ApiResult<nlohmann::json> r = client_->Create(kEvents, ns, event);
  std::lock_guard lock(mu_);
  if (r.ok()) {
    ++stats_.created;
  } else {
    ++stats_.failed;
    log->warn("writing an event failed event={}/{} reason={} error=\"{}\"", ns, p.decision.event_name, p.record.reason,
              r.status().ToString());
  }
}

}  // namespace certplane::kube
