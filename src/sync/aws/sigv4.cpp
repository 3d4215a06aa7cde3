#include "sync/aws/sigv4.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <utility>
#include <vector>

#include "base/text.h"
#include "sync/aws/encoding.h"

namespace certplane::sync::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

// A std::string holding a derived signing key, cleansed when it goes: the keys are as
// good as the secret access key for the day, region and service they were made for.
struct WipedString {
  std::string bytes;
  explicit WipedString(std::string b) : bytes(std::move(b)) {}
  WipedString(const WipedString&) = delete;
  WipedString& operator=(const WipedString&) = delete;
  ~WipedString() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

struct ParsedUrl {
  std::string host;  // with ":port" when the URL names a port
  std::string path;
  std::string query;
};

Result<ParsedUrl> ParseUrl(std::string_view url) {
  std::string_view rest;
  std::string_view default_port;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
    default_port = ":443";
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
    default_port = ":80";
  } else {
    return Status(StatusCode::kInvalidArgument, "cannot sign a request to a URL that is not absolute http(s)");
  }
  ParsedUrl out;
  const std::size_t path_start = rest.find_first_of("/?");
  out.host = std::string(rest.substr(0, path_start));
  if (out.host.empty()) return Status(StatusCode::kInvalidArgument, "cannot sign a request to a URL without a host");
  // HTTP clients leave the scheme's default port out of the Host header they send.
  if (out.host.ends_with(default_port)) out.host.resize(out.host.size() - default_port.size());
  if (path_start == std::string_view::npos) return out;
  rest = rest.substr(path_start);
  const std::size_t query_start = rest.find('?');
  out.path = std::string(rest.substr(0, query_start));
  if (query_start != std::string_view::npos) out.query = std::string(rest.substr(query_start + 1));
  return out;
}

// The canonical URI for every service but S3: dot segments resolved, empty segments
// dropped, each remaining segment percent-encoded (so a path that was already encoded
// for the wire is encoded a second time, as AWS specifies).
std::string CanonicalUri(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += UriEncode(segments[i], /*keep_slash=*/false);
  }
  const bool trailing_slash = !path.empty() && path.back() == '/';
  if (trailing_slash && !segments.empty()) out += '/';
  return out;
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start < query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      std::string_view key = pair.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      params.emplace_back(UriEncode(PercentDecode(key), false), UriEncode(PercentDecode(value), false));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

// Leading and trailing spaces removed, runs of spaces inside collapsed to one.
std::string TrimAndCollapse(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

void RemoveHeader(HttpHeaders& headers, std::string_view lower_name) {
  std::erase_if(headers, [&](const auto& h) { return AsciiLower(h.first) == lower_name; });
}

}  // namespace

std::string AmzDate(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Result<SigV4Signature> SignV4(HttpRequest& request, const AwsCredentials& credentials, const SigV4Scope& scope,
                              std::chrono::system_clock::time_point now) {
  Result<ParsedUrl> url = ParseUrl(request.url);
  if (!url.ok()) return url.status();

  RemoveHeader(request.headers, "authorization");
  RemoveHeader(request.headers, "x-amz-date");
  RemoveHeader(request.headers, "x-amz-security-token");
  const std::string amz_date = AmzDate(now);
  const std::string date = amz_date.substr(0, 8);
  const std::string payload_hash = Sha256Hex(request.body);
  request.headers.emplace_back("X-Amz-Date", amz_date);
  if (scope.content_sha256_header) {
    RemoveHeader(request.headers, "x-amz-content-sha256");
    request.headers.emplace_back("X-Amz-Content-Sha256", payload_hash);
  }
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("X-Amz-Security-Token", std::string(credentials.session_token.view()));
  }

  // Lower-cased names, sorted; repeated headers joined with commas in their order.
  std::map<std::string, std::string> canonical_headers;
  bool has_host = false;
  for (const auto& [name, value] : request.headers) {
    std::string lower = AsciiLower(name);
    if (lower == "host") has_host = true;
    std::string trimmed = TrimAndCollapse(value);
    auto [it, inserted] = canonical_headers.emplace(std::move(lower), trimmed);
    if (!inserted) it->second += "," + trimmed;
  }
  if (!has_host) canonical_headers.emplace("host", url->host);

  std::string header_block;
  std::string signed_headers;
  for (const auto& [name, value] : canonical_headers) {
    header_block += name + ":" + value + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += name;
  }

  SigV4Signature out;
  out.canonical_request = request.method + "\n" + CanonicalUri(url->path) + "\n" + CanonicalQuery(url->query) + "\n" +
                          header_block + "\n" + signed_headers + "\n" + payload_hash;
  const std::string credential_scope = date + "/" + scope.region + "/" + scope.service + "/aws4_request";
  out.string_to_sign =
      std::string(kAlgorithm) + "\n" + amz_date + "\n" + credential_scope + "\n" + Sha256Hex(out.canonical_request);

  WipedString secret("AWS4" + std::string(credentials.secret_access_key.view()));
  WipedString k_date(HmacSha256(secret.bytes, date));
  WipedString k_region(HmacSha256(k_date.bytes, scope.region));
  WipedString k_service(HmacSha256(k_region.bytes, scope.service));
  WipedString k_signing(HmacSha256(k_service.bytes, "aws4_request"));
  out.signature = LowerHex(HmacSha256(k_signing.bytes, out.string_to_sign));

  request.headers.emplace_back("Authorization", std::string(kAlgorithm) + " Credential=" + credentials.access_key_id +
                                                    "/" + credential_scope + ", SignedHeaders=" + signed_headers +
                                                    ", Signature=" + out.signature);
  return out;
}

}  // namespace certplane::sync::aws
