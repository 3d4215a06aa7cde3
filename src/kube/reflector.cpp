#include "kube/reflector.h"

#include <algorithm>
#include <condition_variable>
#include <random>

#include "kube/logging.h"

namespace certplane::kube {
namespace {

std::string ResourceVersionOf(const nlohmann::json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return {};
  return meta->value("resourceVersion", "");
}

bool ResumableWatchError(StatusCode code) {
  return code == StatusCode::kUnavailable || code == StatusCode::kResourceExhausted ||
         code == StatusCode::kDeadlineExceeded;
}

}  // namespace

Reflector::Reflector(std::shared_ptr<Client> client, ReflectorOptions options, ReflectorSink& sink)
    : client_(std::move(client)), options_(std::move(options)), sink_(sink), backoff_(options_.initial_backoff) {}

std::string Reflector::LastSyncResourceVersion() const {
  std::lock_guard lock(mu_);
  return last_resource_version_;
}

ReflectorStats Reflector::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Reflector::SetResourceVersion(const std::string& rv) {
  if (rv.empty()) return;
  std::lock_guard lock(mu_);
  last_resource_version_ = rv;
}

void Reflector::BackOff(std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, backoff_, [] { return false; });
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
}

void Reflector::Run(std::stop_token stop) {
  auto log = Logger("kube.reflector");
  log->info("starting reflector name={} resource={} namespace={}", options_.name, options_.resource.Name(),
            options_.ns.empty() ? "*" : options_.ns);
  while (!stop.stop_requested()) {
    Status s = ListAndWatch(stop);
    if (stop.stop_requested()) break;
    if (s.code() == StatusCode::kGone) {
      log->info("relisting name={} reason=\"{}\"", options_.name, s.message());
      std::lock_guard lock(mu_);
      ++stats_.gone;
      continue;
    }
    log->warn("list/watch failed name={} backoff_ms={} error=\"{}\"", options_.name,
              std::chrono::duration_cast<std::chrono::milliseconds>(backoff_).count(), s.ToString());
    {
      std::lock_guard lock(mu_);
      ++stats_.errors;
    }
    BackOff(stop);
  }
  log->info("stopped reflector name={}", options_.name);
}

Status Reflector::List(std::stop_token stop) {
  ListOptions list;
  list.label_selector = options_.label_selector;
  list.field_selector = options_.field_selector;
  list.limit = options_.page_size;
  list.metadata_only = options_.metadata_only;
  sink_.BeginList();
  ApiResult<std::string> rv = client_->ListEach(options_.resource, options_.ns, list, [&](nlohmann::json&& item) {
    if (stop.stop_requested()) return Cancelled("stopped");
    sink_.ListItem(std::move(item));
    return Status::Ok();
  });
  if (!rv.ok()) {
    sink_.AbortList();
    return rv.status().WithContext("list " + options_.resource.Name());
  }
  // Record the version before the sink marks the store synced: whoever WaitForSync
  // wakes must find LastSyncResourceVersion already set.
  SetResourceVersion(*rv);
  sink_.EndList(*rv);
  std::lock_guard lock(mu_);
  ++stats_.lists;
  return Status::Ok();
}

Status Reflector::ListAndWatch(std::stop_token stop) {
  CERTPLANE_RETURN_IF_ERROR(List(stop));
  backoff_ = options_.initial_backoff;
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(1.0, 2.0);
  auto log = Logger("kube.reflector");
  while (!stop.stop_requested()) {
    WatchOptions watch;
    watch.resource_version = LastSyncResourceVersion();
    watch.label_selector = options_.label_selector;
    watch.field_selector = options_.field_selector;
    watch.metadata_only = options_.metadata_only;
    watch.allow_bookmarks = true;
    watch.timeout = std::chrono::seconds(
        static_cast<int64_t>(static_cast<double>(options_.min_watch_timeout.count()) * jitter(rng)));
    uint64_t delivered = 0;
    const auto started = std::chrono::steady_clock::now();
    Status s = WatchOnce(
        *client_, options_.resource, options_.ns, watch,
        [&](WatchEvent&& event) {
          std::string rv = ResourceVersionOf(event.object);
          if (event.type != WatchEventType::kBookmark) {
            sink_.Event(event.type, std::move(event.object));
            ++delivered;
          }
          SetResourceVersion(rv);
          return Status::Ok();
        },
        stop);
    {
      std::lock_guard lock(mu_);
      ++stats_.watches;
      stats_.events += delivered;
    }
    if (s.ok() && delivered == 0 && std::chrono::steady_clock::now() - started < std::chrono::seconds(1)) {
      // Closed at once with nothing delivered: something between us and the server
      // is ending watches; back off rather than spin.
      s = Unavailable("watch " + options_.resource.Name() + ": closed within a second with no events");
    }
    if (s.ok()) {
      backoff_ = options_.initial_backoff;
      continue;  // the server ended the watch: resume from the last resourceVersion
    }
    if (s.code() == StatusCode::kCancelled || stop.stop_requested()) return Status::Ok();
    if (s.code() == StatusCode::kGone) return s;
    if (ResumableWatchError(s.code())) {
      if (delivered > 0) backoff_ = options_.initial_backoff;
      log->info("watch interrupted name={} resume_from={} backoff_ms={} error=\"{}\"", options_.name,
                LastSyncResourceVersion(), std::chrono::duration_cast<std::chrono::milliseconds>(backoff_).count(),
                s.ToString());
      {
        std::lock_guard lock(mu_);
        ++stats_.errors;
      }
      BackOff(stop);
      continue;
    }
    return s;
  }
  return Status::Ok();
}

}  // namespace certplane::kube
