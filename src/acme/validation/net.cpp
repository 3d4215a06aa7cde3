#include "acme/validation/net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "acme/validation/address_policy.h"

namespace certplane::acme {

void Fd::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string FormatAddress(const SocketAddress& address) {
  const std::string ip = IpToString(address.ip);
  return (address.ip.v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(address.port);
}

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return 0;
  return left > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(left);
}

Status WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int ms = RemainingMs(deadline);
    if (ms == 0) return DeadlineExceeded("timed out");
    const int n = ::poll(&p, 1, ms);
    if (n > 0) return Status::Ok();
    if (n == 0) return DeadlineExceeded("timed out");
    if (errno != EINTR) return Unavailable(std::string("poll: ") + std::strerror(errno));
  }
}

Result<Fd> ConnectTcp(const SocketAddress& address, Clock::time_point deadline) {
  Fd fd(::socket(address.ip.v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Unavailable(std::string("socket: ") + std::strerror(errno));
  sockaddr_storage storage{};
  socklen_t len = 0;
  if (address.ip.v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<std::uint16_t>(address.port));
    std::memcpy(&a->sin6_addr, address.ip.bytes.data(), 16);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&storage);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<std::uint16_t>(address.port));
    std::memcpy(&a->sin_addr, address.ip.bytes.data(), 4);
    len = sizeof *a;
  }
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&storage), len) != 0) {
    if (errno != EINPROGRESS) return Unavailable(std::strerror(errno));
    CERTPLANE_RETURN_IF_ERROR(WaitFor(fd.get(), POLLOUT, deadline));
    int error = 0;
    socklen_t error_len = sizeof error;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &error_len) != 0) error = errno;
    if (error != 0) return Unavailable(std::strerror(error));
  }
  return fd;
}

Status SendAll(int fd, std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      CERTPLANE_RETURN_IF_ERROR(WaitFor(fd, POLLOUT, deadline));
      continue;
    }
    return Unavailable(std::string("sending: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::size_t> RecvSome(int fd, std::string& out, std::size_t max, Clock::time_point deadline) {
  char buf[4096];
  const std::size_t want = max < sizeof buf ? max : sizeof buf;
  for (;;) {
    const ssize_t n = ::recv(fd, buf, want, 0);
    if (n >= 0) {
      out.append(buf, static_cast<std::size_t>(n));
      return static_cast<std::size_t>(n);
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      CERTPLANE_RETURN_IF_ERROR(WaitFor(fd, POLLIN, deadline));
      continue;
    }
    return Unavailable(std::string("receiving: ") + std::strerror(errno));
  }
}

ScopedSigpipeBlock::ScopedSigpipeBlock() {
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &block, &old_mask_);
}

ScopedSigpipeBlock::~ScopedSigpipeBlock() {
  if (!was_pending_) {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) == 1) {
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      const timespec zero{0, 0};
      while (sigtimedwait(&pipe, nullptr, &zero) == -1 && errno == EINTR) {
      }
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace certplane::acme
