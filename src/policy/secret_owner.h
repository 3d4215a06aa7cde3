// Which Certificate owns a Secret when several in one namespace name the same
// spec.secretName. A Secret can hold only one certificate, so exactly one of them may
// write it: the oldest (by creation time, then uid), which every replica and every
// restart computes alike from the objects alone, whoever wrote the Secret last.
//
//   std::vector<SecretClaimant> claimants = {{"a", "2026-01-02T00:00:00Z", "uid-a"},
//                                            {"b", "2026-01-01T00:00:00Z", "uid-b"}};
//   SecretOwner(claimants);   // "b"
#pragma once

#include <span>
#include <string>

namespace certplane::policy {

struct SecretClaimant {
  std::string name;                // the Certificate's name (same namespace)
  std::string creation_timestamp;  // RFC 3339, as the API server writes it
  std::string uid;
};

// The name of the owning claimant; empty when there are none.
std::string SecretOwner(std::span<const SecretClaimant> claimants);

}  // namespace certplane::policy
