// Resolver: the DNS lookups certplane does itself when it validates a challenge.
//
// The validator resolves names itself and then connects to the IP it checked against the
// AddressPolicy, never by name, so a name cannot resolve to a public address for the
// check and to a cluster address for the connection (DNS rebinding).
//
//   Resolver resolver("127.0.0.1:5353", std::chrono::seconds(2));   // or Resolver() for /etc/resolv.conf
//   Result<std::vector<policy::IpAddress>> ips = resolver.LookupAddresses("example.com");
//   Result<std::vector<std::string>> txt = resolver.LookupTxt("_acme-challenge.example.com");
//
// Built on glibc's libresolv with a res_state per call (res_ninit, res_nquery,
// ns_initparse, ns_parserr), so one Resolver may be used from several threads at once.
// CNAMEs in an answer are followed (and queried again when the server gave only the
// CNAME), up to 8 links. No search domains: names are looked up as given.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/ip.h"

namespace certplane::acme {

class Resolver {
 public:
  // `server`: "host:port" with an IPv4 host or "[IPv6]:port"; nullopt uses the servers of
  // /etc/resolv.conf. An unparsable server makes every lookup fail with InvalidArgument.
  // `timeout` bounds one query (libresolv counts whole seconds: it is rounded up, min 1s).
  explicit Resolver(std::optional<std::string> server = std::nullopt,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // The A records, then the AAAA records, of `name`. NotFound when the name has neither
  // (NXDOMAIN or no data); Unavailable for timeouts, SERVFAIL and refusals.
  Result<std::vector<policy::IpAddress>> LookupAddresses(std::string_view name) const;

  // The TXT records of `name`, each the concatenation of its character-strings. NotFound
  // for NXDOMAIN or no TXT record; Unavailable for timeouts, SERVFAIL and refusals.
  Result<std::vector<std::string>> LookupTxt(std::string_view name) const;

 private:
  // The records of type `type` (ns_t_a, ns_t_aaaa, ns_t_txt) of `name`, as raw RDATA.
  Result<std::vector<std::string>> Query(std::string_view name, int type) const;

  std::optional<std::string> server_;
  std::chrono::milliseconds timeout_;
};

}  // namespace certplane::acme
