// pem.h: PEM text in and out (RFC 7468), the armour around every DER object certplane
// stores in a Secret or ConfigMap.
//
//   Result<std::vector<PemBlock>> blocks = DecodePem(secret_tls_crt);
//   if (!blocks.ok()) return blocks.status().WithContext("tls.crt");
//   for (const PemBlock& b : *blocks) { if (b.label == "CERTIFICATE") ...(b.der) }
//
//   std::string text = EncodePem("CERTIFICATE", der);
//
// The typed parsers (ParseCertificatePem, ParsePrivateKeyPem, ParseCrlPem, ParseCsrPem)
// are built on DecodePem and check the label; use them rather than this directly.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "pki/types.h"

namespace certplane::pki {

// One decoded PEM block. The DER bytes are wiped when the block is destroyed, since a
// block may hold a private key.
struct PemBlock {
  std::string label;  // the word(s) after "-----BEGIN ", e.g. "CERTIFICATE"
  Bytes der;

  PemBlock() = default;
  PemBlock(std::string l, Bytes d) : label(std::move(l)), der(std::move(d)) {}
  PemBlock(PemBlock&&) noexcept = default;
  PemBlock& operator=(PemBlock&&) noexcept = default;
  PemBlock(const PemBlock&) = delete;
  PemBlock& operator=(const PemBlock&) = delete;
  ~PemBlock();
};

// Decodes every PEM block in `text`, in order. Text between blocks is ignored, as
// OpenSSL ignores it (e.g. "Bag Attributes" lines). Returns InvalidArgument when the
// text holds no PEM block, when a block is malformed (bad base64, no END line), or when
// a block carries RFC 1421 headers (legacy "Proc-Type: 4,ENCRYPTED" keys are not
// supported).
Result<std::vector<PemBlock>> DecodePem(std::string_view text);

// Decodes `text`, which must hold exactly one block, labelled `label`. InvalidArgument
// otherwise, naming what was found.
Result<PemBlock> DecodeSinglePem(std::string_view text, std::string_view label);

// The PEM text of `der` under `label`: 64-column base64 and a trailing newline.
std::string EncodePem(std::string_view label, ByteView der);

}  // namespace certplane::pki
