#include "matcher/sightings.h"

#include <algorithm>
#include <cstring>

#include "base/providers.h"

namespace lw {

uint8_t SightingFlagsOf(MatchKind match, Severity severity, bool account_key) {
  if (account_key && match == MatchKind::kExact) match = MatchKind::kAlias;
  uint8_t flags = static_cast<uint8_t>(match) & kSightingMatchMask;
  if (severity == Severity::kCredential) flags |= kSightingCredential;
  if (account_key) flags |= kSightingAccountKey;
  return flags;
}

void AppendSightings(const KeyedHasher& hasher, std::span<const Candidate> candidates, std::span<const Digest> digests,
                     std::vector<Sighting>* out) {
  out->reserve(out->size() + candidates.size());
  char key[kAccountKeyRoom];
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& c = candidates[i];
    out->push_back({SightingFingerprintOf(digests[i]), SightingFlagsOf(c.match, c.severity, false)});
    if (c.match == MatchKind::kHashed || c.hash_tag != "email") continue;
    if (size_t len = AccountKeyInto(c.value, key); len != 0)
      out->push_back({SightingFingerprintOf(hasher.Hash("email", {key, len})), SightingFlagsOf(c.match, c.severity, true)});
  }
}

namespace {
// Fingerprints in byte order, from two big-endian words (the first 8 bytes and the last 4).
struct FingerprintLess {
  static uint64_t Hi(const Sighting& s) {
    uint64_t v;
    std::memcpy(&v, s.fingerprint.data(), 8);
    return __builtin_bswap64(v);
  }
  static uint32_t Lo(const Sighting& s) {
    uint32_t v;
    std::memcpy(&v, s.fingerprint.data() + 8, 4);
    return __builtin_bswap32(v);
  }
  bool operator()(const Sighting& a, const Sighting& b) const {
    const uint64_t x = Hi(a), y = Hi(b);
    return x != y ? x < y : Lo(a) < Lo(b);
  }
};
}  // namespace

// Merges the entries of one fingerprint, which are adjacent.
void MergeAdjacent(std::vector<Sighting>* sightings) {
  std::vector<Sighting>& v = *sightings;
  size_t out = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (out > 0 && v[out - 1].fingerprint == v[i].fingerprint) {
      uint8_t& f = v[out - 1].flags;
      const uint8_t match = std::min<uint8_t>(f & kSightingMatchMask, v[i].flags & kSightingMatchMask);
      const uint8_t credential = (f | v[i].flags) & kSightingCredential;
      const uint8_t account = f & v[i].flags & kSightingAccountKey;
      f = match | credential | account;
      continue;
    }
    v[out++] = v[i];
  }
  v.resize(out);
}

void SortAndMergeSightings(std::vector<Sighting>* sightings) {
  std::sort(sightings->begin(), sightings->end(), FingerprintLess());
  MergeAdjacent(sightings);
}

void MergeSortedRuns(std::vector<Sighting>* sightings, std::vector<size_t> run_starts) {
  std::vector<Sighting>& v = *sightings;
  if (run_starts.empty() || run_starts.front() != 0) run_starts.insert(run_starts.begin(), 0);
  while (run_starts.size() > 1) {
    std::vector<size_t> next;
    for (size_t i = 0; i < run_starts.size(); i += 2) {
      next.push_back(run_starts[i]);
      if (i + 1 == run_starts.size()) break;
      const size_t end = i + 2 < run_starts.size() ? run_starts[i + 2] : v.size();
      std::inplace_merge(v.begin() + run_starts[i], v.begin() + run_starts[i + 1], v.begin() + end, FingerprintLess());
    }
    run_starts = std::move(next);
  }
  MergeAdjacent(sightings);
}

}  // namespace lw
