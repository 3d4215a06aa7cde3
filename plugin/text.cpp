#include "text.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "base/text.h"

namespace certplane::plugin {
namespace {

// Whether a plain scalar with this text would be read back as anything but this string
// by a YAML 1.1 or 1.2 reader: empty, null/bool words, or text that starts like a number
// or a timestamp (digits, a sign, a dot). Quoting those is always safe.
bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  static const char* const kWords[] = {"null", "~", "true", "false", "yes",  "no",    "on",
                                       "off",  "y", "n",    ".nan",  ".inf", "-.inf", "+.inf"};
  const std::string l = AsciiLower(s);
  for (const char* w : kWords) {
    if (l == w) return true;
  }
  const unsigned char c = static_cast<unsigned char>(s[0]);
  return std::isdigit(c) != 0 || c == '-' || c == '+' || c == '.';
}

void Emit(YAML::Emitter& out, const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, item] : v.items()) {
        out << YAML::Key;
        if (NeedsQuotes(key)) out << YAML::DoubleQuoted;
        out << key << YAML::Value;
        Emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& item : v) Emit(out, item);
      out << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (NeedsQuotes(s)) out << YAML::DoubleQuoted;
      out << s;
      break;
    }
    case nlohmann::json::value_t::boolean: out << v.get<bool>(); break;
    case nlohmann::json::value_t::number_integer: out << v.get<std::int64_t>(); break;
    case nlohmann::json::value_t::number_unsigned: out << v.get<std::uint64_t>(); break;
    case nlohmann::json::value_t::number_float: out << v.get<double>(); break;
    default: out << YAML::Null; break;
  }
}

}  // namespace

std::string FormatTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t i = 0; i < header.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : std::string();
      l += cell;
      if (i + 1 < header.size()) l += std::string(width[i] - cell.size() + 3, ' ');
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
  return out;
}

std::string FormatAge(std::chrono::seconds d) {
  std::int64_t s = d.count() < 0 ? -d.count() : d.count();
  const std::int64_t days = s / 86400, hours = (s % 86400) / 3600, minutes = (s % 3600) / 60, secs = s % 60;
  auto two = [](std::int64_t a, const char* ua, std::int64_t b, const char* ub) {
    std::string out = std::to_string(a) + ua;
    if (b != 0) out += std::to_string(b) + ub;
    return out;
  };
  if (days >= 10) return std::to_string(days) + "d";
  if (days > 0) return two(days, "d", hours, "h");
  if (hours > 0) return two(hours, "h", minutes, "m");
  if (minutes > 0) return two(minutes, "m", secs, "s");
  return std::to_string(secs) + "s";
}

std::string Relative(std::chrono::sys_seconds when, std::chrono::sys_seconds now) {
  if (when == now) return "now";
  if (when > now) return "in " + FormatAge(when - now);
  return FormatAge(now - when) + " ago";
}

std::string JsonToYaml(const nlohmann::json& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  out.SetMapFormat(YAML::Block);
  Emit(out, value);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += "\n";
  return text;
}

}  // namespace certplane::plugin
