// `kubectl certplane export`: the files made from a Certificate's Secret. Pure (memory
// in, memory out); files.h writes them.
//
//   SecretMaterial m{.tls_crt = ..., .tls_key = ..., .ca_crt = ...};   // the Secret's data
//   Result<ExportBundle> b = BuildExport(m, {.format = ExportFormat::kPem});
//   WriteExportFiles(out_dir, b->files, overwrite);
//
// Files by format (chain: the intermediates from tls.crt after the leaf, then the roots
// of ca.crt not already there; the issuer first, the root last):
//   pem     serial.txt, tls.crt (the leaf only), chain.pem, tls.key (as the Secret has it)
//   der     serial.txt, certificate.der, chain-1.der .. chain-N.der, key.der (PKCS#8)
//   pkcs12  keystore.p12 (the key, the leaf and the chain, under options.alias)
// Files holding a key (tls.key, key.der, keystore.p12) are marked secret.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "args.h"
#include "base/result.h"
#include "base/sensitive_string.h"
#include "pki/pkcs12.h"

namespace certplane::plugin {

// The data of a certplane certificate Secret, decoded.
struct SecretMaterial {
  SensitiveString tls_crt;  // leaf, then intermediates (PEM)
  SensitiveString tls_key;  // PKCS#8, PKCS#1 or SEC 1 PEM
  SensitiveString ca_crt;   // the root(s) (PEM); may be empty
};

struct ExportFile {
  std::string name;         // a file name, no folder
  SensitiveString content;  // the bytes (binary for .der and .p12)
  bool secret = false;      // holds a private key: written with mode 0600
  std::string description;  // for the summary, e.g. "2 certificates"
};

struct ExportOptions {
  ExportFormat format = ExportFormat::kPem;
  std::string alias = "certificate";  // pkcs12: the key entry's alias
  std::string_view password;          // pkcs12: required
  pki::Pkcs12Profile pkcs12_profile = pki::Pkcs12Profile::kModern;
};

struct ExportBundle {
  std::string serial;  // the leaf's serial, lower-case hex
  std::vector<ExportFile> files;
};

// kInvalidArgument naming the Secret key when tls.crt, tls.key or ca.crt does not
// parse; kFailedPrecondition when the key does not match the leaf; errors of
// BuildPkcs12Keystore (an empty password is kInvalidArgument).
Result<ExportBundle> BuildExport(const SecretMaterial& material, const ExportOptions& options);

}  // namespace certplane::plugin
