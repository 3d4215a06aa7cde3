#include "test_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace certplane::testing {
namespace {

// Closes a descriptor on scope exit.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void SleepUnlessStopping(std::chrono::milliseconds d, const std::atomic<bool>& stopping) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!stopping.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

void WriteAll(int fd, const std::string& data) {
  std::size_t at = 0;
  while (at < data.size()) {
    const ssize_t n = ::send(fd, data.data() + at, data.size() - at, MSG_NOSIGNAL);
    if (n <= 0) return;
    at += static_cast<std::size_t>(n);
  }
}

TinyServer::TinyServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    if (listen_fd_ >= 0) ::close(listen_fd_);
    throw std::runtime_error("TinyServer: cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { Run(); });
}

TinyServer::~TinyServer() {
  stopping_ = true;
  thread_.join();
  ::close(listen_fd_);
}

std::vector<std::string> TinyServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void TinyServer::Run() {
  while (!stopping_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    ScopedFd conn(::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC));
    if (conn.get() < 0) continue;
    std::string request;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536 && !stopping_.load() &&
           std::chrono::steady_clock::now() < until) {
      pollfd c{conn.get(), POLLIN, 0};
      if (::poll(&c, 1, 50) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::recv(conn.get(), buf, sizeof buf, 0);
      if (n <= 0) break;
      request.append(buf, static_cast<std::size_t>(n));
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
    }
    handler_(conn.get(), request, stopping_);
  }
}

TinyServer::Handler TinyServer::Respond(std::string raw_response) {
  return [raw_response](int fd, const std::string&, const std::atomic<bool>&) { WriteAll(fd, raw_response); };
}

TinyServer::Handler TinyServer::Drip(std::string raw_response, std::chrono::milliseconds every) {
  return [raw_response, every](int fd, const std::string&, const std::atomic<bool>& stopping) {
    for (char c : raw_response) {
      if (stopping.load()) return;
      if (::send(fd, &c, 1, MSG_NOSIGNAL) != 1) return;
      SleepUnlessStopping(every, stopping);
    }
  };
}

TinyServer::Handler TinyServer::Silent() {
  return [](int, const std::string&, const std::atomic<bool>& stopping) {
    SleepUnlessStopping(std::chrono::seconds(30), stopping);
  };
}

}  // namespace certplane::testing
