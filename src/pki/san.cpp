#include "pki/san.h"

#include "base/result.h"

#include <arpa/inet.h>

#include <cstdint>

namespace certplane::pki {
namespace {

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

Status Invalid(std::string_view value, std::string_view why) {
  return InvalidArgument("\"" + std::string(value) + "\": " + std::string(why));
}

// An LDH hostname; `allow_wildcard` lets the leftmost label be exactly "*".
Status CheckHostname(std::string_view value, bool allow_wildcard) {
  if (value.empty()) return Invalid(value, "empty DNS name");
  if (value.size() > 253) return Invalid(value, "DNS name longer than 253 characters");
  if (value.back() == '.') return Invalid(value, "DNS name ends with a dot");
  size_t start = 0;
  int labels = 0;
  while (start <= value.size()) {
    size_t dot = value.find('.', start);
    if (dot == std::string_view::npos) dot = value.size();
    std::string_view label = value.substr(start, dot - start);
    if (label.empty()) return Invalid(value, "empty label");
    if (label.size() > 63) return Invalid(value, "label longer than 63 characters");
    if (label == "*") {
      if (!allow_wildcard || labels != 0) return Invalid(value, "a wildcard may only be the whole leftmost label");
    } else {
      for (char c : label) {
        if (!IsAlnum(c) && c != '-') {
          return Invalid(value,
                         std::string("character '") + c + "' is not allowed in a DNS label (letters, digits, '-')");
        }
      }
      if (label.front() == '-' || label.back() == '-') return Invalid(value, "label starts or ends with '-'");
    }
    ++labels;
    start = dot + 1;
  }
  if (value.front() == '*' && labels < 2) return Invalid(value, "a wildcard needs a parent domain");
  return Status::Ok();
}

}  // namespace

Status ValidateDnsName(std::string_view value) { return CheckHostname(value, /*allow_wildcard=*/true); }

Status ValidateIpAddress(std::string_view value) {
  std::string text(value);
  unsigned char buf[16];
  if (text.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, text.c_str(), buf) == 1) return Status::Ok();
  } else if (inet_pton(AF_INET6, text.c_str(), buf) == 1) {
    return Status::Ok();
  }
  return Invalid(value, "not an IPv4 or IPv6 address");
}

Status ValidateUri(std::string_view value) {
  if (value.empty()) return Invalid(value, "empty URI");
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return Invalid(value, "URI has a space, control or non-ASCII character");
  }
  size_t colon = value.find(':');
  if (colon == std::string_view::npos || colon == 0) return Invalid(value, "not an absolute URI (no scheme)");
  std::string_view scheme = value.substr(0, colon);
  if (!(scheme[0] >= 'a' && scheme[0] <= 'z') && !(scheme[0] >= 'A' && scheme[0] <= 'Z')) {
    return Invalid(value, "URI scheme must start with a letter");
  }
  for (char c : scheme) {
    if (!IsAlnum(c) && c != '+' && c != '-' && c != '.') return Invalid(value, "invalid character in URI scheme");
  }
  std::string_view rest = value.substr(colon + 1);
  if (rest.empty()) return Invalid(value, "URI has nothing after the scheme");
  if (rest.starts_with("//")) {
    std::string_view authority = rest.substr(2, rest.find_first_of("/?#", 2) - 2);
    if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
    if (authority.empty()) return Invalid(value, "URI has an empty host");
  }
  return Status::Ok();
}

Status ValidateEmailAddress(std::string_view value) {
  size_t at = value.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == value.size()) {
    return Invalid(value, "not an email address (local@domain)");
  }
  std::string_view local = value.substr(0, at);
  if (local.size() > 64) return Invalid(value, "email local part longer than 64 characters");
  for (char c : local) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '@' || c == '"' || c == '\\' || c == '(' || c == ')' || c == ',' || c == ';' ||
        c == ':' || c == '<' || c == '>' || c == '[' || c == ']') {
      return Invalid(value, "email local part has a character outside RFC 5321 dot-atom text");
    }
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return Invalid(value, "email local part has a misplaced dot");
  }
  Status domain = CheckHostname(value.substr(at + 1), /*allow_wildcard=*/false);
  if (!domain.ok()) return Invalid(value, "email domain: " + domain.message());
  return Status::Ok();
}

Status ValidateSubjectAltNames(const SubjectAltNames& names) {
  auto check = [](const std::vector<std::string>& values, std::string_view field, Status (*fn)(std::string_view)) {
    for (size_t i = 0; i < values.size(); ++i) {
      Status s = fn(values[i]);
      if (!s.ok()) return s.WithContext(std::string(field) + "[" + std::to_string(i) + "]");
    }
    return Status::Ok();
  };
  CERTPLANE_RETURN_IF_ERROR(check(names.dns_names, "dnsNames", ValidateDnsName));
  CERTPLANE_RETURN_IF_ERROR(check(names.ip_addresses, "ipAddresses", ValidateIpAddress));
  CERTPLANE_RETURN_IF_ERROR(check(names.uris, "uris", ValidateUri));
  CERTPLANE_RETURN_IF_ERROR(check(names.email_addresses, "emailAddresses", ValidateEmailAddress));
  return Status::Ok();
}

}  // namespace certplane::pki
