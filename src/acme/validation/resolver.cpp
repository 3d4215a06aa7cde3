#include "acme/validation/resolver.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "acme/validation/net.h"
#include "base/text.h"

namespace certplane::acme {
namespace {

constexpr int kMaxCnameLinks = 8;
constexpr std::size_t kAnswerBufferSize = 65536;  // the largest DNS message (TCP)

// A res_state of its own for one lookup: res_ninit fills it, res_nclose releases what
// res_ninit and res_nquery allocated (sockets, IPv6 server addresses).
class ResState {
 public:
  ResState() { std::memset(&state_, 0, sizeof state_); }
  ~ResState() {
    if (initialised_) res_nclose(&state_);
  }
  ResState(const ResState&) = delete;
  ResState& operator=(const ResState&) = delete;

  bool Init() {
    initialised_ = res_ninit(&state_) == 0;
    return initialised_;
  }
  res_state get() { return &state_; }

 private:
  struct __res_state state_;
  bool initialised_ = false;
};

// Lower case, no trailing dot: the form names are compared in.
std::string NormalName(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return AsciiLower(name);
}

std::string_view TypeName(int type) {
  switch (type) {
    case ns_t_a: return "A";
    case ns_t_aaaa: return "AAAA";
    case ns_t_txt: return "TXT";
    case ns_t_cname: return "CNAME";
    default: return "?";
  }
}

// "127.0.0.1:53" or "[::1]:53" into a socket address.
std::optional<SocketAddress> ParseServer(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  int p = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || p <= 0 || p > 65535) return std::nullopt;
  std::optional<policy::IpAddress> ip = policy::ParseIp(host);
  if (!ip || ip->v6 != (text.front() == '[')) return std::nullopt;
  return SocketAddress{*ip, p};
}

// Points a freshly initialised res_state at one server instead of resolv.conf's.
// glibc notices that nsaddr_list no longer matches its configuration and uses the
// state's own servers; IPv6 servers live in _u._ext.nsaddrs (malloc'd: res_nclose frees
// them), with nsaddr_list[i].sin_family 0.
bool UseServer(res_state st, const SocketAddress& server) {
  for (int i = 0; i < MAXNS; ++i) {
    std::free(st->_u._ext.nsaddrs[i]);
    st->_u._ext.nsaddrs[i] = nullptr;
    st->_u._ext.nssocks[i] = -1;
    std::memset(&st->nsaddr_list[i], 0, sizeof st->nsaddr_list[i]);
  }
  st->_u._ext.nscount = 0;
  st->nscount = 1;
  if (!server.ip.v6) {
    sockaddr_in& a = st->nsaddr_list[0];
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(server.port));
    std::memcpy(&a.sin_addr, server.ip.bytes.data(), 4);
    return true;
  }
  // Owned by the res_state from here: res_nclose frees it.
  auto* a6 = static_cast<sockaddr_in6*>(std::calloc(1, sizeof(sockaddr_in6)));
  if (a6 == nullptr) return false;
  a6->sin6_family = AF_INET6;
  a6->sin6_port = htons(static_cast<std::uint16_t>(server.port));
  std::memcpy(&a6->sin6_addr, server.ip.bytes.data(), 16);
  st->_u._ext.nsaddrs[0] = a6;
  return true;
}

struct Record {
  std::string owner;  // NormalName
  int type = 0;
  std::string rdata;  // raw, except CNAME: the target's NormalName
};

}  // namespace

Resolver::Resolver(std::optional<std::string> server, std::chrono::milliseconds timeout)
    : server_(std::move(server)), timeout_(timeout) {}

Result<std::vector<std::string>> Resolver::Query(std::string_view name, int type) const {
  const std::string asked = NormalName(name);
  if (asked.empty() || asked.size() > 253) return InvalidArgument("\"" + std::string(name) + "\" is not a DNS name");
  std::optional<SocketAddress> server;
  if (server_) {
    server = ParseServer(*server_);
    if (!server) {
      return InvalidArgument("DNS server \"" + *server_ + "\" is not host:port with an IPv4 host or [IPv6]:port");
    }
  }
  const std::string where = server_ ? "DNS server " + *server_ : std::string("the DNS servers of /etc/resolv.conf");
  const long long seconds = std::max<long long>(1, (timeout_.count() + 999) / 1000);

  std::string current = asked;
  for (int link = 0; link <= kMaxCnameLinks; ++link) {
    ResState rs;
    if (!rs.Init()) return Unavailable("initialising the resolver failed (res_ninit)");
    res_state st = rs.get();
    st->retrans = static_cast<int>(seconds);
    st->retry = 1;
    st->options &= ~static_cast<unsigned long>(RES_DNSRCH | RES_DEFNAMES);
    if (server && !UseServer(st, *server)) return Unavailable("out of memory configuring the resolver");

    const std::string what = std::string(TypeName(type)) + " lookup of " + current +
                             (current != asked ? " (CNAME target of " + asked + ")" : "");
    std::vector<unsigned char> answer(kAnswerBufferSize);
    errno = 0;
    const int len = res_nquery(st, current.c_str(), ns_c_in, type, answer.data(), static_cast<int>(answer.size()));
    if (len < 0) {
      const int saved_errno = errno;
      switch (st->res_h_errno) {
        case HOST_NOT_FOUND: return NotFound(what + ": no such name (NXDOMAIN) at " + where);
        case NO_DATA:
          return NotFound(what + ": the name has no " + std::string(TypeName(type)) + " record at " + where);
        case TRY_AGAIN:
          if (saved_errno == ETIMEDOUT) {
            return Unavailable(what + ": no answer from " + where + " within " + std::to_string(seconds) + "s");
          }
          return Unavailable(what + ": " + where + " failed to answer (SERVFAIL or no response)");
        case NO_RECOVERY: return Unavailable(what + ": " + where + " refused the query or answered with an error");
        default:
          return Unavailable(what + " failed at " + where +
                             (saved_errno != 0 ? ": " + std::string(std::strerror(saved_errno)) : ""));
      }
    }

    ns_msg msg;
    if (ns_initparse(answer.data(), len, &msg) != 0) return Unavailable(what + ": malformed answer from " + where);
    std::vector<Record> records;
    const int count = ns_msg_count(msg, ns_s_an);
    for (int i = 0; i < count; ++i) {
      ns_rr rr;
      if (ns_parserr(&msg, ns_s_an, i, &rr) != 0) return Unavailable(what + ": malformed answer from " + where);
      if (ns_rr_class(rr) != ns_c_in) continue;
      Record r{NormalName(ns_rr_name(rr)), ns_rr_type(rr), {}};
      if (r.type == ns_t_cname) {
        char target[NS_MAXDNAME];
        if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), ns_rr_rdata(rr), target, sizeof target) < 0) continue;
        r.rdata = NormalName(target);
      } else {
        r.rdata.assign(reinterpret_cast<const char*>(ns_rr_rdata(rr)), ns_rr_rdlen(rr));
      }
      records.push_back(std::move(r));
    }

    // Follow the chain as far as the answer goes.
    std::string owner = current;
    for (int hop = 0; hop <= kMaxCnameLinks; ++hop) {
      std::vector<std::string> found;
      for (const Record& r : records) {
        if (r.owner == owner && r.type == type) found.push_back(r.rdata);
      }
      if (!found.empty()) return found;
      const Record* cname = nullptr;
      for (const Record& r : records) {
        if (r.owner == owner && r.type == ns_t_cname) cname = &r;
      }
      if (cname == nullptr) break;
      owner = cname->rdata;
    }
    if (owner == current)
      return NotFound(what + ": the answer from " + where + " has no " + std::string(TypeName(type)) + " record");
    current = owner;  // the answer ended at a CNAME: ask for its target
  }
  return Unavailable(std::string(TypeName(type)) + " lookup of " + asked + ": more than " +
                     std::to_string(kMaxCnameLinks) + " CNAME links");
}

Result<std::vector<policy::IpAddress>> Resolver::LookupAddresses(std::string_view name) const {
  std::vector<policy::IpAddress> out;
  Result<std::vector<std::string>> a = Query(name, ns_t_a);
  if (a.ok()) {
    for (const std::string& rdata : *a) {
      if (rdata.size() != 4) continue;
      policy::IpAddress ip;
      std::memcpy(ip.bytes.data(), rdata.data(), 4);
      out.push_back(ip);
    }
  } else if (a.status().code() == StatusCode::kInvalidArgument) {
    return a.status();
  }
  Result<std::vector<std::string>> aaaa = Query(name, ns_t_aaaa);
  if (aaaa.ok()) {
    for (const std::string& rdata : *aaaa) {
      if (rdata.size() != 16) continue;
      policy::IpAddress ip;
      ip.v6 = true;
      std::memcpy(ip.bytes.data(), rdata.data(), 16);
      out.push_back(ip);
    }
  }
  if (!out.empty()) return out;
  // Neither gave an address: a failure to answer matters more than an absent record.
  if (!a.ok() && a.status().code() != StatusCode::kNotFound) return a.status();
  if (!aaaa.ok() && aaaa.status().code() != StatusCode::kNotFound) return aaaa.status();
  return NotFound("no A or AAAA record for " + NormalName(name) + (a.ok() ? "" : " (" + a.status().message() + ")"));
}

Result<std::vector<std::string>> Resolver::LookupTxt(std::string_view name) const {
  Result<std::vector<std::string>> raw = Query(name, ns_t_txt);
  if (!raw.ok()) return raw.status();
  std::vector<std::string> out;
  for (const std::string& rdata : *raw) {
    // <length><bytes>... : the character-strings of one record, concatenated.
    std::string value;
    bool well_formed = true;
    for (std::size_t i = 0; i < rdata.size();) {
      const std::size_t n = static_cast<unsigned char>(rdata[i]);
      if (i + 1 + n > rdata.size()) {
        well_formed = false;
        break;
      }
      value.append(rdata, i + 1, n);
      i += 1 + n;
    }
    if (well_formed) out.push_back(std::move(value));
  }
  if (out.empty()) return NotFound("TXT lookup of " + NormalName(name) + ": no well-formed TXT record");
  return out;
}

}  // namespace certplane::acme
