// The plugin's commands against the API server: each reads what it needs with the
// user's kubeconfig, decides with the pure pieces (inventory.h, status_view.h,
// actions.h, export_bundle.h) and prints to `out`; problems go to `err`.
//
//   Result<Invocation> inv = ParseArgs(args);
//   int code = RunCommand(*inv, std::cout, std::cerr);
//
// Exit codes: 0 done (also "already revoked with that reason"); 1 failed: not found,
// forbidden, unauthorized, unreachable, invalid, or a local file problem. (2, a bad
// command line, is main()'s.)
#pragma once

#include <ostream>

#include "args.h"

namespace certplane::plugin {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

int RunCommand(const Invocation& invocation, std::ostream& out, std::ostream& err);

}  // namespace certplane::plugin
