#include "matcher/class_masks.h"

#include "matcher/scan_util.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lw::scan {

namespace sse2 {

void ClassMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* out) {
  // The classes the finders ask for have vector forms; any other mix goes byte by byte.
  auto each = [&](auto mask_of) {
    for (size_t k = 0; k < blocks; ++k) out[k] = mask_of(p + 64 * k);
  };
  switch (cls) {
    case kDigit: return each(ClassMask64<kDigit>);
    case kHex: return each(ClassMask64<kHex>);
    case kAlpha: return each(ClassMask64<kAlpha>);
    case kLocal: return each(ClassMask64<kLocal>);
    case kDomain: return each(ClassMask64<kDomain>);
    case kBase64: return each(ClassMask64<kBase64>);
    case kPhone: return each(ClassMask64<kPhone>);
    default:
      for (size_t k = 0; k < blocks; ++k) {
        uint64_t m = 0;
        for (int i = 0; i < 64; ++i) m |= uint64_t{(kClass[static_cast<unsigned char>(p[64 * k + i])] & cls) != 0} << i;
        out[k] = m;
      }
  }
}

void ByteMasks(char c, const char* p, size_t blocks, uint64_t* out) {
  for (size_t k = 0; k < blocks; ++k) out[k] = ByteMask64(p + 64 * k, c);
}

void ClassAndCaseMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* run, uint64_t* upper, uint64_t* lower) {
  ClassMasks(cls, p, blocks, run);
  for (size_t k = 0; k < blocks; ++k) {
    uint64_t up = 0, lo = 0;
#if defined(__SSE2__)
    for (int j = 0; j < 4; ++j) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 64 * k + 16 * j));
      up |= uint64_t{static_cast<uint16_t>(_mm_movemask_epi8(InRange(v, 'A', 'Z')))} << (16 * j);
      lo |= uint64_t{static_cast<uint16_t>(_mm_movemask_epi8(InRange(v, 'a', 'z')))} << (16 * j);
    }
#else
    for (int i = 0; i < 64; ++i) {
      char c = p[64 * k + i];
      up |= uint64_t{c >= 'A' && c <= 'Z'} << i;
      lo |= uint64_t{c >= 'a' && c <= 'z'} << i;
    }
#endif
    upper[k] = up;
    lower[k] = lo;
  }
}

EmailWindow EmailWindowAround(const char* s, size_t at) {
  const char* before = s + at - 64;
  const char* after = s + at + 1;
  return {ClassMask64<kLocal>(before), ByteMask64(before, '.'), ClassMask64<kDomain>(after),
          ByteMask64(after, '.'),      ByteMask64(after, '-'),  ClassMask64<kAlpha>(after)};
}

}  // namespace sse2

namespace avx512 {

#if defined(__x86_64__)
#define LW_AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vbmi")))

bool Available() {
  static const bool available = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                                __builtin_cpu_supports("avx512vbmi");
  return available;
}

namespace {

struct Tables {
  __m512i lo, hi;  // kClass[0, 64) and kClass[64, 128)
};

LW_AVX512_TARGET inline Tables LoadTables() {
  return {_mm512_loadu_si512(kClass.data()), _mm512_loadu_si512(kClass.data() + 64)};
}

// Bit i: byte i of v is in `cls`. vpermi2b picks kClass[v & 127]; bytes >= 0x80 (sign
// bit set) are in no class.
LW_AVX512_TARGET inline uint64_t InClass(__m512i v, const Tables& t, __m512i cls) {
  __m512i c = _mm512_permutex2var_epi8(t.lo, v, t.hi);
  return _mm512_mask_test_epi8_mask(~_mm512_movepi8_mask(v), c, cls);
}

}  // namespace

LW_AVX512_TARGET void ClassMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* out) {
  const Tables t = LoadTables();
  const __m512i c = _mm512_set1_epi8(static_cast<char>(cls));
  for (size_t k = 0; k < blocks; ++k) out[k] = InClass(_mm512_loadu_si512(p + 64 * k), t, c);
}

LW_AVX512_TARGET void ByteMasks(char c, const char* p, size_t blocks, uint64_t* out) {
  const __m512i v = _mm512_set1_epi8(c);
  for (size_t k = 0; k < blocks; ++k) out[k] = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(p + 64 * k), v);
}

LW_AVX512_TARGET void ClassAndCaseMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* run, uint64_t* upper,
                                        uint64_t* lower) {
  const Tables t = LoadTables();
  const __m512i c = _mm512_set1_epi8(static_cast<char>(cls));
  const __m512i a = _mm512_set1_epi8('A'), la = _mm512_set1_epi8('a'), letters = _mm512_set1_epi8(26);
  for (size_t k = 0; k < blocks; ++k) {
    const __m512i v = _mm512_loadu_si512(p + 64 * k);
    run[k] = InClass(v, t, c);
    upper[k] = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, a), letters);
    lower[k] = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, la), letters);
  }
}

LW_AVX512_TARGET EmailWindow EmailWindowAround(const char* s, size_t at) {
  const Tables t = LoadTables();
  const __m512i before = _mm512_loadu_si512(s + at - 64), after = _mm512_loadu_si512(s + at + 1);
  const __m512i dot = _mm512_set1_epi8('.');
  return {InClass(before, t, _mm512_set1_epi8(static_cast<char>(kLocal))),
          _mm512_cmpeq_epi8_mask(before, dot),
          InClass(after, t, _mm512_set1_epi8(static_cast<char>(kDomain))),
          _mm512_cmpeq_epi8_mask(after, dot),
          _mm512_cmpeq_epi8_mask(after, _mm512_set1_epi8('-')),
          InClass(after, t, _mm512_set1_epi8(static_cast<char>(kAlpha)))};
}
#else
bool Available() { return false; }
void ClassMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* out) { sse2::ClassMasks(cls, p, blocks, out); }
void ByteMasks(char c, const char* p, size_t blocks, uint64_t* out) { sse2::ByteMasks(c, p, blocks, out); }
void ClassAndCaseMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* run, uint64_t* upper, uint64_t* lower) {
  sse2::ClassAndCaseMasks(cls, p, blocks, run, upper, lower);
}
EmailWindow EmailWindowAround(const char* s, size_t at) { return sse2::EmailWindowAround(s, at); }
#endif

}  // namespace avx512

namespace {
const bool kAvx512 = avx512::Available();
}

void ClassMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* out) {
  return kAvx512 ? avx512::ClassMasks(cls, p, blocks, out) : sse2::ClassMasks(cls, p, blocks, out);
}

void ClassAndCaseMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* run, uint64_t* upper, uint64_t* lower) {
  return kAvx512 ? avx512::ClassAndCaseMasks(cls, p, blocks, run, upper, lower)
                 : sse2::ClassAndCaseMasks(cls, p, blocks, run, upper, lower);
}

void ByteMasks(char c, const char* p, size_t blocks, uint64_t* out) {
  return kAvx512 ? avx512::ByteMasks(c, p, blocks, out) : sse2::ByteMasks(c, p, blocks, out);
}

EmailWindow EmailWindowAround(const char* s, size_t at) {
  return kAvx512 ? avx512::EmailWindowAround(s, at) : sse2::EmailWindowAround(s, at);
}

bool UsesAvx512() { return kAvx512; }

}  // namespace lw::scan
