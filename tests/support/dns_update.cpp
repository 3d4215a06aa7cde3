#include "dns_update.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <memory>

#include "dns_wire.h"
#include "pki/handles.h"

namespace certplane::testing::dns {
namespace {

// pki's one deleter template, for the two types the PKI engine has no alias for.
using EvpMacPtr = std::unique_ptr<EVP_MAC, pki::FreeWith<EVP_MAC_free>>;
using EvpMacCtxPtr = std::unique_ptr<EVP_MAC_CTX, pki::FreeWith<EVP_MAC_CTX_free>>;

// SERVFAIL naming `what` and the OpenSSL error queue, which it empties.
Error OpenSslError(std::string_view what) {
  std::string message = std::string(what) + " failed";
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    message += ": ";
    message += text.data();
  }
  return Error{Rcode::kServFail, TsigError::kNone, std::move(message)};
}

Error FormErr(std::string message) { return Error{Rcode::kFormErr, TsigError::kNone, std::move(message)}; }

Error TsigFailure(TsigError error, std::string message) { return Error{Rcode::kNotAuth, error, std::move(message)}; }

void Put48(std::string& out, std::uint64_t v) {
  Put16(out, static_cast<std::uint16_t>((v >> 32) & 0xffff));
  Put32(out, static_cast<std::uint32_t>(v & 0xffffffff));
}

// Query and meta types (RFC 6895 section 3.1) and OPT: never the type of stored data.
bool IsMetaType(std::uint16_t type) { return type == kTypeOpt || (type >= 128 && type <= 255); }

// RDATA of the types DnsResponder stores must be well-formed; other types are opaque.
bool RdataFits(std::uint16_t type, std::string_view rdata) {
  switch (type) {
    case kTypeA: return rdata.size() == 4;
    case kTypeAaaa: return rdata.size() == 16;
    case kTypeTxt: return TxtValue(rdata).has_value();
    default: return true;
  }
}

}  // namespace

TsigKey::TsigKey(const std::string& key_name, std::string key_secret)
    : name(Normal(key_name)), secret(std::move(key_secret)) {}

TsigKey::~TsigKey() { OPENSSL_cleanse(secret.data(), secret.size()); }

Result<std::string> HmacSha256(std::string_view key, std::string_view data) {
  EvpMacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) return OpenSslError("EVP_MAC_fetch(HMAC)");
  EvpMacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return OpenSslError("EVP_MAC_CTX_new");
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                               OSSL_PARAM_construct_end()};
  // A zero-length key still needs a non-null pointer, or OpenSSL reports "no key set".
  static const unsigned char kEmpty = 0;
  const auto* key_bytes = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(ctx.get(), key_bytes, key.size(), params) != 1) return OpenSslError("EVP_MAC_init");
  if (EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    return OpenSslError("EVP_MAC_update");
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  std::size_t out_len = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &out_len, out.size()) != 1) return OpenSslError("EVP_MAC_final");
  return std::string(reinterpret_cast<const char*>(out.data()), out_len);
}

Result<std::string> TsigMac(std::string_view secret, std::string_view request_mac, std::string_view message,
                            const TsigRecord& tsig) {
  std::string digest;
  if (!request_mac.empty()) {
    Put16(digest, static_cast<std::uint16_t>(request_mac.size()));
    digest += request_mac;
  }
  digest += message;
  digest += EncodeName(Normal(tsig.key_name));
  Put16(digest, kClassAny);
  Put32(digest, 0);  // TTL
  digest += EncodeName(Normal(tsig.algorithm));
  Put48(digest, tsig.time_signed);
  Put16(digest, tsig.fudge);
  Put16(digest, static_cast<std::uint16_t>(tsig.error));
  Put16(digest, static_cast<std::uint16_t>(tsig.other.size()));
  digest += tsig.other;
  return HmacSha256(secret, digest);
}

std::string AppendTsig(std::string_view message, const TsigRecord& tsig) {
  if (message.size() < kHeaderSize) return "";
  std::string rdata = EncodeName(tsig.algorithm);
  Put48(rdata, tsig.time_signed);
  Put16(rdata, tsig.fudge);
  Put16(rdata, static_cast<std::uint16_t>(tsig.mac.size()));
  rdata += tsig.mac;
  Put16(rdata, tsig.original_id);
  Put16(rdata, static_cast<std::uint16_t>(tsig.error));
  Put16(rdata, static_cast<std::uint16_t>(tsig.other.size()));
  rdata += tsig.other;

  std::string out(message);
  const std::uint16_t arcount = Get16(out, 10);
  out[10] = static_cast<char>((arcount + 1) >> 8);
  out[11] = static_cast<char>((arcount + 1) & 0xff);
  out += EncodeName(tsig.key_name);
  Put16(out, kTypeTsig);
  Put16(out, kClassAny);
  Put32(out, 0);
  Put16(out, static_cast<std::uint16_t>(rdata.size()));
  out += rdata;
  return out;
}

Result<std::string> SignMessage(std::string_view message, std::string_view secret, std::string_view request_mac,
                                TsigRecord tsig) {
  if (message.size() < kHeaderSize) return FormErr("message shorter than a DNS header");
  tsig.original_id = Get16(message, 0);
  Result<std::string> mac = TsigMac(secret, request_mac, message, tsig);
  if (!mac.ok()) return mac.error();
  tsig.mac = std::move(*mac);
  return AppendTsig(message, tsig);
}

Result<std::optional<SignedMessage>> SplitTsig(std::string_view message) {
  if (message.size() < kHeaderSize) return FormErr("message shorter than a DNS header");
  const std::size_t questions = Get16(message, 4);
  const std::size_t records = std::size_t{Get16(message, 6)} + Get16(message, 8);
  const std::size_t additional = Get16(message, 10);
  std::size_t at = kHeaderSize;
  for (std::size_t i = 0; i < questions; ++i) {
    if (!ReadName(message, at) || at + 4 > message.size()) return FormErr("malformed question or zone section");
    at += 4;
  }
  for (std::size_t i = 0; i < records; ++i) {
    if (!ReadRr(message, at)) return FormErr("malformed record in the answer or authority section");
  }
  std::optional<WireRr> tsig_rr;
  for (std::size_t i = 0; i < additional; ++i) {
    std::optional<WireRr> rr = ReadRr(message, at);
    if (!rr) return FormErr("malformed record in the additional section");
    if (rr->type == kTypeTsig) {
      if (i + 1 != additional) return FormErr("TSIG record is not the last additional record");
      tsig_rr = std::move(rr);
    }
  }
  if (at != message.size()) return FormErr("bytes after the last record");
  if (!tsig_rr) return std::optional<SignedMessage>();
  if (tsig_rr->klass != kClassAny || tsig_rr->ttl != 0) return FormErr("TSIG record with class other than ANY or TTL");

  SignedMessage out;
  TsigRecord& tsig = out.tsig;
  tsig.key_name = tsig_rr->name;
  const std::string_view rdata = tsig_rr->rdata;
  std::size_t p = 0;
  std::optional<std::string> algorithm = ReadName(rdata, p, /*allow_pointers=*/false);
  if (!algorithm) return FormErr("TSIG algorithm name malformed or compressed");
  tsig.algorithm = std::move(*algorithm);
  if (p + 10 > rdata.size()) return FormErr("TSIG RDATA too short");
  tsig.time_signed = (std::uint64_t{Get16(rdata, p)} << 32) | Get32(rdata, p + 2);
  tsig.fudge = Get16(rdata, p + 6);
  const std::size_t mac_size = Get16(rdata, p + 8);
  p += 10;
  if (p + mac_size + 6 > rdata.size()) return FormErr("TSIG MAC runs past its RDATA");
  tsig.mac = std::string(rdata.substr(p, mac_size));
  p += mac_size;
  tsig.original_id = Get16(rdata, p);
  tsig.error = static_cast<TsigError>(Get16(rdata, p + 2));
  const std::size_t other_size = Get16(rdata, p + 4);
  p += 6;
  if (p + other_size != rdata.size()) return FormErr("TSIG other data does not fill its RDATA");
  tsig.other = std::string(rdata.substr(p));

  out.message = std::string(message.substr(0, tsig_rr->offset));
  out.message[0] = static_cast<char>(tsig.original_id >> 8);
  out.message[1] = static_cast<char>(tsig.original_id & 0xff);
  out.message[10] = static_cast<char>((additional - 1) >> 8);
  out.message[11] = static_cast<char>((additional - 1) & 0xff);
  return std::optional<SignedMessage>(std::move(out));
}

std::optional<Error> VerifyTsig(const SignedMessage& request, const TsigKey& key, std::uint64_t now) {
  const TsigRecord& tsig = request.tsig;
  if (Normal(tsig.key_name) != key.name) return TsigFailure(TsigError::kBadKey, "unknown key " + tsig.key_name);
  if (Normal(tsig.algorithm) != kHmacSha256)
    return TsigFailure(TsigError::kBadKey, "unsupported algorithm " + tsig.algorithm);
  // RFC 8945 5.2.2.1: a MAC longer than the hash, or shorter than 10 bytes or half the
  // hash, is malformed. Truncated MACs in between are valid TSIG but not supported here.
  if (tsig.mac.size() > kHmacSha256Size || tsig.mac.size() < kHmacSha256Size / 2)
    return FormErr("TSIG MAC of " + std::to_string(tsig.mac.size()) + " bytes");
  if (tsig.mac.size() != kHmacSha256Size) return TsigFailure(TsigError::kBadSig, "truncated MACs are not supported");
  Result<std::string> expected = TsigMac(key.secret, "", request.message, tsig);
  if (!expected.ok()) return expected.error();
  if (CRYPTO_memcmp(expected->data(), tsig.mac.data(), kHmacSha256Size) != 0)
    return TsigFailure(TsigError::kBadSig, "MAC does not verify with key " + key.name);
  const std::uint64_t skew = now > tsig.time_signed ? now - tsig.time_signed : tsig.time_signed - now;
  if (skew > tsig.fudge)
    return TsigFailure(TsigError::kBadTime, "time signed is " + std::to_string(skew) + "s from the server's time");
  return std::nullopt;
}

Result<std::string> SignResponse(std::string_view response, const SignedMessage& request, const TsigKey& key,
                                 TsigError error, std::uint64_t now) {
  if (response.size() < kHeaderSize) return FormErr("response shorter than a DNS header");
  TsigRecord tsig;
  tsig.key_name = request.tsig.key_name;
  tsig.algorithm = request.tsig.algorithm;
  tsig.error = error;
  if (error == TsigError::kBadKey || error == TsigError::kBadSig) {
    // RFC 8945 5.3.2: unsigned, since the request could not be verified.
    tsig.time_signed = request.tsig.time_signed;
    tsig.fudge = request.tsig.fudge;
    tsig.original_id = Get16(response, 0);
    return AppendTsig(response, tsig);
  }
  if (error == TsigError::kBadTime) {
    // RFC 8945 5.2.3: the client's time signed, and the server's time in Other Data.
    tsig.time_signed = request.tsig.time_signed;
    tsig.fudge = request.tsig.fudge;
    Put48(tsig.other, now);
  } else {
    tsig.time_signed = now;
  }
  return SignMessage(response, key.secret, request.tsig.mac, std::move(tsig));
}

Result<UpdateRequest> ParseUpdate(std::string_view message, std::string_view zone) {
  if (message.size() < kHeaderSize) return FormErr("message shorter than a DNS header");
  const std::uint16_t flags = Get16(message, 2);
  if ((flags & 0x8000) != 0) return FormErr("a response, not a request");
  if (((flags >> 11) & 0xf) != kOpcodeUpdate) return FormErr("opcode is not UPDATE");
  if (Get16(message, 4) != 1) return FormErr("zone section must hold exactly one entry");
  UpdateRequest request;
  request.id = Get16(message, 0);
  std::size_t at = kHeaderSize;
  std::optional<std::string> zone_name = ReadName(message, at);
  if (!zone_name || at + 4 > message.size()) return FormErr("malformed zone section");
  const std::uint16_t zone_type = Get16(message, at);
  const std::uint16_t zone_class = Get16(message, at + 2);
  at += 4;
  if (zone_type != kTypeSoa) return FormErr("zone section type is not SOA");
  request.zone = Normal(*zone_name);
  if (request.zone != zone || zone_class != kClassIn)
    return Error{Rcode::kNotAuth, TsigError::kNone, "not authoritative for zone " + *zone_name};

  const std::size_t prerequisites = Get16(message, 6);
  for (std::size_t i = 0; i < prerequisites; ++i) {
    std::optional<WireRr> rr = ReadRr(message, at);
    if (!rr) return FormErr("malformed prerequisite record");
    if (!InZone(Normal(rr->name), zone))
      return Error{Rcode::kNotZone, TsigError::kNone, "prerequisite name " + rr->name + " is outside the zone"};
  }
  request.prerequisites = prerequisites;

  const std::size_t updates = Get16(message, 8);
  for (std::size_t i = 0; i < updates; ++i) {
    std::optional<WireRr> rr = ReadRr(message, at);
    if (!rr) return FormErr("malformed update record");
    UpdateOp op;
    op.name = Normal(rr->name);
    op.type = rr->type;
    op.rdata = std::string(rr->rdata);
    if (!InZone(op.name, zone))
      return Error{Rcode::kNotZone, TsigError::kNone, "update name " + rr->name + " is outside the zone"};
    const std::string where = "update record " + std::to_string(i) + " (" + rr->name + ")";
    if (rr->klass == kClassIn) {
      if (IsMetaType(rr->type)) return FormErr(where + ": cannot add a meta type");
      if (!RdataFits(rr->type, rr->rdata)) return FormErr(where + ": malformed RDATA");
      op.kind = UpdateOp::Kind::kAdd;
      op.ttl = rr->ttl;
    } else if (rr->klass == kClassAny) {
      if (rr->ttl != 0 || !rr->rdata.empty()) return FormErr(where + ": class ANY delete with a TTL or RDATA");
      if (rr->type != kTypeAny && IsMetaType(rr->type)) return FormErr(where + ": cannot delete a meta type");
      op.kind = rr->type == kTypeAny ? UpdateOp::Kind::kDeleteAll : UpdateOp::Kind::kDeleteRrset;
    } else if (rr->klass == kClassNone) {
      if (rr->ttl != 0) return FormErr(where + ": class NONE delete with a TTL");
      if (IsMetaType(rr->type)) return FormErr(where + ": cannot delete a meta type RR");
      if (!RdataFits(rr->type, rr->rdata)) return FormErr(where + ": malformed RDATA");
      op.kind = UpdateOp::Kind::kDeleteRr;
    } else {
      return FormErr(where + ": class " + std::to_string(rr->klass));
    }
    request.ops.push_back(std::move(op));
  }

  const std::size_t additional = Get16(message, 10);
  for (std::size_t i = 0; i < additional; ++i) {
    if (!ReadRr(message, at)) return FormErr("malformed additional record");
  }
  if (at != message.size()) return FormErr("bytes after the last record");
  return request;
}

std::string UpdateResponse(std::string_view request, Rcode rcode) {
  if (request.size() < kHeaderSize) return "";
  std::string zone_section;
  if (Get16(request, 4) == 1) {
    std::size_t at = kHeaderSize;
    if (ReadName(request, at, /*allow_pointers=*/false) && at + 4 <= request.size())
      zone_section = std::string(request.substr(kHeaderSize, at + 4 - kHeaderSize));
  }
  std::string out;
  Put16(out, Get16(request, 0));
  Put16(out, static_cast<std::uint16_t>(0x8000 | (kOpcodeUpdate << 11) | (static_cast<std::uint16_t>(rcode) & 0xf)));
  Put16(out, zone_section.empty() ? 0 : 1);
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, 0);
  out += zone_section;
  return out;
}

}  // namespace certplane::testing::dns
