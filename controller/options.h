// ControllerOptions: everything certplane-controller can be told on its command line,
// parsed without I/O so the rules are unit-tested.
//
//   Result<ControllerOptions> options = ParseOptions(args, getenv);
//   if (!options.ok()) { fprintf(stderr, "%s\n", options.status().message().c_str()); return 2; }
//
// Flags are `--name=value` or `--name value`; booleans also as `--name` alone. Unknown
// flags, malformed values and contradictions (two servers on one address, a renew
// deadline not below the lease duration) are refused with a message naming the flag.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace certplane::controller {

enum class LogFormat { kText, kJson };

struct ControllerOptions {
  std::string kubeconfig;  // empty: KUBECONFIG, in-cluster, ~/.kube/config
  std::string ns;          // where CA keys, CRLs and the Lease live
  int workers = 16;        // Certificate reconcile workers
  // Backoff of failed issuances and unplanned reissues, per Certificate.
  std::chrono::milliseconds issuance_backoff_initial{10000};
  std::chrono::milliseconds issuance_backoff_max{3600000};
  // OCSP: nextUpdate - thisUpdate of responses, and the delegated responders' lifetime.
  std::chrono::milliseconds ocsp_response_validity{3600000};
  std::chrono::milliseconds ocsp_signer_validity{72 * 3600000};
  // A modern API server protects itself (priority and fairness, 429 with Retry-After), and
  // the client halves its rate when told to slow down (kube/token_bucket.h): the defaults
  // let one controller issue at the API server's pace instead of a tenth of it.
  double kube_api_qps = 500;
  int kube_api_burst = 1000;

  bool leader_elect = true;
  std::string leader_election_id = "certplane-controller";
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};

  std::string metrics_address = ":9402";
  std::string health_address = ":9403";
  std::string http_address = ":8080";  // CRLs, CA certificates, ACME, bundle API
  std::string public_base_url;         // written into CDP and AIA extensions

  // HTTPS for the ACME directories and the bundle API (and everything else the public
  // port serves). Empty address: no HTTPS listener.
  std::string https_address = ":8443";
  std::string https_secret = "certplane-serving-tls";  // in --namespace
  bool https_manage_certificate = true;                // issue and renew that Secret through certplane
  std::vector<std::string> https_dns_names;            // default: certplane.<ns>.svc[.cluster.local]
  std::vector<std::string> https_ip_addresses;
  std::string https_issuer;  // a CertificateAuthority to issue from; empty: certplane's own
  std::chrono::milliseconds https_certificate_duration{2160LL * 3600000};
  std::chrono::milliseconds https_renew_before{0};  // zero: a third of the duration
  std::string https_ca_config_map = "certplane-serving-ca";
  // Plain HTTP for what HTTPS is for, where TLS ends in front of the controller.
  bool acme_plain_http = false;
  bool bundle_api_plain_http = false;

  // The ACME challenge validator: where it connects and how it resolves names. Tests
  // point these at loopback ports and a DNS responder of their own.
  int acme_http01_port = 80;
  int acme_tls_alpn01_port = 443;
  std::string acme_dns_server;  // HOST:PORT; empty: /etc/resolv.conf
  std::chrono::milliseconds acme_validation_timeout{10000};

  LogFormat log_format = LogFormat::kText;
  std::string log_level = "info";

  bool show_help = false;
  bool show_version = false;
};

using GetEnv = std::function<std::optional<std::string>(const std::string&)>;

// Parses argv (without the program name). `getenv` supplies defaults that come from
// the environment: POD_NAMESPACE for --namespace.
Result<ControllerOptions> ParseOptions(const std::vector<std::string>& args, const GetEnv& getenv);

// The --help text.
std::string Usage();

}  // namespace certplane::controller
