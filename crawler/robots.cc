#include "crawler/robots.h"

#include <algorithm>
#include <cctype>

namespace lw {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "%2f" and "%2F" are the same octet; upper-case the hex digits of every escape so that
// patterns and paths compare equal regardless of how they were written.
std::string NormalizeEscapes(std::string_view s) {
  std::string out(s);
  for (size_t i = 0; i + 2 < out.size(); ++i) {
    if (out[i] == '%' && std::isxdigit(static_cast<unsigned char>(out[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(out[i + 2]))) {
      out[i + 1] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[i + 1])));
      out[i + 2] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[i + 2])));
      i += 2;
    }
  }
  return out;
}

}  // namespace

std::string RobotsProductToken(std::string_view user_agent) {
  user_agent = Trim(user_agent);
  size_t end = user_agent.find_first_of("/ ;\t(");
  return Lower(user_agent.substr(0, end));
}

bool RobotsPatternMatches(std::string_view pattern, std::string_view path) {
  bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  // Glob matching with single-star backtracking: linear in practice, O(n*m) worst case.
  size_t p = 0, s = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (true) {
    if (p == pattern.size()) {
      if (!anchored || s == path.size()) return true;
      // Anchored but path left over: let the last '*' absorb more.
    } else if (pattern[p] == '*') {
      star_p = p++;
      star_s = s;
      continue;
    } else if (s < path.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
      continue;
    }
    if (star_p == std::string_view::npos || star_s >= path.size()) return false;
    p = star_p + 1;
    s = ++star_s;
  }
}

RobotsTxt RobotsTxt::AllowAll() {
  RobotsTxt r;
  r.mode_ = Mode::kAllowAll;
  return r;
}

RobotsTxt RobotsTxt::DisallowAll() {
  RobotsTxt r;
  r.mode_ = Mode::kDisallowAll;
  return r;
}

RobotsTxt RobotsTxt::Parse(std::string_view body) {
  RobotsTxt r;
  if (body.size() > kMaxParsedBytes) body = body.substr(0, kMaxParsedBytes);
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  bool last_was_agent = false;
  while (!body.empty()) {
    size_t eol = body.find_first_of("\r\n");
    std::string_view line = body.substr(0, eol);
    body.remove_prefix(eol == std::string_view::npos ? body.size() : eol + 1);
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = Lower(Trim(line.substr(0, colon)));
    std::string_view value = Trim(line.substr(colon + 1));
    if (key == "user-agent" || key == "useragent" || key == "user agent") {
      if (!last_was_agent) r.groups_.emplace_back();
      r.groups_.back().agents.push_back(Lower(value));
      last_was_agent = true;
    } else if (key == "allow" || key == "disallow") {
      last_was_agent = false;
      if (r.groups_.empty()) continue;
      // An empty Disallow allows everything, which is also what no rule means.
      if (value.empty()) continue;
      r.groups_.back().rules.push_back({key == "allow", NormalizeEscapes(value)});
    } else {
      // Other keys neither open nor close a group (RFC 9309 section 2.2.4).
    }
  }
  return r;
}

bool RobotsTxt::IsAllowed(std::string_view user_agent, std::string_view path) const {
  if (path.empty()) path = "/";
  if (path == "/robots.txt") return true;
  if (mode_ == Mode::kAllowAll) return true;
  if (mode_ == Mode::kDisallowAll) return false;

  std::string token = RobotsProductToken(user_agent);
  auto names = [&](const Group& g, std::string_view name) {
    return std::any_of(g.agents.begin(), g.agents.end(), [&](const std::string& a) {
      return a == name || RobotsProductToken(a) == name;
    });
  };
  bool specific = !token.empty() && std::any_of(groups_.begin(), groups_.end(),
                                                [&](const Group& g) { return names(g, token); });
  std::string_view wanted = specific ? std::string_view(token) : std::string_view("*");

  std::string normalized = NormalizeEscapes(path);
  size_t best_length = 0;
  bool best_allow = true;
  bool matched = false;
  for (const Group& g : groups_) {
    if (!names(g, wanted)) continue;
    for (const Rule& rule : g.rules) {
      if (!RobotsPatternMatches(rule.pattern, normalized)) continue;
      size_t length = rule.pattern.size();
      if (!matched || length > best_length || (length == best_length && rule.allow)) {
        best_length = length;
        best_allow = rule.allow;
        matched = true;
      }
    }
  }
  return best_allow;
}

}  // namespace lw
