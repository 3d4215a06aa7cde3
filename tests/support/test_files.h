// Scratch space for tests: a temporary folder that removes itself, whole-file reads and
// writes, and random suffixes that keep the names of what tests create apart.
//
//   TempDir dir;
//   const std::string ca = dir.Write("ca.pem", root.ToPem());   // the file's full path
//   RunTool({"openssl", "verify", "-CAfile", ca, dir.File("leaf.pem")});
//   const std::string ns = "e2e-" + RandomSuffix();
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace certplane::testing {

// A fresh folder under $TMPDIR (or /tmp), removed with everything in it on destruction.
// Throws std::runtime_error when it cannot be made.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name (not created).
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }
  // Writes `contents` to path()/name, making the folders `name` names, and returns the
  // file's full path. Throws std::runtime_error on failure.
  std::string Write(std::string_view name, std::string_view contents) const;
  std::string Write(std::string_view name, std::span<const std::uint8_t> contents) const;

 private:
  std::string path_;
};

// Writes bytes to a file, creating or truncating it. Throws std::runtime_error on failure.
void WriteFile(const std::string& path, std::string_view content);
// A file's bytes; empty when it cannot be read.
std::string ReadFile(const std::string& path);

// Six random characters of [a-z0-9], for names that must not collide across tests and
// runs (namespaces, cluster-scoped objects, log files). Thread-safe.
std::string RandomSuffix();

}  // namespace certplane::testing
