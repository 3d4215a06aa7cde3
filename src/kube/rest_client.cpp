#include "kube/rest_client.h"

#include <sys/stat.h>

#include <condition_variable>
#include <fstream>
#include <sstream>
#include <system_error>

#include <cpprest/http_client.h>

#include "kube/logging.h"
#include "kube/tls.h"

namespace certplane::kube {
namespace {

namespace http = web::http;

bool Unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (Unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t start = 0;
  while (start < s.size() && (s[start] == ' ' || s[start] == '\t')) ++start;
  return s.substr(start);
}

Status TransportError(const std::exception& e, std::string_view what) {
  if (const auto* he = dynamic_cast<const http::http_exception*>(&e)) {
    if (he->error_code() == std::errc::timed_out) {
      return DeadlineExceeded(std::string(what) + ": timed out");
    }
    if (he->error_code() == std::errc::operation_canceled) {
      return Cancelled(std::string(what) + ": cancelled");
    }
  }
  return Unavailable(std::string(what) + ": " + e.what());
}

ApiResult<nlohmann::json> ParseJson(ApiResult<RawResponse> raw, std::string_view what) {
  if (!raw.ok()) return raw.ErrorAs<nlohmann::json>();
  nlohmann::json parsed = nlohmann::json::parse(raw->body, nullptr, false);
  if (parsed.is_discarded()) return Internal(std::string(what) + ": the response is not JSON");
  return parsed;
}

constexpr char kPartialObjectMetadataAccept[] =
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

void AddWriteQuery(RawRequest& req, const WriteOptions& options) {
  if (!options.field_manager.empty()) req.query.emplace_back("fieldManager", options.field_manager);
  if (options.dry_run) req.query.emplace_back("dryRun", "All");
  if (options.metadata_only) req.accept = kPartialObjectMetadataAccept;
}

}  // namespace

std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out;
  for (const auto& [k, v] : query) {
    out += out.empty() ? '?' : '&';
    out += PercentEncode(k);
    out += '=';
    out += PercentEncode(v);
  }
  return out;
}

Result<std::shared_ptr<Client>> Client::Create(ClusterConfig config, ClientOptions options) {
  std::shared_ptr<Client> client(new Client(std::move(config), std::move(options)));
  try {
    client->http_ = client->NewDedicatedHttpClient(client->options_.timeout);
  } catch (const std::exception& e) {
    return InvalidArgument("building the HTTP client for " + client->config_.server + ": " + e.what());
  }
  return client;
}

Client::Client(ClusterConfig config, ClientOptions options)
    : config_(std::move(config)),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : SystemClock()),
      bucket_(options_.qps, options_.burst, clock_) {}

Client::~Client() = default;

std::unique_ptr<http::client::http_client> Client::NewDedicatedHttpClient(std::chrono::seconds timeout) const {
  return std::make_unique<http::client::http_client>(
      web::uri(config_.server),
      MakeHttpClientConfig(config_, std::chrono::duration_cast<std::chrono::microseconds>(timeout)));
}

std::string Client::AuthorizationHeader() {
  if (!config_.token_file.empty()) {
    std::lock_guard lock(token_mu_);
    struct stat st {};
    if (::stat(config_.token_file.c_str(), &st) == 0) {
      // A rotated token is a new file (the kubelet swaps a symlink, which stat follows)
      // or new content: a new inode, modification time or size.
      const int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
      if (mtime_ns != token_file_mtime_ || st.st_size != token_file_size_ ||
          static_cast<uint64_t>(st.st_ino) != token_file_inode_) {
        std::ifstream in(config_.token_file);
        std::ostringstream text;
        text << in.rdbuf();
        if (in) {
          token_cache_ = Trim(text.str());
          token_file_mtime_ = mtime_ns;
          token_file_size_ = st.st_size;
          token_file_inode_ = static_cast<uint64_t>(st.st_ino);
          Logger("kube.config")->info("read the bearer token file path={}", config_.token_file);
        }
      }
    }
    if (!token_cache_.empty()) return "Bearer " + token_cache_;
  }
  if (!config_.bearer_token.empty()) return "Bearer " + std::string(config_.bearer_token.view());
  return {};
}

std::string Client::Path(const GroupVersionResource& gvr, const std::string& ns, const std::string& name,
                         const std::string& subresource) {
  std::string path = gvr.ApiPrefix();
  if (gvr.namespaced && !ns.empty()) path += "/namespaces/" + PercentEncode(ns);
  path += "/" + gvr.resource;
  if (!name.empty()) path += "/" + PercentEncode(name);
  if (!subresource.empty()) path += "/" + subresource;
  return path;
}

ApiResult<RawResponse> Client::SendOnce(const RawRequest& request, bool& sent) {
  sent = false;
  bucket_.Wait();
  // After the rate limiter: the wait there can be long, and what counts is whether the
  // write may go out now.
  if (options_.write_gate && request.method != "GET") {
    if (Status gate = options_.write_gate(); !gate.ok()) return gate.WithContext(request.method + " " + request.path);
  }
  sent = true;
  try {
    http::http_request req(request.method);
    req.set_request_uri(web::uri(request.path + EncodeQuery(request.query)));
    req.headers().add("Accept", request.accept);
    req.headers().add("User-Agent", options_.user_agent);
    if (std::string auth = AuthorizationHeader(); !auth.empty()) req.headers().add("Authorization", auth);
    if (request.body) req.set_body(*request.body, request.content_type);
    std::unique_ptr<http::client::http_client> dedicated;
    http::client::http_client* client = http_.get();
    if (request.timeout) {
      dedicated = NewDedicatedHttpClient(*request.timeout);
      client = dedicated.get();
    }
    http::http_response response = client->request(req).get();
    RawResponse out;
    out.http_status = response.status_code();
    out.body = response.extract_utf8string(true).get();
    if (out.http_status >= 200 && out.http_status < 300) return out;
    std::string retry_after;
    if (auto it = response.headers().find("Retry-After"); it != response.headers().end()) retry_after = it->second;
    return ApiErrorFromResponse(out.http_status, out.body, retry_after);
  } catch (const std::exception& e) {
    return TransportError(e, request.method + " " + request.path);
  }
}

ApiResult<RawResponse> Client::Raw(const RawRequest& request) {
  int attempts = 0;
  while (true) {
    ++attempts;
    bool sent = false;
    ApiResult<RawResponse> result = SendOnce(request, sent);
    if (!sent) return result;
    const ApiError* error = result.api_error();
    if (options_.on_response) {
      options_.on_response(request.method, result.ok() ? result->http_status : error ? error->http_status : 0);
    }
    // A 429 slows the whole client, not only this request (token_bucket.h).
    if (error != nullptr && error->http_status == 429) bucket_.SlowDown();
    bool retry = error != nullptr && error->http_status == 429 && error->retry_after &&
                 *error->retry_after <= options_.max_retry_after && attempts <= options_.max_retries;
    if (!retry) {
      if (error != nullptr && attempts > 1) {
        ApiError copy = *error;
        copy.attempts = attempts;
        return copy;
      }
      return result;
    }
    Logger("kube.rest")
        ->info("throttled by the server method={} path={} retry_after={}s attempt={}", request.method, request.path,
               error->retry_after->count(), attempts);
    std::mutex mu;
    std::condition_variable cv;
    std::unique_lock lock(mu);
    clock_->WaitUntil(cv, lock, clock_->Now() + *error->retry_after, [] { return false; });
  }
}

ApiResult<nlohmann::json> Client::RawJson(const RawRequest& request) {
  return ParseJson(Raw(request), request.method + " " + request.path);
}

ApiResult<nlohmann::json> Client::Get(const GroupVersionResource& gvr, const std::string& ns, const std::string& name,
                                      const std::string& subresource) {
  RawRequest req;
  req.path = Path(gvr, ns, name, subresource);
  return RawJson(req);
}

namespace {

RawRequest ListRequest(const GroupVersionResource& gvr, const std::string& ns, const ListOptions& options) {
  RawRequest req;
  req.path = Client::Path(gvr, ns);
  if (!options.label_selector.empty()) req.query.emplace_back("labelSelector", options.label_selector);
  if (!options.field_selector.empty()) req.query.emplace_back("fieldSelector", options.field_selector);
  if (options.limit > 0) req.query.emplace_back("limit", std::to_string(options.limit));
  if (!options.continue_token.empty()) req.query.emplace_back("continue", options.continue_token);
  if (!options.resource_version.empty()) req.query.emplace_back("resourceVersion", options.resource_version);
  if (options.metadata_only) {
    req.accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
  }
  return req;
}

// The list's resourceVersion and continue token, from its metadata.
void ReadListMeta(const nlohmann::json& list, ListPage& page) {
  if (auto meta = list.find("metadata"); meta != list.end() && meta->is_object()) {
    page.resource_version = meta->value("resourceVersion", "");
    page.continue_token = meta->value("continue", "");
  }
}

}  // namespace

ApiResult<ListPage> Client::List(const GroupVersionResource& gvr, const std::string& ns, const ListOptions& options) {
  RawRequest req = ListRequest(gvr, ns, options);
  ApiResult<nlohmann::json> body = RawJson(req);
  if (!body.ok()) return body.ErrorAs<ListPage>();
  ListPage page;
  if (auto it = body->find("items"); it != body->end() && it->is_array()) page.items = std::move(*it);
  ReadListMeta(*body, page);
  return page;
}

Result<ListPage> ParseListEach(std::string_view body, const std::function<Status(nlohmann::json&&)>& each) {
  // Each item goes to `each` as soon as the parser has built it and is then dropped
  // from the tree: one item's JSON is alive at a time, never the whole page's (a page
  // of 500 Secrets is several MB as a tree, and what was freed stayed in the heap).
  Status failed = Status::Ok();
  std::string top_key;
  nlohmann::json list = nlohmann::json::parse(
      body,
      [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        if (depth == 1 && event == nlohmann::json::parse_event_t::key) top_key = parsed.get<std::string>();
        if (depth != 2 || top_key != "items" || event != nlohmann::json::parse_event_t::object_end) return true;
        if (failed.ok()) failed = each(std::move(parsed));
        return false;  // drop it from the list
      },
      false);
  if (list.is_discarded() || !list.is_object()) return Internal("the list is not a JSON object");
  if (!failed.ok()) return failed;
  ListPage page;
  ReadListMeta(list, page);
  return page;
}

ApiResult<ListPage> Client::ListPageEach(const GroupVersionResource& gvr, const std::string& ns,
                                         const ListOptions& options,
                                         const std::function<Status(nlohmann::json&&)>& each) {
  RawRequest req = ListRequest(gvr, ns, options);
  ApiResult<RawResponse> raw = Raw(req);
  if (!raw.ok()) return raw.ErrorAs<ListPage>();
  Status stopped = Status::Ok();  // the callback's own error is returned as it is
  Result<ListPage> page = ParseListEach(raw->body, [&](nlohmann::json&& item) {
    stopped = each(std::move(item));
    return stopped;
  });
  if (!stopped.ok()) return stopped;
  if (!page.ok()) return page.status().WithContext(req.method + " " + req.path);
  return std::move(page).value();
}

ApiResult<std::string> Client::ListEach(const GroupVersionResource& gvr, const std::string& ns,
                                        const ListOptions& options,
                                        const std::function<Status(nlohmann::json&&)>& each) {
  ListOptions page_options = options;
  if (page_options.limit <= 0) page_options.limit = 500;
  std::string resource_version;
  bool first = true;
  while (true) {
    ApiResult<ListPage> page = ListPageEach(gvr, ns, page_options, each);
    if (!page.ok()) return page.ErrorAs<std::string>();
    if (first) resource_version = page->resource_version;
    first = false;
    if (page->continue_token.empty()) break;
    page_options.continue_token = page->continue_token;
    page_options.resource_version.clear();  // the token carries it
  }
  return resource_version;
}

ApiResult<nlohmann::json> Client::Create(const GroupVersionResource& gvr, const std::string& ns,
                                         const nlohmann::json& object, const WriteOptions& options) {
  RawRequest req;
  req.method = "POST";
  req.path = Path(gvr, ns, {}, options.subresource);
  AddWriteQuery(req, options);
  req.body = object.dump();
  return RawJson(req);
}

ApiResult<nlohmann::json> Client::Update(const GroupVersionResource& gvr, const std::string& ns,
                                         const nlohmann::json& object, const WriteOptions& options) {
  const nlohmann::json* name = nullptr;
  if (auto meta = object.find("metadata"); meta != object.end() && meta->is_object()) {
    if (auto n = meta->find("name"); n != meta->end() && n->is_string()) name = &*n;
  }
  if (name == nullptr) return InvalidArgument("update of " + gvr.Name() + ": metadata.name is missing");
  RawRequest req;
  req.method = "PUT";
  req.path = Path(gvr, ns, name->get<std::string>(), options.subresource);
  AddWriteQuery(req, options);
  req.body = object.dump();
  return RawJson(req);
}

ApiResult<nlohmann::json> Client::UpdateStatus(const GroupVersionResource& gvr, const std::string& ns,
                                               const nlohmann::json& object, WriteOptions options) {
  options.subresource = "status";
  return Update(gvr, ns, object, options);
}

ApiResult<nlohmann::json> Client::MergePatch(const GroupVersionResource& gvr, const std::string& ns,
                                             const std::string& name, const nlohmann::json& patch,
                                             const WriteOptions& options) {
  RawRequest req;
  req.method = "PATCH";
  req.path = Path(gvr, ns, name, options.subresource);
  req.content_type = "application/merge-patch+json";
  AddWriteQuery(req, options);
  req.body = patch.dump();
  return RawJson(req);
}

ApiResult<nlohmann::json> Client::Apply(const GroupVersionResource& gvr, const std::string& ns, const std::string& name,
                                        const nlohmann::json& object, const ApplyOptions& options) {
  if (options.field_manager.empty()) return InvalidArgument("server-side apply needs a field manager");
  RawRequest req;
  req.method = "PATCH";
  req.path = Path(gvr, ns, name, options.subresource);
  req.content_type = "application/apply-patch+yaml";  // JSON is YAML
  req.query.emplace_back("fieldManager", options.field_manager);
  if (options.force) req.query.emplace_back("force", "true");
  if (options.metadata_only) req.accept = kPartialObjectMetadataAccept;
  req.body = object.dump();
  return RawJson(req);
}

ApiResult<nlohmann::json> Client::Delete(const GroupVersionResource& gvr, const std::string& ns,
                                         const std::string& name, const DeleteOptions& options) {
  RawRequest req;
  req.method = "DELETE";
  req.path = Path(gvr, ns, name);
  nlohmann::json body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  if (!options.propagation_policy.empty()) body["propagationPolicy"] = options.propagation_policy;
  if (options.grace_period_seconds) body["gracePeriodSeconds"] = *options.grace_period_seconds;
  if (options.precondition_uid) body["preconditions"]["uid"] = *options.precondition_uid;
  if (options.precondition_resource_version) {
    body["preconditions"]["resourceVersion"] = *options.precondition_resource_version;
  }
  req.body = body.dump();
  return RawJson(req);
}

ApiResult<nlohmann::json> Client::DeleteCollection(const GroupVersionResource& gvr, const std::string& ns,
                                                   const std::string& label_selector) {
  RawRequest req;
  req.method = "DELETE";
  req.path = Client::Path(gvr, ns);
  if (!label_selector.empty()) req.query.emplace_back("labelSelector", label_selector);
  return RawJson(req);
}

}  // namespace certplane::kube
