#include "acme_fixture.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <sstream>

#include "acme/base64url.h"
#include "acme/jwk.h"
#include "acme/token.h"
#include "acme/validation/challenge_values.h"
#include "free_port.h"
#include "pki/certificate.h"
#include "pki/csr.h"

namespace certplane::testing {
namespace {

struct AcmeSuite {
  std::unique_ptr<TempDir> dir;
  std::unique_ptr<DnsResponder> dns;
  int http01_port = 0;
  int tls_alpn01_port = 0;
};
AcmeSuite& A() {
  static AcmeSuite s;
  return s;
}

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

void AcmeE2E::SetUpAcmeSuite(bool https) {
  AcmeSuite& s = A();
  s.dir = std::make_unique<TempDir>();
  WriteFile(s.dir->File("zone.txt"), "");
  s.dns = std::make_unique<DnsResponder>("test.", s.dir->File("zone.txt"));
  s.http01_port = FreeLoopbackPort();
  s.tls_alpn01_port = FreeLoopbackPort();
  ExtraControllerFlags() = {"--acme-http01-port=" + std::to_string(s.http01_port),
                            "--acme-tls-alpn01-port=" + std::to_string(s.tls_alpn01_port),
                            "--acme-dns-server=" + s.dns->address()};
  ServeHttps() = https;
  if (!https) ExtraControllerFlags().push_back("--acme-plain-http");
  OperatorE2E::SetUpTestSuite();
}

void AcmeE2E::TearDownAcmeSuite() {
  OperatorE2E::TearDownTestSuite();
  AcmeSuite& s = A();
  s.dns.reset();
  s.dir.reset();
}

DnsResponder& AcmeE2E::Dns() { return *A().dns; }
int AcmeE2E::Http01Port() { return A().http01_port; }
int AcmeE2E::TlsAlpn01Port() { return A().tls_alpn01_port; }
std::string AcmeE2E::ZoneFile() { return A().dir->File("zone.txt"); }

AcmeProfile AcmeE2E::MakeAcmeProfile(const AcmeProfileOptions& options) {
  AcmeProfile p;
  p.root = "e2e-acme-root-" + id();
  p.ca = options.intermediate ? "e2e-acme-issuing-" + id() : p.root;
  p.name = "e2e-acme-" + id();
  const std::string tmpl = "e2e-acme-template-" + id();
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateAuthority\nmetadata:\n  name: " + p.root +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  type: Root\n  subject:\n    commonName: E2E ACME Root " +
        id() + "\n  keyAlgorithm: ECDSA-P256\n  duration: 8760h\n");
  if (options.intermediate) {
    Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateAuthority\nmetadata:\n  name: " + p.ca +
          "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  type: Intermediate\n  parentRef:\n    name: " + p.root +
          "\n  subject:\n    commonName: E2E ACME Issuing " + id() +
          "\n  keyAlgorithm: ECDSA-P256\n  duration: 4380h\n  maxPathLength: 0\n");
  }
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateTemplate\nmetadata:\n  name: " + tmpl +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n"
        "  subject:\n    commonName:\n      allowed: [\"*.test\"]\n"
        "  subjectAltNames:\n    dnsNames:\n      allowed: [\"*.test\"]\n"
        "  keyAlgorithms: [ECDSA-P256, ECDSA-P384, RSA-2048, RSA-3072, RSA-4096, Ed25519]\n"
        "  keyUsages: [digitalSignature, keyEncipherment]\n"
        "  extendedKeyUsages: [serverAuth, clientAuth]\n"
        "  defaultDuration: 720h\n  maxDuration: 2160h\n");
  std::string acme = "    acme:\n      challenges: [";
  for (std::size_t i = 0; i < options.challenges.size(); ++i) acme += (i ? ", " : "") + options.challenges[i];
  acme += "]\n";
  if (options.external_account_binding) {
    p.eab_kid = "kid-" + id();
    p.eab_hmac_b64 = acme::NewToken();  // 32 random bytes as base64url: what certbot and lego take
    p.eab_hmac_raw = *acme::Base64UrlDecode(p.eab_hmac_b64);
    const std::string secret = "e2e-acme-eab-" + id();
    Kubectl(
        {"create", "secret", "generic", secret, "-n", ControllerNamespace(), "--from-literal=hmac=" + p.eab_hmac_b64});
    acme += "      externalAccountBinding:\n        keyID: " + p.eab_kid +
            "\n        secretRef:\n          name: " + secret + "\n          key: hmac\n";
  }
  if (options.allow_loopback) acme += "      validation:\n        allowedCIDRs: [\"127.0.0.0/8\"]\n";
  Apply("apiVersion: certplane.io/v1alpha1\nkind: CertificateProfile\nmetadata:\n  name: " + p.name +
        "\n  labels: {certplane-e2e: \"true\"}\nspec:\n  caRef:\n    name: " + p.ca + "\n  templateRef:\n    name: " +
        tmpl + "\n  enrollment:\n" + acme + "  renewal:\n    autoRenewByDefault: true\n    renewBeforeDays: 10\n");
  EXPECT_TRUE(WaitReady("cpca/" + p.ca, true)) << "CA " << p.ca << " not Ready";
  EXPECT_TRUE(WaitReady("cpprofile/" + p.name, true)) << "profile " << p.name << " not Ready";
  p.directory_url = (ServeHttps() ? HttpsBaseUrl() : PublicBaseUrl()) + "/acme/" + p.name + "/directory";
  return p;
}

std::string AcmeE2E::SaveCaCertificate(const std::string& ca) {
  const std::string path = tmp_.File(ca + ".crt");
  CommandResult r = RunTool({"curl", "-fsS", "-o", path, PublicBaseUrl() + "/ca/" + ca + ".crt"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return path;
}

std::string AcmeE2E::SaveTrustBundle(const AcmeProfile& p) {
  std::string bundle = ReadFile(SaveCaCertificate(p.ca));
  if (p.root != p.ca) bundle += ReadFile(SaveCaCertificate(p.root));
  const std::string path = tmp_.File(p.name + "-trust.pem");
  WriteFile(path, bundle);
  return path;
}

std::string AcmeE2E::SerialOf(const std::string& cert_path) {
  std::string out = Openssl({"x509", "-in", cert_path, "-noout", "-serial"});  // "serial=5F0C..."
  out = out.substr(out.find('=') + 1);
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  out = Lower(out);
  return out;
}

std::vector<std::string> AcmeE2E::AcmeCertificateSerials(const std::string& profile) {
  CommandResult r = Kubectl({"get", "cpcert", "-n", ControllerNamespace(), "-l", "certplane.io/acme-profile=" + profile,
                             "-o", "jsonpath={.items[*].status.serialNumber}"},
                            {}, true);
  return r.exit_code == 0 ? Words(r.output) : std::vector<std::string>{};
}

std::vector<std::string> AcmeE2E::AcmeCertificateNames(const std::string& profile) {
  CommandResult r = Kubectl({"get", "cpcert", "-n", ControllerNamespace(), "-l", "certplane.io/acme-profile=" + profile,
                             "-o", "jsonpath={.items[*].metadata.name}"},
                            {}, true);
  return r.exit_code == 0 ? Words(r.output) : std::vector<std::string>{};
}

std::string AcmeE2E::AcmeCertificateWithSerial(const std::string& profile, const std::string& serial) {
  CommandResult r = Kubectl({"get", "cpcert", "-n", ControllerNamespace(), "-l", "certplane.io/acme-profile=" + profile,
                             "-o", "jsonpath={range .items[*]}{.metadata.name} {.status.serialNumber}{\"\\n\"}{end}"},
                            {}, true);
  std::istringstream in(r.output);
  for (std::string name, s; in >> name >> s;) {
    if (Lower(s) == serial) return name;
  }
  return {};
}

std::string AcmeE2E::SaveCrl(const std::string& ca) {
  const std::string cm = "certplane-crl-" + ca;
  CommandResult r =
      Kubectl({"get", "configmap", cm, "-n", ControllerNamespace(), "-o", "jsonpath={.data.crl\\.pem}"}, {}, true);
  if (r.exit_code != 0 || r.output.empty()) return "";
  const std::string path = tmp_.File(cm + ".pem");
  WriteFile(path, r.output);
  return path;
}

std::string AcmeE2E::WaitForCrlListing(const std::string& ca, const std::string& serial, std::chrono::seconds timeout) {
  std::string upper = serial;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  std::string found;
  Eventually(
      [&] {
        std::string path = SaveCrl(ca);
        if (path.empty()) return false;
        CommandResult text = RunTool({"openssl", "crl", "-in", path, "-noout", "-text"});
        if (text.output.find("Serial Number: " + upper) == std::string::npos) return false;
        found = path;
        return true;
      },
      timeout, std::chrono::milliseconds(500));
  return found;
}

CommandResult AcmeE2E::VerifyWithCrl(const std::string& ca_pem, const std::string& crl_pem, const std::string& cert) {
  return RunTool({"openssl", "verify", "-crl_check", "-CAfile", ca_pem, "-CRLfile", crl_pem, cert});
}

acme::client::AcmeAccount AcmeE2E::NewAccount(acme::client::AcmeClient& acme, const AcmeProfile& p) {
  acme::client::AcmeAccount account{.key = *pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256)};
  acme::client::AcmeResponse r = acme.NewAccount(account.key, {.eab = acme::client::Eab{p.eab_kid, p.eab_hmac_raw}});
  EXPECT_EQ(r.status, 201) << r.Describe() << AcmeLogTail();
  if (r.status == 201) account.url = r.location();
  return account;
}

bool AcmeE2E::AuthorizeByDns01(acme::client::AcmeClient& acme, const acme::client::AcmeAccount& account,
                               const acme::client::OrderView& order) {
  using acme::client::AuthorizationView;
  const acme::Jwk jwk = acme::Jwk::FromPublicKey(account.key.public_key());
  bool all_valid = !order.authorizations.empty();
  for (const std::string& url : order.authorizations) {
    acme::client::AcmeResponse got = acme.GetAuthorization(account, url);
    EXPECT_TRUE(got.ok()) << got.Describe();
    AuthorizationView authz = AuthorizationView::FromJson(got.json);
    const acme::client::ChallengeView* dns01 = authz.Find("dns-01");
    if (dns01 == nullptr) {
      ADD_FAILURE() << "no dns-01 challenge in " << got.body;
      return false;
    }
    Dns().SetTxt("_acme-challenge." + authz.identifier_value,
                 {acme::Dns01TxtValue(acme::KeyAuthorization(dns01->token, jwk))});
    acme::client::AcmeResponse answered = acme.RespondChallenge(account, dns01->url);
    EXPECT_TRUE(answered.ok()) << answered.Describe();
    acme::client::AcmeResponse done = acme.PollAuthorization(account, url, {"valid", "invalid"});
    const std::string status = AuthorizationView::FromJson(done.json).status;
    EXPECT_EQ(status, "valid") << done.Describe() << AcmeLogTail();
    all_valid = all_valid && status == "valid";
  }
  return all_valid;
}

std::optional<IssuedCertificate> AcmeE2E::IssueByDns01(acme::client::AcmeClient& acme,
                                                       const acme::client::AcmeAccount& account,
                                                       const std::vector<std::string>& names) {
  using acme::client::AcmeResponse;
  using acme::client::OrderView;
  AcmeResponse created = acme.NewOrder(account, names);
  EXPECT_EQ(created.status, 201) << created.Describe() << AcmeLogTail();
  if (created.status != 201) return std::nullopt;
  const OrderView order = OrderView::FromJson(created.json);
  if (!AuthorizeByDns01(acme, account, order)) return std::nullopt;
  AcmeResponse ready = acme.PollOrder(account, created.location(), {"ready", "invalid"});
  EXPECT_EQ(OrderView::FromJson(ready.json).status, "ready") << ready.Describe() << AcmeLogTail();
  if (OrderView::FromJson(ready.json).status != "ready") return std::nullopt;
  pki::PrivateKey key = *pki::GeneratePrivateKey(pki::KeyAlgorithm::kEcdsaP256);
  AcmeResponse finalized = acme.Finalize(account, order.finalize, MakeCsr(names, key));
  EXPECT_TRUE(finalized.ok()) << finalized.Describe() << AcmeLogTail();
  if (!finalized.ok()) return std::nullopt;
  AcmeResponse valid = acme.PollOrder(account, created.location(), {"valid", "invalid"});
  const OrderView done = OrderView::FromJson(valid.json);
  EXPECT_EQ(done.status, "valid") << valid.Describe() << AcmeLogTail();
  if (done.status != "valid") return std::nullopt;
  AcmeResponse chain = acme.DownloadCertificate(account, done.certificate);
  EXPECT_EQ(chain.status, 200) << chain.Describe();
  const std::vector<std::string> blocks = PemBlocks(chain.body);
  EXPECT_FALSE(blocks.empty()) << chain.body;
  if (chain.status != 200 || blocks.empty()) return std::nullopt;

  IssuedCertificate out{.key = std::move(key), .order_url = created.location(), .chain_pem = chain.body};
  out.leaf_path = tmp_.File("leaf-" + acme::NewToken().substr(0, 8) + ".pem");
  WriteFile(out.leaf_path, blocks.front());
  Result<std::vector<pki::Certificate>> parsed = pki::ParseCertificateChainPem(blocks.front());
  EXPECT_TRUE(parsed.ok() && !parsed->empty()) << blocks.front();
  if (!parsed.ok() || parsed->empty()) return std::nullopt;
  out.leaf_der = parsed->front().ToDer();
  out.serial = SerialOf(out.leaf_path);
  return out;
}

std::string AcmeE2E::RebaseUrl(const std::string& url, const std::string& old_base, const std::string& new_base) {
  return url.rfind(old_base, 0) == 0 ? new_base + url.substr(old_base.size()) : url;
}

std::vector<std::string> AcmeE2E::PemBlocks(const std::string& pem) {
  static const std::string kBegin = "-----BEGIN CERTIFICATE-----", kEnd = "-----END CERTIFICATE-----";
  std::vector<std::string> out;
  for (std::size_t at = pem.find(kBegin); at != std::string::npos; at = pem.find(kBegin, at)) {
    std::size_t end = pem.find(kEnd, at);
    if (end == std::string::npos) break;
    end += kEnd.size();
    out.push_back(pem.substr(at, end - at) + "\n");
    at = end;
  }
  return out;
}

pki::Bytes AcmeE2E::MakeCsr(const std::vector<std::string>& names, const pki::PrivateKey& key) {
  pki::CsrSpec spec;
  spec.subject.common_name = names.empty() ? std::string() : names.front();
  spec.subject_alt_names.dns_names = names;
  Result<pki::CertificateRequest> csr = pki::CreateCertificateRequest(spec, key);
  EXPECT_TRUE(csr.ok()) << csr.status();
  return csr.ok() ? csr->ToDer() : pki::Bytes{};
}

std::string AcmeE2E::AcmeLogTail(std::size_t lines) {
  std::istringstream in(ReadFile(ControllerLogPath()));
  std::vector<std::string> kept;
  for (std::string line; std::getline(in, line);) {
    if (Lower(line).find("acme") != std::string::npos) kept.push_back(line);
  }
  std::string out = "\n--- controller log (acme lines, last " + std::to_string(lines) + ") ---\n";
  for (std::size_t i = kept.size() > lines ? kept.size() - lines : 0; i < kept.size(); ++i) out += kept[i] + "\n";
  return out;
}

}  // namespace certplane::testing
