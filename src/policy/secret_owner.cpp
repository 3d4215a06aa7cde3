#include "policy/secret_owner.h"

#include <algorithm>
#include <tuple>

#include "api/time.h"

namespace certplane::policy {
namespace {

// Creation times compare as times (a timestamp that does not parse sorts last), then
// by uid, which is unique, so the order is total.
std::tuple<bool, api::Time, const std::string&> Key(const SecretClaimant& c) {
  Result<api::Time> t = api::ParseTime(c.creation_timestamp);
  return {!t.ok(), t.ok() ? *t : api::Time{}, c.uid};
}

}  // namespace

std::string SecretOwner(std::span<const SecretClaimant> claimants) {
  if (claimants.empty()) return {};
  auto oldest = std::min_element(claimants.begin(), claimants.end(),
                                 [](const SecretClaimant& a, const SecretClaimant& b) { return Key(a) < Key(b); });
  return oldest->name;
}

}  // namespace certplane::policy
