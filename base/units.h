// Durations, sizes and timestamps as users write them in the config and on the command
// line: "10m", "1.5h", "20MiB", "2026-11-01", "2026-11-01T10:00:00Z".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"

namespace lw {

// "250ms", "30s", "10m", "2h", "7d" -> milliseconds. A bare number is rejected: the unit
// is what makes a config readable.
Result<int64_t> ParseDurationMs(std::string_view text);

// "512B", "64KiB", "20MiB", "1GiB" -> bytes.
Result<uint64_t> ParseSize(std::string_view text);

// RFC 3339 UTC, second resolution: "2026-11-28T10:12:43Z".
std::string FormatRfc3339(UnixSeconds t);

// "2026-11-28", "2026-11-28T10:12:43Z" or with a +hh:mm offset -> Unix seconds.
Result<UnixSeconds> ParseTimestamp(std::string_view text);

// --since takes either a duration back from `now` ("7d") or a date/timestamp.
Result<UnixSeconds> ParseSince(std::string_view text, UnixSeconds now);

}  // namespace lw
