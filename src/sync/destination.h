// Destination: one external key store that certplane pushes certificates to (AWS
// Certificate Manager, AWS Secrets Manager, Azure Key Vault), behind one interface so
// the sync reconciler never knows which.
//
//   std::unique_ptr<Destination> dest = ...;      // aws/acm.h, aws/secrets_manager.h,
//                                                  // azure/key_vault.h
//   SyncResult<PushResult> pushed = dest->Push(target, material);
//   if (!pushed.ok()) backoff(pushed.error());     // its Status code says whether to retry
//
// Every object a destination creates carries the tag certplane.io/certificate-uid with
// the Certificate's uid, so a push that does not know the object's id (a restart, a
// second replica, a lost status) finds and adopts it instead of creating a duplicate.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "base/sensitive_string.h"
#include "base/status.h"

namespace certplane::sync {

// The tag (AWS) or tag/attribute (Azure) naming the Certificate an object belongs to.
inline constexpr const char* kCertificateUidTag = "certplane.io/certificate-uid";
// Informational tags: which Certificate ("<namespace>/<name>") and which serial.
inline constexpr const char* kCertificateTag = "certplane.io/certificate";
inline constexpr const char* kSerialTag = "certplane.io/serial";

// What is pushed: PEM text throughout.
struct CertificateMaterial {
  std::string certificate_pem;      // the leaf alone
  std::string chain_pem;            // intermediates, then the root when the sync includes it
  std::string ca_pem;               // the trust anchor (the Secret's ca.crt)
  SensitiveString private_key_pem;  // PKCS#8 "PRIVATE KEY"
  std::string serial_hex;           // lower-case hex, as status.serialNumber
};

// Which object a push or removal is about.
struct PushTarget {
  std::string certificate_uid;  // metadata.uid of the Certificate
  std::string certificate;      // "<namespace>/<name>", for tags and messages
  std::string name;             // the rendered name (Secrets Manager, Key Vault); empty for ACM
  std::string known_id;         // the id status recorded (ARN, Key Vault id); empty when none
};

struct PushResult {
  std::string id;        // ACM certificate ARN, Secrets Manager secret ARN, Key Vault certificate id
  std::string version;   // Secrets Manager VersionId, Key Vault version; empty for ACM
  bool adopted = false;  // the object existed (found by its uid tag) before this push
};

// Why a call failed. The Status's code carries the retry meaning:
//   kResourceExhausted  throttled (AWS ThrottlingException, HTTP 429): retry after
//                       retry_after when given, else back off
//   kUnavailable, kDeadlineExceeded  5xx, connection failures, timeouts: back off
//   kUnauthenticated, kPermissionDenied  credentials refused or not allowed: report,
//                       retry only on the long backoff (or when the sync changes)
//   kInvalidArgument, kFailedPrecondition  the destination refuses this request (a
//                       name in the deleted state, a key type it cannot re-import)
// and its message is the destination's own words, led by its error code
// ("SignatureDoesNotMatch: The request signature we calculated does not match ...").
// Never credentials or key material.
struct SyncError {
  Status status;
  std::string code;  // the destination's error code, e.g. "ThrottlingException", "Forbidden"
  std::optional<std::chrono::seconds> retry_after;
};

template <typename T>
class [[nodiscard]] SyncResult {
 public:
  SyncResult(T value) : data_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  SyncResult(SyncError error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return std::holds_alternative<T>(data_); }
  const T& value() const { return std::get<T>(data_); }
  const T& operator*() const { return value(); }
  const T* operator->() const { return &value(); }
  const SyncError& error() const { return std::get<SyncError>(data_); }

 private:
  std::variant<T, SyncError> data_;
};

// Removal has no value: OK or the error.
using SyncStatus = SyncResult<std::monostate>;

class Destination {
 public:
  virtual ~Destination() = default;

  // Puts `material` at the destination for target.certificate_uid: re-imports into the
  // object with target.known_id, or into the one tagged with the uid, or creates one.
  // Idempotent: pushing the same material twice leaves one object.
  virtual SyncResult<PushResult> Push(const PushTarget& target, const CertificateMaterial& material) = 0;

  // Removes what was pushed for the target (by known id, else by the uid tag). OK when
  // nothing is there.
  virtual SyncStatus Remove(const PushTarget& target) = 0;
};

}  // namespace certplane::sync
