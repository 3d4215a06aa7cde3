#include "test_files.h"

#include <stdlib.h>  // NOLINT(modernize-deprecated-headers): POSIX mkdtemp, which <cstdlib> need not declare

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "base/random_suffix.h"

namespace certplane::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "certplane-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern + " failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::Write(std::string_view name, std::string_view contents) const {
  std::string path = File(name);
  std::error_code ignored;  // WriteFile reports a folder that could not be made
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ignored);
  WriteFile(path, contents);
  return path;
}

std::string TempDir::Write(std::string_view name, std::span<const std::uint8_t> contents) const {
  return Write(name, std::string_view(reinterpret_cast<const char*>(contents.data()), contents.size()));
}

void WriteFile(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("writing " + path);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string RandomSuffix() { return certplane::RandomSuffix(6); }

}  // namespace certplane::testing
