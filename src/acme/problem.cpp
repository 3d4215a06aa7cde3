#include "acme/problem.h"

#include <nlohmann/json.hpp>

namespace certplane::acme {

std::string_view ProblemTypeName(ProblemType type) {
  switch (type) {
    case ProblemType::kAccountDoesNotExist: return "accountDoesNotExist";
    case ProblemType::kAlreadyRevoked: return "alreadyRevoked";
    case ProblemType::kBadCsr: return "badCSR";
    case ProblemType::kBadNonce: return "badNonce";
    case ProblemType::kBadPublicKey: return "badPublicKey";
    case ProblemType::kBadRevocationReason: return "badRevocationReason";
    case ProblemType::kBadSignatureAlgorithm: return "badSignatureAlgorithm";
    case ProblemType::kCaa: return "caa";
    case ProblemType::kCompound: return "compound";
    case ProblemType::kConnection: return "connection";
    case ProblemType::kDns: return "dns";
    case ProblemType::kExternalAccountRequired: return "externalAccountRequired";
    case ProblemType::kIncorrectResponse: return "incorrectResponse";
    case ProblemType::kInvalidContact: return "invalidContact";
    case ProblemType::kMalformed: return "malformed";
    case ProblemType::kOrderNotReady: return "orderNotReady";
    case ProblemType::kRateLimited: return "rateLimited";
    case ProblemType::kRejectedIdentifier: return "rejectedIdentifier";
    case ProblemType::kServerInternal: return "serverInternal";
    case ProblemType::kTls: return "tls";
    case ProblemType::kUnauthorized: return "unauthorized";
    case ProblemType::kUnsupportedContact: return "unsupportedContact";
    case ProblemType::kUnsupportedIdentifier: return "unsupportedIdentifier";
    case ProblemType::kUserActionRequired: return "userActionRequired";
  }
  return "serverInternal";
}

std::string ProblemTypeUrn(ProblemType type) {
  return "urn:ietf:params:acme:error:" + std::string(ProblemTypeName(type));
}

int DefaultHttpStatus(ProblemType type) {
  switch (type) {
    case ProblemType::kUnauthorized:
    case ProblemType::kExternalAccountRequired:
    case ProblemType::kRejectedIdentifier:
    case ProblemType::kUnsupportedIdentifier:
    case ProblemType::kOrderNotReady:
    case ProblemType::kUserActionRequired:
    case ProblemType::kCaa: return 403;
    case ProblemType::kAccountDoesNotExist: return 400;  // RFC 8555 7.3.1 and Boulder: 400 with accountDoesNotExist
    case ProblemType::kRateLimited: return 429;
    case ProblemType::kServerInternal: return 500;
    default: return 400;
  }
}

nlohmann::json ProblemToJson(const Problem& problem) {
  nlohmann::json out = {{"type", ProblemTypeUrn(problem.type)}, {"status", problem.http_status()}};
  if (!problem.detail.empty()) out["detail"] = problem.detail;
  if (problem.identifier)
    out["identifier"] = {{"type", problem.identifier->type}, {"value", problem.identifier->value}};
  if (!problem.subproblems.empty()) {
    nlohmann::json subs = nlohmann::json::array();
    for (const Problem& sub : problem.subproblems) subs.push_back(ProblemToJson(sub));
    out["subproblems"] = std::move(subs);
  }
  return out;
}

}  // namespace certplane::acme
