// HighwayHash-256 streaming, AVX2 implementation. Compiled with -mavx2: keep this file to
// HighwayHash's headers and base/highway_stream.h (see there why).
#define HH_TARGET_NAME AVX2
#include "base/highway_stream.h"
#include "highwayhash/highwayhash.h"

#ifndef __AVX2__
#error "base/highway_stream_avx2.cc needs -mavx2 (see base/CMakeLists.txt)"
#endif

namespace lw::highway_stream {
namespace {

using Cat = highwayhash::HighwayHashCatT<HH_TARGET_AVX2>;

// Built in the caller's buffer. The class-specific placement allocation function spares
// <new>, a C++ header with inline functions of its own.
struct State {
  explicit State(const highwayhash::HHKey& key) : cat(key) {}
  static void* operator new(size_t, void* where) noexcept { return where; }
  Cat cat;
};
static_assert(sizeof(State) <= kStateSize && alignof(State) <= kStateAlign, "see kStateSize");
static_assert(__has_trivial_destructor(State), "states are dropped without a destructor call");

Cat& At(void* state) { return static_cast<State*>(state)->cat; }

}  // namespace

void InitAvx2(void* state, const uint64_t* key) {
  new (state) State(*reinterpret_cast<const highwayhash::HHKey*>(key));
}

void AppendAvx2(void* state, const char* data, size_t n) { At(state).Append(data, n); }

void FinalizeAvx2(void* state, uint64_t* out) {
  At(state).Finalize(reinterpret_cast<highwayhash::HHResult256*>(out));
}

}  // namespace lw::highway_stream
