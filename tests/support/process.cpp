#include "process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <thread>
#include <utility>

extern char** environ;

namespace certplane::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Where a child's standard streams go: a descriptor of ours, or (-1) /dev/null for
// stdin and the test's own stdout or stderr for the others.
struct Stdio {
  int in = -1;
  int out = -1;
  int err = -1;
};

// The test's environment with `extra` ("NAME=value") replacing or adding variables.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& extra) {
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const bool replaced =
        std::any_of(extra.begin(), extra.end(), [&](const std::string& x) { return name_of(x) == name_of(entry); });
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Starts argv in a new process group with the given streams, no blocked signals and
// the default actions for the signals a test binary may block or ignore. Returns the
// pid, or -1 with *error saying why.
pid_t Spawn(const std::vector<std::string>& argv, const Stdio& stdio, const std::vector<std::string>& extra_env,
            std::string* error) {
  if (argv.empty()) {
    *error = "spawning: empty command line";
    return -1;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdio.in >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stdio.in, STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  if (stdio.out >= 0) posix_spawn_file_actions_adddup2(&actions, stdio.out, STDOUT_FILENO);
  if (stdio.err >= 0) posix_spawn_file_actions_adddup2(&actions, stdio.err, STDERR_FILENO);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);  // a group of its own, led by the child
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<std::string> args = argv;
  std::vector<std::string> env = ChildEnvironment(extra_env);
  std::vector<char*> c_args = CStrings(args);
  std::vector<char*> c_env = CStrings(env);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, c_args[0], &actions, &attr, c_args.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    *error = "spawning " + argv[0] + ": " + std::strerror(rc);
    return -1;
  }
  return pid;
}

// A wait status as an exit code: the process's own, or 128 + the signal that ended it.
int ExitCode(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

std::chrono::milliseconds Left(Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

// Writes `data` to fd and closes it. SIGPIPE is blocked in the calling thread, so a
// child that exits without reading makes write fail (EPIPE) instead of killing the test.
void Feed(int fd, const std::string& data) {
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  ::close(fd);
}

}  // namespace

CommandResult RunTool(const std::vector<std::string>& argv, const RunOptions& options) {
  CommandResult result;
  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) {
    result.output = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    result.output = std::string("pipe: ") + std::strerror(errno);
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return result;
  }
  const pid_t pid = Spawn(argv, {in_pipe[0], out_pipe[1], options.capture_stderr ? out_pipe[1] : -1}, options.extra_env,
                          &result.output);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  if (pid < 0) {
    ::close(in_pipe[1]);
    ::close(out_pipe[0]);
    return result;
  }
  // Feed stdin from a thread so a child that writes a lot before reading cannot
  // deadlock against us.
  std::thread feeder(Feed, in_pipe[1], std::cref(options.stdin_data));
  const auto deadline = Clock::now() + options.timeout;
  bool timed_out = false;
  char buf[8192];
  for (;;) {
    const auto left = Left(deadline);
    if (left.count() == 0) {
      timed_out = true;
      break;
    }
    pollfd pfd{out_pipe[0], POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = ::read(out_pipe[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: every writer closed
    result.output.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  // Stdout closed is not yet exited: wait for the exit within the same deadline.
  while (!timed_out && ::waitpid(pid, &status, WNOHANG) == 0) {
    if (Left(deadline).count() == 0) {
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (timed_out) {
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  ::close(out_pipe[0]);
  feeder.join();
  if (timed_out) {
    result.output += "[timed out]";
    result.exit_code = -1;
  } else {
    result.exit_code = ExitCode(status);
  }
  return result;
}

CommandResult RunShell(const std::string& command_line, const RunOptions& options) {
  return RunTool({"bash", "-c", command_line}, options);
}

std::string FindTool(std::string_view name, std::string_view extra_dirs) {
  std::string env_name = "CERTPLANE_";
  for (char c : name) env_name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (const char* override_path = std::getenv(env_name.c_str()); override_path != nullptr && *override_path != '\0') {
    return override_path;
  }
  std::string dirs = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  if (!extra_dirs.empty()) dirs += ":" + std::string(extra_dirs);
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    if (colon == std::string::npos) colon = dirs.size();
    const std::string dir = dirs.substr(start, colon - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + std::string(name);
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = colon + 1;
  }
  return {};
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const ChildOptions& options) {
  std::string error;
  if (!options.log_path.empty()) {
    const int log_fd = ::open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) throw std::runtime_error("opening " + options.log_path + ": " + std::strerror(errno));
    pid_ = Spawn(argv, {-1, log_fd, log_fd}, options.extra_env, &error);
    ::close(log_fd);
  } else {
    int out_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    pid_ = Spawn(argv, {-1, out_pipe[1], -1}, options.extra_env, &error);
    ::close(out_pipe[1]);
    if (pid_ > 0) {
      stdout_fd_ = out_pipe[0];
    } else {
      ::close(out_pipe[0]);
    }
  }
  if (pid_ < 0) throw std::runtime_error(error);
}

ChildProcess::~ChildProcess() {
  // Unread output must not keep it from exiting: with the pipe closed, a write ends it.
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  Stop(std::chrono::milliseconds(5000));
}

bool ChildProcess::running() {
  if (exit_code_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) exit_code_ = ExitCode(status);
  return !exit_code_;
}

std::optional<std::string> ChildProcess::ReadLine(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    if (stdout_fd_ < 0) return std::nullopt;
    const auto left = Left(deadline);
    if (left.count() == 0) return std::nullopt;
    pollfd pfd{stdout_fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    char chunk[4096];
    const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // EOF: the last line may lack its newline
      ::close(stdout_fd_);
      stdout_fd_ = -1;
      if (buffer_.empty()) return std::nullopt;
      return std::exchange(buffer_, {});
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

bool ChildProcess::WaitForLine(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    const auto left = Left(deadline);
    if (left.count() == 0) return false;
    const std::optional<std::string> line = ReadLine(left);
    if (!line) return false;
    if (line->find(text) != std::string::npos) return true;
  }
}

void ChildProcess::Signal(int signal) {
  if (running()) ::kill(-pid_, signal);
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (running()) {
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return exit_code_;
}

int ChildProcess::Kill(int signal) {
  if (!running()) return -1;
  ::kill(-pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exit_code_ = ExitCode(status);
  return *exit_code_;
}

int ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (!running()) return -1;
  ::kill(-pid_, SIGTERM);
  if (!Wait(grace)) Kill(SIGKILL);
  ::kill(-pid_, SIGKILL);  // anything the process left behind in its group
  return *exit_code_;
}

}  // namespace certplane::testing
