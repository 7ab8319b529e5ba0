// The digest that identifies a scanned document's content: an exposure's id is derived from
// it (ExposureId in store/store.h), so seeing the same bytes again only updates last_seen.
//
// Two kinds, chosen by the store's schema and never changed for a store (a different
// digest would make every exposure new again on the next scan):
// - kSha256: SHA-256 of the bytes (stores of schema 1 and 2).
// - kKeyedHighway256: HighwayHash-256 of the bytes under KeyedHasher::content_key(), a key
//   derived from the installation's secret key (schema 3). ~4x faster than SHA-256 even
//   with the SHA extensions, and a stored digest says nothing about the content (not even
//   whether it is a known public file) without the key.
// Both print as 64 lower-case hex characters.
//
// HighwayHash runs its AVX2 code where the CPU has AVX2, else the portable code; they give
// the same digests (base/highway_stream.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace lw {

enum class ContentDigestKind : uint8_t {
  kSha256,
  kKeyedHighway256,
};

// A HighwayHash key (its HHKey): four 64-bit words.
using ContentKey = std::array<uint64_t, 4>;

class ContentDigester {
 public:
  // Which HighwayHash code runs: the best for this CPU, or one forced (for tests;
  // kAvx2 REQUIRES HasAvx2()).
  enum class Impl : uint8_t { kBest, kPortable, kAvx2 };

  // `key` is used by kKeyedHighway256 only.
  ContentDigester(ContentDigestKind kind, const ContentKey& key, Impl impl = Impl::kBest);
  ~ContentDigester();  // wipes the state, from which the key could be recovered
  ContentDigester(const ContentDigester&) = delete;
  ContentDigester& operator=(const ContentDigester&) = delete;

  void Update(std::string_view data);
  // The digest of everything passed to Update, in hex. Call once.
  std::string FinishHex();

  // Whether kBest runs the AVX2 code on this machine (decided once per process).
  static bool HasAvx2();

 private:
  ContentDigestKind kind_;
  bool avx2_ = false;
  // A SHA256_CTX or a highway_stream state (base/highway_stream.h checks the size).
  alignas(64) unsigned char state_[256];
};

}  // namespace lw
