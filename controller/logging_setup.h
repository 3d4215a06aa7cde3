// Configures every spdlog logger of the process (the kube runtime's named loggers and
// ours) from --log-format and --log-level. Call once, first thing in main(); loggers
// created later inherit the format and level.
//
// text: 2026-11-27T10:00:00.123Z info  certificates  issued ns=shop name=frontend serial=...
// json: {"time":"2026-11-27T10:00:00.123Z","level":"info","logger":"certificates","msg":"issued ns=shop ..."}
#pragma once

#include <string>

#include "options.h"

namespace certplane::controller {

void ConfigureLogging(LogFormat format, const std::string& level);

// Escapes text for a JSON string (quotes, backslashes, control characters).
std::string JsonEscape(std::string_view text);

}  // namespace certplane::controller
