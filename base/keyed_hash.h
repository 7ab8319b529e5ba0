// Keyed hashing of identifiers: HMAC-SHA-256 under the installation's secret key.
//
// This is the only form in which a watched identifier is stored. The input is
// domain-separated by a tag ("email", "phone", "md5", ...) so that the same bytes under
// two kinds never collide. KeyedHasher precomputes the inner and outer SHA-256 states of
// the key once; hashing then costs two compressions (three past 55 bytes of tag, NUL and
// data) and no key setup: ~1 µs for one-shot HMAC(). With the SHA extensions, messages of
// up to 119 bytes are compressed straight from those states (~130 ns for a short
// identifier, against ~145 ns through SHA256_Update/Final, which use SHA-NI too): the
// rounds of one message are a serial chain, so the gain is in HashMany, which runs two
// chains at once (~95 ns per hash). Other CPUs and longer messages take OpenSSL.
//
// Probe() is the second keyed hash: a 64-bit SipHash-2-4 of the same framing, under a key
// derived from the secret key (HMAC of a fixed label), ~5x cheaper than Hash. The watch
// index is keyed by it, so a scan hashes each of its millions of candidates with Probe and
// only the rare index hit with Hash (the store's key). Probe values are stored beside the
// digests at enrollment; they say nothing without the secret key.
//
// content_key() is a third key derived the same way, for the keyed HighwayHash that
// identifies scanned documents in stores of schema 3 (base/content_digest.h).
//
// Thread-safety: a KeyedHasher is immutable after construction; Hash() and HashMany()
// are const and may be called from many threads at once.
#pragma once

#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/content_digest.h"
#include "base/siphash.h"
#include "base/status.h"

namespace lw {

using Digest = std::array<uint8_t, 32>;
inline constexpr size_t kSecretKeySize = 32;

// One message for KeyedHasher::HashMany; the views must outlive the call.
struct HashInput {
  std::string_view tag;
  std::string_view data;
};

class KeyedHasher {
 public:
  // REQUIRES: key.size() == kSecretKeySize.
  explicit KeyedHasher(std::string_view key);

  // HMAC-SHA-256(key, tag || 0x00 || data).
  Digest Hash(std::string_view tag, std::string_view data) const;

  // out[i] = Hash(in[i].tag, in[i].data). Faster than Hash in a loop with SHA-NI: it
  // hashes two messages at once, which hides the latency of the SHA rounds.
  // REQUIRES: out.size() >= in.size().
  void HashMany(std::span<const HashInput> in, std::span<Digest> out) const;

  // SipHash-2-4(probe key, tag || 0x00 || data), never 0 (0 means "no probe" in records).
  uint64_t Probe(std::string_view tag, std::string_view data) const {
    uint64_t p = SipHash24Tagged(probe_key_, tag, data);
    return p != 0 ? p : 1;
  }

  // out[i] = Probe(in[i].tag, in[i].data), eight or two at a time (SipHash24TaggedMany).
  // REQUIRES: out.size() >= in.size().
  void ProbeMany(std::span<const HashInput> in, std::span<uint64_t> out) const;
  // The same with the tags and the data in arrays of n each (no copy into SipHash's form).
  void ProbeMany(size_t n, const std::string_view* tags, const std::string_view* data, uint64_t* out) const {
    SipHash24TaggedMany(probe_key_, n, tags, data, out);
    for (size_t k = 0; k < n; ++k) out[k] += out[k] == 0;  // never 0, as Probe
  }

  // The HighwayHash key of content digests (ContentDigestKind::kKeyedHighway256): the 32
  // bytes of Hash("content key", "leakwatch content key v1") as four little-endian words.
  const ContentKey& content_key() const { return content_key_; }

  // Whether Hash takes the SHA-NI path on this machine (decided once per process).
  static bool HasFastPath();

  // Plain HMAC-SHA-256(key, message); used by tests against RFC 4231 and for the key
  // fingerprint. Keys of any length.
  static Digest Hmac(std::string_view key, std::string_view message);

  // Identifies the key without revealing it: hex of HMAC(key, "leakwatch key fingerprint v1"),
  // first 16 bytes. Stored in the store's metadata.
  std::string Fingerprint() const;

 private:
  Digest HashWithOpenSsl(std::string_view tag, std::string_view data) const;
  // The HMAC of a message already absorbed into `inner` (a copy of inner_).
  Digest FinishWithOpenSsl(SHA256_CTX* inner) const;

  // After absorbing the 64-byte ipad/opad block: h[] is the chaining value the fast
  // path starts from.
  SHA256_CTX inner_;
  SHA256_CTX outer_;
  SipKey probe_key_{};  // first 16 bytes of Hash("probe key", "leakwatch probe key v1")
  ContentKey content_key_{};
};

std::string ToHex(const uint8_t* data, size_t n);
inline std::string ToHex(const Digest& d) { return ToHex(d.data(), d.size()); }
// Accepts upper or lower case. Fails on odd length or a non-hex character.
Result<std::string> FromHex(std::string_view hex);
Result<Digest> DigestFromHex(std::string_view hex);
// The out.size() bytes written as `hex` (twice as many characters, either case), into
// `out` without allocating; false when `hex` is not that.
bool BytesFromHex(std::string_view hex, std::span<uint8_t> out);

}  // namespace lw
