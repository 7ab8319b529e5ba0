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

#include "base/config.h"

TEST_CASE("config: errors name file, line and key") {
  auto ok = lw::ParseConfig("[match]\ndefault_region = \"US\"\n[crawl]\ntimeout = \"5s\"\nmax_body = \"1MiB\"\n", "c.toml");
  REQUIRE(ok);
  CHECK(ok->match.default_region == "US");
  CHECK(ok->crawl.timeout_ms == 5000);
  CHECK(ok->crawl.max_body == 1u << 20);
  auto msg = [](std::string_view text) {
    auto r = lw::ParseConfig(text, "c.toml");
    return r ? std::string("ok") : r.error().message;
  };
  CHECK(msg("[crawl]\ntimeout = \"30x\"\n").starts_with("c.toml:2: crawl.timeout: bad duration '30x'"));
  CHECK(msg("[crawl]\nspeed = 3\n") == "c.toml:2: crawl.speed: unknown key");
  CHECK(msg("[[source]]\nname = \"a\"\nkind = \"listing\"\nurl = \"https://x\"\nitem_pattern = \"(\"\n")
            .starts_with("c.toml:5: source.item_pattern: bad pattern"));
  CHECK(msg("[[alert]]\nname = \"a\"\nkind = \"pager\"\n").starts_with("c.toml:3: alert.kind"));
  CHECK(msg("[[alert]]\nname = \"a\"\nkind = \"jsonl\"\nevents = [\"exposure\", \"health\"]\n") ==
        "c.toml:4: alert.events: unknown event 'health': expected exposure or source_health");
  CHECK(msg("[\nx = 1\n") == "c.toml:1: bad table header");  // found by the fuzzer
  CHECK(msg("[match]\n[[[match]\n") == "c.toml:2: bad table header");
  CHECK(msg("x = = 1").starts_with("c.toml:1:"));
  CHECK(msg("[k\xd0\xa2]\n") == "c.toml:1: non-ASCII character outside a string");
  CHECK(msg("[match]\ndefault_region = \"CN\x01\"\n") == "c.toml:2: control character");
  // Found by the fuzzer: toml++ turns a huge float into an integer with undefined behaviour.
  CHECK(msg("[crawl]\nconcurrency = 6176666666666666666666666666.0\n")
            .starts_with("c.toml:2: crawl.concurrency: expected an integer"));
  CHECK(msg("[crawl]\nconcurrency = 4.0\n").starts_with("c.toml:2: crawl.concurrency: expected an integer"));
  CHECK(msg("[crawl]\nconcurrency = 4\n") == "ok");
  auto bulk = lw::ParseConfig("[[alert]]\nname = \"a\"\nkind = \"jsonl\"\npath = \"-\"\nbulk_threshold = 0\n", "c.toml");
  REQUIRE(bulk);
  CHECK(bulk->alerts[0].bulk_threshold == 0);
  CHECK(lw::ParseConfig("[[alert]]\nname = \"a\"\nkind = \"jsonl\"\n", "c.toml")->alerts[0].bulk_threshold == 100);
  CHECK(msg("[[alert]]\nname = \"a\"\nkind = \"jsonl\"\nbulk_threshold = -1\n").starts_with("c.toml:4: alert.bulk_threshold"));
  auto siem = lw::ParseConfig(
      "[[alert]]\nname = \"s\"\nkind = \"syslog\"\nurl = \"tls://h:6514\"\nformat = \"cef\"\n"
      "ca_file = \"/ca.pem\"\nrenotify = \"24h\"\n"
      "[[alert]]\nname = \"h\"\nkind = \"webhook\"\nurl = \"https://h\"\nformat = \"splunk_hec\"\n"
      "token_env = \"T\"\n",
      "c.toml");
  REQUIRE(siem);
  CHECK(siem->alerts[0].kind == "syslog");
  CHECK(siem->alerts[0].ca_file == "/ca.pem");
  CHECK(siem->alerts[0].renotify_ms == 24 * 3600 * 1000);
  CHECK(siem->alerts[1].token_env == "T");
  CHECK(siem->alerts[1].renotify_ms == 0);
  CHECK(msg("[[alert]]\nname = \"a\"\nkind = \"jsonl\"\nrenotify = \"1d2\"\n").starts_with("c.toml:4: alert.renotify"));
  CHECK(msg("[[alert]]\nname = \"a\"\nkind = \"jsonl\"\nrenotify = \"10ms\"\n") ==
        "c.toml:4: alert.renotify: expected at least 1s (or 0 for off)");
  CHECK(msg("[[alert]]\nname = \"a\"\nkind = \"pigeon\"\n") ==
        "c.toml:3: alert.kind: expected jsonl, webhook, syslog, email or exec");
  auto utf8 = lw::ParseConfig("# 注释\n[crawl]\nuser_agent = \"leakwatch 监控\"\nheaders = { Cookie = 'a=\"b\"' }\n", "c.toml");
  REQUIRE(utf8);
  CHECK(utf8->crawl.user_agent == "leakwatch 监控");
}
