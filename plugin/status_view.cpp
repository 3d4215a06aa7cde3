#include "status_view.h"

#include <algorithm>
#include <limits>
#include <tuple>

#include "api/certificate_sync_json.h"
#include "api/time.h"
#include "api/well_known.h"
#include "inventory.h"
#include "text.h"

namespace certplane::plugin {
namespace {

std::optional<api::Time> TimeAt(const nlohmann::json& object, std::initializer_list<const char*> path) {
  const nlohmann::json* p = &object;
  for (const char* key : path) {
    if (!p->is_object() || !p->contains(key)) return std::nullopt;
    p = &(*p)[key];
  }
  if (!p->is_string()) return std::nullopt;
  Result<api::Time> t = api::ParseTime(p->get<std::string>());
  if (!t.ok()) return std::nullopt;
  return *t;
}

std::string StringAt(const nlohmann::json& object, const char* a, const char* b = nullptr) {
  if (!object.is_object() || !object.contains(a)) return {};
  const nlohmann::json& v = object[a];
  if (b == nullptr) return v.is_string() ? v.get<std::string>() : std::string();
  if (!v.is_object() || !v.contains(b) || !v[b].is_string()) return {};
  return v[b].get<std::string>();
}

// One line, at most `max` characters: events and condition messages can be long.
std::string OneLine(std::string s, size_t max = 120) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  if (s.size() > max) s = s.substr(0, max - 3) + "...";
  return s;
}

std::string When(const std::optional<api::Time>& t, api::Time now) {
  if (!t) return "<none>";
  return api::FormatTime(*t) + " (" + Relative(*t, now) + ")";
}

std::string OrNone(const std::string& s) { return s.empty() ? "<none>" : s; }

std::string Field(const std::string& label, const std::string& value) {
  std::string l = label + ":";
  if (l.size() < 15) l.resize(15, ' ');
  return l + " " + value + "\n";
}

std::string Indent(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += "  " + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

// The sync's destination, from the api type. Only metadata and spec are decoded, so that
// a status entry the plugin cannot read does not hide where the sync pushes.
std::string DestinationOf(const nlohmann::json& sync) {
  nlohmann::json head = nlohmann::json::object();
  for (const char* key : {"apiVersion", "kind", "metadata", "spec"}) {
    if (sync.contains(key)) head[key] = sync[key];
  }
  Result<api::CertificateSync> decoded = api::DecodeCertificateSync(head);
  return decoded.ok() ? DestinationKind(decoded->spec) : "unknown";
}

std::optional<SyncView> DecodeSyncEntry(const nlohmann::json& e) {
  if (!e.is_object()) return std::nullopt;
  SyncView v;
  v.certificate = StringAt(e, "name");
  if (v.certificate.empty()) return std::nullopt;
  v.certificate_uid = StringAt(e, "uid");
  v.destination_id = StringAt(e, "destinationID");
  v.serial = StringAt(e, "serialNumber");
  if (std::string synced = StringAt(e, "synced"); !synced.empty()) v.synced = std::move(synced);
  v.reason = StringAt(e, "reason");
  v.message = StringAt(e, "message");
  if (e.contains("failedAttempts") && e["failedAttempts"].is_number_integer()) {
    const auto n = e["failedAttempts"].get<std::int64_t>();
    v.failed_attempts =
        static_cast<std::int32_t>(std::clamp<std::int64_t>(n, 0, std::numeric_limits<std::int32_t>::max()));
  }
  v.synced_at = TimeAt(e, {"syncedAt"});
  v.next_attempt_time = TimeAt(e, {"nextAttemptTime"});
  return v;
}

// SYNCED: the entry's status, why when it is not True, and a True whose serial is not
// the current one (the sync has not caught up with a renewal yet).
std::string SyncedCell(const SyncView& v, const std::string& current_serial) {
  if (v.synced == "True") {
    const bool stale = !v.serial.empty() && !current_serial.empty() && v.serial != current_serial;
    return stale ? "True (stale serial)" : "True";
  }
  return v.reason.empty() ? v.synced : v.synced + " (" + v.reason + ")";
}

std::string SyncsSection(const api::Certificate& c, const SyncListing& syncs, api::Time now) {
  std::string out = "\nSyncs:\n";
  if (!syncs.error.empty()) return out + "  <not available: " + OneLine(syncs.error) + ">\n";
  std::vector<SyncView> mine;
  for (const SyncView& v : syncs.views) {
    if (SyncViewMatches(v, c.metadata.ns, c.metadata.name, c.metadata.uid)) mine.push_back(v);
  }
  if (mine.empty()) return out + "  <none>\n";
  auto dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
  std::vector<std::vector<std::string>> rows;
  rows.reserve(mine.size());
  for (const SyncView& v : mine) {
    rows.push_back({v.sync, v.destination, dash(v.destination_id), dash(v.serial),
                    SyncedCell(v, c.status.serial_number), v.synced_at ? api::FormatTime(*v.synced_at) : "-"});
  }
  out += Indent(FormatTable({"SYNC", "DESTINATION", "ID", "SERIAL", "SYNCED", "AT"}, rows));
  // Why a push failed is the destination's own words: too long for a column.
  for (const SyncView& v : mine) {
    if (v.synced == "True" || (v.message.empty() && v.failed_attempts == 0)) continue;
    std::string line = v.sync + ": " + (v.message.empty() ? OrNone(v.reason) : v.message);
    if (v.failed_attempts > 0) {
      line += " (" + std::to_string(v.failed_attempts) + " failed attempt" + (v.failed_attempts == 1 ? "" : "s");
      if (v.next_attempt_time && *v.next_attempt_time > now) line += ", next " + Relative(*v.next_attempt_time, now);
      line += ")";
    }
    out += "  " + OneLine(line, 160) + "\n";
  }
  return out;
}

}  // namespace

std::string DestinationKind(const api::CertificateSyncSpec& spec) {
  if (spec.aws_certificate_manager) return "awsCertificateManager";
  if (spec.aws_secrets_manager) return "awsSecretsManager";
  if (spec.azure_key_vault) return "azureKeyVault";
  return "unknown";
}

std::vector<SyncView> DecodeSyncViews(const nlohmann::json& items) {
  std::vector<SyncView> out;
  if (!items.is_array()) return out;
  for (const nlohmann::json& sync : items) {
    if (!sync.is_object()) continue;
    const std::string name = StringAt(sync, "metadata", "name");
    if (name.empty()) continue;
    if (!sync.contains("status") || !sync["status"].is_object()) continue;
    const nlohmann::json& status = sync["status"];
    if (!status.contains("certificates") || !status["certificates"].is_array()) continue;
    const std::string ns = StringAt(sync, "metadata", "namespace");
    const std::string destination = DestinationOf(sync);
    for (const nlohmann::json& entry : status["certificates"]) {
      std::optional<SyncView> v = DecodeSyncEntry(entry);
      if (!v) continue;
      v->sync = name;
      v->ns = ns;
      v->destination = destination;
      out.push_back(std::move(*v));
    }
  }
  std::sort(out.begin(), out.end(), [](const SyncView& a, const SyncView& b) {
    return std::tie(a.ns, a.sync, a.certificate) < std::tie(b.ns, b.sync, b.certificate);
  });
  return out;
}

std::vector<SyncView> DecodeSyncViews(const nlohmann::json& items, const std::string& certificate,
                                      const std::string& uid) {
  std::vector<SyncView> all = DecodeSyncViews(items);
  std::erase_if(all, [&](const SyncView& v) { return !SyncViewMatches(v, {}, certificate, uid); });
  return all;
}

bool SyncViewMatches(const SyncView& view, const std::string& ns, const std::string& name, const std::string& uid) {
  if (view.certificate != name) return false;
  if (!ns.empty() && !view.ns.empty() && view.ns != ns) return false;
  return view.certificate_uid.empty() || uid.empty() || view.certificate_uid == uid;
}

std::vector<EventView> DecodeEvents(const nlohmann::json& items) {
  std::vector<EventView> out;
  if (!items.is_array()) return out;
  for (const nlohmann::json& e : items) {
    if (!e.is_object()) continue;
    EventView v;
    v.type = StringAt(e, "type");
    v.reason = StringAt(e, "reason");
    v.note = StringAt(e, "note");
    if (v.note.empty()) v.note = StringAt(e, "message");
    v.regarding_uid = StringAt(e, "regarding", "uid");
    if (v.regarding_uid.empty()) v.regarding_uid = StringAt(e, "involvedObject", "uid");
    if (e.contains("series") && e["series"].is_object() && e["series"].contains("count") &&
        e["series"]["count"].is_number_integer()) {
      v.count = e["series"]["count"].get<int>();
    } else if (e.contains("deprecatedCount") && e["deprecatedCount"].is_number_integer()) {
      v.count = std::max(1, e["deprecatedCount"].get<int>());
    } else if (e.contains("count") && e["count"].is_number_integer()) {
      v.count = std::max(1, e["count"].get<int>());
    }
    for (auto path : {std::initializer_list<const char*>{"series", "lastObservedTime"},
                      std::initializer_list<const char*>{"eventTime"},
                      std::initializer_list<const char*>{"deprecatedLastTimestamp"},
                      std::initializer_list<const char*>{"lastTimestamp"},
                      std::initializer_list<const char*>{"metadata", "creationTimestamp"}}) {
      if ((v.last_seen = TimeAt(e, path))) break;
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::string RenderStatus(const api::Certificate& c, const std::vector<EventView>& events, api::Time now,
                         const std::string& events_error, const api::CertificateAuthority* ca,
                         const SyncListing& syncs) {
  const api::CertificateStatus& s = c.status;
  std::string out;
  out += Field("Name", c.metadata.name);
  out += Field("Namespace", c.metadata.ns);
  out += Field("State", std::string(StateName(Classify(c, now))));
  out += Field("Profile", OrNone(c.spec.profile_ref.name));
  out += Field("CA", OrNone(s.ca_name));
  if (c.spec.csr.empty()) {
    out += Field("Secret", OrNone(c.spec.secret_name));
  } else {
    out += Field("Secret", std::string("<none> (") + (c.spec.acme ? "ACME" : "CSR") +
                               " enrollment: the requester keeps the key; the chain is in status.certificate)");
  }
  if (c.spec.acme) out += Field("ACME order", c.spec.acme->order + " (account " + c.spec.acme->account + ")");
  out += Field("Serial", OrNone(s.serial_number));
  out += Field("Revision", std::to_string(s.revision));
  out += Field("Not before", When(s.not_before, now));
  out += Field("Not after", When(s.not_after, now));
  if (s.renewal_time) {
    out += Field("Renewal time", When(s.renewal_time, now));
  } else {
    // Absent before the first issuance and once revoked; otherwise auto-renew is off.
    const bool issued_and_live = !s.serial_number.empty() && !c.spec.revocation && !s.revoked_at;
    const char* why =
        !c.spec.csr.empty() ? "<none> (never renewed: the requester submits a new CSR)" : "<none> (auto-renew is off)";
    out += Field("Renewal time", issued_and_live ? why : "<none>");
  }
  out += Field("Last issued", When(s.last_issuance_time, now));
  if (const std::string* asked = c.metadata.annotations.Find(api::kRenewRequestedAtAnnotation)) {
    out += Field("Renew asked", *asked);
  }
  if (c.spec.revocation || s.revocation_reason) {
    const api::RevocationReason reason = s.revocation_reason ? *s.revocation_reason : c.spec.revocation->reason;
    std::string text(api::ToString(reason));
    text += s.revoked_at ? ", revoked " + When(s.revoked_at, now) : ", requested; not yet on the CRL";
    out += Field("Revocation", text);
  }
  if (s.failed_issuance_attempts > 0) {
    out +=
        Field("Failed tries", std::to_string(s.failed_issuance_attempts) + ", last " + When(s.last_failure_time, now));
  }

  if (ca != nullptr && !s.serial_number.empty()) {
    out += "\nRevocation check:\n";
    if (ca->status.crl) {
      out += "  CRL   openssl verify -crl_check -crl_download -CAfile ca.crt tls.crt   (its distribution point; CRL " +
             std::to_string(ca->status.crl->number) + ", ConfigMap " + OrNone(ca->status.crl->config_map_name) + ")\n";
      if (ca->status.crl->delta_number != 0) {
        // -crl_download fetches no delta: the relying party fetches both files itself.
        out +=
            "  Delta openssl verify -crl_check -use_deltas -CAfile ca.crt -CRLfile base.crl -CRLfile delta.crl "
            "tls.crt\n"
            "        (base from the CRL distribution point, delta from Freshest CRL; delta CRL " +
            std::to_string(ca->status.crl->delta_number) + ")\n";
      }
    } else {
      out += "  CRL   <none published yet>\n";
    }
    if (ca->status.ocsp && !ca->status.ocsp->url.empty()) {
      out += "  OCSP  openssl ocsp -issuer ca.crt -cert tls.crt -CAfile ca.crt -url " + ca->status.ocsp->url + "\n";
      out += "        (serial 0x" + s.serial_number + "; responder certificate" +
             std::string(ca->status.ocsp->signers.size() == 1 ? " " : "s ");
      for (std::size_t i = 0; i < ca->status.ocsp->signers.size(); ++i) {
        if (i > 0) out += ", ";
        out += ca->status.ocsp->signers[i].serial_number;
      }
      out += ")\n";
    } else {
      out += "  OCSP  <no responder URL (the controller has no --public-base-url, or it is not ready)>\n";
    }
  }

  out += "\nConditions:\n";
  if (s.conditions.empty()) {
    out += "  <none>\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const api::Condition& cond : s.conditions) {
      rows.push_back({cond.type, std::string(api::ToString(cond.status)), OrNone(cond.reason),
                      cond.last_transition_time ? Relative(*cond.last_transition_time, now) : "<none>",
                      OneLine(cond.message)});
    }
    out += Indent(FormatTable({"TYPE", "STATUS", "REASON", "SINCE", "MESSAGE"}, rows));
  }

  out += "\nSerial history:\n";
  if (s.serial_number.empty() && s.history.empty()) {
    out += "  <none>\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    auto fmt = [](const std::optional<api::Time>& t) { return t ? api::FormatTime(*t) : std::string("<none>"); };
    if (!s.serial_number.empty()) {
      std::string revoked = s.revocation_reason ? std::string(api::ToString(*s.revocation_reason)) : "-";
      rows.push_back({std::to_string(s.revision), s.serial_number, OrNone(s.ca_name), fmt(s.not_before),
                      fmt(s.not_after), revoked, "current"});
    }
    for (const api::CertificateHistoryEntry& h : s.history) {
      std::string revoked = h.revocation_reason ? std::string(api::ToString(*h.revocation_reason)) : "-";
      rows.push_back({std::to_string(h.revision), h.serial_number, OrNone(h.ca_name), fmt(h.not_before),
                      fmt(h.not_after), revoked, ""});
    }
    out += Indent(FormatTable({"REVISION", "SERIAL", "CA", "NOT BEFORE", "NOT AFTER", "REVOKED", ""}, rows));
  }

  out += SyncsSection(c, syncs, now);

  std::vector<EventView> mine;
  for (const EventView& e : events) {
    if (e.regarding_uid.empty() || c.metadata.uid.empty() || e.regarding_uid == c.metadata.uid) mine.push_back(e);
  }
  std::stable_sort(mine.begin(), mine.end(), [](const EventView& a, const EventView& b) {
    return a.last_seen.value_or(api::Time{}) < b.last_seen.value_or(api::Time{});
  });
  out += "\nEvents:\n";
  if (!events_error.empty()) {
    out += "  <not available: " + OneLine(events_error) + ">\n";
    return out;
  }
  if (mine.empty()) {
    out += "  <none>\n";
    return out;
  }
  const size_t skipped = mine.size() > kMaxEvents ? mine.size() - kMaxEvents : 0;
  std::vector<std::vector<std::string>> rows;
  for (size_t i = skipped; i < mine.size(); ++i) {
    const EventView& e = mine[i];
    std::string seen = e.last_seen ? Relative(*e.last_seen, now) : "<unknown>";
    if (e.count > 1) seen += " (x" + std::to_string(e.count) + ")";
    rows.push_back({seen, OrNone(e.type), OrNone(e.reason), OneLine(e.note)});
  }
  out += Indent(FormatTable({"LAST SEEN", "TYPE", "REASON", "MESSAGE"}, rows));
  if (skipped > 0) out += "  (" + std::to_string(skipped) + " older events not shown)\n";
  return out;
}

}  // namespace certplane::plugin
