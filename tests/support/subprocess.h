// Subprocess: a child process for tests (a helper binary, a control-plane script),
// with its stdout readable line by line. The child starts with no blocked signals
// even though the test binary blocks SIGINT/SIGTERM for its cleanup thread. The
// destructor kills (SIGKILL) and reaps a child that is still running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace certplane::testing {

class Subprocess {
 public:
  // Starts argv[0] (searched on PATH) with the environment plus `extra_env`
  // ("NAME=value"). stderr goes to the test's stderr.
  Subprocess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // The next line of stdout, or nullopt at EOF or after `timeout`.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Reads lines until one contains `text`; true if found before the timeout.
  bool WaitForLine(const std::string& text, std::chrono::milliseconds timeout);

  void Signal(int sig);
  // Waits for exit; returns the exit status (128+signal if killed), or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::optional<int> exit_status_;
};

// Runs a command to completion; returns its exit status and combined stdout.
int RunCommand(const std::vector<std::string>& argv, std::string* output = nullptr,
               const std::vector<std::string>& extra_env = {});

}  // namespace certplane::testing
