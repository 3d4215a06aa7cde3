// pkcs12.h: password-protected PKCS#12 keystores and truststores, the formats Java and
// many other runtimes read keys and trusted CAs from.
//
//   Result<Bytes> keystore = BuildPkcs12Keystore(key, leaf, {intermediate, root}, password);
//   Result<Bytes> truststore = BuildPkcs12Truststore({root}, password);
//   secret.data["keystore.p12"] = *keystore;
//   secret.data["truststore.p12"] = *truststore;
//
// Encryption profiles:
//   kModern (default): key and certificates encrypted with PBES2 (PBKDF2 with
//     HMAC-SHA-256, AES-256-CBC), MAC HMAC-SHA-256. Java 8u301+, 11.0.12+, 17+ and
//     OpenSSL 3 read it.
//   kLegacy: key with pbeWithSHAAnd3-KeyTripleDES-CBC, certificates with
//     pbeWithSHAAnd40BitRC2-CBC, MAC HMAC-SHA-1: what older Java (and `openssl pkcs12
//     -legacy`) expects. RC2 lives in OpenSSL's legacy provider, which certplane loads
//     into a private library context so the process's default context stays modern.
//
// The keystore holds one key entry under the alias (friendlyName) options.alias,
// default "certificate", with its certificate and chain. The truststore holds only
// certificates, each marked with Java's trusted-certificate attribute (OID
// 2.16.840.1.113894.746875.1.1, anyExtendedKeyUsage) so keytool lists them as
// trustedCertEntry; aliases are options.alias (default "ca"), then "ca-1", "ca-2", ...
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "pki/types.h"

namespace certplane::pki {

enum class Pkcs12Profile { kModern, kLegacy };

struct Pkcs12Options {
  Pkcs12Profile profile = Pkcs12Profile::kModern;
  std::string alias;       // empty: "certificate" for keystores, "ca" for truststores
  int iterations = 10000;  // PBKDF/PBE and MAC iterations (Java's default is 10000)
};

// A keystore with `key`, `certificate` and `chain` (the issuers, nearest first).
// InvalidArgument for an empty password, a password with a NUL character, iterations
// outside 1..10,000,000, or a key that does not match the certificate;
// FailedPrecondition if the legacy profile is asked for and OpenSSL's legacy provider
// cannot be loaded; Internal when OpenSSL fails.
Result<Bytes> BuildPkcs12Keystore(const PrivateKey& key, const Certificate& certificate,
                                  const std::vector<Certificate>& chain, std::string_view password,
                                  const Pkcs12Options& options = {});

// A truststore holding `certificates` only. Errors as BuildPkcs12Keystore, and
// InvalidArgument for an empty list.
Result<Bytes> BuildPkcs12Truststore(const std::vector<Certificate>& certificates, std::string_view password,
                                    const Pkcs12Options& options = {});

struct Pkcs12Contents {
  std::optional<PrivateKey> key;
  std::optional<Certificate> certificate;  // the one matching the key
  std::vector<Certificate> other_certificates;
};

// Opens a PKCS#12 file of either profile. InvalidArgument for malformed input, a file
// without a MAC (certplane never writes one), more MAC iterations than 10,000,000 (a
// denial-of-service guard), a wrong password, or contents that fail to parse.
Result<Pkcs12Contents> ParsePkcs12(ByteView der, std::string_view password);

}  // namespace certplane::pki
