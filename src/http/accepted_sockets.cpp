#include "http/accepted_sockets.h"

#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <fstream>
#include <memory>
#include <string>
#include <unordered_set>

namespace certplane::http {
namespace {

// Splits on runs of spaces, as the kernel pads /proc/net/tcp's columns.
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\n') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
    if (i < line.size() && line[i] == '\n') break;
  }
  return out;
}

template <typename T>
std::optional<T> ParseNumber(std::string_view text, int base) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

constexpr std::string_view kListenState = "0A";  // TCP_LISTEN, as /proc/net/tcp prints it

std::unordered_set<uint64_t> ConnectedInodesOnPort(uint16_t port) {
  std::unordered_set<uint64_t> inodes;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    while (std::getline(in, line)) {
      auto entry = ParseProcNetTcpLine(line);
      if (entry && entry->local_port == port && !entry->listening && entry->inode != 0) inodes.insert(entry->inode);
    }
  }
  return inodes;
}

// RAII for opendir(3).
struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};

}  // namespace

std::optional<ProcNetTcpEntry> ParseProcNetTcpLine(std::string_view line) {
  // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
  const std::vector<std::string_view> f = Fields(line);
  if (f.size() < 10) return std::nullopt;
  const std::string_view local = f[1];
  const size_t colon = local.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto port = ParseNumber<uint16_t>(local.substr(colon + 1), 16);
  auto inode = ParseNumber<uint64_t>(f[9], 10);
  if (!port || !inode || f[3].size() != 2) return std::nullopt;
  return ProcNetTcpEntry{.local_port = *port, .listening = f[3] == kListenState, .inode = *inode};
}

std::optional<uint64_t> SocketInodeOfFdLink(std::string_view link) {
  constexpr std::string_view kPrefix = "socket:[";
  if (!link.starts_with(kPrefix) || !link.ends_with(']')) return std::nullopt;
  return ParseNumber<uint64_t>(link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1), 10);
}

int ShutDownAcceptedSockets(uint16_t port) {
  const std::unordered_set<uint64_t> inodes = ConnectedInodesOnPort(port);
  if (inodes.empty()) return 0;
  std::unique_ptr<DIR, DirCloser> dir(opendir("/proc/self/fd"));
  if (!dir) return 0;
  int found = 0;
  while (const dirent* e = readdir(dir.get())) {
    auto fd = ParseNumber<int>(e->d_name, 10);
    if (!fd) continue;
    std::array<char, 64> link{};
    const std::string path = std::string("/proc/self/fd/") + e->d_name;
    const ssize_t n = readlink(path.c_str(), link.data(), link.size());
    if (n <= 0) continue;
    auto inode = SocketInodeOfFdLink(std::string_view(link.data(), static_cast<size_t>(n)));
    if (!inode || !inodes.contains(*inode)) continue;
    // The descriptor may have been closed and reused since readlink: shut it down only
    // if it still is that socket.
    struct stat st {};
    if (fstat(*fd, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_ino != *inode) continue;
    ++found;
    shutdown(*fd, SHUT_RDWR);
  }
  return found;
}

}  // namespace certplane::http
