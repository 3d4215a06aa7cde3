// The Dockerfile without a container engine: the runtime stage's packages exist in
// Debian bookworm, they provide every shared library the controller links and none it
// does not, and the build context the .dockerignore lets through configures.
#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "helm_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::IsEmpty;

std::string Dockerfile() { return ReadFile(Env("CERTPLANE_SOURCE_DIR") + "/Dockerfile"); }

// The Dockerfile's instructions with continuation lines joined and comments dropped.
std::vector<std::string> Instructions(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string line, current;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    if (!line.empty() && line.back() == '\\') {
      current += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    current += line;
    out.push_back(current);
    current.clear();
  }
  return out;
}

// The packages `apt-get install` names in the last stage (the runtime image).
std::vector<std::string> RuntimePackages() {
  std::vector<std::string> instructions = Instructions(Dockerfile());
  size_t last_from = 0;
  for (size_t i = 0; i < instructions.size(); ++i) {
    if (instructions[i].rfind("FROM ", 0) == 0) last_from = i;
  }
  std::vector<std::string> packages;
  for (size_t i = last_from; i < instructions.size(); ++i) {
    std::stringstream words(instructions[i]);
    std::string w;
    bool in_install = false;
    while (words >> w) {
      if (w == "install") {
        in_install = true;
      } else if (in_install && (w == "&&" || w == ";")) {
        in_install = false;
      } else if (in_install && w[0] != '-') {
        packages.push_back(w);
      }
    }
  }
  return packages;
}

std::string Controller() { return Env("CERTPLANE_BINARY_DIR") + "/controller/certplane-controller"; }

// The package that installed a file, or "" (dpkg's database names some files under
// /lib and others under /usr/lib: both are tried, merged /usr or not).
std::string PackageOf(const std::string& path) {
  std::vector<std::string> candidates{path, std::filesystem::weakly_canonical(path).string()};
  for (const std::string& p : std::vector<std::string>(candidates)) {
    if (p.rfind("/usr/lib/", 0) == 0) candidates.push_back(p.substr(4));
    if (p.rfind("/lib/", 0) == 0) candidates.push_back("/usr" + p);
  }
  for (const auto& p : candidates) {
    CommandResult r = RunTool({"dpkg", "-S", p});
    if (r.exit_code == 0) {
      std::string pkg = r.output.substr(0, r.output.find(':'));
      return pkg;
    }
  }
  return {};
}

TEST(DockerfileTest, TheRuntimePackagesExistInDebianBookworm) {
  const auto packages = RuntimePackages();
  ASSERT_FALSE(packages.empty()) << "no apt-get install in the Dockerfile's last stage";
  for (const auto& p : packages) {
    CommandResult r = RunTool({"apt-cache", "show", "--no-all-versions", p});
    EXPECT_EQ(r.exit_code, 0) << "no Debian package named " << p << ": " << r.output;
    EXPECT_THAT(r.output, ::testing::HasSubstr("Package: " + p + "\n")) << p;
  }
  // And the stages are the Debian release the package names belong to.
  EXPECT_THAT(Dockerfile(), ::testing::HasSubstr("FROM debian:bookworm AS build"));
  EXPECT_THAT(Dockerfile(), ::testing::HasSubstr("FROM debian:bookworm-slim\n"));
}

TEST(DockerfileTest, TheRuntimePackagesProvideExactlyTheLibrariesTheControllerLinks) {
  const auto listed = RuntimePackages();
  ASSERT_FALSE(listed.empty());
  // Every package the listed ones pull in (what apt-get install brings).
  std::vector<std::string> depends_args{"apt-cache",       "depends",       "--recurse",
                                        "--no-recommends", "--no-suggests", "--no-conflicts",
                                        "--no-breaks",     "--no-replaces", "--no-enhances"};
  depends_args.insert(depends_args.end(), listed.begin(), listed.end());
  CommandResult deps = RunTool(depends_args, {.timeout = std::chrono::seconds(60)});
  ASSERT_EQ(deps.exit_code, 0) << deps.output;
  std::set<std::string> installed(listed.begin(), listed.end());
  std::regex dep_line(R"(^\s*(?:\|)?(?:Pre)?Depends: <?([a-z0-9.+-]+)(?::[a-z0-9]+)?>?\s*$)");
  for (const auto& line : Lines(deps.output)) {
    std::smatch m;
    if (std::regex_match(line, m, dep_line)) installed.insert(m[1]);
    else if (line.find(':') == std::string::npos) installed.insert(line);  // a package's own header line
  }

  // The libraries the controller loads, resolved as on this (Debian bookworm) machine.
  CommandResult ldd = RunTool({"ldd", Controller()});
  ASSERT_EQ(ldd.exit_code, 0) << ldd.output;
  std::regex lib_line(R"(^\s*(\S+) => (/\S+) \(0x[0-9a-f]+\)$)");
  std::set<std::string> needed_packages;
  for (const auto& line : Lines(ldd.output)) {
    std::smatch m;
    if (!std::regex_match(line, m, lib_line)) continue;
    const std::string pkg = PackageOf(m[2]);
    ASSERT_FALSE(pkg.empty()) << "no Debian package installed " << m[2];
    needed_packages.insert(pkg);
    EXPECT_TRUE(installed.count(pkg)) << m[1] << " comes from " << pkg
                                      << ", which the runtime stage neither installs nor pulls in";
  }
  ASSERT_FALSE(needed_packages.empty()) << ldd.output;

  // The libraries the binary names itself (DT_NEEDED): each listed package provides one.
  CommandResult needed = RunTool({"readelf", "-d", Controller()});
  ASSERT_EQ(needed.exit_code, 0) << needed.output;
  std::set<std::string> direct;
  std::regex needed_line(R"(\(NEEDED\)\s+Shared library: \[(\S+)\])");
  for (std::sregex_iterator it(needed.output.begin(), needed.output.end(), needed_line), end; it != end; ++it) {
    direct.insert((*it)[1]);
  }
  std::set<std::string> direct_packages;
  for (const auto& line : Lines(ldd.output)) {
    std::smatch m;
    if (std::regex_match(line, m, lib_line) && direct.count(m[1])) direct_packages.insert(PackageOf(m[2]));
  }
  std::vector<std::string> unneeded;
  for (const auto& p : listed) {
    if (!direct_packages.count(p)) unneeded.push_back(p);
  }
  EXPECT_THAT(unneeded, IsEmpty()) << "listed in the Dockerfile but no library of theirs is linked by the controller";
  std::vector<std::string> unlisted;
  for (const auto& p : direct_packages) {
    // The C and C++ runtimes are in every Debian image (bookworm-slim's apt needs them).
    if (p == "libc6" || p == "libstdc++6" || p == "libgcc-s1") continue;
    if (std::find(listed.begin(), listed.end(), p) == listed.end()) unlisted.push_back(p);
  }
  EXPECT_THAT(unlisted, IsEmpty()) << "the controller links these packages' libraries directly: list them";
}

TEST(DockerfileTest, TheBuildContextThatDockerignoreLetsThroughConfigures) {
  // .dockerignore excludes everything and lets back in what the build needs.
  const std::string source = Env("CERTPLANE_SOURCE_DIR");
  TempDir context;
  std::vector<std::string> allowed;
  for (const auto& line : Lines(ReadFile(source + "/.dockerignore"))) {
    if (line[0] == '#') continue;
    if (line[0] == '!') {
      std::string path = line.substr(1);
      if (!path.empty() && path.back() == '/') path.pop_back();
      allowed.push_back(path);
    } else {
      EXPECT_EQ(line, "*") << ".dockerignore is an allow list: '*', then '!path' lines";
    }
  }
  ASSERT_FALSE(allowed.empty());
  for (const auto& p : allowed) {
    std::filesystem::copy(source + "/" + p, context.path() + "/" + p, std::filesystem::copy_options::recursive);
  }
  // The configure step of the Dockerfile's build stage, in that context.
  std::smatch m;
  const std::string dockerfile = Dockerfile();
  std::string joined;
  for (const auto& i : Instructions(dockerfile)) joined += i + "\n";
  // (The RUN may carry --mount options: the build stage's compiler cache.)
  ASSERT_TRUE(std::regex_search(joined, m, std::regex(R"(RUN (?:--mount=\S+\s+)*cmake -S \. -B \S+ ([^&]*)&&)")))
      << "no `RUN cmake -S . -B <folder> ...` in the Dockerfile";
  std::vector<std::string> argv{"cmake", "-S", context.path(), "-B", context.File("build")};
  std::stringstream flags(m[1].str());
  for (std::string f; flags >> f;) argv.push_back(f);
  CommandResult configure = RunTool(argv, {.timeout = std::chrono::seconds(300)});
  EXPECT_EQ(configure.exit_code, 0) << configure.output;
  EXPECT_TRUE(std::filesystem::exists(context.File("build/build.ninja")));
}

}  // namespace
}  // namespace certplane::testing
