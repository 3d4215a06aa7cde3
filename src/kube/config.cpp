#include "kube/config.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "kube/base64.h"
#include "kube/tls.h"

namespace certplane::kube {
namespace {

namespace fs = std::filesystem;

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("reading " + path + ": " + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Entry {
  YAML::Node node;   // the entry's inner map (cluster:, user:, context:)
  std::string file;  // the kubeconfig that defined it
};

// The merged view of one or more kubeconfig documents.
struct Merged {
  std::map<std::string, Entry> clusters, users, contexts;
  std::string current_context;
  std::string current_context_file;
  std::string files;  // for messages
};

Status FieldError(const std::string& file, const std::string& field, const std::string& problem) {
  return InvalidArgument("kubeconfig " + file + ": " + field + ": " + problem);
}

// Reads the list `key` (clusters/users/contexts) of one document into `out`, the
// first definition of a name winning.
Status MergeList(const YAML::Node& doc, const std::string& key, const std::string& inner, const std::string& file,
                 std::map<std::string, Entry>& out) {
  YAML::Node list = doc[key];
  if (!list.IsDefined() || list.IsNull()) return Status::Ok();
  if (!list.IsSequence()) return FieldError(file, key, "must be a list");
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node item = list[i];
    std::string where = key + "[" + std::to_string(i) + "]";
    if (!item.IsMap()) return FieldError(file, where, "must be a map");
    YAML::Node name = item["name"];
    if (!name.IsDefined() || !name.IsScalar() || name.Scalar().empty()) {
      return FieldError(file, where + ".name", "missing");
    }
    YAML::Node body = item[inner];
    if (body.IsDefined() && !body.IsNull() && !body.IsMap()) {
      return FieldError(file, key + "[" + name.Scalar() + "]." + inner, "must be a map");
    }
    out.try_emplace(name.Scalar(), Entry{body, file});
  }
  return Status::Ok();
}

Status MergeDocument(std::string_view yaml, const std::string& file, Merged& merged) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return InvalidArgument("kubeconfig " + file + ": not valid YAML at line " + std::to_string(e.mark.line + 1) + ": " +
                           e.msg);
  }
  if (doc.IsNull()) return Status::Ok();  // an empty file contributes nothing
  if (!doc.IsMap()) return InvalidArgument("kubeconfig " + file + ": not a kubeconfig (expected a map)");
  CERTPLANE_RETURN_IF_ERROR(MergeList(doc, "clusters", "cluster", file, merged.clusters));
  CERTPLANE_RETURN_IF_ERROR(MergeList(doc, "users", "user", file, merged.users));
  CERTPLANE_RETURN_IF_ERROR(MergeList(doc, "contexts", "context", file, merged.contexts));
  YAML::Node current = doc["current-context"];
  if (merged.current_context.empty() && current.IsDefined() && current.IsScalar()) {
    merged.current_context = current.Scalar();
    merged.current_context_file = file;
  }
  if (!merged.files.empty()) merged.files += ":";
  merged.files += file;
  return Status::Ok();
}

// Accessors that read a scalar field of an entry and name it in errors.
class Fields {
 public:
  Fields(const Entry& entry, std::string prefix) : entry_(entry), prefix_(std::move(prefix)) {}

  Result<std::optional<std::string>> String(const std::string& key) const {
    if (!entry_.node.IsDefined() || entry_.node.IsNull()) return std::optional<std::string>();
    YAML::Node v = entry_.node[key];
    if (!v.IsDefined() || v.IsNull()) return std::optional<std::string>();
    if (!v.IsScalar()) return Error(key, "must be a string");
    return std::optional<std::string>(v.Scalar());
  }

  Result<bool> Bool(const std::string& key) const {
    auto s = String(key);
    if (!s.ok()) return s.status();
    if (!*s) return false;
    if (**s == "true") return true;
    if (**s == "false") return false;
    return Error(key, "must be true or false");
  }

  bool Has(const std::string& key) const {
    return entry_.node.IsDefined() && !entry_.node.IsNull() && entry_.node[key].IsDefined() &&
           !entry_.node[key].IsNull();
  }

  // Base64 data in `data_key`, or the contents of the file named by `file_key`.
  Result<std::string> DataOrFile(const std::string& data_key, const std::string& file_key) const {
    auto data = String(data_key);
    if (!data.ok()) return data.status();
    if (*data) {
      auto decoded = Base64Decode(**data);
      if (!decoded) return Error(data_key, "not valid base64");
      return std::move(*decoded);
    }
    auto file = String(file_key);
    if (!file.ok()) return file.status();
    if (!*file || (*file)->empty()) return std::string();
    auto content = ReadFile(Resolve(**file));
    if (!content.ok()) return Error(file_key, content.status().message());
    return std::move(*content);
  }

  std::string Resolve(const std::string& path) const {
    fs::path p(path);
    if (p.is_absolute()) return path;
    return (fs::path(entry_.file).parent_path() / p).string();
  }

  Status Error(const std::string& key, const std::string& problem) const {
    return FieldError(entry_.file, prefix_ + "." + key, problem);
  }

 private:
  const Entry& entry_;
  std::string prefix_;
};

Result<ClusterConfig> Resolve(const Merged& merged, const std::optional<std::string>& context_override) {
  std::string context_name = context_override.value_or(merged.current_context);
  std::string where = context_override ? "--context" : "current-context";
  std::string where_file = context_override ? merged.files : merged.current_context_file;
  if (context_name.empty()) return InvalidArgument("kubeconfig " + merged.files + ": current-context: not set");
  auto ctx_it = merged.contexts.find(context_name);
  if (ctx_it == merged.contexts.end()) {
    return InvalidArgument("kubeconfig " + where_file + ": " + where + ": no context named \"" + context_name +
                           "\" in contexts");
  }
  Fields ctx(ctx_it->second, "contexts[" + context_name + "].context");
  auto cluster_name = ctx.String("cluster");
  if (!cluster_name.ok()) return cluster_name.status();
  if (!*cluster_name || (*cluster_name)->empty()) return ctx.Error("cluster", "missing");
  auto user_name = ctx.String("user");
  if (!user_name.ok()) return user_name.status();
  auto ns = ctx.String("namespace");
  if (!ns.ok()) return ns.status();

  ClusterConfig config;
  config.source = merged.files;
  if (*ns && !(*ns)->empty()) config.ns = **ns;

  auto cluster_it = merged.clusters.find(**cluster_name);
  if (cluster_it == merged.clusters.end()) {
    return ctx.Error("cluster", "no cluster named \"" + **cluster_name + "\" in clusters");
  }
  Fields cluster(cluster_it->second, "clusters[" + **cluster_name + "].cluster");
  auto server = cluster.String("server");
  if (!server.ok()) return server.status();
  if (!*server || (*server)->empty()) return cluster.Error("server", "missing");
  if ((*server)->rfind("https://", 0) != 0) {
    return cluster.Error("server", "must be an https:// URL (got \"" + **server + "\")");
  }
  config.server = **server;
  while (config.server.size() > 8 && config.server.back() == '/') config.server.pop_back();
  auto insecure = cluster.Bool("insecure-skip-tls-verify");
  if (!insecure.ok()) return insecure.status();
  if (*insecure) {
    return cluster.Error("insecure-skip-tls-verify",
                         "not supported: certplane always verifies the API server's certificate");
  }
  for (const char* unsupported : {"tls-server-name", "proxy-url"}) {
    if (cluster.Has(unsupported)) return cluster.Error(unsupported, "not supported");
  }
  auto ca = cluster.DataOrFile("certificate-authority-data", "certificate-authority");
  if (!ca.ok()) return ca.status();
  if (!ca->empty()) {
    Status valid = ValidateCertificatesPem(*ca);
    if (!valid.ok()) {
      return cluster.Error(
          cluster.Has("certificate-authority-data") ? "certificate-authority-data" : "certificate-authority",
          valid.message());
    }
  }
  config.ca_pem = std::move(*ca);

  if (*user_name && !(*user_name)->empty()) {
    auto user_it = merged.users.find(**user_name);
    if (user_it == merged.users.end()) {
      return ctx.Error("user", "no user named \"" + **user_name + "\" in users");
    }
    Fields user(user_it->second, "users[" + **user_name + "].user");
    for (const char* unsupported : {"exec", "auth-provider"}) {
      if (user.Has(unsupported)) return user.Error(unsupported, "credential plugins are not supported");
    }
    if (user.Has("username") || user.Has("password")) {
      return user.Error(user.Has("username") ? "username" : "password", "basic authentication is not supported");
    }
    auto cert = user.DataOrFile("client-certificate-data", "client-certificate");
    if (!cert.ok()) return cert.status();
    auto key = user.DataOrFile("client-key-data", "client-key");
    if (!key.ok()) return key.status();
    std::string cert_field = user.Has("client-certificate") ? "client-certificate" : "client-certificate-data";
    std::string key_field = user.Has("client-key") ? "client-key" : "client-key-data";
    if (!cert->empty() && key->empty()) return user.Error(key_field, "missing (a client certificate needs its key)");
    if (cert->empty() && !key->empty()) return user.Error(cert_field, "missing (a client key needs its certificate)");
    if (!cert->empty()) {
      Status valid = ValidateCertificatesPem(*cert);
      if (!valid.ok()) return user.Error(cert_field, valid.message());
      valid = ValidateKeyPairPem(*cert, *key);
      if (!valid.ok()) return user.Error(key_field, valid.message());
    }
    config.client_cert_pem = std::move(*cert);
    config.client_key_pem = SensitiveString(std::move(*key));
    auto token = user.String("token");
    if (!token.ok()) return token.status();
    if (*token) config.bearer_token = SensitiveString(std::move(**token));
    auto token_file = user.String("tokenFile");
    if (!token_file.ok()) return token_file.status();
    if (*token_file && !(*token_file)->empty()) {
      config.token_file = user.Resolve(**token_file);
      auto first = ReadFile(config.token_file);
      if (!first.ok()) return user.Error("tokenFile", first.status().message());
    }
  }
  return config;
}

std::optional<std::string> RealGetenv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

}  // namespace

Result<ClusterConfig> ParseKubeconfig(std::string_view yaml, const std::string& path,
                                      const std::optional<std::string>& context) {
  Merged merged;
  CERTPLANE_RETURN_IF_ERROR(MergeDocument(yaml, path, merged));
  if (merged.files.empty()) merged.files = path;
  return Resolve(merged, context);
}

Result<ClusterConfig> LoadKubeconfigFiles(const std::vector<std::string>& paths,
                                          const std::optional<std::string>& context) {
  Merged merged;
  for (const std::string& path : paths) {
    auto text = ReadFile(path);
    if (!text.ok()) return InvalidArgument("kubeconfig " + path + ": " + text.status().message());
    CERTPLANE_RETURN_IF_ERROR(MergeDocument(*text, path, merged));
  }
  if (merged.files.empty()) {
    for (const auto& p : paths) merged.files += (merged.files.empty() ? "" : ":") + p;
  }
  return Resolve(merged, context);
}

Result<ClusterConfig> InClusterConfig(const InClusterEnvironment& env) {
  auto getenv = env.getenv ? env.getenv : RealGetenv;
  auto host = getenv("KUBERNETES_SERVICE_HOST");
  auto port = getenv("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty() || !port || port->empty()) {
    return NotFound("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set");
  }
  ClusterConfig config;
  std::string h = *host;
  if (h.find(':') != std::string::npos && h.front() != '[') h = "[" + h + "]";  // IPv6
  config.server = "https://" + h + ":" + *port;
  config.source = "in-cluster";
  config.token_file = env.service_account_dir + "/token";
  auto token = ReadFile(config.token_file);
  if (!token.ok()) return InvalidArgument("in-cluster config: service-account token: " + token.status().message());
  auto ca = ReadFile(env.service_account_dir + "/ca.crt");
  if (!ca.ok()) return InvalidArgument("in-cluster config: service-account CA: " + ca.status().message());
  Status valid = ValidateCertificatesPem(*ca);
  if (!valid.ok())
    return InvalidArgument("in-cluster config: " + env.service_account_dir + "/ca.crt: " + valid.message());
  config.ca_pem = std::move(*ca);
  auto ns = ReadFile(env.service_account_dir + "/namespace");
  if (ns.ok() && !ns->empty()) {
    std::string n = *ns;
    while (!n.empty() && (n.back() == '\n' || n.back() == ' ')) n.pop_back();
    config.ns = n;
  }
  return config;
}

Result<ClusterConfig> LoadClusterConfig(const LoadOptions& options) {
  auto getenv = options.environment.getenv ? options.environment.getenv : RealGetenv;
  if (!options.kubeconfig.empty()) return LoadKubeconfigFiles({options.kubeconfig}, options.context);
  if (auto env = getenv("KUBECONFIG"); env && !env->empty()) {
    std::vector<std::string> paths;
    std::stringstream list(*env);
    for (std::string item; std::getline(list, item, ':');) {
      if (!item.empty() && fs::exists(item)) paths.push_back(item);
    }
    if (paths.empty()) return InvalidArgument("KUBECONFIG=" + *env + ": none of its files exists");
    return LoadKubeconfigFiles(paths, options.context);
  }
  auto in_cluster = InClusterConfig(options.environment);
  if (in_cluster.ok() || in_cluster.status().code() != StatusCode::kNotFound) return in_cluster;
  auto home = getenv("HOME");
  if (home && !home->empty()) {
    std::string path = *home + "/.kube/config";
    if (fs::exists(path)) return LoadKubeconfigFiles({path}, options.context);
  }
  return NotFound("no Kubernetes configuration: no --kubeconfig, no $KUBECONFIG, not in a cluster, no ~/.kube/config");
}

}  // namespace certplane::kube
