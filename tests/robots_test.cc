#include "crawler/robots.h"

#include <catch2/catch.hpp>

using lw::RobotsPatternMatches;
using lw::RobotsTxt;

namespace {
constexpr const char* kUa = "leakwatch/0.1 (+https://security.example.com/contact)";
}

TEST_CASE("product token of a user agent", "[robots]") {
  CHECK(lw::RobotsProductToken(kUa) == "leakwatch");
  CHECK(lw::RobotsProductToken("LeakWatch") == "leakwatch");
  CHECK(lw::RobotsProductToken("  Foo-Bot (compatible)") == "foo-bot");
  CHECK(lw::RobotsProductToken("*") == "*");
}

TEST_CASE("pattern matching: prefixes, '*' and '$'", "[robots]") {
  CHECK(RobotsPatternMatches("/", "/anything"));
  CHECK(RobotsPatternMatches("/fish", "/fish.html"));
  CHECK(RobotsPatternMatches("/fish", "/fish/salmon"));
  CHECK_FALSE(RobotsPatternMatches("/fish", "/Fish.asp"));
  CHECK_FALSE(RobotsPatternMatches("/fish", "/catfish"));
  CHECK(RobotsPatternMatches("/*.php", "/index.php"));
  CHECK(RobotsPatternMatches("/*.php", "/folder/any.php.file.html"));
  CHECK_FALSE(RobotsPatternMatches("/*.php", "/windows.PHP"));
  CHECK(RobotsPatternMatches("/*.php$", "/filename.php"));
  CHECK_FALSE(RobotsPatternMatches("/*.php$", "/filename.php?parameters"));
  CHECK_FALSE(RobotsPatternMatches("/*.php$", "/filename.php5"));
  CHECK(RobotsPatternMatches("/fish*.php", "/fishheads/catfish.php?parameters"));
  CHECK(RobotsPatternMatches("/a$", "/a"));
  CHECK_FALSE(RobotsPatternMatches("/a$", "/ab"));
  CHECK(RobotsPatternMatches("*", "/x"));
  CHECK(RobotsPatternMatches("/**/x$", "/a/b/x"));
  CHECK_FALSE(RobotsPatternMatches("/a*b*c$", "/aXbXcX"));
  CHECK(RobotsPatternMatches("/a*b*c$", "/aXbXcXc"));
}

TEST_CASE("groups: our product token case-insensitively, else '*'", "[robots]") {
  RobotsTxt r = RobotsTxt::Parse(
      "# comment\n"
      "User-agent: *\n"
      "Disallow: /\n"
      "\n"
      "User-agent: LeakWatch\n"
      "Disallow: /private/\n");
  CHECK(r.IsAllowed(kUa, "/paste/abc"));
  CHECK_FALSE(r.IsAllowed(kUa, "/private/x"));
  CHECK_FALSE(r.IsAllowed("otherbot/1.0", "/paste/abc"));
}

TEST_CASE("groups naming the same agent merge; consecutive user-agent lines share rules",
          "[robots]") {
  RobotsTxt r = RobotsTxt::Parse(
      "user-agent: a\r\n"
      "user-agent: leakwatch\r\n"
      "disallow: /one\r\n"
      "\r\n"
      "user-agent: leakwatch # ours\r\n"
      "disallow: /two\r\n"
      "user-agent: *\r\n"
      "disallow: /three\r\n");
  CHECK_FALSE(r.IsAllowed(kUa, "/one"));
  CHECK_FALSE(r.IsAllowed(kUa, "/two"));
  CHECK(r.IsAllowed(kUa, "/three"));
  CHECK_FALSE(r.IsAllowed("a", "/one"));
  CHECK(r.IsAllowed("a", "/two"));
  CHECK_FALSE(r.IsAllowed("zzz", "/three"));
}

TEST_CASE("longest match wins, Allow on a tie", "[robots]") {
  RobotsTxt r = RobotsTxt::Parse(
      "User-agent: *\n"
      "Disallow: /archive/\n"
      "Allow: /archive/public/\n"
      "Disallow: /archive/public/secret\n"
      "Allow: /tie\n"
      "Disallow: /tie\n"
      "Disallow: /*.zip$\n"
      "Disallow:\n");
  CHECK_FALSE(r.IsAllowed(kUa, "/archive/"));
  CHECK_FALSE(r.IsAllowed(kUa, "/archive/2024"));
  CHECK(r.IsAllowed(kUa, "/archive/public/x"));
  CHECK_FALSE(r.IsAllowed(kUa, "/archive/public/secret.txt"));
  CHECK(r.IsAllowed(kUa, "/tie"));
  CHECK_FALSE(r.IsAllowed(kUa, "/dl/a.zip"));
  CHECK(r.IsAllowed(kUa, "/dl/a.zip?v=1"));
  CHECK(r.IsAllowed(kUa, "/"));
}

TEST_CASE("no groups, empty file, rules before any user-agent: allow", "[robots]") {
  CHECK(RobotsTxt::Parse("").IsAllowed(kUa, "/x"));
  CHECK(RobotsTxt::Parse("Disallow: /\n").IsAllowed(kUa, "/x"));
  CHECK(RobotsTxt::Parse("User-agent: otherbot\nDisallow: /\n").IsAllowed(kUa, "/x"));
  CHECK(RobotsTxt::Parse("garbage\n\xff\xfe\nno colon here").IsAllowed(kUa, "/x"));
}

TEST_CASE("queries are part of the path; escapes compare case-insensitively", "[robots]") {
  RobotsTxt r = RobotsTxt::Parse(
      "\xEF\xBB\xBFUser-agent: *\n"
      "Disallow: /search?q=\n"
      "Disallow: /a%2fb\n");
  CHECK_FALSE(r.IsAllowed(kUa, "/search?q=secret"));
  CHECK(r.IsAllowed(kUa, "/search"));
  CHECK_FALSE(r.IsAllowed(kUa, "/a%2Fb"));
}

TEST_CASE("status-derived verdicts; robots.txt itself is always allowed", "[robots]") {
  CHECK(RobotsTxt::AllowAll().IsAllowed(kUa, "/anything"));
  CHECK_FALSE(RobotsTxt::DisallowAll().IsAllowed(kUa, "/anything"));
  CHECK(RobotsTxt::DisallowAll().IsAllowed(kUa, "/robots.txt"));
  CHECK(RobotsTxt::Parse("User-agent: *\nDisallow: /\n").IsAllowed(kUa, "/robots.txt"));
}

TEST_CASE("only the first kMaxParsedBytes are read", "[robots]") {
  std::string body = "User-agent: *\n";
  body += std::string(RobotsTxt::kMaxParsedBytes, '#') + "\n";
  body += "Disallow: /\n";
  CHECK(RobotsTxt::Parse(body).IsAllowed(kUa, "/x"));
}
