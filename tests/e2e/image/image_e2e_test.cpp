// The controller image as hack/image.sh builds it (buildah, no daemon, no registry),
// checked in buildah's storage: its configuration (entrypoint, non-root user), the
// controller running inside it, its tag, its size, and that a failed build leaves the
// image already holding the tag alone. Also the openssl image the node tests' workloads
// run, built the same way, serving and verifying TLS inside it.
//
// Each test builds through hack/image.sh: the first one of a run pays the cold build
// (the controller compiles inside the Dockerfile's build stage), the others hit
// buildah's layer cache.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "free_port.h"
#include "process.h"
#include "test_files.h"

namespace certplane::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Variable(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << "environment variable " << name << " is not set (run the test through ctest)";
    return {};
  }
  return v;
}

std::string Source() { return Variable("CERTPLANE_SOURCE_DIR"); }

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string LastLine(const std::string& text) {
  const std::string t = Trim(text);
  const auto nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A run of hack/image.sh: its exit code, its stdout (the reference is the last line)
// and its stderr (the builder's log) apart.
struct ImageRun {
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
  long seconds = 0;
};

ImageRun RunImageScript(const std::vector<std::string>& args) {
  TempDir logs;
  // Never loaded into a node here, even when one is up: this test checks the build.
  std::string cmd = "env -u CERTPLANE_NODE_CONTAINERD_ADDRESS " + Quote(Source() + "/hack/image.sh");
  for (const auto& a : args) cmd += " " + Quote(a);
  cmd += " 2>" + Quote(logs.File("stderr"));
  const auto start = std::chrono::steady_clock::now();
  // The cold build compiles the controller on two cores.
  CommandResult r = RunShell(cmd, {.timeout = std::chrono::seconds(3000)});
  ImageRun run;
  run.seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start).count();
  run.exit_code = r.exit_code;
  run.stdout_text = r.output;
  run.stderr_text = ReadFile(logs.File("stderr"));
  return run;
}

// buildah against the storage hack/image.sh builds into.
CommandResult Buildah(const std::vector<std::string>& args, std::chrono::seconds timeout = std::chrono::seconds(120)) {
  std::vector<std::string> argv{"buildah"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunTool(argv, {.timeout = timeout});
}

// The image's full ID, "" when no image has that name.
std::string ImageId(const std::string& reference) {
  CommandResult r = Buildah({"images", "--noheading", "--no-trunc", "--format", "{{.ID}}", reference});
  // One line per name of the image.
  return r.exit_code == 0 ? Trim(r.output.substr(0, r.output.find('\n'))) : "";
}

// A working container of an image, removed when it goes out of scope; Run() runs a
// command in it as the image's user, isolated as hack/image.sh's RUN steps are.
class WorkingContainer {
 public:
  explicit WorkingContainer(const std::string& reference) {
    CommandResult r = Buildah({"from", "--pull=never", "--quiet", reference});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    if (r.exit_code == 0) name_ = LastLine(r.output);
  }
  ~WorkingContainer() {
    if (!name_.empty()) Buildah({"rm", name_});
  }
  WorkingContainer(const WorkingContainer&) = delete;
  WorkingContainer& operator=(const WorkingContainer&) = delete;

  CommandResult Run(const std::vector<std::string>& command) {
    std::vector<std::string> argv{"run", "--isolation=chroot", "--network=host", name_, "--"};
    argv.insert(argv.end(), command.begin(), command.end());
    return Buildah(argv);
  }

 private:
  std::string name_;
};

class ImageE2E : public ::testing::Test {
 protected:
  // The controller image, built (or found in the layer cache) once per test process.
  static void SetUpTestSuite() {
    CommandResult conf = RunTool({Source() + "/hack/image.sh", "--storage-conf"});
    ASSERT_EQ(conf.exit_code, 0) << conf.output;
    setenv("CONTAINERS_STORAGE_CONF", LastLine(conf.output).c_str(), 1);
    controller_ = new ImageRun(RunImageScript({}));
    std::cout << "hack/image.sh built the controller image in " << controller_->seconds << " s\n";
  }
  static void TearDownTestSuite() {
    delete controller_;
    controller_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(controller_, nullptr);
    ASSERT_EQ(controller_->exit_code, 0) << "hack/image.sh failed:\n" << controller_->stderr_text;
    reference_ = LastLine(controller_->stdout_text);
    ASSERT_THAT(reference_, HasSubstr(":"));
    // Kubernetes and containerd read a bare name as Docker Hub's library; so do the
    // script's names in buildah's storage.
    full_reference_ = "docker.io/library/" + reference_;
  }

  static ImageRun* controller_;
  std::string reference_;
  std::string full_reference_;
};
ImageRun* ImageE2E::controller_ = nullptr;

TEST_F(ImageE2E, TheReferenceIsTheChartsRepositoryAndTheCommit) {
  CommandResult head = RunTool({"git", "-C", Source(), "rev-parse", "--short", "HEAD"});
  ASSERT_EQ(head.exit_code, 0) << head.output;
  const std::string commit = Trim(head.output);
  CommandResult status = RunTool({"git", "--no-optional-locks", "-C", Source(), "status", "--porcelain"});
  ASSERT_EQ(status.exit_code, 0) << status.output;
  const std::string repository = reference_.substr(0, reference_.rfind(':'));
  const std::string tag = reference_.substr(reference_.rfind(':') + 1);
  EXPECT_EQ(repository, "certplane-controller");
  if (Trim(status.output).empty()) {
    EXPECT_EQ(tag, commit) << "a clean tree's image is tagged by its commit alone";
  } else {
    EXPECT_TRUE(std::regex_match(tag, std::regex(commit + "-dirty-[0-9a-f]{12}")))
        << tag << ": an uncommitted tree's image is tagged <commit>-dirty-<hash of the changes>";
  }
  // Only the reference on stdout, so `ref=$(hack/image.sh | tail -n1)` is all a caller needs.
  EXPECT_EQ(Trim(controller_->stdout_text), reference_);
  EXPECT_FALSE(ImageId(full_reference_).empty()) << full_reference_ << " is not in buildah's storage";
}

TEST_F(ImageE2E, TheConfigRunsTheControllerAsTheNonRootUser) {
  CommandResult r = Buildah({"inspect", "--type", "image", full_reference_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto config = nlohmann::json::parse(r.output).at("OCIv1").at("config");
  EXPECT_EQ(config.at("Entrypoint"), nlohmann::json::array({"/usr/local/bin/certplane-controller"})) << config.dump();
  EXPECT_EQ(config.at("User"), "65532:65532") << config.dump();
  for (const char* port : {"8080/tcp", "8443/tcp", "9402/tcp", "9403/tcp"}) {
    EXPECT_TRUE(config.contains("ExposedPorts") && config["ExposedPorts"].contains(port)) << port << config.dump();
  }
}

TEST_F(ImageE2E, TheControllerRunsInsideTheImageAsUser65532WithoutTheToolchain) {
  WorkingContainer c(full_reference_);
  // Running at all means the dynamic loader found every library it links in the image.
  CommandResult version = c.Run({"/usr/local/bin/certplane-controller", "--version"});
  EXPECT_EQ(version.exit_code, 0) << version.output;
  EXPECT_EQ(Trim(version.output), std::string("certplane-controller ") + CERTPLANE_VERSION);
  CommandResult id = c.Run({"id", "-u"});
  EXPECT_EQ(id.exit_code, 0) << id.output;
  EXPECT_EQ(Trim(id.output), "65532");
  // The runtime stage, not the build stage: no compiler, no CMake, no sources.
  for (const char* path : {"/usr/bin/c++", "/usr/bin/cmake", "/usr/include/openssl", "/src", "/build"}) {
    CommandResult r = c.Run({"test", "-e", path});
    EXPECT_EQ(r.exit_code, 1) << path << " is in the runtime image: " << r.output;
  }
}

TEST_F(ImageE2E, ItsSizeIsReportedAndHoldsNoBuildStage) {
  CommandResult r = Buildah({"images", "--noheading", "--format", "{{.Size}}", full_reference_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // One line per name of the image (a rebuilt tree may give it several).
  const std::string size = Trim(r.output.substr(0, r.output.find('\n')));
  std::cout << "image " << reference_ << ": " << size << "\n";
  RecordProperty("image_size", size);
  // buildah prints decimal units with three or four significant digits ("180 MB").
  std::smatch m;
  ASSERT_TRUE(std::regex_match(size, m, std::regex(R"(([0-9.]+) (B|kB|MB|GB))"))) << size;
  const double bytes = std::stod(m[1]) * (m[2] == "GB" ? 1e9 : m[2] == "MB" ? 1e6 : m[2] == "kB" ? 1e3 : 1);
  // bookworm-slim (about 80 MB) plus five libraries and the controller; the build
  // stage's toolchain alone is several hundred MB.
  EXPECT_LT(bytes, 200e6);
  EXPECT_GT(bytes, 50e6);
}

TEST_F(ImageE2E, AnUnchangedTreeRebuildsFromTheLayerCache) {
  ImageRun again = RunImageScript({});
  ASSERT_EQ(again.exit_code, 0) << again.stderr_text;
  std::cout << "warm rebuild: " << again.seconds << " s\n";
  // Same inputs, same image: every step came from the cache (a compile would make a
  // new controller binary, and so a new image).
  EXPECT_EQ(ImageId(full_reference_), ImageId("docker.io/library/" + LastLine(again.stdout_text)));
  EXPECT_THAT(again.stderr_text, HasSubstr("Using cache"));
}

TEST_F(ImageE2E, AFailedBuildExitsNonZeroAndLeavesTheTaggedImage) {
  const std::string before = ImageId(full_reference_);
  ASSERT_FALSE(before.empty());
  TempDir context;
  WriteFile(context.File("Dockerfile"),
            "FROM debian:bookworm-slim\n"
            "RUN echo this build breaks on purpose >&2; exit 7\n");
  const std::string containers_before = Buildah({"containers", "--quiet"}).output;
  const std::string tag = reference_.substr(reference_.rfind(':') + 1);
  // The same name and tag as the good image: the failure must not take them over.
  ImageRun broken = RunImageScript({"--file", context.File("Dockerfile"), "--context", context.path(), "--name",
                                    "certplane-controller", "--tag", tag});
  EXPECT_NE(broken.exit_code, 0) << broken.stderr_text;
  EXPECT_THAT(broken.stderr_text, HasSubstr("this build breaks on purpose"));
  EXPECT_THAT(broken.stderr_text, HasSubstr("exit status 7")) << "the builder's own error";
  EXPECT_THAT(broken.stdout_text, Not(HasSubstr("certplane-controller:"))) << "no reference for a failed build";
  EXPECT_EQ(ImageId(full_reference_), before) << "the failed build moved the tag " << reference_;
  CommandResult images = Buildah({"images", "--format", "{{.Name}}:{{.Tag}}"});
  EXPECT_THAT(images.output, Not(HasSubstr("certplane-building"))) << "a temporary name was left behind";
  EXPECT_EQ(Buildah({"containers", "--quiet"}).output, containers_before) << "the failed step's container was kept";
}

TEST_F(ImageE2E, TheOpensslImageServesAndVerifiesTlsAsANonRootUser) {
  const std::string dir = Source() + "/tests/e2e/node/images/openssl";
  ImageRun run = RunImageScript({"--file", dir + "/Dockerfile", "--context", dir, "--name", "certplane-openssl"});
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const std::string reference = LastLine(run.stdout_text);
  ASSERT_THAT(reference, ::testing::StartsWith("certplane-openssl:"));
  WorkingContainer c("docker.io/library/" + reference);
  CommandResult id = c.Run({"id", "-u"});
  EXPECT_EQ(Trim(id.output), "65532") << id.output;
  // A self-signed server on a loopback port, and a client that requires the chain to
  // verify against it by name: what the node tests' serving and client pods do.
  const int port = FreeLoopbackPort();
  const std::string script =
      "set -e; cd /tmp; "
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=frontend "
      "-addext subjectAltName=DNS:frontend.test -keyout key.pem -out cert.pem 2>/dev/null; "
      "openssl s_server -accept 127.0.0.1:" +
      std::to_string(port) +
      " -cert cert.pem -key key.pem -naccept 1 -quiet >/dev/null 2>&1 & "
      "for i in $(seq 50); do sleep 0.1; "
      "  echo | openssl s_client -connect 127.0.0.1:" +
      std::to_string(port) +
      " -CAfile cert.pem -verify_hostname frontend.test -verify_return_error >out.txt 2>&1 && break; done; "
      "grep 'Verify return code: 0 (ok)' out.txt; wait; "
      "openssl verify -CAfile cert.pem cert.pem; command -v curl";
  CommandResult tls = c.Run({"sh", "-c", script});
  EXPECT_EQ(tls.exit_code, 0) << tls.output;
  EXPECT_THAT(tls.output, HasSubstr("Verify return code: 0 (ok)"));
  EXPECT_THAT(tls.output, HasSubstr("cert.pem: OK"));
}

}  // namespace
}  // namespace certplane::testing
