#include "base/keyed_hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

using lw::KeyedHasher;
using lw::ToHex;

// RFC 4231, HMAC-SHA-256 test vectors.
TEST_CASE("HMAC-SHA-256 matches RFC 4231") {
  std::string key1(20, '\x0b');
  CHECK(ToHex(KeyedHasher::Hmac(key1, "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(ToHex(KeyedHasher::Hmac("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  std::string key3(20, '\xaa'), data3(50, '\xdd');
  CHECK(ToHex(KeyedHasher::Hmac(key3, data3)) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  // Test case 6: a key longer than the block size is hashed first.
  std::string key6(131, '\xaa');
  CHECK(ToHex(KeyedHasher::Hmac(key6, "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("Hash is HMAC over tag, NUL, data") {
  std::string key(32, 'k');
  KeyedHasher h(key);
  CHECK(h.Hash("email", "a@b.cn") == KeyedHasher::Hmac(key, std::string("email\0a@b.cn", 12)));
  CHECK(h.Hash("email", "x") != h.Hash("phone", "x"));
  CHECK(h.Fingerprint().size() == 32);
  CHECK(KeyedHasher(std::string(32, 'j')).Fingerprint() != h.Fingerprint());
}

TEST_CASE("hex round trip") {
  auto d = KeyedHasher(std::string(32, 'k')).Hash("t", "v");
  auto back = lw::DigestFromHex(ToHex(d));
  REQUIRE(back);
  CHECK(*back == d);
  CHECK(!lw::DigestFromHex("zz"));
  CHECK(!lw::FromHex("abc"));
  CHECK(*lw::FromHex("4A4b") == "JK");
}

namespace {

// HMAC-SHA-256(key, tag || 0 || data) by OpenSSL's one-shot HMAC(): independent of the
// precomputed states and the SHA-NI path of KeyedHasher.
lw::Digest Reference(const std::string& key, std::string_view tag, std::string_view data) {
  std::string message(tag);
  message.push_back('\0');
  message.append(data);
  lw::Digest out;
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), out.data(), &len);
  REQUIRE(len == out.size());
  return out;
}

}  // namespace

TEST_CASE("Hash takes the SHA-NI path wherever the CPU has it") {
  // Otherwise the comparisons below could pass with the fast path never run.
#if defined(__x86_64__)
  __builtin_cpu_init();
  CHECK(KeyedHasher::HasFastPath() == (__builtin_cpu_supports("sha") != 0));
#else
  CHECK(!KeyedHasher::HasFastPath());
#endif
}

TEST_CASE("Hash and HashMany match OpenSSL's HMAC for every length, on both paths") {
  // The SHA-NI path takes messages of one or two blocks (tag + 1 + data <= 55 or <= 119
  // bytes); the lengths straddle both limits and go well past them.
  INFO("SHA-NI path on this machine: " << KeyedHasher::HasFastPath());
  std::mt19937_64 rng(42);
  const std::vector<std::string> tags = {"email", "phone", "md5", "sha1", "sha256", "", std::string(70, 't')};
  for (int round = 0; round < 8; ++round) {
    std::string key(32, '\0');
    for (char& c : key) c = static_cast<char>(rng());
    KeyedHasher h(key);
    std::vector<std::string> datas;
    std::vector<lw::HashInput> inputs;
    for (size_t len = 0; len <= 300; ++len) {
      std::string data(len, '\0');
      for (char& c : data) c = static_cast<char>(rng());
      datas.push_back(std::move(data));
    }
    for (size_t i = 0; i < datas.size(); ++i) inputs.push_back({tags[(i + round) % tags.size()], datas[i]});
    std::vector<lw::Digest> many(inputs.size());
    h.HashMany(inputs, many);
    size_t mismatches = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      lw::Digest want = Reference(key, inputs[i].tag, inputs[i].data);
      mismatches += h.Hash(inputs[i].tag, inputs[i].data) != want;
      mismatches += many[i] != want;
    }
    CHECK(mismatches == 0);
  }
  // tag + 1 + data exactly at and just past the one- and two-block limits, for each tag.
  KeyedHasher edge(std::string(32, 'e'));
  for (const std::string& tag : tags) {
    for (size_t total : {size_t{55}, size_t{56}, size_t{119}, size_t{120}}) {
      if (total < tag.size() + 1) continue;
      std::string data(total - tag.size() - 1, 'd');
      INFO("tag \"" << tag << "\", message length " << total);
      CHECK(edge.Hash(tag, data) == Reference(std::string(32, 'e'), tag, data));
    }
  }
  // Batches of every size, in odd mixes of one- and two-block messages.
  KeyedHasher h(std::string(32, 'k'));
  for (size_t n = 0; n <= 40; ++n) {
    std::vector<std::string> datas;
    for (size_t i = 0; i < n; ++i) datas.push_back(std::string((i * 37 + n) % 130, static_cast<char>('a' + i % 26)));
    std::vector<lw::HashInput> inputs;
    for (const std::string& d : datas) inputs.push_back({"email", d});
    std::vector<lw::Digest> many(n + 1);
    many[n].fill(0xab);  // HashMany writes out[0, in.size()) only
    h.HashMany(inputs, many);
    for (size_t i = 0; i < n; ++i) CHECK(many[i] == Reference(std::string(32, 'k'), "email", datas[i]));
    CHECK(std::all_of(many[n].begin(), many[n].end(), [](uint8_t b) { return b == 0xab; }));
  }
}

TEST_CASE("probe: a keyed SipHash of the same framing, under a key derived from the secret", "[probe]") {
  lw::KeyedHasher h(std::string(32, 'k'));
  lw::Digest derived = h.Hash("probe key", "leakwatch probe key v1");
  lw::SipKey key;
  std::copy_n(derived.begin(), key.size(), key.begin());
  CHECK(h.Probe("email", "a@qq.com") == lw::SipHash24(key, std::string_view("email\0a@qq.com", 14)));
  CHECK(h.Probe("email", "a@qq.com") == h.Probe("email", "a@qq.com"));
  CHECK(h.Probe("email", "a@qq.com") != h.Probe("phone", "a@qq.com"));
  CHECK(h.Probe("email", "a@qq.com") != lw::KeyedHasher(std::string(32, 'j')).Probe("email", "a@qq.com"));
  CHECK(h.Probe("", "") != 0);
}

TEST_CASE("probe: ProbeMany equals Probe for every batch size and length", "[probe]") {
  lw::KeyedHasher h(std::string(32, 'k'));
  std::mt19937_64 rng(9);
  std::vector<std::string> values;
  for (int i = 0; i < 41; ++i) values.push_back(std::string(rng() % 2 ? rng() % 40 : rng() % 300, 'a' + i % 26));
  std::vector<lw::HashInput> in;
  for (size_t i = 0; i < values.size(); ++i) in.push_back({i % 3 ? "email" : "sha256", values[i]});
  for (size_t n = 0; n <= in.size(); ++n) {
    std::vector<uint64_t> out(n);
    h.ProbeMany({in.data(), n}, out);
    for (size_t i = 0; i < n; ++i) REQUIRE(out[i] == h.Probe(in[i].tag, in[i].data));
  }
}
