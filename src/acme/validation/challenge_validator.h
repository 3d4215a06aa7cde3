// ChallengeValidator: checks that an ACME client controls an identifier, by the
// challenge it chose (RFC 8555 section 8, RFC 8737 tls-alpn-01, RFC 8738 ip identifiers).
//
//   ChallengeValidator validator({.dns_server = "10.96.0.10:53"});
//   std::optional<Problem> problem =
//       validator.Validate(api::AcmeChallenge::kHttp01, {"dns", "shop.example.com"}, token,
//                          key_authorization, address_policy);
//   if (!problem) MarkValid(challenge); else MarkInvalid(challenge, *problem);
//
// How each challenge is checked:
// - http-01: GET http://<name>/.well-known/acme-challenge/<token> (HTTP/1.1, port
//   http01_port); the status must be 200 and the body, trailing whitespace trimmed, the
//   key authorization. Redirects are not followed. At most 8 KiB of response is read.
// - dns-01: a TXT record at _acme-challenge.<name> ("*." stripped) must be
//   Dns01TxtValue(key_authorization).
// - tls-alpn-01: a TLS 1.2+ handshake with SNI <name> and ALPN "acme-tls/1", which the
//   server must select; its certificate (not verified against any CA) must have exactly
//   one subjectAltName, the identifier, and a critical id-pe-acmeIdentifier extension
//   holding the DER OCTET STRING of SHA-256(key_authorization).
//
// For http-01 and tls-alpn-01 the validator resolves the name itself (A, then AAAA),
// drops the addresses the AddressPolicy refuses and connects to the remaining IPs in
// order, never by name: a name cannot pass the policy check with one address and be
// connected to at another (DNS rebinding). An address that cannot be reached is skipped
// for the next one; the first address that answers decides. Each DNS query and each
// connection attempt (connect, handshake, request and response) is bounded by
// options.timeout.
//
// Thread-safe: Validate is const and keeps no state between calls.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "acme/problem.h"
#include "acme/validation/address_policy.h"
#include "acme/validation/resolver.h"
#include "api/enums.h"

namespace certplane::acme {

struct ValidatorOptions {
  std::optional<std::string> dns_server;  // "127.0.0.1:5353"; nullopt: /etc/resolv.conf
  int http01_port = 80;                   // tests use other ports (flags of the controller)
  int tls_alpn01_port = 443;
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};

class ChallengeValidator {
 public:
  explicit ChallengeValidator(ValidatorOptions options);

  // nullopt: the challenge is satisfied. Otherwise a Problem whose detail names the
  // address and what was wrong:
  //   dns                  the lookup failed, or no TXT record (dns-01)
  //   rejectedIdentifier   the policy refused every address of the name (each named, with why)
  //   connection           connection refused or timed out, at every address
  //   incorrectResponse    wrong body, status other than 200 (redirects included), wrong
  //                        TXT value, wrong acmeIdentifier digest
  //   tls                  handshake failed, acme-tls/1 not negotiated, a certificate
  //                        without exactly the one right SAN or the critical extension
  //   unsupportedIdentifier  an identifier type other than dns and ip, or ip with dns-01
  //   malformed            a name or token that cannot be used (a wildcard outside dns-01)
  std::optional<Problem> Validate(api::AcmeChallenge type, const Identifier& identifier, std::string_view token,
                                  std::string_view key_authorization, const AddressPolicy& policy) const;

 private:
  std::optional<Problem> ValidateDns01(const std::string& name, std::string_view key_authorization) const;

  ValidatorOptions options_;
  Resolver resolver_;
};

}  // namespace certplane::acme
