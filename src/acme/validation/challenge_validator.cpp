#include "acme/validation/challenge_validator.h"

#include <utility>
#include <vector>

#include "acme/validation/challenge_values.h"
#include "acme/validation/validators.h"
#include "base/text.h"

namespace certplane::acme {
namespace {

// Letters, digits, hyphens and underscores in dot-separated labels of 1 to 63 characters,
// at most 253 in all. Strict on purpose: the name goes into a Host header, an SNI and a
// DNS query.
bool IsDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

// base64url characters only (RFC 8555 section 8.1), so the token is safe in a path.
bool IsToken(std::string_view token) {
  if (token.empty() || token.size() > 256) return false;
  for (char c : token) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

ChallengeValidator::ChallengeValidator(ValidatorOptions options)
    : options_(std::move(options)), resolver_(options_.dns_server, options_.timeout) {}

std::optional<Problem> ChallengeValidator::ValidateDns01(const std::string& name,
                                                         std::string_view key_authorization) const {
  const std::string record = "_acme-challenge." + name;
  Result<std::vector<std::string>> txt = resolver_.LookupTxt(record);
  if (!txt.ok()) {
    if (txt.status().code() == StatusCode::kNotFound) {
      return MakeProblem(ProblemType::kDns,
                         "dns-01: no TXT record found at " + record + " (" + txt.status().message() + ")");
    }
    return MakeProblem(ProblemType::kDns,
                       "dns-01: looking up the TXT record at " + record + " failed: " + txt.status().message());
  }
  const std::string expected = Dns01TxtValue(key_authorization);
  std::string seen;
  for (const std::string& value : *txt) {
    if (value == expected) return std::nullopt;
    if (!seen.empty()) seen += ", ";
    seen += Quoted(value, 64);
  }
  return MakeProblem(ProblemType::kIncorrectResponse, "dns-01: the TXT records at " + record + " are [" + seen +
                                                          "]; none is the expected " + Quoted(expected));
}

std::optional<Problem> ChallengeValidator::Validate(api::AcmeChallenge type, const Identifier& identifier,
                                                    std::string_view token, std::string_view key_authorization,
                                                    const AddressPolicy& policy) const {
  const std::string challenge(api::ToString(type));
  ValidationTarget target;
  std::vector<policy::IpAddress> addresses;

  if (identifier.type == "ip") {
    std::optional<policy::IpAddress> ip = policy::ParseIp(identifier.value);
    if (!ip)
      return MakeProblem(ProblemType::kMalformed,
                         "ip identifier " + Quoted(identifier.value) + " is not an IP address");
    if (type == api::AcmeChallenge::kDns01) {
      return MakeProblem(ProblemType::kUnsupportedIdentifier,
                         "dns-01 cannot validate the ip identifier " + identifier.value +
                             " (RFC 8738 allows http-01 and tls-alpn-01 for IP addresses)");
    }
    target.name = IpToString(*ip);
    target.ip = *ip;
    addresses.push_back(*ip);
  } else if (identifier.type == "dns") {
    std::string name = AsciiLower(identifier.value);
    if (!name.empty() && name.back() == '.') name.pop_back();
    const bool wildcard = name.starts_with("*.");
    if (wildcard) {
      if (type != api::AcmeChallenge::kDns01) {
        return MakeProblem(ProblemType::kMalformed, "the wildcard identifier " + identifier.value +
                                                        " can only be validated with dns-01, not " + challenge);
      }
      name = name.substr(2);
    }
    if (!IsDnsName(name)) {
      return MakeProblem(ProblemType::kMalformed,
                         "dns identifier " + Quoted(identifier.value) + " is not a valid DNS name");
    }
    if (type == api::AcmeChallenge::kDns01) return ValidateDns01(name, key_authorization);

    Result<std::vector<policy::IpAddress>> resolved = resolver_.LookupAddresses(name);
    if (!resolved.ok()) {
      return MakeProblem(ProblemType::kDns,
                         challenge + ": resolving " + name + " failed: " + resolved.status().message());
    }
    target.name = name;
    addresses = std::move(resolved).value();
  } else {
    return MakeProblem(ProblemType::kUnsupportedIdentifier,
                       "identifier type " + Quoted(identifier.type) + " is not supported (dns and ip are)");
  }

  if (type == api::AcmeChallenge::kHttp01 && !IsToken(token)) {
    return MakeProblem(ProblemType::kMalformed, "http-01: the token " + Quoted(token) + " is not base64url");
  }

  std::vector<policy::IpAddress> allowed;
  std::string refused;
  for (const policy::IpAddress& ip : addresses) {
    if (policy.Allows(ip)) {
      allowed.push_back(ip);
    } else {
      if (!refused.empty()) refused += ". ";
      refused += policy.WhyRefused(ip);
    }
  }
  if (allowed.empty()) {
    return MakeProblem(ProblemType::kRejectedIdentifier,
                       challenge + ": certplane may not connect to any address of " + target.name + ": " + refused);
  }

  const int port = type == api::AcmeChallenge::kHttp01 ? options_.http01_port : options_.tls_alpn01_port;
  std::vector<Problem> unreachable;
  for (const policy::IpAddress& ip : allowed) {
    const SocketAddress address{ip, port};
    const Clock::time_point deadline = Clock::now() + options_.timeout;
    std::optional<Problem> problem = type == api::AcmeChallenge::kHttp01
                                         ? CheckHttp01(address, target, token, key_authorization, deadline)
                                         : CheckTlsAlpn01(address, target, key_authorization, deadline);
    if (!problem) return std::nullopt;
    // The first address that answers decides; one that cannot be reached is skipped.
    if (problem->type != ProblemType::kConnection) {
      problem->detail = challenge + ": " + problem->detail;
      return problem;
    }
    unreachable.push_back(std::move(*problem));
  }
  Problem result = unreachable.front();
  if (unreachable.size() == 1) {
    result.detail = challenge + ": " + result.detail;
  } else {
    result.detail = challenge + ": could not connect to any address of " + target.name + ": ";
    for (std::size_t i = 0; i < unreachable.size(); ++i) {
      result.detail += (i > 0 ? "; " : "") + unreachable[i].detail;
    }
  }
  if (!refused.empty()) result.detail += " (not tried: " + refused + ")";
  return result;
}

}  // namespace certplane::acme
