#include "base/siphash.h"

#include <algorithm>
#include <bit>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lw {
namespace {

uint64_t LoadLittle64(const uint8_t* p) {
  if constexpr (std::endian::native == std::endian::little) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  } else {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
    return v;
  }
}

struct State {
  uint64_t v0, v1, v2, v3;

  void Round() {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }
  void Absorb(uint64_t m) {
    v3 ^= m;
    Round();
    Round();
    v0 ^= m;
  }
};

State Init(const SipKey& key) {
  uint64_t k0 = LoadLittle64(key.data()), k1 = LoadLittle64(key.data() + 8);
  return {0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1, 0x6c7967656e657261ULL ^ k0,
          0x7465646279746573ULL ^ k1};
}

// Word k of the padded message s: whole words, then the tail with the length on top.
uint64_t WordAt(std::string_view s, size_t k) {
  auto* p = reinterpret_cast<const uint8_t*>(s.data());
  size_t whole = s.size() / 8;
  if (k < whole) return LoadLittle64(p + 8 * k);
  uint64_t last = static_cast<uint64_t>(s.size()) << 56;
  for (size_t i = 0; i < s.size() % 8; ++i) last |= uint64_t{p[8 * whole + i]} << (8 * i);
  return last;
}

uint64_t Finish(State& s) {
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace

namespace {

uint32_t LoadLittle32(const uint8_t* p) {
  if constexpr (std::endian::native == std::endian::little) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  } else {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
  }
}

// Up to 8 bytes of p[0, n) as a little-endian word, reading only inside it: two
// overlapping loads of 4 (or of 1 and 2) instead of a byte loop.
uint64_t LoadPartial(const uint8_t* p, size_t n) {
  if (n >= 8) return LoadLittle64(p);
  if (n >= 4) {
    const uint64_t lo = LoadLittle32(p), hi = LoadLittle32(p + n - 4);
    return lo | hi << (8 * (n - 4));
  }
  if (n == 0) return 0;
  // 1..3 bytes: the first, the middle (p[n / 2]) and the last.
  return uint64_t{p[0]} | uint64_t{p[n / 2]} << (8 * (n / 2)) | uint64_t{p[n - 1]} << (8 * (n - 1));
}

// The message tag || 0x00 || data, read word by word from where its bytes are: the
// prefix (tag and NUL, 1..8 bytes) as a word of its own, the data in place. Every load
// stays inside `data`.
class TaggedMessage {
 public:
  TaggedMessage(std::string_view tag, std::string_view data)
      : prefix_(LoadPartial(reinterpret_cast<const uint8_t*>(tag.data()), tag.size())),
        p_(tag.size() + 1),
        d_(reinterpret_cast<const uint8_t*>(data.data())),
        n_(data.size()),
        whole_(WordsOf(tag, data) - 1) {}

  static bool Fits(std::string_view tag) { return tag.size() + 1 <= 8; }
  // The words of tag || 0x00 || data: the whole ones and the final (length) word.
  static size_t WordsOf(std::string_view tag, std::string_view data) { return (tag.size() + 1 + data.size()) / 8 + 1; }
  size_t words() const { return whole_ + 1; }

  uint64_t Word(size_t k) const {
    const size_t length = p_ + n_;
    if (k < whole_) {
      if (k > 0) return LoadLittle64(d_ + 8 * k - p_);  // message bytes [8k, 8k + 8)
      return p_ == 8 ? prefix_ : prefix_ | LoadPartial(d_, 8 - p_) << (8 * p_);
    }
    // The final word: the last length % 8 bytes, and the length on top.
    uint64_t last = static_cast<uint64_t>(length) << 56;
    const size_t tail = length % 8;
    if (whole_ == 0) return last | prefix_ | LoadPartial(d_, n_) << (8 * p_);  // all of it (< 8 bytes)
    if (tail == 0) return last;
    // Data bytes [n - tail, n): from the last 8 of the data when there are 8, else one by one.
    if (n_ >= 8) return last | LoadLittle64(d_ + n_ - 8) >> (8 * (8 - tail));
    return last | LoadPartial(d_ + n_ - tail, tail);
  }

 private:
  uint64_t prefix_;
  size_t p_;
  const uint8_t* d_;
  size_t n_;
  size_t whole_;
};

}  // namespace

uint64_t SipHash24Tagged(const SipKey& key, std::string_view tag, std::string_view data) {
  if (!TaggedMessage::Fits(tag)) return SipHash24(key, tag, std::string_view("\0", 1), data);
  TaggedMessage m(tag, data);
  State s = Init(key);
  for (size_t k = 0; k < m.words(); ++k) s.Absorb(m.Word(k));
  return Finish(s);
}

void SipHash24TaggedPair(const SipKey& key, const std::string_view tag[2], const std::string_view data[2],
                         uint64_t out[2]) {
  if (!TaggedMessage::Fits(tag[0]) || !TaggedMessage::Fits(tag[1])) {
    out[0] = SipHash24Tagged(key, tag[0], data[0]);
    out[1] = SipHash24Tagged(key, tag[1], data[1]);
    return;
  }
  TaggedMessage a(tag[0], data[0]), b(tag[1], data[1]);
  State s = Init(key), t = Init(key);
  const size_t common = std::min(a.words(), b.words());
  size_t k = 0;
  for (; k < common; ++k) {  // both chains in one loop body: the compiler interleaves them
    s.Absorb(a.Word(k));
    t.Absorb(b.Word(k));
  }
  for (size_t j = k; j < a.words(); ++j) s.Absorb(a.Word(j));
  for (size_t j = k; j < b.words(); ++j) t.Absorb(b.Word(j));
  s.v2 ^= 0xff;
  t.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) {
    s.Round();
    t.Round();
  }
  out[0] = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
  out[1] = t.v0 ^ t.v1 ^ t.v2 ^ t.v3;
}

namespace {

#if defined(__x86_64__)
// GCC 12 warns of the _mm512_undefined_epi32() inside _mm512_rol_epi64 (GCC bug 105593).
#pragma GCC diagnostic push
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#pragma GCC diagnostic ignored "-Wuninitialized"
namespace avx2 {

constexpr size_t kLanes = 8;

#define LW_AVX2_TARGET __attribute__((target("avx2")))

// Four messages per vector, one in each 64-bit lane. AVX2 has no 64-bit rotate: 16 and
// 32 are byte shuffles, the others two shifts and an OR.
template <int kBits>
LW_AVX2_TARGET inline __m256i Rotl(__m256i x) {
  if constexpr (kBits == 32) {
    return _mm256_shuffle_epi32(x, 0xB1);
  } else if constexpr (kBits == 16) {
    const __m256i by2 = _mm256_setr_epi8(6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13,  //
                                         6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13);
    return _mm256_shuffle_epi8(x, by2);
  } else {
    return _mm256_or_si256(_mm256_slli_epi64(x, kBits), _mm256_srli_epi64(x, 64 - kBits));
  }
}

struct Lanes {
  __m256i v0, v1, v2, v3;

  LW_AVX2_TARGET void Round() {
    v0 = _mm256_add_epi64(v0, v1);
    v1 = Rotl<13>(v1);
    v1 = _mm256_xor_si256(v1, v0);
    v0 = Rotl<32>(v0);
    v2 = _mm256_add_epi64(v2, v3);
    v3 = Rotl<16>(v3);
    v3 = _mm256_xor_si256(v3, v2);
    v0 = _mm256_add_epi64(v0, v3);
    v3 = Rotl<21>(v3);
    v3 = _mm256_xor_si256(v3, v0);
    v2 = _mm256_add_epi64(v2, v1);
    v1 = Rotl<17>(v1);
    v1 = _mm256_xor_si256(v1, v2);
    v2 = Rotl<32>(v2);
  }
  // Absorbs m in the lanes where `on` is all ones; the others keep their state.
  LW_AVX2_TARGET void Absorb(__m256i m, __m256i on) {
    Lanes a{v0, v1, v2, _mm256_xor_si256(v3, m)};
    a.Round();
    a.Round();
    a.v0 = _mm256_xor_si256(a.v0, m);
    v0 = _mm256_blendv_epi8(v0, a.v0, on);
    v1 = _mm256_blendv_epi8(v1, a.v1, on);
    v2 = _mm256_blendv_epi8(v2, a.v2, on);
    v3 = _mm256_blendv_epi8(v3, a.v3, on);
  }
  LW_AVX2_TARGET __m256i Finish() {
    v2 = _mm256_xor_si256(v2, _mm256_set1_epi64x(0xff));
    for (int i = 0; i < 4; ++i) Round();
    return _mm256_xor_si256(_mm256_xor_si256(v0, v1), _mm256_xor_si256(v2, v3));
  }
};

// Up to eight messages (n <= 8), each FitsLane (at most eight words), in two vectors of
// four whose rounds are interleaved: each message's rounds are a serial chain, two chains
// fill the pipelines.
LW_AVX2_TARGET void Hash8(const SipKey& key, size_t n, const std::string_view* tag, const std::string_view* data,
                          uint64_t* out) {
  // Word k of lane l in words[k][l]; the rows past a lane's last word hold zeros, which
  // its mask keeps out of its state. Only the rows some lane uses are written.
  alignas(32) uint64_t words[8][kLanes];
  alignas(32) int64_t count[kLanes] = {};
  size_t most = 0;
  for (size_t l = 0; l < n; ++l) {
    count[l] = static_cast<int64_t>(TaggedMessage::WordsOf(tag[l], data[l]));
    most = std::max(most, static_cast<size_t>(count[l]));
  }
  for (size_t k = 0; k < most; ++k) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(words[k]), _mm256_setzero_si256());
    _mm256_store_si256(reinterpret_cast<__m256i*>(words[k] + 4), _mm256_setzero_si256());
  }
  for (size_t l = 0; l < n; ++l) {
    TaggedMessage m(tag[l], data[l]);
    for (size_t k = 0; k < m.words(); ++k) words[k][l] = m.Word(k);
  }
  const State init = Init(key);
  const Lanes start{_mm256_set1_epi64x(static_cast<long long>(init.v0)), _mm256_set1_epi64x(static_cast<long long>(init.v1)),
                    _mm256_set1_epi64x(static_cast<long long>(init.v2)), _mm256_set1_epi64x(static_cast<long long>(init.v3))};
  Lanes a = start, b = start;
  const __m256i count_a = _mm256_load_si256(reinterpret_cast<const __m256i*>(count));
  const __m256i count_b = _mm256_load_si256(reinterpret_cast<const __m256i*>(count + 4));
  for (size_t k = 0; k < most; ++k) {
    const __m256i at = _mm256_set1_epi64x(static_cast<long long>(k));
    a.Absorb(_mm256_load_si256(reinterpret_cast<const __m256i*>(words[k])), _mm256_cmpgt_epi64(count_a, at));
    b.Absorb(_mm256_load_si256(reinterpret_cast<const __m256i*>(words[k] + 4)), _mm256_cmpgt_epi64(count_b, at));
  }
  alignas(32) uint64_t r[kLanes];
  _mm256_store_si256(reinterpret_cast<__m256i*>(r), a.Finish());
  _mm256_store_si256(reinterpret_cast<__m256i*>(r + 4), b.Finish());
  std::copy(r, r + n, out);
}

bool Supported() {
  static const bool ok = __builtin_cpu_supports("avx2");
  return ok;
}

}  // namespace avx2

namespace avx512 {

constexpr size_t kLanes = 8;

__attribute__((target("avx512f"))) inline void Round(__m512i& v0, __m512i& v1, __m512i& v2, __m512i& v3) {
  v0 = _mm512_add_epi64(v0, v1);
  v1 = _mm512_rol_epi64(v1, 13);
  v1 = _mm512_xor_si512(v1, v0);
  v0 = _mm512_rol_epi64(v0, 32);
  v2 = _mm512_add_epi64(v2, v3);
  v3 = _mm512_rol_epi64(v3, 16);
  v3 = _mm512_xor_si512(v3, v2);
  v0 = _mm512_add_epi64(v0, v3);
  v3 = _mm512_rol_epi64(v3, 21);
  v3 = _mm512_xor_si512(v3, v0);
  v2 = _mm512_add_epi64(v2, v1);
  v1 = _mm512_rol_epi64(v1, 17);
  v1 = _mm512_xor_si512(v1, v2);
  v2 = _mm512_rol_epi64(v2, 32);
}

// Up to eight messages (n <= 8), each FitsLane, one per lane. Each message is put
// together in a register: its tag, NUL and data with masked loads (which never touch a
// byte outside the views), the length in the top byte of its last word. An 8x8 transpose
// then turns the eight messages into word vectors: no trip through memory, which would
// stall on store forwarding. A lane whose message has ended keeps its state through
// masked moves.
__attribute__((target("avx512f,avx512bw,avx512vl"))) void Hash8(const SipKey& key, size_t n, const std::string_view* tag,
                                                       const std::string_view* data, uint64_t* out) {
  __m512i w[kLanes];
  uint8_t live[kLanes + 1] = {};  // bit l of live[k]: lane l has a word k
  size_t most = 0;
  for (size_t l = 0; l < kLanes; ++l) {
    if (l >= n) {
      w[l] = _mm512_setzero_si512();
      continue;
    }
    const size_t p = tag[l].size() + 1, d = data[l].size(), len = p + d, last = len / 8;
    // Message byte j is data[j - p]: load from p bytes before the data, with those
    // bytes masked off (the address is formed as an integer: it may be outside the view).
    const auto shifted = reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(data[l].data()) - p);
    __m512i m = _mm512_maskz_loadu_epi8(((uint64_t{1} << d) - 1) << p, shifted);
    m = _mm512_or_si512(m, _mm512_maskz_loadu_epi8((uint64_t{1} << tag[l].size()) - 1, tag[l].data()));
    m = _mm512_mask_or_epi64(m, static_cast<__mmask8>(1u << last), m,
                             _mm512_set1_epi64(static_cast<long long>(uint64_t{len} << 56)));
    w[l] = m;
    for (size_t k = 0; k <= last; ++k) live[k] |= static_cast<uint8_t>(1u << l);
    most = std::max(most, last);
  }
  // Transpose: w[l] holds the words of lane l; afterwards w[k] holds word k of every lane.
  __m512i t[kLanes], u[kLanes];
  for (size_t i = 0; i < kLanes; i += 2) {
    t[i] = _mm512_unpacklo_epi64(w[i], w[i + 1]);      // words 0, 2, 4, 6 of lanes i, i + 1
    t[i + 1] = _mm512_unpackhi_epi64(w[i], w[i + 1]);  // words 1, 3, 5, 7
  }
  for (size_t i = 0; i < kLanes; i += 4) {
    u[i] = _mm512_shuffle_i64x2(t[i], t[i + 2], 0x88);      // words 0, 4 of lanes i..i+3
    u[i + 1] = _mm512_shuffle_i64x2(t[i], t[i + 2], 0xDD);  // words 2, 6
    u[i + 2] = _mm512_shuffle_i64x2(t[i + 1], t[i + 3], 0x88);  // words 1, 5
    u[i + 3] = _mm512_shuffle_i64x2(t[i + 1], t[i + 3], 0xDD);  // words 3, 7
  }
  w[0] = _mm512_shuffle_i64x2(u[0], u[4], 0x88);
  w[4] = _mm512_shuffle_i64x2(u[0], u[4], 0xDD);
  w[2] = _mm512_shuffle_i64x2(u[1], u[5], 0x88);
  w[6] = _mm512_shuffle_i64x2(u[1], u[5], 0xDD);
  w[1] = _mm512_shuffle_i64x2(u[2], u[6], 0x88);
  w[5] = _mm512_shuffle_i64x2(u[2], u[6], 0xDD);
  w[3] = _mm512_shuffle_i64x2(u[3], u[7], 0x88);
  w[7] = _mm512_shuffle_i64x2(u[3], u[7], 0xDD);

  const uint64_t k0 = LoadLittle64(key.data()), k1 = LoadLittle64(key.data() + 8);
  __m512i v0 = _mm512_set1_epi64(static_cast<long long>(0x736f6d6570736575ULL ^ k0));
  __m512i v1 = _mm512_set1_epi64(static_cast<long long>(0x646f72616e646f6dULL ^ k1));
  __m512i v2 = _mm512_set1_epi64(static_cast<long long>(0x6c7967656e657261ULL ^ k0));
  __m512i v3 = _mm512_set1_epi64(static_cast<long long>(0x7465646279746573ULL ^ k1));
  for (size_t k = 0; k <= most; ++k) {
    const __mmask8 on = live[k];
    const __m512i m = w[k];
    __m512i a0 = v0, a1 = v1, a2 = v2, a3 = _mm512_xor_si512(v3, m);
    Round(a0, a1, a2, a3);
    Round(a0, a1, a2, a3);
    a0 = _mm512_xor_si512(a0, m);
    v0 = _mm512_mask_mov_epi64(v0, on, a0);
    v1 = _mm512_mask_mov_epi64(v1, on, a1);
    v2 = _mm512_mask_mov_epi64(v2, on, a2);
    v3 = _mm512_mask_mov_epi64(v3, on, a3);
  }
  v2 = _mm512_xor_si512(v2, _mm512_set1_epi64(0xff));
  for (int i = 0; i < 4; ++i) Round(v0, v1, v2, v3);
  const __m512i r = _mm512_xor_si512(_mm512_xor_si512(v0, v1), _mm512_xor_si512(v2, v3));
  _mm512_mask_storeu_epi64(out, static_cast<__mmask8>((1u << n) - 1), r);
}

bool Supported() {
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                         __builtin_cpu_supports("avx512vl");
  return ok;
}

}  // namespace avx512
#pragma GCC diagnostic pop
#endif

// Whether SipHash24TaggedMany may put this message in a vector lane: tag, NUL, data and
// the length byte in one 64-byte register.
bool FitsLane(std::string_view tag, std::string_view data) {
  return TaggedMessage::Fits(tag) && tag.size() + 1 + data.size() < 64;
}

}  // namespace

void SipHash24TaggedMany(const SipKey& key, size_t n, const std::string_view* tag, const std::string_view* data,
                         uint64_t* out) {
  size_t i = 0;
#if defined(__x86_64__)
  using Hash8Fn = void (*)(const SipKey&, size_t, const std::string_view*, const std::string_view*, uint64_t*);
  static const Hash8Fn hash8 = avx512::Supported() ? avx512::Hash8 : avx2::Supported() ? avx2::Hash8 : nullptr;
  constexpr size_t kLanes = 8;
  static_assert(avx512::kLanes == kLanes && avx2::kLanes == kLanes);
  if (hash8 != nullptr) {
    // Runs of eight that all fit a lane (nearly always) go straight from the arrays.
    while (i + kLanes <= n) {
      bool fit = true;
      for (size_t k = i; k < i + kLanes; ++k) fit &= FitsLane(tag[k], data[k]);
      if (!fit) break;
      hash8(key, kLanes, tag + i, data + i, out + i);
      i += kLanes;
    }
    // The rest: up to eight messages that fit a lane at a time; the others one by one.
    std::string_view lane_tag[kLanes], lane_data[kLanes];
    size_t lane_of[kLanes], lanes = 0, other[kLanes * 4], others = 0;
    auto flush = [&] {
      uint64_t r[kLanes];
      hash8(key, lanes, lane_tag, lane_data, r);
      for (size_t l = 0; l < lanes; ++l) out[lane_of[l]] = r[l];
      lanes = 0;
    };
    for (; i < n; ++i) {
      if (!FitsLane(tag[i], data[i])) {
        if (others == std::size(other)) break;  // handled below, from i on
        other[others++] = i;
        continue;
      }
      lane_tag[lanes] = tag[i];
      lane_data[lanes] = data[i];
      lane_of[lanes++] = i;
      if (lanes == kLanes) flush();
    }
    if (lanes > 0) flush();
    for (size_t k = 0; k < others; ++k) out[other[k]] = SipHash24Tagged(key, tag[other[k]], data[other[k]]);
  }
#endif
  for (; i + 1 < n; i += 2) SipHash24TaggedPair(key, tag + i, data + i, out + i);
  if (i < n) out[i] = SipHash24Tagged(key, tag[i], data[i]);
}

uint64_t SipHash24(const SipKey& key, std::string_view a, std::string_view b, std::string_view c) {
  State s = Init(key);
  const size_t total = a.size() + b.size() + c.size();
  if (total <= 256) {  // the usual case: the parts laid out whole, then plain words
    char buf[256];
    size_t at = 0;
    for (std::string_view part : {a, b, c}) {
      if (part.empty()) continue;  // an empty view's data() may be null: no memcpy
      std::memcpy(buf + at, part.data(), part.size());
      at += part.size();
    }
    std::string_view m(buf, total);
    for (size_t k = 0; k <= total / 8; ++k) s.Absorb(WordAt(m, k));
    return Finish(s);
  }
  // Whole words straight from each part; a part's last partial word is completed from
  // the next part through `pending`.
  uint8_t pending[8];
  size_t npending = 0;
  for (std::string_view part : {a, b, c}) {
    auto* p = reinterpret_cast<const uint8_t*>(part.data());
    size_t n = part.size();
    if (npending > 0) {
      size_t take = std::min(n, 8 - npending);
      if (take > 0) std::memcpy(pending + npending, p, take);
      npending += take;
      p += take;
      n -= take;
      if (npending < 8) continue;
      s.Absorb(LoadLittle64(pending));
      npending = 0;
    }
    for (; n >= 8; p += 8, n -= 8) s.Absorb(LoadLittle64(p));
    if (n > 0) std::memcpy(pending, p, n);
    npending = n;
  }
  uint64_t last = static_cast<uint64_t>(total) << 56;
  for (size_t i = 0; i < npending; ++i) last |= uint64_t{pending[i]} << (8 * i);
  s.Absorb(last);
  return Finish(s);
}

}  // namespace lw
