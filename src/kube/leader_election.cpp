#include "kube/leader_election.h"

#include <condition_variable>
#include <ctime>
#include <random>
#include <thread>

#include "kube/logging.h"
#include "kube/resource.h"

namespace certplane::kube {
namespace {

bool SameRecord(const Lease& a, const Lease& b) {
  return a.holder_identity == b.holder_identity && a.lease_duration_seconds == b.lease_duration_seconds &&
         a.acquire_time == b.acquire_time && a.renew_time == b.renew_time && a.lease_transitions == b.lease_transitions;
}

}  // namespace

std::string FormatMicroTime(std::chrono::system_clock::time_point t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(micros % 1000000));
  return buf;
}

Status ValidateLeaderElectionConfig(const LeaderElectionConfig& c) {
  if (c.lease_name.empty() || c.lease_namespace.empty())
    return InvalidArgument("leader election: lease namespace and name are required");
  if (c.identity.empty()) return InvalidArgument("leader election: identity is required");
  if (c.retry_period <= Duration::zero()) return InvalidArgument("leader election: retry period must be positive");
  if (c.lease_duration <= c.renew_deadline) {
    return InvalidArgument("leader election: lease duration must be greater than the renew deadline");
  }
  if (c.renew_deadline <= c.retry_period * 6 / 5) {
    return InvalidArgument("leader election: renew deadline must be greater than 1.2 x the retry period");
  }
  return Status::Ok();
}

LeaderElector::LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config)
    : client_(std::move(client)), config_(std::move(config)), clock_(config_.clock ? config_.clock : SystemClock()) {}

std::string LeaderElector::ObservedLeader() const {
  std::lock_guard lock(mu_);
  return observed_ ? observed_->holder_identity : std::string();
}

bool LeaderElector::Sleep(Duration d, std::stop_token stop) {
  std::mutex mu;
  std::condition_variable cv;
  std::stop_callback wake(stop, [&] {
    std::lock_guard lock(mu);
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  clock_->WaitUntil(cv, lock, clock_->Now() + d, [&] { return stop.stop_requested(); });
  return !stop.stop_requested();
}

bool LeaderElector::TryAcquireOrRenew() {
  auto log = Logger("kube.leader");
  const auto wall_now = clock_->WallNow();
  const std::string now = FormatMicroTime(wall_now);
  const int32_t duration_seconds =
      static_cast<int32_t>(std::chrono::duration_cast<std::chrono::seconds>(config_.lease_duration).count());

  ApiResult<Lease> current = As<Lease>(client_->Get(kLeases, config_.lease_namespace, config_.lease_name));
  if (!current.ok() && current.status().code() != StatusCode::kNotFound) {
    log->warn("reading the lease failed lease={}/{} error=\"{}\"", config_.lease_namespace, config_.lease_name,
              current.status().ToString());
    return false;
  }
  Lease desired;
  desired.metadata.name = config_.lease_name;
  desired.metadata.ns = config_.lease_namespace;
  desired.holder_identity = config_.identity;
  desired.lease_duration_seconds = duration_seconds;
  desired.acquire_time = now;
  desired.renew_time = now;

  if (!current.ok()) {  // no lease yet: create it
    ApiResult<Lease> created = As<Lease>(client_->Create(kLeases, config_.lease_namespace, desired));
    if (!created.ok()) return false;
    std::lock_guard lock(mu_);
    observed_ = *created;
    observed_time_ = clock_->Now();
    return true;
  }

  const Lease& old = *current;
  std::string previous_holder;
  {
    std::lock_guard lock(mu_);
    previous_holder = observed_ ? observed_->holder_identity : "";
    if (!observed_ || !SameRecord(*observed_, old)) {
      observed_ = old;
      observed_time_ = clock_->Now();
    }
    Duration valid_for = std::chrono::seconds(old.lease_duration_seconds.value_or(0));
    if (!old.holder_identity.empty() && old.holder_identity != config_.identity &&
        observed_time_ + valid_for > clock_->Now()) {
      if (previous_holder != old.holder_identity && config_.on_new_leader) config_.on_new_leader(old.holder_identity);
      return false;  // held by another candidate and not expired
    }
  }
  if (old.holder_identity == config_.identity) {
    desired.acquire_time = old.acquire_time;
    desired.lease_transitions = old.lease_transitions;
  } else {
    desired.lease_transitions = old.lease_transitions + 1;
  }
  desired.metadata.resource_version = old.metadata.resource_version;  // conditional write
  ApiResult<Lease> updated = As<Lease>(client_->Update(kLeases, config_.lease_namespace, desired));
  if (!updated.ok()) {
    if (updated.status().code() != StatusCode::kConflict) {
      log->warn("updating the lease failed lease={}/{} error=\"{}\"", config_.lease_namespace, config_.lease_name,
                updated.status().ToString());
    }
    return false;
  }
  std::lock_guard lock(mu_);
  observed_ = *updated;
  observed_time_ = clock_->Now();
  return true;
}

void LeaderElector::Release() {
  auto log = Logger("kube.leader");
  ApiResult<Lease> current = As<Lease>(client_->Get(kLeases, config_.lease_namespace, config_.lease_name));
  if (!current.ok() || current->holder_identity != config_.identity) return;
  Lease released = *current;
  const std::string now = FormatMicroTime(clock_->WallNow());
  released.holder_identity.clear();
  released.lease_duration_seconds = 1;
  released.acquire_time = now;
  released.renew_time = now;
  ApiResult<nlohmann::json> result = client_->Update(kLeases, config_.lease_namespace, released);
  if (result.ok()) {
    log->info("released the lease lease={}/{} identity={}", config_.lease_namespace, config_.lease_name,
              config_.identity);
  } else {
    log->warn("releasing the lease failed lease={}/{} error=\"{}\"", config_.lease_namespace, config_.lease_name,
              result.status().ToString());
  }
}

Status LeaderElector::Run(std::stop_token stop) {
  CERTPLANE_RETURN_IF_ERROR(ValidateLeaderElectionConfig(config_));
  auto log = Logger("kube.leader");
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(1.0, 1.2);
  auto jittered = [&] { return std::chrono::duration_cast<Duration>(config_.retry_period * jitter(rng)); };

  log->info("campaigning lease={}/{} identity={}", config_.lease_namespace, config_.lease_name, config_.identity);
  // A renewal counts from when its attempt began: the fence must close no later than
  // the other candidates could see the lease as expired.
  TimePoint attempt = clock_->Now();
  while (!TryAcquireOrRenew()) {
    if (!Sleep(jittered(), stop)) return Status::Ok();
    attempt = clock_->Now();
  }
  if (config_.fence) config_.fence->ExtendUntil(attempt + config_.renew_deadline);
  leading_ = true;
  log->info("started leading lease={}/{} identity={}", config_.lease_namespace, config_.lease_name, config_.identity);
  if (config_.on_new_leader) config_.on_new_leader(config_.identity);

  std::stop_source leading;
  std::thread worker;
  if (config_.on_started_leading) {
    worker = std::thread([this, token = leading.get_token()] { config_.on_started_leading(token); });
  }

  Status ended = Status::Ok();
  TimePoint last_renew = attempt;
  while (Sleep(config_.retry_period, stop)) {
    attempt = clock_->Now();
    if (TryAcquireOrRenew()) {
      last_renew = attempt;
      if (config_.fence) config_.fence->ExtendUntil(attempt + config_.renew_deadline);
      continue;
    }
    if (clock_->Now() - last_renew >= config_.renew_deadline) {
      // Writes stop before the workers are even told: what they still have in hand
      // must not reach the API server under a lease another replica may now hold.
      if (config_.fence) config_.fence->Close();
      ended = Unavailable("leader election: could not renew the lease within the renew deadline");
      log->error("lost the lease lease={}/{} identity={}", config_.lease_namespace, config_.lease_name,
                 config_.identity);
      break;
    }
  }
  leading.request_stop();
  if (worker.joinable()) worker.join();
  // A clean stop lets the workers finish their writes first; then nothing more is written.
  if (config_.fence) config_.fence->Close();
  if (stop.stop_requested() && config_.release_on_cancel) Release();
  leading_ = false;
  log->info("stopped leading lease={}/{} identity={}", config_.lease_namespace, config_.lease_name, config_.identity);
  if (config_.on_stopped_leading) config_.on_stopped_leading();
  return ended;
}

}  // namespace certplane::kube
