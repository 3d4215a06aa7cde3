#include "reconcile/serving_tls_objects.h"

#include "api/duration.h"
#include "reconcile/caches.h"

namespace certplane::reconcile {
namespace {

constexpr const char* kApiVersion = "certplane.io/v1alpha1";

nlohmann::json Labels(const std::string& ns) {
  return {{"app.kubernetes.io/managed-by", "certplane"}, {"certplane.io/serving-tls-of", ns}};
}

nlohmann::json Metadata(const std::string& name, const std::string& ns = {}) {
  nlohmann::json m = {{"name", name}};
  if (!ns.empty()) m["namespace"] = ns;
  return m;
}

}  // namespace

std::string ServingClusterObjectName(const std::string& ns) { return std::string(kServingCertificateName) + "-" + ns; }

std::vector<ServingObject> ServingTlsObjects(const ServingTlsSpec& spec) {
  const std::string cluster_name = ServingClusterObjectName(spec.ns);
  const std::string ca = spec.issuer_ca.empty() ? cluster_name : spec.issuer_ca;
  const std::string duration = api::FormatDuration(spec.duration);
  const std::string renew_before =
      api::FormatDuration(spec.renew_before.count() > 0 ? spec.renew_before : spec.duration / 3);
  std::string common_name;
  if (!spec.dns_names.empty()) common_name = spec.dns_names.front();
  else if (!spec.ip_addresses.empty()) common_name = spec.ip_addresses.front();
  std::vector<ServingObject> out;

  if (spec.issuer_ca.empty()) {
    nlohmann::json m = {{"apiVersion", kApiVersion},
                        {"kind", "CertificateAuthority"},
                        {"metadata", Metadata(cluster_name)},
                        {"spec",
                         {{"type", "Root"},
                          {"subject", {{"commonName", "certplane serving CA (" + spec.ns + ")"}}},
                          {"keyAlgorithm", "ECDSA-P256"},
                          {"duration", "87600h"}}}};
    m["metadata"]["labels"] = Labels(spec.ns);
    out.push_back({api::kCertificateAuthoritiesResource, "", cluster_name, std::move(m)});
  }

  nlohmann::json ip_ranges = nlohmann::json::array();
  for (const std::string& ip : spec.ip_addresses) {
    ip_ranges.push_back(ip + (ip.find(':') == std::string::npos ? "/32" : "/128"));
  }
  nlohmann::json tmpl = {{"apiVersion", kApiVersion},
                         {"kind", "CertificateTemplate"},
                         {"metadata", Metadata(cluster_name)},
                         {"spec",
                          {{"subject", {{"commonName", {{"allowed", nlohmann::json::array({common_name})}}}}},
                           {"subjectAltNames",
                            {{"dnsNames", {{"allowed", spec.dns_names}}},
                             {"ipAddresses", {{"allowed", ip_ranges}}},
                             {"uris", {{"allowed", nlohmann::json::array()}}},
                             {"emailAddresses", {{"allowed", nlohmann::json::array()}}}}},
                           {"keyAlgorithms", {"ECDSA-P256"}},
                           {"keyUsages", {"digitalSignature"}},
                           {"extendedKeyUsages", {"serverAuth"}},
                           {"defaultDuration", duration},
                           {"maxDuration", duration}}}};
  tmpl["metadata"]["labels"] = Labels(spec.ns);
  out.push_back({api::kCertificateTemplatesResource, "", cluster_name, std::move(tmpl)});

  nlohmann::json profile = {{"apiVersion", kApiVersion},
                            {"kind", "CertificateProfile"},
                            {"metadata", Metadata(cluster_name)},
                            {"spec",
                             {{"caRef", {{"name", ca}}},
                              {"templateRef", {{"name", cluster_name}}},
                              {"enrollment", {{"api", nlohmann::json::object()}}},
                              {"renewal", {{"autoRenewByDefault", true}, {"renewBefore", renew_before}}},
                              {"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", spec.ns}}}}}}}};
  profile["metadata"]["labels"] = Labels(spec.ns);
  out.push_back({api::kCertificateProfilesResource, "", cluster_name, std::move(profile)});

  nlohmann::json cert = {{"apiVersion", kApiVersion},
                         {"kind", "Certificate"},
                         {"metadata", Metadata(kServingCertificateName, spec.ns)},
                         {"spec",
                          {{"profileRef", {{"name", cluster_name}}},
                           {"secretName", spec.secret_name},
                           {"duration", duration},
                           {"privateKey", {{"algorithm", "ECDSA-P256"}, {"rotationPolicy", "Always"}}}}}};
  if (!common_name.empty()) cert["spec"]["commonName"] = common_name;
  if (!spec.dns_names.empty()) cert["spec"]["dnsNames"] = spec.dns_names;
  if (!spec.ip_addresses.empty()) cert["spec"]["ipAddresses"] = spec.ip_addresses;
  cert["metadata"]["labels"] = Labels(spec.ns);
  out.push_back({api::kCertificatesResource, spec.ns, kServingCertificateName, std::move(cert)});
  return out;
}

nlohmann::json ServingCaConfigMap(const std::string& ns, const std::string& name, const std::string& ca_pem) {
  nlohmann::json m = {
      {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", Metadata(name, ns)}, {"data", {{"ca.crt", ca_pem}}}};
  m["metadata"]["labels"] = Labels(ns);
  return m;
}

}  // namespace certplane::reconcile
