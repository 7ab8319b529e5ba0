#include "matcher/sightings.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <atomic>
#include <thread>

#include <sys/mman.h>
#include <cstring>

#include "base/providers.h"

namespace lw {

namespace {
// Documents with fewer sightings are finished on the calling thread alone.
constexpr size_t kParallelFinish = 1 << 16;
}  // namespace

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

bool SameFingerprint(const Sighting& a, const Sighting& b) {
  return FingerprintLess::Hi(a) == FingerprintLess::Hi(b) && FingerprintLess::Lo(a) == FingerprintLess::Lo(b);
}

// Copies the sorted src[0, n) to dst (which may be src), merging the entries of one
// fingerprint; returns how many are left.
size_t MergeSorted(const Sighting* src, size_t n, Sighting* dst) {
  size_t out = 0;
  for (size_t i = 0; i < n; ++i) {
    if (out > 0 && SameFingerprint(dst[out - 1], src[i])) {
      uint8_t& f = dst[out - 1].flags;
      const uint8_t match = std::min<uint8_t>(f & kSightingMatchMask, src[i].flags & kSightingMatchMask);
      const uint8_t credential = (f | src[i].flags) & kSightingCredential;
      const uint8_t account = f & src[i].flags & kSightingAccountKey;
      f = match | credential | account;
      continue;
    }
    dst[out++] = src[i];
  }
  return out;
}

// Sorts v[0, n) and merges the entries of one fingerprint, which are then adjacent;
// returns how many are left.
size_t SortAndMerge(Sighting* v, size_t n) {
  std::sort(v, v + n, FingerprintLess());
  return MergeSorted(v, n, v);
}

// SortAndMerge for a group of GroupSightings (one first byte): a counting sort by the
// second byte into `scratch`, then each of its buckets (a few hundred entries of a large
// document, in cache) sorted there, merged as they are copied back. Half the time of
// one std::sort of the group.
size_t SortAndMergeGroup(Sighting* v, size_t n, std::vector<Sighting>* scratch) {
  if (n < 4096) return SortAndMerge(v, n);
  std::array<size_t, 257> begin{};
  for (size_t i = 0; i < n; ++i) ++begin[v[i].fingerprint[1] + 1];
  for (size_t b = 1; b <= 256; ++b) begin[b] += begin[b - 1];
  std::array<size_t, 256> at;
  std::copy_n(begin.begin(), 256, at.begin());
  scratch->resize(n);
  Sighting* s = scratch->data();
  for (size_t i = 0; i < n; ++i) s[at[v[i].fingerprint[1]]++] = v[i];
  for (size_t b = 0; b < 256; ++b) std::sort(s + begin[b], s + begin[b + 1], FingerprintLess());
  return MergeSorted(s, n, v);
}
}  // namespace

void SortAndMergeSightings(std::vector<Sighting>* sightings) {
  sightings->resize(SortAndMerge(sightings->data(), sightings->size()));
}

void GroupSightings(std::vector<Sighting>* sightings, SightingGroupEnds* ends) {
  std::array<uint32_t, 256> count{};
  for (const Sighting& g : *sightings) ++count[g.fingerprint[0]];
  std::array<uint32_t, 256> at;
  uint32_t sum = 0;
  for (size_t b = 0; b < 256; ++b) {
    at[b] = sum;
    sum += count[b];
    (*ends)[b] = sum;
  }
  thread_local std::vector<Sighting> scratch;  // a worker's, reused: its pages stay mapped
  scratch.resize(sightings->size());
  for (const Sighting& g : *sightings) scratch[at[g.fingerprint[0]]++] = g;
  sightings->swap(scratch);
}

// Below this, malloc: a document of a few chunks would otherwise spend two system calls
// on each of its 256 groups.
constexpr size_t kPagesFrom = 64 << 10;

template <class T>
T* PagesAllocator<T>::allocate(size_t n) {
  if (n * sizeof(T) < kPagesFrom) {
    void* p = std::malloc(n * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void* p = ::mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return static_cast<T*>(p);
}
template <class T>
void PagesAllocator<T>::deallocate(T* p, size_t n) {
  if (n * sizeof(T) < kPagesFrom)
    std::free(p);
  else
    ::munmap(p, n * sizeof(T));
}
template struct PagesAllocator<Sighting>;

void DocumentSightings::Add(std::span<const Sighting> grouped, const SightingGroupEnds& ends) {
  size_ += grouped.size();
  if (chunks_++ == 0) {
    first_.assign(grouped.begin(), grouped.end());
    return;
  }
  if (!first_.empty()) {  // a second chunk: the first one's into the groups too
    SightingGroupEnds first_ends;
    GroupSightings(&first_, &first_ends);
    Distribute(first_, first_ends);
    std::vector<Sighting>().swap(first_);
  }
  Distribute(grouped, ends);
}

void DocumentSightings::Distribute(std::span<const Sighting> grouped, const SightingGroupEnds& ends) {
  uint32_t from = 0;
  for (size_t b = 0; b < 256; ++b) {
    groups_[b].insert(groups_[b].end(), grouped.begin() + from, grouped.begin() + ends[b]);
    from = ends[b];
  }
  held_ += grouped.size();
  if (held_ >= in_memory_ && !spill_dir_.empty() && !spill_error_) Spill();
}

void DocumentSightings::Spill() {
  if (!spill_) {
    auto spill = PartitionSpill::Create(spill_dir_);
    if (!spill) {
      spill_error_ = spill.error();
      return;
    }
    spill_ = std::move(*spill);
  }
  static_assert(sizeof(Sighting) == kSightingFingerprintBytes + 1, "sightings are spilled as their bytes");
  for (size_t b = 0; b < 256; ++b) {
    auto& group = groups_[b];
    if (auto s = spill_->Append(static_cast<uint8_t>(b), {reinterpret_cast<const char*>(group.data()),
                                                           group.size() * sizeof(Sighting)});
        !s) {
      spill_error_ = s.error();
      return;
    }
    std::vector<Sighting, PagesAllocator<Sighting>>().swap(group);  // its pages back now
  }
  held_ = 0;
}

Status DocumentSightings::ForEachSorted(const std::function<Status(std::span<const Sighting>)>& fn) {
  if (spill_error_) return Fail(*spill_error_);
  if (!spill_) return Fail(Error::Internal("ForEachSorted of sightings that did not spill"));
  // Partition p+1 is read and sorted on a second thread while fn writes partition p.
  auto prepare = [this](int p, std::vector<Sighting>* out) -> Status {
    auto bytes = spill_->Take(p);
    if (!bytes) return Fail(bytes.error());
    std::vector<Sighting> part(bytes->size() / sizeof(Sighting));
    std::memcpy(part.data(), bytes->data(), part.size() * sizeof(Sighting));
    std::string().swap(*bytes);
    for (size_t b = static_cast<size_t>(p) * 4; b < static_cast<size_t>(p) * 4 + 4; ++b) {
      part.insert(part.end(), groups_[b].begin(), groups_[b].end());
      std::vector<Sighting, PagesAllocator<Sighting>>().swap(groups_[b]);
    }
    // By first byte (four of them here), then each group as Finish sorts it.
    SightingGroupEnds ends;
    GroupSightings(&part, &ends);
    out->resize(part.size());
    size_t kept = 0, from = 0;
    std::vector<Sighting> scratch;
    for (size_t b = static_cast<size_t>(p) * 4; b < static_cast<size_t>(p) * 4 + 4; ++b) {
      const size_t n = SortAndMergeGroup(part.data() + from, ends[b] - from, &scratch);
      std::copy_n(part.data() + from, n, out->data() + kept);
      kept += n;
      from = ends[b];
    }
    out->resize(kept);
    return Ok();
  };
  std::vector<Sighting> ready, next;
  if (auto s = prepare(0, &ready); !s) return s;
  for (int p = 0; p < PartitionSpill::kPartitions; ++p) {
    Status prepared = Ok();
    std::thread ahead;
    if (p + 1 < PartitionSpill::kPartitions) ahead = std::thread([&] { prepared = prepare(p + 1, &next); });
    Status written = fn(ready);
    if (ahead.joinable()) ahead.join();
    if (!written) return written;
    if (!prepared) return prepared;
    ready.swap(next);
  }
  spill_.reset();
  chunks_ = size_ = held_ = 0;
  return Ok();
}

void DocumentSightings::Reserve(size_t expected) {
  for (auto& group : groups_) group.reserve(expected / groups_.size() + 64);
}

std::vector<Sighting> DocumentSightings::Finish(unsigned threads) {
  if (chunks_ <= 1) {
    std::vector<Sighting> out = std::move(first_);
    first_.clear();
    SortAndMergeSightings(&out);
    chunks_ = size_ = 0;
    return out;
  }
  // Each group sorted and merged in place, the groups shared out between the threads.
  std::atomic<size_t> next{0};
  auto sort_groups = [&] {
    std::vector<Sighting> scratch;
    for (size_t b; (b = next++) < groups_.size();)
      groups_[b].resize(SortAndMergeGroup(groups_[b].data(), groups_[b].size(), &scratch));
  };
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < threads && size_ > kParallelFinish; ++t) helpers.emplace_back(sort_groups);
  sort_groups();
  for (auto& t : helpers) t.join();
  size_t total = 0;
  for (const auto& group : groups_) total += group.size();
  std::vector<Sighting> out;
  out.reserve(total);
  for (auto& group : groups_) {
    out.insert(out.end(), group.begin(), group.end());
    std::vector<Sighting, PagesAllocator<Sighting>>().swap(group);  // its pages back now
  }
  chunks_ = size_ = 0;
  return out;
}

}  // namespace lw
