// Internal to matcher/: byte-class bitmasks of 64-byte blocks, the extractor's innermost
// loop. Three implementations give identical results: SSE2 (any x86-64, and the portable
// fallback), AVX2 and AVX-512 VBMI, chosen once per process from CPUID. The AVX-512 one
// looks up the class of 64 bytes in one instruction (vpermi2b over the 128-entry ASCII
// table), AVX2 with two nibble shuffles per 32 bytes, where SSE2 needs a dozen compares
// per 16 bytes; about a fifth of extraction time went to classifying bytes before them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace lw::scan {

// Bit i of out[k] is set when p[64 * k + i] is in `cls`: any OR of the class bits of
// scan_util.h (kDigit, kLocal, ...). Bytes >= 0x80 are in no class.
void ClassMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* out);

// Bit i of out[k] is set when p[64 * k + i] == c.
void ByteMasks(char c, const char* p, size_t blocks, uint64_t* out);

// ClassMasks(cls) into run[], and the ASCII upper- and lower-case letters of the same
// blocks into upper[] and lower[]: what the base64 finder needs, in one pass.
void ClassAndCaseMasks(uint8_t cls, const char* p, size_t blocks, uint64_t* run, uint64_t* upper, uint64_t* lower);

// The masks around an '@' the e-mail finder needs, from the 64 bytes before it and the
// 64 after it (bit i: byte at - 64 + i, or at + 1 + i).
struct EmailWindow {
  uint64_t local;       // kLocal, before
  uint64_t local_dots;  // '.', before
  uint64_t local_delims;  // '-' or '_', before
  uint64_t domain;      // kDomain, after
  uint64_t dots;        // '.', after
  uint64_t dashes;      // '-', after
  uint64_t letters;     // kAlpha, after
};
// REQUIRES: s[at - 64, at + 65) is readable.
EmailWindow EmailWindowAround(const char* s, size_t at);

// One implementation of the functions above.
struct Implementation {
  const char* name;  // "sse2", "avx2" or "avx512"
  void (*class_masks)(uint8_t cls, const char* p, size_t blocks, uint64_t* out);
  void (*byte_masks)(char c, const char* p, size_t blocks, uint64_t* out);
  void (*class_and_case_masks)(uint8_t cls, const char* p, size_t blocks, uint64_t* run, uint64_t* upper,
                               uint64_t* lower);
  EmailWindow (*email_window)(const char* s, size_t at);
};

// The implementations this CPU can run: SSE2 (the reference) first, the fastest last. The
// functions above use the last; tests compare each with the first.
std::span<const Implementation> Implementations();

}  // namespace lw::scan
