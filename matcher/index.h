// The in-memory index of watch entries that every candidate is checked against: a flat
// open-addressing table of 8-byte fingerprints (the first 8 bytes of each keyed hash,
// watch entries and variants alike). A hit is confirmed in the store, which holds the
// full keyed hash; a false positive (about n / 2^64) costs one store read, never a
// wrong exposure. 10 million identifiers with their variants take ~0.4 GiB.
//
// Thread-safety: immutable after construction; Contains() is safe from many threads.
#pragma once

#include <cstdint>
#include <vector>

#include "base/keyed_hash.h"
#include "base/status.h"
#include "store/store.h"

namespace lw {

class FingerprintIndex {
 public:
  FingerprintIndex() = default;
  explicit FingerprintIndex(const std::vector<uint64_t>& fingerprints);

  // Reads every watch and variant digest from the store.
  static Result<FingerprintIndex> Load(Store& store);

  static uint64_t Fingerprint(const Digest& d) {
    uint64_t fp = 0;
    for (int i = 0; i < 8; ++i) fp = fp << 8 | d[i];
    return fp ? fp : 1;  // 0 marks an empty slot
  }

  bool Contains(uint64_t fp) const {
    if (slots_.empty()) return false;
    size_t i = Slot(fp);
    for (;;) {
      uint64_t s = slots_[i];
      if (s == fp) return true;
      if (s == 0) return false;
      if (++i == slots_.size()) i = 0;
    }
  }
  bool Contains(const Digest& d) const { return Contains(Fingerprint(d)); }

  size_t size() const { return size_; }
  size_t memory_bytes() const { return slots_.size() * sizeof(uint64_t); }

 private:
  // Maps a uniformly distributed fingerprint onto [0, slots) without a modulo.
  size_t Slot(uint64_t fp) const {
    return static_cast<size_t>((static_cast<unsigned __int128>(fp) * slots_.size()) >> 64);
  }
  std::vector<uint64_t> slots_;
  size_t size_ = 0;
};

}  // namespace lw
