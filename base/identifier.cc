#include "base/identifier.h"

#include <array>

#include "base/public_suffix.h"

#include <idn2.h>
#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

namespace lw {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

const PhoneNumberUtil& Phones() {
  static std::once_flag once;
  std::call_once(once, [] {
    // libphonenumber logs parse failures to stderr by default; we report our own.
    PhoneNumberUtil::GetInstance()->SetLogger(new i18n::phonenumbers::NullLogger());
  });
  return *PhoneNumberUtil::GetInstance();
}

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  // Also drop a trailing or leading UTF-8 no-break space / BOM-like filler.
  return s;
}

bool IsAscii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// NFKC then full Unicode lower-casing. Fails on invalid UTF-8.
Result<std::string> FoldUnicode(std::string_view s) {
  const auto* in = reinterpret_cast<const uint8_t*>(s.data());
  if (u8_check(in, s.size()) != nullptr) return Fail(Error::Invalid("invalid UTF-8"));
  size_t nlen = 0;
  std::unique_ptr<uint8_t, FreeDeleter> norm(u8_normalize(UNINORM_NFKC, in, s.size(), nullptr, &nlen));
  if (!norm) return Fail(Error::Invalid("cannot normalize (NFKC)"));
  size_t llen = 0;
  std::unique_ptr<uint8_t, FreeDeleter> lower(u8_tolower(norm.get(), nlen, nullptr, nullptr, nullptr, &llen));
  if (!lower) return Fail(Error::Invalid("cannot lower-case"));
  return std::string(reinterpret_cast<const char*>(lower.get()), llen);
}

bool IsAtext(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '/': case '=': case '?': case '^': case '_': case '`': case '{':
    case '|': case '}': case '~':
      return true;
    default:
      return c >= 0x80;  // internationalized local parts (RFC 6531), already UTF-8-checked
  }
}

bool IsValidLocal(std::string_view local) {
  if (local.empty() || local.size() > 64) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  char prev = 0;
  for (char c : local) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!IsAtext(static_cast<unsigned char>(c))) {
      return false;
    }
    prev = c;
  }
  return true;
}

// An ASCII (already punycoded) lower-case domain: LDH labels, at least two, TLD not numeric.
bool IsValidAsciiDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  size_t labels = 0;
  bool tld_has_alpha = false;
  size_t start = 0;
  while (start <= domain.size()) {
    size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    std::string_view label = domain.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    tld_has_alpha = false;
    for (char c : label) {
      bool alpha = c >= 'a' && c <= 'z';
      if (!alpha && !(c >= '0' && c <= '9') && c != '-') return false;
      tld_has_alpha |= alpha;
    }
    ++labels;
    start = end + 1;
  }
  return labels >= 2 && tld_has_alpha;
}

bool IsCnMobileDigits(std::string_view d) {
  return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

// The 11-digit national number when `text` is a Chinese mobile written in one of the
// unambiguous forms (+86 / 0086 / 86 prefix, or bare in region CN); empty otherwise.
std::string_view CnMobileNational(std::string_view text, std::string_view digits, std::string_view region) {
  size_t plus = text.find('+');
  if (plus != std::string_view::npos && text.find_first_of("0123456789") < plus) return {};
  if (plus != std::string_view::npos) {
    if (digits.size() == 13 && digits.starts_with("86") && IsCnMobileDigits(digits.substr(2))) return digits.substr(2);
    return {};
  }
  if (digits.size() == 15 && digits.starts_with("0086") && IsCnMobileDigits(digits.substr(4))) return digits.substr(4);
  if (region != "CN") return {};
  if (IsCnMobileDigits(digits)) return digits;
  if (digits.size() == 13 && digits.starts_with("86") && IsCnMobileDigits(digits.substr(2))) return digits.substr(2);
  return {};
}

// libphonenumber's verdict on a Chinese mobile, memoized by its first 6 digits: the
// CN mobile ranges in libphonenumber's metadata are decided by at most the first five
// digits (e.g. 1740[0-5]; checked over every 5-digit prefix when this was written), so
// numbers sharing 6 leading digits share validity. identifier_test compares the two on
// a random sample.
bool IsValidCnMobile(std::string_view national) {
  static std::atomic<uint8_t> memo[100000];  // by digits 2-6; 0 unknown, 1 valid, 2 invalid
  uint32_t prefix = 0;
  for (size_t i = 1; i < 6; ++i) prefix = prefix * 10 + static_cast<uint32_t>(national[i] - '0');
  uint8_t known = memo[prefix].load(std::memory_order_relaxed);
  if (known) return known == 1;
  PhoneNumber number;
  number.set_country_code(86);
  uint64_t n = 0;
  for (char c : national) n = n * 10 + static_cast<uint64_t>(c - '0');
  number.set_national_number(n);
  bool valid = Phones().IsValidNumber(number);
  memo[prefix].store(valid ? 1 : 2, std::memory_order_relaxed);
  return valid;
}

}  // namespace

std::string_view KindName(IdKind kind) { return kind == IdKind::kEmail ? "email" : "phone"; }

Result<InputKind> ParseInputKind(std::string_view name) {
  if (name == "auto") return InputKind::kAuto;
  if (name == "email") return InputKind::kEmail;
  if (name == "phone") return InputKind::kPhone;
  if (name == "apple_id") return InputKind::kAppleId;
  return Fail(Error::Invalid("unknown kind '" + std::string(name) + "' (auto, email, phone, apple_id)"));
}

bool IsValidAsciiEmailSyntax(std::string_view email) {
  if (email.size() > 254) return false;
  size_t at = email.rfind('@');
  if (at == std::string_view::npos) return false;
  return IsValidLocal(email.substr(0, at)) && IsValidAsciiDomain(email.substr(at + 1));
}

bool IsValidAsciiEmail(std::string_view email) {
  return IsValidAsciiEmailSyntax(email) && EndsInPublicTld(email);
}

Normalizer::Normalizer(NormalizerOptions options) : options_(std::move(options)) { Phones(); }

Result<std::string> Normalizer::Email(std::string_view raw) const {
  std::string_view s = Trim(raw);
  if (s.empty()) return Fail(Error::Invalid("empty"));
  std::string folded;
  if (IsAscii(s)) {
    folded.assign(s);
    for (char& c : folded)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  } else {
    auto f = FoldUnicode(s);
    if (!f) return Fail(f.error());
    folded = std::move(*f);
  }
  size_t at = folded.rfind('@');
  if (at == std::string::npos) return Fail(Error::Invalid("not an email address (no '@')"));
  std::string local = folded.substr(0, at);
  std::string domain = folded.substr(at + 1);
  if (!IsAscii(domain)) {
    char* out = nullptr;
    int rc = idn2_to_ascii_8z(domain.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    std::unique_ptr<char, FreeDeleter> owned(out);
    if (rc != IDN2_OK) return Fail(Error::Invalid(std::string("bad internationalized domain: ") + idn2_strerror(rc)));
    domain = owned.get();
  }
  if (!IsValidLocal(local)) return Fail(Error::Invalid("bad local part"));
  if (!IsValidAsciiDomain(domain)) return Fail(Error::Invalid("bad domain"));
  if (!EndsInPublicTld(domain))
    return Fail(Error::Invalid("domain does not end in a public suffix (Public Suffix List)"));
  std::string email = local + "@" + domain;
  if (email.size() > 254) return Fail(Error::Invalid("longer than 254 characters"));
  return email;
}

Result<std::string> Normalizer::Phone(std::string_view raw) const {
  std::string_view s = Trim(raw);
  if (s.empty()) return Fail(Error::Invalid("empty"));
  std::string text;
  if (IsAscii(s)) {
    text.assign(s);
  } else {
    auto f = FoldUnicode(s);  // fullwidth digits and plus sign become ASCII
    if (!f) return Fail(f.error());
    text = std::move(*f);
  }
  size_t digits = 0;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '+' && c != '/') {
      return Fail(Error::Invalid("not a phone number (unexpected character)"));
    }
  }
  if (digits < 5 || digits > 17) return Fail(Error::Invalid("not a phone number (wrong number of digits)"));

  std::string only_digits;
  for (char c : text)
    if (c >= '0' && c <= '9') only_digits.push_back(c);

  // Chinese mobiles, by far the most common shape, skip libphonenumber's parser (~14 µs).
  if (std::string_view national = CnMobileNational(text, only_digits, options_.default_region); !national.empty()) {
    if (!IsValidCnMobile(national)) return Fail(Error::Invalid("not a valid phone number for region CN"));
    return "+86" + std::string(national);
  }

  const PhoneNumberUtil& util = Phones();
  auto try_parse = [&](const std::string& candidate, std::string* e164) {
    PhoneNumber number;
    if (util.Parse(candidate, options_.default_region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
    if (!util.IsValidNumber(number)) return false;
    util.Format(number, PhoneNumberUtil::E164, e164);
    return true;
  };
  std::string e164;
  if (try_parse(text, &e164)) return e164;
  // "0086 138..." in a region whose international prefix is not 00, and "86-138...":
  // a country code written without '+'.
  if (only_digits.starts_with("00") && try_parse(std::string("+").append(only_digits, 2), &e164)) return e164;
  if (text.find('+') == std::string::npos && try_parse("+" + only_digits, &e164)) return e164;
  return Fail(Error::Invalid("not a valid phone number for region " + options_.default_region));
}

bool Normalizer::PhoneForLookup(std::string_view raw, std::string* e164) const {
  // "+" and up to 17 digits, on the stack: the fast paths allocate nothing.
  char buf[1 + 17];
  size_t len = 1;
  bool plus = false;
  for (char c : raw) {
    if (c >= '0' && c <= '9') {
      if (len == sizeof buf) return false;
      buf[len++] = c;
    } else if (c == '+' && len == 1) {
      plus = true;
    }
  }
  std::string_view digits(buf + 1, len - 1);
  if (digits.size() < 5) return false;
  if (!plus && digits.starts_with("00")) {
    digits.remove_prefix(2);
    plus = true;
  }
  auto is_cn_mobile = [](std::string_view d) {
    return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
  };
  // "+", then `country_code`, then the digits.
  char international[1 + 2 + 17];
  auto international_form = [&](std::string_view country_code) {
    international[0] = '+';
    std::memcpy(international + 1, country_code.data(), country_code.size());
    std::memcpy(international + 1 + country_code.size(), digits.data(), digits.size());
    return std::string_view(international, 1 + country_code.size() + digits.size());
  };
  auto accept = [&](std::string_view country_code) {
    e164->assign(international_form(country_code));
    return true;
  };
  if (plus) {
    // Chinese landlines go to the parser (trunk prefix rules).
    if (!digits.starts_with("86") || is_cn_mobile(digits.substr(2))) return accept("");
  } else if (options_.default_region == "CN") {
    if (is_cn_mobile(digits)) return accept("86");
    if (digits.size() == 13 && digits.starts_with("86") && is_cn_mobile(digits.substr(2))) return accept("");
  }
  const PhoneNumberUtil& util = Phones();
  PhoneNumber number;
  std::string text(plus ? international_form("") : digits);
  if (util.Parse(text, options_.default_region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
  util.Format(number, PhoneNumberUtil::E164, e164);
  return true;
}

Result<Identifier> Normalizer::Normalize(std::string_view raw, InputKind kind) const {
  bool email = kind == InputKind::kEmail ||
               ((kind == InputKind::kAuto || kind == InputKind::kAppleId) &&
                (raw.find('@') != std::string_view::npos || raw.find("\xef\xbc\xa0") != std::string_view::npos));
  if (email) {
    auto e = Email(raw);
    if (!e) return Fail(e.error());
    return Identifier{IdKind::kEmail, std::move(*e)};
  }
  auto p = Phone(raw);
  if (!p) return Fail(p.error());
  return Identifier{IdKind::kPhone, std::move(*p)};
}

std::string Hint(const Identifier& id) {
  const std::string& v = id.value;
  if (id.kind == IdKind::kEmail) {
    size_t at = v.rfind('@');
    std::string_view local = std::string_view(v).substr(0, at);
    // Count characters, not bytes, so a multi-byte first or last letter stays whole.
    auto char_size = [&](size_t i) {
      unsigned char c = static_cast<unsigned char>(local[i]);
      size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
      return std::min(n, local.size() - i);
    };
    size_t count = 0, last = 0;
    for (size_t i = 0; i < local.size(); i += char_size(i)) {
      last = i;
      ++count;
    }
    std::string out;
    out.reserve(local.size() + v.size() - std::min(at, v.size()) + 1);
    if (count <= 2) {
      if (count == 2) out.append(local.substr(0, char_size(0)));
      out += '*';
    } else {
      out.append(local.substr(0, char_size(0)));
      out.append(count - 2, '*');
      out.append(local.substr(last));
    }
    out.append(std::string_view(v).substr(at));
    return out;
  }
  // Phone: "+" country code, stars, last two digits. Country codes are prefix-free: the
  // first of the number's 1-, 2- and 3-digit prefixes that is one is its code (a table
  // made once: parsing each number again cost enrollment more than hashing it).
  static const std::array<bool, 1000> kIsCountryCode = [] {
    std::array<bool, 1000> t{};
    for (int cc = 1; cc < 1000; ++cc) {
      std::string region;
      Phones().GetRegionCodeForCountryCode(cc, &region);
      t[cc] = region != "ZZ";
    }
    return t;
  }();
  size_t cc_len = 1;
  for (size_t k = 1, cc = 0; k <= 3 && k < v.size() && v[k] >= '0' && v[k] <= '9'; ++k) {
    cc = cc * 10 + static_cast<size_t>(v[k] - '0');
    if (kIsCountryCode[cc]) {
      cc_len = k;
      break;
    }
  }
  if (v.size() < 1 + cc_len + 3) return v.substr(0, 1 + cc_len) + "***";
  return v.substr(0, 1 + cc_len) + std::string(v.size() - 1 - cc_len - 2, '*') + v.substr(v.size() - 2);
}

}  // namespace lw
