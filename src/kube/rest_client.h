// Client: REST calls to the Kubernetes API server for any group/version/resource,
// as JSON or typed, with errors as values (ApiResult, see api_error.h).
//
//   ClientOptions options;
//   options.qps = flags.qps;       // --kube-api-qps
//   options.burst = flags.burst;   // --kube-api-burst
//   auto client = Client::Create(*config, options);
//   ApiResult<nlohmann::json> cm = (*client)->Get(kConfigMaps, "shop", "frontend");
//   ApiResult<ConfigMap> typed = As<ConfigMap>((*client)->Get(kConfigMaps, "shop", "frontend"));
//   ApplyOptions apply;
//   apply.field_manager = "certplane";
//   apply.force = true;
//   (*client)->Apply(kConfigMaps, "shop", "frontend", desired, apply);
//   (*client)->UpdateStatus(certificates, "shop", certificate_json);   // status subresource
//
// - Every call waits for a token of the client-side QPS/burst bucket first.
// - 429 TooManyRequests with Retry-After is retried after the advised delay, up to
//   max_retries times; the final ApiError says how many attempts were made.
// - Transport failures become kUnavailable, timeouts kDeadlineExceeded; cpprestsdk
//   and boost exceptions never escape.
// - TLS is always verified (see tls.h). Watches use their own connection (watch.h).
//
// Thread-safe: share one Client between informers, workers and leader election.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/api_error.h"
#include "kube/clock.h"
#include "kube/config.h"
#include "kube/resource.h"
#include "kube/token_bucket.h"

namespace web::http::client {
class http_client;
}

namespace certplane::kube {

struct ClientOptions {
  double qps = 20;                   // --kube-api-qps; <= 0 disables the client-side limit
  int burst = 30;                    // --kube-api-burst
  std::chrono::seconds timeout{30};  // per request
  std::string user_agent = "certplane";
  int max_retries = 3;                       // 429 retries honouring Retry-After
  std::chrono::seconds max_retry_after{30};  // a longer advice is returned, not waited
  std::shared_ptr<Clock> clock;              // default: system clock
  // Called once per request sent (each 429 retry too) with the HTTP method and the
  // response's status code, 0 when no response came; for request metrics. Must be
  // quick and thread-safe. Watches, which stream, are not reported.
  std::function<void(const std::string& method, int http_status)> on_response;
  // When set, asked right before every write (POST, PUT, PATCH, DELETE) is sent, each
  // retry too; a non-OK answer fails the write with that Status, unsent. Reads and
  // watches are never gated. A leader's client gates on its LeadershipFence.
  std::function<Status()> write_gate;
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;  // page size; 0 = everything at once
  std::string continue_token;
  std::string resource_version;
  bool metadata_only = false;  // PartialObjectMetadataList through the Accept header
};

// One page of a list.
struct ListPage {
  nlohmann::json items = nlohmann::json::array();
  std::string resource_version;
  std::string continue_token;  // empty on the last page
};

// metadata_only on a write: the response is the written object's metadata alone
// (PartialObjectMetadata, through the Accept header), for a caller that needs no more
// than its resourceVersion. The API server then neither encodes nor sends the rest:
// a Secret's private key does not come back to be parsed into this process's heap,
// nor a CRL's or a record's megabyte. Errors come back as a Status either way.
struct WriteOptions {
  std::string field_manager;
  bool dry_run = false;
  std::string subresource;  // e.g. "status"
  bool metadata_only = false;
};

struct ApplyOptions {
  std::string field_manager = "certplane";  // required by server-side apply
  bool force = false;
  std::string subresource;
  bool metadata_only = false;  // as in WriteOptions
};

struct DeleteOptions {
  std::string propagation_policy;  // "Foreground", "Background", "Orphan" or empty
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  std::optional<int64_t> grace_period_seconds;
};

// An HTTP request as the client sends it; Raw() takes one.
struct RawRequest {
  std::string method = "GET";
  std::string path;                                        // "/version", "/api/v1/namespaces/x/pods/y/eviction"
  std::vector<std::pair<std::string, std::string>> query;  // encoded by the client
  std::optional<std::string> body;
  std::string content_type = "application/json";
  std::string accept = "application/json";
  std::optional<std::chrono::seconds> timeout;  // overrides ClientOptions::timeout
};

struct RawResponse {
  int http_status = 0;
  std::string body;
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  // Fails (kInvalidArgument) if the configuration cannot make a TLS client.
  static Result<std::shared_ptr<Client>> Create(ClusterConfig config, ClientOptions options = {});
  ~Client();

  ApiResult<nlohmann::json> Get(const GroupVersionResource& gvr, const std::string& ns, const std::string& name,
                                const std::string& subresource = {});
  ApiResult<ListPage> List(const GroupVersionResource& gvr, const std::string& ns, const ListOptions& options = {});
  // Lists every page (options.limit per page, 500 if unset), calling `each` for every
  // item in order as the page is parsed (one item's JSON is alive at a time, not the
  // page's); returns the list's resourceVersion. A non-OK Status from `each` stops the
  // listing and is returned. An expired continue token gives kGone.
  ApiResult<std::string> ListEach(const GroupVersionResource& gvr, const std::string& ns, const ListOptions& options,
                                  const std::function<Status(nlohmann::json&&)>& each);
  ApiResult<nlohmann::json> Create(const GroupVersionResource& gvr, const std::string& ns, const nlohmann::json& object,
                                   const WriteOptions& options = {});
  // PUT of the whole object; metadata.resourceVersion makes it conditional (409 when stale).
  ApiResult<nlohmann::json> Update(const GroupVersionResource& gvr, const std::string& ns, const nlohmann::json& object,
                                   const WriteOptions& options = {});
  ApiResult<nlohmann::json> UpdateStatus(const GroupVersionResource& gvr, const std::string& ns,
                                         const nlohmann::json& object, WriteOptions options = {});
  // RFC 7386 JSON merge patch.
  ApiResult<nlohmann::json> MergePatch(const GroupVersionResource& gvr, const std::string& ns, const std::string& name,
                                       const nlohmann::json& patch, const WriteOptions& options = {});
  // Server-side apply of `object` (which must carry apiVersion and kind).
  ApiResult<nlohmann::json> Apply(const GroupVersionResource& gvr, const std::string& ns, const std::string& name,
                                  const nlohmann::json& object, const ApplyOptions& options = {});
  ApiResult<nlohmann::json> Delete(const GroupVersionResource& gvr, const std::string& ns, const std::string& name,
                                   const DeleteOptions& options = {});
  // Deletes every object of the collection in `ns` matching the selector.
  ApiResult<nlohmann::json> DeleteCollection(const GroupVersionResource& gvr, const std::string& ns,
                                             const std::string& label_selector = {});

  // Any other call; the body of a successful response is returned unparsed. Errors
  // (non-2xx) come back as ApiError like every other call.
  ApiResult<RawResponse> Raw(const RawRequest& request);
  // Raw, with a JSON response.
  ApiResult<nlohmann::json> RawJson(const RawRequest& request);

  // "/api/v1/namespaces/shop/configmaps/frontend/status" and friends.
  static std::string Path(const GroupVersionResource& gvr, const std::string& ns, const std::string& name = {},
                          const std::string& subresource = {});

  // A new HTTP client with this client's TLS setup, not shared with any other call:
  // each watch takes one.
  std::unique_ptr<web::http::client::http_client> NewDedicatedHttpClient(std::chrono::seconds timeout) const;
  // The Authorization header value ("Bearer ..."), or empty. Re-reads a token file
  // when it has changed.
  std::string AuthorizationHeader();
  // Waits for a token of the QPS/burst bucket.
  void WaitForRateLimit() { bucket_.Wait(); }
  // The client-side rate in effect: --kube-api-qps unless 429s slowed it down.
  double current_qps() { return bucket_.current_qps(); }

  const ClusterConfig& config() const { return config_; }
  const ClientOptions& options() const { return options_; }
  Clock& clock() const { return *clock_; }

 private:
  Client(ClusterConfig config, ClientOptions options);
  // `sent` says whether the request went out (false when the write gate refused it).
  ApiResult<RawResponse> SendOnce(const RawRequest& request, bool& sent);
  // One page, its items handed to `each` as they are parsed; the page returned has no
  // items, only its resourceVersion and continue token.
  ApiResult<ListPage> ListPageEach(const GroupVersionResource& gvr, const std::string& ns, const ListOptions& options,
                                   const std::function<Status(nlohmann::json&&)>& each);

  const ClusterConfig config_;
  const ClientOptions options_;
  const std::shared_ptr<Clock> clock_;
  TokenBucket bucket_;
  std::unique_ptr<web::http::client::http_client> http_;

  std::mutex token_mu_;
  std::string token_cache_;        // guarded by token_mu_; the token file's content
  int64_t token_file_mtime_ = -1;  // guarded by token_mu_; nanoseconds
  int64_t token_file_size_ = -1;   // guarded by token_mu_
  uint64_t token_file_inode_ = 0;  // guarded by token_mu_
};

// Converts a JSON result to T with nlohmann's from_json; a decode failure is kInternal.
template <typename T>
ApiResult<T> As(const ApiResult<nlohmann::json>& result) {
  if (!result.ok()) return result.template ErrorAs<T>();
  try {
    return result.value().template get<T>();
  } catch (const nlohmann::json::exception& e) {
    return Internal(std::string("decoding the response: ") + e.what());
  }
}

// Reads a list's JSON body (a page), handing each item of "items" to `each` as soon as it
// is parsed and dropping it, so that only one item's tree is alive at a time. Returns
// the page's resourceVersion and continue token (and no items); the first non-OK Status
// from `each` (no item is handed over after it); kInternal when the body is not a JSON
// object.
Result<ListPage> ParseListEach(std::string_view body, const std::function<Status(nlohmann::json&&)>& each);

// Builds a query string from key/value pairs, percent-encoding both.
std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& query);

}  // namespace certplane::kube
