// Helpers for tests that check certplane's artifacts with real tools (the openssl CLI,
// keytool, zlint): a temporary folder that removes itself, and a command runner.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "pki/types.h"

namespace certplane::pki::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs `command` through /bin/sh with stderr folded into stdout. Paths in it must be
// ones the test made (they are not quoted beyond what the caller writes).
CommandResult RunCommand(const std::string& command);

// The absolute path of an executable: $CERTPLANE_<NAME> if set, else the first match
// on PATH, else in `extra_dirs` (colon-separated). Empty when none is found.
std::string FindTool(std::string_view name, std::string_view extra_dirs = "");

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it when the
// object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `contents` to path()/name and returns the full path.
  std::string Write(std::string_view name, std::string_view contents) const;
  std::string Write(std::string_view name, ByteView contents) const;

 private:
  std::filesystem::path path_;
};

}  // namespace certplane::pki::testing
