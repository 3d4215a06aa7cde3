// ClusterConfig: where the API server is and how to authenticate to it, loaded from
// a kubeconfig file or from the in-cluster service-account environment.
//
//   LoadOptions options;
//   options.kubeconfig = flags.kubeconfig;   // --kubeconfig, empty if not given
//   Result<ClusterConfig> config = LoadClusterConfig(options);
//   if (!config.ok()) { log config.status(); exit }
//
// Precedence (LoadClusterConfig): --kubeconfig, then $KUBECONFIG (a colon-separated
// list, merged with the first file winning for each name), then in-cluster, then
// ~/.kube/config. From a kubeconfig: the current context (or the one asked for), its
// cluster's server and CA (certificate-authority-data or a file), its user's client
// certificate and key (data or file), token or tokenFile, and the context's namespace.
// Relative file paths resolve against the kubeconfig's folder.
//
// A broken kubeconfig is an kInvalidArgument error naming the file and the field:
//   kubeconfig /home/me/.kube/config: users[admin].user.client-key-data: not valid base64
//
// TLS to the server is always verified: insecure-skip-tls-verify: true is refused, as
// are credential plugins (exec, auth-provider), which certplane does not run.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/sensitive_string.h"

namespace certplane::kube {

struct ClusterConfig {
  std::string server;              // "https://host:port" (may carry a path prefix)
  std::string ca_pem;              // CA bundle for the server; empty means system roots
  std::string client_cert_pem;     // client certificate chain, PEM
  SensitiveString client_key_pem;  // its private key, PEM
  SensitiveString bearer_token;    // a fixed token
  std::string token_file;          // a token file, re-read when it changes (rotation)
  std::string ns = "default";      // the context's namespace
  std::string source;              // the kubeconfig path(s), or "in-cluster"
};

// Parses kubeconfig text. `path` names the file in errors and anchors relative paths.
// `context` overrides current-context when set.
Result<ClusterConfig> ParseKubeconfig(std::string_view yaml, const std::string& path,
                                      const std::optional<std::string>& context = std::nullopt);

// Loads and merges kubeconfig files (first file wins for each name and for
// current-context). Errors name the file.
Result<ClusterConfig> LoadKubeconfigFiles(const std::vector<std::string>& paths,
                                          const std::optional<std::string>& context = std::nullopt);

// Where in-cluster configuration is read from; tests substitute both.
struct InClusterEnvironment {
  std::function<std::optional<std::string>(const std::string&)> getenv;  // default: ::getenv
  std::string service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
};

// KUBERNETES_SERVICE_HOST/PORT and the service-account token (as a token file, so a
// rotated token is picked up), CA and namespace. kNotFound when not in a cluster.
Result<ClusterConfig> InClusterConfig(const InClusterEnvironment& env = {});

struct LoadOptions {
  std::string kubeconfig;              // the --kubeconfig flag; empty if not given
  std::optional<std::string> context;  // the --context flag
  InClusterEnvironment environment;    // also supplies $KUBECONFIG and $HOME
};

// Applies the precedence above.
Result<ClusterConfig> LoadClusterConfig(const LoadOptions& options = {});

}  // namespace certplane::kube
