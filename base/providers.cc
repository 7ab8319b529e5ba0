#include "base/providers.h"

#include <unicase.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace lw {
namespace {

// ---- The table. A row is added only with a page that documents its rule.

constexpr std::string_view kAppleDomains[] = {"icloud.com", "me.com", "mac.com"};
constexpr std::string_view kGoogleDomains[] = {"gmail.com", "googlemail.com"};
constexpr std::string_view kProtonDomains[] = {"proton.me", "protonmail.com", "pm.me", "protonmail.ch"};
// Outlook.com's domains, global and national; each is its own account.
constexpr std::string_view kMicrosoftDomains[] = {
    "outlook.com",    "hotmail.com",    "live.com",       "msn.com",        "passport.com",
    "outlook.fr",     "outlook.de",     "outlook.it",     "outlook.es",     "outlook.jp",
    "outlook.kr",     "outlook.com.br", "outlook.com.au", "outlook.co.uk",  "outlook.in",
    "hotmail.co.uk",  "hotmail.fr",     "hotmail.de",     "hotmail.it",     "hotmail.es",
    "hotmail.nl",     "hotmail.be",     "hotmail.ca",     "hotmail.se",     "hotmail.dk",
    "hotmail.no",     "hotmail.fi",     "hotmail.gr",     "hotmail.co.jp",  "hotmail.com.br",
    "hotmail.com.ar", "hotmail.com.mx", "hotmail.com.au", "hotmail.com.tw", "hotmail.com.hk",
    "live.co.uk",     "live.fr",        "live.de",        "live.it",        "live.nl",
    "live.be",        "live.ca",        "live.se",        "live.dk",        "live.no",
    "live.com.au",    "live.com.mx",    "live.com.ar",    "live.cn",        "live.jp",
    "live.cl",        "live.ru",        "live.in",        "windowslive.com"};
constexpr std::string_view kFastmailDomains[] = {"fastmail.com", "fastmail.fm"};
// Yahoo Mail's domains, global and national; each is its own account.
constexpr std::string_view kYahooDomains[] = {
    "yahoo.com",     "ymail.com",     "rocketmail.com", "yahoo.co.uk",  "yahoo.fr",
    "yahoo.de",      "yahoo.it",      "yahoo.es",       "yahoo.ca",     "yahoo.com.au",
    "yahoo.co.in",   "yahoo.com.br",  "yahoo.com.mx",   "yahoo.com.ar", "yahoo.com.hk",
    "yahoo.com.tw",  "yahoo.com.sg",  "yahoo.com.ph",   "yahoo.co.id",  "yahoo.com.vn",
    "yahoo.gr",      "yahoo.se",      "yahoo.ie",       "yahoo.co.nz"};

constexpr Provider kProviders[] = {
    {"Apple", kAppleDomains, /*one_account=*/true, '+', /*dots_ignored=*/false,
     "https://support.apple.com/en-us/118230 (icloud.com, me.com, mac.com); "
     "iCloud Mail delivers +tag addresses (RFC 5233 sub-addressing)"},
    {"Google", kGoogleDomains, true, '+', true,
     "https://support.google.com/mail/answer/7436150 (dots and +tag); "
     "https://support.google.com/mail/answer/10313 (googlemail.com)"},
    {"Microsoft", kMicrosoftDomains, false, '+', false,
     "https://learn.microsoft.com/exchange/recipients-in-exchange-online/plus-addressing-in-exchange-online "
     "(plus addressing, also in Outlook.com)"},
    {"Proton", kProtonDomains, true, '+', false,
     "https://proton.me/support/addresses-and-aliases (proton.me, protonmail.com, pm.me, protonmail.ch; +aliases)"},
    {"Fastmail", kFastmailDomains, false, '+', false,
     "https://www.fastmail.help/hc/en-us/articles/360058753394 (plus addressing)"},
    {"Yahoo", kYahooDomains, false, '-', false,
     "https://help.yahoo.com (Yahoo Mail disposable addresses: basename-keyword)"},
};

// ---- Lookup: an open-addressing table of every domain, built once. FNV-1a of the
// domain picks the first slot; a few hundred slots for ~90 domains keep probe runs short.
constexpr size_t kSlots = 512;

uint32_t DomainHash(std::string_view d) {
  uint32_t h = 2166136261u;
  for (char c : d) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return h;
}

constexpr size_t kMaxDomain = 31;

struct DomainTable {
  std::array<std::string_view, kSlots> domain{};
  std::array<const Provider*, kSlots> provider{};
  // Bit `size` of shapes[first byte]: some domain starts with that byte and has that size.
  // Rejects nearly every other domain (qq.com, 163.com, ...) with one load.
  std::array<uint32_t, 256> shapes{};

  DomainTable() {
    for (const Provider& p : kProviders) {
      for (std::string_view d : p.domains) {
        if (d.empty() || d.size() > kMaxDomain || d.size() > kAccountKeyRoom - 256) std::abort();
        size_t i = DomainHash(d) % kSlots;
        while (provider[i]) i = (i + 1) % kSlots;
        domain[i] = d;
        provider[i] = &p;
        shapes[static_cast<uint8_t>(d[0])] |= uint32_t{1} << d.size();
      }
    }
  }
};

const DomainTable& Domains() {
  static const DomainTable table;
  return table;
}

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// Full Unicode lower-casing, without normalization (the spelling as written, lower-cased);
// ASCII is lowered in place. Empty on invalid UTF-8.
std::string LowerCased(std::string_view s) {
  bool ascii = true;
  for (unsigned char c : s) ascii &= c < 0x80;
  if (ascii) {
    std::string out(s);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
  }
  size_t n = 0;
  std::unique_ptr<uint8_t, FreeDeleter> lower(
      u8_tolower(reinterpret_cast<const uint8_t*>(s.data()), s.size(), nullptr, nullptr, nullptr, &n));
  if (!lower) return {};
  return std::string(reinterpret_cast<const char*>(lower.get()), n);
}

std::string_view TrimSpace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::span<const Provider> Providers() { return kProviders; }

const Provider* FindProvider(std::string_view domain) {
  const DomainTable& t = Domains();
  if (domain.empty() || domain.size() > kMaxDomain || !(t.shapes[static_cast<uint8_t>(domain[0])] >> domain.size() & 1))
    return nullptr;
  for (size_t i = DomainHash(domain) % kSlots; t.provider[i]; i = (i + 1) % kSlots)
    if (t.domain[i] == domain) return t.provider[i];
  return nullptr;
}

size_t AccountKeyInto(std::string_view email, char* out) {
  // memrchr: a scan calls this for every address it finds, and rfind goes byte by byte.
  const void* at_sign = email.size() > 254 ? nullptr : ::memrchr(email.data(), '@', email.size());
  if (at_sign == nullptr) return 0;
  const size_t at = static_cast<size_t>(static_cast<const char*>(at_sign) - email.data());
  const std::string_view domain = email.substr(at + 1);
  const Provider* p = FindProvider(domain);
  if (p == nullptr) return 0;
  std::string_view local = email.substr(0, at);
  bool changed = false;
  if (p->tag_separator != 0) {
    size_t tag = local.find(p->tag_separator);
    if (tag != std::string_view::npos && tag > 0) {
      local = local.substr(0, tag);
      changed = true;
    }
  }
  const bool drop_dots = p->dots_ignored && local.find('.') != std::string_view::npos;
  const std::string_view key_domain = p->one_account ? p->domains.front() : domain;
  if (!changed && !drop_dots && key_domain == domain) return 0;  // already the key's spelling
  size_t n = 0;
  for (char c : local)
    if (c != '.' || !drop_dots) out[n++] = c;
  if (n == 0) return 0;  // a local part of dots only: no valid address, no key
  out[n++] = '@';
  for (char c : key_domain) out[n++] = c;
  return n;
}

std::string AccountKey(std::string_view email) {
  std::string out(kAccountKeyRoom, '\0');
  size_t n = AccountKeyInto(email, out.data());
  if (n == 0) return std::string(email);
  out.resize(n);
  return out;
}

std::vector<std::string> HashedSpellings(std::string_view email, std::string_view as_written) {
  std::vector<std::string> out;
  out.reserve(4);
  // A spelling already listed is not copied (most lines are written as normalized).
  auto add = [&](std::string_view s) {
    if (s.empty()) return;
    for (const std::string& o : out)
      if (o == s) return;
    out.emplace_back(s);
  };
  as_written = TrimSpace(as_written);
  if (!as_written.empty()) {
    add(as_written);
    const bool lower = std::none_of(as_written.begin(), as_written.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80;
    });
    if (!lower) add(LowerCased(as_written));
  }
  add(email);
  const size_t at = email.rfind('@');
  if (at == std::string_view::npos) return out;
  const std::string_view local = email.substr(0, at), domain = email.substr(at + 1);
  const Provider* p = FindProvider(domain);
  if (p == nullptr) return out;
  std::string dotless;
  if (p->dots_ignored)
    for (char c : local)
      if (c != '.') dotless += c;
  if (dotless == local) dotless.clear();
  for (std::string_view d : p->domains) {
    if (d != domain && !p->one_account) continue;  // another account
    if (d != domain) add(std::string(local) + "@" + std::string(d));
    if (!dotless.empty()) add(dotless + "@" + std::string(d));
  }
  return out;
}

}  // namespace lw
