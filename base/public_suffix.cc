#include "base/public_suffix.h"

#include <libpsl.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

namespace lw {
namespace {

struct PslContext {
  PslContext() {
    latest = psl_latest(nullptr);  // the newer of the system file and the built-in data
    ctx = latest != nullptr ? latest : psl_builtin();
    const char* file = psl_dist_filename();
    source = latest != nullptr && file != nullptr && *file != '\0' ? file : "built-in";
  }
  ~PslContext() { psl_free(latest); }
  psl_ctx_t* latest = nullptr;
  const psl_ctx_t* ctx = nullptr;
  std::string source;
};

const PslContext& Psl() {
  static const PslContext psl;
  return psl;
}

bool LookUp(std::string_view label) {
  const psl_ctx_t* ctx = Psl().ctx;
  if (ctx == nullptr || label.empty() || label.size() > 63) return false;
  char buf[64];
  std::memcpy(buf, label.data(), label.size());
  buf[label.size()] = '\0';
  return psl_is_public_suffix2(ctx, buf, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

// A direct-mapped cache of answers for labels of up to 16 bytes, keyed by the label's
// bytes; a collision only costs a libpsl call.
struct TldCache {
  struct Entry {
    uint64_t lo = 0, hi = 0;
    uint8_t size = 0;  // 0: empty
    bool known = false;
  };
  std::array<Entry, 512> entries;
};

}  // namespace

bool IsPublicTld(std::string_view label) {
  if (label.empty() || label.size() > 16) return LookUp(label);
  // The key built in registers: a memcpy call, or byte stores read back as words (a
  // failed store forward), cost more than the rest of the lookup.
  uint64_t w[2] = {0, 0};
  for (size_t i = 0; i < label.size(); ++i) w[i / 8] |= uint64_t{static_cast<unsigned char>(label[i])} << (8 * (i % 8));
  uint64_t h = (w[0] * 0x9E3779B97F4A7C15ull) ^ (w[1] * 0xC2B2AE3D27D4EB4Full) ^ label.size();
  h ^= h >> 29;
  thread_local TldCache cache;
  TldCache::Entry& e = cache.entries[h & (cache.entries.size() - 1)];
  if (e.size == label.size() && e.lo == w[0] && e.hi == w[1]) return e.known;
  e = {w[0], w[1], static_cast<uint8_t>(label.size()), LookUp(label)};
  return e.known;
}

std::string_view PublicSuffixSource() { return Psl().source; }

}  // namespace lw
