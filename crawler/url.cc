#include "crawler/url.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace lw {
namespace {

struct CurluDeleter {
  void operator()(CURLU* h) const { curl_url_cleanup(h); }
};
using CurluPtr = std::unique_ptr<CURLU, CurluDeleter>;

struct CurlStringDeleter {
  void operator()(char* p) const { curl_free(p); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

// Parses an absolute URL into a handle; null when it does not parse.
CurluPtr Parse(std::string_view url) {
  CurluPtr h(curl_url());
  if (!h) return nullptr;
  if (curl_url_set(h.get(), CURLUPART_URL, std::string(url).c_str(), CURLU_URLENCODE) != CURLUE_OK) return nullptr;
  return h;
}

std::optional<std::string> Part(CURLU* h, CURLUPart part, unsigned flags = 0) {
  char* out = nullptr;
  if (curl_url_get(h, part, &out, flags) != CURLUE_OK) return std::nullopt;
  CurlString owned(out);
  return std::string(out);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// What a browser does to an href before parsing it: strip surrounding ASCII whitespace
// and drop tabs and newlines anywhere.
std::string CleanRef(std::string_view ref) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
  while (!ref.empty() && is_space(ref.front())) ref.remove_prefix(1);
  while (!ref.empty() && is_space(ref.back())) ref.remove_suffix(1);
  std::string out;
  out.reserve(ref.size());
  for (char c : ref)
    if (c != '\t' && c != '\n' && c != '\r') out += c;
  return out;
}

}  // namespace

Result<std::string> ResolveUrl(std::string_view base, std::string_view ref) {
  CurluPtr h = Parse(base);
  if (!h) return Fail(Error::Invalid("bad base URL '" + std::string(base) + "'"));
  std::string cleaned = CleanRef(ref);
  if (cleaned.empty()) cleaned = std::string(base);  // an empty href is the page itself
  if (CURLUcode rc = curl_url_set(h.get(), CURLUPART_URL, cleaned.c_str(), CURLU_URLENCODE); rc != CURLUE_OK)
    return Fail(Error::Invalid("bad URL '" + cleaned + "': " + curl_url_strerror(rc)));
  auto url = Part(h.get(), CURLUPART_URL);
  if (!url) return Fail(Error::Invalid("bad URL '" + cleaned + "'"));
  return *url;
}

std::string StripFragment(std::string_view url) {
  size_t hash = url.find('#');
  return std::string(url.substr(0, hash));
}

std::string UrlScheme(std::string_view url) {
  CurluPtr h = Parse(url);
  if (!h) return "";
  return Lower(Part(h.get(), CURLUPART_SCHEME).value_or(""));
}

std::string HostKey(std::string_view url) {
  CurluPtr h = Parse(url);
  if (!h) return "";
  auto host = Part(h.get(), CURLUPART_HOST);
  if (!host) return "";
  std::string key = Lower(*host);
  // Absent when the URL names no port or the scheme's default one.
  if (auto port = Part(h.get(), CURLUPART_PORT, CURLU_NO_DEFAULT_PORT)) key += ":" + *port;
  return key;
}

std::optional<std::string> MatchItemUrl(const RE2& pattern, std::string_view item_url, std::string_view url) {
  if (item_url.empty()) {
    if (!RE2::PartialMatch(url, pattern)) return std::nullopt;
    return std::string(url);
  }
  std::string out;
  if (!RE2::Extract(url, pattern, item_url, &out)) return std::nullopt;
  return out;
}

Status CheckItemUrl(const RE2& pattern, std::string_view item_url) {
  if (item_url.empty()) return Ok();
  std::string error;
  if (!pattern.CheckRewriteString(item_url, &error)) return Fail(Error::Config("item_url: " + error));
  return Ok();
}

}  // namespace lw
