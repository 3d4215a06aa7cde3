// Fixtures for the tests of the CRL ConfigMaps and of what reads them (the caches, the
// public and OCSP routes): real CRLs signed by the PKI test hierarchy, and CRL
// ConfigMaps in the shape the publisher writes (api/well_known.h), built fluently so
// each test states only what it changes. Target crl_test_fixtures (header-only).
//
//   pki::Crl crl = TestCrl(/*number=*/7);
//   nlohmann::json cm = CrlConfigMapJson("certplane-system", "issuing", 0, crl)
//                           .WithLabel("certplane.io/crl-shard", "x").Build();
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "api/time.h"
#include "api/well_known.h"
#include "crl/crl_config_map.h"
#include "fixtures.h"
#include "kube/base64.h"
#include "pki/crl.h"

namespace certplane::crl::testing {

using pki::testing::kNow;

// A CRL of the ECDSA test intermediate: thisUpdate kNow, nextUpdate kNow + 24h, with
// `entries` revoked serials 80, 81, ... (their DER INTEGERs start with a 0x00 byte, so
// the CRL's DER always holds NULs: a test of binary bodies needs them).
inline pki::Crl TestCrl(std::uint64_t number, int entries = 2) {
  using namespace std::chrono_literals;
  pki::CrlSpec spec;
  spec.number = number;
  spec.this_update = kNow;
  spec.next_update = kNow + 24h;
  for (int i = 1; i <= entries; ++i) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%02x", 0x7f + i);
    spec.revoked.push_back(
        {pki::testing::Must(pki::SerialNumber::FromHex(hex)), kNow - 1h, pki::RevocationReason::kKeyCompromise});
  }
  return pki::testing::Must(pki::BuildCrl(spec, pki::testing::Hierarchy(pki::KeyAlgorithm::kEcdsaP256).intermediate));
}

inline std::string DerString(const pki::Crl& crl) {
  pki::Bytes der = crl.ToDer();
  return std::string(der.begin(), der.end());
}

// A CRL ConfigMap as the publisher writes it: labels, annotations from the CRL, data
// crl.pem and revoked.txt, binaryData crl.der.
class CrlConfigMapJson {
 public:
  CrlConfigMapJson(std::string ns, std::string ca, std::int32_t shard, const pki::Crl& crl) {
    json_ = {
        {"apiVersion", "v1"},
        {"kind", "ConfigMap"},
        {"metadata",
         {{"name", CrlConfigMapName(ca, shard)},
          {"labels", {{std::string(api::kCaNameLabel), ca}, {std::string(api::kCrlShardLabel), std::to_string(shard)}}},
          {"annotations",
           {{std::string(api::kCrlNumberAnnotation), std::to_string(crl.number())},
            {std::string(api::kCrlThisUpdateAnnotation), api::FormatTime(api::ToTime(crl.this_update()))},
            {std::string(api::kCrlNextUpdateAnnotation), api::FormatTime(api::ToTime(crl.next_update()))},
            {std::string(api::kCrlEntriesAnnotation), std::to_string(crl.size())}}}}},
        {"data",
         {{std::string(api::kCrlPemKey), crl.ToPem()},
          {std::string(api::kCrlLedgerKey), "80 2030-06-01T11:00:00Z keyCompromise 2031-06-01T00:00:00Z\n"}}},
        {"binaryData", {{std::string(api::kCrlDerKey), kube::Base64Encode(DerString(crl))}}}};
    if (!ns.empty()) json_["metadata"]["namespace"] = ns;
  }

  CrlConfigMapJson& WithName(std::string name) {
    json_["metadata"]["name"] = std::move(name);
    return *this;
  }
  CrlConfigMapJson& WithLabel(std::string_view key, std::string value) {
    json_["metadata"]["labels"][std::string(key)] = std::move(value);
    return *this;
  }
  CrlConfigMapJson& WithoutLabel(std::string_view key) {
    json_["metadata"]["labels"].erase(std::string(key));
    return *this;
  }
  CrlConfigMapJson& WithAnnotation(std::string_view key, std::string value) {
    json_["metadata"]["annotations"][std::string(key)] = std::move(value);
    return *this;
  }
  CrlConfigMapJson& WithoutAnnotations() {
    json_["metadata"].erase("annotations");
    return *this;
  }
  CrlConfigMapJson& WithBinaryData(std::string_view key, nlohmann::json value) {
    json_["binaryData"][std::string(key)] = std::move(value);
    return *this;
  }
  CrlConfigMapJson& WithoutBinaryData() {
    json_.erase("binaryData");
    return *this;
  }

  nlohmann::json Build() const { return json_; }

 private:
  nlohmann::json json_;
};

}  // namespace certplane::crl::testing
