#include "base/content_digest.h"

#include <openssl/sha.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "base/keyed_hash.h"
#include "highwayhash/highwayhash_target.h"  // the library's one-shot HighwayHash, as reference

using namespace lw;
using Impl = ContentDigester::Impl;

namespace {

// The digest's text form: the four result words in order, each little-endian, in hex.
std::string HexOfWords(const uint64_t (&w)[4]) {
  uint8_t bytes[32];
  for (int i = 0; i < 32; ++i) bytes[i] = static_cast<uint8_t>(w[i / 8] >> (8 * (i % 8)));
  return ToHex(bytes, 32);
}

std::string DigestOf(ContentDigestKind kind, const ContentKey& key, std::string_view data, Impl impl = Impl::kBest) {
  ContentDigester d(kind, key, impl);
  d.Update(data);
  return d.FinishHex();
}

std::string Keyed(const ContentKey& key, std::string_view data, Impl impl = Impl::kBest) {
  return DigestOf(ContentDigestKind::kKeyedHighway256, key, data, impl);
}

// The library's non-streaming HighwayHash-256, as a reference: its AVX2 or SSE4.1 code
// (Debian's libhighwayhash.a has its portable code miscompiled: wrong past 32 bytes, see
// base/CMakeLists.txt). Empty on a CPU with neither.
std::string Reference(const ContentKey& key, std::string_view data) {
  const highwayhash::HHKey hh_key = {key[0], key[1], key[2], key[3]};
  uint64_t out[4];
  auto* result = reinterpret_cast<highwayhash::HHResult256*>(&out);
  if (__builtin_cpu_supports("avx2")) {
    highwayhash::HighwayHash<HH_TARGET_AVX2>()(hh_key, data.data(), data.size(), result);
  } else if (__builtin_cpu_supports("sse4.1")) {
    highwayhash::HighwayHash<HH_TARGET_SSE41>()(hh_key, data.data(), data.size(), result);
  } else {
    return "";
  }
  return HexOfWords(out);
}

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

ContentKey RandomKey(std::mt19937_64& rng) { return {rng(), rng(), rng(), rng()}; }

// The implementations to check: portable always, AVX2 where the CPU has it.
std::vector<Impl> Impls() {
  std::vector<Impl> impls = {Impl::kBest, Impl::kPortable};
  if (ContentDigester::HasAvx2()) impls.push_back(Impl::kAvx2);
  return impls;
}

}  // namespace

TEST_CASE("content digest: keyed HighwayHash-256 matches the published test vectors") {
  // From HighwayHash's highwayhash_test.cc (kExpected256; the function is frozen): key
  // bytes 00..1f, message bytes 00, 01, ... of each length.
  const ContentKey key = {0x0706050403020100ull, 0x0F0E0D0C0B0A0908ull, 0x1716151413121110ull,
                          0x1F1E1D1C1B1A1918ull};
  struct Vector {
    size_t size;
    uint64_t words[4];
  };
  const Vector vectors[] = {
      {0, {0xDD44482AC2C874F5ull, 0xD946017313C7351Full, 0xB3AEBECCB98714FFull, 0x41DA233145751DF4ull}},
      {1, {0xEDB941BCE45F8254ull, 0xE20D44EF3DCAC60Full, 0x72651B9BCB324A47ull, 0x2073624CB275E484ull}},
      {31, {0x6880E276601A644Dull, 0xB3728B20B10FB7DAull, 0xD0BD12060610D16Eull, 0x8AEF14EF33452EF2ull}},
      {32, {0xBCE38C9039A1C3FEull, 0x42D56326A3C11289ull, 0xE35595F764FCAEA9ull, 0xC9B03C6BC9475A99ull}},
      {33, {0xF60115CBF034A6E5ull, 0x6C36EA75BFCE46D0ull, 0x3B17C8D382725990ull, 0x7EDAA2ED11007A35ull}},
      {64, {0x90D8E6FF6AC12475ull, 0x1A422A196EDAC1F2ull, 0x9E3765FE1F8EB002ull, 0xC1BDD7C4C351CFBEull}},
  };
  std::string message;
  for (int i = 0; i < 64; ++i) message += static_cast<char>(i);
  for (const Vector& v : vectors) {
    INFO("size " << v.size);
    const std::string expected = HexOfWords(v.words);
    const std::string reference = Reference(key, std::string_view(message).substr(0, v.size));
    if (!reference.empty()) CHECK(reference == expected);
    for (Impl impl : Impls()) {
      INFO("impl " << static_cast<int>(impl));
      CHECK(Keyed(key, std::string_view(message).substr(0, v.size), impl) == expected);
    }
  }
}

TEST_CASE("content digest: every implementation equals the library's one-shot hash, at every length") {
  if (Reference({}, "").empty()) {
    WARN("neither AVX2 nor SSE4.1 on this CPU: no reference to compare with");
    return;
  }
  std::mt19937_64 rng(7);
  for (size_t n = 0; n <= 300; ++n) {
    INFO("size " << n);
    const ContentKey key = RandomKey(rng);
    const std::string data = RandomBytes(rng, n);
    const std::string expected = Reference(key, data);
    for (Impl impl : Impls()) CHECK(Keyed(key, data, impl) == expected);
  }
}

TEST_CASE("content digest: AVX2 and portable code agree on large inputs") {
  if (!ContentDigester::HasAvx2()) {
    WARN("no AVX2 on this CPU: only the portable code ran");
    return;
  }
  std::mt19937_64 rng(8);
  const ContentKey key = RandomKey(rng);
  const std::string data = RandomBytes(rng, (3 << 20) + 17);
  for (size_t n : {size_t{4096}, size_t{65535}, size_t{1} << 20, data.size()}) {
    INFO("size " << n);
    std::string_view part(data.data(), n);
    CHECK(Keyed(key, part, Impl::kAvx2) == Keyed(key, part, Impl::kPortable));
  }
}

TEST_CASE("content digest: streaming in any split equals one pass") {
  std::mt19937_64 rng(9);
  const ContentKey key = RandomKey(rng);
  const std::string data = RandomBytes(rng, 10000);
  for (ContentDigestKind kind : {ContentDigestKind::kSha256, ContentDigestKind::kKeyedHighway256}) {
    const std::string whole = DigestOf(kind, key, data);
    for (Impl impl : Impls()) {
      for (int round = 0; round < 50; ++round) {
        INFO("kind " << static_cast<int>(kind) << " impl " << static_cast<int>(impl) << " round " << round);
        ContentDigester d(kind, key, impl);
        size_t at = 0;
        while (at < data.size()) {
          // Empty, tiny, around a 32-byte packet and long pieces.
          static const size_t kSizes[] = {0, 1, 2, 7, 31, 32, 33, 63, 64, 65, 500, 4096};
          size_t n = std::min(data.size() - at, kSizes[rng() % std::size(kSizes)] + (round % 3 == 0 ? rng() % 97 : 0));
          d.Update(std::string_view(data).substr(at, n));
          at += n;
        }
        CHECK(d.FinishHex() == whole);
      }
    }
  }
}

TEST_CASE("content digest: the SHA-256 kind is plain SHA-256 and ignores the key") {
  std::mt19937_64 rng(10);
  for (size_t n : {0, 1, 55, 56, 64, 1000, 100000}) {
    const std::string data = RandomBytes(rng, n);
    uint8_t d[32];
    SHA256(reinterpret_cast<const uint8_t*>(data.data()), data.size(), d);
    CHECK(DigestOf(ContentDigestKind::kSha256, RandomKey(rng), data) == ToHex(d, 32));
  }
  CHECK(DigestOf(ContentDigestKind::kSha256, {}, "abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("content digest: the key comes from the secret key; other keys give other digests") {
  const KeyedHasher a(std::string(kSecretKeySize, 'a')), b(std::string(kSecretKeySize, 'b'));
  // content_key() is Hash("content key", "leakwatch content key v1") in little-endian words.
  const Digest derived = a.Hash("content key", "leakwatch content key v1");
  for (int w = 0; w < 4; ++w) {
    uint64_t word = 0;
    for (int i = 0; i < 8; ++i) word |= uint64_t{derived[8 * w + i]} << (8 * i);
    CHECK(a.content_key()[w] == word);
  }
  CHECK(a.content_key() != b.content_key());
  CHECK(a.content_key() == KeyedHasher(std::string(kSecretKeySize, 'a')).content_key());

  const std::string doc = "user@example.com:hunter2\n";
  const std::string da = Keyed(a.content_key(), doc), db = Keyed(b.content_key(), doc);
  CHECK(da.size() == 64);
  CHECK(da != db);
  CHECK(da == Keyed(a.content_key(), doc));
  CHECK(da != Keyed(a.content_key(), doc + " "));
  // Pinned: the digests stored in schema-3 stores must never change (the key derivation
  // included). Computed with the portable code.
  const char* kPinned = "bb00c8b3dcf42aadcdda8825071c5bc9b00775bd32c4ab37065442af83a9c0bb";
  for (Impl impl : Impls()) CHECK(Keyed(a.content_key(), doc, impl) == kPinned);
}
