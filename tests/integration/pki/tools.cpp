#include "tools.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace certplane::pki::testing {

CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  std::string full = command + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) result.output.append(buf, n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string FindTool(std::string_view name, std::string_view extra_dirs) {
  std::string env_name = "CERTPLANE_";
  for (char c : name) env_name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (const char* override_path = std::getenv(env_name.c_str()); override_path != nullptr && *override_path != '\0') {
    return override_path;
  }
  std::string dirs = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  if (!extra_dirs.empty()) dirs += ":" + std::string(extra_dirs);
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    if (colon == std::string::npos) colon = dirs.size();
    std::string dir = dirs.substr(start, colon - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + std::string(name);
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = colon + 1;
  }
  return {};
}

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/certplane-pki-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::Write(std::string_view name, std::string_view contents) const {
  std::filesystem::path file = path_ / name;
  std::ofstream out(file, std::ios::binary);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  return file.string();
}

std::string TempDir::Write(std::string_view name, ByteView contents) const {
  return Write(name, std::string_view(reinterpret_cast<const char*>(contents.data()), contents.size()));
}

}  // namespace certplane::pki::testing
