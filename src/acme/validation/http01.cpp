// http-01 at one address (RFC 8555 section 8.3).
#include <charconv>
#include <string>

#include "acme/validation/validators.h"
#include "base/text.h"

namespace certplane::acme {
namespace {

constexpr std::size_t kMaxResponse = std::size_t{8} * 1024;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

struct Head {
  int status = 0;
  std::string reason;
  std::optional<std::size_t> content_length;
  bool chunked = false;
  std::string location;
  std::size_t body_offset = 0;
};

// Where the header block of `data` ends (the offset of the body), or npos.
std::size_t HeaderEnd(std::string_view data) {
  const std::size_t crlf = data.find("\r\n\r\n");
  const std::size_t lf = data.find("\n\n");
  if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf < lf)) return crlf + 4;
  if (lf != std::string_view::npos) return lf + 2;
  return std::string_view::npos;
}

// Parses the status line and the headers we use; nullopt (with `why`) if malformed.
std::optional<Head> ParseHead(std::string_view data, std::size_t end, std::string& why) {
  Head head;
  head.body_offset = end;
  std::string_view block = data.substr(0, end);
  std::size_t eol = block.find('\n');
  std::string_view status_line = Trim(block.substr(0, eol));
  // "HTTP/1.1 200 OK"
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ') {
    why = "the response does not start with an HTTP/1.x status line: " + Quoted(status_line, 60);
    return std::nullopt;
  }
  const std::string_view code = status_line.substr(9, 3);
  const auto [p, ec] = std::from_chars(code.data(), code.data() + code.size(), head.status);
  if (ec != std::errc() || p != code.data() + code.size() || head.status < 100 || head.status > 999) {
    why = "the status line has no valid status code: " + Quoted(status_line, 60);
    return std::nullopt;
  }
  head.reason = std::string(Trim(status_line.substr(12)));
  while (eol != std::string_view::npos) {
    block.remove_prefix(eol + 1);
    eol = block.find('\n');
    const std::string_view line = Trim(block.substr(0, eol));
    if (line.empty()) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = AsciiLower(Trim(line.substr(0, colon)));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (name == "content-length") {
      std::size_t n = 0;
      const auto [q, e] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (e != std::errc() || q != value.data() + value.size()) {
        why = "the Content-Length header " + Quoted(value, 40) + " is not a number";
        return std::nullopt;
      }
      head.content_length = n;
    } else if (name == "transfer-encoding") {
      head.chunked = AsciiLower(value).find("chunked") != std::string::npos;
    } else if (name == "location") {
      head.location = std::string(value);
    }
  }
  return head;
}

// Decodes a chunked body. nullopt while incomplete; sets `why` when malformed.
std::optional<std::string> Dechunk(std::string_view data, std::string& why) {
  std::string body;
  for (;;) {
    const std::size_t eol = data.find("\r\n");
    if (eol == std::string_view::npos) return std::nullopt;
    std::string_view size_text = data.substr(0, eol);
    if (const std::size_t semi = size_text.find(';'); semi != std::string_view::npos)
      size_text = size_text.substr(0, semi);
    size_text = Trim(size_text);
    std::size_t size = 0;
    const auto [p, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (size_text.empty() || ec != std::errc() || p != size_text.data() + size_text.size()) {
      why = "malformed chunked body";
      return std::nullopt;
    }
    data.remove_prefix(eol + 2);
    if (size == 0) return body;  // trailers, if any, do not matter
    if (data.size() < size + 2) return std::nullopt;
    body.append(data.substr(0, size));
    data.remove_prefix(size + 2);
  }
}

Problem Connection(std::string detail) { return MakeProblem(ProblemType::kConnection, std::move(detail)); }
Problem Incorrect(std::string detail) { return MakeProblem(ProblemType::kIncorrectResponse, std::move(detail)); }

}  // namespace

std::optional<Problem> CheckHttp01(const SocketAddress& address, const ValidationTarget& target, std::string_view token,
                                   std::string_view key_authorization, Clock::time_point deadline) {
  std::string host = target.ip && target.ip->v6 ? "[" + target.name + "]" : target.name;
  if (address.port != 80) host += ":" + std::to_string(address.port);
  const std::string path = "/.well-known/acme-challenge/" + std::string(token);
  const std::string where = "http://" + host + path + " at " + FormatAddress(address);

  Result<Fd> fd = ConnectTcp(address, deadline);
  if (!fd.ok())
    return Connection("connecting to " + FormatAddress(address) + " for " + target.name + ": " + fd.status().message());
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host +
                              "\r\nUser-Agent: certplane-acme-validator\r\nAccept: */*\r\nConnection: close\r\n\r\n";
  if (Status s = SendAll(fd->get(), request, deadline); !s.ok()) {
    return Connection("sending the request for " + where + ": " + s.message());
  }

  std::string data;
  std::optional<Head> head;
  std::optional<std::string> body;
  bool eof = false;
  while (!body) {
    if (data.size() > kMaxResponse) {
      return Incorrect("the response for " + where + " is larger than " + std::to_string(kMaxResponse / 1024) + " KiB" +
                       (head ? "" : " before the end of its headers") + "; a key authorization is a short text");
    }
    if (!eof) {
      Result<std::size_t> n = RecvSome(fd->get(), data, kMaxResponse + 1 - data.size(), deadline);
      if (!n.ok()) {
        if (n.status().code() == StatusCode::kDeadlineExceeded) {
          return Connection(std::string(data.empty() ? "no response" : "no complete response") + " for " + where +
                            " within the timeout");
        }
        return Connection("reading the response for " + where + ": " + n.status().message());
      }
      eof = *n == 0;
    }
    if (!head) {
      const std::size_t end = HeaderEnd(data);
      if (end == std::string::npos) {
        if (eof) {
          return data.empty()
                     ? Connection("the server at " + FormatAddress(address) +
                                  " closed the connection without a response for " + where)
                     : Incorrect("the response for " + where + " ended inside its headers: " + Quoted(data, 60));
        }
        continue;
      }
      std::string why;
      head = ParseHead(data, end, why);
      if (!head) return Incorrect(why + " (from " + where + ")");
      if (head->status != 200) {
        if (head->status >= 300 && head->status < 400) {
          return Incorrect(where + " answered " + std::to_string(head->status) + " " + head->reason +
                           (head->location.empty() ? "" : " with a redirect to " + Quoted(head->location, 200)) +
                           "; certplane does not follow redirects for http-01: serve the key authorization at this URL "
                           "with status 200");
        }
        return Incorrect(where + " answered " + std::to_string(head->status) + " " + head->reason +
                         ", expected 200 with the key authorization");
      }
    }
    const std::string_view rest = std::string_view(data).substr(head->body_offset);
    if (head->chunked) {
      std::string why;
      body = Dechunk(rest, why);
      if (!why.empty()) return Incorrect("the response for " + where + " has a " + why);
      if (!body && eof) return Incorrect("the chunked response for " + where + " ended early");
    } else if (head->content_length) {
      if (rest.size() >= *head->content_length) {
        body = std::string(rest.substr(0, *head->content_length));
      } else if (eof) {
        return Incorrect("the response for " + where + " ended after " + std::to_string(rest.size()) + " of its " +
                         std::to_string(*head->content_length) + " Content-Length bytes");
      }
    } else if (eof) {
      body = std::string(rest);
    }
  }

  // Only trailing whitespace is forgiven (RFC 8555 section 8.3).
  std::string_view got = *body;
  while (!got.empty() && (got.back() == ' ' || got.back() == '\t' || got.back() == '\r' || got.back() == '\n')) {
    got.remove_suffix(1);
  }
  if (got != key_authorization) {
    return Incorrect("the body of " + where + " is " + Quoted(*body) + ", expected the key authorization " +
                     Quoted(key_authorization, 300));
  }
  return std::nullopt;
}

}  // namespace certplane::acme
