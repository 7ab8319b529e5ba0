#include "base/units.h"

#include <catch2/catch.hpp>

TEST_CASE("durations") {
  CHECK(*lw::ParseDurationMs("250ms") == 250);
  CHECK(*lw::ParseDurationMs("30s") == 30000);
  CHECK(*lw::ParseDurationMs("10m") == 600000);
  CHECK(*lw::ParseDurationMs("1.5h") == 5400000);
  CHECK(*lw::ParseDurationMs("7d") == 604800000);
  CHECK(!lw::ParseDurationMs("10"));
  CHECK(!lw::ParseDurationMs("10 weeks"));
  CHECK(!lw::ParseDurationMs("m"));
  CHECK(!lw::ParseDurationMs("-5s"));
}

TEST_CASE("sizes") {
  CHECK(*lw::ParseSize("512B") == 512);
  CHECK(*lw::ParseSize("20MiB") == 20u << 20);
  CHECK(*lw::ParseSize("1GiB") == 1u << 30);
  CHECK(!lw::ParseSize("20MB"));
  CHECK(!lw::ParseSize(""));
}

TEST_CASE("timestamps") {
  CHECK(lw::FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(lw::FormatRfc3339(1795860763) == "2026-11-28T10:12:43Z");
  CHECK(*lw::ParseTimestamp("2026-11-28T10:12:43Z") == 1795860763);
  CHECK(*lw::ParseTimestamp("2026-11-28T18:12:43+08:00") == 1795860763);
  CHECK(*lw::ParseTimestamp("2026-11-28") == 1795860763 - (10 * 3600 + 12 * 60 + 43));
  CHECK(!lw::ParseTimestamp("2026-13-01"));
  CHECK(!lw::ParseTimestamp("yesterday"));
  CHECK(*lw::ParseSince("1d", 1000000) == 1000000 - 86400);
  CHECK(*lw::ParseSince("2026-11-28", 0) == *lw::ParseTimestamp("2026-11-28"));
}
