#include "sync/azure/challenge.h"

#include "base/text.h"

namespace certplane::sync::azure {
namespace {

void SkipSpaces(std::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

bool IsTokenChar(char c) {
  return c != ' ' && c != '\t' && c != ',' && c != '=' && c != '"' && static_cast<unsigned char>(c) > 0x20 &&
         static_cast<unsigned char>(c) < 0x7f;
}

std::string_view TakeToken(std::string_view& s) {
  std::size_t n = 0;
  while (n < s.size() && IsTokenChar(s[n])) ++n;
  std::string_view token = s.substr(0, n);
  s.remove_prefix(n);
  return token;
}

// A quoted-string (RFC 9110 5.6.4) after its opening quote; nullopt when unterminated.
std::optional<std::string> TakeQuoted(std::string_view& s) {
  std::string out;
  while (!s.empty()) {
    const char c = s.front();
    s.remove_prefix(1);
    if (c == '"') return out;
    if (c == '\\') {
      if (s.empty()) return std::nullopt;
      out += s.front();
      s.remove_prefix(1);
      continue;
    }
    out += c;
  }
  return std::nullopt;
}

std::string LastPathSegment(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  const std::size_t path = rest.find('/');
  if (path == std::string_view::npos) return {};
  rest.remove_prefix(path);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  return std::string(rest.substr(rest.rfind('/') + 1));
}

}  // namespace

std::optional<BearerChallenge> ParseBearerChallenge(std::string_view header) {
  SkipSpaces(header);
  if (AsciiLower(TakeToken(header)) != "bearer") return std::nullopt;
  BearerChallenge out;
  while (true) {
    SkipSpaces(header);
    while (!header.empty() && header.front() == ',') {
      header.remove_prefix(1);
      SkipSpaces(header);
    }
    if (header.empty()) break;
    const std::string name = AsciiLower(TakeToken(header));
    SkipSpaces(header);
    if (name.empty() || header.empty() || header.front() != '=') return std::nullopt;
    header.remove_prefix(1);
    SkipSpaces(header);
    std::string value;
    if (!header.empty() && header.front() == '"') {
      header.remove_prefix(1);
      std::optional<std::string> quoted = TakeQuoted(header);
      if (!quoted.has_value()) return std::nullopt;
      value = std::move(*quoted);
    } else {
      value = std::string(TakeToken(header));
    }
    if (name == "authorization" || name == "authorization_uri") {
      out.authorization = value;
    } else if (name == "resource") {
      out.resource = value;
    } else if (name == "scope") {
      out.scope = value;
    }
    SkipSpaces(header);
    if (!header.empty() && header.front() != ',') return std::nullopt;
  }
  out.tenant = LastPathSegment(out.authorization);
  return out;
}

}  // namespace certplane::sync::azure
