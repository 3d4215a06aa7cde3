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

namespace certplane::testing {
namespace {

constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeNs = 2;
constexpr std::uint16_t kTypeCname = 5;
constexpr std::uint16_t kTypeSoa = 6;
constexpr std::uint16_t kTypeTxt = 16;
constexpr std::uint16_t kTypeAaaa = 28;
constexpr std::uint16_t kClassIn = 1;
constexpr std::uint32_t kTtl = 60;
constexpr std::size_t kUdpLimit = 512;  // no EDNS: larger answers go over TCP

std::string Normal(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

void Put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}
void Put32(std::string& out, std::uint32_t v) {
  Put16(out, static_cast<std::uint16_t>(v >> 16));
  Put16(out, static_cast<std::uint16_t>(v & 0xffff));
}
std::uint16_t Get16(std::string_view in, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(in[at]) << 8) | static_cast<unsigned char>(in[at + 1]));
}

// Wire form of a normalised name ("a.b" -> 1a1b0).
std::string EncodeName(std::string_view name) {
  std::string out;
  while (!name.empty()) {
    const std::size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    out += static_cast<char>(label.size() > 63 ? 63 : label.size());
    out += label.substr(0, 63);
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  out += '\0';
  return out;
}

struct Rr {
  std::string owner;  // normalised
  std::uint16_t type;
  std::string rdata;
};

std::string TxtRdata(std::string_view value) {
  std::string out;
  do {
    const std::size_t n = value.size() > 255 ? 255 : value.size();
    out += static_cast<char>(n);
    out += value.substr(0, n);
    value.remove_prefix(n);
  } while (!value.empty());
  return out;
}

bool InZone(const std::string& name, const std::string& zone) {
  return zone.empty() || name == zone || (name.size() > zone.size() && name.ends_with("." + zone));
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

DnsResponder::DnsResponder(std::string zone, std::string zone_file)
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

void DnsResponder::SetA(std::string name, std::string ipv4) {
  std::array<std::uint8_t, 4> bytes{};
  if (::inet_pton(AF_INET, ipv4.c_str(), bytes.data()) != 1) throw std::invalid_argument("SetA: not IPv4: " + ipv4);
  std::lock_guard<std::mutex> lock(mu_);
  records_[Normal(name)].a = {bytes};
}

void DnsResponder::SetAaaa(std::string name, std::string ipv6) {
  std::array<std::uint8_t, 16> bytes{};
  if (::inet_pton(AF_INET6, ipv6.c_str(), bytes.data()) != 1) throw std::invalid_argument("SetAaaa: not IPv6: " + ipv6);
  std::lock_guard<std::mutex> lock(mu_);
  records_[Normal(name)].aaaa = {bytes};
}

void DnsResponder::SetTxt(std::string name, std::vector<std::string> values) {
  std::lock_guard<std::mutex> lock(mu_);
  records_[Normal(name)].txt = std::move(values);
}

void DnsResponder::SetCname(std::string name, std::string target) {
  std::lock_guard<std::mutex> lock(mu_);
  records_[Normal(name)].cname = Normal(target);
}

void DnsResponder::Clear(std::string name) {
  std::lock_guard<std::mutex> lock(mu_);
  records_.erase(Normal(name));
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
  if ((flags & 0x8000) != 0 || Get16(query, 4) != 1) return "";  // a response, or not one question
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

}  // namespace certplane::testing
