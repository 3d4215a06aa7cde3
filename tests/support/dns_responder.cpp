#include "dns_responder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "dns_update.h"
#include "dns_wire.h"

namespace certplane::testing {
namespace {

using dns::EncodeName;
using dns::Get16;
using dns::InZone;
using dns::kClassIn;
using dns::kTypeA;
using dns::kTypeAaaa;
using dns::kTypeCname;
using dns::kTypeNs;
using dns::kTypeSoa;
using dns::kTypeTxt;
using dns::Normal;
using dns::Put16;
using dns::Put32;
using dns::Trim;
using dns::TxtRdata;

constexpr std::uint32_t kTtl = 60;
constexpr std::size_t kUdpLimit = 512;  // no EDNS: larger answers go over TCP

struct Rr {
  std::string owner;  // normalised
  std::uint16_t type;
  std::string rdata;
};

bool Empty(const DnsResponder::Records& r) { return r.a.empty() && r.aaaa.empty() && r.txt.empty() && !r.cname; }

// Adds `value` to `values` unless it is there already (RFC 2136 3.4.2.2: a duplicate
// RR is ignored).
template <typename T>
void AddOnce(std::vector<T>& values, T value) {
  for (const T& v : values) {
    if (v == value) return;
  }
  values.push_back(std::move(value));
}

template <std::size_t N>
std::array<std::uint8_t, N> Bytes(std::string_view rdata) {
  std::array<std::uint8_t, N> out{};
  for (std::size_t i = 0; i < N && i < rdata.size(); ++i) out[i] = static_cast<std::uint8_t>(rdata[i]);
  return out;
}

}  // namespace

DnsResponder::OwnedFd::~OwnedFd() {
  if (fd_ >= 0) ::close(fd_);
}

DnsResponder::OwnedFd& DnsResponder::OwnedFd::operator=(OwnedFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

DnsResponder::DnsResponder(const std::string& zone, std::string zone_file)
    : zone_(Normal(zone)), zone_file_(std::move(zone_file)) {
  // UDP on a port the kernel picks, then TCP on the same port (retried if it is taken).
  for (int attempt = 0; attempt < 50 && port_ == 0; ++attempt) {
    OwnedFd udp(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    OwnedFd tcp(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (udp.get() < 0 || tcp.get() < 0)
      throw std::runtime_error(std::string("DnsResponder: socket: ") + std::strerror(errno));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(udp.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) continue;
    socklen_t len = sizeof a;
    ::getsockname(udp.get(), reinterpret_cast<sockaddr*>(&a), &len);
    const int one = 1;
    ::setsockopt(tcp.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(tcp.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(tcp.get(), 16) != 0) continue;
    port_ = ntohs(a.sin_port);
    udp_ = std::move(udp);
    tcp_ = std::move(tcp);
  }
  if (port_ == 0) throw std::runtime_error("DnsResponder: no free UDP+TCP port on 127.0.0.1");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("DnsResponder: pipe2 failed");
  wake_read_ = OwnedFd(fds[0]);
  wake_write_ = OwnedFd(fds[1]);
  thread_ = std::thread([this] { Serve(); });
}

DnsResponder::~DnsResponder() {
  const char byte = 'x';
  while (::write(wake_write_.get(), &byte, 1) < 0 && errno == EINTR) {
  }
  if (thread_.joinable()) thread_.join();
}

std::string DnsResponder::address() const { return "127.0.0.1:" + std::to_string(port_); }

void DnsResponder::SetA(const std::string& name, const std::string& ipv4) {
  std::array<std::uint8_t, 4> bytes{};
  if (::inet_pton(AF_INET, ipv4.c_str(), bytes.data()) != 1) throw std::invalid_argument("SetA: not IPv4: " + ipv4);
  std::lock_guard<std::mutex> lock(mu_);
  records_[Normal(name)].a = {bytes};
}

void DnsResponder::SetAaaa(const std::string& name, const std::string& ipv6) {
  std::array<std::uint8_t, 16> bytes{};
  if (::inet_pton(AF_INET6, ipv6.c_str(), bytes.data()) != 1) throw std::invalid_argument("SetAaaa: not IPv6: " + ipv6);
  std::lock_guard<std::mutex> lock(mu_);
  records_[Normal(name)].aaaa = {bytes};
}

void DnsResponder::SetTxt(const std::string& name, std::vector<std::string> values) {
  std::lock_guard<std::mutex> lock(mu_);
  records_[Normal(name)].txt = std::move(values);
}

void DnsResponder::SetCname(const std::string& name, const std::string& target) {
  std::lock_guard<std::mutex> lock(mu_);
  records_[Normal(name)].cname = Normal(target);
}

void DnsResponder::Clear(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  records_.erase(Normal(name));
}

void DnsResponder::AllowUpdates(const std::string& key_name, std::string secret) {
  std::lock_guard<std::mutex> lock(mu_);
  key_.emplace(key_name, std::move(secret));
}

std::string DnsResponder::RespondUpdate(std::string_view request) {
  std::optional<dns::TsigKey> key;
  {
    std::lock_guard<std::mutex> lock(mu_);
    key = key_;
  }
  if (!key) return dns::UpdateResponse(request, dns::Rcode::kRefused);
  const dns::Result<std::optional<dns::SignedMessage>> split = dns::SplitTsig(request);
  if (!split.ok()) return dns::UpdateResponse(request, split.error().rcode);
  if (!split->has_value()) return dns::UpdateResponse(request, dns::Rcode::kRefused);  // unsigned
  const dns::SignedMessage& signed_request = **split;
  const auto now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());

  dns::Rcode rcode = dns::Rcode::kNoError;
  dns::TsigError tsig_error = dns::TsigError::kNone;
  if (const std::optional<dns::Error> bad = dns::VerifyTsig(signed_request, *key, now)) {
    // A malformed MAC is FORMERR without TSIG; BADKEY, BADSIG, BADTIME answer with one.
    if (bad->tsig_error == dns::TsigError::kNone) return dns::UpdateResponse(request, bad->rcode);
    rcode = bad->rcode;
    tsig_error = bad->tsig_error;
  } else if (dns::Result<dns::UpdateRequest> update = dns::ParseUpdate(signed_request.message, zone_); !update.ok()) {
    rcode = update.error().rcode;
  } else if (update->prerequisites != 0 || !Apply(update->ops)) {
    // Prerequisites are not evaluated, so not accepted; or an RR of a type the store
    // cannot hold.
    rcode = dns::Rcode::kNotImp;
  } else {
    updates_.fetch_add(1);
  }
  dns::Result<std::string> response =
      dns::SignResponse(dns::UpdateResponse(request, rcode), signed_request, *key, tsig_error, now);
  return response.ok() ? *response : dns::UpdateResponse(request, response.error().rcode);
}

bool DnsResponder::Apply(const std::vector<dns::UpdateOp>& ops) {
  using Kind = dns::UpdateOp::Kind;
  for (const dns::UpdateOp& op : ops) {
    if (op.kind == Kind::kAdd && op.type != kTypeA && op.type != kTypeAaaa && op.type != kTypeTxt) return false;
  }
  // All or nothing: every check is done, and queries take the same lock.
  std::lock_guard<std::mutex> lock(mu_);
  for (const dns::UpdateOp& op : ops) {
    if (op.kind == Kind::kAdd) {
      Records& r = records_[op.name];
      if (op.type == kTypeA) AddOnce(r.a, Bytes<4>(op.rdata));
      if (op.type == kTypeAaaa) AddOnce(r.aaaa, Bytes<16>(op.rdata));
      if (op.type == kTypeTxt) AddOnce(r.txt, dns::TxtValue(op.rdata).value_or(""));
      continue;
    }
    const auto it = records_.find(op.name);
    if (it == records_.end()) continue;  // deleting what is not there is no error
    Records& r = it->second;
    if (op.kind == Kind::kDeleteAll) {
      records_.erase(it);
      continue;
    }
    if (op.kind == Kind::kDeleteRrset) {
      if (op.type == kTypeA) r.a.clear();
      if (op.type == kTypeAaaa) r.aaaa.clear();
      if (op.type == kTypeTxt) r.txt.clear();
      if (op.type == kTypeCname) r.cname.reset();
    } else {  // kDeleteRr
      if (op.type == kTypeA) std::erase(r.a, Bytes<4>(op.rdata));
      if (op.type == kTypeAaaa) std::erase(r.aaaa, Bytes<16>(op.rdata));
      if (op.type == kTypeTxt) std::erase(r.txt, dns::TxtValue(op.rdata).value_or(""));
    }
    if (Empty(r)) records_.erase(it);
  }
  return true;
}

std::map<std::string, DnsResponder::Records> DnsResponder::Snapshot() const {
  std::map<std::string, Records> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    out = records_;
  }
  {
    // ns.<zone> resolves to this server unless a test says otherwise.
    Records& ns = out["ns" + (zone_.empty() ? std::string() : "." + zone_)];
    if (ns.a.empty()) ns.a.push_back({127, 0, 0, 1});
  }
  if (zone_file_.empty()) return out;
  std::ifstream in(zone_file_);
  std::string line;
  while (std::getline(in, line)) {
    std::string_view rest = Trim(line);
    if (rest.empty() || rest.front() == '#') continue;
    auto word = [&rest]() {
      rest = Trim(rest);
      const std::size_t end = rest.find_first_of(" \t");
      std::string_view w = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
      return w;
    };
    const std::string name = Normal(word());
    std::string type(word());
    for (char& c : type) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    std::string_view value = Trim(rest);
    if (name.empty() || value.empty()) continue;
    Records& r = out[name];
    if (type == "A") {
      std::array<std::uint8_t, 4> b{};
      if (::inet_pton(AF_INET, std::string(value).c_str(), b.data()) == 1) r.a.push_back(b);
    } else if (type == "AAAA") {
      std::array<std::uint8_t, 16> b{};
      if (::inet_pton(AF_INET6, std::string(value).c_str(), b.data()) == 1) r.aaaa.push_back(b);
    } else if (type == "TXT") {
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      r.txt.emplace_back(value);
    } else if (type == "CNAME") {
      r.cname = Normal(value);
    }
  }
  return out;
}

std::string DnsResponder::Respond(std::string_view query, std::size_t limit) {
  // Header: id, flags, qdcount, ancount, nscount, arcount.
  if (query.size() < 12) return "";
  const std::uint16_t flags = Get16(query, 2);
  if ((flags & 0x8000) != 0) return "";  // a response
  if (((flags >> 11) & 0xf) == dns::kOpcodeUpdate) return RespondUpdate(query);
  if (Get16(query, 4) != 1) return "";  // not one question
  // The question: labels (no compression in a query), type, class.
  std::size_t at = 12;
  std::string qname;
  for (;;) {
    if (at >= query.size()) return "";
    const auto n = static_cast<unsigned char>(query[at]);
    if (n == 0) break;
    if (n > 63 || at + 1 + n > query.size() || qname.size() + n + 1 > 255) return "";
    if (!qname.empty()) qname += '.';
    qname.append(query.substr(at + 1, n));
    at += 1 + n;
  }
  at += 1;
  if (at + 4 > query.size()) return "";
  const std::uint16_t qtype = Get16(query, at);
  const std::uint16_t qclass = Get16(query, at + 2);
  at += 4;
  const std::string_view question = query.substr(12, at - 12);
  queries_.fetch_add(1);

  const std::string name = Normal(qname);
  const std::uint16_t opcode = (flags >> 11) & 0xf;
  std::vector<Rr> answers;
  std::vector<Rr> authority;
  std::vector<Rr> additional;
  std::uint16_t rcode = 0;
  const std::string ns_name = "ns" + (zone_.empty() ? std::string() : "." + zone_);

  std::string soa;
  soa += EncodeName(ns_name);
  soa += EncodeName("hostmaster" + (zone_.empty() ? std::string() : "." + zone_));
  Put32(soa, 1);
  Put32(soa, 3600);
  Put32(soa, 600);
  Put32(soa, 86400);
  Put32(soa, kTtl);

  if (opcode != 0) {
    rcode = 4;  // NOTIMP
  } else if (qclass != kClassIn) {
    rcode = 5;  // REFUSED
  } else {
    const std::map<std::string, Records> records = Snapshot();
    std::string current = name;
    for (int hop = 0; hop < 8 && qtype != kTypeCname; ++hop) {
      const auto it = records.find(current);
      if (it == records.end() || !it->second.cname) break;
      answers.push_back({current, kTypeCname, EncodeName(*it->second.cname)});
      current = *it->second.cname;
    }
    const auto it = records.find(current);
    if (it != records.end()) {
      const Records& r = it->second;
      if (qtype == kTypeA) {
        for (const auto& a : r.a) answers.push_back({current, kTypeA, std::string(a.begin(), a.end())});
      } else if (qtype == kTypeAaaa) {
        for (const auto& a : r.aaaa) answers.push_back({current, kTypeAaaa, std::string(a.begin(), a.end())});
      } else if (qtype == kTypeTxt) {
        for (const auto& t : r.txt) answers.push_back({current, kTypeTxt, TxtRdata(t)});
      } else if (qtype == kTypeCname && r.cname) {
        answers.push_back({current, kTypeCname, EncodeName(*r.cname)});
      }
    }
    const bool apex = current == zone_ && InZone(current, zone_);
    if (apex && qtype == kTypeSoa) answers.push_back({current, kTypeSoa, soa});
    if (apex && qtype == kTypeNs) {
      answers.push_back({current, kTypeNs, EncodeName(ns_name)});
      additional.push_back({ns_name, kTypeA, std::string("\x7f\x00\x00\x01", 4)});
    }
    const bool exists = it != records.end() || apex;
    if (answers.empty() && !exists) rcode = 3;  // NXDOMAIN
    if (answers.empty() && InZone(current, zone_)) authority.push_back({zone_, kTypeSoa, soa});
  }

  std::string out;
  Put16(out, Get16(query, 0));
  Put16(out, static_cast<std::uint16_t>(0x8000 | (opcode << 11) | 0x0400 | (flags & 0x0100) | rcode));
  Put16(out, 1);
  Put16(out, static_cast<std::uint16_t>(answers.size()));
  Put16(out, static_cast<std::uint16_t>(authority.size()));
  Put16(out, static_cast<std::uint16_t>(additional.size()));
  out += question;
  const std::string header_and_question = out;
  for (const std::vector<Rr>* section : {&answers, &authority, &additional}) {
    for (const Rr& rr : *section) {
      if (rr.owner == name) {
        Put16(out, 0xc00c);  // a pointer to the question's name
      } else {
        out += EncodeName(rr.owner);
      }
      Put16(out, rr.type);
      Put16(out, kClassIn);
      Put32(out, kTtl);
      Put16(out, static_cast<std::uint16_t>(rr.rdata.size()));
      out += rr.rdata;
    }
  }
  if (out.size() > limit) {
    // Truncated: the header with TC and no records; the client asks again over TCP.
    out = header_and_question;
    out[2] = static_cast<char>(out[2] | 0x02);
    for (std::size_t i = 6; i < 12; ++i) out[i] = 0;
  }
  return out;
}

void DnsResponder::Serve() {
  for (;;) {
    pollfd fds[3] = {{wake_read_.get(), POLLIN, 0}, {udp_.get(), POLLIN, 0}, {tcp_.get(), POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents != 0) return;
    if (fds[1].revents & POLLIN) {
      char buf[4096];
      sockaddr_storage from{};
      socklen_t from_len = sizeof from;
      const ssize_t n =
          ::recvfrom(udp_.get(), buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n > 0) {
        const std::string response = Respond(std::string_view(buf, static_cast<std::size_t>(n)), kUdpLimit);
        if (!response.empty()) {
          ::sendto(udp_.get(), response.data(), response.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                   reinterpret_cast<sockaddr*>(&from), from_len);
        }
      }
    }
    if (fds[2].revents & POLLIN) {
      OwnedFd connection(::accept4(tcp_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (connection.get() >= 0) ServeTcp(connection);
    }
  }
}

// Answers the queries of one TCP connection (2-byte length, message) until it closes or
// is idle for a second. Runs on the server thread, so a slow client only delays others.
void DnsResponder::ServeTcp(const OwnedFd& connection) {
  std::string buffer;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (;;) {
    while (buffer.size() >= 2) {
      const std::size_t len = Get16(buffer, 0);
      if (buffer.size() < 2 + len) break;
      std::string response = Respond(std::string_view(buffer).substr(2, len), 65535);
      buffer.erase(0, 2 + len);
      if (response.empty()) return;
      std::string framed;
      Put16(framed, static_cast<std::uint16_t>(response.size()));
      framed += response;
      std::string_view rest = framed;
      while (!rest.empty()) {
        const ssize_t w = ::send(connection.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
        if (w > 0) {
          rest.remove_prefix(static_cast<std::size_t>(w));
          continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
          pollfd p{connection.get(), POLLOUT, 0};
          if (::poll(&p, 1, 1000) <= 0) return;
          continue;
        }
        return;
      }
      deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0 || buffer.size() > 70000) return;
    pollfd p{connection.get(), POLLIN, 0};
    pollfd wake{wake_read_.get(), POLLIN, 0};
    pollfd both[2] = {p, wake};
    if (::poll(both, 2, static_cast<int>(left)) <= 0 || both[1].revents != 0) return;
    char buf[4096];
    const ssize_t n = ::recv(connection.get(), buf, sizeof buf, 0);
    if (n <= 0) {
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      return;
    }
    buffer.append(buf, static_cast<std::size_t>(n));
  }
}

std::optional<std::string> Exchange(int port, const std::string& packet, std::chrono::milliseconds timeout) {
  const DnsResponder::OwnedFd socket(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::sendto(socket.get(), packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  pollfd p{socket.get(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  char buf[4096];
  const ssize_t n = ::recv(socket.get(), buf, sizeof buf, 0);
  if (n < 12) return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace certplane::testing
