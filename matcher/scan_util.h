// Internal to matcher/: byte classes and vectorized skips shared by the extractor and
// the decoders. Not part of the public API (see matcher/extractor.h, matcher/decoders.h).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lw::scan {

enum : uint8_t {
  kDigit = 1 << 0,
  kHex = 1 << 1,
  kAlpha = 1 << 2,   // ASCII letters
  kLocal = 1 << 3,   // what an email's local part is expanded over: [A-Za-z0-9._+-]
  kDomain = 1 << 4,  // what a domain is expanded over: [A-Za-z0-9.-]
  kBase64 = 1 << 5,  // [A-Za-z0-9+/_-]: standard and URL-safe alphabets
  kSpace = 1 << 6,   // ' ', \t, \r, \n, \v, \f
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

// Index of the first ASCII digit in s[i, n), or n.
inline size_t FindDigit(const char* s, size_t i, size_t n) {
#if defined(__SSE2__)
  const __m128i lo = _mm_set1_epi8('0' - 1);
  const __m128i hi = _mm_set1_epi8('9' + 1);
  while (i + 16 <= n) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    // Signed compares: bytes >= 0x80 are negative, so never digits.
    int m = _mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi)));
    if (m != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(m)));
    i += 16;
  }
#endif
  while (i < n && !IsDigit(s[i])) ++i;
  return i;
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

// Index of byte c in s[i, n), or n.
inline size_t Find(const char* s, size_t i, size_t n, char c) {
  if (i >= n) return n;
  const void* p = std::memchr(s + i, c, n - i);
  return p ? static_cast<size_t>(static_cast<const char*>(p) - s) : n;
}

// Calls f(begin, end) for every maximal run of bytes in class `cls` that is at least
// `min_len` long, in ascending order. Skips min_len bytes at a time where it can
// (a run of min_len must cover every min_len-th byte), so short runs cost little.
template <class F>
void ForEachRun(const char* s, size_t n, uint8_t cls, size_t min_len, F&& f) {
  size_t i = 0;  // invariant: i == 0 or s[i - 1] is not in the class
  while (i + min_len <= n) {
    size_t probe = i + min_len - 1;
    if (!Is(cls, s[probe])) {
      i = probe + 1;
      continue;
    }
    size_t begin = probe;
    while (begin > i && Is(cls, s[begin - 1])) --begin;
    size_t end = probe + 1;
    while (end < n && Is(cls, s[end])) ++end;
    if (end - begin >= min_len) f(begin, end);
    i = end + 1;
  }
}

}  // namespace lw::scan
