// The writes of `renew` and `revoke`: what to patch and whether to patch at all, as pure
// functions of the Certificate read just before.
//
//   CERTPLANE_RETURN_IF_ERROR(CheckRenewable(cert));
//   client.MergePatch(kCertificates, ns, name, RenewPatch(now));
//
//   Result<RevokePlan> plan = PlanRevocation(cert, RevocationReason::kKeyCompromise);
//   if (plan.ok() && *plan == RevokePlan::kPatch) client.MergePatch(..., RevokePatch(reason));
#pragma once

#include <nlohmann/json.hpp>

#include "api/certificate.h"
#include "base/result.h"
#include "base/status.h"

namespace certplane::plugin {

// {"metadata":{"annotations":{"certplane.io/renew-requested-at":"<now, RFC 3339>"}}}.
nlohmann::json RenewPatch(api::Time now);

// OK unless the certificate is revoked or on hold (spec.revocation is set), or was
// enrolled with a CSR (spec.csr: the requester holds the key): the controller never
// renews those, so asking would silently do nothing. FailedPrecondition naming the
// certificate and the reason then.
Status CheckRenewable(const api::Certificate& certificate);

// OK unless the certificate was enrolled with a CSR (spec.csr, ACME included): then
// there is no Secret and no private key to export, and FailedPrecondition says where
// the certificate chain is instead.
Status CheckExportable(const api::Certificate& certificate);

enum class RevokePlan {
  kPatch,           // set spec.revocation.reason
  kAlreadyRevoked,  // spec.revocation already holds this reason: nothing to write
};

// kAlreadyRevoked when spec.revocation already has `reason`; kPatch when it has none,
// or certificateHold (which may become final); FailedPrecondition when it already holds
// another final reason, which the API server would refuse.
Result<RevokePlan> PlanRevocation(const api::Certificate& certificate, api::RevocationReason reason);

// {"spec":{"revocation":{"reason":"<reason>"}}}.
nlohmann::json RevokePatch(api::RevocationReason reason);

}  // namespace certplane::plugin
