// Internal to matcher/: byte classes and vectorized skips shared by the extractor and
// the decoders. Not part of the public API (see matcher/extractor.h, matcher/decoders.h).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/identifier.h"
#include "matcher/class_masks.h"

namespace lw::scan {

enum : uint8_t {
  kDigit = 1 << 0,
  kHex = 1 << 1,
  kAlpha = 1 << 2,   // ASCII letters
  kLocal = 1 << 3,   // what an email's local part is expanded over: [A-Za-z0-9._+-]
  kDomain = 1 << 4,  // what a domain is expanded over: [A-Za-z0-9.-]
  kBase64 = 1 << 5,  // [A-Za-z0-9+/_-]: standard and URL-safe alphabets
  kSpace = 1 << 6,   // ' ', \t, \r, \n, \v, \f
  kPhone = 1 << 7,   // what a phone number's digit groups span: [0-9 ().-]
};

inline constexpr std::array<uint8_t, 256> kClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t v = 0;
    bool digit = c >= '0' && c <= '9';
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (digit) v |= kDigit;
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= kHex;
    if (alpha) v |= kAlpha;
    if (digit || alpha || c == '.' || c == '_' || c == '+' || c == '-') v |= kLocal;
    if (digit || alpha || c == '.' || c == '-') v |= kDomain;
    if (digit || alpha || c == '+' || c == '/' || c == '_' || c == '-') v |= kBase64;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') v |= kSpace;
    if (digit || c == ' ' || c == '(' || c == ')' || c == '.' || c == '-') v |= kPhone;
    t[c] = v;
  }
  return t;
}();

inline bool Is(uint8_t cls, char c) { return (kClass[static_cast<unsigned char>(c)] & cls) != 0; }
inline bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }
inline bool IsAlnum(char c) { return Is(kDigit | kAlpha, c); }
inline char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// An email token as bit masks: bit i of a mask describes byte i of its part.
struct EmailTokenMasks {
  size_t local_size = 0;   // bytes before the '@'
  size_t domain_size = 0;  // bytes after it
  uint64_t local_dots = 0;
  uint64_t dots = 0;       // in the domain, as are the next two
  uint64_t dashes = 0;
  uint64_t letters = 0;    // ASCII letters of either case
};

// IsValidAsciiEmailSyntax (base/identifier.h) of a token, lower-cased, from its masks.
// The top-level label's place in the Public Suffix List is the extractor's to check.
// REQUIRES: 1..64 bytes of kLocal before the '@' and 1..64 bytes of kDomain after it.
inline bool IsValidEmailMasks(const EmailTokenMasks& m) {
  // Local part: a dot-atom (no leading, trailing or doubled dot).
  uint64_t local_ends = 1 | uint64_t{1} << (m.local_size - 1);
  if ((m.local_dots & local_ends) != 0 || (m.local_dots & (m.local_dots >> 1)) != 0) return false;
  // Domain: two or more labels of 1..63 bytes (64 bytes in all at most: no label can be
  // longer), none starting or ending with '-', and a top-level label with a letter.
  uint64_t domain_ends = 1 | uint64_t{1} << (m.domain_size - 1);
  uint64_t label_ends = domain_ends | (m.dots << 1) | (m.dots >> 1);
  if (m.dots == 0 || (m.dots & domain_ends) != 0 || (m.dots & (m.dots >> 1)) != 0 || (m.dashes & label_ends) != 0)
    return false;
  return (m.letters >> (63 - std::countl_zero(m.dots))) != 0;
}

// IsValidAsciiEmailSyntax(email), byte by byte into masks, for the tokens the extractor builds.
// REQUIRES: `email` is lower-case; email[at] is its only '@'; the bytes before it are in
// kLocal and the bytes after it in kDomain. Domains longer than 64 bytes (rare) go to
// IsValidAsciiEmail itself.
inline bool IsValidEmailToken(std::string_view email, size_t at) {
  std::string_view local = email.substr(0, at), domain = email.substr(at + 1);
  if (email.size() > 254 || local.empty() || local.size() > 64 || domain.empty()) return false;
  if (domain.size() > 64) return IsValidAsciiEmailSyntax(email);
  EmailTokenMasks m{.local_size = local.size(), .domain_size = domain.size()};
  for (size_t i = 0; i < local.size(); ++i) m.local_dots |= uint64_t{local[i] == '.'} << i;
  for (size_t i = 0; i < domain.size(); ++i) {
    m.dots |= uint64_t{domain[i] == '.'} << i;
    m.dashes |= uint64_t{domain[i] == '-'} << i;
    m.letters |= uint64_t{Is(kAlpha, domain[i])} << i;
  }
  return IsValidEmailMasks(m);
}

// Writes s[begin, end) to out with ASCII letters lower-cased, 16 bytes at a time: reads
// up to 15 bytes past `end` while they are inside s[0, n), and writes up to 15 bytes
// past out[end - begin]. REQUIRES: out has room for end - begin + 15 bytes.
inline void LowerAscii(const char* s, size_t begin, size_t end, size_t n, char* out) {
  size_t k = 0;
#if defined(__SSE2__)
  for (; begin + k < end && begin + k + 16 <= n; k += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + begin + k));
    __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k), _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
  }
#endif
  for (; begin + k < end; ++k) out[k] = ToLower(s[begin + k]);
}

// Index of the first byte in s[i, n) that is an ASCII digit (kDigit true) or is not one
// (false), or n. Sixteen bytes a compare wherever s[i, i + 16) is readable (up to
// `readable` >= n): a byte loop mispredicted its exit once a run, and the phone finder's
// spans are mostly shorter than sixteen bytes.
template <bool kDigit>
inline size_t FindDigitOrNot(const char* s, size_t i, size_t n, size_t readable) {
#if defined(__SSE2__)
  const __m128i lo = _mm_set1_epi8('0' - 1);
  const __m128i hi = _mm_set1_epi8('9' + 1);
  while (i < n && i + 16 <= readable) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    // Signed compares: bytes >= 0x80 are negative, so never digits.
    unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi))));
    if (!kDigit) m ^= 0xFFFF;
    if (m != 0) return std::min(n, i + static_cast<size_t>(__builtin_ctz(m)));
    i += 16;
  }
#endif
  while (i < n && IsDigit(s[i]) != kDigit) ++i;
  return std::min(i, n);
}

inline size_t FindDigit(const char* s, size_t i, size_t n, size_t readable) {
  return FindDigitOrNot<true>(s, i, n, readable);
}

// The end of the digit run at s[i]: the first byte in s[i, n) that is not a digit, or n.
inline size_t DigitRunEnd(const char* s, size_t i, size_t n) { return FindDigitOrNot<false>(s, i, n, n); }

// True when s[begin, end) holds both an upper- and a lower-case ASCII letter.
inline bool HasUpperAndLower(const char* s, size_t begin, size_t end) {
  bool upper = false, lower = false;
  size_t i = begin;
#if defined(__SSE2__)
  const __m128i a = _mm_set1_epi8('A' - 1), z = _mm_set1_epi8('Z' + 1);
  const __m128i la = _mm_set1_epi8('a' - 1), lz = _mm_set1_epi8('z' + 1);
  for (; i + 16 <= end && !(upper && lower); i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    upper |= _mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, a), _mm_cmplt_epi8(v, z))) != 0;
    lower |= _mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, la), _mm_cmplt_epi8(v, lz))) != 0;
  }
#endif
  for (; i < end && !(upper && lower); ++i) {
    upper |= s[i] >= 'A' && s[i] <= 'Z';
    lower |= s[i] >= 'a' && s[i] <= 'z';
  }
  return upper && lower;
}

// Index of the first of the bytes a, b, c in s[i, n), or n.
inline size_t FindAny3(const char* s, size_t i, size_t n, char a, char b, char c) {
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c);
  while (i + 16 <= n) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    __m128i eq = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)), _mm_cmpeq_epi8(v, vc));
    int m = _mm_movemask_epi8(eq);
    if (m != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(m)));
    i += 16;
  }
#endif
  while (i < n && s[i] != a && s[i] != b && s[i] != c) ++i;
  return i;
}

#if defined(__SSE2__)
// Steps i sixteen positions at a time past those that cannot open a pattern of up to three
// bytes: vector(v0, v1, v2), given the bytes at p, p + 1 and p + 2 of sixteen positions,
// has 0xFF at those that open it. Returns the first that does, or where fewer than 18
// bytes remain. For patterns whose first byte alone is common (every qq.com address holds
// "qq"), where stopping at each occurrence of it cost a mispredicted branch.
template <class Vector>
inline size_t SkipToThreeBytePattern(const char* s, size_t i, size_t n, Vector&& vector) {
  while (i + 18 <= n) {
    const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + 1));
    const __m128i v2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + 2));
    const int m = _mm_movemask_epi8(vector(v0, v1, v2));
    if (m != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(m)));
    i += 16;
  }
  return i;
}
#endif

// Whether s[p] is '[', '(' or '{' followed, after up to two spaces, by 'a', 'A' or '@':
// what a bracketed "at" token ("[at]", "( @ )") needs to open. REQUIRES: p < n.
inline bool MayOpenAtToken(const char* s, size_t p, size_t n) {
  const char c = s[p];
  if (c != '[' && c != '(' && c != '{') return false;
  auto at_like = [](char x) { return (x | 0x20) == 'a' || x == '@'; };
  const char a = p + 1 < n ? s[p + 1] : 0, b = p + 2 < n ? s[p + 2] : 0;
  return at_like(a) || (a == ' ' && (at_like(b) || b == ' '));
}

// Index of the first p >= i where MayOpenAtToken(s, p, n), or n (brackets alone are
// everywhere in SQL and JSON).
inline size_t FindAtTokenOpen(const char* s, size_t i, size_t n) {
#if defined(__SSE2__)
  i = SkipToThreeBytePattern(s, i, n, [](__m128i v0, __m128i v1, __m128i v2) {
    const __m128i case_bit = _mm_set1_epi8(0x20), a = _mm_set1_epi8('a'), at = _mm_set1_epi8('@'),
                  space = _mm_set1_epi8(' ');
    const __m128i bracket = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v0, _mm_set1_epi8('[')), _mm_cmpeq_epi8(v0, _mm_set1_epi8('('))),
        _mm_cmpeq_epi8(v0, _mm_set1_epi8('{')));
    const __m128i at1 = _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(v1, case_bit), a), _mm_cmpeq_epi8(v1, at));
    const __m128i at2 = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(v2, case_bit), a), _mm_cmpeq_epi8(v2, at)),
        _mm_cmpeq_epi8(v2, space));
    return _mm_and_si128(bracket, _mm_or_si128(at1, _mm_and_si128(_mm_cmpeq_epi8(v1, space), at2)));
  });
#endif
  for (; i < n; ++i)
    if (MayOpenAtToken(s, i, n)) return i;
  return n;
}

// Whether s[p, p + 3) (inside s[0, n)) opens a QQ label: "QQ" in any case (not "qq." as
// in qq.com, which no number follows), or 扣 (E6 89 A3, of "扣扣") or 鹅 (E9 B9 85, of
// "企鹅号").
inline bool OpensQqLabel(const char* s, size_t p, size_t n) {
  if (p + 3 > n) return false;
  const char a = s[p], b = s[p + 1], c = s[p + 2];
  return ((a | 0x20) == 'q' && (b | 0x20) == 'q' && c != '.') || (a == '\xE6' && b == '\x89' && c == '\xA3') ||
         (a == '\xE9' && b == '\xB9' && c == '\x85');
}

// Index of the first p >= i where OpensQqLabel(s, p, n), or n.
inline size_t FindQqLabel(const char* s, size_t i, size_t n) {
#if defined(__SSE2__)
  i = SkipToThreeBytePattern(s, i, n, [](__m128i v0, __m128i v1, __m128i v2) {
    auto eq = [](__m128i v, int c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(c))); };
    const __m128i case_bit = _mm_set1_epi8(0x20);
    const __m128i qq = _mm_andnot_si128(
        eq(v2, '.'), _mm_and_si128(eq(_mm_or_si128(v0, case_bit), 'q'), eq(_mm_or_si128(v1, case_bit), 'q')));
    const __m128i kou = _mm_and_si128(_mm_and_si128(eq(v0, 0xE6), eq(v1, 0x89)), eq(v2, 0xA3));
    const __m128i goose = _mm_and_si128(_mm_and_si128(eq(v0, 0xE9), eq(v1, 0xB9)), eq(v2, 0x85));
    return _mm_or_si128(qq, _mm_or_si128(kou, goose));
  });
#endif
  for (; i < n; ++i)
    if (OpensQqLabel(s, i, n)) return i;
  return n;
}

// Index of byte c in s[i, n), or n.
inline size_t Find(const char* s, size_t i, size_t n, char c) {
  if (i >= n) return n;
  const void* p = std::memchr(s + i, c, n - i);
  return p ? static_cast<size_t>(static_cast<const char*>(p) - s) : n;
}

#if defined(__SSE2__)
// 0xFF in each byte of `v` that is in [lo, hi]. REQUIRES: lo and hi are ASCII (bytes
// >= 0x80 compare as negative, so they are never in range).
inline __m128i InRange(__m128i v, char lo, char hi) {
  return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                       _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
}

// 0xFF in each byte of `v` that is in class kCls (one of kDigit, kHex, kAlpha, kLocal,
// kDomain, kBase64, kPhone).
template <uint8_t kCls>
inline __m128i InClass(__m128i v) {
  auto eq = [&](char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
  __m128i digit = InRange(v, '0', '9');
  __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));  // 'A'..'Z' -> 'a'..'z'; no other byte lands there
  if constexpr (kCls == kDigit) {
    return digit;
  } else if constexpr (kCls == kHex) {
    return _mm_or_si128(digit, InRange(folded, 'a', 'f'));
  } else if constexpr (kCls == kAlpha) {
    return InRange(folded, 'a', 'z');
  } else if constexpr (kCls == kLocal) {
    return _mm_or_si128(_mm_or_si128(digit, InRange(folded, 'a', 'z')),
                        _mm_or_si128(_mm_or_si128(eq('.'), eq('_')), _mm_or_si128(eq('+'), eq('-'))));
  } else if constexpr (kCls == kDomain) {
    return _mm_or_si128(_mm_or_si128(digit, InRange(folded, 'a', 'z')), _mm_or_si128(eq('.'), eq('-')));
  } else if constexpr (kCls == kBase64) {
    return _mm_or_si128(_mm_or_si128(digit, InRange(folded, 'a', 'z')),
                        _mm_or_si128(_mm_or_si128(eq('+'), eq('/')), _mm_or_si128(eq('_'), eq('-'))));
  } else {
    static_assert(kCls == kPhone, "no vector form for this class");
    return _mm_or_si128(_mm_or_si128(digit, eq(' ')),
                        _mm_or_si128(_mm_or_si128(eq('('), eq(')')), _mm_or_si128(eq('.'), eq('-'))));
  }
}
#endif

// Bit i set when p[i] is in class kCls, for the 64 bytes at p.
template <uint8_t kCls>
inline uint64_t ClassMask64(const char* p) {
  uint64_t m = 0;
#if defined(__SSE2__)
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    m |= uint64_t{static_cast<uint16_t>(_mm_movemask_epi8(InClass<kCls>(v)))} << (16 * k);
  }
#else
  for (int i = 0; i < 64; ++i) m |= uint64_t{Is(kCls, p[i])} << i;
#endif
  return m;
}

// Bit i set when p[i] == c, for the 64 bytes at p.
inline uint64_t ByteMask64(const char* p, char c) {
  uint64_t m = 0;
#if defined(__SSE2__)
  const __m128i vc = _mm_set1_epi8(c);
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    m |= uint64_t{static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, vc)))} << (16 * k);
  }
#else
  for (int i = 0; i < 64; ++i) m |= uint64_t{p[i] == c} << i;
#endif
  return m;
}

// The masks of the email token s[begin, end) whose '@' is s[at], from the window around
// the '@' (EmailWindowAround). REQUIRES: the token has 1..64 bytes on each side of the '@'.
inline EmailTokenMasks EmailMasksAround(const EmailWindow& w, size_t begin, size_t at, size_t end) {
  EmailTokenMasks m{.local_size = at - begin, .domain_size = end - at - 1};
  m.local_dots = w.local_dots >> (64 - m.local_size);
  uint64_t keep = m.domain_size == 64 ? ~uint64_t{0} : (uint64_t{1} << m.domain_size) - 1;
  m.dots = w.dots & keep;
  m.dashes = w.dashes & keep;
  m.letters = w.letters & keep;
  return m;
}

// Bit i set when bits i .. i + kLen - 1 of m are all set: m shifted onto itself with
// doubling steps, unrolled at compile time (a loop here ran with variable shifts).
template <size_t kLen, size_t kCovered = 1>
inline uint64_t LongRunStarts(uint64_t m) {
  if constexpr (kCovered >= kLen) {
    return m;
  } else {
    constexpr size_t kStep = std::min(kCovered, kLen - kCovered);
    return LongRunStarts<kLen, kCovered + kStep>(m & (m >> kStep));
  }
}

// The block walk shared by the mask loops below: classify(p, blocks) computes the masks
// of up to 32 blocks of 64 bytes (2 KiB: the masks stay in L1), the last partial block
// through a copy padded with `pad` (a byte that matches nothing); then visit(k, base) for
// each block k of the group, which starts at s[base].
inline constexpr size_t kBlockGroup = 32;  // blocks per classify call
template <class Classify, class Visit>
void ForEachBlockGroup(const char* s, size_t n, char pad, Classify&& classify, Visit&& visit) {
  for (size_t base = 0; base < n;) {
    size_t blocks = std::min(kBlockGroup, (n - base) / 64);
    if (blocks > 0) {
      classify(s + base, blocks);
    } else {
      char tail[64];
      std::memset(tail, pad, sizeof tail);
      std::memcpy(tail, s + base, n - base);
      classify(tail, 1);
      blocks = 1;
    }
    for (size_t k = 0; k < blocks; ++k, base += 64) visit(k, base);
  }
}
// Calls f(begin, end) for every maximal run of bytes in class kCls (kDigit, kHex,
// kBase64 or kPhone) that is at least kMinLen long, in ascending order.
//
// Works on 64-byte class bitmasks, computed 32 blocks at a time (ClassMasks, AVX-512
// where the CPU has it): runs shorter than kMinLen inside a block are dropped with a few
// shifts, so text with many short runs (words, numbers) costs about as much as
// classifying it.
template <uint8_t kCls, size_t kMinLen, class F>
void ForEachRun(const char* s, size_t n, F&& f) {
  static_assert(kMinLen >= 1 && kMinLen <= 64);
  constexpr size_t kNone = ~size_t{0};
  size_t open = kNone;  // start of the run that reaches the end of the previous block
  uint64_t masks[kBlockGroup];
  ForEachBlockGroup(
      s, n, /*pad=*/'\0',  // NUL is in no class
      [&](const char* p, size_t blocks) { ClassMasks(kCls, p, blocks, masks); },
      [&](size_t k, size_t base) {
        uint64_t m = masks[k];
        if (open != kNone) {
          if (m == ~uint64_t{0}) return;
          size_t end = base + static_cast<size_t>(std::countr_one(m));
          if (end - open >= kMinLen) f(open, end);
          open = kNone;
          m &= m + 1;  // drop the run just reported
        }
        if (m >> 63) {  // a run reaches the end of the block: finish it in the next one
          int start = 64 - std::countl_one(m);
          open = base + static_cast<size_t>(start);
          m = start == 0 ? 0 : m & ((uint64_t{1} << start) - 1);
        }
        // Bit i of `long_at`: s[base + i, base + i + kMinLen) is in the class.
        uint64_t long_at = LongRunStarts<kMinLen>(m);
        while (long_at != 0) {
          int begin = std::countr_zero(long_at);
          int end = begin + std::countr_one(m >> begin);  // < 64: bit 63 of m is clear
          f(base + static_cast<size_t>(begin), base + static_cast<size_t>(end));
          long_at &= ~uint64_t{0} << end;
        }
      });
  if (open != kNone && n - open >= kMinLen) f(open, n);
}

// Calls f(i) for every i in [0, n) with s[i] == c, in ascending order. From 64-byte masks
// (ByteMasks, 32 blocks a call): a memchr call per byte found cost more than the search
// when the byte is frequent (an '@' every ~70 bytes of a dense leak).
template <class F>
void ForEachByte(const char* s, size_t n, char c, F&& f) {
  uint64_t masks[kBlockGroup];
  ForEachBlockGroup(
      s, n, /*pad=*/c == 0 ? '\1' : '\0', [&](const char* p, size_t blocks) { ByteMasks(c, p, blocks, masks); },
      [&](size_t k, size_t base) {
        for (uint64_t m = masks[k]; m != 0; m &= m - 1) f(base + static_cast<size_t>(std::countr_zero(m)));
      });
}

// Calls f(begin, end) for every maximal run of bytes in class kCls that is at least
// kMinLen long and holds both an ASCII upper-case and a lower-case letter, in ascending
// order: the base64 finder's runs (hex digests and plain words have one case). With
// kLongLen > 0, also calls g(begin, end) for every maximal run at least kLongLen long,
// whatever its letters: the runs a hex digest can be in (hex digits are base64 bytes), so
// that the hex finder needs no pass of its own.
//
// Nearly all long runs in leaks are single-case (passwords, digests, numbers), so the
// runs are selected on the masks without a branch per run: adding a run's member bits to
// the run mask carries out of its top, so bit e of (m + (x & m)) & ~m is set when the run
// ending at e - 1 holds a bit of x. Only the runs kept cost a loop iteration.
template <uint8_t kCls, size_t kMinLen, size_t kLongLen = 0, class F, class G = void (*)(size_t, size_t)>
void ForEachMixedCaseRun(const char* s, size_t n, F&& f, G&& g = [](size_t, size_t) {}) {
  static_assert(kMinLen >= 1 && kMinLen <= 64 && kLongLen <= 64);
  constexpr size_t kNone = ~size_t{0};
  size_t open = kNone;  // start of the run that reaches the end of the previous block
  bool open_upper = false, open_lower = false;
  uint64_t runs[kBlockGroup], uppers[kBlockGroup], lowers[kBlockGroup];
  ForEachBlockGroup(
      s, n, /*pad=*/'\0',  // NUL is in no class
      [&](const char* p, size_t blocks) { ClassAndCaseMasks(kCls, p, blocks, runs, uppers, lowers); },
      [&](size_t k, size_t base) {
        uint64_t m = runs[k];
        const uint64_t up = uppers[k] & m, lo = lowers[k] & m;
        if (open != kNone) {
          if (m == ~uint64_t{0}) {
            open_upper |= up != 0;
            open_lower |= lo != 0;
            return;
          }
          const int len = std::countr_one(m);
          const uint64_t head = (uint64_t{1} << len) - 1;  // len < 64
          open_upper |= (up & head) != 0;
          open_lower |= (lo & head) != 0;
          const size_t end = base + static_cast<size_t>(len);
          if (end - open >= kMinLen && open_upper && open_lower) f(open, end);
          if (kLongLen > 0 && end - open >= kLongLen) g(open, end);
          open = kNone;
          m &= ~head;
        }
        if (m >> 63) {  // a run reaches the end of the block: finish it in the next one
          const int start = 64 - std::countl_one(m);
          open = base + static_cast<size_t>(start);
          open_upper = (up >> start) != 0;
          open_lower = (lo >> start) != 0;
          m = start == 0 ? 0 : m & ((uint64_t{1} << start) - 1);
        }
        // Every run left ends below bit 63, so its carry lands inside the word.
        const uint64_t long_at = LongRunStarts<kMinLen>(m);
        uint64_t ends = ((m + (up & m)) & (m + (lo & m)) & (m + long_at)) & ~m;
        while (ends != 0) {
          const int end = std::countr_zero(ends);  // 1..63
          const int begin = end - std::countl_one(m << (64 - end));
          f(base + static_cast<size_t>(begin), base + static_cast<size_t>(end));
          ends &= ends - 1;
        }
        if constexpr (kLongLen > 0) {
          uint64_t long_ends = (m + LongRunStarts<kLongLen>(m)) & ~m;
          while (long_ends != 0) {
            const int end = std::countr_zero(long_ends);
            const int begin = end - std::countl_one(m << (64 - end));
            g(base + static_cast<size_t>(begin), base + static_cast<size_t>(end));
            long_ends &= long_ends - 1;
          }
        }
      });
  if (open != kNone && n - open >= kMinLen && open_upper && open_lower) f(open, n);
  if (kLongLen > 0 && open != kNone && n - open >= kLongLen) g(open, n);
}

}  // namespace lw::scan
