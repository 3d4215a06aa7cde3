// Reflector: keeps a sink (an informer's cache) in step with the API server by list
// then watch, with client-go's recovery rules:
//
// - List in pages (limit) for a consistent snapshot, then watch from the list's
//   resourceVersion with bookmarks, remembering the last resourceVersion seen.
// - When a watch ends normally (server timeout) or the connection drops, watch again
//   from the last resourceVersion: no relist, nothing missed.
// - On 410 Gone (the resourceVersion was compacted away) relist at once.
// - On errors back off exponentially (800 ms doubling to 30 s by default) before
//   trying again; a successful list or watch resets the backoff.
//
// The reflector is not a template: it hands JSON objects to a ReflectorSink, which
// decodes each into its typed, trimmed form at once, so at most one page of JSON is
// alive at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

#include <nlohmann/json.hpp>

#include "kube/clock.h"
#include "kube/resource.h"
#include "kube/rest_client.h"
#include "kube/watch.h"

namespace certplane::kube {

class ReflectorSink {
 public:
  virtual ~ReflectorSink() = default;
  // A (re)list begins; its items follow, then EndList with its resourceVersion, or
  // AbortList if it failed part way.
  virtual void BeginList() = 0;
  virtual void ListItem(nlohmann::json&& object) = 0;
  virtual void EndList(const std::string& resource_version) = 0;
  virtual void AbortList() = 0;
  // A watch event (never a bookmark).
  virtual void Event(WatchEventType type, nlohmann::json&& object) = 0;
};

struct ReflectorOptions {
  std::string name;  // for logs
  GroupVersionResource resource;
  std::string ns;  // empty: all namespaces
  std::string label_selector;
  std::string field_selector;
  bool metadata_only = false;
  int64_t page_size = 500;
  std::chrono::seconds min_watch_timeout{300};  // each watch asks for [min, 2*min)
  Duration initial_backoff = std::chrono::milliseconds(800);
  Duration max_backoff = std::chrono::seconds(30);
};

struct ReflectorStats {
  uint64_t lists = 0;    // completed lists (the first one and every relist)
  uint64_t watches = 0;  // watch requests that ended
  uint64_t events = 0;   // watch events delivered to the sink
  uint64_t gone = 0;     // 410 Gone answers that caused a relist
  uint64_t errors = 0;   // failures that caused a backoff
};

class Reflector {
 public:
  Reflector(std::shared_ptr<Client> client, ReflectorOptions options, ReflectorSink& sink);

  // Lists and watches until `stop` is requested. Blocks.
  void Run(std::stop_token stop);

  // The last resourceVersion seen (from a list, an event or a bookmark).
  std::string LastSyncResourceVersion() const;
  ReflectorStats stats() const;

 private:
  Status ListAndWatch(std::stop_token stop);
  Status List(std::stop_token stop);
  // Sleeps the current backoff (or until stop) and doubles it.
  void BackOff(std::stop_token stop);
  void SetResourceVersion(const std::string& rv);

  const std::shared_ptr<Client> client_;
  const ReflectorOptions options_;
  ReflectorSink& sink_;
  Duration backoff_;  // used by the Run thread only

  mutable std::mutex mu_;
  std::string last_resource_version_;  // guarded by mu_
  ReflectorStats stats_;               // guarded by mu_
};

}  // namespace certplane::kube
