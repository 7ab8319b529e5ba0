#include "base/config.h"

#include <re2/re2.h>

#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "base/units.h"

namespace lw {
namespace {

// Reads typed values from one TOML table and remembers which keys were consumed, so
// that whatever is left over is reported as unknown.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string file, std::string prefix)
      : table_(table), file_(std::move(file)), prefix_(std::move(prefix)) {}

  std::string Where(const toml::node* node, std::string_view key) const {
    int line = node ? static_cast<int>(node->source().begin.line) : static_cast<int>(table_.source().begin.line);
    return file_ + ":" + std::to_string(line) + ": " + prefix_ + std::string(key);
  }
  Status Bad(std::string_view key, const std::string& why) const {
    return Fail(Error::Config(Where(table_.get(key), key) + ": " + why));
  }

  Status String(std::string_view key, std::string* out) {
    used_.insert(std::string(key));
    const toml::node* n = table_.get(key);
    if (!n) return Ok();
    auto v = n->value<std::string>();
    if (!v) return Bad(key, "expected a string");
    *out = *v;
    return Ok();
  }
  Status Int(std::string_view key, int* out, int min, int max) {
    used_.insert(std::string(key));
    const toml::node* n = table_.get(key);
    if (!n) return Ok();
    // Integers only: toml++ converts a float such as 1e30 to int64_t with undefined
    // behaviour (found by the config fuzzer), and "4.0" is not a count anyway.
    auto v = n->is_integer() ? n->value<int64_t>() : std::nullopt;
    if (!v || *v < min || *v > max)
      return Bad(key, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
    *out = static_cast<int>(*v);
    return Ok();
  }
  Status Bool(std::string_view key, bool* out) {
    used_.insert(std::string(key));
    const toml::node* n = table_.get(key);
    if (!n) return Ok();
    auto v = n->value<bool>();
    if (!v) return Bad(key, "expected true or false");
    *out = *v;
    return Ok();
  }
  Status Duration(std::string_view key, int64_t* out) {
    std::string text;
    if (auto s = String(key, &text); !s) return s;
    if (text.empty() && !table_.get(key)) return Ok();
    auto ms = ParseDurationMs(text);
    if (!ms) return Bad(key, ms.error().message);
    *out = *ms;
    return Ok();
  }
  Status Size(std::string_view key, uint64_t* out) {
    std::string text;
    if (auto s = String(key, &text); !s) return s;
    if (text.empty() && !table_.get(key)) return Ok();
    auto bytes = ParseSize(text);
    if (!bytes) return Bad(key, bytes.error().message);
    *out = *bytes;
    return Ok();
  }
  Status Pattern(std::string_view key, std::string* out) {
    if (auto s = String(key, out); !s) return s;
    if (out->empty()) return Ok();
    RE2 re(*out, RE2::Quiet);
    if (!re.ok()) return Bad(key, "bad pattern: " + re.error());
    return Ok();
  }
  Status StringArray(std::string_view key, std::vector<std::string>* out) {
    used_.insert(std::string(key));
    const toml::node* n = table_.get(key);
    if (!n) return Ok();
    const toml::array* a = n->as_array();
    if (!a) return Bad(key, "expected an array of strings");
    out->clear();
    for (const toml::node& e : *a) {
      auto v = e.value<std::string>();
      if (!v) return Bad(key, "expected an array of strings");
      out->push_back(*v);
    }
    return Ok();
  }
  Status StringMap(std::string_view key, std::map<std::string, std::string>* out) {
    used_.insert(std::string(key));
    const toml::node* n = table_.get(key);
    if (!n) return Ok();
    const toml::table* t = n->as_table();
    if (!t) return Bad(key, "expected a table of strings");
    for (auto&& [k, v] : *t) {
      auto s = v.value<std::string>();
      if (!s) return Bad(key, "expected a table of strings");
      (*out)[std::string(k.str())] = *s;
    }
    return Ok();
  }
  void MarkUsed(std::string_view key) { used_.insert(std::string(key)); }

  Status NoUnknownKeys() const {
    for (auto&& [k, v] : table_) {
      if (!used_.count(std::string(k.str())))
        return Fail(Error::Config(Where(&v, k.str()) + ": unknown key"));
    }
    return Ok();
  }

 private:
  const toml::table& table_;
  std::string file_, prefix_;
  std::set<std::string> used_;
};

#define LW_TRY(expr)          \
  do {                        \
    if (auto s_ = (expr); !s_) \
      return Fail(s_.error()); \
  } while (0)

Status ReadCrawl(TableReader& r, CrawlConfig* c) {
  LW_TRY(r.String("user_agent", &c->user_agent));
  LW_TRY(r.Int("concurrency", &c->concurrency, 1, 1024));
  LW_TRY(r.Int("per_host_concurrency", &c->per_host_concurrency, 1, 256));
  LW_TRY(r.Duration("per_host_delay", &c->per_host_delay_ms));
  LW_TRY(r.Duration("timeout", &c->timeout_ms));
  LW_TRY(r.Size("max_body", &c->max_body));
  LW_TRY(r.Bool("obey_robots", &c->obey_robots));
  LW_TRY(r.Bool("allow_private_addresses", &c->allow_private_addresses));
  LW_TRY(r.String("proxy", &c->proxy));
  LW_TRY(r.StringMap("headers", &c->headers));
  return Ok();
}

// toml++ 3.3 reaches undefined behaviour (TOML_ASSERT_ASSUME / TOML_UNREACHABLE, compiled
// as assumptions in release builds) on some malformed input that TOML 1.0 rejects
// anyway: a table header whose key starts with something other than a key character
// ("[" then a line break, "]" or a third "["), a non-ASCII byte outside strings and
// comments, a control character. Found by tests/fuzz/config_fuzzer.cc. This pass rejects
// those before toml++ sees them. (Our schema has no arrays of arrays, so a line starting
// with "[" is always a table header.)
Status PrecheckToml(std::string_view text, const std::string& path) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // toml++ skips a BOM
  auto bad = [&](int line, const char* why) {
    return Fail(Error::Config(path + ":" + std::to_string(line) + ": " + why));
  };
  int line = 1;
  bool line_start = true;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      line_start = true;
      continue;
    }
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) return bad(line, "control character");
    if (c == ' ' || c == '\t') continue;
    if (line_start && c == '[') {
      size_t p = i + (i + 1 < text.size() && text[i + 1] == '[' ? 2 : 1);
      while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
      char k = p < text.size() ? text[p] : '\n';
      bool key_start = (k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z') || (k >= '0' && k <= '9') || k == '_' ||
                       k == '-' || k == '"' || k == '\'';
      if (!key_start) return bad(line, "bad table header");
    }
    line_start = false;
    if (c == '#') {  // a comment: anything but control characters to the end of the line
      while (i + 1 < text.size() && text[i + 1] != '\n') {
        unsigned char d = static_cast<unsigned char>(text[++i]);
        if ((d < 0x20 && d != '\t' && d != '\r') || d == 0x7f) return bad(line, "control character");
      }
      continue;
    }
    if (c == '"' || c == '\'') {  // a string, single- or multi-line
      bool multi = text.substr(i, 3) == std::string_view(c == '"' ? "\"\"\"" : "\'\'\'");
      std::string_view close = multi ? text.substr(i, 3) : text.substr(i, 1);
      i += close.size();
      for (; i < text.size(); ++i) {
        unsigned char d = static_cast<unsigned char>(text[i]);
        if (d == '\n') {
          if (!multi) return bad(line, "unterminated string");
          ++line;
          continue;
        }
        if ((d < 0x20 && d != '\t' && d != '\r') || d == 0x7f) return bad(line, "control character");
        if (c == '"' && d == '\\') {
          ++i;
          if (i < text.size() && text[i] == '\n') ++line;
          continue;
        }
        if (text.substr(i, close.size()) == close) {
          i += close.size() - 1;
          break;
        }
      }
      continue;
    }
    if (c >= 0x80) return bad(line, "non-ASCII character outside a string");
  }
  return Ok();
}

}  // namespace

Result<Config> ParseConfig(std::string_view text, const std::string& path) {
  Config config;
  config.path = path;
  if (auto s = PrecheckToml(text, path); !s) return Fail(s.error());
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Fail(Error::Config(path + ":" + std::to_string(e.source().begin.line) + ": " +
                              std::string(e.description())));
  }
  TableReader top(root, path, "");
  for (const char* section : {"match", "crawl", "store", "alerts"}) {
    top.MarkUsed(section);
    const toml::node* n = root.get(section);
    if (n && !n->as_table()) return Fail(Error::Config(top.Where(n, section) + ": expected a table"));
  }
  if (const toml::table* t = root["match"].as_table()) {
    TableReader r(*t, path, "match.");
    LW_TRY(r.String("default_region", &config.match.default_region));
    if (config.match.default_region.size() != 2)
      return Fail(Error::Config(r.Where(t->get("default_region"), "default_region") + ": expected a two-letter region"));
    LW_TRY(r.NoUnknownKeys());
  }
  if (const toml::table* t = root["crawl"].as_table()) {
    TableReader r(*t, path, "crawl.");
    LW_TRY(ReadCrawl(r, &config.crawl));
    LW_TRY(r.NoUnknownKeys());
  }
  if (const toml::table* t = root["store"].as_table()) {
    TableReader r(*t, path, "store.");
    LW_TRY(r.Duration("retain", &config.store.retain_ms));
    LW_TRY(r.Bool("sightings", &config.store.sightings));
    LW_TRY(r.NoUnknownKeys());
  }
  if (const toml::table* t = root["alerts"].as_table()) {
    TableReader r(*t, path, "alerts.");
    LW_TRY(r.Bool("retro", &config.alerts_retro));
    LW_TRY(r.NoUnknownKeys());
  }
  top.MarkUsed("source");
  if (const toml::node* n = root.get("source")) {
    const toml::array* arr = n->as_array();
    if (!arr || !arr->is_array_of_tables()) return Fail(Error::Config(top.Where(n, "source") + ": expected [[source]] tables"));
    std::set<std::string> names;
    for (const toml::node& e : *arr) {
      const toml::table& t = *e.as_table();
      SourceConfig s;
      s.line = static_cast<int>(t.source().begin.line);
      s.crawl = config.crawl;
      TableReader r(t, path, "source.");
      LW_TRY(r.String("name", &s.name));
      LW_TRY(r.String("kind", &s.kind));
      LW_TRY(r.String("url", &s.url));
      LW_TRY(r.Pattern("item_pattern", &s.item_pattern));
      LW_TRY(r.String("item_url", &s.item_url));
      LW_TRY(r.Pattern("next_pattern", &s.next_pattern));
      LW_TRY(r.String("item_field", &s.item_field));
      LW_TRY(r.String("channel", &s.channel));
      LW_TRY(r.String("base_url", &s.base_url));
      LW_TRY(r.Bool("fetch_items", &s.fetch_items));
      LW_TRY(r.Int("max_pages", &s.max_pages, 1, 100000));
      LW_TRY(r.Duration("every", &s.every_ms));
      LW_TRY(r.Duration("stale_after", &s.stale_after_ms));
      LW_TRY(ReadCrawl(r, &s.crawl));
      LW_TRY(r.NoUnknownKeys());
      for (auto&& [k, v] : t) s.key_lines[std::string(k.str())] = static_cast<int>(v.source().begin.line);
      if (s.name.empty()) return Fail(Error::Config(r.Where(&t, "name") + ": a source needs a name"));
      if (!names.insert(s.name).second) return Fail(Error::Config(r.Where(t.get("name"), "name") + ": duplicate source name '" + s.name + "'"));
      // What each kind needs (a url, an item_pattern, a channel...) is checked by the
      // crawler's source kinds: lw::CheckSources in crawler/source_kind.h.
      config.sources.push_back(std::move(s));
    }
  }
  top.MarkUsed("alert");
  if (const toml::node* n = root.get("alert")) {
    const toml::array* arr = n->as_array();
    if (!arr || !arr->is_array_of_tables()) return Fail(Error::Config(top.Where(n, "alert") + ": expected [[alert]] tables"));
    std::set<std::string> names;
    for (const toml::node& e : *arr) {
      const toml::table& t = *e.as_table();
      AlertConfig a;
      a.line = static_cast<int>(t.source().begin.line);
      TableReader r(t, path, "alert.");
      LW_TRY(r.String("name", &a.name));
      LW_TRY(r.String("kind", &a.kind));
      LW_TRY(r.String("path", &a.path));
      LW_TRY(r.String("url", &a.url));
      LW_TRY(r.String("format", &a.format));
      LW_TRY(r.String("secret_env", &a.secret_env));
      LW_TRY(r.String("token_env", &a.token_env));
      LW_TRY(r.String("ca_file", &a.ca_file));
      LW_TRY(r.String("from", &a.from));
      LW_TRY(r.StringArray("to", &a.to));
      LW_TRY(r.String("username_env", &a.username_env));
      LW_TRY(r.String("password_env", &a.password_env));
      LW_TRY(r.StringArray("command", &a.command));
      LW_TRY(r.String("min_severity", &a.min_severity));
      LW_TRY(r.StringArray("watchlists", &a.watchlists));
      LW_TRY(r.StringArray("events", &a.events));
      for (const std::string& event : a.events)
        if (event != "exposure" && event != "source_health")
          return Fail(Error::Config(r.Where(t.get("events"), "events") + ": unknown event '" + event +
                                    "': expected exposure or source_health"));
      LW_TRY(r.Duration("timeout", &a.timeout_ms));
      LW_TRY(r.Int("bulk_threshold", &a.bulk_threshold, 0, 1000000000));
      LW_TRY(r.Duration("renotify", &a.renotify_ms));
      LW_TRY(r.NoUnknownKeys());
      if (a.name.empty()) return Fail(Error::Config(r.Where(&t, "name") + ": an alert needs a name"));
      if (!names.insert(a.name).second) return Fail(Error::Config(r.Where(t.get("name"), "name") + ": duplicate alert name '" + a.name + "'"));
      if (a.kind != "jsonl" && a.kind != "webhook" && a.kind != "syslog" && a.kind != "email" && a.kind != "exec")
        return Fail(Error::Config(r.Where(t.get("kind"), "kind") + ": expected jsonl, webhook, syslog, email or exec"));
      if (a.renotify_ms != 0 && a.renotify_ms < 1000)
        return Fail(Error::Config(r.Where(t.get("renotify"), "renotify") + ": expected at least 1s (or 0 for off)"));
      if (a.min_severity != "exposure" && a.min_severity != "credential")
        return Fail(Error::Config(r.Where(t.get("min_severity"), "min_severity") + ": expected exposure or credential"));
      config.alerts.push_back(std::move(a));
    }
  }
  LW_TRY(top.NoUnknownKeys());
  return config;
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::Config(path + ": cannot read configuration file"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseConfig(ss.str(), path);
}

}  // namespace lw
