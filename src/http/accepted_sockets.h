// Finds and shuts down the connections this process accepted on a local TCP port.
//
// Why: cpprestsdk's listener closes its open connections from the thread that calls
// close(), while a pool thread may be running one of those connections' handlers and
// starting its next read; asio sockets are not safe for that, and the handler then
// dereferences a socket the closing thread just released (a SIGSEGV in
// epoll_reactor::start_op, cpprestsdk issue 1480; ASan catches it in about one stop in
// thirty when clients hang up at the moment of the stop). Shutting the sockets down
// (shutdown(2), which leaves the descriptor and asio's state alone) makes every
// pending read end, so each connection closes itself on its own handler chain, and
// close() then finds nothing to race with.
//
// The sockets are found the way ss(8) finds them: /proc/net/tcp{,6} names the
// non-listening sockets on the port by inode, /proc/self/fd says which of those this
// process holds.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace certplane::http {

struct ProcNetTcpEntry {
  uint16_t local_port = 0;
  bool listening = false;
  uint64_t inode = 0;
};

// One line of /proc/net/tcp or /proc/net/tcp6; nullopt for the header and for lines
// that do not parse.
std::optional<ProcNetTcpEntry> ParseProcNetTcpLine(std::string_view line);

// The inode of "socket:[12345]" (the target of a /proc/<pid>/fd link); nullopt otherwise.
std::optional<uint64_t> SocketInodeOfFdLink(std::string_view link);

// Shuts down (both directions) every connected socket this process holds whose local
// port is `port`, and returns how many it found. Listening sockets are left alone.
int ShutDownAcceptedSockets(uint16_t port);

}  // namespace certplane::http
