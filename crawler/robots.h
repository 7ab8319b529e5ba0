// robots.txt (RFC 9309): parsing a file and deciding whether a path may be fetched.
//
// Pure and immutable once built; safe to share between threads. The fetcher
// (crawler/curl_fetcher.h) fetches robots.txt once per host, builds a RobotsTxt from the
// response (see the factory functions for how statuses map) and asks IsAllowed() before
// each request to that host.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lw {

class RobotsTxt {
 public:
  // Parses the body of a robots.txt. Lines are "key: value" with '#' comments; keys are
  // case-insensitive. Consecutive user-agent lines open a group that the following
  // allow/disallow lines belong to; rules before the first user-agent line and unknown
  // keys (sitemap, crawl-delay, ...) are ignored. Only the first kMaxParsedBytes are
  // read, as the RFC allows.
  static RobotsTxt Parse(std::string_view body);
  // What a 4xx response (no robots.txt) means: everything may be fetched.
  static RobotsTxt AllowAll();
  // What a 5xx response or an unreachable host means: nothing may be fetched.
  static RobotsTxt DisallowAll();

  // Whether `path` ("/a/b?q=1": path and query, as sent in the request line) may be
  // fetched by a crawler whose User-Agent header is `user_agent`. The groups used are
  // those naming the product token of `user_agent` (see RobotsProductToken),
  // case-insensitively, merged; else those naming "*"; else none (allow). Among their
  // rules the longest matching pattern wins, Allow on a tie. Patterns support '*' (any
  // run of bytes) and a final '$' (end of path). "/robots.txt" is always allowed.
  bool IsAllowed(std::string_view user_agent, std::string_view path) const;

  static constexpr size_t kMaxParsedBytes = 512 * 1024;

 private:
  struct Rule {
    bool allow = false;
    std::string pattern;  // percent-encodings normalized to upper case
  };
  struct Group {
    std::vector<std::string> agents;  // lower case
    std::vector<Rule> rules;
  };

  enum class Mode { kRules, kAllowAll, kDisallowAll };
  Mode mode_ = Mode::kRules;
  std::vector<Group> groups_;
};

// The product token that robots.txt groups are matched against: the User-Agent up to
// the first '/', space or ';', lower-cased ("leakwatch/0.1 (+https://...)" → "leakwatch").
std::string RobotsProductToken(std::string_view user_agent);

// Whether robots pattern `pattern` ('*' wildcards, optional final '$') matches the start
// of `path` (the whole of it when the pattern ends in '$'). Exposed for tests.
bool RobotsPatternMatches(std::string_view pattern, std::string_view path);

}  // namespace lw
