#include "pki/pem.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "pki/errors.h"
#include "pki/internal/asn1.h"

namespace certplane::pki {
namespace {

// Owns the three buffers PEM_read_bio_ex allocates with PEM_FLAG_SECURE; the data is
// cleansed before it is freed because it may be a private key.
struct PemReadBuffers {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  PemReadBuffers() = default;
  PemReadBuffers(const PemReadBuffers&) = delete;
  PemReadBuffers& operator=(const PemReadBuffers&) = delete;
  ~PemReadBuffers() {
    OPENSSL_secure_free(name);
    OPENSSL_secure_free(header);
    if (data != nullptr) OPENSSL_secure_clear_free(data, static_cast<size_t>(len));
  }
};

}  // namespace

PemBlock::~PemBlock() {
  if (!der.empty()) OPENSSL_cleanse(der.data(), der.size());
}

Result<std::vector<PemBlock>> DecodePem(std::string_view text) {
  ClearOpenSslErrors();
  Result<BioPtr> bio = internal::ReadOnlyBio(text);
  if (!bio.ok()) return bio.status();
  std::vector<PemBlock> blocks;
  for (;;) {
    PemReadBuffers buf;
    if (PEM_read_bio_ex(bio->get(), &buf.name, &buf.header, &buf.data, &buf.len, PEM_FLAG_SECURE) != 1) {
      unsigned long err = ERR_peek_last_error();
      if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
        ClearOpenSslErrors();
        if (blocks.empty()) return InvalidArgument("no PEM block found");
        return blocks;
      }
      return OpenSslError(StatusCode::kInvalidArgument, "malformed PEM block " + std::to_string(blocks.size() + 1));
    }
    if (buf.header != nullptr && buf.header[0] != '\0') {
      return InvalidArgument("PEM block " + std::to_string(blocks.size() + 1) + " (" + buf.name +
                             ") has headers; encrypted legacy PEM is not supported");
    }
    if (buf.len <= 0) {
      return InvalidArgument("PEM block " + std::to_string(blocks.size() + 1) + " (" + buf.name + ") is empty");
    }
    blocks.emplace_back(buf.name, Bytes(buf.data, buf.data + buf.len));
  }
}

Result<PemBlock> DecodeSinglePem(std::string_view text, std::string_view label) {
  Result<std::vector<PemBlock>> blocks = DecodePem(text);
  if (!blocks.ok()) return blocks.status();
  if (blocks->size() != 1) {
    return InvalidArgument("expected one PEM block (" + std::string(label) + "), found " +
                           std::to_string(blocks->size()));
  }
  PemBlock& block = blocks->front();
  if (block.label != label) {
    return InvalidArgument("expected a PEM block labelled " + std::string(label) + ", found " + block.label);
  }
  return std::move(block);
}

std::string EncodePem(std::string_view label, ByteView der) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(der.size() * 4 / 3 + der.size() / 48 + 2 * label.size() + 40);
  out += "-----BEGIN ";
  out += label;
  out += "-----\n";
  size_t column = 0;
  auto put = [&](char c) {
    out += c;
    if (++column == 64) {
      out += '\n';
      column = 0;
    }
  };
  size_t i = 0;
  for (; i + 3 <= der.size(); i += 3) {
    uint32_t v = (uint32_t{der[i]} << 16) | (uint32_t{der[i + 1]} << 8) | der[i + 2];
    put(kAlphabet[(v >> 18) & 63]);
    put(kAlphabet[(v >> 12) & 63]);
    put(kAlphabet[(v >> 6) & 63]);
    put(kAlphabet[v & 63]);
  }
  if (size_t rest = der.size() - i; rest > 0) {
    uint32_t v = uint32_t{der[i]} << 16;
    if (rest == 2) v |= uint32_t{der[i + 1]} << 8;
    put(kAlphabet[(v >> 18) & 63]);
    put(kAlphabet[(v >> 12) & 63]);
    put(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    put('=');
  }
  if (column != 0) out += '\n';
  out += "-----END ";
  out += label;
  out += "-----\n";
  return out;
}

}  // namespace certplane::pki
