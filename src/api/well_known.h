// Names every certplane component must agree on: the API group and kinds, and the labels,
// annotations and finalizers certplane reads or writes.
#pragma once

#include <string_view>

namespace certplane::api {

inline constexpr std::string_view kGroup = "certplane.io";
inline constexpr std::string_view kVersion = "v1alpha1";
inline constexpr std::string_view kApiVersion = "certplane.io/v1alpha1";

inline constexpr std::string_view kCertificateKind = "Certificate";
inline constexpr std::string_view kCertificateAuthorityKind = "CertificateAuthority";
inline constexpr std::string_view kCertificateTemplateKind = "CertificateTemplate";
inline constexpr std::string_view kCertificateProfileKind = "CertificateProfile";
inline constexpr std::string_view kCertificateSyncKind = "CertificateSync";

// Resource names (the plural in REST paths: /apis/certplane.io/v1alpha1/<plural>).
inline constexpr std::string_view kCertificateResource = "certificates";
inline constexpr std::string_view kCertificateAuthorityResource = "certificateauthorities";
inline constexpr std::string_view kCertificateTemplateResource = "certificatetemplates";
inline constexpr std::string_view kCertificateProfileResource = "certificateprofiles";
inline constexpr std::string_view kCertificateSyncResource = "certificatesyncs";

// On a Certificate: an RFC 3339 time; when it is later than the last issuance (and not in
// the future), the certificate is renewed now. `kubectl annotate cpcert web
// certplane.io/renew-requested-at=$(date -u +%FT%TZ) --overwrite`.
inline constexpr std::string_view kRenewRequestedAtAnnotation = "certplane.io/renew-requested-at";

// On the Secrets the controller writes. The label lets the controller watch only its own
// Secrets (its value is the Certificate's name); the annotations record what was issued.
inline constexpr std::string_view kCertificateNameLabel = "certplane.io/certificate-name";
inline constexpr std::string_view kSerialNumberAnnotation = "certplane.io/serial-number";
inline constexpr std::string_view kCaNameAnnotation = "certplane.io/ca-name";
inline constexpr std::string_view kProfileNameAnnotation = "certplane.io/profile-name";
inline constexpr std::string_view kRevisionAnnotation = "certplane.io/revision";
inline constexpr std::string_view kDurationAnnotation = "certplane.io/duration";
// When the revision was issued (RFC 3339, whole seconds). A status write that is lost
// after the Secret's landed leaves this as the only record that a renew request was
// already answered: the next pass adopts the Secret instead of issuing again.
inline constexpr std::string_view kIssuedAtAnnotation = "certplane.io/issued-at";
// The CRL shard the certificate's distribution point names (absent: shard 0).
inline constexpr std::string_view kCrlShardAnnotation = "certplane.io/crl-shard";

// Held on a CertificateSync whose deletionPolicy is Remove, until what it pushed is
// removed from the destination.
inline constexpr std::string_view kSyncCleanupFinalizer = "certplane.io/sync-cleanup";

// Held on a Certificate whose profile revokes on delete, until its serial is on the CRL.
inline constexpr std::string_view kRevokeOnDeleteFinalizer = "certplane.io/revoke-on-delete";

// The CRL of a CA lives in ConfigMaps in the controller's namespace, one per shard:
// certplane-crl-<ca> for shard 0 and certplane-crl-<ca>.shard-<k> for shard k >= 1
// (crl/crl_config_map.h). Data: crl.pem; binaryData: crl.der; and revoked.txt,
// certplane's durable record of every revoked serial of the shard, one line each:
//   <serial hex> <revoked at, RFC 3339> <RFC 5280 reason name> <certificate notAfter, RFC 3339>
// The CRL is rebuilt from revoked.txt alone; an entry leaves once its notAfter passes.
inline constexpr std::string_view kCrlShardLabel = "certplane.io/crl-shard";
// On the CA key Secret and on each CRL ConfigMap: the CertificateAuthority it belongs to.
inline constexpr std::string_view kCaNameLabel = "certplane.io/ca-name";
inline constexpr std::string_view kCrlNumberAnnotation = "certplane.io/crl-number";
inline constexpr std::string_view kCrlThisUpdateAnnotation = "certplane.io/crl-this-update";
inline constexpr std::string_view kCrlNextUpdateAnnotation = "certplane.io/crl-next-update";
inline constexpr std::string_view kCrlEntriesAnnotation = "certplane.io/crl-entries";
inline constexpr std::string_view kCrlPemKey = "crl.pem";
inline constexpr std::string_view kCrlDerKey = "crl.der";
inline constexpr std::string_view kCrlLedgerKey = "revoked.txt";
// crl.der/crl.pem are signed by the CA's current key, whose key id (16 hex digits of the
// SHA-256 of its public key) this annotation holds. Each key the CA retired whose
// certificates may still be in use signs a CRL of its own over the same revoked.txt,
// kept as binaryData crl-<key id>.der and listed (comma-separated) in the second.
inline constexpr std::string_view kCrlKeyIdAnnotation = "certplane.io/crl-key-id";
inline constexpr std::string_view kCrlRetiredKeysAnnotation = "certplane.io/crl-retired-keys";
inline constexpr std::string_view kCrlRetiredDerPrefix = "crl-";  // + key id + ".der"
// With delta CRLs (spec.crl.delta), the shard's delta CRL by the current key, over the
// complete CRL crl.der (its Delta CRL Indicator names that CRL's number): data delta.pem,
// binaryData delta.der; each retired key's as binaryData delta-<key id>.der. The
// annotations give its number, thisUpdate and nextUpdate.
inline constexpr std::string_view kDeltaCrlPemKey = "delta.pem";
inline constexpr std::string_view kDeltaCrlDerKey = "delta.der";
inline constexpr std::string_view kDeltaCrlRetiredDerPrefix = "delta-";  // + key id + ".der"
inline constexpr std::string_view kDeltaCrlNumberAnnotation = "certplane.io/delta-crl-number";
inline constexpr std::string_view kDeltaCrlThisUpdateAnnotation = "certplane.io/delta-crl-this-update";
inline constexpr std::string_view kDeltaCrlNextUpdateAnnotation = "certplane.io/delta-crl-next-update";

// kubectl's copy of the whole applied object; dropped when decoding (it can be as large
// as the object itself and nothing in certplane reads it).
inline constexpr std::string_view kLastAppliedConfigAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

}  // namespace certplane::api
