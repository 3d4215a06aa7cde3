// HttpServer with a ServingIdentity on a real loopback socket, checked with the clients
// and scanners users and auditors use: openssl s_client, curl, sslscan, and Python's ssl
// module for what needs a connection held open.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "eventually.h"
#include "free_port.h"
#include "http/accepted_sockets.h"
#include "http/http_server.h"
#include "http/serving_identity.h"
#include "process.h"
#include "test_files.h"

namespace certplane::http {
namespace {

using certplane::testing::ChildProcess;
using certplane::testing::CommandResult;
using certplane::testing::Eventually;
using certplane::testing::FreeLoopbackPort;
using certplane::testing::ReadFile;
using certplane::testing::RunTool;
using certplane::testing::TempDir;
using certplane::testing::WriteFile;

class HttpsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Get("/hello", [](const HttpRequest& r) {
      return HttpResponse::Text(200, std::string("hello over ") + (r.tls ? "tls" : "plain http"));
    });
    ASSERT_NO_FATAL_FAILURE(MakeCa());
    ASSERT_NO_FATAL_FAILURE(MakeLeaf("first"));
    ASSERT_TRUE(identity_.Load(ReadFile(dir_.File("first.crt")), ReadFile(dir_.File("first.key"))).ok());
    port_ = FreeLoopbackPort();
    ASSERT_GT(port_, 0);
    address_ = "127.0.0.1:" + std::to_string(port_);
    server_ = std::make_unique<HttpServer>(address_, router_, HttpServerOptions{.tls = &identity_});
    ASSERT_TRUE(server_->Start().ok());
  }

  static void Run(const std::vector<std::string>& argv) {
    CommandResult r = RunTool(argv);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  void MakeCa() {
    Run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
         "-subj", "/CN=https test CA", "-keyout", dir_.File("ca.key"), "-out", dir_.File("ca.crt")});
  }

  // A leaf for 127.0.0.1 signed by the CA: NAME.crt (leaf and CA, as a chain) and NAME.key.
  void MakeLeaf(const std::string& name) {
    const std::string base = dir_.File(name);
    Run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + name,
         "-keyout", base + ".key", "-out", base + ".csr"});
    WriteFile(base + ".ext", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    Run({"openssl", "x509", "-req", "-in", base + ".csr", "-CA", dir_.File("ca.crt"), "-CAkey", dir_.File("ca.key"),
         "-CAcreateserial", "-days", "1", "-extfile", base + ".ext", "-out", base + ".leaf"});
    WriteFile(base + ".crt", ReadFile(base + ".leaf") + ReadFile(dir_.File("ca.crt")));
  }

  // openssl s_client against the server with `extra` flags, sending `request` (by
  // default nothing: stdin is closed at once).
  CommandResult SClient(std::vector<std::string> extra, const std::string& request = "") {
    std::vector<std::string> argv{
        "openssl", "s_client", "-connect", address_, "-CAfile", dir_.File("ca.crt"), "-verify_return_error"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunTool(argv, {.stdin_data = request, .timeout = std::chrono::seconds(20)});
  }

  // The serial the server presents to a new connection, as openssl prints it.
  std::string PresentedSerial() {
    CommandResult r = RunTool({"bash", "-c",
                               "openssl s_client -connect " + address_ +
                                   " </dev/null 2>/dev/null | "
                                   "openssl x509 -noout -serial"});
    return r.output;
  }

  std::string Curl(const std::string& path) {
    return RunTool({"curl", "-sS", "--max-time", "10", "--cacert", dir_.File("ca.crt"), "https://" + address_ + path})
        .output;
  }

  TempDir dir_;
  Router router_;
  ServingIdentity identity_;
  int port_ = 0;
  std::string address_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpsServerTest, ServesOverTlsAndTellsHandlersSo) { EXPECT_EQ(Curl("/hello"), "hello over tls"); }

TEST_F(HttpsServerTest, SpeaksTls12AndTls13) {
  for (const char* version : {"-tls1_2", "-tls1_3"}) {
    CommandResult r = SClient({version});
    EXPECT_EQ(r.exit_code, 0) << version << ": " << r.output;
    EXPECT_NE(r.output.find("Verify return code: 0 (ok)"), std::string::npos) << r.output;
  }
}

TEST_F(HttpsServerTest, RefusesTls10And11EvenToAClientThatAllowsThem) {
  // SECLEVEL 0 lets this client offer the old protocols at all, so a failure is the
  // server's refusal and not the client's own policy.
  for (const char* version : {"-tls1", "-tls1_1"}) {
    CommandResult r = SClient({version, "-cipher", "DEFAULT:@SECLEVEL=0"});
    EXPECT_NE(r.exit_code, 0) << version << ": " << r.output;
    EXPECT_EQ(r.output.find("no protocols available"), std::string::npos) << "the client never tried: " << r.output;
    EXPECT_NE(r.output.find("alert protocol version"), std::string::npos) << version << ": " << r.output;
  }
}

TEST_F(HttpsServerTest, RefusesTls12SuitesWithoutForwardSecrecyOrAead) {
  for (const char* cipher : {"AES128-SHA", "AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384",
                             "DHE-RSA-AES128-GCM-SHA256"}) {
    CommandResult r = SClient({"-tls1_2", "-cipher", std::string(cipher) + ":@SECLEVEL=0"});
    EXPECT_NE(r.exit_code, 0) << cipher << " was accepted: " << r.output;
  }
  for (const char* cipher :
       {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305"}) {
    CommandResult r = SClient({"-tls1_2", "-cipher", cipher});
    EXPECT_EQ(r.exit_code, 0) << cipher << " was refused: " << r.output;
  }
}

// sslscan, as an auditor would run it: only TLS 1.2 and 1.3, and only the suites above.
TEST_F(HttpsServerTest, SslscanFindsOnlyModernProtocolsAndSuites) {
  CommandResult r =
      RunTool({"sslscan", "--no-colour", "--no-heartbleed", address_}, {.timeout = std::chrono::seconds(120)});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* line : {"SSLv2     disabled", "SSLv3     disabled", "TLSv1.0   disabled", "TLSv1.1   disabled",
                           "TLSv1.2   enabled", "TLSv1.3   enabled"}) {
    EXPECT_NE(r.output.find(line), std::string::npos) << "want \"" << line << "\" in:\n" << r.output;
  }
  EXPECT_NE(r.output.find("Session renegotiation not supported"), std::string::npos) << r.output;
  // "Accepted  TLSv1.2  128 bits  ECDHE-ECDSA-AES128-GCM-SHA256  Curve 25519 DHE 253"
  const std::regex accepted(R"((Preferred|Accepted)\s+(TLSv1\.[0-3])\s+\d+ bits\s+(\S+))");
  const std::set<std::string> allowed{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                                      "ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_AES_128_GCM_SHA256",
                                      "TLS_AES_256_GCM_SHA384",        "TLS_CHACHA20_POLY1305_SHA256"};
  int suites = 0;
  for (std::sregex_iterator it(r.output.begin(), r.output.end(), accepted), end; it != end; ++it) {
    ++suites;
    const std::string version = (*it)[2], suite = (*it)[3];
    EXPECT_TRUE(version == "TLSv1.2" || version == "TLSv1.3") << version << " " << suite;
    EXPECT_TRUE(allowed.contains(suite)) << "sslscan found " << version << " " << suite << " accepted";
  }
  EXPECT_GE(suites, 4) << "sslscan listed no accepted suites:\n" << r.output;
}

TEST_F(HttpsServerTest, ResumesSessionsAcrossConnections) {
  for (const char* version : {"-tls1_2", "-tls1_3"}) {
    const std::string session = dir_.File(std::string("session") + version);
    // A request, and -ign_eof to read the answer until the server closes: a TLS 1.3
    // ticket arrives after the handshake, so a client that hangs up at once has none.
    CommandResult first = SClient({version, "-sess_out", session, "-ign_eof"},
                                  "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    // (cpprestsdk closes the connection without a close_notify after "Connection: close",
    // which s_client reports as an unexpected EOF, so its exit code says nothing here.)
    ASSERT_NE(first.output.find("Verify return code: 0 (ok)"), std::string::npos) << first.output;
    ASSERT_FALSE(ReadFile(session).empty()) << version << ": no session was saved:\n" << first.output;
    CommandResult second = SClient({version, "-sess_in", session});
    ASSERT_EQ(second.exit_code, 0) << second.output;
    EXPECT_NE(second.output.find("Reused, TLSv1."), std::string::npos) << version << " was not resumed:\n"
                                                                       << second.output;
  }
}

TEST_F(HttpsServerTest, ANewIdentityIsPresentedToNewConnectionsWhileOpenOnesCarryOn) {
  // Python holds one connection open across the rotation: a request before, a request
  // after on the same connection, then a new connection. It prints the serial each saw.
  const std::string script = R"PY(
import http.client, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
def serial(conn):
    der = conn.sock.getpeercert(binary_form=True)
    return der.hex()[:64]
held = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=10)
held.request("GET", "/hello"); r = held.getresponse(); r.read()
print("before", r.status, serial(held), flush=True)
while not open(sys.argv[3]).read().strip():
    time.sleep(0.05)
held.request("GET", "/hello"); r = held.getresponse(); body = r.read()
print("held", r.status, serial(held), flush=True)
fresh = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=10)
fresh.request("GET", "/hello"); r = fresh.getresponse(); r.read()
print("fresh", r.status, serial(fresh), flush=True)
)PY";
  WriteFile(dir_.File("rotate.py"), script);
  WriteFile(dir_.File("rotated"), "");
  const std::string log = dir_.File("rotate.log");
  ChildProcess client(
      {"python3", dir_.File("rotate.py"), std::to_string(port_), dir_.File("ca.crt"), dir_.File("rotated")},
      {.log_path = log});
  ASSERT_TRUE(
      Eventually([&] { return ReadFile(log).find("before 200") != std::string::npos; }, std::chrono::seconds(20)))
      << ReadFile(log);
  const std::string first_serial = PresentedSerial();
  ASSERT_NO_FATAL_FAILURE(MakeLeaf("second"));
  ASSERT_TRUE(identity_.Load(ReadFile(dir_.File("second.crt")), ReadFile(dir_.File("second.key"))).ok());
  WriteFile(dir_.File("rotated"), "yes\n");
  ASSERT_TRUE(Eventually([&] { return !client.running(); }, std::chrono::seconds(20))) << ReadFile(log);
  const std::string out = ReadFile(log);
  const std::regex line(R"((before|held|fresh) 200 ([0-9a-f]+))");
  std::map<std::string, std::string> seen;
  for (std::sregex_iterator it(out.begin(), out.end(), line), end; it != end; ++it) seen[(*it)[1]] = (*it)[2];
  ASSERT_EQ(seen.size(), 3u) << out;
  EXPECT_EQ(seen["held"], seen["before"]) << "the open connection was dropped or renegotiated: " << out;
  EXPECT_NE(seen["fresh"], seen["before"]) << "a new connection still got the old certificate: " << out;
  EXPECT_NE(PresentedSerial(), first_serial);
}

TEST_F(HttpsServerTest, ARefusedIdentityLeavesTheCurrentOneInPlace) {
  ASSERT_NO_FATAL_FAILURE(MakeLeaf("other"));
  const std::string before = PresentedSerial();
  // The key of another certificate, garbage, and an empty chain are all refused.
  EXPECT_FALSE(identity_.Load(ReadFile(dir_.File("first.crt")), ReadFile(dir_.File("other.key"))).ok());
  EXPECT_FALSE(identity_.Load("-----BEGIN CERTIFICATE-----\nnot base64\n", ReadFile(dir_.File("first.key"))).ok());
  EXPECT_FALSE(identity_.Load("", ReadFile(dir_.File("first.key"))).ok());
  EXPECT_EQ(PresentedSerial(), before);
  EXPECT_EQ(Curl("/hello"), "hello over tls");
}

TEST(HttpsServerWithoutIdentity, DoesNotOpenThePortUntilAnIdentityIsLoaded) {
  Router router;
  router.Get("/hello", [](const HttpRequest&) { return HttpResponse::Text(200, "hello"); });
  ServingIdentity identity;
  const int port = FreeLoopbackPort();
  HttpServer server("127.0.0.1:" + std::to_string(port), router, {.tls = &identity});
  Status refused = server.Start();
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused;
  CommandResult r =
      RunTool({"curl", "-sS", "-k", "--max-time", "10", "https://127.0.0.1:" + std::to_string(port) + "/hello"});
  EXPECT_NE(r.exit_code, 0) << "nothing may listen yet: " << r.output;

  TempDir dir;
  ASSERT_EQ(RunTool({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-days", "1", "-subj", "/CN=late", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                     dir.File("k.pem"), "-out", dir.File("c.pem")})
                .exit_code,
            0);
  ASSERT_TRUE(identity.Load(ReadFile(dir.File("c.pem")), ReadFile(dir.File("k.pem"))).ok());
  ASSERT_TRUE(server.Start().ok());
  CommandResult ok = RunTool({"curl", "-sS", "--max-time", "10", "--cacert", dir.File("c.pem"),
                              "https://127.0.0.1:" + std::to_string(port) + "/hello"});
  EXPECT_EQ(ok.output, "hello");
}

// Garbage where a ClientHello belongs, and many handshakes that stall: the listener
// stays up and answers everyone else at once (handshakes are asynchronous; no worker
// thread waits on a client).
TEST_F(HttpsServerTest, GarbageAndStalledHandshakesDoNotStopOthers) {
  const std::string script = R"PY(
import os, socket, sys, time
port = int(sys.argv[1])
# Garbage: a TLS record header announcing a handshake, then noise; and plain HTTP.
for payload in [b"\x16\x03\x01\x00\x50" + os.urandom(80), os.urandom(512), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"]:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(payload)
    try:
        s.recv(1024)
    except OSError:
        pass
    s.close()
# Slowloris: connections that send half a ClientHello record and then nothing.
held = []
for _ in range(int(sys.argv[2])):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"\x16\x03\x01\x02\x00\x01")
    held.append(s)
print("stalled", len(held), flush=True)
time.sleep(float(sys.argv[3]))
)PY";
  WriteFile(dir_.File("stall.py"), script);
  const std::string log = dir_.File("stall.log");
  // More stalled handshakes than the server has workers (16) many times over.
  ChildProcess attacker({"python3", dir_.File("stall.py"), std::to_string(port_), "200", "30"}, {.log_path = log});
  ASSERT_TRUE(
      Eventually([&] { return ReadFile(log).find("stalled 200") != std::string::npos; }, std::chrono::seconds(30)))
      << ReadFile(log);
  ASSERT_TRUE(attacker.running()) << "the stalled connections must still be open: " << ReadFile(log);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Curl("/hello"), "hello over tls") << "request " << i;
  const auto took = std::chrono::steady_clock::now() - start;
  RecordProperty("twenty_requests_ms",
                 std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
  // Hang up the 200 connections and stop the server, then give cpprestsdk's pool a
  // moment: closing them cancels their requests, whose continuations run on the pool
  // after Stop returns; a process that exits first leaves them allocated, and
  // LeakSanitizer (the ASan run of this test) reports them.
  attacker.Kill(SIGKILL);
  server_->Stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
}

// Clients that hold stalled handshakes and, when `trigger` appears, either hang up all
// at once ("hangup") or report how many of their connections the server ended ("count").
constexpr std::string_view kHeldConnectionsScript = R"PY(
import os, socket, sys, time
port, n, trigger, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
held = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"\x16\x03\x01\x02\x00\x01")
    held.append(s)
print("held", len(held), flush=True)
while not os.path.exists(trigger):
    time.sleep(0.001)
if mode == "hangup":
    for s in held:
        s.close()
    print("hung up", flush=True)
else:
    ended = 0
    for s in held:
        try:
            ended += s.recv(1) == b""
        except OSError:
            ended += 1
    print("ended", ended, flush=True)
)PY";

TEST_F(HttpsServerTest, StopsCleanlyWhileClientsHangUpAtTheSameMoment) {
  // Before the server ended connections itself on Stop, cpprestsdk's close raced the
  // handlers these hang-ups run and crashed about one stop in thirty under ASan.
  WriteFile(dir_.File("held.py"), std::string(kHeldConnectionsScript));
  for (int round = 0; round < 8; ++round) {
    const std::string trigger = dir_.File("go" + std::to_string(round));
    const std::string log = dir_.File("held" + std::to_string(round) + ".log");
    ChildProcess clients({"python3", dir_.File("held.py"), std::to_string(port_), "100", trigger, "hangup"},
                         {.log_path = log});
    ASSERT_TRUE(
        Eventually([&] { return ReadFile(log).find("held 100") != std::string::npos; }, std::chrono::seconds(30)))
        << ReadFile(log);
    WriteFile(trigger, "");
    std::this_thread::sleep_for(std::chrono::milliseconds(round % 4));
    server_->Stop();
    EXPECT_EQ(ShutDownAcceptedSockets(static_cast<uint16_t>(port_)), 0) << "round " << round;
    server_ = std::make_unique<HttpServer>(address_, router_, HttpServerOptions{.tls = &identity_});
    ASSERT_TRUE(server_->Start().ok()) << "round " << round;
    EXPECT_EQ(Curl("/hello"), "hello over tls") << "round " << round;
  }
}

TEST_F(HttpsServerTest, StopEndsConnectionsThatClientsHoldOpen) {
  WriteFile(dir_.File("held.py"), std::string(kHeldConnectionsScript));
  const std::string trigger = dir_.File("go");
  const std::string log = dir_.File("held.log");
  ChildProcess clients({"python3", dir_.File("held.py"), std::to_string(port_), "50", trigger, "count"},
                       {.log_path = log});
  ASSERT_TRUE(Eventually([&] { return ReadFile(log).find("held 50") != std::string::npos; }, std::chrono::seconds(30)))
      << ReadFile(log);
  server_->Stop();
  WriteFile(trigger, "");
  EXPECT_TRUE(Eventually([&] { return ReadFile(log).find("ended 50") != std::string::npos; }, std::chrono::seconds(30)))
      << ReadFile(log);
}

}  // namespace
}  // namespace certplane::http
