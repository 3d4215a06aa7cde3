// DNS wire format helpers shared by the test DNS responder (dns_responder.cpp) and its
// dynamic-update support (dns_update.cpp): big-endian integers, names (with
// compression pointers when reading), TXT character-strings. No I/O.
//
//   std::size_t at = 12;
//   std::optional<std::string> name = dns::ReadName(message, at);  // at moves past it
//   if (!name) return Malformed();
//
// Every reader bounds-checks and returns nullopt on malformed input; Get16/Get32 do
// not, their callers check the size first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace certplane::testing::dns {

constexpr std::uint16_t kTypeA = 1;
constexpr std::uint16_t kTypeNs = 2;
constexpr std::uint16_t kTypeCname = 5;
constexpr std::uint16_t kTypeSoa = 6;
constexpr std::uint16_t kTypeTxt = 16;
constexpr std::uint16_t kTypeAaaa = 28;
constexpr std::uint16_t kTypeOpt = 41;
constexpr std::uint16_t kTypeTsig = 250;
constexpr std::uint16_t kTypeAxfr = 252;
constexpr std::uint16_t kTypeMailb = 253;
constexpr std::uint16_t kTypeMaila = 254;
constexpr std::uint16_t kTypeAny = 255;
constexpr std::uint16_t kClassIn = 1;
constexpr std::uint16_t kClassNone = 254;
constexpr std::uint16_t kClassAny = 255;
constexpr std::uint16_t kOpcodeQuery = 0;
constexpr std::uint16_t kOpcodeUpdate = 5;
constexpr std::size_t kHeaderSize = 12;

// Lower case, no trailing dot: the form names are compared and stored in.
std::string Normal(std::string_view name);
// Leading and trailing blanks (space, tab, CR) removed.
std::string_view Trim(std::string_view s);

void Put16(std::string& out, std::uint16_t v);
void Put32(std::string& out, std::uint32_t v);
// Unchecked: the caller has made sure that `at + 2` (`at + 4`) <= in.size().
std::uint16_t Get16(std::string_view in, std::size_t at);
std::uint32_t Get32(std::string_view in, std::size_t at);

// Wire form of a dotted name, uncompressed, case kept ("a.b" -> 1a1b0, "" -> the root).
// Labels over 63 bytes are cut to 63.
std::string EncodeName(std::string_view name);

// Reads the name at `at` and moves `at` past it (past the first pointer if compressed).
// Returns its labels joined by '.', case kept, no trailing dot ("" for the root), or
// nullopt if it is malformed: it runs past the end, has a label over 63 bytes, a label
// holding a '.', a reserved label type, or is longer than 255 bytes; or it has a
// compression pointer and `allow_pointers` is false, or a pointer that does not point
// strictly backwards (which also rules out loops).
std::optional<std::string> ReadName(std::string_view message, std::size_t& at, bool allow_pointers = true);

// One resource record as read from a message. `rdata` points into the message.
struct WireRr {
  std::size_t offset = 0;  // where the record starts in the message
  std::string name;        // as ReadName returns it
  std::uint16_t type = 0;
  std::uint16_t klass = 0;
  std::uint32_t ttl = 0;
  std::string_view rdata;
};

// Reads the record at `at` and moves `at` past it; nullopt if it is malformed or runs
// past the end of the message.
std::optional<WireRr> ReadRr(std::string_view message, std::size_t& at);

// TXT RDATA for one value, split into character-strings of at most 255 bytes ("" is
// one empty character-string).
std::string TxtRdata(std::string_view value);
// The value of TXT RDATA: its character-strings concatenated. nullopt unless the
// character-strings fill the RDATA exactly (and there is at least one).
std::optional<std::string> TxtValue(std::string_view rdata);

// Whether the normalised `name` is `zone` or below it ("" is the root: everything).
bool InZone(std::string_view name, std::string_view zone);

}  // namespace certplane::testing::dns
