#include "sync/name_template.h"

#include <optional>
#include <vector>

namespace certplane::sync {
namespace {

enum class Field { kNamespace, kName, kUid };

struct Piece {
  std::string literal;         // text before the field (or the trailing text)
  std::optional<Field> field;  // none for the trailing text
};

Result<std::vector<Piece>> Split(std::string_view templ) {
  std::vector<Piece> pieces;
  std::string literal;
  for (std::size_t i = 0; i < templ.size(); ++i) {
    if (templ[i] == '}') return InvalidArgument("name template \"" + std::string(templ) + "\": '}' without '{'");
    if (templ[i] != '{') {
      literal += templ[i];
      continue;
    }
    const std::size_t close = templ.find('}', i);
    if (close == std::string_view::npos) {
      return InvalidArgument("name template \"" + std::string(templ) + "\": '{' without '}'");
    }
    const std::string_view key = templ.substr(i + 1, close - i - 1);
    Field field;
    if (key == "namespace") {
      field = Field::kNamespace;
    } else if (key == "name") {
      field = Field::kName;
    } else if (key == "uid") {
      field = Field::kUid;
    } else {
      return InvalidArgument("name template \"" + std::string(templ) + "\": unknown placeholder {" + std::string(key) +
                             "} (use {namespace}, {name} or {uid})");
    }
    pieces.push_back({std::move(literal), field});
    literal.clear();
    i = close;
  }
  pieces.push_back({std::move(literal), std::nullopt});
  return pieces;
}

bool InNamespaceAlphabet(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }
bool InNameAlphabet(char c) { return InNamespaceAlphabet(c) || c == '.'; }

}  // namespace

Status CheckNamesApart(std::string_view templ) {
  Result<std::vector<Piece>> pieces = Split(templ);
  if (!pieces.ok()) return pieces.status();
  const std::vector<Piece>& p = *pieces;
  int ns_at = -1;
  int name_at = -1;
  for (int i = 0; i < static_cast<int>(p.size()); ++i) {
    if (p[i].field == Field::kUid) return Status::Ok();
    if (p[i].field == Field::kNamespace && ns_at < 0) ns_at = i;
    if (p[i].field == Field::kName && name_at < 0) name_at = i;
  }
  const std::string why = "name template \"" + std::string(templ) + "\" could give two certificates one name: ";
  if (ns_at < 0 || name_at < 0) {
    return InvalidArgument(why + "it needs {uid}, or both {namespace} and {name}");
  }
  // The literal right after the first of the two fields must end that field's value
  // unambiguously: its first character cannot occur in the field.
  const int first = std::min(ns_at, name_at);
  const std::string& after = p[first + 1].literal;
  const bool ns_first = first == ns_at;
  const bool bounded =
      !after.empty() && (ns_first ? !InNamespaceAlphabet(after.front()) : !InNameAlphabet(after.front()));
  if (!bounded) {
    return InvalidArgument(why +
                           (ns_first ? "after {namespace} put a character no namespace holds (such as /), "
                                     : "after {name} put a character no Certificate name holds (such as /), ") +
                           "or use {uid}");
  }
  return Status::Ok();
}

Result<std::string> RenderName(std::string_view templ, const NameFields& fields) {
  CERTPLANE_RETURN_IF_ERROR(CheckNamesApart(templ));
  Result<std::vector<Piece>> pieces = Split(templ);
  if (!pieces.ok()) return pieces.status();
  std::string out;
  for (const Piece& piece : *pieces) {
    out += piece.literal;
    if (!piece.field) continue;
    switch (*piece.field) {
      case Field::kNamespace: out += fields.namespace_; break;
      case Field::kName: out += fields.name; break;
      case Field::kUid: out += fields.uid; break;
    }
  }
  return out;
}

}  // namespace certplane::sync
