#include "matcher/index.h"

namespace lw {

FingerprintIndex::FingerprintIndex(const std::vector<uint64_t>& fingerprints) {
  // Load factor at most 0.8: linear probing stays short for absent keys.
  slots_.assign(fingerprints.size() + fingerprints.size() / 4 + 16, 0);
  for (uint64_t fp : fingerprints) {
    size_t i = Slot(fp);
    while (slots_[i] != 0 && slots_[i] != fp)
      if (++i == slots_.size()) i = 0;
    if (slots_[i] == 0) {
      slots_[i] = fp;
      ++size_;
    }
  }
}

Result<FingerprintIndex> FingerprintIndex::Load(Store& store) {
  std::vector<uint64_t> fps;
  auto s = store.ForEachDigest([&](const Digest& d, bool) { fps.push_back(Fingerprint(d)); });
  if (!s) return Fail(s.error());
  return FingerprintIndex(fps);
}

}  // namespace lw
