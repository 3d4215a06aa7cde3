#include "inventory.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

#include "api/condition.h"
#include "text.h"

namespace certplane::plugin {
namespace {

constexpr const char* kNone = "<none>";

std::string OrNone(const std::string& s) { return s.empty() ? kNone : s; }
std::string OrNone(const std::optional<api::Time>& t) { return t ? api::FormatTime(*t) : kNone; }

}  // namespace

std::string_view StateName(CertificateState state) {
  switch (state) {
    case CertificateState::kActive: return "active";
    case CertificateState::kRenewing: return "renewing";
    case CertificateState::kExpiring: return "expiring";
    case CertificateState::kExpired: return "expired";
    case CertificateState::kRevoking: return "revoking";
    case CertificateState::kRevoked: return "revoked";
    case CertificateState::kPending: return "pending";
  }
  return "unknown";
}

CertificateState Classify(const api::Certificate& certificate, api::Time now) {
  const api::CertificateStatus& s = certificate.status;
  if (api::IsConditionTrue(s.conditions, api::kConditionRevoked) || s.revoked_at) return CertificateState::kRevoked;
  if (certificate.spec.revocation) return CertificateState::kRevoking;
  if (s.serial_number.empty() || !s.not_after) return CertificateState::kPending;
  if (now >= *s.not_after) return CertificateState::kExpired;
  if (api::IsConditionTrue(s.conditions, api::kConditionIssuing)) return CertificateState::kRenewing;
  if (s.renewal_time) {
    if (now >= *s.renewal_time) return CertificateState::kExpiring;
  } else if (s.not_before && *s.not_before < *s.not_after) {
    // Auto-renew off: the controller's default renewal point is two thirds of the way.
    if ((*s.not_after - now) * 3 < (*s.not_after - *s.not_before)) return CertificateState::kExpiring;
  }
  return CertificateState::kActive;
}

InventoryRow MakeRow(const api::Certificate& certificate, api::Time now) {
  const api::CertificateStatus& s = certificate.status;
  InventoryRow row;
  row.ns = certificate.metadata.ns;
  row.name = certificate.metadata.name;
  row.uid = certificate.metadata.uid;
  row.profile = certificate.spec.profile_ref.name;
  row.ca = s.ca_name;
  row.serial = s.serial_number;
  row.secret = certificate.spec.secret_name;
  if (!certificate.spec.csr.empty()) row.enrollment = certificate.spec.acme ? "acme" : "csr";
  row.not_before = s.not_before;
  row.not_after = s.not_after;
  row.renewal_time = s.renewal_time;
  if (const api::Condition* ready = api::FindCondition(s.conditions, api::kConditionReady)) {
    row.ready = std::string(api::ToString(ready->status));
    row.ready_reason = ready->reason;
  }
  row.revocation_reason = s.revocation_reason;
  if (!row.revocation_reason && certificate.spec.revocation)
    row.revocation_reason = certificate.spec.revocation->reason;
  row.revoked_at = s.revoked_at;
  row.state = Classify(certificate, now);
  return row;
}

bool Matches(const InventoryRow& row, const InventoryFilter& filter, api::Time now) {
  if (!filter.profile.empty() && row.profile != filter.profile) return false;
  if (filter.expiring_within && (!row.not_after || *row.not_after > now + *filter.expiring_within)) return false;
  if (filter.revoked_only && row.state != CertificateState::kRevoked && row.state != CertificateState::kRevoking) {
    return false;
  }
  return true;
}

std::vector<InventoryRow> BuildInventory(const std::vector<api::Certificate>& certificates,
                                         const InventoryFilter& filter, api::Time now) {
  std::vector<InventoryRow> rows;
  for (const api::Certificate& c : certificates) {
    InventoryRow row = MakeRow(c, now);
    if (Matches(row, filter, now)) rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const InventoryRow& a, const InventoryRow& b) {
    return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
  });
  return rows;
}

void AttachSyncs(std::vector<InventoryRow>& rows, const SyncListing& syncs) {
  // By namespace and certificate name: a cluster-wide inventory has many of both.
  std::map<std::pair<std::string_view, std::string_view>, std::vector<const SyncView*>> by_certificate;
  for (const SyncView& v : syncs.views) by_certificate[{v.ns, v.certificate}].push_back(&v);
  for (InventoryRow& row : rows) {
    row.syncs.clear();
    row.syncs_unknown = !syncs.error.empty();
    auto found = by_certificate.find({row.ns, row.name});
    if (found == by_certificate.end()) continue;
    for (const SyncView* v : found->second) {
      if (SyncViewMatches(*v, row.ns, row.name, row.uid)) row.syncs.push_back(*v);
    }
  }
}

std::string SyncedCount(const InventoryRow& row) {
  if (row.syncs_unknown) return "?";
  if (row.syncs.empty()) return "-";
  const auto synced = std::count_if(row.syncs.begin(), row.syncs.end(), [&](const SyncView& v) {
    return v.synced == "True" && !v.serial.empty() && v.serial == row.serial;
  });
  return std::to_string(synced) + "/" + std::to_string(row.syncs.size());
}

nlohmann::json InventoryJson(const std::vector<InventoryRow>& rows) {
  nlohmann::json items = nlohmann::json::array();
  for (const InventoryRow& r : rows) {
    nlohmann::json item = {{"namespace", r.ns},
                           {"name", r.name},
                           {"profile", r.profile},
                           {"state", std::string(StateName(r.state))},
                           {"secretName", r.secret}};
    if (!r.enrollment.empty()) {
      item.erase("secretName");  // the requester keeps the key: there is no Secret
      item["enrollment"] = r.enrollment;
    }
    if (!r.ca.empty()) item["ca"] = r.ca;
    if (!r.serial.empty()) item["serialNumber"] = r.serial;
    if (r.not_before) item["notBefore"] = api::FormatTime(*r.not_before);
    if (r.not_after) item["notAfter"] = api::FormatTime(*r.not_after);
    if (r.renewal_time) item["renewalTime"] = api::FormatTime(*r.renewal_time);
    if (!r.ready.empty()) item["ready"] = r.ready;
    if (!r.ready_reason.empty()) item["readyReason"] = r.ready_reason;
    if (r.revocation_reason) item["revocationReason"] = std::string(api::ToString(*r.revocation_reason));
    if (r.revoked_at) item["revokedAt"] = api::FormatTime(*r.revoked_at);
    if (!r.syncs_unknown) {
      nlohmann::json syncs = nlohmann::json::array();
      for (const SyncView& v : r.syncs) {
        nlohmann::json sync = {{"sync", v.sync}, {"destination", v.destination}, {"synced", v.synced}};
        if (!v.destination_id.empty()) sync["id"] = v.destination_id;
        if (!v.serial.empty()) sync["serial"] = v.serial;
        syncs.push_back(std::move(sync));
      }
      item["syncs"] = std::move(syncs);
    }
    items.push_back(std::move(item));
  }
  return {{"items", std::move(items)}};
}

std::string RenderInventory(const std::vector<InventoryRow>& rows, OutputFormat format) {
  switch (format) {
    case OutputFormat::kJson: return InventoryJson(rows).dump(2) + "\n";
    case OutputFormat::kYaml: return JsonToYaml(InventoryJson(rows));
    case OutputFormat::kTable:
    case OutputFormat::kWide: break;
  }
  const bool wide = format == OutputFormat::kWide;
  std::vector<std::string> header{"NAMESPACE", "NAME", "PROFILE", "CA", "SERIAL", "NOT AFTER", "STATE"};
  if (wide) {
    for (const char* h : {"SECRET", "NOT BEFORE", "RENEWAL", "READY", "REASON", "REVOCATION", "SYNCED"}) {
      header.emplace_back(h);
    }
  }
  std::vector<std::vector<std::string>> cells;
  for (const InventoryRow& r : rows) {
    std::vector<std::string> line{r.ns,
                                  r.name,
                                  OrNone(r.profile),
                                  OrNone(r.ca),
                                  OrNone(r.serial),
                                  OrNone(r.not_after),
                                  std::string(StateName(r.state))};
    if (wide) {
      // A CSR-enrolled certificate has no Secret: say how it was enrolled instead.
      line.push_back(r.enrollment.empty() ? OrNone(r.secret) : "<" + r.enrollment + ">");
      line.push_back(OrNone(r.not_before));
      line.push_back(OrNone(r.renewal_time));
      line.push_back(OrNone(r.ready));
      line.push_back(OrNone(r.ready_reason));
      line.push_back(r.revocation_reason ? std::string(api::ToString(*r.revocation_reason)) : kNone);
      line.push_back(SyncedCount(r));
    }
    cells.push_back(std::move(line));
  }
  return FormatTable(header, cells);
}

}  // namespace certplane::plugin
