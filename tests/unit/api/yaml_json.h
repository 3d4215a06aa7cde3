// Test helper: YAML manifests to the JSON the API server would store, so tests can feed
// the example manifests to the decoders.
//
//   std::vector<nlohmann::json> docs = YamlFileToJson(CERTPLANE_EXAMPLES_DIR "/01-root-ca.yaml");
//
// Plain scalars are typed as YAML 1.2's core schema types them (null, true/false,
// integers, floats, else strings); quoted scalars are always strings. Empty documents
// are skipped. Throws (failing the test) on unreadable files or malformed YAML.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace certplane::testing_support {

std::vector<nlohmann::json> YamlToJson(const std::string& yaml);
std::vector<nlohmann::json> YamlFileToJson(const std::string& path);

}  // namespace certplane::testing_support
