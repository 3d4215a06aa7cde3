// Builders of api::Certificate, and of CertificateSync JSON, for the plugin's tests:
//
//   api::Certificate c = MakeCertificate("shop", "frontend").Issued(kNow - days(1), kNow + days(29)).RenewAt(...);
//   nlohmann::json s = MakeSync("shop", "to-acm", "awsCertificateManager")
//                          .Entry(MakeSyncEntry("frontend").Pushed("arn:...", "bb02", kNow));
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "api/certificate.h"
#include "api/condition.h"
#include "api/time.h"

namespace certplane::plugin::testing {

using Days = std::chrono::duration<std::int64_t, std::ratio<86400>>;

// 2030-06-01T12:00:00Z
inline const api::Time kNow =
    api::Time(std::chrono::sys_days(std::chrono::year(2030) / 6 / 1)) + std::chrono::hours(12);

class CertificateBuilder {
 public:
  CertificateBuilder(std::string ns, std::string name) {
    c_.metadata.ns = std::move(ns);
    c_.metadata.name = std::move(name);
    c_.metadata.uid = "uid-" + c_.metadata.name;
    c_.spec.profile_ref.name = "web";
    c_.spec.secret_name = c_.metadata.name + "-tls";
  }
  CertificateBuilder& Profile(std::string p) {
    c_.spec.profile_ref.name = std::move(p);
    return *this;
  }
  // A current serial valid from..until, issued by `ca`, Ready=True.
  CertificateBuilder& Issued(api::Time from, api::Time until, std::string serial = "5f0c1a",
                             std::string ca = "issuing") {
    c_.status.serial_number = std::move(serial);
    c_.status.not_before = from;
    c_.status.not_after = until;
    c_.status.ca_name = std::move(ca);
    c_.status.revision = 1;
    c_.status.last_issuance_time = from;
    return Condition(api::kConditionReady, api::ConditionStatus::kTrue, "Ready", "the certificate is valid");
  }
  CertificateBuilder& RenewAt(api::Time t) {
    c_.status.renewal_time = t;
    return *this;
  }
  CertificateBuilder& Condition(std::string_view type, api::ConditionStatus status, std::string reason,
                                std::string message = {}) {
    api::Condition cond = api::MakeCondition(type, status, reason, std::move(message), 1);
    api::SetCondition(c_.status.conditions, std::move(cond), kNow - std::chrono::hours(1));
    return *this;
  }
  CertificateBuilder& Issuing() {
    return Condition(api::kConditionIssuing, api::ConditionStatus::kTrue, "IssuanceFailed", "the CA is not ready");
  }
  CertificateBuilder& RevocationRequested(api::RevocationReason r) {
    c_.spec.revocation = api::RevocationSpec{r};
    return *this;
  }
  CertificateBuilder& Revoked(api::RevocationReason r, api::Time at) {
    c_.spec.revocation = api::RevocationSpec{r};
    c_.status.revocation_reason = r;
    c_.status.revoked_at = at;
    return Condition(api::kConditionRevoked, api::ConditionStatus::kTrue, "Revoked", "on the CRL");
  }
  // CSR enrollment: spec.csr instead of a Secret; with an ACME order when `order` is set.
  CertificateBuilder& Csr(std::string order = {}) {
    c_.spec.secret_name.clear();
    c_.spec.csr = "-----BEGIN CERTIFICATE REQUEST-----\n...\n-----END CERTIFICATE REQUEST-----\n";
    if (!order.empty()) c_.spec.acme = api::AcmeOrderReference{"acct-1", std::move(order)};
    return *this;
  }
  CertificateBuilder& History(api::CertificateHistoryEntry e) {
    c_.status.history.push_back(std::move(e));
    return *this;
  }
  CertificateBuilder& Annotation(std::string k, std::string v) {
    c_.metadata.annotations.Set(std::move(k), std::move(v));
    return *this;
  }

  api::Certificate Build() const { return c_; }
  operator api::Certificate() const { return c_; }  // NOLINT(google-explicit-constructor)

 private:
  api::Certificate c_;
};

inline CertificateBuilder MakeCertificate(std::string ns, std::string name) {
  return CertificateBuilder(std::move(ns), std::move(name));
}

// One status.certificates entry of a CertificateSync, as the controller writes it; the
// uid is MakeCertificate's ("uid-<name>").
class SyncEntryBuilder {
 public:
  explicit SyncEntryBuilder(std::string certificate) {
    j_ = {{"name", certificate}, {"uid", "uid-" + certificate}, {"synced", "Unknown"}, {"reason", "Pending"}};
  }
  SyncEntryBuilder& Uid(std::string uid) {
    if (uid.empty()) {
      j_.erase("uid");
    } else {
      j_["uid"] = std::move(uid);
    }
    return *this;
  }
  // `serial` is at the destination as `id` since `at`: synced True.
  SyncEntryBuilder& Pushed(std::string id, std::string serial, api::Time at) {
    j_["destinationID"] = std::move(id);
    j_["serialNumber"] = std::move(serial);
    j_["syncedAt"] = api::FormatTime(at);
    j_["synced"] = "True";
    j_["reason"] = "Synced";
    return *this;
  }
  // The last push failed: synced False, the destination's words, retried at `next`.
  SyncEntryBuilder& Failed(std::string reason, std::string message, std::int32_t attempts, api::Time next) {
    j_["synced"] = "False";
    j_["reason"] = std::move(reason);
    j_["message"] = std::move(message);
    j_["failedAttempts"] = attempts;
    j_["nextAttemptTime"] = api::FormatTime(next);
    return *this;
  }
  SyncEntryBuilder& Set(const std::string& key, nlohmann::json value) {
    j_[key] = std::move(value);
    return *this;
  }

  operator nlohmann::json() const { return j_; }  // NOLINT(google-explicit-constructor)

 private:
  nlohmann::json j_;
};

inline SyncEntryBuilder MakeSyncEntry(std::string certificate) { return SyncEntryBuilder(std::move(certificate)); }

// A CertificateSync as the API server lists it. `destination` names the spec field set
// ("awsCertificateManager", "awsSecretsManager", "azureKeyVault"; anything else is set
// as an empty object).
class SyncBuilder {
 public:
  SyncBuilder(std::string ns, std::string name, const std::string& destination) {
    j_ = {{"apiVersion", "certplane.io/v1alpha1"},
          {"kind", "CertificateSync"},
          {"metadata", {{"namespace", std::move(ns)}, {"name", std::move(name)}, {"uid", "sync-uid"}}},
          {"spec", {{"certificates", {{"names", nlohmann::json::array()}}}}},
          {"status", {{"certificates", nlohmann::json::array()}}}};
    if (destination == "azureKeyVault") {
      j_["spec"][destination] = {{"vaultURL", "https://shop.vault.azure.net"},
                                 {"auth", {{"secretRef", {{"name", "azure"}}}}}};
    } else if (destination == "awsCertificateManager" || destination == "awsSecretsManager") {
      j_["spec"][destination] = {{"region", "eu-west-1"}, {"auth", {{"secretRef", {{"name", "aws"}}}}}};
    } else {
      j_["spec"][destination] = nlohmann::json::object();
    }
  }
  SyncBuilder& Entry(nlohmann::json entry) {
    if (entry.is_object() && entry.contains("name") && entry["name"].is_string()) {
      j_["spec"]["certificates"]["names"].push_back(entry["name"]);
    }
    j_["status"]["certificates"].push_back(std::move(entry));
    return *this;
  }

  nlohmann::json Build() const { return j_; }
  operator nlohmann::json() const { return j_; }  // NOLINT(google-explicit-constructor)

 private:
  nlohmann::json j_;
};

inline SyncBuilder MakeSync(std::string ns, std::string name, const std::string& destination) {
  return SyncBuilder(std::move(ns), std::move(name), destination);
}

}  // namespace certplane::plugin::testing
