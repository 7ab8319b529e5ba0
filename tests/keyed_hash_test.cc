#include "base/keyed_hash.h"

#include <catch2/catch.hpp>

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
