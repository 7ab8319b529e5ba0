// What a scan remembers of every candidate it extracts (store/sightings.h): the keyed
// fingerprint of its spelling (and of its account key, for another spelling of an account
// in the provider table), its match kind and whether a password sat beside it.
//
// Thread-safety: stateless functions; call them from any thread.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/keyed_hash.h"
#include "base/partition_spill.h"
#include "matcher/extractor.h"
#include "store/sightings.h"

namespace lw {

// The sighting flags of a candidate (store/sightings.h). An account-key sighting stands for
// the account found in another spelling: an exact spelling counts as an alias, as the
// scanner's lookup of the account key makes it.
uint8_t SightingFlagsOf(MatchKind match, Severity severity, bool account_key);

// Appends the sightings of `candidates` to *out: one per candidate, its fingerprint from
// digests[i] (KeyedHasher::Hash(c.hash_tag, c.value), computed by the caller, who needs it
// for the index hits too), and one more for an email whose account key is another
// spelling (hashed here). REQUIRES: digests.size() == candidates.size().
void AppendSightings(const KeyedHasher& hasher, std::span<const Candidate> candidates, std::span<const Digest> digests,
                     std::vector<Sighting>* out);

// Sorts a document's sightings by fingerprint and merges those of one fingerprint: the
// strongest match kind (an account-key sighting's already counted as an alias), credential
// when any was, account key only when all were.
void SortAndMergeSightings(std::vector<Sighting>* sightings);
// Where each group of GroupSightings ends: group b (the fingerprints whose first byte is
// b) is [ends[b - 1], ends[b]), the first from 0.
using SightingGroupEnds = std::array<uint32_t, 256>;

// Reorders *sightings into groups by their fingerprint's first byte, in byte order (a
// counting sort: two passes), and sets *ends.
void GroupSightings(std::vector<Sighting>* sightings, SightingGroupEnds* ends);

// Memory straight from the kernel (mmap) for blocks of 64 KiB or more, given back as soon
// as it is freed: a large document's groups are freed one by one while their sorted
// contents are copied out, and memory from malloc would stay with the process until the
// end. Smaller blocks come from malloc.
template <class T>
struct PagesAllocator {
  using value_type = T;
  PagesAllocator() = default;
  template <class U>
  PagesAllocator(const PagesAllocator<U>&) {}
  T* allocate(size_t n);
  void deallocate(T* p, size_t n);
  bool operator==(const PagesAllocator&) const { return true; }
};

// The sightings of a document scanned in chunks. Each chunk's come grouped by their
// fingerprint's first byte (GroupSightings, on the worker that found them) and are kept
// in 256 groups; at the end each group is sorted and merged on its own, on as many
// threads as are given, and the groups in order are the document's sorted sightings:
// no merge of the chunks' runs, and no copy of the whole set beside it.
class DocumentSightings {
 public:
  // Adds a chunk's sightings, grouped as `ends` says.
  void Add(std::span<const Sighting> grouped, const SightingGroupEnds& ends);
  // Makes room for about `expected` sightings in all (address space only: pages are
  // used as they fill).
  void Reserve(size_t expected);
  size_t size() const { return size_; }
  // The document's sightings, sorted and merged as SortAndMergeSightings leaves them;
  // this is empty after. REQUIRES: !spilled().
  std::vector<Sighting> Finish(unsigned threads);

  // Past `in_memory` sightings held, they all go to a spill in `dir` (base/
  // partition_spill.h): a document of tens of millions of identifiers keeps a 64th of
  // them in memory at its end, not all of them twice.
  void SetSpill(std::string dir, size_t in_memory) {
    spill_dir_ = std::move(dir);
    in_memory_ = in_memory;
  }
  bool spilled() const { return spill_ != nullptr; }
  // For a spilled document, instead of Finish: calls fn with its sightings sorted and
  // merged, a partition at a time, in order; this is empty after.
  Status ForEachSorted(const std::function<Status(std::span<const Sighting>)>& fn);

 private:
  void Distribute(std::span<const Sighting> grouped, const SightingGroupEnds& ends);
  void Spill();  // the groups to spill_ (an error is kept for ForEachSorted)

  // A document of one chunk (most are) keeps its sightings here, in one vector.
  std::vector<Sighting> first_;
  size_t chunks_ = 0;
  std::array<std::vector<Sighting, PagesAllocator<Sighting>>, 256> groups_;
  size_t size_ = 0;
  size_t held_ = 0;  // in groups_
  std::string spill_dir_;
  size_t in_memory_ = SIZE_MAX;
  std::unique_ptr<PartitionSpill> spill_;
  std::optional<Error> spill_error_;
};

}  // namespace lw
