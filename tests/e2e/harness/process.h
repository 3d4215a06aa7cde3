// Subprocesses for end-to-end tests: run a real client (kubectl, openssl, keytool,
// certbot) and read what it printed, or start a long-running process (the controller)
// that is always stopped when its handle goes out of scope, even when a test fails.
//
//   CommandResult r = RunTool({"openssl", "verify", "-CAfile", ca, leaf});
//   EXPECT_EQ(r.exit_code, 0) << r.output;
//
//   ChildProcess controller({binary, "--kubeconfig", kubeconfig}, log_path);
//   ASSERT_TRUE(controller.running());
//   controller.Kill(SIGKILL);   // simulate a crash; the destructor also stops it
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace certplane::testing {

struct CommandResult {
  int exit_code = -1;  // -1 if the command could not be started or was killed
  std::string output;  // stdout and stderr, interleaved as written
};

// Runs argv (looked up on PATH) with optional stdin, waits up to `timeout`, and
// returns its exit code and output. A command still running at the timeout is killed
// and reported with exit code -1 and "[timed out]" appended to its output.
// (tests/support's RunCommand is the simpler form for helper scripts; this one is for
// the clients whose output a test asserts on.)
CommandResult RunTool(const std::vector<std::string>& argv, const std::string& stdin_data = {},
                      std::chrono::seconds timeout = std::chrono::seconds(120));

// Runs a shell command line with bash -c.
CommandResult RunShell(const std::string& command_line, std::chrono::seconds timeout = std::chrono::seconds(120));

class ChildProcess {
 public:
  // Starts argv in a new process group with stdout and stderr appended to log_path.
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path,
               const std::vector<std::string>& extra_env = {});
  ~ChildProcess();  // Stop()
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool running();
  pid_t pid() const { return pid_; }
  // Sends the signal to the whole process group and waits for the process to exit.
  // Returns its wait status, or -1 if it was not running.
  int Kill(int signal);
  // SIGTERM, then SIGKILL after grace if it has not exited. Returns the exit code
  // (or 128 + signal), -1 if it was not running.
  int Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int wait_status_ = 0;
};

// A fresh temporary directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes bytes to a file (creating or truncating it); aborts the test on failure.
void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

}  // namespace certplane::testing
