// SigV4 against a second, independent signer: curl's --aws-sigv4. curl sends a request
// to a loopback capture server started here; the test signs the same request (same
// method, URL, signed headers and body) with our signer at the X-Amz-Date curl used,
// and expects the same Authorization header.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "base/text.h"
#include "process.h"
#include "sync/aws/sigv4.h"
#include "sync/aws/sts.h"

namespace certplane::sync::aws {
namespace {

constexpr const char* kKeyId = "AKIDEXAMPLE";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// Closes a socket when it goes out of scope.
struct Socket {
  int fd = -1;
  explicit Socket(int f) : fd(f) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

struct Captured {
  std::string method;
  std::string target;  // path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(std::string_view name) const { return HttpResponse{.headers = headers}.Header(name); }
};

// Accepts one HTTP/1.1 request on a loopback port the kernel picks, answers 200 with an
// empty body and keeps what it read.
class CaptureServer {
 public:
  CaptureServer() : listener_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(listener_.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(listener_.fd, 1) != 0 ||
        ::getsockname(listener_.fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~CaptureServer() {
    ::shutdown(listener_.fd, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  const Captured& captured() {
    if (thread_.joinable()) thread_.join();
    return captured_;
  }

 private:
  void Serve() {
    Socket conn(::accept(listener_.fd, nullptr, nullptr));
    if (conn.fd < 0) return;
    std::string data;
    char buf[4096];
    std::size_t header_end = std::string::npos;
    std::size_t content_length = 0;
    while (true) {
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          const std::string lower = AsciiLower(data.substr(0, header_end));
          const std::size_t at = lower.find("\r\ncontent-length:");
          if (at != std::string::npos) content_length = std::stoul(lower.substr(at + 17));
        }
      }
      if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) break;
      const ssize_t n = ::recv(conn.fd, buf, sizeof(buf), 0);
      if (n <= 0) return;
      data.append(buf, static_cast<std::size_t>(n));
    }
    std::istringstream head(data.substr(0, header_end));
    std::string line;
    std::getline(head, line);
    std::istringstream request_line(line);
    request_line >> captured_.method >> captured_.target;
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      captured_.headers.emplace_back(line.substr(0, colon), value);
    }
    captured_.body = data.substr(header_end + 4, content_length);
    const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    (void)::send(conn.fd, reply.data(), reply.size(), MSG_NOSIGNAL);
  }

  Socket listener_;
  int port_ = 0;
  std::thread thread_;
  Captured captured_;
};

struct CurlCase {
  std::string name;
  std::vector<std::string> curl_args;  // after the signing options, before the URL
  std::string path_and_query;
  std::string service;
};

// gtest prints a parameter's bytes in test names and failures unless told otherwise.
void PrintTo(const CurlCase& c, std::ostream* os) { *os << c.name; }

class SigV4AgainstCurl : public ::testing::TestWithParam<CurlCase> {};

TEST_P(SigV4AgainstCurl, SignsTheRequestCurlSentWithTheSameSignature) {
  const CurlCase& c = GetParam();
  CaptureServer server;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + c.path_and_query;
  std::vector<std::string> argv = {"curl",        "-sS",
                                   "--max-time",  "20",
                                   "--aws-sigv4", "aws:amz:us-east-1:" + c.service,
                                   "--user",      std::string(kKeyId) + ":" + kSecret};
  argv.insert(argv.end(), c.curl_args.begin(), c.curl_args.end());
  argv.push_back(url);
  certplane::testing::CommandResult curl = certplane::testing::RunTool(argv);
  ASSERT_EQ(curl.exit_code, 0) << curl.output;
  const Captured& sent = server.captured();
  const std::string curl_authorization = sent.Header("Authorization");
  ASSERT_THAT(curl_authorization, ::testing::StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));

  // The headers curl signed, as curl sent them (x-amz-date is the signer's own).
  const std::string marker = "SignedHeaders=";
  const std::size_t from = curl_authorization.find(marker) + marker.size();
  const std::string signed_list = curl_authorization.substr(from, curl_authorization.find(',', from) - from);
  HttpRequest ours{.method = sent.method,
                   .url = "http://127.0.0.1:" + std::to_string(server.port()) + sent.target,
                   .body = sent.body};
  std::istringstream names(signed_list);
  for (std::string name; std::getline(names, name, ';');) {
    if (name == "x-amz-date") continue;
    ours.headers.emplace_back(name, sent.Header(name));
  }
  const std::string amz_date = sent.Header("X-Amz-Date");  // 20261206T130000Z
  ASSERT_EQ(amz_date.size(), 16u) << amz_date;
  std::optional<std::chrono::system_clock::time_point> when =
      ParseIso8601Utc(amz_date.substr(0, 4) + "-" + amz_date.substr(4, 2) + "-" + amz_date.substr(6, 2) + "T" +
                      amz_date.substr(9, 2) + ":" + amz_date.substr(11, 2) + ":" + amz_date.substr(13, 2) + "Z");
  ASSERT_TRUE(when.has_value()) << amz_date;

  AwsCredentials credentials;
  credentials.access_key_id = kKeyId;
  credentials.secret_access_key = SensitiveString(kSecret);
  Result<SigV4Signature> signature = SignV4(ours, credentials, {.region = "us-east-1", .service = c.service}, *when);
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_EQ(HttpResponse{.headers = ours.headers}.Header("Authorization"), curl_authorization)
      << "our canonical request:\n"
      << signature->canonical_request;
}

INSTANTIATE_TEST_SUITE_P(
    Curl, SigV4AgainstCurl,
    ::testing::Values(CurlCase{"AnAcmJsonPost",
                               {"-X", "POST", "-H", "Content-Type: application/x-amz-json-1.1", "-H",
                                "X-Amz-Target: CertificateManager.ListCertificates", "--data", R"({"MaxItems":5})"},
                               "/",
                               "acm"},
                      CurlCase{
                          "ASecretsManagerPostWithSpacesInAHeader",
                          {"-X", "POST", "-H", "Content-Type: application/x-amz-json-1.1", "-H",
                           "X-Amz-Target:   secretsmanager.DescribeSecret  ", "--data", R"({"SecretId":"prod/a b"})"},
                          "/",
                          "secretsmanager"},
                      // Already in canonical order: curl 7.88 (Debian 12) signs the query as written,
                      // unsorted, where AWS sorts it (the suite's get-vanilla-query-order-key-case,
                      // which the unit tests check); curl 8 sorts.
                      CurlCase{"AGetWithAQuery", {}, "/?Action=GetCallerIdentity&Version=2011-06-15&b=x%2Fy", "sts"}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace certplane::sync::aws
