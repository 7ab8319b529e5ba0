// SipHash-2-4 with a 64-bit output (Aumasson and Bernstein, 2012): a keyed hash for
// short inputs, ~20 ns for an identifier where HMAC-SHA-256 takes ~100. leakwatch uses it
// for the watch index's probe fingerprints (see KeyedHasher::Probe), never as the stored
// identity of an identifier: that stays HMAC-SHA-256.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace lw {

using SipKey = std::array<uint8_t, 16>;

// SipHash-2-4(key, a || b || c): the parts are hashed as one message, without copying
// them together.
uint64_t SipHash24(const SipKey& key, std::string_view a, std::string_view b = {}, std::string_view c = {});

// SipHash24(key, tag, "\0", data) without copying: words are loaded from `data` in
// place. For tags of up to 7 bytes (identifier tags are); others take SipHash24.
uint64_t SipHash24Tagged(const SipKey& key, std::string_view tag, std::string_view data);

// out[i] = SipHash24Tagged(key, tag[i], data[i]) for i = 0, 1, computed in step: the rounds
// of one message are a serial chain, and two fill the CPU's pipelines.
void SipHash24TaggedPair(const SipKey& key, const std::string_view tag[2], const std::string_view data[2],
                         uint64_t out[2]);

// out[i] = SipHash24Tagged(key, tag[i], data[i]) for i < n. Where the CPU has AVX-512 or
// AVX2, eight messages go through the rounds at once, one in each 64-bit lane (one vector,
// or two of four); elsewhere, and for messages of 64 bytes or more with tag and NUL,
// SipHash24TaggedPair.
void SipHash24TaggedMany(const SipKey& key, size_t n, const std::string_view* tag, const std::string_view* data,
                         uint64_t* out);

}  // namespace lw
