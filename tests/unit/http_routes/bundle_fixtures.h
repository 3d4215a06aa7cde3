// Fixtures for the bundle tests: a Certificate issued by the PKI test hierarchy (root ->
// intermediate -> leaf) with the status the controller writes, and its Secret as the API
// server returns it (api/well_known.h annotations, base64 data), built with
// certplane's own PKI code.
//
//   IssuedCertificate web = Issue("shop", "web", pki::testing::kNow);
//   web.secret["metadata"]["annotations"]["certplane.io/serial-number"] = "00";   // a test's change
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "api/certificate.h"
#include "api/condition.h"
#include "api/time.h"
#include "api/well_known.h"
#include "fixtures.h"
#include "kube/base64.h"

namespace certplane::http::testing {

struct IssuedCertificate {
  api::Certificate certificate;
  nlohmann::json secret;
  pki::Certificate leaf;
};

inline const pki::testing::TestHierarchy& BundleHierarchy() {
  return pki::testing::Hierarchy(pki::KeyAlgorithm::kEcdsaP256);
}

// The leaf's key (an ECDSA P-256 test key, the same for every leaf).
inline const pki::PrivateKey& LeafKey() { return pki::testing::TestKey(pki::KeyAlgorithm::kEcdsaP256); }

// A Ready Certificate <ns>/<name> of profile "web" whose status records a fresh leaf
// (issued at pki::testing::kNow, 90 days) as last issued at `issued`, and its Secret
// <name>-tls holding that leaf and the intermediate in tls.crt, the key in tls.key and
// the root in ca.crt.
inline IssuedCertificate Issue(const std::string& ns, const std::string& name, api::Time issued) {
  const auto& h = BundleHierarchy();
  pki::Certificate leaf = pki::testing::IssueLeaf(h.intermediate, pki::KeyAlgorithm::kEcdsaP256);
  api::Certificate c;
  c.metadata.ns = ns;
  c.metadata.name = name;
  c.spec.profile_ref.name = "web";
  c.spec.secret_name = name + "-tls";
  c.status.serial_number = leaf.serial().ToHex();
  c.status.not_before = api::ToTime(leaf.not_before());
  c.status.not_after = api::ToTime(leaf.not_after());
  c.status.last_issuance_time = issued;
  c.status.ca_name = "issuing";
  c.status.conditions.push_back(api::MakeCondition(api::kConditionReady, api::ConditionStatus::kTrue, "Ready", "", 1));
  nlohmann::json secret = {
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"type", "kubernetes.io/tls"},
      {"metadata",
       {{"name", c.spec.secret_name},
        {"namespace", ns},
        {"annotations", {{std::string(api::kSerialNumberAnnotation), c.status.serial_number}}}}},
      {"data",
       {{"tls.crt", kube::Base64Encode(leaf.ToPem() + h.intermediate_cert.ToPem())},
        {"tls.key", kube::Base64Encode(pki::testing::Must(LeafKey().ToPkcs8Pem()).view())},
        {"ca.crt", kube::Base64Encode(h.root_cert.ToPem())}}},
  };
  return {std::move(c), std::move(secret), std::move(leaf)};
}

}  // namespace certplane::http::testing
