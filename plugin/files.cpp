#include "files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>

#include <openssl/crypto.h>

namespace certplane::plugin {
namespace {

std::string Errno(int err) { return std::strerror(err); }

// An open file descriptor, closed on destruction.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting a failure (a write error may only show at close).
  int Close() {
    int r = ::close(fd_);
    fd_ = -1;
    return r;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Internal("writing " + path + ": " + Errno(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// The terminal settings to restore if a signal arrives while echo is off. Written only
// by the prompting thread before the handlers are installed; read by the handler.
struct termios g_saved_termios;
volatile sig_atomic_t g_tty_fd = -1;

extern "C" void RestoreTerminalAndDie(int sig) {
  if (g_tty_fd >= 0) ::tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_termios);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// Echo off on the terminal for the lifetime of this object, and back on after, also
// when SIGINT or SIGTERM ends the process meanwhile.
class NoEcho {
 public:
  explicit NoEcho(int fd) : fd_(fd) {
    if (::tcgetattr(fd, &saved_) != 0) return;
    g_saved_termios = saved_;
    g_tty_fd = fd;
    old_int_ = std::signal(SIGINT, RestoreTerminalAndDie);
    old_term_ = std::signal(SIGTERM, RestoreTerminalAndDie);
    struct termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    active_ = ::tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
  }
  ~NoEcho() {
    if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
    if (g_tty_fd >= 0) {
      std::signal(SIGINT, old_int_);
      std::signal(SIGTERM, old_term_);
      g_tty_fd = -1;
    }
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  int fd_;
  struct termios saved_ {};
  bool active_ = false;
  void (*old_int_)(int) = SIG_DFL;
  void (*old_term_)(int) = SIG_DFL;
};

// Reads one line from the terminal (without the newline) with echo off.
Result<SensitiveString> ReadHidden(int fd, const std::string& prompt) {
  // Echo goes off before the prompt shows, so nothing typed after it is ever echoed.
  NoEcho quiet(fd);
  if (Status s = WriteAll(fd, prompt, "/dev/tty"); !s.ok()) return s;
  SensitiveString line;
  std::string buffer;
  buffer.reserve(1024);  // no reallocation (which would leave copies behind) for any sane password
  for (;;) {
    char c = 0;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    if (c != '\r') buffer.push_back(c);
  }
  line = SensitiveString(buffer);
  OPENSSL_cleanse(buffer.data(), buffer.size());
  return line;
}

}  // namespace

Status WriteExportFiles(const std::string& dir, const std::vector<ExportFile>& files, bool overwrite) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return InvalidArgument("--out " + dir + ": " + Errno(errno));
    std::error_code ec;
    std::filesystem::path parent = std::filesystem::path(dir).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (::mkdir(dir.c_str(), 0700) != 0) return InvalidArgument("creating --out " + dir + ": " + Errno(errno));
  } else if (!S_ISDIR(st.st_mode)) {
    return InvalidArgument("--out " + dir + " is not a folder");
  }
  auto path_of = [&](const ExportFile& f) { return (std::filesystem::path(dir) / f.name).string(); };
  if (!overwrite) {
    for (const ExportFile& f : files) {
      const std::string path = path_of(f);
      if (::lstat(path.c_str(), &st) == 0) {
        return AlreadyExists(path + " already exists; pass --overwrite to replace it, or choose another --out");
      }
    }
  }
  for (const ExportFile& f : files) {
    const std::string path = path_of(f);
    const mode_t mode = f.secret ? 0600 : 0644;
    int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL);
    Fd fd(::open(path.c_str(), flags, mode));
    if (fd.get() < 0) return InvalidArgument("opening " + path + ": " + Errno(errno));
    // The mode given to open() is reduced by the umask and ignored for an existing file.
    if (::fchmod(fd.get(), mode) != 0) return Internal("setting the mode of " + path + ": " + Errno(errno));
    CERTPLANE_RETURN_IF_ERROR(WriteAll(fd.get(), f.content.view(), path));
    if (fd.Close() != 0) return Internal("closing " + path + ": " + Errno(errno));
  }
  return Status::Ok();
}

Result<SensitiveString> ReadPasswordFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == ENOENT) return NotFound("--password-file " + path + ": no such file");
    return InvalidArgument("--password-file " + path + ": " + Errno(err));
  }
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return InvalidArgument("reading --password-file " + path + ": " + Errno(errno));
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.find('\n') != std::string::npos || text.size() > std::size_t{64} * 1024) break;
  }
  OPENSSL_cleanse(buf, sizeof buf);
  size_t end = text.find('\n');
  if (end == std::string::npos) end = text.size();
  if (end > 0 && text[end - 1] == '\r') --end;
  SensitiveString password(std::string_view(text).substr(0, end));
  OPENSSL_cleanse(text.data(), text.size());
  if (password.empty()) return InvalidArgument("--password-file " + path + ": the first line is empty");
  return password;
}

Result<SensitiveString> PromptNewPassword(const std::string& what) {
  Fd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (tty.get() < 0) {
    return FailedPrecondition("no terminal to ask for the " + what + " password on; use --password-file PATH");
  }
  Result<SensitiveString> first = ReadHidden(tty.get(), "Password for the " + what + ": ");
  if (!first.ok()) return first.status();
  if (first->empty()) return InvalidArgument("the password is empty");
  Result<SensitiveString> second = ReadHidden(tty.get(), "Repeat the password: ");
  if (!second.ok()) return second.status();
  if (first->view() != second->view()) return InvalidArgument("the two passwords do not match");
  return std::move(*first);
}

}  // namespace certplane::plugin
