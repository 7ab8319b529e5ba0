// HighwayHash-256 streaming, portable implementation: the twin of highway_stream_avx2.cc,
// compiled with the project's usual flags. HH_TARGET_NAME is set so that a build for a
// newer CPU (-march=native) still compiles the portable code here.
#define HH_TARGET_NAME Portable
#include "base/highway_stream.h"
#include "highwayhash/highwayhash.h"

namespace lw::highway_stream {
namespace {

using Cat = highwayhash::HighwayHashCatT<HH_TARGET_Portable>;

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

void InitPortable(void* state, const uint64_t* key) {
  new (state) State(*reinterpret_cast<const highwayhash::HHKey*>(key));
}

void AppendPortable(void* state, const char* data, size_t n) { At(state).Append(data, n); }

void FinalizePortable(void* state, uint64_t* out) {
  At(state).Finalize(reinterpret_cast<highwayhash::HHResult256*>(out));
}

}  // namespace lw::highway_stream
