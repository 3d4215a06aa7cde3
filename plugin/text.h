// Text output shared by the commands: kubectl-style tables, relative ages, and YAML
// from JSON. Pure.
//
//   FormatTable({"NAME", "STATE"}, {{"frontend", "active"}});
//   // "NAME       STATE\nfrontend   active\n"
//   FormatAge(std::chrono::hours(49));    // "2d1h"
//   JsonToYaml(R"({"items":[{"serialNumber":"0123"}]})"_json);
//   // "items:\n  - serialNumber: \"0123\"\n"
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace certplane::plugin {

// Left-aligned columns separated by three spaces, as kubectl prints them; no trailing
// spaces. Rows shorter than the header are padded with empty cells.
std::string FormatTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

// A duration the way kubectl prints ages: "45s", "12m", "5h3m", "2d1h", "400d" (two
// units at most, the larger first). Negative durations print as their magnitude.
std::string FormatAge(std::chrono::seconds d);

// "in 29d" or "12m ago" relative to now ("now" within a second).
std::string Relative(std::chrono::sys_seconds when, std::chrono::sys_seconds now);

// YAML block style. Strings that a YAML reader would take for something else (numbers,
// booleans, null, timestamps, empty) are double-quoted; everything else is plain.
std::string JsonToYaml(const nlohmann::json& value);

}  // namespace certplane::plugin
