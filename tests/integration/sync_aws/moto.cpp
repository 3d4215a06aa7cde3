#include "moto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "base/text.h"
#include "free_port.h"

namespace certplane::sync::aws::testing {

using certplane::testing::CommandResult;
using certplane::testing::RunShell;
using certplane::testing::RunTool;
using json = nlohmann::json;

namespace {

// Keep equal to SETUP_CALLS in aws_tool.py: moto checks signatures from the call after.
constexpr int kSetupCalls = 5;

bool Accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

// The last line of the output that parses as a JSON object (Python may warn before it).
json LastJsonLine(const std::string& output) {
  std::istringstream lines(output);
  std::string line;
  json found;
  while (std::getline(lines, line)) {
    json parsed = json::parse(line, nullptr, false);
    if (parsed.is_object()) found = std::move(parsed);
  }
  return found;
}

}  // namespace

std::string PythonTool(const std::string& name) {
  const char* dir = std::getenv("CERTPLANE_PYTHON_TOOLS_DIR");
  return std::string(dir == nullptr ? "" : dir) + "/bin/" + name;
}

MotoServer::MotoServer(Mode mode) {
  const int port = certplane::testing::FreeLoopbackPort();
  endpoint_ = "http://127.0.0.1:" + std::to_string(port);
  std::vector<std::string> env;
  if (mode == kSignaturesChecked) env.push_back("INITIAL_NO_AUTH_ACTION_COUNT=" + std::to_string(kSetupCalls));
  // timeout is the watchdog: should this process die without running the destructor,
  // the server still exits within ten minutes.
  process_ = std::make_unique<certplane::testing::ChildProcess>(
      std::vector<std::string>{"timeout", "--kill-after=10", "600", PythonTool("moto_server"), "-H", "127.0.0.1", "-p",
                               std::to_string(port)},
      certplane::testing::ChildOptions{.log_path = dir_.File("moto.log"), .extra_env = env});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!Accepts(port)) {
    if (!process_->running() || std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "moto_server did not start on port " << port << ":\n"
                    << certplane::testing::ReadFile(dir_.File("moto.log"));
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (mode == kSignaturesChecked) {
    json setup = Tool({"setup"});
    if (!setup.contains("access_key_id")) {
      ADD_FAILURE() << "aws_tool.py setup failed: " << setup.dump();
      return;
    }
    access_key_id_ = setup["access_key_id"];
    secret_access_key_ = setup["secret_access_key"];
    kms_key_id_ = setup["kms_key_id"];
    kms_key_arn_ = setup["kms_key_arn"];
  }
}

MotoServer::~MotoServer() {
  if (process_) process_->Stop(std::chrono::milliseconds(5000));
}

AwsCredentials MotoServer::Credentials() const {
  AwsCredentials c;
  c.access_key_id = access_key_id_;
  c.secret_access_key = SensitiveString(secret_access_key_);
  return c;
}

json MotoServer::Tool(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {PythonTool("python"), std::string(CERTPLANE_SYNC_AWS_TOOL), endpoint_};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r =
      RunTool(argv, {.extra_env = {"AWS_ACCESS_KEY_ID=" + access_key_id_, "AWS_SECRET_ACCESS_KEY=" + secret_access_key_,
                                   "AWS_DEFAULT_REGION=" + std::string(kRegion)}});
  json out = LastJsonLine(r.output);
  if (r.exit_code != 0 || out.is_null()) {
    ADD_FAILURE() << "aws_tool.py " << (args.empty() ? "" : args[0]) << " exited " << r.exit_code << ":\n" << r.output;
  }
  return out;
}

CertificateMaterial MakeLeaf(const certplane::testing::TempDir& dir, TestKey key, const std::string& tag) {
  const std::string p = dir.File(tag);
  const std::string keyopts =
      key == TestKey::kEcdsaP256 ? "-newkey ec -pkeyopt ec_paramgen_curve:P-256" : "-newkey rsa:2048";
  const std::string script =
      "set -e\n"
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
      p + "-ca.key -out " + p + "-ca.crt -subj /CN=certplane-sync-test-root-" + tag +
      " -days 30 2>/dev/null\n"
      "openssl req " +
      keyopts + " -nodes -keyout " + p + ".key -out " + p + ".csr -subj /CN=" + tag +
      ".sync.example 2>/dev/null\n"
      "printf 'subjectAltName=DNS:" +
      tag + ".sync.example\\nextendedKeyUsage=serverAuth\\n' > " + p +
      ".ext\n"
      "openssl x509 -req -in " +
      p + ".csr -CA " + p + "-ca.crt -CAkey " + p +
      "-ca.key -CAcreateserial -days 30 "
      "-extfile " +
      p + ".ext -out " + p +
      ".crt 2>/dev/null\n"
      "openssl x509 -in " +
      p + ".crt -noout -serial > " + p + ".serial\n";
  CommandResult r = RunShell(script);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  using certplane::testing::ReadFile;
  CertificateMaterial m;
  m.certificate_pem = ReadFile(p + ".crt");
  m.chain_pem = ReadFile(p + "-ca.crt");
  m.ca_pem = m.chain_pem;
  m.private_key_pem = SensitiveString(ReadFile(p + ".key"));
  std::string serial = ReadFile(p + ".serial");  // "serial=0A1B...\n"
  serial = serial.substr(serial.find('=') + 1);
  while (!serial.empty() && (serial.back() == '\n' || serial.back() == '\r')) serial.pop_back();
  m.serial_hex = AsciiLower(serial);
  return m;
}

std::string SerialWithoutLeadingZeros(const CertificateMaterial& material) {
  const std::size_t first = material.serial_hex.find_first_not_of('0');
  return first == std::string::npos ? "0" : material.serial_hex.substr(first);
}

std::string PemBody(const std::string& pem) {
  std::string out;
  for (char c : pem) {
    if (c != '\n' && c != '\r' && c != ' ') out += c;
  }
  return out;
}

}  // namespace certplane::sync::aws::testing
