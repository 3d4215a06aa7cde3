#include "http/accepted_sockets.h"

#include <gtest/gtest.h>

namespace certplane::http {
namespace {

TEST(ProcNetTcp, ReadsPortStateAndInodeOfAnIpv4Line) {
  auto entry = ParseProcNetTcpLine(
      "   3: 0100007F:20FB 0100007F:A4C2 01 00000000:00000000 00:00000000 00000000     0        0 918273 1 "
      "0000000000000000 20 4 30 10 -1");
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->local_port, 0x20FB);
  EXPECT_FALSE(entry->listening);
  EXPECT_EQ(entry->inode, 918273u);
}

TEST(ProcNetTcp, KnowsAListeningSocketOfAnIpv6Line) {
  auto entry = ParseProcNetTcpLine(
      "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 "
      "00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0");
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->local_port, 8080);
  EXPECT_TRUE(entry->listening);
  EXPECT_EQ(entry->inode, 4242u);
}

TEST(ProcNetTcp, RefusesTheHeaderAndTruncatedOrGarbledLines) {
  EXPECT_FALSE(ParseProcNetTcpLine("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
                                   "timeout inode")
                   .has_value());
  EXPECT_FALSE(ParseProcNetTcpLine("").has_value());
  EXPECT_FALSE(ParseProcNetTcpLine("   3: 0100007F:20FB 0100007F:A4C2 01").has_value());
  EXPECT_FALSE(ParseProcNetTcpLine("   3: 0100007F:ZZZZ 0100007F:A4C2 01 0:0 00:0 0 0 0 77").has_value());
  EXPECT_FALSE(ParseProcNetTcpLine("   3: 0100007F:20FB 0100007F:A4C2 01 0:0 00:0 0 0 0 seven").has_value());
  // A port wider than 16 bits is not a port.
  EXPECT_FALSE(ParseProcNetTcpLine("   3: 0100007F:120FB 0100007F:A4C2 01 0:0 00:0 0 0 0 77").has_value());
}

TEST(FdLink, ReadsTheInodeOfASocketOnly) {
  EXPECT_EQ(SocketInodeOfFdLink("socket:[918273]"), 918273u);
  EXPECT_FALSE(SocketInodeOfFdLink("pipe:[918273]").has_value());
  EXPECT_FALSE(SocketInodeOfFdLink("/dev/null").has_value());
  EXPECT_FALSE(SocketInodeOfFdLink("socket:[]").has_value());
  EXPECT_FALSE(SocketInodeOfFdLink("socket:[12x]").has_value());
}

}  // namespace
}  // namespace certplane::http
