#include "base/keyed_hash.h"

#include <openssl/hmac.h>

#include <cstring>

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
}

Digest KeyedHasher::Hash(std::string_view tag, std::string_view data) const {
  SHA256_CTX ctx = inner_;
  static const uint8_t kZero = 0;
  SHA256_Update(&ctx, tag.data(), tag.size());
  SHA256_Update(&ctx, &kZero, 1);
  SHA256_Update(&ctx, data.data(), data.size());
  Digest inner_digest;
  SHA256_Final(inner_digest.data(), &ctx);
  ctx = outer_;
  SHA256_Update(&ctx, inner_digest.data(), inner_digest.size());
  Digest out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

Digest KeyedHasher::Hmac(std::string_view key, std::string_view message) {
  KeyedHasher h(key);
  SHA256_CTX ctx = h.inner_;
  SHA256_Update(&ctx, message.data(), message.size());
  Digest inner_digest;
  SHA256_Final(inner_digest.data(), &ctx);
  ctx = h.outer_;
  SHA256_Update(&ctx, inner_digest.data(), inner_digest.size());
  Digest out;
  SHA256_Final(out.data(), &ctx);
  return out;
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

Result<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Fail(Error::Invalid("hex string has odd length"));
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Fail(Error::Invalid("not a hex string"));
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

Result<Digest> DigestFromHex(std::string_view hex) {
  if (hex.size() != 64) return Fail(Error::Invalid("a keyed hash is 64 hex characters"));
  auto bytes = FromHex(hex);
  if (!bytes) return Fail(bytes.error());
  Digest d;
  std::memcpy(d.data(), bytes->data(), d.size());
  return d;
}

}  // namespace lw
