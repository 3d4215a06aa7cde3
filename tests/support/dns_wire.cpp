#include "dns_wire.h"

#include "base/text.h"

namespace certplane::testing::dns {

std::string Normal(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return AsciiLower(name);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

void Put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}

void Put32(std::string& out, std::uint32_t v) {
  Put16(out, static_cast<std::uint16_t>(v >> 16));
  Put16(out, static_cast<std::uint16_t>(v & 0xffff));
}

std::uint16_t Get16(std::string_view in, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(in[at]) << 8) | static_cast<unsigned char>(in[at + 1]));
}

std::uint32_t Get32(std::string_view in, std::size_t at) {
  return (static_cast<std::uint32_t>(Get16(in, at)) << 16) | Get16(in, at + 2);
}

std::string EncodeName(std::string_view name) {
  std::string out;
  while (!name.empty()) {
    const std::size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    out += static_cast<char>(label.size() > 63 ? 63 : label.size());
    out += label.substr(0, 63);
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  out += '\0';
  return out;
}

std::optional<std::string> ReadName(std::string_view message, std::size_t& at, bool allow_pointers) {
  std::string name;
  std::size_t wire_length = 1;  // the root label
  std::size_t pos = at;
  std::optional<std::size_t> after_pointer;  // where `at` goes once a pointer was followed
  for (;;) {
    if (pos >= message.size()) return std::nullopt;
    const auto n = static_cast<unsigned char>(message[pos]);
    if (n == 0) {
      at = after_pointer.value_or(pos + 1);
      return name;
    }
    if ((n & 0xc0) == 0xc0) {
      if (!allow_pointers || pos + 2 > message.size()) return std::nullopt;
      const std::size_t target = Get16(message, pos) & 0x3fff;
      if (target >= pos) return std::nullopt;  // only backwards: no loops
      if (!after_pointer) after_pointer = pos + 2;
      pos = target;
      continue;
    }
    if ((n & 0xc0) != 0) return std::nullopt;  // 0x40 and 0x80 label types are reserved
    if (pos + 1 + n > message.size()) return std::nullopt;
    const std::string_view label = message.substr(pos + 1, n);
    if (label.find('.') != std::string_view::npos) return std::nullopt;
    wire_length += 1 + n;
    if (wire_length > 255) return std::nullopt;
    if (!name.empty()) name += '.';
    name += label;
    pos += 1 + n;
  }
}

std::optional<WireRr> ReadRr(std::string_view message, std::size_t& at) {
  WireRr rr;
  rr.offset = at;
  std::size_t pos = at;
  std::optional<std::string> name = ReadName(message, pos);
  if (!name || pos + 10 > message.size()) return std::nullopt;
  rr.name = std::move(*name);
  rr.type = Get16(message, pos);
  rr.klass = Get16(message, pos + 2);
  rr.ttl = Get32(message, pos + 4);
  const std::size_t length = Get16(message, pos + 8);
  pos += 10;
  if (pos + length > message.size()) return std::nullopt;
  rr.rdata = message.substr(pos, length);
  at = pos + length;
  return rr;
}

std::string TxtRdata(std::string_view value) {
  std::string out;
  do {
    const std::size_t n = value.size() > 255 ? 255 : value.size();
    out += static_cast<char>(n);
    out += value.substr(0, n);
    value.remove_prefix(n);
  } while (!value.empty());
  return out;
}

std::optional<std::string> TxtValue(std::string_view rdata) {
  if (rdata.empty()) return std::nullopt;
  std::string value;
  while (!rdata.empty()) {
    const auto n = static_cast<unsigned char>(rdata.front());
    if (1 + static_cast<std::size_t>(n) > rdata.size()) return std::nullopt;
    value += rdata.substr(1, n);
    rdata.remove_prefix(1 + n);
  }
  return value;
}

bool InZone(std::string_view name, std::string_view zone) {
  if (zone.empty() || name == zone) return true;
  return name.size() > zone.size() && name.ends_with(zone) && name[name.size() - zone.size() - 1] == '.';
}

}  // namespace certplane::testing::dns
