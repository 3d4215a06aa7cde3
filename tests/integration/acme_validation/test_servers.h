// Peers for the validator tests, each on 127.0.0.1 only and stopped by its destructor
// even when the test fails.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace certplane::testing {

// A TCP server that reads one request (up to the blank line, at most 64 KiB or 2 s) per
// connection and hands the socket to `handler`, one connection at a time.
class TinyServer {
 public:
  // handler(fd, request, stopping): writes the response; may wait on `stopping`.
  using Handler = std::function<void(int fd, const std::string& request, const std::atomic<bool>& stopping)>;

  explicit TinyServer(Handler handler);
  ~TinyServer();
  TinyServer(const TinyServer&) = delete;
  TinyServer& operator=(const TinyServer&) = delete;

  int port() const { return port_; }
  std::vector<std::string> requests() const;

  // Handlers for the usual cases.
  static Handler Respond(std::string raw_response);                                // writes it, closes
  static Handler Drip(std::string raw_response, std::chrono::milliseconds every);  // a byte at a time
  static Handler Silent();                                                         // never answers

 private:
  void Run();

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::vector<std::string> requests_;  // guarded by mu_
  std::thread thread_;
};

// Writes all of `data` (ignoring errors: the peer may have gone).
void WriteAll(int fd, const std::string& data);

}  // namespace certplane::testing
