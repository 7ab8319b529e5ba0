#include "base/keyed_hash.h"

#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace lw {

KeyedHasher::KeyedHasher(std::string_view key) {
  uint8_t block[SHA256_CBLOCK] = {};
  if (key.size() > SHA256_CBLOCK) {
    SHA256(reinterpret_cast<const uint8_t*>(key.data()), key.size(), block);
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  uint8_t ipad[SHA256_CBLOCK], opad[SHA256_CBLOCK];
  for (int i = 0; i < SHA256_CBLOCK; ++i) {
    ipad[i] = block[i] ^ 0x36;
    opad[i] = block[i] ^ 0x5c;
  }
  SHA256_Init(&inner_);
  SHA256_Update(&inner_, ipad, sizeof ipad);
  SHA256_Init(&outer_);
  SHA256_Update(&outer_, opad, sizeof opad);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
  Digest probe = Hash("probe key", "leakwatch probe key v1");
  std::memcpy(probe_key_.data(), probe.data(), probe_key_.size());
  OPENSSL_cleanse(probe.data(), probe.size());
  Digest content = Hash("content key", "leakwatch content key v1");
  for (size_t w = 0; w < content_key_.size(); ++w)
    for (int b = 0; b < 8; ++b) content_key_[w] |= uint64_t{content[8 * w + b]} << (8 * b);
  OPENSSL_cleanse(content.data(), content.size());
}

#if defined(__x86_64__)
namespace {

// HMAC with SHA-NI for messages that fit the inner hash in one or two blocks: the
// chaining values after the pad blocks come from the SHA256_CTX states, so hashing is
// two or three compressions with no SHA256_Update/Final bookkeeping around them. Every
// function that uses the SHA intrinsics carries LW_SHA_TARGET, so the rest of the project
// stays baseline x86-64; Hash() calls in only after the CPU check.
#define LW_SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

// Longest tag || 0x00 || data that fits two blocks with the 0x80 byte and the length.
constexpr size_t kMaxFastMessage = 2 * 64 - 9;

alignas(16) constexpr uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// A SHA-256 state as sha256rnds2 wants it: abef = {F, E, B, A}, cdgh = {H, G, D, C}
// (lane 0 first).
struct ShaState {
  __m128i abef, cdgh;
};

LW_SHA_TARGET inline ShaState LoadState(const SHA_LONG h[8]) {
  __m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)), 0xB1);
  __m128i hgfe = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4)), 0x1B);
  return {_mm_alignr_epi8(dcba, hgfe, 8), _mm_blend_epi16(hgfe, dcba, 0xF0)};
}

// The state as words {A, B, C, D} and {E, F, G, H}: the digest in host order, which is
// also the first eight message words of the outer block.
LW_SHA_TARGET inline void StoreWords(ShaState s, __m128i& abcd, __m128i& efgh) {
  __m128i feba = _mm_shuffle_epi32(s.abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(s.cdgh, 0xB1);
  abcd = _mm_blend_epi16(feba, dchg, 0xF0);
  efgh = _mm_alignr_epi8(dchg, feba, 8);
}

LW_SHA_TARGET inline __m128i LoadBigEndianWords(const uint8_t* p) {
  const __m128i kByteSwap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), kByteSwap);
}

// One compression on each of N independent states. The rounds of one state form a
// single dependency chain through sha256rnds2, so interleaving N chains lets them
// overlap; N == 1 is the plain compression.
template <int N>
LW_SHA_TARGET __attribute__((always_inline)) inline void Compress(ShaState (&s)[N], __m128i (&w)[N][4]) {
  ShaState saved[N];
  for (int n = 0; n < N; ++n) saved[n] = s[n];
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) {
    const __m128i k = _mm_load_si128(reinterpret_cast<const __m128i*>(kRoundConstants + 4 * i));
    for (int n = 0; n < N; ++n) {
      __m128i* m = w[n];
      if (i >= 4) {  // m[i & 3] holds W[4i-16..4i-13]; make it W[4i..4i+3].
        __m128i t = _mm_sha256msg1_epu32(m[i & 3], m[(i + 1) & 3]);
        t = _mm_add_epi32(t, _mm_alignr_epi8(m[(i + 3) & 3], m[(i + 2) & 3], 4));
        m[i & 3] = _mm_sha256msg2_epu32(t, m[(i + 3) & 3]);
      }
      __m128i wk = _mm_add_epi32(m[i & 3], k);
      s[n].cdgh = _mm_sha256rnds2_epu32(s[n].cdgh, s[n].abef, wk);
      s[n].abef = _mm_sha256rnds2_epu32(s[n].abef, s[n].cdgh, _mm_shuffle_epi32(wk, 0x0E));
    }
  }
  for (int n = 0; n < N; ++n) {
    s[n].abef = _mm_add_epi32(s[n].abef, saved[n].abef);
    s[n].cdgh = _mm_add_epi32(s[n].cdgh, saved[n].cdgh);
  }
}

// Lays out tag || 0x00 || data and the SHA-256 padding in `block`, for a hash that has
// already absorbed one 64-byte block. Returns the number of 64-byte blocks used.
// REQUIRES: tag.size() + 1 + data.size() <= kMaxFastMessage.
inline int PadMessage(std::string_view tag, std::string_view data, uint8_t (&block)[128]) {
  const size_t len = tag.size() + 1 + data.size();
  const int blocks = len <= 55 ? 1 : 2;
  std::memset(block, 0, 64 * blocks);
  if (!tag.empty()) std::memcpy(block, tag.data(), tag.size());
  if (!data.empty()) std::memcpy(block + tag.size() + 1, data.data(), data.size());
  block[len] = 0x80;
  const uint64_t bits = (64 + len) * 8;
  for (int i = 0; i < 8; ++i) block[64 * blocks - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  return blocks;
}

// The message blocks hold identifiers, which leakwatch otherwise keeps only hashed:
// wipe them as SHA256_Final wipes its buffer. The barrier keeps the stores.
inline void Wipe(uint8_t* p, size_t n) {
  std::memset(p, 0, n);
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

// HMAC of N messages that all take `blocks` inner blocks.
template <int N>
LW_SHA_TARGET void HmacShaNi(const SHA_LONG (&inner)[8], const SHA_LONG (&outer)[8], const HashInput* in,
                             Digest* const* out, int blocks) {
  alignas(16) uint8_t buf[N][128];
  for (int n = 0; n < N; ++n) PadMessage(in[n].tag, in[n].data, buf[n]);
  ShaState s[N];
  __m128i w[N][4];
  const ShaState start = LoadState(inner);
  for (int n = 0; n < N; ++n) s[n] = start;
  for (int b = 0; b < blocks; ++b) {
    for (int n = 0; n < N; ++n)
      for (int j = 0; j < 4; ++j) w[n][j] = LoadBigEndianWords(buf[n] + 64 * b + 16 * j);
    Compress(s, w);
  }
  // Outer hash: the 32-byte inner digest, 0x80, zeros, and the length (64 + 32) * 8.
  const ShaState outer_start = LoadState(outer);
  for (int n = 0; n < N; ++n) {
    StoreWords(s[n], w[n][0], w[n][1]);
    w[n][2] = _mm_set_epi32(0, 0, 0, static_cast<int>(0x80000000u));
    w[n][3] = _mm_set_epi32((64 + 32) * 8, 0, 0, 0);
    s[n] = outer_start;
  }
  Compress(s, w);
  const __m128i kByteSwap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  for (int n = 0; n < N; ++n) {
    __m128i abcd, efgh;
    StoreWords(s[n], abcd, efgh);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out[n]->data()), _mm_shuffle_epi8(abcd, kByteSwap));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out[n]->data() + 16), _mm_shuffle_epi8(efgh, kByteSwap));
  }
  Wipe(&buf[0][0], sizeof buf);
}

// cpuid rather than __builtin_cpu_supports: clang 14 (the fuzz builds) does not know "sha".
bool CpuHasShaNi() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool ssse3 = c & (1u << 9), sse41 = c & (1u << 19);
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool sha = b & (1u << 29);
  return ssse3 && sse41 && sha;
}

bool UseShaNi() {
  static const bool use = CpuHasShaNi();
  return use;
}

// 0 when the message is too long for the fast path, else its inner block count.
int FastBlocks(const HashInput& in) {
  const size_t len = in.tag.size() + 1 + in.data.size();
  return len <= 55 ? 1 : len <= kMaxFastMessage ? 2 : 0;
}

}  // namespace
#endif  // __x86_64__

bool KeyedHasher::HasFastPath() {
#if defined(__x86_64__)
  return UseShaNi();
#else
  return false;
#endif
}

Digest KeyedHasher::Hash(std::string_view tag, std::string_view data) const {
#if defined(__x86_64__)
  const HashInput in{tag, data};
  if (int blocks = FastBlocks(in); blocks != 0 && UseShaNi()) {
    Digest out;
    Digest* out_ptr = &out;
    HmacShaNi<1>(inner_.h, outer_.h, &in, &out_ptr, blocks);
    return out;
  }
#endif
  return HashWithOpenSsl(tag, data);
}

void KeyedHasher::HashMany(std::span<const HashInput> in, std::span<Digest> out) const {
#if defined(__x86_64__)
  if (UseShaNi()) {
    // Pair up messages with the same inner block count, in whatever order they come;
    // a message waits in pending[blocks] for a partner.
    const HashInput* pending[3] = {};
    Digest* pending_out[3] = {};
    for (size_t i = 0; i < in.size(); ++i) {
      const int blocks = FastBlocks(in[i]);
      if (blocks == 0) {
        out[i] = HashWithOpenSsl(in[i].tag, in[i].data);
      } else if (pending[blocks] == nullptr) {
        pending[blocks] = &in[i];
        pending_out[blocks] = &out[i];
      } else {
        const HashInput pair[2] = {*pending[blocks], in[i]};
        Digest* const pair_out[2] = {pending_out[blocks], &out[i]};
        HmacShaNi<2>(inner_.h, outer_.h, pair, pair_out, blocks);
        pending[blocks] = nullptr;
      }
    }
    for (int blocks = 1; blocks <= 2; ++blocks) {
      if (pending[blocks] != nullptr) HmacShaNi<1>(inner_.h, outer_.h, pending[blocks], &pending_out[blocks], blocks);
    }
    return;
  }
#endif
  for (size_t i = 0; i < in.size(); ++i) out[i] = HashWithOpenSsl(in[i].tag, in[i].data);
}

Digest KeyedHasher::HashWithOpenSsl(std::string_view tag, std::string_view data) const {
  SHA256_CTX ctx = inner_;
  static const uint8_t kZero = 0;
  SHA256_Update(&ctx, tag.data(), tag.size());
  SHA256_Update(&ctx, &kZero, 1);
  SHA256_Update(&ctx, data.data(), data.size());
  return FinishWithOpenSsl(&ctx);
}

Digest KeyedHasher::FinishWithOpenSsl(SHA256_CTX* inner) const {
  Digest inner_digest;
  SHA256_Final(inner_digest.data(), inner);
  SHA256_CTX ctx = outer_;
  SHA256_Update(&ctx, inner_digest.data(), inner_digest.size());
  Digest out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

Digest KeyedHasher::Hmac(std::string_view key, std::string_view message) {
  KeyedHasher h(key);
  SHA256_CTX ctx = h.inner_;
  SHA256_Update(&ctx, message.data(), message.size());
  return h.FinishWithOpenSsl(&ctx);
}

void KeyedHasher::ProbeMany(std::span<const HashInput> in, std::span<uint64_t> out) const {
  constexpr size_t kBatch = 32;
  std::string_view tags[kBatch], data[kBatch];
  for (size_t from = 0; from < in.size(); from += kBatch) {
    const size_t n = std::min(kBatch, in.size() - from);
    for (size_t k = 0; k < n; ++k) {
      tags[k] = in[from + k].tag;
      data[k] = in[from + k].data;
    }
    ProbeMany(n, tags, data, &out[from]);
  }
}

std::string KeyedHasher::Fingerprint() const {
  Digest d = Hash("fingerprint", "leakwatch key fingerprint v1");
  return ToHex(d.data(), 16);
}

std::string ToHex(const uint8_t* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool BytesFromHex(std::string_view hex, std::span<uint8_t> out) {
  if (hex.size() != 2 * out.size()) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

Result<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Fail(Error::Invalid("hex string has odd length"));
  std::string out(hex.size() / 2, '\0');
  if (!BytesFromHex(hex, std::span(reinterpret_cast<uint8_t*>(out.data()), out.size())))
    return Fail(Error::Invalid("not a hex string"));
  return out;
}

Result<Digest> DigestFromHex(std::string_view hex) {
  if (hex.size() != 64) return Fail(Error::Invalid("a keyed hash is 64 hex characters"));
  Digest d;
  if (!BytesFromHex(hex, d)) return Fail(Error::Invalid("not a hex string"));
  return d;
}

}  // namespace lw
