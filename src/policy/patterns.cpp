#include "policy/patterns.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "base/text.h"

namespace certplane::policy {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

// One element of a compiled glob: a literal character, a "*" that may consume only the
// characters its predicate accepts, or a "**" that consumes anything.
struct Token {
  enum Kind { kLiteral, kStar, kDoubleStar } kind;
  char c = 0;
};

std::vector<Token> Compile(std::string_view pattern, bool double_star) {
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '*') {
      tokens.push_back({Token::kLiteral, pattern[i]});
      continue;
    }
    std::size_t run = 1;
    while (i + run < pattern.size() && pattern[i + run] == '*') ++run;
    i += run - 1;
    tokens.push_back({(double_star && run >= 2) ? Token::kDoubleStar : Token::kStar, '*'});
  }
  return tokens;
}

// Whether `tokens` match all of `value`. `star_accepts(pos)` says whether a "*" may
// consume the character at value[pos]. Dynamic programming over (token, position), so
// patterns with many stars cannot blow up: O(tokens x value) time, O(value) memory.
bool GlobMatch(const std::vector<Token>& tokens, std::string_view value,
               const std::function<bool(std::size_t)>& star_accepts) {
  const std::size_t n = value.size();
  // next[j]: do tokens[i+1..] match value[j..]?  cur[j]: do tokens[i..] match value[j..]?
  std::vector<unsigned char> next(n + 1, 0), cur(n + 1, 0);  // bools, not vector<bool>'s bits
  next[n] = 1;
  for (std::size_t i = tokens.size(); i-- > 0;) {
    const Token& t = tokens[i];
    cur[n] = (t.kind != Token::kLiteral) && next[n];
    for (std::size_t j = n; j-- > 0;) {
      switch (t.kind) {
        case Token::kLiteral: cur[j] = value[j] == t.c && next[j + 1]; break;
        case Token::kStar: cur[j] = next[j] || (star_accepts(j) && cur[j + 1]); break;
        case Token::kDoubleStar: cur[j] = next[j] || cur[j + 1]; break;
      }
    }
    std::swap(cur, next);
  }
  return next[0] != 0;
}

bool MatchLabel(std::string_view pattern, std::string_view label) {
  return GlobMatch(Compile(pattern, false), label, [](std::size_t) { return true; });
}

bool IsValidLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool MatchDnsPattern(std::string_view pattern_in, std::string_view name_in) {
  if (pattern_in.empty() || name_in.empty()) return false;
  if (pattern_in == "*") return true;
  const std::string pattern = AsciiLower(pattern_in);
  const std::string name = AsciiLower(name_in);
  const std::vector<std::string_view> p = Split(pattern, '.');
  const std::vector<std::string_view> n = Split(name, '.');
  for (std::string_view label : n) {
    if (label.empty()) return false;
  }

  if (p.size() >= 2 && p.front() == "*") {
    // "*.<suffix>": one or more whole labels, then the suffix label by label.
    const std::size_t suffix = p.size() - 1;
    if (n.size() <= suffix) return false;
    for (std::size_t k = 0; k < suffix; ++k) {
      if (!MatchLabel(p[1 + k], n[n.size() - suffix + k])) return false;
    }
    return true;
  }
  if (p.size() != n.size()) return false;
  for (std::size_t k = 0; k < p.size(); ++k) {
    // A requested wildcard label is only covered by a leading "*." (handled above).
    if (n[k] == "*") return false;
    if (!MatchLabel(p[k], n[k])) return false;
  }
  return true;
}

bool MatchUriPattern(std::string_view pattern, std::string_view uri) {
  if (pattern.empty() || uri.empty()) return false;
  // The authority, where "*" stays within one host label: from "://" to the path.
  std::size_t authority_begin = std::string_view::npos;
  std::size_t authority_end = std::string_view::npos;
  if (const std::size_t sep = uri.find("://"); sep != std::string_view::npos) {
    authority_begin = sep + 3;
    authority_end = uri.find_first_of("/?#", authority_begin);
    if (authority_end == std::string_view::npos) authority_end = uri.size();
  }
  auto star_accepts = [&](std::size_t pos) {
    const char c = uri[pos];
    if (authority_begin != std::string_view::npos && pos >= authority_begin && pos < authority_end) {
      return c != '.' && c != ':' && c != '@' && c != '/';
    }
    return c != '/';
  };
  return GlobMatch(Compile(pattern, true), uri, star_accepts);
}

bool MatchEmailPattern(std::string_view pattern, std::string_view email) {
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  const std::size_t pattern_at = pattern.rfind('@');
  if (pattern_at == std::string_view::npos) return MatchDnsPattern(pattern, domain);
  const std::string_view local_pattern = pattern.substr(0, pattern_at);
  const std::string_view domain_pattern = pattern.substr(pattern_at + 1);
  return GlobMatch(Compile(local_pattern, false), local, [&](std::size_t pos) { return local[pos] != '@'; }) &&
         MatchDnsPattern(domain_pattern, domain);
}

bool MatchGlob(std::string_view pattern, std::string_view value) {
  return GlobMatch(Compile(pattern, false), value, [](std::size_t) { return true; });
}

bool IsValidDnsName(std::string_view name, bool allow_wildcard) {
  if (name.empty() || name.size() > 253) return false;
  const std::vector<std::string_view> labels = Split(name, '.');
  for (std::size_t k = 0; k < labels.size(); ++k) {
    if (k == 0 && allow_wildcard && labels[k] == "*" && labels.size() >= 2) continue;
    if (!IsValidLabel(labels[k])) return false;
  }
  return true;
}

bool IsValidUri(std::string_view uri) {
  const std::size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == uri.size()) return false;
  const std::string_view scheme = uri.substr(0, colon);
  if (!((scheme[0] >= 'a' && scheme[0] <= 'z') || (scheme[0] >= 'A' && scheme[0] <= 'Z'))) return false;
  for (char c : scheme) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!ok) return false;
  }
  for (char c : uri) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  std::string_view rest = uri.substr(colon + 1);
  if (rest.substr(0, 2) == "//") {
    const std::size_t path = rest.find_first_of("/?#", 2);
    if (path == 2) return false;  // empty authority
    rest = path == std::string_view::npos ? std::string_view() : rest.substr(path);
  }
  rest = rest.substr(0, rest.find_first_of("?#"));
  for (std::string_view segment : Split(rest, '/')) {
    if (segment == "." || segment == "..") return false;
  }
  return true;
}

bool IsValidEmail(std::string_view email) {
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) return false;
  for (char c : email.substr(0, at)) {
    if (static_cast<unsigned char>(c) <= 0x20) return false;
  }
  return IsValidDnsName(email.substr(at + 1), false);
}

}  // namespace certplane::policy
