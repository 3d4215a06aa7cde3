// Child processes for tests: run a real client (kubectl, openssl, curl, keytool) to
// completion and read what it printed, or keep a long-running one (the controller, a
// test server, a helper binary) that is always stopped when its handle goes out of
// scope, even when a test fails.
//
//   CommandResult r = RunTool({"openssl", "verify", "-CAfile", ca, leaf});
//   EXPECT_EQ(r.exit_code, 0) << r.output;                 // stdout and stderr
//   CommandResult json = RunTool({"kubectl", "get", "cm", "-o", "json"}, {.capture_stderr = false});
//
//   ChildProcess controller({binary, "--kubeconfig", kubeconfig}, {.log_path = log});
//   controller.Kill(SIGKILL);   // simulate a crash; the destructor also stops it
//
//   ChildProcess server({"openssl", "s_server", "-accept", address, ...});   // no log_path:
//   ASSERT_TRUE(server.WaitForLine("ACCEPT", 10s));                          // stdout by line
//
// Every child starts in a process group of its own (stopping it stops what it started),
// with stdin from /dev/null unless RunOptions gives it data, and with no blocked signals
// and the default SIGINT/SIGTERM/SIGHUP/SIGPIPE actions, although the test binary blocks
// SIGINT and SIGTERM for its cleanup thread (test_namespaces.h).
#pragma once

#include <signal.h>  // NOLINT(modernize-deprecated-headers): POSIX pid_t and kill, beyond <csignal>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certplane::testing {

struct CommandResult {
  // The exit code, 128 + the signal that ended it, or -1 when it could not be started
  // (output says why) or was killed at the timeout (output ends with "[timed out]").
  int exit_code = -1;
  std::string output;  // stdout, with stderr interleaved as written unless capture_stderr is off
};

struct RunOptions {
  std::string stdin_data;  // written to the child's stdin, which is then closed
  // A command still running at the timeout is killed with its process group.
  std::chrono::seconds timeout = std::chrono::seconds(120);
  // On: stderr goes into `output` with stdout, for messages a test shows or asserts on.
  // Off: `output` is stdout alone and stderr goes to the test's stderr, for output a
  // test parses (kubectl -o json, dig +short).
  bool capture_stderr = true;
  std::vector<std::string> extra_env;  // "NAME=value", each replacing the test's own NAME
};

// Runs argv (argv[0] looked up on PATH) to completion.
CommandResult RunTool(const std::vector<std::string>& argv, const RunOptions& options = {});

// Runs a shell command line with bash -c.
CommandResult RunShell(const std::string& command_line, const RunOptions& options = {});

// The absolute path of an executable: $CERTPLANE_<NAME> if set, else the first match on
// PATH, else in `extra_dirs` (colon-separated). Empty when none is found.
std::string FindTool(std::string_view name, std::string_view extra_dirs = "");

struct ChildOptions {
  // Empty: stdout is a pipe the test reads with ReadLine/WaitForLine, and stderr goes to
  // the test's stderr. Set: stdout and stderr are appended to this file.
  std::string log_path;
  std::vector<std::string> extra_env;  // "NAME=value", each replacing the test's own NAME
};

class ChildProcess {
 public:
  // Starts argv (argv[0] looked up on PATH). Throws std::runtime_error when it cannot
  // (no such program, the log file cannot be opened).
  explicit ChildProcess(const std::vector<std::string>& argv, const ChildOptions& options = {});
  ~ChildProcess();  // closes its stdout pipe, then Stop(5 s)
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Whether it has not exited yet (reaps it when it has).
  bool running();

  // The next line of its stdout (without the newline), or nullopt at EOF, after
  // `timeout`, or when its output goes to a log file.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Reads lines until one contains `text`; true if one did before the timeout.
  bool WaitForLine(const std::string& text, std::chrono::milliseconds timeout);

  // Sends the signal to its process group and returns at once.
  void Signal(int signal);
  // Waits up to `timeout` for it to exit; its exit code (128 + signal if a signal ended
  // it), or nullopt if it is still running.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // Sends the signal to its process group and waits for it to exit. Returns its exit
  // code (128 + signal), or -1 if it was not running.
  int Kill(int signal);
  // SIGTERM, then SIGKILL after `grace` if it has not exited; then SIGKILL to whatever
  // it left in its process group. Returns its exit code (128 + signal), or -1 if it had
  // already exited.
  int Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;            // the pipe ReadLine reads, when there is no log file
  std::string buffer_;            // read from stdout_fd_ but not yet returned as a line
  std::optional<int> exit_code_;  // once reaped
};

}  // namespace certplane::testing
