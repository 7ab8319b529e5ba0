// leakwatch's configuration file (TOML), parsed once, at the edge, into plain structs.
// Schema and defaults: ../README.md "Configuration" and the contract. An unknown key, a
// bad duration/size/pattern or a wrong type is an Error::Code::kConfig whose message
// names the file, line and key: "config.toml:12: crawl.timeout: bad duration '3x'".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace lw {

struct MatchConfig {
  std::string default_region = "CN";  // ISO 3166 region for national phone numbers
};

// Fetch settings; [crawl] sets them for all sources, a [[source]] may override any.
struct CrawlConfig {
  std::string user_agent = "leakwatch/0.1";
  int concurrency = 8;                 // transfers in flight
  int per_host_concurrency = 2;
  int64_t per_host_delay_ms = 1000;    // between requests to one host
  int64_t timeout_ms = 30000;          // whole transfer
  uint64_t max_body = 20u << 20;       // bytes, after decompression
  bool obey_robots = true;
  bool allow_private_addresses = false;  // loopback, RFC 1918, link-local, CGNAT, ULA
  std::string proxy;                   // e.g. socks5h://127.0.0.1:9050
  std::map<std::string, std::string> headers;
};

// One [[source]]. Which keys a kind needs is the kind's to say (crawler/source_kind.h);
// this struct holds every kind's keys.
struct SourceConfig {
  std::string name;
  std::string kind = "listing";  // listing | json | page | feed | telegram
  std::string url;
  std::string item_pattern;      // RE2 on absolute link URLs
  std::string item_url;          // optional rewrite, \1 for groups
  std::string next_pattern;      // optional: further listing pages
  std::string item_field;        // json: element field holding the item URL
  std::string channel;           // telegram: the public channel's name
  std::string base_url = "https://t.me";  // telegram: the preview site (mirrors, tests)
  bool fetch_items = false;      // feed: fetch each new entry's link instead of its text
  int max_pages = 5;             // index pages per run (telegram: read back on the first run)
  int64_t every_ms = 600000;     // due interval
  int64_t stale_after_ms = 86400000;  // health "stale" when nothing new for this long
  CrawlConfig crawl;             // [crawl] with this source's overrides applied
  int line = 0;                  // where it was declared, for messages
  std::map<std::string, int> key_lines;  // the line of each key given, for messages
};

struct AlertConfig {
  std::string name;
  std::string kind;              // the transport: jsonl | webhook | syslog | email | exec
  std::string path;              // jsonl: file, "-" for stdout
  std::string url;               // webhook: http(s); syslog: udp:// tcp:// tls://; email: smtp:// or smtps://
  std::string format;            // the payload (alerts/format.h); "": the kind's default (json)
  std::string secret_env;        // webhook: env var holding the HMAC secret
  std::string token_env;         // webhook: env var holding the HEC token (splunk_hec) or API key (ecs)
  std::string ca_file;           // syslog over tls://: CA certificates (PEM); "": the system's
  std::string from, username_env, password_env;  // email
  std::vector<std::string> to;   // email
  std::vector<std::string> command;  // exec: argv
  std::string min_severity = "exposure";  // exposure | credential
  std::vector<std::string> watchlists;    // empty: all
  // Which events the sink takes: "exposure" (exposures, and bulk_exposure events) and
  // "source_health" (a source's change of health).
  std::vector<std::string> events = {"exposure", "source_health"};
  // Breach day: a document with more new exposures for this sink than this gets one
  // bulk_exposure event for the sink instead of one event each. 0: always one each.
  int bulk_threshold = 100;
  // One alert per identifier per window: after an identifier's alert, its further
  // exposures within this long are folded into one exposure_summary when the window
  // closes (a higher severity still alerts at once). 0: every exposure alerts.
  int64_t renotify_ms = 0;
  int64_t timeout_ms = 10000;
  int line = 0;
};

struct StoreConfig {
  int64_t retain_ms = 0;  // 0: keep forever
  // Remember every identifier a scan or crawl extracts as a keyed sighting, so that
  // enrollment can retro-hunt it (store/sightings.h). Costs scan speed and ~16 bytes per
  // distinct identifier per document on disk.
  bool sightings = true;
};

struct Config {
  std::string path;  // empty: built-in defaults
  MatchConfig match;
  CrawlConfig crawl;
  StoreConfig store;
  std::vector<SourceConfig> sources;
  std::vector<AlertConfig> alerts;
  // [alerts] retro: exposures found by a retro-hunt at enrollment reach the sinks; false
  // marks them filtered (they are still recorded and listed).
  bool alerts_retro = true;
};

// Parses `path`. Bad TOML, unknown keys, bad values: Error::Code::kConfig.
Result<Config> LoadConfig(const std::string& path);
Result<Config> ParseConfig(std::string_view toml_text, const std::string& path_for_messages);

}  // namespace lw
