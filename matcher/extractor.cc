#include "matcher/extractor.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <optional>

#include "base/public_suffix.h"
#include "matcher/decoders.h"
#include "matcher/records.h"
#include "matcher/scan_util.h"

namespace lw {
namespace {

using scan::Find;
using scan::Is;
using scan::IsAlnum;
using scan::IsDigit;
using scan::kAlpha;
using scan::kDomain;
using scan::kLocal;
using scan::kSpace;

constexpr std::string_view kTagEmail = "email";
constexpr std::string_view kTagPhone = "phone";
constexpr std::string_view kTagMd5 = "md5";
constexpr std::string_view kTagSha1 = "sha1";
constexpr std::string_view kTagSha256 = "sha256";

constexpr size_t kMaxLocal = 64;
constexpr size_t kMaxDomain = 253;
constexpr size_t kMaxPhoneDigits = 17;  // PhoneForLookup's own limit
constexpr size_t kMinPhoneDigits = 7;   // the fewest any rule in ScanPhones accepts
constexpr size_t kFoldReach = 320;      // bytes around a fullwidth character that are folded

// Lower is stronger evidence; deduplication keeps the strongest.
int Strength(MatchKind m) {
  switch (m) {
    case MatchKind::kExact: return 0;
    case MatchKind::kAlias: return 1;
    case MatchKind::kObfuscated: return 2;
    case MatchKind::kEncoded: return 3;
    case MatchKind::kHashed: return 4;
  }
  return 5;
}
MatchKind Weaker(MatchKind a, MatchKind b) { return Strength(a) >= Strength(b) ? a : b; }

bool IsUpperAscii(char c) { return c >= 'A' && c <= 'Z'; }
void LowerAscii(std::string* s) {
  for (char& c : *s)
    if (IsUpperAscii(c)) c = static_cast<char>(c + 32);
}
bool IsHigh(char c) { return static_cast<unsigned char>(c) >= 0x80; }

bool EqualsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (scan::ToLower(a[i]) != lower[i]) return false;
  return true;
}

bool IsCnMobile(std::string_view d) { return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'; }

// True for "158.21.106.230": four '.'-separated groups of 1-3 digits, each at most 255.
// Dots also group phone digits ("138.1234.5678"), but a dotted quad is an IPv4 address.
bool IsDottedQuad(std::string_view s) {
  int groups = 0;
  for (size_t i = 0;;) {
    size_t j = i;
    int value = 0;
    while (j < s.size() && j - i <= 3 && IsDigit(s[j])) value = value * 10 + (s[j++] - '0');
    if (j == i || j - i > 3 || value > 255) return false;
    ++groups;
    if (j == s.size()) return groups == 4;
    if (s[j] != '.') return false;
    i = j + 1;
  }
}

// The code point of the UTF-8 character that ends just before s[i], or 0.
uint32_t CodePointBefore(std::string_view s, size_t i) {
  size_t j = i;
  while (j > 0 && i - j < 4 && (static_cast<unsigned char>(s[j - 1]) & 0xC0) == 0x80) --j;
  if (j == 0) return 0;
  --j;
  auto c = static_cast<unsigned char>(s[j]);
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (len != i - j) return 0;
  uint32_t cp = c & (0x7F >> len);
  for (size_t k = j + 1; k < i; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[k]) & 0x3F);
  return cp;
}
// Latin (with diacritics), Greek and Cyrillic letters: glue that makes a longer word.
// CJK text writes identifiers right after ideographs with no space; that is not glue.
bool IsAlphabeticLetter(uint32_t cp) { return (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) || (cp >= 0x370 && cp <= 0x4FF); }

bool IsDashOrUnderscore(char c) { return c == '-' || c == '_'; }

// True for a top-level label: letters only, or punycode ("xn--" and LDH), in the Public
// Suffix List. `label` may be in either case.
bool IsTld(std::string_view label) {
  if (label.size() < 2 || label.size() > 63) return false;
  char lower[64];
  bool punycode = label.size() > 4 && EqualsIgnoreCase(label.substr(0, 4), "xn--");
  for (size_t i = 0; i < label.size(); ++i) {
    char c = scan::ToLower(label[i]);
    if (!(c >= 'a' && c <= 'z') && !(punycode && (IsDigit(c) || c == '-'))) return false;
    lower[i] = c;
  }
  return IsPublicTld(std::string_view(lower, label.size()));
}

// How much of `run`, the LDH bytes after an address's '@', is its domain: all of it when
// its last label is a public suffix; else the longest prefix, cut at a '-' or at a
// letter followed by a digit, whose last label is one ("icloud.com----abc12345" and
// "qq.com-pw" end after "com"); else 0 (no domain).
size_t DomainLength(std::string_view run) {
  size_t dot = run.size();
  while (dot > 0 && run[dot - 1] != '.') --dot;
  if (dot <= 1) return 0;  // no dot, or nothing before it
  if (IsTld(run.substr(dot))) return run.size();
  size_t first_dot = run.find('.');
  // The common cut first: a combo's "--" delimiter, which no hostname label holds but
  // punycode's "xn--" prefix ("icloud.com----abc12345"). A label of letters before it is
  // taken as is: like any all-letter label, Record checks it against the list.
  size_t dashes = run.find("--", first_dot);
  while (dashes != std::string_view::npos && dashes >= 2 && (run[dashes - 1] | 0x20) == 'n' &&
         (run[dashes - 2] | 0x20) == 'x' && (dashes == 2 || run[dashes - 3] == '.'))
    dashes = run.find("--", dashes + 2);
  if (dashes != std::string_view::npos) {
    size_t d = dashes;
    while (d > 0 && run[d - 1] != '.') --d;
    std::string_view label = run.substr(d, dashes - d);
    if (d > first_dot && label.size() >= 2 && std::all_of(label.begin(), label.end(), [](char c) { return Is(kAlpha, c); }))
      return dashes;
  }
  for (size_t k = run.size() - 1; k > first_dot + 2; --k) {
    bool cut = (run[k] == '-' && run[k - 1] != '-') || (IsDigit(run[k]) && Is(kAlpha, run[k - 1]));
    if (!cut) continue;
    size_t d = k;
    while (d > 0 && run[d - 1] != '.') --d;
    if (d > first_dot && IsTld(run.substr(d, k - d))) return k;
  }
  return 0;
}
// True when the LDH run s[at + 1, de) has a dot and its last label is 2 to 63 letters.
bool TldIsLetters(std::string_view s, size_t at, size_t de) {
  size_t i = de;
  while (i > at + 1 && Is(kAlpha, s[i - 1])) --i;
  return de - i >= 2 && de - i <= 63 && i > at + 2 && s[i - 1] == '.';
}

size_t DomainEnd(std::string_view s, size_t at, size_t de) {
  return at + 1 + DomainLength(s.substr(at + 1, de - at - 1));
}

// ---------------------------------------------------------------------------------------
// Obfuscation tokens: "[at]", "( at )", "{AT}", "[@]", "[dot]", "(.)".

char CloseOf(char open) {
  switch (open) {
    case '[': return ']';
    case '(': return ')';
    case '{': return '}';
    default: return 0;
  }
}

// If s[p] opens a bracketed `word` (case-insensitive) or `symbol`, with up to two spaces
// inside on each side, returns one past the closing bracket; else 0.
size_t MatchToken(std::string_view s, size_t p, std::string_view word, char symbol) {
  char close = p < s.size() ? CloseOf(s[p]) : 0;
  if (close == 0) return 0;
  size_t j = p + 1, n = s.size();
  for (int k = 0; k < 2 && j < n && s[j] == ' '; ++k) ++j;
  if (j < n && s[j] == symbol) {
    ++j;
  } else if (j + word.size() <= n && EqualsIgnoreCase(s.substr(j, word.size()), word)) {
    j += word.size();
  } else {
    return 0;
  }
  for (int k = 0; k < 2 && j < n && s[j] == ' '; ++k) ++j;
  return j < n && s[j] == close ? j + 1 : 0;
}

// If a dot token ends just before s[q], returns its start; else npos.
size_t MatchDotTokenBefore(std::string_view s, size_t q) {
  for (size_t back = 3; back <= 9 && back <= q; ++back) {
    size_t p = q - back;
    if (CloseOf(s[p]) != 0 && MatchToken(s, p, "dot", '.') == q) return p;
  }
  return std::string_view::npos;
}

size_t SkipSpacesBack(std::string_view s, size_t i, int max) {
  for (int k = 0; k < max && i > 0 && s[i - 1] == ' '; ++k) --i;
  return i;
}
size_t SkipSpaces(std::string_view s, size_t i, int max) {
  for (int k = 0; k < max && i < s.size() && s[i] == ' '; ++k) ++i;
  return i;
}

// A cheap hash for the per-call deduplication table (not for anything keyed).
uint32_t HashValue(std::string_view tag, std::string_view value) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ (tag.size() << 8) ^ static_cast<unsigned char>(tag[0]);
  size_t i = 0;
  for (; i + 8 <= value.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, value.data() + i, 8);
    h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  }
  // The last 8 bytes (overlapping the loop's) in one load when there are 8: a load
  // spanning several smaller stores would wait for them.
  uint64_t w = 0;
  if (value.size() >= 8) {
    std::memcpy(&w, value.data() + value.size() - 8, 8);
  } else {
    std::memcpy(&w, value.data(), value.size());
  }
  h = (h ^ w ^ value.size()) * 0xC4CEB9FE1A85EC53ull;
  return static_cast<uint32_t>(h ^ (h >> 29));
}

}  // namespace

std::string_view MatchKindName(MatchKind kind) {
  switch (kind) {
    case MatchKind::kExact: return "exact";
    case MatchKind::kAlias: return "alias";
    case MatchKind::kObfuscated: return "obfuscated";
    case MatchKind::kEncoded: return "encoded";
    case MatchKind::kHashed: return "hashed";
  }
  return "unknown";
}

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kCredential ? "credential" : "exposure";
}

// ---------------------------------------------------------------------------------------

namespace {

// A buffer being scanned: the input itself, a UTF-16 transcoding of it, a folded window
// of it, or decoded bytes. Map() turns a position in `text` into an offset in the input.
struct Frame {
  std::string_view text;
  int depth = 0;                                // decoding layers above this buffer
  MatchKind match = MatchKind::kExact;          // the weakest kind a candidate here can have
  const Frame* parent = nullptr;
  size_t parent_pos = 0;                        // where this buffer starts in the parent
  bool constant = false;                        // decoded: every position maps to parent_pos
  const std::vector<uint32_t>* rel = nullptr;   // position -> position in the parent (or input)
  bool fold_window = false;                     // accept only candidates that span a folded char

  uint64_t Map(size_t i) const {
    if (constant) return parent->Map(parent_pos);
    size_t j = rel ? (*rel)[i] : i;
    return parent ? parent->Map(parent_pos + j) : j;
  }
};

}  // namespace

class Extractor::Scan {
 public:
  Scan(const Extractor& extractor, std::vector<Candidate>* out, size_t text_size, const CandidateFilter* filter,
       std::string_view head)
      : options_(extractor.options_), normalizer_(extractor.normalizer_), out_(out), first_(out->size()),
        filter_(filter), head_(head) {
    // Sized for one candidate per 64 bytes at half load (dense leaks: one per ~66); small
    // enough to stay in cache. A filter keeps few: start small and grow.
    size_t slots = filter ? 64 : std::bit_ceil(std::clamp<size_t>(text_size / 32, 64, size_t{1} << 20));
    slots_.swap(ScratchSlots());  // reused: a fresh table per call costs page faults
    slots_.assign(slots, Slot{});
    cn_ = normalizer_.options().default_region == "CN";
  }

  ~Scan() {
    ScratchSlots().swap(slots_);
  }

  void Run(std::string_view text) {
    auto* s = reinterpret_cast<const unsigned char*>(text.data());
    if (text.size() >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
      std::string utf8;
      std::vector<uint32_t> rel;
      Utf16ToUtf8(text.substr(2), /*little_endian=*/s[0] == 0xFF, &utf8, &rel);
      for (auto& r : rel) r += 2;
      Frame frame{.text = utf8, .rel = &rel};
      ScanFrame(frame);
    } else {
      ScanFrame(Frame{.text = text});
    }
    Flush();  // a no-op (the frame flushed its own candidates), so that nothing is ever left
  }

 private:
  struct Slot {
    uint32_t index_plus_one = 0;
    uint32_t hash = 0;
  };
  // A candidate waiting for the filter. Its frame is alive until that frame's ScanFrame
  // returns, which flushes both batches.
  struct Pending {
    const Frame* frame;
    size_t begin, end;
    IdKind kind;
    std::string_view tag;
    MatchKind match;
  };
  static constexpr size_t kMaxPendingValue = kMaxLocal + 1 + kMaxDomain;
  // Candidates waiting for the filter, in two batches: one filling, the other prepared
  // (or empty) and decided when the filling one is full.
  struct Batch {
    Pending pending[CandidateFilter::kMaxBatch];
    Probe probes[CandidateFilter::kMaxBatch];
    // Padded: a finder lowers a value straight into its slot 16 bytes at a time.
    char values[CandidateFilter::kMaxBatch][kMaxPendingValue + 16];
    CandidateFilter::Ahead ahead;
    size_t size = 0;
  };

  static std::vector<Slot>& ScratchSlots() {
    thread_local std::vector<Slot> slots;
    return slots;
  }

  void ScanFrame(const Frame& f) {
    if (options_.emails) ScanEmails(f);
    if (options_.phones) ScanPhones(f);
    if (options_.emails) ScanQqNumbers(f);
    bool decode = options_.decode && f.depth < options_.max_decode_depth && !f.fold_window;
    std::vector<EncodedSegment> segments;
    if (decode) {
      ScanBase64Runs(f, &segments);  // and the hex digests, inside the runs of 32 or more
    } else if (options_.hashes) {
      ScanHashes(f, 0, f.text.size());
    }
    if (options_.obfuscations) {
      ScanBracketObfuscations(f);
      if (!f.fold_window) ScanFullwidth(f);
    }
    if (decode) {
      FindEscapedSegments(f.text, &segments);
      ScanEncoded(f, segments);
    }
    // Pending candidates of this frame point into its buffer, which is about to go. They
    // are the newest pending ones: a frame's children flushed theirs when they ended,
    // and its ancestors' are older. A frame that left none (most decoded and folded
    // frames) leaves the batches as they are, so lookups stay a batch ahead.
    if (NewestPendingFrame() == &f) Flush();
    if (reader_ && reader_->text().data() == f.text.data()) reader_.reset();  // its buffer is about to go
  }

  // --- emails ---------------------------------------------------------------------------

  void ScanEmails(const Frame& f) {
    std::string_view s = f.text;
    size_t n = s.size();
    scan::ForEachByte(s.data(), n, '@', [&](size_t at) {
      size_t b = at, e = at + 1;
      bool windows = at >= 64 && n - e >= 64;  // 64 bytes on either side: true for most tokens
      scan::EmailWindow w{};  // filled when `windows`
      // The byte loops below run only where a class run fills its window (a run of 64
      // bytes or more, rare): elsewhere the masks found where it ends.
      bool local_open = true, domain_open = true;
      if (windows) {
        w = scan::EmailWindowAround(s.data(), at);
        const int local_run = std::countl_one(w.local), domain_run = std::countr_one(w.domain);
        b -= static_cast<size_t>(local_run);
        e += static_cast<size_t>(domain_run);
        local_open = local_run == 64;
        domain_open = domain_run == 64;
      }
      if (local_open)
        while (b > 0 && at - b <= kMaxLocal && Is(kLocal, s[b - 1])) --b;
      bool local_ok = at - b <= kMaxLocal;
      while (b < at && s[b] == '.') ++b;
      // "\nname@" in SQL and JSON strings: the escape is not part of the address.
      if (b < at && b > 0 && s[b - 1] == '\\' && std::string_view("nrtbfv0").find(s[b]) != std::string_view::npos) {
        size_t slashes = 0;
        while (slashes < b && s[b - 1 - slashes] == '\\') ++slashes;
        if (slashes % 2 == 1) ++b;
      }
      if (domain_open)
        while (e < n && e - at <= kMaxDomain && Is(kDomain, s[e])) ++e;
      bool domain_ok = e - at <= kMaxDomain;
      size_t de = e;
      while (de > at + 1 && (s[de - 1] == '.' || s[de - 1] == '-')) --de;
      // A domain ends where a public suffix ends. A last label of letters is the common
      // case, left for Record to check against the list once the filter has kept it.
      if (!TldIsLetters(s, at, de)) de = DomainEnd(s, at, de);
      // A run of two or more '-' or '_' is a record's delimiter ("Abc12345----name@"),
      // not part of the local part.
      if (windows && at - b >= 2 && at - b <= 64) {
        // Bit i of pairs: bytes at - 64 + i and the one after it are both delimiters;
        // only pairs from b on count, and the last one ends the delimiter.
        const uint64_t pairs = w.local_delims & (w.local_delims >> 1) & (~uint64_t{0} << (64 - (at - b)));
        if (pairs != 0) b = at - 64 + static_cast<size_t>(std::bit_width(pairs)) + 1;
      } else {
        for (size_t k = at; k > b + 1; --k) {
          if (IsDashOrUnderscore(s[k - 1]) && IsDashOrUnderscore(s[k - 2])) {
            b = k;
            break;
          }
        }
      }

      if (options_.obfuscations && local_ok && domain_ok) {
        size_t after = SkipSpaces(s, e, 2);
        size_t before = SkipSpacesBack(s, b, 2);
        bool bracket_after = after < n && CloseOf(s[after]) != 0;
        bool bracket_before = before > 0 && (s[before - 1] == ']' || s[before - 1] == ')' || s[before - 1] == '}');
        if ((bracket_after || bracket_before) && TryObfuscatedEmail(f, at, at + 1, /*at_obfuscated=*/false)) return;
      }
      bool glued_letter = b > 0 && IsHigh(s[b - 1]) && IsAlphabeticLetter(CodePointBefore(s, b));
      if (local_ok && domain_ok && b < at && de > at + 1 && !glued_letter) {
        // Lower-cased straight into the next batch slot (or on the stack when there is no
        // batch): copying it there afterwards read 16-byte words over the lowering's
        // single-byte stores, a failed store forward that stalled each address (~30 % of
        // this function's samples).
        char stack_lower[kMaxLocal + 1 + kMaxDomain + 15];
        char* lower = SlotFor(f, de - b, stack_lower);
        scan::LowerAscii(s.data(), b, de, n, lower);
        std::string_view value(lower, de - b);
        bool valid = windows && de - at - 1 <= 64 ? scan::IsValidEmailMasks(scan::EmailMasksAround(w, b, at, de))
                                                  : scan::IsValidEmailToken(value, at - b);
        if (valid) Emit(f, b, de, IdKind::kEmail, kTagEmail, value, MatchKind::kExact);
      }
      if ((b > 0 && IsHigh(s[b - 1])) || (e < n && IsHigh(s[e]))) UnicodeEmail(f, at);
    });
  }

  // An address with non-ASCII characters next to (or in) it: the whole UTF-8 token
  // through Normalizer::Email. Fullwidth forms are left to ScanFullwidth.
  void UnicodeEmail(const Frame& f, size_t at) {
    std::string_view s = f.text;
    size_t b = at;
    while (b > 0 && at - b <= 4 * kMaxLocal && (Is(kLocal, s[b - 1]) || IsHigh(s[b - 1]))) --b;
    size_t e = at + 1;
    while (e < s.size() && e - at <= 4 * kMaxDomain && (Is(kDomain, s[e]) || IsHigh(s[e]))) ++e;
    while (e > at + 1 && (s[e - 1] == '.' || s[e - 1] == '-')) --e;
    if (b == at || e == at + 1) return;
    std::string_view token = s.substr(b, e - b);
    if (token.find("\xEF\xBC") != std::string_view::npos || token.find("\xEF\xBD") != std::string_view::npos) return;
    auto email = normalizer_.Email(token);
    if (email) Emit(f, b, e, IdKind::kEmail, kTagEmail, *email, MatchKind::kExact);
  }

  // "name [at] example [dot] com" and friends, around an at-token s[at_begin, at_end)
  // (a bracketed "at", or a plain '@' followed or preceded by dot tokens). Emits and
  // returns true when an obfuscated address was found.
  bool TryObfuscatedEmail(const Frame& f, size_t at_begin, size_t at_end, bool at_obfuscated) {
    std::string_view s = f.text;
    size_t n = s.size();
    bool used = at_obfuscated;

    std::string local;
    size_t i = SkipSpacesBack(s, at_begin, at_obfuscated ? 2 : 0);
    size_t start = i;
    for (int tokens = 0; tokens < 8; ++tokens) {
      size_t j = i;
      while (j > 0 && i - j < kMaxLocal && Is(kLocal, s[j - 1])) --j;
      local.insert(0, s.substr(j, i - j));
      start = j;
      i = j;
      size_t k = SkipSpacesBack(s, i, 2);
      size_t t = MatchDotTokenBefore(s, k);
      if (t == std::string_view::npos) break;
      size_t w = SkipSpacesBack(s, t, 2);
      if (w == 0 || !IsAlnum(s[w - 1])) break;
      local.insert(local.begin(), '.');
      used = true;
      i = w;
    }
    while (!local.empty() && local.front() == '.') local.erase(0, 1);

    std::string domain;
    i = SkipSpaces(s, at_end, at_obfuscated ? 2 : 0);
    size_t end = i;
    for (int tokens = 0; tokens < 8; ++tokens) {
      size_t j = i;
      while (j < n && j - i < kMaxDomain && Is(kDomain, s[j])) ++j;
      domain.append(s.substr(i, j - i));
      end = i = j;
      size_t k = SkipSpaces(s, i, 2);
      size_t t = MatchToken(s, k, "dot", '.');
      if (t == 0) break;
      size_t w = SkipSpaces(s, t, 2);
      if (w >= n || !IsAlnum(s[w])) break;
      domain.push_back('.');
      used = true;
      i = w;
    }
    size_t raw_size = domain.size();
    while (!domain.empty() && (domain.back() == '.' || domain.back() == '-')) {
      domain.pop_back();
    }
    domain.resize(DomainLength(domain));
    if (domain.size() < raw_size && raw_size - domain.size() < end) end -= raw_size - domain.size();  // cut in the last token
    if (!used || local.empty() || domain.empty() || domain.size() > kMaxDomain) return false;
    std::string value = local + "@" + domain;
    LowerAscii(&value);
    if (!IsValidAsciiEmail(value)) return false;
    Emit(f, start, end, IdKind::kEmail, kTagEmail, value, MatchKind::kObfuscated);
    return true;
  }

  void ScanBracketObfuscations(const Frame& f) {
    std::string_view s = f.text;
    size_t n = s.size();
    for (size_t p = scan::FindAtTokenOpen(s.data(), 0, n); p < n; p = scan::FindAtTokenOpen(s.data(), p + 1, n)) {
      size_t end = MatchToken(s, p, "at", '@');
      if (end != 0) TryObfuscatedEmail(f, p, end, /*at_obfuscated=*/true);
    }
  }

  // Windows around fullwidth characters, folded to ASCII and scanned again.
  void ScanFullwidth(const Frame& f) {
    std::string_view s = f.text;
    size_t n = s.size();
    // The ASCII twin of the fullwidth form at s[p] (EF BC 81..BF is U+FF01..U+FF3F, EF BD
    // 80..9E is U+FF40..U+FF5E), or 0.
    auto twin_at = [&](size_t p) -> char {
      if (p + 2 >= n) return 0;
      auto b1 = static_cast<unsigned char>(s[p + 1]), b2 = static_cast<unsigned char>(s[p + 2]);
      if (b1 == 0xBC && b2 >= 0x81 && b2 <= 0xBF) return static_cast<char>(b2 - 0x81 + 0x21);
      if (b1 == 0xBD && b2 >= 0x80 && b2 <= 0x9E) return static_cast<char>(b2 - 0x80 + 0x60);
      return 0;
    };
    // Only a fullwidth form that can be part of an identifier opens a window: Chinese
    // prose is full of fullwidth commas, colons and brackets, which alone never make one.
    // A bracket counts when "at" or "dot" (either width) follows it.
    auto fullwidth_at = [&](size_t p) {
      char c = twin_at(p);
      if (c == '@' || Is(kLocal, c)) return true;
      if (CloseOf(c) == 0) return false;
      size_t q = p + 3;
      if (q < n && (scan::ToLower(s[q]) == 'a' || scan::ToLower(s[q]) == 'd')) return true;
      char next = q < n && s[q] == '\xEF' ? scan::ToLower(twin_at(q)) : 0;
      return next == 'a' || next == 'd';
    };
    std::string folded;
    std::vector<uint32_t> rel;
    size_t p = Find(s.data(), 0, n, '\xEF');
    while (p < n) {
      if (!fullwidth_at(p)) {
        p = Find(s.data(), p + 1, n, '\xEF');
        continue;
      }
      size_t begin = p - std::min(p, kFoldReach);
      while (begin < p && (static_cast<unsigned char>(s[begin]) & 0xC0) == 0x80) ++begin;
      size_t last = p + 3;
      for (size_t q = Find(s.data(), last, n, '\xEF'); q < n && q < last + kFoldReach;
           q = Find(s.data(), q + 1, n, '\xEF')) {
        if (fullwidth_at(q)) last = q + 3;
      }
      size_t end = std::min(n, last + kFoldReach);
      while (end < n && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
      FoldFullwidth(s.substr(begin, end - begin), &folded, &rel);
      Frame window{.text = folded,
                   .depth = f.depth,
                   .match = Weaker(f.match, MatchKind::kObfuscated),
                   .parent = &f,
                   .parent_pos = begin,
                   .rel = &rel,
                   .fold_window = true};
      ScanFrame(window);
      p = Find(s.data(), end, n, '\xEF');
    }
  }

  // --- phones ---------------------------------------------------------------------------

  // s[begin, end) (at most kMaxPhoneDigits bytes) to out, which has 16 bytes more room:
  // a fixed 16-byte move where s has them, instead of a libc call per digit group.
  static void CopyDigits(char* out, std::string_view s, size_t begin, size_t end) {
    if (begin + 16 <= s.size() && end - begin <= 16) {
      std::memcpy(out, s.data() + begin, 16);
    } else {
      std::memcpy(out, s.data() + begin, end - begin);
    }
  }

  static bool IsPhoneSeparator(char c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')'; }

  void ScanPhones(const Frame& f) {
    std::string_view s = f.text;
    size_t n = s.size();
    size_t no_group_until = 0;  // runs inside a rejected grouped number are not regrouped
    size_t i = 0;
    char digits[kMaxPhoneDigits + 16];  // the digits of a grouped number, without separators
    size_t num_digits = 0;
    // Every phone has at least kMinPhoneDigits digits, grouped only by phone characters:
    // shorter runs of those cannot hold one, nor start a group that would.
    scan::ForEachRun<scan::kPhone, kMinPhoneDigits>(s.data(), n, [&](size_t span_begin, size_t span_end) {
      i = std::max(i, span_begin);
      while ((i = scan::FindDigit(s.data(), i, span_end, n)) < span_end) {
        const size_t rb = i, re = scan::DigitRunEnd(s.data(), i, n);
        i = re;
        if (re - rb > kMaxPhoneDigits) continue;  // order ids, card and ID numbers, ...

        char prev = rb > 0 ? s[rb - 1] : ' ';
        bool plus = prev == '+';
        size_t start = plus ? rb - 1 : rb;
        char before = start > 0 ? s[start - 1] : ' ';
        if (plus ? IsAlnum(before) : Is(kAlpha, before)) continue;
        if (before == '(' && start > 0) --start;
        char after = re < n ? s[re] : ' ';

        // The run on its own.
        std::string_view run = s.substr(rb, re - rb);
        bool alone = false;
        if (!Is(kAlpha, after)) {
          if (plus) {
            alone = run.size() >= 8 && run.size() <= 15;
          } else if (cn_) {
            alone = IsCnMobile(run) || (run.size() == 13 && run.starts_with("86") && IsCnMobile(run.substr(2))) ||
                    (run.size() == 15 && run.starts_with("0086") && IsCnMobile(run.substr(4)));
          } else {
            alone = run.size() >= 11 && run.starts_with("00");
          }
        }
        if (alone) {
          EmitPhone(f, start, re);
          continue;
        }
        if (rb < no_group_until) continue;

        // Groups: "+86 138 1234 5678", "(+86) 138-1234-5678", "+1 (415) 555-2671".
        CopyDigits(digits, s, rb, re);
        num_digits = run.size();
        size_t end = re;
        size_t groups = 1;
        bool overlong = false, dotted = false;
        for (;;) {
          size_t p = end, sep = 0;
          while (p < n && sep < 2 && IsPhoneSeparator(s[p])) dotted |= s[p] == '.', ++p, ++sep;
          if (sep == 0 || p >= n || !IsDigit(s[p])) break;
          const size_t q = scan::DigitRunEnd(s.data(), p, n);
          if (num_digits + (q - p) > kMaxPhoneDigits) {
            overlong = true;
            end = q;
            break;
          }
          CopyDigits(digits + num_digits, s, p, q);
          num_digits += q - p;
          end = q;
          ++groups;
        }
        if (groups < 2) continue;
        // Dotted groups that open with one digit are a version ("1.3.800.138000"); four of
        // up to three digits an IPv4 address.
        if (dotted && !plus && (run.size() == 1 || (groups == 4 && IsDottedQuad(s.substr(rb, end - rb))))) {
          no_group_until = end;
          continue;
        }
        bool ok = false;
        if (!overlong && (end >= n || !IsAlnum(s[end]))) {
          std::string_view d(digits, num_digits);
          size_t total = d.size();
          if (plus) {
            ok = total >= 8 && total <= 15;
          } else if (d.starts_with("00")) {
            ok = total >= 10;
          } else if (cn_) {
            // Landlines: "010 1234 5678", "(0755) 1234-5678": area code 0xx or 0xxx.
            bool landline = d[0] == '0' && total >= 10 && total <= 12 && groups <= 3 && !dotted &&
                            run.size() >= 3 && run.size() <= 4;
            ok = landline || IsCnMobile(d) || (total == 13 && d.starts_with("86") && IsCnMobile(d.substr(2)));
          } else {
            ok = total >= 7 && total <= 12;
          }
        }
        if (ok) {
          EmitPhone(f, start, end);
          i = end;
        } else {
          no_group_until = end;
        }
      }
    });
  }

  void EmitPhone(const Frame& f, size_t begin, size_t end) {
    std::string e164;
    if (normalizer_.PhoneForLookup(f.text.substr(begin, end - begin), &e164))
      Emit(f, begin, end, IdKind::kPhone, kTagPhone, e164, MatchKind::kExact);
  }

  records::RecordReader& ReaderFor(const Frame& f) {
    if (!reader_ || reader_->text().data() != f.text.data() || reader_->text().size() != f.text.size())
      reader_.emplace(f.text, f.depth == 0 ? head_ : std::string_view());
    return *reader_;
  }

  // --- QQ numbers -----------------------------------------------------------------------

  // A number of 5 to 11 digits written with a QQ label is the account NUMBER@qq.com
  // (records::FollowsQqLabel decides), reported as an alias of it. Found label first:
  // the labels are rare, digit runs are not.
  void ScanQqNumbers(const Frame& f) {
    std::string_view s = f.text;
    size_t n = s.size();
    // A label's first byte; the next search starts past its second.
    for (size_t label = scan::FindQqLabel(s.data(), 0, n); label < n; label = scan::FindQqLabel(s.data(), label + 2, n)) {
      const size_t p = label + 1;  // the label's second 'Q', or the middle byte of 扣 or 鹅
      // The first digit within a label's reach ("QQ号码： 12345").
      size_t d = p + 1;
      while (d < n && d - p <= 16 && !IsDigit(s[d]) && s[d] != '\n' && !Is(kAlpha, s[d]) && s[d] != '.') ++d;
      if (d >= n || !IsDigit(s[d]) || s[d] == '0' || d - p > 16) continue;
      size_t e = scan::DigitRunEnd(s.data(), d, n);
      if (e - d < 5 || e - d > 11 || (e < n && Is(kAlpha, s[e]))) continue;
      if (!records::FollowsQqLabel(s, d)) continue;
      char value[11 + 7];
      std::memcpy(value, s.data() + d, e - d);
      std::memcpy(value + (e - d), "@qq.com", 7);
      Emit(f, d, e, IdKind::kEmail, kTagEmail, std::string_view(value, e - d + 7), MatchKind::kAlias);
      label = e - 2;  // the next search starts at the number's end
    }
  }

  // --- hex digests ----------------------------------------------------------------------

  // The hex digests in f.text[begin, end): all of it, or one long base64 run.
  void ScanHashes(const Frame& f, size_t begin, size_t end) {
    scan::ForEachRun<scan::kHex, 32>(f.text.data() + begin, end - begin, [&](size_t b, size_t e) {
      EmitHexRun(f, begin + b, begin + e);
    });
  }

  // Base64 segments: maximal runs of the alphabet with both letter cases (hex digests
  // and words have one), as Base64SegmentOfRun takes them. Every maximal hex run is inside
  // a maximal base64 run, and one of 32 or more only in a run as long: the hex finder looks
  // only there, in the same pass (a pass of its own cost ~3 % of a scan).
  void ScanBase64Runs(const Frame& f, std::vector<EncodedSegment>* segments) {
    std::string_view s = f.text;
    scan::ForEachMixedCaseRun<scan::kBase64, kMinBase64Run, 32>(
        s.data(), s.size(), [&](size_t begin, size_t end) { Base64SegmentOfRun(s, begin, end, segments); },
        [&](size_t begin, size_t end) {
          if (options_.hashes) ScanHashes(f, begin, end);
        });
  }

  // A maximal run of hex digits s[begin, end): a digest when it has a digest's length
  // and stands alone.
  void EmitHexRun(const Frame& f, size_t begin, size_t end) {
    std::string_view s = f.text;
    size_t len = end - begin;
    if (len != 32 && len != 40 && len != 64) return;
    if ((begin > 0 && IsAlnum(s[begin - 1])) || (end < s.size() && IsAlnum(s[end]))) return;
    char stack_lower[64];
    char* lower = SlotFor(f, len, stack_lower);
    for (size_t k = 0; k < len; ++k) lower[k] = scan::ToLower(s[begin + k]);
    std::string_view tag = len == 32 ? kTagMd5 : len == 40 ? kTagSha1 : kTagSha256;
    Emit(f, begin, end, IdKind::kEmail, tag, std::string_view(lower, len), MatchKind::kHashed);
  }

  // --- encodings ------------------------------------------------------------------------

  void ScanEncoded(const Frame& f, const std::vector<EncodedSegment>& segments) {
    std::string decoded;
    for (const EncodedSegment& segment : segments) {
      // Decoded output is never longer than its segment: check the cap before decoding.
      if (decoded_bytes_ + segment.size > options_.max_decoded_bytes) continue;
      if (!DecodeSegment(f.text, segment, &decoded)) continue;
      decoded_bytes_ += decoded.size();
      Frame child{.text = decoded,
                  .depth = f.depth + 1,
                  .match = Weaker(f.match, MatchKind::kEncoded),
                  .parent = &f,
                  .parent_pos = segment.offset,
                  .constant = true};
      ScanFrame(child);
    }
  }

  // --- output ---------------------------------------------------------------------------

  // Hands a candidate to the filter (or records it when there is none). The usual case is
  // inlined into the finders: a call passing two string views spilled one through the
  // stack, and its reload stalled on store forwarding (~40 % of Emit's samples).
  [[gnu::always_inline]] void Emit(const Frame& f, size_t begin, size_t end, IdKind kind, std::string_view tag,
                                   std::string_view value, MatchKind match) {
    if (f.fold_window || !filter_ || value.size() > kMaxPendingValue) {
      return EmitOther(f, begin, end, kind, tag, value, match);
    }
    Enqueue(f, begin, end, kind, tag, value, match);
  }

  [[gnu::noinline]] void EmitOther(const Frame& f, size_t begin, size_t end, IdKind kind, std::string_view tag,
                                   std::string_view value, MatchKind match) {
    if (f.fold_window) {
      const auto& rel = *f.rel;
      if (rel[end] - rel[begin] == end - begin) return;  // nothing folded: found unfolded, or cut by the window
    }
    if (!filter_) return Record(f, begin, end, kind, tag, value, match);
    if (value.size() > kMaxPendingValue) {  // no valid candidate is this long; stay correct anyway
      Probe probe{tag, value, f.Map(begin), match == MatchKind::kHashed};
      bool keep = false;
      filter_->Select({&probe, 1}, &keep);
      if (keep) Record(f, begin, end, kind, tag, value, match);
      return;
    }
    Enqueue(f, begin, end, kind, tag, value, match);
  }

  // memcpy for the few dozen bytes of an identifier, without a call into libc (whose
  // dispatch showed as ~2 % of a scan): overlapping fixed-size moves, inlined.
  [[gnu::always_inline]] static void CopyShort(char* dst, const char* src, size_t n) {
    if (n >= 16) {
      for (size_t i = 0; i + 16 < n; i += 16) std::memcpy(dst + i, src + i, 16);
      std::memcpy(dst + n - 16, src + n - 16, 16);
    } else if (n >= 8) {
      std::memcpy(dst, src, 8);
      std::memcpy(dst + n - 8, src + n - 8, 8);
    } else if (n >= 4) {
      std::memcpy(dst, src, 4);
      std::memcpy(dst + n - 4, src + n - 4, 4);
    } else {
      for (size_t i = 0; i < n; ++i) dst[i] = src[i];
    }
  }

  // Where a finder builds a value of up to `size` bytes (writing up to 15 past it) that it
  // may Emit from `f`: the batch slot Enqueue would copy it to, which it then need not, or
  // `fallback` when the value would not be enqueued. Nothing else may be emitted between
  // this call and the Emit of that value.
  [[gnu::always_inline]] char* SlotFor(const Frame& f, size_t size, char* fallback) {
    if (f.fold_window || !filter_ || size > kMaxPendingValue) return fallback;
    Batch& b = batches_[filling_];
    return b.values[b.size];
  }

  // Adds a candidate to the batch being filled. REQUIRES: filter_, value.size() <= kMaxPendingValue.
  [[gnu::always_inline]] void Enqueue(const Frame& f, size_t begin, size_t end, IdKind kind, std::string_view tag,
                                      std::string_view value, MatchKind match) {
    Batch& b = batches_[filling_];
    size_t k = b.size++;
    if (value.data() != b.values[k]) CopyShort(b.values[k], value.data(), value.size());
    b.pending[k] = {&f, begin, end, kind, tag, match};
    b.probes[k] = {tag, std::string_view(b.values[k], value.size()), f.Map(begin), match == MatchKind::kHashed};
    if (b.size == CandidateFilter::kMaxBatch) BatchFull();
  }

  // The batch being filled is full: it starts its lookups, and the one before, whose
  // lookups have had a batch's worth of extraction to arrive, is decided.
  [[gnu::noinline]] void BatchFull() {
    Batch& b = batches_[filling_];
    filter_->Prepare({b.probes, b.size}, &b.ahead);
    filling_ ^= 1;
    Decide(batches_[filling_]);
  }

  // The frame of the candidate emitted last among those pending, or null.
  const Frame* NewestPendingFrame() const {
    const Batch& b = batches_[filling_];
    if (b.size > 0) return b.pending[b.size - 1].frame;
    const Batch& older = batches_[filling_ ^ 1];
    return older.size > 0 ? older.pending[older.size - 1].frame : nullptr;
  }

  // Decides the pending candidates, all of them: at the end of a frame whose buffer they
  // may point into, and of the document.
  void Flush() {
    if (!filter_) return;
    Batch& older = batches_[filling_ ^ 1];  // prepared, or empty
    Decide(older);
    Batch& b = batches_[filling_];
    if (b.size == 0) return;
    filter_->Prepare({b.probes, b.size}, &b.ahead);
    Decide(b);
  }

  // Runs the filter over a prepared batch, records the candidates it keeps and empties it.
  void Decide(Batch& b) {
    if (b.size == 0) return;
    bool keep[CandidateFilter::kMaxBatch];
    filter_->SelectPrepared({b.probes, b.size}, b.ahead, keep);
    size_t n = b.size;
    b.size = 0;
    for (size_t k = 0; k < n; ++k) {
      if (!keep[k]) continue;
      const Pending& p = b.pending[k];
      Record(*p.frame, p.begin, p.end, p.kind, p.tag, b.probes[k].value, p.match);
    }
  }

  // Deduplicates and appends a candidate, with its severity.
  void Record(const Frame& f, size_t begin, size_t end, IdKind kind, std::string_view tag, std::string_view value,
              MatchKind match) {
    // The finders leave an all-letter top-level label unchecked: in a scan nearly no
    // address is kept, and an unknown one cannot be watched (enrollment checks the same).
    if (tag.data() == kTagEmail.data() && !EndsInPublicTld(value)) return;
    // The table is larger than L1: start loading the slot before the severity check.
    uint32_t hash = HashValue(tag, value);
    size_t mask = slots_.size() - 1;
    __builtin_prefetch(&slots_[hash & mask]);
    match = Weaker(f.match, match);
    Severity severity = ReaderFor(f).HasCredential(begin, end) ? Severity::kCredential : Severity::kExposure;
    uint64_t offset = f.Map(begin);

    for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
      Slot& sl = slots_[slot];
      if (sl.index_plus_one == 0) {
        sl = {static_cast<uint32_t>(out_->size() - first_ + 1), hash};
        out_->push_back(Candidate{kind, tag, CandidateValue(value), match, severity, offset});
        if (++used_ * 2 > slots_.size()) Grow();
        return;
      }
      if (sl.hash != hash) continue;
      Candidate& c = (*out_)[first_ + sl.index_plus_one - 1];
      if (c.hash_tag != tag || c.value != value) continue;
      if (Strength(match) < Strength(c.match)) {
        c.match = match;
        c.offset = offset;
      }
      c.severity = std::max(c.severity, severity);
      return;
    }
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.size() * 2, Slot{});
    size_t mask = slots_.size() - 1;
    for (const Slot& sl : old) {
      if (sl.index_plus_one == 0) continue;
      size_t slot = sl.hash & mask;
      while (slots_[slot].index_plus_one != 0) slot = (slot + 1) & mask;
      slots_[slot] = sl;
    }
  }


  const ExtractorOptions& options_;
  const Normalizer& normalizer_;
  std::vector<Candidate>* out_;
  size_t first_;  // candidates before this index belong to the caller
  const CandidateFilter* filter_;
  Batch batches_[2];
  int filling_ = 0;
  bool cn_ = true;
  std::string_view head_;  // the document's first bytes when the text is a later chunk of it
  std::optional<records::RecordReader> reader_;  // of the frame whose candidates were last judged
  std::vector<Slot> slots_;
  size_t used_ = 0;
  size_t decoded_bytes_ = 0;
};

Extractor::Extractor(const Normalizer& normalizer, ExtractorOptions options)
    : normalizer_(normalizer), options_(options) {}

void Extractor::Extract(std::string_view text, std::vector<Candidate>* out, const CandidateFilter* filter,
                        std::string_view document_head) const {
  Scan scan(*this, out, text.size(), filter, document_head);
  scan.Run(text);
}

}  // namespace lw
