#include "actions.h"

#include <string>

#include "api/well_known.h"

namespace certplane::plugin {
namespace {

std::string Key(const api::Certificate& c) { return c.metadata.ns + "/" + c.metadata.name; }

}  // namespace

nlohmann::json RenewPatch(api::Time now) {
  return {{"metadata", {{"annotations", {{std::string(api::kRenewRequestedAtAnnotation), api::FormatTime(now)}}}}}};
}

namespace {

std::string Enrolled(const api::Certificate& certificate) {
  return certificate.spec.acme ? "enrolled over ACME" : "enrolled with a CSR (spec.csr)";
}

}  // namespace

Status CheckRenewable(const api::Certificate& certificate) {
  if (!certificate.spec.csr.empty()) {
    return FailedPrecondition("certificate " + Key(certificate) + " was " + Enrolled(certificate) +
                              ": the requester holds its key, so the controller never renews it; submit a new "
                              "CSR in a new Certificate instead");
  }
  if (!certificate.spec.revocation) return Status::Ok();
  const api::RevocationReason reason = certificate.spec.revocation->reason;
  if (!api::IsFinal(reason)) {
    return FailedPrecondition("certificate " + Key(certificate) +
                              " is on hold (certificateHold) and is not renewed while on hold; lift the hold "
                              "first by removing spec.revocation");
  }
  return FailedPrecondition("certificate " + Key(certificate) + " is revoked (" + std::string(api::ToString(reason)) +
                            ") and is never renewed; create a new Certificate instead");
}

Status CheckExportable(const api::Certificate& certificate) {
  if (certificate.spec.csr.empty()) return Status::Ok();
  return FailedPrecondition("certificate " + Key(certificate) + " was " + Enrolled(certificate) +
                            ": its private key stays with the requester and no Secret exists, so there is nothing "
                            "to export; its certificate chain is in status.certificate (kubectl get cpcert " +
                            certificate.metadata.name + " -n " + certificate.metadata.ns +
                            " -o jsonpath='{.status.certificate}')");
}

Result<RevokePlan> PlanRevocation(const api::Certificate& certificate, api::RevocationReason reason) {
  if (!certificate.spec.revocation) return RevokePlan::kPatch;
  const api::RevocationReason current = certificate.spec.revocation->reason;
  if (current == reason) return RevokePlan::kAlreadyRevoked;
  if (!api::IsFinal(current)) return RevokePlan::kPatch;
  return FailedPrecondition("certificate " + Key(certificate) + " is already revoked with reason " +
                            std::string(api::ToString(current)) + "; a final revocation cannot be changed");
}

nlohmann::json RevokePatch(api::RevocationReason reason) {
  return {{"spec", {{"revocation", {{"reason", std::string(api::ToString(reason))}}}}}};
}

}  // namespace certplane::plugin
