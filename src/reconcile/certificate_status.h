// Changes to a Certificate's status that the issuance and revocation halves of the
// CertificateReconciler share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/certificate.h"

namespace certplane::reconcile {

// Records that the Secret now holds `serial`, issued by CA `ca_name` onto CRL shard
// `crl_shard`: the previous serial moves to status.history (newest first, at most
// kHistoryLimit), with the CA and shard it had.
void RecordSerial(api::CertificateStatus& status, const std::string& serial, std::optional<api::Time> not_before,
                  std::optional<api::Time> not_after, std::int64_t revision, const std::string& ca_name,
                  std::int32_t crl_shard);

}  // namespace certplane::reconcile
