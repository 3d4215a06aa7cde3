// Timestamps as Kubernetes writes them (metav1.Time): RFC 3339, UTC, whole seconds.
//
//   Result<Time> t = ParseTime("2030-01-31T00:00:00Z");
//   FormatTime(*t);                                   // "2030-01-31T00:00:00Z"
//
// ParseTime also accepts fractional seconds and numeric offsets
// ("2030-01-31T01:00:00.5+01:00"), as other clients may write them; the fraction is
// dropped (truncated towards the past), as metav1.Time does.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace certplane::api {

using Time = std::chrono::sys_seconds;

// Fails with kInvalidArgument naming the text when it is not an RFC 3339 date-time.
Result<Time> ParseTime(std::string_view text);

// A clock reading (or an X.509 validity time) as an API time: whole seconds, truncated
// towards the past, as metav1.Time keeps it.
inline Time ToTime(std::chrono::system_clock::time_point t) { return std::chrono::floor<std::chrono::seconds>(t); }

std::string FormatTime(Time t);

}  // namespace certplane::api
