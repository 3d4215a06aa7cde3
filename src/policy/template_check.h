// Does a Certificate's request satisfy its profile's CertificateTemplate?
//
//   std::vector<PolicyViolation> v = CheckTemplate(cert.spec, tmpl);
//   if (!v.empty()) {
//     // Ready=False, reason kPolicyViolation, message FormatViolations(v); issue nothing.
//   }
//
// Checked, in this order (pattern semantics: patterns.h):
//   spec.commonName          against subject.commonName.allowed (and .required)
//   spec.subject.*           against subject.organization/organizationalUnit/country/
//                            locality/province/serialNumber.allowed
//   spec.dnsNames[i]         a valid DNS name, allowed by subjectAltNames.dnsNames
//   spec.ipAddresses[i]      an IP inside one of subjectAltNames.ipAddresses (CIDRs)
//   spec.uris[i]             a valid URI matching subjectAltNames.uris
//   spec.emailAddresses[i]   a valid address matching subjectAltNames.emailAddresses
//   spec.privateKey.algorithm       one of keyAlgorithms
//   spec.keyUsages[i], spec.extendedKeyUsages[i]   among the template's
//   spec.duration            (else the template's default) within minDuration..maxDuration
// An empty `allowed` list allows nothing. Every violation is reported, not only the first.
#pragma once

#include <vector>

#include "api/certificate.h"
#include "api/certificate_template.h"
#include "policy/violation.h"

namespace certplane::policy {

std::vector<PolicyViolation> CheckTemplate(const api::CertificateSpec& spec, const api::CertificateTemplate& tmpl);

}  // namespace certplane::policy
