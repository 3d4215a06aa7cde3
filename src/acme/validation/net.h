// Small socket helpers for the validators (internal to acme/validation): an owning file
// descriptor, a connect and I/O bounded by a deadline, and a guard that keeps SIGPIPE
// from killing the process when a peer closes while we write (OpenSSL's socket BIO
// writes with write(2), which has no MSG_NOSIGNAL).
#pragma once

#include <signal.h>  // NOLINT(modernize-deprecated-headers): POSIX sigset_t and pthread_sigmask

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"
#include "policy/ip.h"

namespace certplane::acme {

using Clock = std::chrono::steady_clock;

// Owns one file descriptor; closes it on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.fd_;
      other.fd_ = -1;
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset();

 private:
  int fd_ = -1;
};

struct SocketAddress {
  policy::IpAddress ip;
  int port = 0;
};

// "192.0.2.1:80", "[2001:db8::1]:443".
std::string FormatAddress(const SocketAddress& address);

// Milliseconds left until `deadline` for poll(2), 0 if it has passed.
int RemainingMs(Clock::time_point deadline);

// Waits until `fd` is ready for `events` (POLLIN, POLLOUT). DeadlineExceeded at the
// deadline, Unavailable if poll fails.
Status WaitFor(int fd, short events, Clock::time_point deadline);

// A non-blocking TCP connection to `address`. Unavailable "connection refused" (or the
// errno text), DeadlineExceeded when the deadline passes first.
Result<Fd> ConnectTcp(const SocketAddress& address, Clock::time_point deadline);

// Writes all of `data` to a non-blocking socket before the deadline.
Status SendAll(int fd, std::string_view data, Clock::time_point deadline);

// Reads what is available (waiting until the deadline for something), at most `max`
// bytes, appended to `out`. Returns the number read, 0 at end of stream.
Result<std::size_t> RecvSome(int fd, std::string& out, std::size_t max, Clock::time_point deadline);

// Blocks SIGPIPE in this thread for its lifetime and discards a SIGPIPE raised meanwhile
// (one that was pending before stays pending).
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock();
  ~ScopedSigpipeBlock();
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t old_mask_;
  bool was_pending_ = false;
};

}  // namespace certplane::acme
