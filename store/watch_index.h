// The in-memory index of watch entries that every candidate is checked against: a flat
// table of 8-byte fingerprints, one per watch entry and variant. In stores made since
// schema 2 a fingerprint is the entry's probe (KeyedHasher::Probe, a keyed SipHash stored
// beside the digest at enrollment), so a scan computes the cheap probe of each candidate
// and the HMAC only of hits; older stores key it by the first 8 bytes of the HMAC digest
// (IndexKeying::kDigest).
//
// Nearly every lookup is of an absent key. A blocked Bloom filter (all of an entry's bits
// in one cache line) answers those from one cache line of a structure a fraction of the
// table's size. It is two filters, one per class of key (WatchIndex::Key): hashed-email
// variants, looked up only by the hex digests found in text (16 bits per entry, ~0.1 %
// false positives), and everything else, looked up by every email and phone (20 bits
// per entry, ~0.03 %). 10M identifiers make ~27 MiB of the second and ~40 MiB of the
// first; a random read of 64 MiB here waits ~165 ns, of 20 MiB ~55 ns (more of it stays
// in the host's cache). Behind it, a cuckoo table of buckets of one cache line, in two
// parts, one per class: a fingerprint lives in one of two buckets of its class's part
// chosen by independent halves of it, so a lookup that passes the filter reads exactly
// two cache lines and never walks a probe chain.
//
// A hit is confirmed in the store, which holds the full keyed hash; a false positive
// (about 16 / 2^64 per lookup: two buckets of eight) costs one store read, never a wrong
// exposure. The bench's 10 million identifiers with their variants (40.5M fingerprints,
// 10.5M of them plain) take 90 MiB of plain keys' table, 254 MiB of hashed keys' and
// 67 MiB of filters.
//
// The store keeps a copy in DATA/store.index, rewritten after each enrollment and
// stamped with the store's watch generation, so a scan reads it in one go instead of
// reading millions of keys (see Store::LoadWatchIndex). An index may hold fingerprints
// of entries since unenrolled: harmless, the store has the last word.
//
// A loaded index maps the file read-only: the table (only lookups that pass a filter touch
// it) and the hashed keys' filter (only hex digests read it) are used in place. The plain
// keys' filter, read by every email and phone, is copied into memory advised for
// transparent huge pages (fewer TLB misses). Callers checking many candidates Prefetch() a
// batch before testing it.
//
// Thread-safety: immutable after construction; Contains() is safe from many threads.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/keyed_hash.h"
#include "base/status.h"

namespace lw {

// What an index's fingerprints are of; a scan must compute the same for its candidates.
enum class IndexKeying : uint8_t {
  kDigest = 0,  // WatchIndex::Fingerprint(KeyedHasher::Hash(...)): stores of schema 1
  kProbe = 1,   // KeyedHasher::Probe(...)
};

class WatchIndex {
 public:
  WatchIndex() = default;
  // Builds a table holding `keys` (made by Key(); duplicates are fine), which it reorders
  // in place: inserted in the order of their first buckets, they fill the table front to
  // back instead of at random (a quarter of the time for 50M keys).
  WatchIndex(std::span<uint64_t> keys, IndexKeying keying);
  // The same from a copy of `keys`.
  WatchIndex(const std::vector<uint64_t>& keys, IndexKeying keying);
  WatchIndex(WatchIndex&&) noexcept;
  WatchIndex& operator=(WatchIndex&&) noexcept;

  static uint64_t Fingerprint(const Digest& d) {
    uint64_t fp = 0;
    for (int i = 0; i < 8; ++i) fp = fp << 8 | d[i];
    return fp ? fp : 1;  // 0 marks an empty slot
  }
  // The key a fingerprint is held and looked up under: its top bit says whether it is of
  // a hashed-email variant (VariantType kMd5, kSha1, kSha256; a candidate of
  // MatchKind::kHashed), which picks the filter a lookup reads.
  static uint64_t Key(uint64_t fingerprint, bool hashed) {
    uint64_t key = hashed ? fingerprint | kHashedBit : fingerprint & ~kHashedBit;
    return key ? key : 1;  // 0 marks an empty slot
  }

  bool Contains(uint64_t key) const { return MayContain(key) && InTable(key); }
  // Starts loading what Contains(key) reads first; call it some lookups ahead.
  void Prefetch(uint64_t key) const {
    if (num_blocks_ != 0) __builtin_prefetch(BlockFor(key));
  }

  // Every key held, for building a larger index: written to out[0, size()).
  void CopyKeysTo(uint64_t* out) const;

  IndexKeying keying() const { return keying_; }
  size_t size() const { return size_; }
  // The table's bytes (what Save writes); the filter in front of it adds a quarter.
  size_t memory_bytes() const { return num_buckets_ * kBucketSlots * sizeof(uint64_t); }

  // Writes the table to `path` atomically (temporary file, fsync, rename).
  Status Save(const std::string& path, uint64_t generation) const;
  // Reads a table saved with `generation` and `keying`; nullopt when the file is missing,
  // stale, keyed otherwise or not ours (the caller rebuilds it).
  static Result<std::optional<WatchIndex>> Load(const std::string& path, uint64_t generation, IndexKeying keying);

 private:
  static constexpr uint64_t kHashedBit = uint64_t{1} << 63;
  static constexpr size_t kBucketSlots = 8;  // 64 bytes
  static constexpr size_t kBlockWords = 8;   // a filter block: 512 bits, one cache line
  // An absent key that passes a filter reads two lines of the mapped table, each on a
  // page of its own: a TLB miss through nested paging, and in a freshly copied store a
  // first touch of the page (~4 us here). The plain filter, read by every email and
  // phone, has 20 bits per entry, ~0.03 % of absent keys passing (22 % larger than at 16
  // bits, which let 0.12 % through); the hashed one, read by hex digests only, 16 (~0.1 %).
  static constexpr size_t kPlainBitsPerKey = 20;
  static constexpr size_t kHashedBitsPerKey = 16;
  static constexpr int kFilterProbes = 7;  // bits set per key: 9 bits of FilterBits each

  bool InTable(uint64_t fp) const {
    if (num_buckets_ == 0) return false;
    const uint64_t* a = slots_ + Bucket1(fp) * kBucketSlots;
    const uint64_t* b = slots_ + Bucket2(fp) * kBucketSlots;
    bool found = false;
    for (size_t k = 0; k < kBucketSlots; ++k) found |= (a[k] == fp) | (b[k] == fp);  // unrolled, branch-free
    return found;
  }

  // The blocked Bloom filters in front of the table (Putze, Sanders and Singler, 2007):
  // all of a key's bits are in one cache line, so a lookup of an absent key, nearly every
  // lookup, reads one line of a filter a quarter the table's size (more of it stays in
  // cache) instead of two lines of the table. Built from the table, saved after it: the
  // blocks of plain keys, then those of hashed ones.
  // A key's block in its class's filter.
  size_t BlockInFilter(uint64_t key) const {
    const size_t blocks = key >> 63 ? num_blocks_ - plain_blocks_ : plain_blocks_;
    return static_cast<size_t>((static_cast<unsigned __int128>(std::rotl(key, 21)) * blocks) >> 64);
  }
  // Its block among both filters' (the file's order: plain ones first).
  size_t BlockOf(uint64_t key) const { return (key >> 63 ? plain_blocks_ : 0) + BlockInFilter(key); }
  const uint64_t* BlockFor(uint64_t key) const {
    return (key >> 63 ? hashed_filter_ : bloom_.get()) + BlockInFilter(key) * kBlockWords;
  }
  static uint64_t FilterBits(uint64_t fp) { return (fp ^ (fp >> 31)) * 0xBF58476D1CE4E5B9ull; }
  bool MayContain(uint64_t fp) const {
    if (num_blocks_ == 0) return false;
    const uint64_t* block = BlockFor(fp);
    uint64_t h = FilterBits(fp);
    bool all = true;
    for (int i = 0; i < kFilterProbes; ++i, h >>= 9) all &= (block[h & 7] >> ((h >> 3) & 63)) & 1;
    return all;
  }
  void BuildFilter();
  // A filter's size for `entries` of a class; an index saved with other sizes (an older
  // leakwatch) is rebuilt.
  static size_t FilterBlocksFor(uint64_t entries, size_t bits_per_key) {
    return std::max<size_t>(1, (entries * bits_per_key + kBlockWords * 64 - 1) / (kBlockWords * 64));
  }
  static size_t PlainBlocksFor(uint64_t entries) { return FilterBlocksFor(entries, kPlainBitsPerKey); }
  static size_t HashedBlocksFor(uint64_t entries) { return FilterBlocksFor(entries, kHashedBitsPerKey); }

  // The two buckets of a key, from its high half (without the class bit) and its low
  // half (each uniformly distributed: the fingerprint is a keyed hash), mapped onto its
  // class's buckets without a modulo: plain keys' are the table's first plain_buckets_,
  // hashed keys' the rest. A scan of a dump full of watched emails and phones then
  // touches only the plain keys' part (a quarter of the table for 10M identifiers with
  // their hashed variants), not every page of it.
  size_t Bucket1(uint64_t fp) const {
    return BucketBase(fp) + static_cast<size_t>((static_cast<unsigned __int128>(fp << 1) * BucketsOf(fp)) >> 64);
  }
  size_t Bucket2(uint64_t fp) const {
    return BucketBase(fp) +
           static_cast<size_t>((static_cast<unsigned __int128>(fp << 32 | fp >> 32) * BucketsOf(fp)) >> 64);
  }
  size_t BucketBase(uint64_t fp) const { return fp >> 63 ? plain_buckets_ : 0; }
  size_t BucketsOf(uint64_t fp) const { return fp >> 63 ? num_buckets_ - plain_buckets_ : plain_buckets_; }
  // The buckets of `entries` keys of one class, at a load of 0.9 (at least one). A cuckoo
  // table of two choices among 8-slot buckets fills to ~0.98 before insertions start to
  // fail, so a retry with more room almost never happens. Every lookup reads two buckets
  // whatever the load: a fuller table only costs less memory and loads faster.
  static size_t BucketsFor(size_t entries) { return (entries + entries / 9) / kBucketSlots + 1; }
  // Builds the table with `plain` buckets for plain keys and `hashed` for hashed ones from
  // fingerprints ordered by their top 16 bits; false when one found no place (the caller
  // retries with more).
  bool Build(std::span<const uint64_t> ordered, size_t plain, size_t hashed);
  struct Free {
    void operator()(uint64_t* p) const { std::free(p); }
  };
  // 2 MiB-aligned memory advised for huge pages; zeroed when `zero`.
  static std::unique_ptr<uint64_t[], Free> Allocate(size_t slots, bool zero);

  // A read-only mapping of a saved index file, unmapped on destruction.
  class Mapping {
   public:
    Mapping() = default;
    Mapping(void* base, size_t bytes) : base_(base), bytes_(bytes) {}
    Mapping(Mapping&& o) noexcept { *this = std::move(o); }
    Mapping& operator=(Mapping&& o) noexcept;
    ~Mapping();

   private:
    void* base_ = nullptr;
    size_t bytes_ = 0;
  };

  // The table is in table_ when built here, in mapping_ when loaded from a file. bloom_
  // holds the plain keys' filter, and the hashed keys' after it when built here (when
  // loaded, that one is in mapping_).
  std::unique_ptr<uint64_t[], Free> table_;
  Mapping mapping_;
  const uint64_t* slots_ = nullptr;
  std::unique_ptr<uint64_t[], Free> bloom_;
  const uint64_t* hashed_filter_ = nullptr;
  size_t num_blocks_ = 0;    // of both filters
  size_t plain_blocks_ = 0;  // of the first
  size_t hashed_size_ = 0;   // keys with kHashedBit
  size_t num_buckets_ = 0;
  size_t plain_buckets_ = 0;  // the first ones, of plain keys (BucketBase)
  size_t size_ = 0;
  IndexKeying keying_ = IndexKeying::kProbe;
};

}  // namespace lw
