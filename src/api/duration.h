// Durations in Go's notation, as Kubernetes APIs (and our CRDs) write them.
//
//   Result<Duration> d = ParseDuration("59m50s");     // 3590 s
//   FormatDuration(std::chrono::hours(720));          // "720h"
//   FormatDuration(std::chrono::minutes(90));         // "1h30m"
//
// ParseDuration accepts what Go's time.ParseDuration accepts: an optional sign, then one
// or more decimal numbers with an optional fraction, each followed by a unit (ns, us, µs,
// ms, s, m, h); "0" alone is zero. The value is held in nanoseconds, like Go's, so the
// range is about ±292 years. FormatDuration writes the shortest form that parses back to
// the same value ("1h30m", not Go's "1h30m0s").
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace certplane::api {

using Duration = std::chrono::nanoseconds;

// Fails with kInvalidArgument naming the text when it is not a Go duration or overflows.
Result<Duration> ParseDuration(std::string_view text);

std::string FormatDuration(Duration d);

}  // namespace certplane::api
