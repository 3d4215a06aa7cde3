// verify.h: chain building and verification (RFC 5280 section 6, as OpenSSL implements
// it), and revocation checks against CRLs.
//
//   VerifyOptions options;
//   options.roots = {root};
//   options.intermediates = {intermediate};
//   options.crls = {root_crl, intermediate_crl};
//   options.revocation = RevocationCheck::kFullChain;
//   options.at = now;
//   Result<std::vector<Certificate>> chain = VerifyChain(leaf, options);
//   // chain: leaf, intermediate, root; or InvalidArgument "certificate revoked ..."
//
//   Result<std::optional<RevokedCertificate>> entry = FindRevocation(leaf, crl, issuer, now);
//
// Verification runs in X.509 strict mode (X509_V_FLAG_X509_STRICT), which also rejects
// certificates that break RFC 5280 rules OpenSSL otherwise tolerates, and checks
// NameConstraints and pathLenConstraint.
#pragma once

#include <optional>
#include <vector>

#include "base/result.h"
#include "pki/certificate.h"
#include "pki/crl.h"
#include "pki/types.h"
#include "pki/usage.h"

namespace certplane::pki {

enum class RevocationCheck {
  kNone,       // no CRL is consulted
  kLeaf,       // the leaf must be covered by a CRL in options.crls (openssl -crl_check)
  kFullChain,  // every certificate below the root must be (openssl -crl_check_all)
};

struct VerifyOptions {
  std::vector<Certificate> roots;          // trust anchors
  std::vector<Certificate> intermediates;  // untrusted certificates to build the chain from
  std::vector<Crl> crls;
  RevocationCheck revocation = RevocationCheck::kNone;
  TimePoint at;  // the time at which validity is judged; required
  // When set, the leaf must carry this extended key usage (or none at all) and its
  // issuers must not forbid it (OpenSSL's purpose check). Code signing is refused with
  // InvalidArgument: OpenSSL 3.0 has no purpose for it.
  std::optional<ExtendedKeyUsage> purpose;
};

// The verified chain, leaf first and root last. InvalidArgument with OpenSSL's reason,
// the depth and the subject of the certificate at fault when no chain verifies (e.g.
// "certificate has expired at depth 0 (CN=frontend)", "unable to get local issuer
// certificate", "certificate revoked", "unable to get certificate CRL").
Result<std::vector<Certificate>> VerifyChain(const Certificate& leaf, const VerifyOptions& options);

// Whether `crl` lists `certificate`. InvalidArgument if the CRL cannot answer for it:
// the CRL is not issued by `issuer` or its signature does not verify, `issuer` did not
// issue `certificate`, the CRL is not current at `at` (FailedPrecondition), or its
// IssuingDistributionPoint scope excludes the certificate (a CA certificate in a
// user-certificates-only CRL, or vice versa).
Result<std::optional<RevokedCertificate>> FindRevocation(const Certificate& certificate, const Crl& crl,
                                                         const Certificate& issuer, TimePoint at);

}  // namespace certplane::pki
