// Run: the controller process from parsed options to exit code.
//
//   logging -> cluster config -> API client (QPS/burst) -> HTTP servers (health,
//   metrics, public) -> caches (on every replica, so any of them can serve from cache
//   and a new leader starts warm) -> leader election -> the operator's controllers,
//   only while leading.
//
// SIGTERM or SIGINT stops it cleanly: the controllers drain, the Lease is released so
// another replica takes over at once, the servers close. Losing the Lease ends the
// process with exit code 1 (as controller-runtime does): a replica that may have missed
// writes starts again from a fresh list rather than guess.
#pragma once

#include "options.h"

namespace certplane::controller {

int Run(const ControllerOptions& options);

// Blocks SIGTERM, SIGINT and SIGUSR1 in the calling thread, so that every thread it
// starts afterwards inherits the mask and only Run's signal waiter (sigwait) receives
// them. main calls it before anything starts a thread: a thread with them unblocked
// (cpprestsdk's pool, say) would take SIGTERM's default action and kill the process
// instead of shutting it down.
void BlockShutdownSignals();

}  // namespace certplane::controller
