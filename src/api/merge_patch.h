// JSON merge patches (RFC 7386) between two encodings of an object, so a controller
// sends only what it changed and clears what it removed.
//
//   nlohmann::json before = {{"status", EncodeCertificateStatus(old_status)}};
//   nlohmann::json after  = {{"status", EncodeCertificateStatus(new_status)}};
//   nlohmann::json patch  = CreateMergePatch(before, after);
//   if (!patch.empty()) Patch(..., "application/merge-patch+json", patch.dump());
//
// A field present in `from` but not in `to` becomes null in the patch (removed); objects
// are diffed recursively; anything else that differs, lists included, is replaced whole,
// as RFC 7386 prescribes. Equal documents give an empty object.
#pragma once

#include <nlohmann/json.hpp>

namespace certplane::api {

nlohmann::json CreateMergePatch(const nlohmann::json& from, const nlohmann::json& to);

}  // namespace certplane::api
