#include "kube/watch.h"

#include <cpprest/http_client.h>
#include <cpprest/producerconsumerstream.h>

#include "kube/logging.h"

namespace certplane::kube {

namespace http = web::http;

std::string_view WatchEventTypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded: return "ADDED";
    case WatchEventType::kModified: return "MODIFIED";
    case WatchEventType::kDeleted: return "DELETED";
    case WatchEventType::kBookmark: return "BOOKMARK";
  }
  return "UNKNOWN";
}

Result<WatchEvent> ParseWatchLine(std::string_view line) {
  nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return Internal("watch: an event line is not JSON");
  auto type = parsed.find("type");
  auto object = parsed.find("object");
  if (type == parsed.end() || !type->is_string() || object == parsed.end()) {
    return Internal("watch: an event lacks type or object");
  }
  const std::string& t = type->get_ref<const std::string&>();
  WatchEvent event{WatchEventType::kAdded, {}};
  if (t == "ADDED") {
    event.type = WatchEventType::kAdded;
  } else if (t == "MODIFIED") {
    event.type = WatchEventType::kModified;
  } else if (t == "DELETED") {
    event.type = WatchEventType::kDeleted;
  } else if (t == "BOOKMARK") {
    event.type = WatchEventType::kBookmark;
  } else if (t == "ERROR") {
    return ApiErrorFromStatusObject(*object).ToStatus().WithContext("watch");
  } else {
    return Internal("watch: unknown event type " + t);
  }
  event.object = std::move(*object);
  return event;
}

Status WatchOnce(Client& client, const GroupVersionResource& gvr, const std::string& ns, const WatchOptions& options,
                 const WatchHandler& handler, std::stop_token stop) {
  const std::string what = "watch " + gvr.Name() + (ns.empty() ? "" : " in " + ns);
  if (stop.stop_requested()) return Cancelled(what + ": stopped");
  client.WaitForRateLimit();

  std::vector<std::pair<std::string, std::string>> query = {{"watch", "true"}};
  if (!options.resource_version.empty()) query.emplace_back("resourceVersion", options.resource_version);
  if (!options.label_selector.empty()) query.emplace_back("labelSelector", options.label_selector);
  if (!options.field_selector.empty()) query.emplace_back("fieldSelector", options.field_selector);
  if (options.allow_bookmarks) query.emplace_back("allowWatchBookmarks", "true");
  if (options.send_initial_events) {
    query.emplace_back("sendInitialEvents", "true");
    query.emplace_back("resourceVersionMatch", "NotOlderThan");
  }
  query.emplace_back("timeoutSeconds", std::to_string(options.timeout.count()));

  pplx::cancellation_token_source cancel;
  std::stop_callback on_stop(stop, [&cancel] { cancel.cancel(); });
  try {
    // Its own client, hence its own connection, with an idle timeout above the
    // server-side one.
    auto http_client = client.NewDedicatedHttpClient(options.timeout + std::chrono::seconds(30));
    http::http_request req(http::methods::GET);
    req.set_request_uri(web::uri(Client::Path(gvr, ns) + EncodeQuery(query)));
    req.headers().add("Accept", options.metadata_only
                                    ? "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"
                                    : "application/json");
    req.headers().add("User-Agent", client.options().user_agent);
    if (std::string auth = client.AuthorizationHeader(); !auth.empty()) req.headers().add("Authorization", auth);

    http::http_response response = http_client->request(req, cancel.get_token()).get();
    int code = response.status_code();
    if (code < 200 || code >= 300) {
      std::string body = response.extract_utf8string(true).get();
      std::string retry_after;
      if (auto it = response.headers().find("Retry-After"); it != response.headers().end()) retry_after = it->second;
      return ApiErrorFromResponse(code, body, retry_after).ToStatus().WithContext(what);
    }

    auto buffer = response.body().streambuf();
    LineSplitter splitter;
    auto on_line = [&](std::string_view line) -> Status {
      if (line.empty()) return Status::Ok();
      Result<WatchEvent> event = ParseWatchLine(line);
      if (!event.ok()) return event.status();
      return handler(std::move(event).value());
    };
    char chunk[16 * 1024];
    while (true) {
      size_t available = buffer.in_avail();
      if (available == 0) {
        // Block until at least one byte arrives or the stream ends.
        auto c = buffer.bumpc().get();
        if (c == concurrency::streams::streambuf<uint8_t>::traits::eof()) break;
        char one = static_cast<char>(c);
        Status s = splitter.Feed(std::string_view(&one, 1), on_line);
        if (!s.ok()) return s;
        continue;
      }
      size_t n = buffer.getn(reinterpret_cast<uint8_t*>(chunk), std::min(available, sizeof chunk)).get();
      if (n == 0) continue;
      Status s = splitter.Feed(std::string_view(chunk, n), on_line);
      if (!s.ok()) return s;
    }
    if (stop.stop_requested()) return Cancelled(what + ": stopped");
    return Status::Ok();
  } catch (const std::exception& e) {
    if (stop.stop_requested()) return Cancelled(what + ": stopped");
    if (const auto* he = dynamic_cast<const http::http_exception*>(&e);
        he != nullptr && he->error_code() == std::errc::timed_out) {
      return DeadlineExceeded(what + ": no data within the client timeout");
    }
    return Unavailable(what + ": " + e.what());
  }
}

}  // namespace certplane::kube
