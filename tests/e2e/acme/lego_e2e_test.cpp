// lego (Debian's package, the v4 CLI) against a profile's ACME directory: tls-alpn-01
// with lego's own TLS server on loopback, and dns-01 with its `exec` DNS provider
// writing TXT records into the test DNS server's zone file; then renewal and revocation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "acme_fixture.h"

namespace certplane::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

class LegoE2E : public AcmeE2E {
 public:
  // Over HTTPS: lego trusts the CA the controller publishes (LEGO_CA_CERTIFICATES).
  static void SetUpTestSuite() { SetUpAcmeSuite(/*https=*/true); }
  static void TearDownTestSuite() { TearDownAcmeSuite(); }

 protected:
  std::string LegoPath() const { return tmp_.File("lego"); }
  std::string CertFile(const std::string& name) const { return LegoPath() + "/certificates/" + name + ".crt"; }

  // lego with its account and certificates under this test's temporary folder.
  // `solver` chooses the challenge, `command` is run/renew/revoke and its flags, `env`
  // (NAME=value) goes to lego's environment (the exec DNS provider reads it).
  CommandResult Lego(const AcmeProfile& p, const std::string& name, const std::vector<std::string>& solver,
                     const std::vector<std::string>& command, const std::vector<std::string>& env = {}) {
    std::vector<std::string> argv{"env", "LEGO_CA_CERTIFICATES=" + ServingCaFile()};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {"lego", "--server", p.directory_url, "--path", LegoPath(), "--email", "admin@lego.test",
                             "--accept-tos", "--eab", "--kid", p.eab_kid, "--hmac", p.eab_hmac_b64, "-d", name});
    argv.insert(argv.end(), solver.begin(), solver.end());
    argv.insert(argv.end(), command.begin(), command.end());
    return RunTool(argv, {.timeout = std::chrono::seconds(180)});
  }

  std::vector<std::string> TlsAlpnSolver() const {
    return {"--tls", "--tls.port", "127.0.0.1:" + std::to_string(TlsAlpn01Port())};
  }

  // The exec provider runs `EXEC_PATH present|cleanup <fqdn> <value>`; the script
  // adds or removes "<fqdn> TXT <value>" in the zone file the DNS server re-reads on
  // every query. Its resolver is the test DNS server, and the check that every
  // authoritative name server (on port 53) has the record is off: ours has a port of
  // its own, and it answers from the file straight away.
  std::vector<std::string> DnsSolver() const {
    return {"--dns", "exec", "--dns.resolvers", Dns().address(), "--dns.disable-cp"};
  }
  std::vector<std::string> DnsEnv() {
    const std::string script = tmp_.File("lego-dns.sh");
    WriteFile(script,
              "#!/bin/sh\n"
              "# lego's exec DNS provider: $1 is present or cleanup, $2 the record's name, $3 its value.\n"
              "zone='" +
                  ZoneFile() +
                  "'\n"
                  "case \"$1\" in\n"
                  "  present) printf '%s TXT %s\\n' \"$2\" \"$3\" >> \"$zone\" ;;\n"
                  "  cleanup) grep -v -F \"$2 TXT $3\" \"$zone\" > \"$zone.tmp\"; mv \"$zone.tmp\" \"$zone\" ;;\n"
                  "esac\n");
    ::chmod(script.c_str(), 0755);
    return {"EXEC_PATH=" + script, "EXEC_PROPAGATION_TIMEOUT=30", "EXEC_POLLING_INTERVAL=1"};
  }

  void ExpectIssuedAndInInventory(const AcmeProfile& p, const std::string& name) {
    const std::string cert = CertFile(name);
    const std::string ca = SaveTrustBundle(p);
    CommandResult verified = RunTool({"openssl", "verify", "-CAfile", ca, cert});
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
    EXPECT_THAT(Openssl({"x509", "-in", cert, "-noout", "-ext", "subjectAltName"}), HasSubstr("DNS:" + name));
    EXPECT_THAT(AcmeCertificateSerials(p.name), Contains(SerialOf(cert))) << AcmeLogTail();
  }
};

TEST_F(LegoE2E, EnrollsOverTlsAlpn01ThenRenewsAndRevokes) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"tls-alpn-01"}});
  const std::string name = "tls.lego.test";
  Dns().SetA(name, "127.0.0.1");

  CommandResult issued = Lego(p, name, TlsAlpnSolver(), {"run"});
  ASSERT_EQ(issued.exit_code, 0) << issued.output << AcmeLogTail();
  ExpectIssuedAndInInventory(p, name);
  const std::string first = SerialOf(CertFile(name));

  // --days beyond the lifetime makes the renewal due now.
  CommandResult renewed = Lego(p, name, TlsAlpnSolver(), {"renew", "--days", "9999", "--no-random-sleep"});
  ASSERT_EQ(renewed.exit_code, 0) << renewed.output << AcmeLogTail();
  const std::string second = SerialOf(CertFile(name));
  EXPECT_NE(second, first);
  ExpectIssuedAndInInventory(p, name);

  // Reason 1 is keyCompromise.
  CommandResult revoked = Lego(p, name, TlsAlpnSolver(), {"revoke", "--reason", "1", "--keep"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.output << AcmeLogTail();
  const std::string object = AcmeCertificateWithSerial(p.name, second);
  ASSERT_FALSE(object.empty());
  EXPECT_EQ(Kubectl({"get", "cpcert", object, "-n", ControllerNamespace(), "-o", "jsonpath={.spec.revocation.reason}"})
                .output,
            "keyCompromise");
  const std::string crl = WaitForCrlListing(p.ca, second);
  ASSERT_FALSE(crl.empty()) << "serial " << second << " not on the CRL" << AcmeLogTail();
  CommandResult checked = VerifyWithCrl(SaveTrustBundle(p), crl, CertFile(name));
  EXPECT_NE(checked.exit_code, 0);
  EXPECT_THAT(checked.output, HasSubstr("certificate revoked"));
}

TEST_F(LegoE2E, EnrollsOverDns01WithTheExecProviderAndRenews) {
  const AcmeProfile p = MakeAcmeProfile({.challenges = {"dns-01"}, .intermediate = true});
  const std::string name = "dns.lego.test";

  CommandResult issued = Lego(p, name, DnsSolver(), {"run"}, DnsEnv());
  ASSERT_EQ(issued.exit_code, 0) << issued.output << AcmeLogTail();
  ExpectIssuedAndInInventory(p, name);
  // lego removed its record when it was done.
  EXPECT_THAT(ReadFile(ZoneFile()), ::testing::Not(HasSubstr("_acme-challenge." + name)));
  const std::string first = SerialOf(CertFile(name));

  CommandResult renewed = Lego(p, name, DnsSolver(), {"renew", "--days", "9999", "--no-random-sleep"}, DnsEnv());
  ASSERT_EQ(renewed.exit_code, 0) << renewed.output << AcmeLogTail();
  EXPECT_NE(SerialOf(CertFile(name)), first);
  ExpectIssuedAndInInventory(p, name);
}

}  // namespace
}  // namespace certplane::testing
