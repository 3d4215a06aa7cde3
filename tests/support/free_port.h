// A loopback TCP port that nothing listens on right now, for servers the tests start.
#pragma once

namespace certplane::testing {

// Binds port 0 on 127.0.0.1, reads the port the kernel chose and releases it. -1 when
// no socket could be bound.
int FreeLoopbackPort();

}  // namespace certplane::testing
