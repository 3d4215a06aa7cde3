// The PKI engine's parsers as the corpus test and the libFuzzer targets drive them.
//
// Each Fuzz* function runs one group of parsers on untrusted bytes. When a parser
// accepts the input, it also reads every accessor and checks that re-encoding the
// object and parsing that again succeeds; a broken invariant aborts, so libFuzzer
// reports it as a crash.
#pragma once

#include <span>
#include <string_view>

#include "base/status.h"
#include "pki/types.h"

namespace certplane::pki::fuzz {

// One public parse function, as "name" -> Status of parsing `input`.
struct Parser {
  std::string_view name;
  Status (*parse)(ByteView input);
};

// Every public parser of untrusted input: certificates, chains, CSRs, private and
// public keys, CRLs (PEM and DER each) and PKCS#12 (with the password "fuzz").
std::span<const Parser> AllParsers();

// The libFuzzer targets' bodies, one per parser group.
void FuzzCertificatePem(ByteView input);
void FuzzCertificateDer(ByteView input);
void FuzzCsrPem(ByteView input);
void FuzzCsrDer(ByteView input);
void FuzzKeyPem(ByteView input);
void FuzzKeyDer(ByteView input);
void FuzzCrlPem(ByteView input);
void FuzzCrlDer(ByteView input);
void FuzzPkcs12(ByteView input);

}  // namespace certplane::pki::fuzz
