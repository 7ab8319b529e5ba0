// Streaming HighwayHash-256 (highwayhash::HighwayHashCatT) behind plain functions, one set
// per implementation. Internal to base/content_digest.cc (and its tests): use
// ContentDigester.
//
// The AVX2 functions live in highway_stream_avx2.cc, the only file of the project compiled
// with -mavx2 (base/CMakeLists.txt); call them only when the CPU has AVX2. That file
// includes nothing but this header and HighwayHash's own (which define functions only
// static or in the target's namespace), through highway_stream_impl.inc: any inline
// function with external linkage that it compiled could be the copy the linker keeps for
// every other file, and AVX2 code there would crash elsewhere on CPUs without it. So this header, which it includes too, holds
// declarations and constants only, and includes no C++ standard header.
//
// State: a buffer of kStateSize bytes aligned to kStateAlign, owned by the caller (the
// HighwayHashCatT object is built in it by Init, and is trivially destructible). The
// implementations give the same results (HighwayHash is defined independently of the
// instruction set), but their states differ: a state belongs to the set of functions that
// initialized it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace lw::highway_stream {

constexpr size_t kStateSize = 256;  // sizeof(HighwayHashCatT) is 192 for both targets
constexpr size_t kStateAlign = 64;  // its packet buffer is aligned to 64, the AVX2 state to 32

// `key`: four words, the HighwayHash HHKey. `out`: the 256-bit result, HHResult256.
void InitAvx2(void* state, const uint64_t* key);
void AppendAvx2(void* state, const char* data, size_t n);
void FinalizeAvx2(void* state, uint64_t* out);

void InitPortable(void* state, const uint64_t* key);
void AppendPortable(void* state, const char* data, size_t n);
void FinalizePortable(void* state, uint64_t* out);

}  // namespace lw::highway_stream
