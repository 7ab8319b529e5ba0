#include "base/content_digest.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <new>

#include "base/highway_stream.h"
#include "base/keyed_hash.h"

namespace lw {

namespace hs = highway_stream;

bool ContentDigester::HasAvx2() {
#if defined(__x86_64__)
  // Checks the OS's YMM support (XGETBV) as well as the CPUID bit.
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
#else
  return false;
#endif
}

ContentDigester::ContentDigester(ContentDigestKind kind, const ContentKey& key, Impl impl) : kind_(kind) {
  static_assert(sizeof state_ >= hs::kStateSize && alignof(ContentDigester) >= hs::kStateAlign);
  static_assert(sizeof state_ >= sizeof(SHA256_CTX) && alignof(ContentDigester) >= alignof(SHA256_CTX));
  if (kind_ == ContentDigestKind::kSha256) {
    SHA256_Init(new (state_) SHA256_CTX);
    return;
  }
  avx2_ = impl == Impl::kAvx2 || (impl == Impl::kBest && HasAvx2());
  if (avx2_) {
    hs::InitAvx2(state_, key.data());
  } else {
    hs::InitPortable(state_, key.data());
  }
}

ContentDigester::~ContentDigester() { OPENSSL_cleanse(state_, sizeof state_); }

void ContentDigester::Update(std::string_view data) {
  if (kind_ == ContentDigestKind::kSha256) {
    SHA256_Update(reinterpret_cast<SHA256_CTX*>(state_), data.data(), data.size());
  } else if (avx2_) {
    hs::AppendAvx2(state_, data.data(), data.size());
  } else {
    hs::AppendPortable(state_, data.data(), data.size());
  }
}

std::string ContentDigester::FinishHex() {
  uint8_t digest[32];
  if (kind_ == ContentDigestKind::kSha256) {
    SHA256_Final(digest, reinterpret_cast<SHA256_CTX*>(state_));
  } else {
    uint64_t words[4];
    if (avx2_) {
      hs::FinalizeAvx2(state_, words);
    } else {
      hs::FinalizePortable(state_, words);
    }
    // The four result words in order, each little-endian, whatever the host.
    for (int w = 0; w < 4; ++w)
      for (int b = 0; b < 8; ++b) digest[8 * w + b] = static_cast<uint8_t>(words[w] >> (8 * b));
  }
  return ToHex(digest, sizeof digest);
}

}  // namespace lw
