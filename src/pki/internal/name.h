// internal/name.h: DistinguishedName <-> X509_NAME. Not part of the public API.
#pragma once

#include <string>

#include "base/result.h"
#include "pki/handles.h"
#include "pki/name.h"

namespace certplane::pki::internal {

// A validated X509_NAME for `name`; InvalidArgument as ValidateDistinguishedName.
Result<X509NamePtr> BuildX509Name(const DistinguishedName& name);
// The same, written into an empty X509_NAME that something else owns (a certificate's
// subject, saving X509_set_subject_name's copy).
Status FillX509Name(const DistinguishedName& name, X509_NAME* out);
// The attributes of `name` that DistinguishedName models; others are ignored (they
// still show in X509NameText).
DistinguishedName ReadX509Name(const X509_NAME* name);
// RFC 2253 text, e.g. "CN=frontend,O=Acme Inc.,C=DE".
std::string X509NameText(const X509_NAME* name);

}  // namespace certplane::pki::internal
