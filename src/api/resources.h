// The REST collections of certplane's kinds, for every layer that reads or writes them
// (header-only: kube::GroupVersionResource is a plain struct, so this links nothing).
#pragma once

#include "kube/resource.h"

namespace certplane::api {

inline const kube::GroupVersionResource kCertificatesResource{"certplane.io", "v1alpha1", "certificates", true};
inline const kube::GroupVersionResource kCertificateAuthoritiesResource{"certplane.io", "v1alpha1",
                                                                        "certificateauthorities", false};
inline const kube::GroupVersionResource kCertificateTemplatesResource{"certplane.io", "v1alpha1",
                                                                      "certificatetemplates", false};
inline const kube::GroupVersionResource kCertificateProfilesResource{"certplane.io", "v1alpha1", "certificateprofiles",
                                                                     false};
inline const kube::GroupVersionResource kCertificateSyncsResource{"certplane.io", "v1alpha1", "certificatesyncs", true};

}  // namespace certplane::api
