// Name templates: how a CertificateSync names what it pushes (a Secrets Manager secret,
// a Key Vault certificate) from the Certificate's namespace, name and uid.
//
//   Status apart = CheckNamesApart("certplane/{namespace}/{name}");   // OK
//   CheckNamesApart("{namespace}-{name}");  // refused: "a-b"+"c" and "a"+"b-c" collide
//   Result<std::string> name = RenderName("certplane/{namespace}/{name}",
//                                         {.namespace_ = "shop", .name = "web", .uid = "..."});
//
// A template must name every certificate apart, or two Certificates would overwrite one
// object: it contains {uid}, or it contains {namespace} and {name} where the text after
// {namespace} (when {name} follows it) starts with a character no namespace name holds
// (namespaces are DNS labels: a-z, 0-9 and -), or the text after {name} (when
// {namespace} follows it) starts with one no Certificate name holds (a-z, 0-9, - and .).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace certplane::sync {

struct NameFields {
  std::string namespace_;
  std::string name;
  std::string uid;
};

// OK when `templ` names every certificate apart (above); kInvalidArgument saying why
// otherwise, and for an unknown placeholder or an unclosed brace.
Status CheckNamesApart(std::string_view templ);

// The template with {namespace}, {name} and {uid} replaced. Fails as CheckNamesApart.
Result<std::string> RenderName(std::string_view templ, const NameFields& fields);

}  // namespace certplane::sync
