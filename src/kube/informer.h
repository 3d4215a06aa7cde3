// Informer<T>: list+watch of one resource into a typed Store<T>, with event handlers
// and a has-synced barrier. T is a trimmed struct with an `ObjectMeta metadata`
// member (or an ObjectId, when its readers need only the key), decoded from JSON by a
// function the caller supplies (default: T's nlohmann from_json). The cache never
// holds JSON.
//
//   InformerOptions<Certificate> options;
//   options.resource = kCertificates;
//   options.decode = DecodeCertificate;   // JSON -> trimmed struct
//   options.indexers["profile"] = [](const Certificate& c) { return std::vector{c.spec.profile_ref}; };
//   Informer<Certificate> certs(client, options);
//   certs.AddEventHandler(EnqueueHandler<Certificate>(controller.queue()));
//   certs.Start();
//   if (!certs.WaitForSync(std::chrono::minutes(2))) { ... }
//   std::shared_ptr<const Certificate> c = certs.store().Get("shop/frontend");
//
// Secrets without their data: resource = kSecrets, metadata_only = true and
// T = PartialObjectMetadata asks the server for PartialObjectMetadata, so Secret data
// never reaches the process.
//
// Handlers run on the informer's thread, in the order the events happened, after the
// store has been updated; they must be quick (enqueue a key) and must not block on
// the informer. A relist reports what changed while the watch was down: adds,
// updates of objects whose resourceVersion moved, and deletes of objects that are gone.
#pragma once

#include <chrono>
#include <concepts>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/mutex.h"
#include "base/result.h"
#include "kube/logging.h"
#include "kube/object_meta.h"
#include "kube/reflector.h"
#include "kube/rest_client.h"
#include "kube/store.h"
#include "kube/work_queue.h"

namespace certplane::kube {

// T's `metadata` is an ObjectMeta or an ObjectId (object_meta.h).
template <typename T>
concept HasObjectMeta = requires(const T& t) {
  { ObjectKey(t.metadata) } -> std::same_as<std::string>;
  { t.metadata.resource_version } -> std::convertible_to<const std::string&>;
};

template <typename T>
Result<T> DecodeWithFromJson(const nlohmann::json& j) {
  try {
    return j.get<T>();
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string("decoding: ") + e.what());
  }
}

template <HasObjectMeta T>
struct InformerOptions {
  GroupVersionResource resource;
  std::string ns;  // empty: all namespaces
  std::string label_selector;
  std::string field_selector;
  bool metadata_only = false;
  // JSON -> T; keep only what the controllers read. Default: T's from_json.
  std::function<Result<T>(const nlohmann::json&)> decode;
  std::map<std::string, IndexFunc<T>> indexers;
  // Optional: keep every object packed and unpack it on each read (store.h), for
  // kinds with many objects; both functions or neither.
  StoreCodec<T> codec;
  std::string name;  // for logs; default: the resource name
  int64_t page_size = 500;
  std::chrono::seconds min_watch_timeout{300};
  Duration max_backoff = std::chrono::seconds(30);
};

template <HasObjectMeta T>
struct EventHandlers {
  std::function<void(const std::shared_ptr<const T>&)> on_add;
  std::function<void(const std::shared_ptr<const T>& old_obj, const std::shared_ptr<const T>& new_obj)> on_update;
  std::function<void(const std::shared_ptr<const T>&)> on_delete;
};

template <HasObjectMeta T>
class Informer final : private ReflectorSink {
 public:
  using Ptr = std::shared_ptr<const T>;

  Informer(std::shared_ptr<Client> client, InformerOptions<T> options)
      : options_(std::move(options)),
        store_(options_.indexers, options_.codec),
        reflector_(std::move(client), ReflectorOptionsFor(options_), *this) {
    // The default decoder exists only for types with a from_json; types decoded by a
    // function of their own (the certplane kinds) need not have one.
    if constexpr (requires(const nlohmann::json& j) { j.get<T>(); }) {
      if (!options_.decode) options_.decode = DecodeWithFromJson<T>;
    }
  }
  ~Informer() override { Stop(); }
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Adds handlers. Added after Start, they first receive every cached object as an add.
  void AddEventHandler(EventHandlers<T> handlers) EXCLUDES(handlers_mu_) {
    MutexLock lock(handlers_mu_);
    if (HasSynced()) {  // EndList marks synced under handlers_mu_, so this is consistent
      for (const auto& obj : store_.List()) {
        if (handlers.on_add) handlers.on_add(obj);
      }
    }
    handlers_.push_back(std::move(handlers));
  }

  // Starts listing and watching on the informer's own thread.
  void Start() {
    if (thread_.joinable()) return;
    thread_ = std::jthread([this](std::stop_token stop) { reflector_.Run(stop); });
  }

  // Stops the watch and joins the thread. The store keeps its content.
  void Stop() {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    thread_.join();
  }

  // True once the first list has been stored.
  bool HasSynced() const EXCLUDES(sync_mu_) {
    MutexLock lock(sync_mu_);
    return synced_;
  }

  // Waits until HasSynced() or the timeout; returns HasSynced().
  bool WaitForSync(Duration timeout) const EXCLUDES(sync_mu_) {
    MutexLock lock(sync_mu_);
    return sync_cv_.wait_for(lock.native(), timeout, [this]() REQUIRES(sync_mu_) { return synced_; });
  }

  const Store<T>& store() const { return store_; }
  std::string LastSyncResourceVersion() const { return reflector_.LastSyncResourceVersion(); }
  ReflectorStats stats() const { return reflector_.stats(); }

 private:
  static ReflectorOptions ReflectorOptionsFor(const InformerOptions<T>& o) {
    ReflectorOptions r;
    r.name = o.name.empty() ? o.resource.Name() : o.name;
    r.resource = o.resource;
    r.ns = o.ns;
    r.label_selector = o.label_selector;
    r.field_selector = o.field_selector;
    r.metadata_only = o.metadata_only;
    r.page_size = o.page_size;
    r.min_watch_timeout = o.min_watch_timeout;
    r.max_backoff = o.max_backoff;
    return r;
  }

  static std::string KeyOf(const T& obj) { return ObjectKey(obj.metadata); }

  Ptr Decode(const nlohmann::json& object) {
    Result<T> decoded = options_.decode(object);
    if (!decoded.ok()) {
      Logger("kube.informer")
          ->warn("skipping an object that does not decode informer={} error=\"{}\"",
                 options_.name.empty() ? options_.resource.Name() : options_.name, decoded.status().ToString());
      return nullptr;
    }
    return std::make_shared<const T>(std::move(decoded).value());
  }

  // ReflectorSink: called on the informer's thread only.
  void BeginList() override { staged_.clear(); }

  void ListItem(nlohmann::json&& object) override {
    Ptr obj = Decode(object);
    object = nullptr;  // free the JSON now
    if (!obj) return;
    std::string key = KeyOf(*obj);
    staged_.try_emplace(std::move(key), store_.Hold(std::move(obj)));  // packed now, with a codec
  }

  void AbortList() override { staged_.clear(); }

  void EndList(const std::string&) override EXCLUDES(handlers_mu_, sync_mu_) {
    std::vector<std::string> keys;
    keys.reserve(staged_.size());
    for (const auto& [key, stored] : staged_) keys.push_back(key);
    MutexLock lock(handlers_mu_);
    auto previous = store_.Replace(std::move(staged_));
    staged_.clear();
    // Only this thread writes the store, so it holds exactly the list now.
    for (const std::string& key : keys) {
      auto old = previous.find(key);
      if (old == previous.end()) {
        if (handlers_.empty()) continue;
        Ptr obj = store_.Get(key);
        for (auto& h : handlers_) {
          if (h.on_add) h.on_add(obj);
        }
        continue;
      }
      Ptr old_obj = store_.Open(old->second);
      Ptr obj = store_.Get(key);
      if (old_obj->metadata.resource_version == obj->metadata.resource_version) continue;
      for (auto& h : handlers_) {
        if (h.on_update) h.on_update(old_obj, obj);
      }
    }
    for (const auto& [key, old] : previous) {
      if (store_.Contains(key) || handlers_.empty()) continue;
      Ptr old_obj = store_.Open(old);
      for (auto& h : handlers_) {
        if (h.on_delete) h.on_delete(old_obj);
      }
    }
    // Marked synced while handlers_mu_ is held, so a handler added concurrently either
    // got these events or replays the store.
    MutexLock sync_lock(sync_mu_);
    synced_ = true;
    sync_cv_.notify_all();
  }

  void Event(WatchEventType type, nlohmann::json&& object) override EXCLUDES(handlers_mu_) {
    Ptr obj = Decode(object);
    object = nullptr;
    if (!obj) return;
    std::string key = KeyOf(*obj);
    MutexLock lock(handlers_mu_);
    if (type == WatchEventType::kDeleted) {
      Ptr old = store_.Remove(key);
      for (auto& h : handlers_) {
        if (h.on_delete) h.on_delete(old ? old : obj);
      }
      return;
    }
    Ptr old = store_.Upsert(key, obj);
    for (auto& h : handlers_) {
      if (old && h.on_update) h.on_update(old, obj);
      if (!old && h.on_add) h.on_add(obj);
    }
  }

  InformerOptions<T> options_;
  Store<T> store_;
  Reflector reflector_;
  // The list in progress, as the store keeps it; informer thread only.
  std::unordered_map<std::string, typename Store<T>::Stored> staged_;

  Mutex handlers_mu_;  // held while handlers run, so AddEventHandler sees a consistent point
  std::vector<EventHandlers<T>> handlers_ GUARDED_BY(handlers_mu_);

  // Taken under handlers_mu_ (EndList, AddEventHandler), never the other way round.
  mutable Mutex sync_mu_ ACQUIRED_AFTER(handlers_mu_);
  mutable std::condition_variable sync_cv_;
  bool synced_ GUARDED_BY(sync_mu_) = false;

  std::jthread thread_;  // last: stopped and joined before the rest is destroyed
};

// Handlers that enqueue the object's key on every add, update and delete.
template <HasObjectMeta T>
EventHandlers<T> EnqueueHandler(WorkQueue& queue) {
  auto enqueue = [&queue](const std::shared_ptr<const T>& obj) { queue.Add(ObjectKey(obj->metadata)); };
  EventHandlers<T> h;
  h.on_add = enqueue;
  h.on_update = [enqueue](const std::shared_ptr<const T>&, const std::shared_ptr<const T>& obj) { enqueue(obj); };
  h.on_delete = enqueue;
  return h;
}

}  // namespace certplane::kube
