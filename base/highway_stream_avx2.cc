// HighwayHash-256 streaming, AVX2 implementation. Compiled with -mavx2: keep this file to
// HighwayHash's headers and base/highway_stream.h (see there why).
#ifndef __AVX2__
#error "base/highway_stream_avx2.cc needs -mavx2 (see base/CMakeLists.txt)"
#endif

#define HH_TARGET_NAME AVX2
#define LW_HH_SUFFIX Avx2
#include "base/highway_stream_impl.inc"
