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

// out[0] = SipHash24(key, a), out[1] = SipHash24(key, b), computed in step: the rounds of
// one message are a serial chain, and two fill the CPU's pipelines (~1.6x the throughput).
void SipHash24Pair(const SipKey& key, std::string_view a, std::string_view b, uint64_t out[2]);

}  // namespace lw
