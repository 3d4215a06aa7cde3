#include "pki/crl.h"

#include <algorithm>
#include <array>

#include <openssl/objects.h>

#include "pki/errors.h"
#include "pki/internal/asn1.h"
#include "pki/internal/name.h"
#include "pki/internal/signing.h"
#include "pki/internal/x509v3.h"
#include "pki/pem.h"

namespace certplane::pki {
namespace {

constexpr std::array<RevocationReason, 10> kAllReasons = {
    RevocationReason::kUnspecified,        RevocationReason::kKeyCompromise, RevocationReason::kCaCompromise,
    RevocationReason::kAffiliationChanged, RevocationReason::kSuperseded,    RevocationReason::kCessationOfOperation,
    RevocationReason::kCertificateHold,    RevocationReason::kRemoveFromCrl, RevocationReason::kPrivilegeWithdrawn,
    RevocationReason::kAaCompromise,
};

bool IsKnownReason(long value) {
  return std::any_of(kAllReasons.begin(), kAllReasons.end(),
                     [value](RevocationReason r) { return static_cast<long>(r) == value; });
}

// The reasonCode of an entry: kUnspecified when absent. InvalidArgument when it is
// malformed, repeated or not a defined value.
Result<RevocationReason> EntryReason(X509_REVOKED* entry) {
  int crit = 0;
  Asn1EnumeratedPtr value(
      static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &crit, nullptr)));
  if (!value) {
    if (crit == -1) return RevocationReason::kUnspecified;
    return OpenSslError(StatusCode::kInvalidArgument,
                        crit == -2 ? "reasonCode appears more than once" : "malformed reasonCode");
  }
  long reason = ASN1_ENUMERATED_get(value.get());
  if (!IsKnownReason(reason)) return InvalidArgument("undefined reasonCode " + std::to_string(reason));
  return static_cast<RevocationReason>(reason);
}

Result<RevokedCertificate> ReadEntry(X509_REVOKED* entry) {
  Result<SerialNumber> serial = internal::FromAsn1Integer(X509_REVOKED_get0_serialNumber(entry));
  if (!serial.ok()) return serial.status();
  Result<TimePoint> when = internal::FromAsn1Time(X509_REVOKED_get0_revocationDate(entry));
  if (!when.ok()) return when.status().WithContext("revocationDate");
  Result<RevocationReason> reason = EntryReason(entry);
  if (!reason.ok()) return reason.status();
  return RevokedCertificate{std::move(*serial), *when, *reason};
}

// Every entry, in the order the CRL lists them.
STACK_OF(X509_REVOKED) * EntriesOf(X509_CRL* crl) { return X509_CRL_get_REVOKED(crl); }

// The encoded reasonCode extension for each reason, built once per CRL: encoding one
// per entry dominates the cost of a large CRL otherwise.
class ReasonExtensions {
 public:
  Result<X509_EXTENSION*> For(RevocationReason reason) {
    X509ExtensionPtr& slot = cache_[static_cast<size_t>(reason)];
    if (!slot) {
      Asn1EnumeratedPtr value(ASN1_ENUMERATED_new());
      if (!value || ASN1_ENUMERATED_set(value.get(), static_cast<long>(reason)) != 1) {
        return OpenSslError(StatusCode::kInternal, "encoding a reasonCode");
      }
      slot.reset(X509V3_EXT_i2d(NID_crl_reason, 0, value.get()));
      if (!slot) return OpenSslError(StatusCode::kInternal, "encoding a reasonCode");
    }
    return slot.get();  // still owned by the cache
  }

 private:
  std::array<X509ExtensionPtr, 11> cache_;
};

Result<X509RevokedPtr> MakeEntry(const RevokedCertificate& r, ReasonExtensions& reasons) {
  X509RevokedPtr entry(X509_REVOKED_new());
  if (!entry) return OpenSslError(StatusCode::kInternal, "allocating a CRL entry");
  Result<Asn1IntegerPtr> serial = internal::ToAsn1Integer(r.serial);
  if (!serial.ok()) return serial.status();
  Result<Asn1TimePtr> when = internal::ToAsn1Time(r.revocation_time);
  if (!when.ok()) return when.status();
  if (X509_REVOKED_set_serialNumber(entry.get(), serial->get()) != 1 ||  // copies
      X509_REVOKED_set_revocationDate(entry.get(), when->get()) != 1) {  // copies
    return OpenSslError(StatusCode::kInternal, "filling a CRL entry");
  }
  // RFC 5280 5.3.1: "unspecified" SHOULD be expressed by leaving the reason out.
  if (r.reason != RevocationReason::kUnspecified) {
    Result<X509_EXTENSION*> ext = reasons.For(r.reason);
    if (!ext.ok()) return ext.status();
    if (X509_REVOKED_add_ext(entry.get(), *ext, -1) != 1) {  // copies
      return OpenSslError(StatusCode::kInternal, "adding a reasonCode");
    }
  }
  return entry;
}

}  // namespace

std::string_view RevocationReasonName(RevocationReason reason) {
  switch (reason) {
    case RevocationReason::kUnspecified: return "unspecified";
    case RevocationReason::kKeyCompromise: return "keyCompromise";
    case RevocationReason::kCaCompromise: return "cACompromise";
    case RevocationReason::kAffiliationChanged: return "affiliationChanged";
    case RevocationReason::kSuperseded: return "superseded";
    case RevocationReason::kCessationOfOperation: return "cessationOfOperation";
    case RevocationReason::kCertificateHold: return "certificateHold";
    case RevocationReason::kRemoveFromCrl: return "removeFromCRL";
    case RevocationReason::kPrivilegeWithdrawn: return "privilegeWithdrawn";
    case RevocationReason::kAaCompromise: return "aACompromise";
  }
  return "unknown";
}

Result<RevocationReason> ParseRevocationReason(std::string_view name) {
  for (RevocationReason r : kAllReasons) {
    if (RevocationReasonName(r) == name) return r;
  }
  return InvalidArgument("unknown revocation reason \"" + std::string(name) + "\"");
}

Result<Crl> Crl::Adopt(X509CrlPtr crl) { return Make(std::move(crl), /*check_entries=*/true); }

Result<Crl> Crl::Make(X509CrlPtr crl, bool check_entries) {
  if (!crl) return InvalidArgument("no CRL");
  ClearOpenSslErrors();
  Crl out;
  if (X509_CRL_get_version(crl.get()) != 1) return InvalidArgument("not a v2 CRL (certplane reads only v2)");
  Result<TimePoint> this_update = internal::FromAsn1Time(X509_CRL_get0_lastUpdate(crl.get()));
  if (!this_update.ok()) return this_update.status().WithContext("thisUpdate");
  if (X509_CRL_get0_nextUpdate(crl.get()) == nullptr) return InvalidArgument("the CRL has no nextUpdate");
  Result<TimePoint> next_update = internal::FromAsn1Time(X509_CRL_get0_nextUpdate(crl.get()));
  if (!next_update.ok()) return next_update.status().WithContext("nextUpdate");

  int crit = 0;
  Asn1IntegerPtr number(static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, &crit, nullptr)));
  if (!number) {
    if (crit == -1) return InvalidArgument("the CRL has no CRL Number");
    return OpenSslError(StatusCode::kInvalidArgument, "malformed or repeated CRL Number");
  }
  if (ASN1_STRING_type(number.get()) == V_ASN1_NEG_INTEGER ||
      ASN1_INTEGER_get_uint64(&out.number_, number.get()) != 1) {
    return OpenSslError(StatusCode::kInvalidArgument, "CRL Number is negative or larger than 64 bits");
  }

  IssuingDistPointPtr idp(static_cast<ISSUING_DIST_POINT*>(
      X509_CRL_get_ext_d2i(crl.get(), NID_issuing_distribution_point, &crit, nullptr)));
  if (idp) {
    out.distribution_point_ = internal::ReadIssuingDistributionPoint(idp.get());
  } else if (crit != -1) {
    return OpenSslError(StatusCode::kInvalidArgument, "malformed or repeated IssuingDistributionPoint");
  }
  Asn1IntegerPtr base(static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl.get(), NID_delta_crl, &crit, nullptr)));
  if (base) {
    std::uint64_t value = 0;
    if (ASN1_STRING_type(base.get()) == V_ASN1_NEG_INTEGER || ASN1_INTEGER_get_uint64(&value, base.get()) != 1) {
      return OpenSslError(StatusCode::kInvalidArgument, "Delta CRL Indicator is negative or larger than 64 bits");
    }
    out.delta_of_ = value;
  } else if (crit != -1) {
    return OpenSslError(StatusCode::kInvalidArgument, "malformed or repeated Delta CRL Indicator");
  }
  AuthorityKeyIdPtr akid(
      static_cast<AUTHORITY_KEYID*>(X509_CRL_get_ext_d2i(crl.get(), NID_authority_key_identifier, &crit, nullptr)));
  if (!akid && crit != -1) return OpenSslError(StatusCode::kInvalidArgument, "malformed AuthorityKeyIdentifier");

  // Every entry must read back, so entries() and Find() cannot fail later.
  STACK_OF(X509_REVOKED)* entries = EntriesOf(crl.get());
  for (int i = 0; check_entries && i < sk_X509_REVOKED_num(entries); ++i) {
    Result<RevokedCertificate> entry = ReadEntry(sk_X509_REVOKED_value(entries, i));
    if (!entry.ok()) return entry.status().WithContext("CRL entry " + std::to_string(i + 1));
  }
  ClearOpenSslErrors();
  out.crl_ = std::move(crl);
  out.this_update_ = *this_update;
  out.next_update_ = *next_update;
  return out;
}

Crl::Crl(const Crl& other)
    : crl_(ShareX509Crl(other.crl_.get())),
      number_(other.number_),
      this_update_(other.this_update_),
      next_update_(other.next_update_),
      distribution_point_(other.distribution_point_) {}

Crl& Crl::operator=(const Crl& other) {
  if (this != &other) {
    crl_ = ShareX509Crl(other.crl_.get());
    number_ = other.number_;
    this_update_ = other.this_update_;
    next_update_ = other.next_update_;
    distribution_point_ = other.distribution_point_;
  }
  return *this;
}

std::string Crl::ToPem() const { return EncodePem("X509 CRL", ToDer()); }

Bytes Crl::ToDer() const {
  Result<Bytes> der = internal::EncodeDer(crl_.get(), i2d_X509_CRL, "a CRL");
  return der.ok() ? std::move(*der) : Bytes{};  // fails only when memory runs out
}

DistinguishedName Crl::issuer() const { return internal::ReadX509Name(X509_CRL_get_issuer(crl_.get())); }
std::string Crl::issuer_text() const { return internal::X509NameText(X509_CRL_get_issuer(crl_.get())); }

Bytes Crl::authority_key_id() const {
  AuthorityKeyIdPtr akid(
      static_cast<AUTHORITY_KEYID*>(X509_CRL_get_ext_d2i(crl_.get(), NID_authority_key_identifier, nullptr, nullptr)));
  ClearOpenSslErrors();
  if (!akid || akid->keyid == nullptr) return {};
  const ASN1_OCTET_STRING* id = akid->keyid;
  return Bytes(ASN1_STRING_get0_data(id), ASN1_STRING_get0_data(id) + ASN1_STRING_length(id));
}

size_t Crl::size() const {
  int n = sk_X509_REVOKED_num(EntriesOf(crl_.get()));
  return n > 0 ? static_cast<size_t>(n) : 0;
}

std::vector<RevokedCertificate> Crl::entries() const {
  std::vector<RevokedCertificate> out;
  STACK_OF(X509_REVOKED)* entries = EntriesOf(crl_.get());
  out.reserve(size());
  for (int i = 0; i < sk_X509_REVOKED_num(entries); ++i) {
    Result<RevokedCertificate> entry = ReadEntry(sk_X509_REVOKED_value(entries, i));
    if (entry.ok()) out.push_back(std::move(*entry));  // Adopt() checked that each reads
  }
  std::sort(out.begin(), out.end(),
            [](const RevokedCertificate& a, const RevokedCertificate& b) { return a.serial < b.serial; });
  return out;
}

std::optional<RevokedCertificate> Crl::Find(const SerialNumber& serial) const {
  Result<Asn1IntegerPtr> wanted = internal::ToAsn1Integer(serial);
  if (!wanted.ok()) return std::nullopt;
  X509_REVOKED* entry = nullptr;
  // Looks up in the CRL's serial-sorted index (OpenSSL sorts once, under its lock).
  if (X509_CRL_get0_by_serial(crl_.get(), &entry, wanted->get()) == 0 || entry == nullptr) {
    ClearOpenSslErrors();
    return std::nullopt;
  }
  Result<RevokedCertificate> found = ReadEntry(entry);
  if (!found.ok()) return std::nullopt;
  return std::move(*found);
}

Status Crl::VerifySignature(const Certificate& issuer) const {
  ClearOpenSslErrors();
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl_.get()), X509_get_subject_name(issuer.get())) != 0) {
    return InvalidArgument("the CRL's issuer " + issuer_text() + " is not " + issuer.subject_text());
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer.get());
  if (key == nullptr || X509_CRL_verify(crl_.get(), key) != 1) {
    return OpenSslError(StatusCode::kInvalidArgument,
                        "the CRL's signature does not verify with the key of " + issuer.subject_text());
  }
  return Status::Ok();
}

Result<Crl> BuildCrl(const CrlSpec& spec, const Issuer& issuer) {
  const Certificate& ca = issuer.certificate();
  if (ca.has_key_usage_extension()) {
    std::vector<KeyUsage> usages = ca.key_usages();
    if (std::find(usages.begin(), usages.end(), KeyUsage::kCrlSign) == usages.end()) {
      return FailedPrecondition("issuer " + ca.subject_text() + " may not sign CRLs (its KeyUsage lacks crl sign)");
    }
  }
  if (spec.next_update <= spec.this_update) return InvalidArgument("nextUpdate must be after thisUpdate");

  // Sort a list of indexes (not the entries) by serial, to find duplicates and to
  // write the entries in serial order.
  std::vector<size_t> order(spec.revoked.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return spec.revoked[a].serial < spec.revoked[b].serial; });
  for (size_t i = 0; i < order.size(); ++i) {
    const RevokedCertificate& r = spec.revoked[order[i]];
    std::string where = "revoked[" + std::to_string(order[i]) + "] (serial " + r.serial.ToHex() + ")";
    if (i > 0 && spec.revoked[order[i - 1]].serial == r.serial) return InvalidArgument(where + " is listed twice");
    if (r.reason == RevocationReason::kRemoveFromCrl && !spec.delta_of) {
      return InvalidArgument(where + ": removeFromCRL is only for delta CRLs");
    }
    if (r.revocation_time > spec.this_update) return InvalidArgument(where + ": revoked after thisUpdate");
  }

  if (spec.delta_of && *spec.delta_of >= spec.number) {
    return InvalidArgument("a delta CRL's base CRL Number (" + std::to_string(*spec.delta_of) +
                           ") must be below its own (" + std::to_string(spec.number) + ")");
  }
  if (spec.delta_of && !spec.freshest_crl_urls.empty()) {
    return InvalidArgument("a delta CRL carries no Freshest CRL extension");
  }

  ClearOpenSslErrors();
  X509CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), 1) != 1) {  // 1 encodes v2
    return OpenSslError(StatusCode::kInternal, "allocating a CRL");
  }
  if (X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.get())) != 1) {  // copies
    return OpenSslError(StatusCode::kInternal, "setting the CRL issuer");
  }
  Result<Asn1TimePtr> this_update = internal::ToAsn1Time(spec.this_update);
  if (!this_update.ok()) return this_update.status().WithContext("thisUpdate");
  Result<Asn1TimePtr> next_update = internal::ToAsn1Time(spec.next_update);
  if (!next_update.ok()) return next_update.status().WithContext("nextUpdate");
  if (X509_CRL_set1_lastUpdate(crl.get(), this_update->get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next_update->get()) != 1) {
    return OpenSslError(StatusCode::kInternal, "setting the CRL times");
  }

  ReasonExtensions reasons;
  for (size_t index : order) {
    Result<X509RevokedPtr> entry = MakeEntry(spec.revoked[index], reasons);
    if (!entry.ok()) return entry.status().WithContext("revoked[" + std::to_string(index) + "]");
    if (X509_CRL_add0_revoked(crl.get(), entry->get()) != 1)
      return OpenSslError(StatusCode::kInternal, "adding a CRL entry");
    (void)entry->release();  // the X509_CRL owns the entry now
  }

  Bytes key_id = ca.subject_key_id();
  if (key_id.empty()) {
    Result<Bytes> computed = internal::KeyIdentifier(X509_get_X509_PUBKEY(ca.get()));
    if (!computed.ok()) return computed.status();
    key_id = std::move(*computed);
  }
  auto add = [&](Result<internal::ExtensionValue> ext) -> Status {
    if (!ext.ok()) return ext.status();
    return internal::AppendExtension(crl.get(), *ext);
  };
  CERTPLANE_RETURN_IF_ERROR(add(internal::MakeAuthorityKeyId(key_id)));
  CERTPLANE_RETURN_IF_ERROR(add(internal::MakeCrlNumber(spec.number)));
  if (spec.distribution_point.has_value()) {
    Status s = add(internal::MakeIssuingDistributionPoint(*spec.distribution_point));
    if (!s.ok()) return s.WithContext("distribution point");
  }
  if (spec.delta_of) CERTPLANE_RETURN_IF_ERROR(add(internal::MakeDeltaCrlIndicator(*spec.delta_of)));
  if (!spec.freshest_crl_urls.empty()) {
    Status s = add(internal::MakeFreshestCrl(spec.freshest_crl_urls));
    if (!s.ok()) return s.WithContext("freshest CRL");
  }

  CERTPLANE_RETURN_IF_ERROR(issuer.signer().SignCrl(crl.get()));
  // Round-trip through DER: OpenSSL computes what verification needs (the IDP scope, the
  // AKI, the entries' reasons) only when it decodes a CRL, so a CRL used with
  // VerifyChain must be a decoded one. The entries are ours, so they are not re-read.
  Result<Bytes> der = internal::EncodeDer(crl.get(), i2d_X509_CRL, "the CRL");
  if (!der.ok()) return der.status();
  Result<X509CrlPtr> decoded = internal::DecodeDer<X509CrlPtr>(*der, d2i_X509_CRL, i2d_X509_CRL, "CRL");
  if (!decoded.ok()) return Internal("the CRL just built does not parse: " + decoded.status().message());
  Result<Crl> out = Crl::Make(std::move(*decoded), /*check_entries=*/false);
  if (!out.ok()) return Internal("the CRL just built is not valid: " + out.status().message());
  return out;
}

Result<Crl> ParseCrlDer(ByteView der) {
  Result<X509CrlPtr> crl = internal::DecodeDer<X509CrlPtr>(der, d2i_X509_CRL, i2d_X509_CRL, "CRL");
  if (!crl.ok()) return crl.status().WithContext("parsing a CRL");
  Result<Crl> out = Crl::Adopt(std::move(*crl));
  if (!out.ok()) return out.status().WithContext("parsing a CRL");
  return out;
}

Result<Crl> ParseCrlPem(std::string_view pem) {
  Result<PemBlock> block = DecodeSinglePem(pem, "X509 CRL");
  if (!block.ok()) return block.status().WithContext("parsing a CRL");
  return ParseCrlDer(block->der);
}

std::uint32_t CrlShardFor(const SerialNumber& serial, std::uint32_t shard_count) {
  if (shard_count <= 1) return 0;
  std::uint32_t hash = 2166136261u;  // FNV-1a, 32 bit
  for (std::uint8_t b : serial.bytes()) {
    hash ^= b;
    hash *= 16777619u;
  }
  return hash % shard_count;
}

}  // namespace certplane::pki
