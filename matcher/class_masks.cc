#include "matcher/class_masks.h"

#include <vector>

#include "matcher/scan_util.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lw::scan {
namespace {  // the implementations, reached through Implementations()

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
  return {ClassMask64<kLocal>(before), ByteMask64(before, '.'),   ByteMask64(before, '-') | ByteMask64(before, '_'),
          ClassMask64<kDomain>(after), ByteMask64(after, '.'),    ByteMask64(after, '-'),
          ClassMask64<kAlpha>(after)};
}

}  // namespace sse2

#if defined(__x86_64__)
namespace avx2 {

#define LW_AVX2_TARGET __attribute__((target("avx2")))

bool Available() {
  static const bool available = __builtin_cpu_supports("avx2");
  return available;
}

namespace {

// A byte's class by its two nibbles: byte l of a class's table has bit h set when
// kClass[16 * h + l] is in the class, so vpshufb looks up the low nibble, a second
// vpshufb turns the high nibble into bit h (0 for h >= 8: bytes >= 0x80 are in no class),
// and their AND is non-zero exactly for the bytes in the class. Two shuffles per 32 bytes
// where SSE2 needs a dozen compares per 16.
constexpr std::array<uint8_t, 16> NibbleBits(uint8_t cls) {
  std::array<uint8_t, 16> t{};
  for (int h = 0; h < 8; ++h)
    for (int l = 0; l < 16; ++l)
      if (kClass[16 * h + l] & cls) t[l] |= static_cast<uint8_t>(1u << h);
  return t;
}
// Every class mix's table, made at compile time: callers ask for a few blocks at a time.
constexpr std::array<std::array<uint8_t, 16>, 256> kNibbleBits = [] {
  std::array<std::array<uint8_t, 16>, 256> t{};
  for (int cls = 0; cls < 256; ++cls) t[cls] = NibbleBits(static_cast<uint8_t>(cls));
  return t;
}();

LW_AVX2_TARGET inline __m256i Table(const std::array<uint8_t, 16>& bits) {
  return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(bits.data())));
}

LW_AVX2_TARGET inline uint32_t InClass(__m256i v, __m256i table) {
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const __m256i pow2 = _mm256_setr_epi8(1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0,  //
                                        1, 2, 4, 8, 16, 32, 64, -128, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i low = _mm256_and_si256(v, nibble), high = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
  const __m256i bits = _mm256_and_si256(_mm256_shuffle_epi8(table, low), _mm256_shuffle_epi8(pow2, high));
  return ~static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(bits, _mm256_setzero_si256())));
}

LW_AVX2_TARGET inline uint32_t Equal(__m256i v, __m256i c) {
  return static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, c)));
}

// Bytes in [first, first + 26): v - first < 26 unsigned, as a signed compare after
// flipping the sign bits of both sides.
LW_AVX2_TARGET inline uint32_t Letter(__m256i v, __m256i first) {
  const __m256i d = _mm256_xor_si256(_mm256_sub_epi8(v, first), _mm256_set1_epi8(-128));
  return static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpgt_epi8(_mm256_set1_epi8(26 - 128), d)));
}

LW_AVX2_TARGET inline __m256i Load(const char* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

inline uint64_t Join(uint32_t low, uint32_t high) { return uint64_t{low} | uint64_t{high} << 32; }

}  // namespace

LW_AVX2_TARGET void ClassMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* out) {
  const __m256i t = Table(kNibbleBits[cls]);
  for (size_t k = 0; k < blocks; ++k) out[k] = Join(InClass(Load(p + 64 * k), t), InClass(Load(p + 64 * k + 32), t));
}

LW_AVX2_TARGET void ByteMasks(char c, const char* p, size_t blocks, uint64_t* out) {
  const __m256i v = _mm256_set1_epi8(c);
  for (size_t k = 0; k < blocks; ++k) out[k] = Join(Equal(Load(p + 64 * k), v), Equal(Load(p + 64 * k + 32), v));
}

LW_AVX2_TARGET void ClassAndCaseMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* run, uint64_t* upper,
                                      uint64_t* lower) {
  const __m256i t = Table(kNibbleBits[cls]);
  const __m256i a = _mm256_set1_epi8('A'), la = _mm256_set1_epi8('a');
  for (size_t k = 0; k < blocks; ++k) {
    const __m256i v0 = Load(p + 64 * k), v1 = Load(p + 64 * k + 32);
    run[k] = Join(InClass(v0, t), InClass(v1, t));
    upper[k] = Join(Letter(v0, a), Letter(v1, a));
    lower[k] = Join(Letter(v0, la), Letter(v1, la));
  }
}

LW_AVX2_TARGET EmailWindow EmailWindowAround(const char* s, size_t at) {
  const __m256i b0 = Load(s + at - 64), b1 = Load(s + at - 32), a0 = Load(s + at + 1), a1 = Load(s + at + 33);
  const __m256i local = Table(kNibbleBits[kLocal]), domain = Table(kNibbleBits[kDomain]),
                alpha = Table(kNibbleBits[kAlpha]);
  const __m256i dot = _mm256_set1_epi8('.'), dash = _mm256_set1_epi8('-'), underscore = _mm256_set1_epi8('_');
  const __m256i delims0 = _mm256_or_si256(_mm256_cmpeq_epi8(b0, dash), _mm256_cmpeq_epi8(b0, underscore));
  const __m256i delims1 = _mm256_or_si256(_mm256_cmpeq_epi8(b1, dash), _mm256_cmpeq_epi8(b1, underscore));
  return {Join(InClass(b0, local), InClass(b1, local)),
          Join(Equal(b0, dot), Equal(b1, dot)),
          Join(static_cast<uint32_t>(_mm256_movemask_epi8(delims0)), static_cast<uint32_t>(_mm256_movemask_epi8(delims1))),
          Join(InClass(a0, domain), InClass(a1, domain)),
          Join(Equal(a0, dot), Equal(a1, dot)),
          Join(Equal(a0, dash), Equal(a1, dash)),
          Join(InClass(a0, alpha), InClass(a1, alpha))};
}

}  // namespace avx2

namespace avx512 {

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
          _mm512_cmpeq_epi8_mask(before, _mm512_set1_epi8('-')) | _mm512_cmpeq_epi8_mask(before, _mm512_set1_epi8('_')),
          InClass(after, t, _mm512_set1_epi8(static_cast<char>(kDomain))),
          _mm512_cmpeq_epi8_mask(after, dot),
          _mm512_cmpeq_epi8_mask(after, _mm512_set1_epi8('-')),
          InClass(after, t, _mm512_set1_epi8(static_cast<char>(kAlpha)))};
}

}  // namespace avx512
#endif

}  // namespace

std::span<const Implementation> Implementations() {
  static const std::vector<Implementation> list = [] {
    std::vector<Implementation> v{
        {"sse2", sse2::ClassMasks, sse2::ByteMasks, sse2::ClassAndCaseMasks, sse2::EmailWindowAround}};
#if defined(__x86_64__)
    if (avx2::Available())
      v.push_back({"avx2", avx2::ClassMasks, avx2::ByteMasks, avx2::ClassAndCaseMasks, avx2::EmailWindowAround});
    if (avx512::Available())
      v.push_back(
          {"avx512", avx512::ClassMasks, avx512::ByteMasks, avx512::ClassAndCaseMasks, avx512::EmailWindowAround});
#endif
    return v;
  }();
  return list;
}

namespace {
const Implementation& kFastest = Implementations().back();
}  // namespace

void ClassMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* out) { kFastest.class_masks(cls, p, blocks, out); }

void ByteMasks(char c, const char* p, size_t blocks, uint64_t* out) { kFastest.byte_masks(c, p, blocks, out); }

void ClassAndCaseMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* run, uint64_t* upper, uint64_t* lower) {
  kFastest.class_and_case_masks(cls, p, blocks, run, upper, lower);
}

EmailWindow EmailWindowAround(const char* s, size_t at) { return kFastest.email_window(s, at); }

}  // namespace lw::scan
