// GroupVersionResource: which REST collection a call addresses, and the constants for
// the built-in resources the kube runtime itself uses. The src/api types add theirs.
//
//   client.Get(kConfigMaps, "shop", "frontend");
//   GroupVersionResource certificates{"certplane.io", "v1alpha1", "certificates", true};
#pragma once

#include <string>

namespace certplane::kube {

struct GroupVersionResource {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string resource;  // plural, lower case: "configmaps"
  bool namespaced = true;

  // "/api/v1" or "/apis/<group>/<version>".
  std::string ApiPrefix() const { return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version; }
  // "group/version", or "version" for the core group: an object's apiVersion.
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // "configmaps" or "leases.coordination.k8s.io", for messages.
  std::string Name() const { return group.empty() ? resource : resource + "." + group; }
};

inline const GroupVersionResource kNamespaces{"", "v1", "namespaces", false};
inline const GroupVersionResource kConfigMaps{"", "v1", "configmaps", true};
inline const GroupVersionResource kSecrets{"", "v1", "secrets", true};
inline const GroupVersionResource kPods{"", "v1", "pods", true};
inline const GroupVersionResource kServiceAccounts{"", "v1", "serviceaccounts", true};
inline const GroupVersionResource kServices{"", "v1", "services", true};
inline const GroupVersionResource kLeases{"coordination.k8s.io", "v1", "leases", true};
inline const GroupVersionResource kEvents{"events.k8s.io", "v1", "events", true};
inline const GroupVersionResource kPodDisruptionBudgets{"policy", "v1", "poddisruptionbudgets", true};

}  // namespace certplane::kube
