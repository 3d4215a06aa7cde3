#include "acme/identifiers.h"

#include <algorithm>
#include <cctype>

#include "base/text.h"
#include "policy/ip.h"
#include "policy/patterns.h"

namespace certplane::acme {

bool IsWildcard(const Identifier& id) { return id.type == "dns" && id.value.rfind("*.", 0) == 0; }

ProblemOr<std::vector<Identifier>> NormalizeIdentifiers(const nlohmann::json& identifiers) {
  if (!identifiers.is_array() || identifiers.empty()) {
    return MakeProblem(ProblemType::kMalformed, "identifiers: want a non-empty array of {\"type\", \"value\"}");
  }
  if (identifiers.size() > kMaxIdentifiersPerOrder) {
    return MakeProblem(ProblemType::kMalformed, "identifiers: at most " + std::to_string(kMaxIdentifiersPerOrder) +
                                                    " per order, got " + std::to_string(identifiers.size()));
  }
  std::vector<Identifier> out;
  std::vector<Problem> rejected;
  for (std::size_t i = 0; i < identifiers.size(); ++i) {
    const nlohmann::json& entry = identifiers[i];
    std::string where = "identifiers[" + std::to_string(i) + "]";
    if (!entry.is_object() || !entry.contains("type") || !entry.contains("value") || !entry["type"].is_string() ||
        !entry["value"].is_string()) {
      return MakeProblem(ProblemType::kMalformed, where + ": want {\"type\": string, \"value\": string}");
    }
    Identifier id{entry["type"].get<std::string>(), entry["value"].get<std::string>()};
    if (id.type == "dns") {
      id.value = AsciiLower(id.value);
      if (!id.value.empty() && id.value.back() == '.') id.value.pop_back();
      if (!policy::IsValidDnsName(id.value, /*allow_wildcard=*/true)) {
        Problem p =
            MakeProblem(ProblemType::kRejectedIdentifier, where + ": \"" + id.value +
                                                              "\" is not a valid DNS name (a wildcard may only be the "
                                                              "whole first label, as in *.example.com)");
        p.identifier = id;
        rejected.push_back(std::move(p));
        continue;
      }
    } else if (id.type == "ip") {
      if (!policy::ParseIp(id.value)) {
        Problem p =
            MakeProblem(ProblemType::kRejectedIdentifier, where + ": \"" + id.value + "\" is not an IP address");
        p.identifier = id;
        rejected.push_back(std::move(p));
        continue;
      }
      id.value = policy::CanonicalIp(id.value);
    } else {
      return MakeProblem(ProblemType::kUnsupportedIdentifier,
                         where + ": identifier type \"" + id.type + "\" is not supported (dns and ip are)");
    }
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
  }
  if (!rejected.empty()) {
    if (rejected.size() == 1) return rejected.front();
    Problem p = MakeProblem(ProblemType::kRejectedIdentifier,
                            std::to_string(rejected.size()) + " identifiers were refused; see subproblems");
    p.subproblems = std::move(rejected);
    return p;
  }
  return out;
}

std::vector<api::AcmeChallenge> ChallengesFor(const Identifier& id, const std::vector<api::AcmeChallenge>& offered) {
  std::vector<api::AcmeChallenge> out;
  for (api::AcmeChallenge c : offered) {
    if (IsWildcard(id) && c != api::AcmeChallenge::kDns01) continue;
    if (id.type == "ip" && c == api::AcmeChallenge::kDns01) continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace certplane::acme
