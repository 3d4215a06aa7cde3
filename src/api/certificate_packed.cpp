#include "api/certificate_packed.h"

#include <stdexcept>

#include "base/packed.h"

namespace certplane::api {
namespace {

// A StringMap is written sorted and read back with Set.
void Map(packed::Writer& w, const StringMap& m) {
  w(static_cast<std::uint64_t>(m.size()));
  for (const auto& [k, v] : m) w(k)(v);
}
void Map(packed::Reader& r, StringMap& m) {
  std::uint64_t n = 0;
  r(n);
  m = StringMap();
  for (std::uint64_t i = 0; i < n && i < (1u << 20); ++i) {
    std::string k, v;
    r(k)(v);
    m.Set(std::move(k), std::move(v));
  }
}

// The field lists, one per struct, for both directions. Every field of every struct is
// listed: the static_asserts below fail when one is added, to send you here.
template <typename Io, typename M>
void MetaFields(Io& io, M& m) {
  io(m.name)(m.ns)(m.uid)(m.resource_version)(m.generation)(m.creation_timestamp)(m.deletion_timestamp);
  Map(io, m.labels);
  Map(io, m.annotations);
  io.Each(m.owner_references,
          [](auto& io, auto& o) { io(o.api_version)(o.kind)(o.name)(o.uid)(o.controller)(o.block_owner_deletion); });
  io(m.finalizers);
}

template <typename Io, typename S>
void SpecFields(Io& io, S& s) {
  io(s.profile_ref.name)(s.secret_name)(s.csr);
  io.Maybe(s.acme, [](auto& io, auto& a) { io(a.account)(a.order); });
  io(s.common_name);
  io(s.subject.organizations)(s.subject.organizational_units)(s.subject.countries)(s.subject.localities);
  io(s.subject.provinces)(s.subject.serial_number);
  io(s.dns_names)(s.ip_addresses)(s.uris)(s.email_addresses);
  io(s.duration)(s.renew_before)(s.renew_before_days)(s.auto_renew);
  io(s.private_key.algorithm)(s.private_key.encoding)(s.private_key.rotation_policy);
  io(s.key_usages)(s.extended_key_usages);
  Map(io, s.secret_template.labels);
  Map(io, s.secret_template.annotations);
  io.Maybe(s.additional_output_formats, [](auto& io, auto& formats) {
    io.Each(formats, [](auto& io, auto& f) {
      io(f.type);
      io.Maybe(f.password_secret_ref, [](auto& io, auto& ref) { io(ref.name)(ref.key); });
      io(f.truststore)(f.profile);
    });
  });
  io.Maybe(s.revocation, [](auto& io, auto& r) { io(r.reason); });
}

template <typename Io, typename S>
void StatusFields(Io& io, S& s) {
  io.Each(s.conditions, [](auto& io, auto& c) {
    io(c.type)(c.status)(c.reason)(c.message)(c.observed_generation)(c.last_transition_time);
  });
  io(s.serial_number)(s.not_before)(s.not_after)(s.renewal_time)(s.last_issuance_time)(s.revision);
  io.Each(s.history, [](auto& io, auto& h) {
    io(h.revision)(h.serial_number)(h.not_before)(h.not_after)(h.revoked_at)(h.revocation_reason)(h.ca_name);
    io(h.crl_shard);
  });
  io(s.revoked_at)(s.revocation_reason)(s.ca_name)(s.crl_shard)(s.last_failure_time)(s.failed_issuance_attempts);
  io(s.unplanned_reissues)(s.observed_generation)(s.certificate);
}

template <typename Io, typename C>
void CertificateFields(Io& io, C& c) {
  MetaFields(io, c.metadata);
  SpecFields(io, c.spec);
  StatusFields(io, c.status);
}

#if defined(__GLIBCXX__) && defined(__x86_64__)
// A field added to any of these must be added to its field list above too, or the cache
// would silently drop it: these fail to compile until someone looks.
static_assert(sizeof(Certificate) == 1216, "Certificate changed: update the field lists");
static_assert(sizeof(ObjectMeta) == 296 && sizeof(OwnerReference) == 136, "ObjectMeta changed: update MetaFields");
static_assert(sizeof(CertificateSpec) == 640 && sizeof(CertificateSubject) == 152 && sizeof(PrivateKeySpec) == 12 &&
                  sizeof(SecretTemplate) == 48 && sizeof(OutputFormat) == 88 && sizeof(SecretKeySelector) == 64 &&
                  sizeof(RevocationSpec) == 4 && sizeof(AcmeOrderReference) == 64 && sizeof(LocalObjectReference) == 32,
              "CertificateSpec changed: update SpecFields");
static_assert(sizeof(CertificateStatus) == 280 && sizeof(Condition) == 128 && sizeof(CertificateHistoryEntry) == 136,
              "CertificateStatus changed: update StatusFields");
#endif

}  // namespace

std::string PackCertificate(const Certificate& certificate) {
  packed::Writer w;
  CertificateFields(w, certificate);
  return std::move(w).Take();
}

Certificate UnpackCertificate(std::string_view bytes) {
  Certificate out;
  packed::Reader r(bytes);
  CertificateFields(r, out);
  if (!r.Done()) throw std::logic_error("a packed Certificate does not unpack");
  return out;
}

}  // namespace certplane::api
