// DNS dynamic UPDATE (RFC 2136) signed with TSIG (RFC 8945, hmac-sha256 only): the
// pure parts behind DnsResponder::AllowUpdates, with no I/O so they can be unit tested.
// A server takes a request apart, checks its signature, parses the update, and signs
// its answer:
//
//   Result<std::optional<SignedMessage>> split = SplitTsig(request);  // FORMERR if malformed
//   std::optional<Error> bad = VerifyTsig(**split, key, now);           // BADKEY, BADSIG, BADTIME
//   Result<UpdateRequest> update = ParseUpdate((*split)->message, "test");
//   Result<std::string> answer = SignResponse(UpdateResponse((*split)->message, Rcode::kNoError),
//                                             **split, key, TsigError::kNone, now);
//
// Not supported: TSIG algorithms other than hmac-sha256, truncated MACs (answered with
// BADSIG), multi-message (TCP continuation) signing, replay detection beyond the fudge
// window. Prerequisite sections are parsed (names checked) but not evaluated: the
// caller decides what to do with them (DnsResponder answers NOTIMP).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace certplane::testing::dns {

// Response codes (RFC 1035, RFC 2136 section 2.2).
enum class Rcode : std::uint16_t {
  kNoError = 0,
  kFormErr = 1,   // malformed request
  kServFail = 2,  // the server failed (an OpenSSL error)
  kNxDomain = 3,
  kNotImp = 4,    // valid, but not something this server does
  kRefused = 5,   // updates are not allowed (no key), or the request is unsigned
  kNotAuth = 9,   // not authoritative for the zone, or the TSIG check failed
  kNotZone = 10,  // a name outside the zone
};

// The TSIG RR's Error field (RFC 8945 section 3).
enum class TsigError : std::uint16_t {
  kNone = 0,
  kBadSig = 16,   // the MAC does not verify
  kBadKey = 17,   // unknown key name or algorithm
  kBadTime = 18,  // time signed outside the fudge window
};

// Why a request is refused: the RCODE to answer with, the TSIG error when the TSIG
// check failed, and a message for logs and test failures.
struct Error {
  Rcode rcode = Rcode::kServFail;
  TsigError tsig_error = TsigError::kNone;
  std::string message;
};

// A value or the Error explaining why there is none. Dereferencing a failed Result
// throws std::bad_variant_access.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(data_); }
  // The error; only valid when !ok().
  const Error& error() const { return std::get<Error>(data_); }

  T& operator*() & { return std::get<T>(data_); }
  const T& operator*() const& { return std::get<T>(data_); }
  T* operator->() { return &std::get<T>(data_); }
  const T* operator->() const { return &std::get<T>(data_); }

 private:
  std::variant<T, Error> data_;
};

constexpr std::string_view kHmacSha256 = "hmac-sha256";
constexpr std::size_t kHmacSha256Size = 32;
constexpr std::uint16_t kDefaultFudge = 300;  // seconds, as RFC 8945 recommends

// The one key a server accepts. The secret is cleansed when the key is destroyed.
struct TsigKey {
  TsigKey(const std::string& key_name, std::string key_secret);
  ~TsigKey();
  TsigKey(const TsigKey&) = default;
  TsigKey& operator=(const TsigKey&) = default;
  TsigKey(TsigKey&&) = default;
  TsigKey& operator=(TsigKey&&) = default;

  std::string name;    // normalised (lower case, no trailing dot)
  std::string secret;  // the raw key bytes
};

// The fields of a TSIG RR (RFC 8945 section 4.2).
struct TsigRecord {
  std::string key_name;           // the owner name, as on the wire (case kept, no trailing dot)
  std::string algorithm;          // as on the wire ("hmac-sha256")
  std::uint64_t time_signed = 0;  // seconds since the epoch, 48 bits
  std::uint16_t fudge = kDefaultFudge;
  std::string mac;
  std::uint16_t original_id = 0;
  TsigError error = TsigError::kNone;
  std::string other;
};

// A message whose last additional record was a TSIG RR.
struct SignedMessage {
  // What the MAC covers: the message without the TSIG RR, ARCOUNT one less, and the ID
  // set to the TSIG's Original ID.
  std::string message;
  TsigRecord tsig;
};

// HMAC-SHA256 of `data` with `key` (OpenSSL EVP_MAC); SERVFAIL with OpenSSL's error
// if OpenSSL fails.
Result<std::string> HmacSha256(std::string_view key, std::string_view data);

// The TSIG MAC (RFC 8945 section 4.3): HMAC-SHA256 with `secret` over the request MAC
// (2-byte length, then the MAC; responses only, "" for a request), `message` (without
// the TSIG RR, with the Original ID) and the TSIG variables of `tsig`: key name and
// algorithm in canonical (lower-case, uncompressed) wire form, class ANY, TTL 0, time
// signed, fudge, error, other length and other data. SERVFAIL if OpenSSL fails.
Result<std::string> TsigMac(std::string_view secret, std::string_view request_mac, std::string_view message,
                            const TsigRecord& tsig);

// `message` with `tsig` appended as its last additional record (ARCOUNT one more),
// written as given: no MAC is computed. Empty if `message` is shorter than a header.
std::string AppendTsig(std::string_view message, const TsigRecord& tsig);

// Signs `message`: sets tsig.original_id to the message's ID and tsig.mac to
// TsigMac(secret, request_mac, message, tsig), then appends it. SERVFAIL if OpenSSL
// fails, FORMERR if `message` is shorter than a header.
Result<std::string> SignMessage(std::string_view message, std::string_view secret, std::string_view request_mac,
                                TsigRecord tsig);

// Takes a request apart (RFC 8945 section 5.2). nullopt if it carries no TSIG (no
// additional records, or the last is of another type). FORMERR if the message is
// malformed (shorter than a header, a record past the end, bytes after the last
// record), a TSIG RR is not the last record, or the TSIG RR is malformed (class not
// ANY, TTL not 0, a compressed algorithm name, fields that do not fill its RDATA).
Result<std::optional<SignedMessage>> SplitTsig(std::string_view message);

// Checks a request's TSIG against the server's key at time `now` (seconds since the
// epoch), in RFC 8945's order: key, MAC, time. nullopt if it verifies; otherwise
// NOTAUTH with BADKEY (key name other than key.name, compared case-insensitively, or
// an algorithm other than hmac-sha256), BADSIG (wrong MAC, or a truncated MAC of 16 to
// 31 bytes: truncation is not supported) or BADTIME (|now - time signed| > fudge);
// FORMERR for a MAC longer than 32 or shorter than 16 bytes (RFC 8945 5.2.2.1). The
// MAC is compared in constant time (CRYPTO_memcmp).
std::optional<Error> VerifyTsig(const SignedMessage& request, const TsigKey& key, std::uint64_t now);

// `response` (complete, without TSIG) with the TSIG RR answering `request`
// (RFC 8945 sections 4.3.3 and 5.3). For `error` NONE it is signed over the request's
// MAC, the response and the variables, with time signed `now`; for BADTIME it is
// signed too but keeps the request's time signed and carries `now` in Other Data; for
// BADKEY and BADSIG it is unsigned (MAC size 0) and echoes the request's time signed
// and fudge. The key name and algorithm are the request's, as it spelled them.
// SERVFAIL if OpenSSL fails, FORMERR if `response` is shorter than a header.
Result<std::string> SignResponse(std::string_view response, const SignedMessage& request, const TsigKey& key,
                                 TsigError error, std::uint64_t now);

// One change from the update section (RFC 2136 section 2.5).
struct UpdateOp {
  enum class Kind {
    kAdd,          // class IN: add the RR (an identical one is not added twice)
    kDeleteRrset,  // class ANY, a type: delete the RRset of that type
    kDeleteAll,    // class ANY, type ANY: delete every RRset at the name
    kDeleteRr,     // class NONE: delete the RR with this RDATA
  };
  Kind kind = Kind::kAdd;
  std::string name;  // normalised, inside the zone
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;  // 0 except for kAdd
  std::string rdata;      // as on the wire; A is 4 bytes, AAAA 16, TXT well-formed
};

struct UpdateRequest {
  std::uint16_t id = 0;
  std::string zone;               // normalised
  std::size_t prerequisites = 0;  // records in the prerequisite section, not evaluated
  std::vector<UpdateOp> ops;
};

// Parses an UPDATE message without its TSIG RR (as SplitTsig leaves it) for `zone`
// (normalised), with the checks of RFC 2136 sections 3.1 and 3.4.1 and every read
// bounds-checked. FORMERR: malformed, not opcode UPDATE, a response, ZOCOUNT other
// than 1, a zone type other than SOA, an update RR whose class is not IN, ANY or NONE
// or whose type, TTL or RDATA does not fit its class (a meta type added, a delete with
// a TTL, an A RR that is not 4 bytes, TXT RDATA that is not character-strings).
// NOTAUTH: the zone section names another zone or class. NOTZONE: a prerequisite or
// update RR owned by a name outside the zone.
Result<UpdateRequest> ParseUpdate(std::string_view message, std::string_view zone);

// The header and zone section of the answer to an UPDATE `request` (without TSIG):
// its ID, QR, opcode UPDATE and `rcode`, and its zone section copied when it is one
// well-formed uncompressed entry (else none). Empty if `request` is shorter than a
// header.
std::string UpdateResponse(std::string_view request, Rcode rcode);

}  // namespace certplane::testing::dns
