// DnsResponder: an authoritative DNS server on 127.0.0.1 (UDP and TCP, one port) for
// tests of the ACME validators and of ACME clients (lego, certbot) against certplane.
//
//   certplane::testing::DnsResponder dns("test.");
//   dns.SetA("web.test", "127.0.0.1");
//   dns.SetTxt("_acme-challenge.web.test", {Dns01TxtValue(key_authz)});
//   Resolver resolver(dns.address());                     // "127.0.0.1:<port>"
//
// Records come from SetA/SetAaaa/SetTxt/SetCname and from an optional zone file, re-read
// on every query, one record per line "<name> <TYPE> <value>" (TYPE A, AAAA, TXT or
// CNAME; a TXT value may be in double quotes; '#' starts a comment line), so another
// process (lego's `exec` DNS provider script) can add TXT records by appending lines.
// Names are case-insensitive, with or without the trailing dot.
//
// Under the configured zone it answers SOA at the apex (and in the authority section of
// empty answers), NS at the apex naming ns.<zone>, which has the A record 127.0.0.1, so
// clients that look for the zone's start of authority (lego) find it. CNAMEs are
// followed inside the answer. Names with no records get NXDOMAIN. Answers larger than
// 512 bytes over UDP are truncated (TC) so clients retry over TCP. Malformed queries
// are dropped.
//
// Dynamic updates (RFC 2136), as cert-manager's rfc2136 dns-01 provider and nsupdate
// send them, are accepted once a TSIG key (RFC 8945, hmac-sha256) is allowed:
//
//   dns.AllowUpdates("certplane-test-key.", secret);  // raw bytes; clients get base64
//   // nsupdate -y hmac-sha256:certplane-test-key.:<base64> adds _acme-challenge TXT
//
// An UPDATE (UDP or TCP) must be signed with that key and name this zone; it may add
// TXT, A and AAAA records, delete an RRset (class ANY), every RRset at a name (ANY ANY)
// or one record (class NONE), all inside the zone. It is applied all or nothing to the
// same records SetTxt writes (Clear removes them; the TTL is not kept), and the answer
// is signed. Refused: every UPDATE before AllowUpdates and unsigned ones (REFUSED); an
// unknown key or algorithm (NOTAUTH, BADKEY), a wrong or truncated MAC (NOTAUTH,
// BADSIG; both answered unsigned), a time signed outside the fudge (NOTAUTH, BADTIME,
// signed); another zone (NOTAUTH), names outside it (NOTZONE), malformed messages
// (FORMERR), prerequisites and adds of other types (NOTIMP). See dns_update.h.
//
// The server runs in a thread from construction to destruction.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "dns_update.h"

namespace certplane::testing {

class DnsResponder {
 public:
  // Throws std::runtime_error if it cannot bind a port.
  explicit DnsResponder(const std::string& zone = "test.", std::string zone_file = "");
  ~DnsResponder();
  DnsResponder(const DnsResponder&) = delete;
  DnsResponder& operator=(const DnsResponder&) = delete;

  int port() const { return port_; }
  std::string address() const;  // "127.0.0.1:<port>"

  // Each Set replaces the records of that type at `name`.
  void SetA(const std::string& name, const std::string& ipv4);
  void SetAaaa(const std::string& name, const std::string& ipv6);
  void SetTxt(const std::string& name, std::vector<std::string> values);
  void SetCname(const std::string& name, const std::string& target);
  // Removes every record set at `name` (records of the zone file stay).
  void Clear(const std::string& name);

  // Accepts from now on dynamic UPDATEs signed with TSIG key `key_name` (compared
  // case-insensitively, with or without the trailing dot) and `secret` (the raw key
  // bytes, not base64), hmac-sha256. Replaces a key allowed before.
  void AllowUpdates(const std::string& key_name, std::string secret);

  // Well-formed queries answered so far (UPDATEs not included).
  std::size_t queries() const { return queries_.load(); }
  // UPDATEs applied so far.
  std::size_t updates() const { return updates_.load(); }

  struct Records {
    std::vector<std::array<std::uint8_t, 4>> a;
    std::vector<std::array<std::uint8_t, 16>> aaaa;
    std::vector<std::string> txt;
    std::optional<std::string> cname;
  };

  // Owns a file descriptor (the server's sockets, and Exchange's below).
  class OwnedFd {
   public:
    OwnedFd() = default;
    explicit OwnedFd(int fd) : fd_(fd) {}
    ~OwnedFd();
    OwnedFd(OwnedFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    OwnedFd& operator=(OwnedFd&& o) noexcept;
    int get() const { return fd_; }

   private:
    int fd_ = -1;
  };

 private:
  void Serve();
  void ServeTcp(const OwnedFd& connection);
  // The response to one query, or "" to drop it.
  std::string Respond(std::string_view query, std::size_t limit);
  // The (signed) answer to an UPDATE, or "" to drop it.
  std::string RespondUpdate(std::string_view request);
  // Applies checked update operations at once; false, changing nothing, if one adds a
  // type the store has no place for.
  bool Apply(const std::vector<dns::UpdateOp>& ops);
  std::map<std::string, Records> Snapshot() const;

  std::string zone_;  // lower case, no trailing dot ("" for the root)
  std::string zone_file_;
  int port_ = 0;
  OwnedFd udp_;
  OwnedFd tcp_;
  OwnedFd wake_read_;   // Serve stops when
  OwnedFd wake_write_;  // the destructor writes here
  mutable std::mutex mu_;
  std::map<std::string, Records> records_;  // guarded by mu_
  std::optional<dns::TsigKey> key_;         // guarded by mu_; none: UPDATEs are refused
  std::atomic<std::size_t> queries_{0};
  std::atomic<std::size_t> updates_{0};
  std::thread thread_;
};

// Sends `packet` over UDP to 127.0.0.1:`port` and returns the reply, or nullopt when
// none of at least a DNS header's 12 bytes comes within `timeout`.
std::optional<std::string> Exchange(int port, const std::string& packet,
                                    std::chrono::milliseconds timeout = std::chrono::milliseconds(300));

}  // namespace certplane::testing
