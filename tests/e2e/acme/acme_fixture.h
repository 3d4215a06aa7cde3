// The fixture of the ACME end-to-end tests: the operator's fixture (the real controller
// on the shared control plane) plus what an ACME client needs around it: an
// authoritative DNS server for the zone "test." that the controller's challenge
// validator resolves every name through (--acme-dns-server), and the loopback ports the
// validator connects to for http-01 and tls-alpn-01, where the clients under test
// (certbot, lego) start their own challenge servers.
//
//   class CertbotE2E : public AcmeE2E {
//    public:
//     static void SetUpTestSuite() { SetUpAcmeSuite(); }
//     static void TearDownTestSuite() { TearDownAcmeSuite(); }
//   };
//   TEST_F(CertbotE2E, ...) {
//     AcmeProfile p = MakeAcmeProfile({});      // CA, template, profile, EAB Secret
//     Dns().SetA("www.certbot.test", "127.0.0.1");
//     ... certbot --server p.directory_url --http-01-port Http01Port() ...
//   }
//
// Every server here listens on 127.0.0.1 only, on ports picked when the suite starts,
// and is stopped when the suite ends, whatever happened.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "acme/client/acme_client.h"
#include "dns_responder.h"
#include "operator_fixture.h"
#include "pki/key.h"

namespace certplane::testing {

struct AcmeProfileOptions {
  std::vector<std::string> challenges = {"http-01", "dns-01", "tls-alpn-01"};
  bool external_account_binding = true;
  // validation.allowedCIDRs: ["127.0.0.0/8"]; without it the validator refuses loopback.
  bool allow_loopback = true;
  // Issue from an intermediate under the root (as examples/ does) instead of the root
  // itself. certbot needs this: it refuses a chain of fewer than two certificates, and
  // the server sends a root-issued leaf alone.
  bool intermediate = false;
};

struct AcmeProfile {
  std::string name;
  std::string ca;    // the issuing CA (whose CRL lists the profile's revocations)
  std::string root;  // the root CA (== ca without an intermediate)
  std::string directory_url;
  std::string eab_kid;       // "" without EAB
  std::string eab_hmac_b64;  // the MAC key as base64url text (certbot's and lego's form)
  std::string eab_hmac_raw;  // the same, decoded (AcmeClient's Eab)
};

// A certificate the test client ordered, proved over dns-01, finalized and downloaded.
struct IssuedCertificate {
  pki::PrivateKey key;  // the CSR's key (not the account's)
  std::string order_url;
  std::string chain_pem;  // what the certificate URL served
  std::string leaf_path;  // the first PEM block alone, saved under tmp_
  pki::Bytes leaf_der;
  std::string serial;  // lowercase hex, as SerialOf
};

class AcmeE2E : public OperatorE2E {
 public:
  // Starts the DNS server, picks the challenge ports, passes them to the controller
  // with ExtraControllerFlags and starts it (OperatorE2E::SetUpTestSuite). With
  // `https`, ACME is served over HTTPS only, as in production, and directory_url is
  // https (clients trust ServingCaFile()); without, the suite's own protocol client
  // speaks plain HTTP (--acme-plain-http), which keeps those tests about the protocol.
  static void SetUpAcmeSuite(bool https = false);
  static void TearDownAcmeSuite();

 protected:
  static DnsResponder& Dns();
  static int Http01Port();
  static int TlsAlpn01Port();
  // The DNS server's zone file (lines "<name> <TYPE> <value>", re-read on every query).
  static std::string ZoneFile();

  // A root CA (ECDSA P-256) (and an intermediate under it, if asked), a template that allows DNS names under ".test"
  // (and no other) and every key algorithm, an ACME profile over them with `options`, and the EAB Secret in the
  // controller's namespace. Waits until the CA and profile are Ready.
  AcmeProfile MakeAcmeProfile(const AcmeProfileOptions& options);

  // The CA's certificate (PEM), saved under tmp_; fetched from /ca/<ca>.crt.
  std::string SaveCaCertificate(const std::string& ca);
  // The issuing CA's certificate and, when it is an intermediate, the root's in one PEM
  // file: what openssl verify -CAfile needs.
  std::string SaveTrustBundle(const AcmeProfile& p);
  // The serial of a PEM certificate file, lowercase hex as certplane writes it.
  static std::string SerialOf(const std::string& cert_path);
  // status.serialNumber of every Certificate the ACME server created for `profile`.
  std::vector<std::string> AcmeCertificateSerials(const std::string& profile);
  // The names of those Certificates.
  std::vector<std::string> AcmeCertificateNames(const std::string& profile);
  // The name of the Certificate (in the controller's namespace) whose serial is `serial`.
  std::string AcmeCertificateWithSerial(const std::string& profile, const std::string& serial);

  // The CA's CRL from its ConfigMap, saved as PEM; "" when there is none yet.
  std::string SaveCrl(const std::string& ca);
  // Polls the CRL ConfigMap until it lists `serial` (at most `timeout`); the saved CRL
  // path, or "" on timeout.
  std::string WaitForCrlListing(const std::string& ca, const std::string& serial,
                                std::chrono::seconds timeout = std::chrono::seconds(30));
  // openssl verify -crl_check of `cert` against `ca_pem` and `crl_pem`.
  static CommandResult VerifyWithCrl(const std::string& ca_pem, const std::string& crl_pem, const std::string& cert);

  // With the test ACME client (acme/client/acme_client.h):
  // A new account bound with the profile's EAB credentials; its url is "" (and the
  // test has failed) when the server refused it.
  acme::client::AcmeAccount NewAccount(acme::client::AcmeClient& acme, const AcmeProfile& p);
  // Publishes the dns-01 TXT record of every authorization of `order` on the test DNS
  // server, answers the challenges and waits until each authorization is valid or
  // invalid. True when all are valid.
  bool AuthorizeByDns01(acme::client::AcmeClient& acme, const acme::client::AcmeAccount& account,
                        const acme::client::OrderView& order);
  // newOrder for `names`, AuthorizeByDns01, finalize with a fresh P-256 key, poll
  // until valid and download. nullopt (and the test has failed, with the controller's
  // ACME log) when any step did not succeed.
  std::optional<IssuedCertificate> IssueByDns01(acme::client::AcmeClient& acme,
                                                const acme::client::AcmeAccount& account,
                                                const std::vector<std::string>& names);
  // `url` with its leading `old_base` ("http://127.0.0.1:<port>") replaced by
  // `new_base`; unchanged when it does not start with it. The server builds its URLs
  // from the Host a request came to, so a URL one replica (or the controller before a
  // restart) gave names that replica, and a JWS sent elsewhere must name the other.
  static std::string RebaseUrl(const std::string& url, const std::string& old_base, const std::string& new_base);
  // The PEM blocks ("-----BEGIN CERTIFICATE-----" ... END) of `pem`, in order.
  static std::vector<std::string> PemBlocks(const std::string& pem);
  // A CSR (DER) for `names` (the first also as the common name) signed by `key`.
  static pki::Bytes MakeCsr(const std::vector<std::string>& names, const pki::PrivateKey& key);

  // The last `lines` lines of the controller's log that mention "acme", for failure
  // messages.
  static std::string AcmeLogTail(std::size_t lines = 40);
};

}  // namespace certplane::testing
