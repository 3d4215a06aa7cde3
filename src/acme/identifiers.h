// The identifiers of a newOrder (RFC 8555 section 7.4, RFC 8738 for IP addresses):
// checked, normalized and paired with the challenges that can prove them.
//
//   ProblemOr<std::vector<Identifier>> ids = NormalizeIdentifiers(payload["identifiers"]);
//   std::vector<api::AcmeChallenge> ways = ChallengesFor(id, profile_challenges);
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "acme/problem.h"
#include "api/enums.h"

namespace certplane::acme {

// At most this many identifiers per order (Let's Encrypt allows 100 too).
inline constexpr std::size_t kMaxIdentifiersPerOrder = 100;

// Lower-cases DNS names, writes IPs canonically (RFC 5952), drops duplicates and
// keeps the order. malformed for a missing or empty list, a non-object entry or too
// many; unsupportedIdentifier for a type other than "dns" and "ip"; rejectedIdentifier
// (one subproblem per bad identifier) for names that are not valid DNS names, a
// wildcard anywhere but the whole first label, and strings that are not IP addresses.
ProblemOr<std::vector<Identifier>> NormalizeIdentifiers(const nlohmann::json& identifiers);

// Which of the profile's challenge types can prove `id`, in the profile's order:
// a wildcard only by dns-01 (RFC 8555 section 8.4 and 7.1.3); an IP address only by
// http-01 and tls-alpn-01 (RFC 8738 section 7).
std::vector<api::AcmeChallenge> ChallengesFor(const Identifier& id, const std::vector<api::AcmeChallenge>& offered);

// "*.example.com" -> true.
bool IsWildcard(const Identifier& id);

}  // namespace certplane::acme
