// The objects through which certplane issues its own HTTPS serving certificate: a
// self-signed CertificateAuthority (unless the user names one of theirs), a
// CertificateTemplate that allows exactly the serving names, a CertificateProfile for
// the controller's namespace only, and a Certificate there whose Secret the HTTPS
// listener serves. The ordinary reconcilers issue and renew it like any other, so the
// serving certificate shows up in `kubectl get cpcert` and `kubectl certplane status`.
// Pure: builds the manifests the leader applies (serving_tls.h).
//
//   ServingTlsSpec spec{.ns = "certplane-system", .secret_name = "certplane-serving-tls",
//                       .dns_names = {"certplane.certplane-system.svc"}, .duration = 2160h};
//   for (const ServingObject& o : ServingTlsObjects(spec)) client->Apply(o.resource, o.ns, o.name, o.manifest, ...);
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/resource.h"

namespace certplane::reconcile {

struct ServingTlsSpec {
  std::string ns;           // the controller's namespace: the Certificate and its Secret live here
  std::string secret_name;  // the Secret the listener serves
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  // A CertificateAuthority of the user's to issue from; empty: certplane's own serving CA.
  std::string issuer_ca;
  std::chrono::seconds duration{std::chrono::hours(2160)};
  // How long before notAfter it is renewed; zero: a third of the duration.
  std::chrono::seconds renew_before{0};
};

struct ServingObject {
  kube::GroupVersionResource resource;
  std::string ns;  // empty for cluster-scoped kinds
  std::string name;
  nlohmann::json manifest;
};

// The name of the Certificate, and of the cluster-scoped CA, template and profile (one
// set per controller namespace, so several installations share a cluster).
inline constexpr const char* kServingCertificateName = "certplane-serving";
std::string ServingClusterObjectName(const std::string& ns);

// The CA (when spec.issuer_ca is empty), template, profile and Certificate, in the
// order they are applied. The Certificate renews spec.renew_before before it expires
// (after two thirds of its lifetime by default). Its common name is the first DNS name,
// or the first IP address when there is none, so the subject is never empty.
std::vector<ServingObject> ServingTlsObjects(const ServingTlsSpec& spec);

// The ConfigMap that publishes the CA certificate(s) clients trust the listener with.
nlohmann::json ServingCaConfigMap(const std::string& ns, const std::string& name, const std::string& ca_pem);

}  // namespace certplane::reconcile
