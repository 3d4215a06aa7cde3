#include "api/duration.h"

#include <array>
#include <cstdint>
#include <limits>
#include <utility>

namespace certplane::api {
namespace {

struct Unit {
  std::string_view name;
  std::uint64_t nanos;
};

// A unit whose name is a prefix of another's comes after it ("ms" before "m"), so the
// first match is the right one.
constexpr std::array<Unit, 8> kUnits = {{
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // U+00B5 MICRO SIGN
    {"\xCE\xBCs", 1'000},  // U+03BC GREEK SMALL LETTER MU
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60ULL * 1'000'000'000},
    {"h", 3600ULL * 1'000'000'000},
}};

constexpr std::uint64_t kMaxMagnitude = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1;

Status Invalid(std::string_view text) {
  return InvalidArgument("invalid duration \"" + std::string(text) +
                         "\" (want a Go duration such as 720h, 90m or 1h30m)");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return Duration::zero();
  if (s.empty()) return Invalid(text);

  std::uint64_t total = 0;
  while (!s.empty()) {
    // The integer part, then an optional fraction; at least one digit in all.
    std::uint64_t whole = 0;
    bool overflow = false;
    std::size_t digits = 0;
    while (!s.empty() && IsDigit(s.front())) {
      if (whole > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) overflow = true;
      whole = whole * 10 + static_cast<std::uint64_t>(s.front() - '0');
      s.remove_prefix(1);
      ++digits;
    }
    std::uint64_t frac = 0;
    std::uint64_t frac_scale = 1;
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
      while (!s.empty() && IsDigit(s.front())) {
        // Digits beyond what 64 bits hold add nothing measurable; drop them.
        if (frac_scale <= std::numeric_limits<std::uint64_t>::max() / 10 / 10) {
          frac = frac * 10 + static_cast<std::uint64_t>(s.front() - '0');
          frac_scale *= 10;
        }
        s.remove_prefix(1);
        ++digits;
      }
    }
    if (digits == 0 || overflow) return Invalid(text);

    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (s.substr(0, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return Invalid(text);
    s.remove_prefix(unit->name.size());

    if (whole > kMaxMagnitude / unit->nanos) return Invalid(text);
    std::uint64_t v = whole * unit->nanos;
    // frac / frac_scale of a unit, without overflowing: unit->nanos <= 3.6e12, and
    // frac < frac_scale <= 1e17, so split the multiplication.
    if (frac > 0) {
      long double part =
          static_cast<long double>(frac) * static_cast<long double>(unit->nanos) / static_cast<long double>(frac_scale);
      v += static_cast<std::uint64_t>(part);
    }
    if (v > kMaxMagnitude - total) return Invalid(text);
    total += v;
  }
  if (!negative && total > kMaxMagnitude - 1) return Invalid(text);
  if (negative) {
    // -2^63 is representable; negate in unsigned space to avoid overflow.
    return Duration(static_cast<std::int64_t>(~total + 1));
  }
  return Duration(static_cast<std::int64_t>(total));
}

std::string FormatDuration(Duration d) {
  if (d == Duration::zero()) return "0s";
  std::string out;
  std::uint64_t n = 0;
  if (d.count() < 0) {
    out += '-';
    n = ~static_cast<std::uint64_t>(d.count()) + 1;
  } else {
    n = static_cast<std::uint64_t>(d.count());
  }
  constexpr std::uint64_t kSecond = 1'000'000'000;
  if (n < kSecond) {
    // Sub-second values in the largest unit that divides them, as Go prints "1.5ms".
    auto frac = [&](std::uint64_t unit, std::string_view name) {
      out += std::to_string(n / unit);
      if (std::uint64_t rest = n % unit; rest != 0) {
        std::string digits = std::to_string(rest);
        digits.insert(0, std::to_string(unit).size() - 1 - digits.size(), '0');
        while (!digits.empty() && digits.back() == '0') digits.pop_back();
        out += '.' + digits;
      }
      out += name;
    };
    if (n < 1'000) frac(1, "ns");
    else if (n < 1'000'000) frac(1'000, "us");
    else frac(1'000'000, "ms");
    return out;
  }
  const std::uint64_t hours = n / (3600 * kSecond);
  const std::uint64_t minutes = n / (60 * kSecond) % 60;
  const std::uint64_t seconds = n / kSecond % 60;
  const std::uint64_t nanos = n % kSecond;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (minutes > 0) out += std::to_string(minutes) + "m";
  if (seconds > 0 || nanos > 0) {
    out += std::to_string(seconds);
    if (nanos > 0) {
      std::string digits = std::to_string(nanos);
      digits.insert(0, 9 - digits.size(), '0');
      while (!digits.empty() && digits.back() == '0') digits.pop_back();
      out += '.' + digits;
    }
    out += "s";
  }
  return out;
}

}  // namespace certplane::api
