#include "crawler/blocked.h"

#include <string_view>

namespace lw {
namespace {

struct Signature {
  std::string_view needle;  // matched case-insensitively (ASCII) in the first 64 KiB
  std::string_view what;
  bool only_without_entries;  // a sign of a wall only where the entries are missing
};

// Rules as data: one row per recognisable wall.
constexpr Signature kSignatures[] = {
    {"<title>just a moment...</title>", "a Cloudflare challenge page", false},
    // Cloudflare also injects its challenge scripts into ordinary pages: a sign only
    // where the entries are missing.
    {"cf-browser-verification", "a Cloudflare challenge page", true},
    {"/cdn-cgi/challenge-platform/", "a Cloudflare challenge page", true},
    {"cf-chl-", "a Cloudflare challenge page", true},
    {"attention required! | cloudflare", "a Cloudflare block page", false},
    {"ddos-guard", "a DDoS-Guard challenge page", true},
    {"checking your browser before accessing", "a browser check page", false},
    {"请输入验证码", "a captcha page (请输入验证码)", true},
    {"安全验证", "a captcha page (安全验证)", true},
    {"g-recaptcha", "a captcha page (reCAPTCHA)", true},
    {"h-captcha", "a captcha page (hCaptcha)", true},
    {"captcha", "a captcha page", true},
    {"type=\"password\"", "a login page", true},
    {"type='password'", "a login page", true},
    {"type=password", "a login page", true},
};

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool ContainsFolded(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && Lower(haystack[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

}  // namespace

std::string BlockedReason(const FetchResult& r, bool expected_entries_missing) {
  if (r.outcome == FetchOutcome::kRetryLater) return "rate limited or unavailable (429/503 after retries)";
  if (r.outcome != FetchOutcome::kOk) return "";
  if (r.status == 401 || r.status == 403 || r.status == 429 || r.status == 503) return "HTTP " + std::to_string(r.status);
  std::string_view head = std::string_view(r.body).substr(0, 64 * 1024);
  for (const Signature& s : kSignatures) {
    if (s.only_without_entries && !expected_entries_missing) continue;
    if (ContainsFolded(head, s.needle)) return std::string(s.what);
  }
  return "";
}

}  // namespace lw
