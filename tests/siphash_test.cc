#include "base/siphash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

namespace lw {
namespace {

SipKey TestKey() {
  SipKey k;
  for (int i = 0; i < 16; ++i) k[i] = static_cast<uint8_t>(i);
  return k;
}

std::string Counting(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i));
  return s;
}

// OpenSSL's SIPHASH MAC with an 8-byte output (SipHash-2-4-64), little-endian.
uint64_t OpenSslSipHash(const SipKey& key, std::string_view msg) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
  REQUIRE(mac != nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  size_t size = 8;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size), OSSL_PARAM_construct_end()};
  REQUIRE(EVP_MAC_init(ctx, key.data(), key.size(), params) == 1);
  REQUIRE(EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1);
  unsigned char out[8];
  size_t out_len = 0;
  REQUIRE(EVP_MAC_final(ctx, out, &out_len, sizeof out) == 1);
  REQUIRE(out_len == 8);
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | out[i];
  return v;
}

TEST_CASE("SipHash-2-4 matches the reference vectors", "[siphash]") {
  // From the SipHash paper (appendix A) and the reference implementation's vectors.h.
  CHECK(SipHash24(TestKey(), "") == 0x726fdb47dd0e0e31ULL);
  CHECK(SipHash24(TestKey(), Counting(15)) == 0xa129ca6149be45e5ULL);
}

TEST_CASE("SipHash-2-4 matches OpenSSL for every length and split", "[siphash]") {
  SipKey key = TestKey();
  key[3] = 0xA5;
  // Short messages take the laid-out path, those over 256 bytes the streaming one.
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 80; ++n) lengths.push_back(n);
  for (size_t n : {255, 256, 257, 263, 300, 1000}) lengths.push_back(n);
  for (size_t n : lengths) {
    std::string m = Counting(n);
    for (auto& c : m) c = static_cast<char>(c * 7 + 3);
    uint64_t want = OpenSslSipHash(key, m);
    INFO("length " << n);
    REQUIRE(SipHash24(key, m) == want);
    // Any three-way split hashes the same message.
    const size_t step = n > 100 ? 37 : 1;
    for (size_t i = 0; i <= n; i += 3 * step)
      for (size_t j = i; j <= n; j += 5 * step)
        REQUIRE(SipHash24(key, std::string_view(m).substr(0, i), std::string_view(m).substr(i, j - i),
                          std::string_view(m).substr(j)) == want);
  }
}

TEST_CASE("SipHash-2-4 of a tagged message, alone and in pairs, equals the laid-out message", "[siphash]") {
  // Every tag length (0..7 in place, 8+ the fallback) against every data length across
  // the word boundaries; the data sits at the end of its buffer so that a read past it
  // would show under ASan.
  SipKey key = TestKey();
  for (size_t tn = 0; tn <= 9; ++tn) {
    std::string tag(tn, 't');
    for (size_t i = 0; i < tn; ++i) tag[i] = static_cast<char>('a' + i);
    for (size_t n = 0; n <= 40; ++n) {
      auto data = std::make_unique<char[]>(n);
      for (size_t i = 0; i < n; ++i) data[i] = static_cast<char>(i * 13 + tn);
      std::string_view d(data.get(), n);
      uint64_t want = SipHash24(key, tag, std::string_view("\0", 1), d);
      INFO("tag " << tn << ", data " << n);
      REQUIRE(SipHash24Tagged(key, tag, d) == want);
      const std::string_view tags[2] = {tag, "email"}, datas[2] = {d, "x@qq.com"};
      uint64_t out[2];
      SipHash24TaggedPair(key, tags, datas, out);
      REQUIRE(out[0] == want);
      REQUIRE(out[1] == SipHash24(key, "email", std::string_view("\0", 1), "x@qq.com"));
    }
  }
}

TEST_CASE("SipHash-2-4 of many tagged messages equals one at a time", "[siphash]") {
  // Batches of every size up to 40, of messages of mixed lengths (lanes that end at
  // different words), with tags that take the fallback and messages too long for a lane
  // mixed in; each message sits alone at the end of its buffer (reads past it show under
  // ASan).
  SipKey key = TestKey();
  std::vector<std::string> tag_store;
  std::vector<std::unique_ptr<char[]>> buffers;
  std::vector<std::string_view> tags, datas;
  uint64_t seed = 7;
  for (size_t i = 0; i < 200; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    size_t tn = (seed >> 20) % 10;  // 8 and 9 do not fit a lane
    size_t n = (seed >> 33) % 50;
    if (i % 7 == 3) n = 52 + (seed >> 40) % 14;    // around the 64-byte lane limit
    if (i % 37 == 5) n = 119 + (seed >> 40) % 20;  // far past it
    tag_store.push_back(std::string(tn, static_cast<char>('a' + i % 26)));
    buffers.push_back(std::make_unique<char[]>(n));
    for (size_t k = 0; k < n; ++k) buffers.back()[k] = static_cast<char>(seed >> (k % 50));
    datas.emplace_back(buffers.back().get(), n);
  }
  for (const std::string& t : tag_store) tags.push_back(t);
  for (size_t batch = 0; batch <= 40; ++batch) {
    for (size_t from = 0; from + batch <= tags.size(); from += 41) {
      std::vector<uint64_t> out(batch + 1, 0xdeadbeef);
      SipHash24TaggedMany(key, batch, tags.data() + from, datas.data() + from, out.data());
      for (size_t k = 0; k < batch; ++k) {
        INFO("batch " << batch << ", message " << from + k);
        REQUIRE(out[k] == SipHash24Tagged(key, tags[from + k], datas[from + k]));
      }
      CHECK(out[batch] == 0xdeadbeef);  // nothing written past n
    }
  }
}

TEST_CASE("SipHash-2-4 depends on the key", "[siphash]") {
  SipKey a = TestKey(), b = TestKey();
  b[15] ^= 1;
  CHECK(SipHash24(a, "email") != SipHash24(b, "email"));
}

}  // namespace
}  // namespace lw
