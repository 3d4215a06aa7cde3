// Watch: one streaming watch request, read incrementally, one JSON event per line.
//
//   WatchOptions options;
//   options.resource_version = rv;
//   Status end = WatchOnce(client, kConfigMaps, "shop", options,
//       [&](WatchEvent&& e) { handle(e); return Status::Ok(); }, stop_token);
//
// Each call opens its own HTTP connection, never shared with another call. The
// server ends the stream after `timeout` (timeoutSeconds); the client gives up if
// nothing, not even a bookmark, arrives for timeout + 30 s. Bookmarks are asked for
// (allowWatchBookmarks) and delivered as kBookmark events carrying only a
// resourceVersion.
//
// Returns OK when the server closed the stream normally (resume from the last
// resourceVersion), kGone when the resourceVersion is too old (HTTP 410 or an ERROR
// event with code 410: relist), kCancelled when `stop` was requested, and the mapped
// error otherwise. Resuming, relisting and backing off are the Reflector's job.
#pragma once

#include <chrono>
#include <functional>
#include <stop_token>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "kube/resource.h"
#include "kube/rest_client.h"

namespace certplane::kube {

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark };

std::string_view WatchEventTypeName(WatchEventType type);

struct WatchEvent {
  WatchEventType type;
  nlohmann::json object;
};

struct WatchOptions {
  std::string resource_version;  // where to start; empty = "now"
  std::string label_selector;
  std::string field_selector;
  bool allow_bookmarks = true;
  std::chrono::seconds timeout{300};  // server-side timeoutSeconds
  bool metadata_only = false;         // PartialObjectMetadata through the Accept header
  bool send_initial_events = false;   // start with the current objects, then a bookmark
};

// Called for each event in order. A non-OK Status ends the watch and is returned.
using WatchHandler = std::function<Status(WatchEvent&&)>;

Status WatchOnce(Client& client, const GroupVersionResource& gvr, const std::string& ns, const WatchOptions& options,
                 const WatchHandler& handler, std::stop_token stop = {});

// Splits a byte stream into lines; exposed for unit tests. Feed() calls `line` for
// each complete line, without its newline, and keeps the rest for the next call.
class LineSplitter {
 public:
  template <typename F>
  Status Feed(std::string_view bytes, F&& line) {
    size_t start = 0;
    while (true) {
      size_t nl = bytes.find('\n', start);
      if (nl == std::string_view::npos) break;
      if (pending_.empty()) {
        Status s = line(bytes.substr(start, nl - start));
        if (!s.ok()) return s;
      } else {
        pending_.append(bytes.substr(start, nl - start));
        Status s = line(std::string_view(pending_));
        pending_.clear();
        if (!s.ok()) return s;
      }
      start = nl + 1;
    }
    pending_.append(bytes.substr(start));
    return Status::Ok();
  }
  bool has_partial_line() const { return !pending_.empty(); }

 private:
  std::string pending_;
};

// Parses one line of a watch stream. An ERROR event becomes its mapped Status.
Result<WatchEvent> ParseWatchLine(std::string_view line);

}  // namespace certplane::kube
