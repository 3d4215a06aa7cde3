#include "kube/controller.h"

#include <exception>

#include "kube/logging.h"

namespace certplane::kube {

Request Request::FromKey(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return Request{"", key};
  return Request{key.substr(0, slash), key.substr(slash + 1)};
}

Controller::Controller(ControllerOptions options, ReconcileFunc reconcile)
    : name_(options.name), workers_(options.workers < 1 ? 1 : options.workers), reconcile_(std::move(reconcile)) {
  WorkQueueOptions qo;
  qo.name = options.name;
  qo.clock = std::move(options.clock);
  qo.rate_limiter = std::move(options.rate_limiter);
  queue_ = std::make_unique<WorkQueue>(std::move(qo));
}

Controller::~Controller() { Stop(); }

void Controller::Start() {
  Logger("kube.controller")->info("starting controller={} workers={}", name_, workers_);
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { Work(); });
}

void Controller::Stop() {
  if (threads_.empty()) {
    queue_->ShutDown();
    return;
  }
  // Each worker finishes the key it holds and no other: the queue can hold every
  // object (100,000 due for renewal), and a stopping pod has a 30-second grace period,
  // a demoted leader none. The next start lists everything and queues it again.
  queue_->Abandon();
  for (auto& t : threads_) t.join();
  threads_.clear();
  Logger("kube.controller")->info("stopped controller={}", name_);
}

void Controller::Work() {
  while (auto key = queue_->Get()) {
    ProcessKey(*key);
    queue_->Done(*key);
  }
}

void Controller::ProcessKey(const std::string& key) {
  auto log = Logger("kube.controller");
  std::optional<ReconcileResult> result;
  try {
    result = reconcile_(Request::FromKey(key));
  } catch (const std::exception& e) {
    result = ReconcileResult::Retry(Internal(std::string("reconciler threw: ") + e.what()));
  } catch (...) {
    result = ReconcileResult::Retry(Internal("reconciler threw a non-standard exception"));
  }
  switch (result->kind()) {
    case ReconcileResult::Kind::kDone: queue_->Forget(key); break;
    case ReconcileResult::Kind::kAfter:
      queue_->Forget(key);
      queue_->AddAfter(key, result->requeue_after());
      break;
    case ReconcileResult::Kind::kRetry:
      log->warn("reconcile failed controller={} key={} requeues={} error=\"{}\"", name_, key, queue_->NumRequeues(key),
                result->status().ToString());
      queue_->AddRateLimited(key);
      break;
    case ReconcileResult::Kind::kTerminal:
      log->error("reconcile failed terminally controller={} key={} error=\"{}\"", name_, key,
                 result->status().ToString());
      queue_->Forget(key);
      break;
  }
}

}  // namespace certplane::kube
