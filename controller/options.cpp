#include "options.h"

#include <charconv>
#include <map>
#include <sstream>

#include "api/duration.h"

namespace certplane::controller {
namespace {

struct FlagSpec {
  const char* name;
  const char* value;  // placeholder for --help; nullptr for booleans
  const char* help;
};

// The one list of flags: parsing and --help both read it.
const FlagSpec kFlags[] = {
    {"kubeconfig", "PATH", "kubeconfig to use (default: $KUBECONFIG, then in-cluster, then ~/.kube/config)"},
    {"namespace", "NS",
     "namespace of CA key Secrets, CRL ConfigMaps and the leader Lease (default: $POD_NAMESPACE, else "
     "certplane-system)"},
    {"workers", "N", "Certificate reconcile workers, issuing in parallel (default 16)"},
    {"issuance-backoff-initial", "DURATION",
     "wait after a Certificate's first failed issuance or unplanned reissue, doubling with each further one (default "
     "10s)"},
    {"issuance-backoff-max", "DURATION", "longest such wait (default 1h)"},
    {"ocsp-response-validity", "DURATION",
     "nextUpdate - thisUpdate of OCSP responses; re-signed after half (default 1h)"},
    {"ocsp-signer-validity", "DURATION",
     "lifetime of the delegated OCSP responder certificates; replaced after two thirds (default 72h)"},
    {"kube-api-qps", "QPS",
     "client-side ceiling on API requests per second, halved while the server answers 429 (default 500)"},
    {"kube-api-burst", "N", "burst above --kube-api-qps (default 1000)"},
    {"leader-elect", nullptr,
     "run only while holding the leader Lease (default true; --leader-elect=false for one replica)"},
    {"leader-election-id", "NAME", "name of the leader Lease (default certplane-controller)"},
    {"leader-elect-lease-duration", "DURATION", "how long a leader's claim lasts without renewal (default 15s)"},
    {"leader-elect-renew-deadline", "DURATION",
     "how long the leader keeps retrying renewal before stepping down (default 10s)"},
    {"leader-elect-retry-period", "DURATION", "interval between acquire and renew attempts (default 2s)"},
    {"metrics-bind-address", "HOST:PORT", "where /metrics is served (default :9402)"},
    {"health-probe-bind-address", "HOST:PORT", "where /healthz and /readyz are served (default :9403)"},
    {"http-bind-address", "HOST:PORT",
     "where CRLs, CA certificates and OCSP are served (default :8080); ACME and the bundle API answer here only "
     "with --acme-plain-http or --bundle-api-plain-http"},
    {"public-base-url", "URL",
     "base URL clients reach the HTTP address at; written into every certificate's CRL distribution point and AIA"},
    {"https-bind-address", "HOST:PORT",
     "where ACME and the bundle API are served over HTTPS, besides everything the HTTP address serves (default "
     ":8443; empty: no HTTPS)"},
    {"https-secret", "NAME",
     "Secret in --namespace with the HTTPS serving certificate (default certplane-serving-tls)"},
    {"https-manage-certificate", nullptr,
     "issue and renew that Secret through certplane (default true; false: the Secret is provided, e.g. by "
     "cert-manager)"},
    {"https-dns-names", "NAMES",
     "comma-separated DNS names of the serving certificate (default certplane.NS.svc,certplane.NS.svc.cluster.local)"},
    {"https-ip-addresses", "IPS", "comma-separated IP addresses of the serving certificate (default none)"},
    {"https-issuer", "CA",
     "CertificateAuthority that issues the serving certificate (default: a self-signed one certplane makes)"},
    {"https-certificate-duration", "DURATION",
     "lifetime of the serving certificate, at least 1h; renewed after two thirds (default 2160h)"},
    {"https-renew-before", "DURATION",
     "renew the serving certificate this long before it expires, at least 5m (default: a third of its lifetime)"},
    {"https-ca-configmap", "NAME",
     "ConfigMap in --namespace that publishes ca.crt for clients (default "
     "certplane-serving-ca)"},
    {"acme-plain-http", nullptr,
     "serve ACME over plain HTTP too, where TLS ends in front of the controller (default false)"},
    {"bundle-api-plain-http", nullptr,
     "serve the bundle API over plain HTTP too, where TLS ends in front of the controller (default false)"},
    {"acme-http01-port", "PORT", "port the ACME validator connects to for http-01 challenges (default 80)"},
    {"acme-tls-alpn01-port", "PORT", "port the ACME validator connects to for tls-alpn-01 challenges (default 443)"},
    {"acme-dns-server", "HOST:PORT", "DNS server the ACME validator resolves names with (default: /etc/resolv.conf)"},
    {"acme-validation-timeout", "DURATION", "how long one ACME challenge validation may take (default 10s)"},
    {"log-format", "text|json", "log line format (default text)"},
    {"log-level", "LEVEL", "trace, debug, info, warn or error (default info)"},
    {"version", nullptr, "print the version and exit"},
    {"help", nullptr, "print this help and exit"},
};

const FlagSpec* FindFlag(const std::string& name) {
  for (const auto& f : kFlags) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

Status Bad(const std::string& flag, const std::string& value, const std::string& why) {
  return InvalidArgument("flag --" + flag + "=\"" + value + "\": " + why);
}

Result<bool> ParseBool(const std::string& flag, const std::string& v) {
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return Bad(flag, v, "want true or false");
}

Result<long> ParseInt(const std::string& flag, const std::string& v, long min, long max) {
  long out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) return Bad(flag, v, "want a whole number");
  if (out < min || out > max) {
    return Bad(flag, v, "want a number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return out;
}

Result<double> ParseDouble(const std::string& flag, const std::string& v) {
  try {
    size_t used = 0;
    double d = std::stod(v, &used);
    if (used != v.size() || d < 0) return Bad(flag, v, "want a number >= 0");
    return d;
  } catch (const std::exception&) {
    return Bad(flag, v, "want a number >= 0");
  }
}

Result<std::chrono::milliseconds> ParsePositiveDuration(const std::string& flag, const std::string& v) {
  Result<api::Duration> d = api::ParseDuration(v);
  if (!d.ok()) return Bad(flag, v, "want a duration such as 15s or 1m30s");
  if (d->count() <= 0) return Bad(flag, v, "must be positive");
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

// "a,b,,c" -> {"a", "b", "c"}: empty items (a trailing comma) are dropped.
std::vector<std::string> SplitList(const std::string& v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    if (comma == std::string::npos) comma = v.size();
    if (comma > start) out.push_back(v.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Status CheckAddress(const std::string& flag, const std::string& v) {
  auto colon = v.rfind(':');
  if (colon == std::string::npos || colon + 1 == v.size()) return Bad(flag, v, "want HOST:PORT or :PORT");
  auto port = ParseInt(flag, v.substr(colon + 1), 1, 65535);
  if (!port.ok()) return Bad(flag, v, "the port must be 1 to 65535");
  return Status::Ok();
}

// Applies one flag's value to the options.
Status Apply(ControllerOptions& o, const std::string& name, const std::string& v) {
  auto assign = [](auto& field, auto result) -> Status {
    if (!result.ok()) return result.status();
    field = *result;
    return Status::Ok();
  };
  if (name == "kubeconfig") o.kubeconfig = v;
  else if (name == "namespace") o.ns = v;
  else if (name == "workers") return assign(o.workers, ParseInt(name, v, 1, 256));
  else if (name == "issuance-backoff-initial")
    return assign(o.issuance_backoff_initial, ParsePositiveDuration(name, v));
  else if (name == "issuance-backoff-max") return assign(o.issuance_backoff_max, ParsePositiveDuration(name, v));
  else if (name == "ocsp-response-validity") return assign(o.ocsp_response_validity, ParsePositiveDuration(name, v));
  else if (name == "ocsp-signer-validity") return assign(o.ocsp_signer_validity, ParsePositiveDuration(name, v));
  else if (name == "kube-api-qps") return assign(o.kube_api_qps, ParseDouble(name, v));
  else if (name == "kube-api-burst") return assign(o.kube_api_burst, ParseInt(name, v, 1, 100000));
  else if (name == "leader-elect") return assign(o.leader_elect, ParseBool(name, v));
  else if (name == "leader-election-id") o.leader_election_id = v;
  else if (name == "leader-elect-lease-duration") return assign(o.lease_duration, ParsePositiveDuration(name, v));
  else if (name == "leader-elect-renew-deadline") return assign(o.renew_deadline, ParsePositiveDuration(name, v));
  else if (name == "leader-elect-retry-period") return assign(o.retry_period, ParsePositiveDuration(name, v));
  else if (name == "metrics-bind-address") {
    CERTPLANE_RETURN_IF_ERROR(CheckAddress(name, v));
    o.metrics_address = v;
  } else if (name == "health-probe-bind-address") {
    CERTPLANE_RETURN_IF_ERROR(CheckAddress(name, v));
    o.health_address = v;
  } else if (name == "http-bind-address") {
    CERTPLANE_RETURN_IF_ERROR(CheckAddress(name, v));
    o.http_address = v;
  } else if (name == "public-base-url") {
    if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0)
      return Bad(name, v, "want an http:// or https:// URL");
    o.public_base_url = v;
    while (!o.public_base_url.empty() && o.public_base_url.back() == '/') o.public_base_url.pop_back();
  } else if (name == "https-bind-address") {
    if (!v.empty()) CERTPLANE_RETURN_IF_ERROR(CheckAddress(name, v));
    o.https_address = v;
  } else if (name == "https-secret") {
    if (v.empty()) return Bad(name, v, "want a Secret name");
    o.https_secret = v;
  } else if (name == "https-manage-certificate") return assign(o.https_manage_certificate, ParseBool(name, v));
  else if (name == "https-dns-names") o.https_dns_names = SplitList(v);
  else if (name == "https-ip-addresses") o.https_ip_addresses = SplitList(v);
  else if (name == "https-issuer") o.https_issuer = v;
  else if (name == "https-certificate-duration")
    return assign(o.https_certificate_duration, ParsePositiveDuration(name, v));
  else if (name == "https-renew-before") return assign(o.https_renew_before, ParsePositiveDuration(name, v));
  else if (name == "https-ca-configmap") o.https_ca_config_map = v;
  else if (name == "acme-plain-http") return assign(o.acme_plain_http, ParseBool(name, v));
  else if (name == "bundle-api-plain-http") return assign(o.bundle_api_plain_http, ParseBool(name, v));
  else if (name == "acme-http01-port") return assign(o.acme_http01_port, ParseInt(name, v, 1, 65535));
  else if (name == "acme-tls-alpn01-port") return assign(o.acme_tls_alpn01_port, ParseInt(name, v, 1, 65535));
  else if (name == "acme-dns-server") {
    CERTPLANE_RETURN_IF_ERROR(CheckAddress(name, v));
    o.acme_dns_server = v;
  } else if (name == "acme-validation-timeout")
    return assign(o.acme_validation_timeout, ParsePositiveDuration(name, v));
  else if (name == "log-format") {
    if (v == "text") o.log_format = LogFormat::kText;
    else if (v == "json") o.log_format = LogFormat::kJson;
    else return Bad(name, v, "want text or json");
  } else if (name == "log-level") {
    static const char* kLevels[] = {"trace", "debug", "info", "warn", "error"};
    bool known = false;
    for (const char* l : kLevels) known |= v == l;
    if (!known) return Bad(name, v, "want trace, debug, info, warn or error");
    o.log_level = v;
  } else if (name == "version") return assign(o.show_version, ParseBool(name, v));
  else if (name == "help") return assign(o.show_help, ParseBool(name, v));
  return Status::Ok();
}

}  // namespace

Result<ControllerOptions> ParseOptions(const std::vector<std::string>& args, const GetEnv& getenv) {
  ControllerOptions o;
  if (auto ns = getenv("POD_NAMESPACE"); ns && !ns->empty()) o.ns = *ns;
  else o.ns = "certplane-system";

  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h") {
      o.show_help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) return InvalidArgument("unexpected argument \"" + arg + "\"");
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const FlagSpec* spec = FindFlag(name);
    if (spec == nullptr) return InvalidArgument("unknown flag --" + name + " (see --help)");
    if (!value) {
      if (spec->value == nullptr) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return InvalidArgument("flag --" + name + " needs a value");
      }
    }
    CERTPLANE_RETURN_IF_ERROR(Apply(o, name, *value));
  }

  if (o.renew_deadline >= o.lease_duration) {
    return InvalidArgument("--leader-elect-renew-deadline must be shorter than --leader-elect-lease-duration");
  }
  if (o.retry_period >= o.renew_deadline) {
    return InvalidArgument("--leader-elect-retry-period must be shorter than --leader-elect-renew-deadline");
  }
  if (o.issuance_backoff_max < o.issuance_backoff_initial) {
    return InvalidArgument("--issuance-backoff-max must not be shorter than --issuance-backoff-initial");
  }
  // The CRDs' own bounds: a certificate lives at least an hour and renews at least 5
  // minutes before it expires.
  if (o.https_certificate_duration < std::chrono::hours(1)) {
    return InvalidArgument("--https-certificate-duration must be at least 1h");
  }
  if (o.https_renew_before.count() != 0 &&
      (o.https_renew_before < std::chrono::minutes(5) || o.https_renew_before >= o.https_certificate_duration)) {
    return InvalidArgument("--https-renew-before must be at least 5m and shorter than --https-certificate-duration");
  }
  if (o.https_dns_names.empty() && o.https_ip_addresses.empty()) {
    o.https_dns_names = {"certplane." + o.ns + ".svc", "certplane." + o.ns + ".svc.cluster.local"};
  }
  // cpprestsdk shares one acceptor per host:port, so two servers cannot share one.
  std::map<std::string, std::string> seen;
  for (auto [flag, addr] :
       {std::pair{"metrics-bind-address", o.metrics_address}, std::pair{"health-probe-bind-address", o.health_address},
        std::pair{"http-bind-address", o.http_address}, std::pair{"https-bind-address", o.https_address}}) {
    if (addr.empty()) continue;
    auto [it, inserted] = seen.emplace(addr, flag);
    if (!inserted) return InvalidArgument("--" + std::string(flag) + " and --" + it->second + " are both " + addr);
  }
  return o;
}

std::string Usage() {
  std::ostringstream out;
  out << "usage: certplane-controller [flags]\n\n"
         "Runs certplane's reconcilers: CertificateAuthorities, CertificateTemplates,\n"
         "CertificateProfiles and Certificates (certplane.io/v1alpha1).\n\nflags:\n";
  for (const auto& f : kFlags) {
    std::string left = std::string("  --") + f.name + (f.value ? std::string("=") + f.value : "");
    out << left;
    if (left.size() < 40) out << std::string(40 - left.size(), ' ');
    else out << "\n" << std::string(40, ' ');
    out << f.help << "\n";
  }
  return out.str();
}

}  // namespace certplane::controller
