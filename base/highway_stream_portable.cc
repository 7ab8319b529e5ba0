// HighwayHash-256 streaming, portable implementation: the twin of highway_stream_avx2.cc,
// compiled with the project's usual flags. HH_TARGET_NAME is set so that a build for a
// newer CPU (-march=native) still compiles the portable code here.
#define HH_TARGET_NAME Portable
#define LW_HH_SUFFIX Portable
#include "base/highway_stream_impl.inc"
