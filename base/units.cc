#include "base/units.h"

#include <charconv>
#include <cmath>
#include <ctime>

namespace lw {
namespace {

// Splits "12.5MiB" into 12.5 and "MiB".
bool SplitNumber(std::string_view text, double* number, std::string_view* unit) {
  size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  if (i == 0) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, *number);
  if (ec != std::errc() || ptr != text.data() + i) return false;
  *unit = text.substr(i);
  while (!unit->empty() && unit->front() == ' ') unit->remove_prefix(1);
  return !(*number < 0) && std::isfinite(*number);
}

// Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool ReadInt(std::string_view s, size_t pos, size_t len, int* out) {
  if (pos + len > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Result<int64_t> ParseDurationMs(std::string_view text) {
  double n = 0;
  std::string_view unit;
  if (!SplitNumber(text, &n, &unit))
    return Fail(Error::Invalid("bad duration '" + std::string(text) + "' (expected e.g. 500ms, 30s, 10m, 2h, 7d)"));
  double scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1e3;
  else if (unit == "m") scale = 60e3;
  else if (unit == "h") scale = 3600e3;
  else if (unit == "d") scale = 86400e3;
  else
    return Fail(Error::Invalid("bad duration '" + std::string(text) + "': unit must be ms, s, m, h or d"));
  double ms = n * scale;
  if (ms > 9.0e15) return Fail(Error::Invalid("duration '" + std::string(text) + "' is too large"));
  return static_cast<int64_t>(std::llround(ms));
}

Result<uint64_t> ParseSize(std::string_view text) {
  double n = 0;
  std::string_view unit;
  if (!SplitNumber(text, &n, &unit))
    return Fail(Error::Invalid("bad size '" + std::string(text) + "' (expected e.g. 512KiB, 20MiB)"));
  double scale = 0;
  if (unit == "B") scale = 1;
  else if (unit == "KiB") scale = 1024.0;
  else if (unit == "MiB") scale = 1024.0 * 1024;
  else if (unit == "GiB") scale = 1024.0 * 1024 * 1024;
  else
    return Fail(Error::Invalid("bad size '" + std::string(text) + "': unit must be B, KiB, MiB or GiB"));
  double bytes = n * scale;
  if (bytes > 1.0e18) return Fail(Error::Invalid("size '" + std::string(text) + "' is too large"));
  return static_cast<uint64_t>(std::llround(bytes));
}

std::string FormatRfc3339(UnixSeconds t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<UnixSeconds> ParseTimestamp(std::string_view s) {
  auto bad = [&] {
    return Fail(Error::Invalid("bad date '" + std::string(s) +
                               "' (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"));
  };
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!ReadInt(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !ReadInt(s, 5, 2, &mo) ||
      s[7] != '-' || !ReadInt(s, 8, 2, &d))
    return bad();
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return bad();
  int64_t offset = 0;
  if (s.size() > 10) {
    if ((s[10] != 'T' && s[10] != ' ') || !ReadInt(s, 11, 2, &h) || s.size() < 19 || s[13] != ':' ||
        !ReadInt(s, 14, 2, &mi) || s[16] != ':' || !ReadInt(s, 17, 2, &sec))
      return bad();
    if (h > 23 || mi > 59 || sec > 60) return bad();
    std::string_view rest = s.substr(19);
    if (!rest.empty() && rest[0] == '.') {  // fractional seconds: ignored
      size_t i = 1;
      while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
      rest.remove_prefix(i);
    }
    if (rest == "Z" || rest == "z") {
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
      int oh, om;
      if (!ReadInt(rest, 1, 2, &oh) || !ReadInt(rest, 4, 2, &om)) return bad();
      offset = (oh * 3600 + om * 60) * (rest[0] == '+' ? 1 : -1);
    } else {
      return bad();
    }
  }
  return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
}

Result<UnixSeconds> ParseSince(std::string_view text, UnixSeconds now) {
  if (text.size() >= 10 && text[4] == '-') return ParseTimestamp(text);
  auto ms = ParseDurationMs(text);
  if (!ms) return Fail(Error::Invalid("bad --since '" + std::string(text) + "': give a duration (7d, 12h) or a date (2026-11-01)"));
  return now - *ms / 1000;
}

}  // namespace lw
