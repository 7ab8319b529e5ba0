#include "store/watch_index.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <new>
#include <optional>
#include <thread>
#include <utility>

namespace lw {
namespace {

// "LWIDX6": a header padded to one page, buckets of 8 (plain keys', then hashed ones'),
// then the filters' blocks (plain keys', then hashed ones'). Byte 6 is the IndexKeying.
// Older versions are rebuilt: 2 had no filter, 3 a 40-byte header (its table could not
// be mapped in place), 4 one filter for all keys, 5 one table for both classes.
constexpr char kMagic[6] = {'L', 'W', 'I', 'D', 'X', '6'};
struct Header {
  char magic[8];
  uint64_t generation;
  uint64_t num_buckets;
  uint64_t size;
  uint64_t num_blocks;    // of both filters
  uint64_t plain_blocks;  // of the first
  uint64_t hashed_size;   // keys in the second
  uint64_t plain_buckets;  // the table's first ones
};
constexpr size_t kHeaderBytes = 4096;  // the table starts on a page: Load maps it in place

}  // namespace

std::unique_ptr<uint64_t[], WatchIndex::Free> WatchIndex::Allocate(size_t slots, bool zero) {
  constexpr size_t kHugePage = 2 << 20;
  size_t bytes = (slots * sizeof(uint64_t) + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, bytes);
  if (!p) throw std::bad_alloc();
  ::madvise(p, bytes, MADV_HUGEPAGE);  // advice only: fine if refused
  if (zero) std::memset(p, 0, bytes);
  return std::unique_ptr<uint64_t[], Free>(static_cast<uint64_t*>(p));
}

namespace {

// Distributes keys[first, last) in place by the byte at `shift` (an American flag sort
// pass); range[b] is where the keys of byte value b start, range[256] == last.
void FlagSortPass(std::span<uint64_t> keys, size_t first, size_t last, int shift, size_t range[257]) {
  std::fill(range, range + 257, 0);
  for (size_t i = first; i < last; ++i) ++range[((keys[i] >> shift) & 255) + 1];
  range[0] = first;
  for (int b = 0; b < 256; ++b) range[b + 1] += range[b];
  size_t next[256];
  std::copy(range, range + 256, next);
  for (size_t b = 0; b < 256; ++b) {
    while (next[b] < range[b + 1]) {
      uint64_t v = keys[next[b]];
      for (size_t d = (v >> shift) & 255; d != b; d = (v >> shift) & 255) std::swap(v, keys[next[d]++]);
      keys[next[b]++] = v;
    }
  }
}

// Orders keys by their top 16 bits, in place: enough for their first buckets to ascend
// in runs a few KiB long (each run's buckets are in cache as they fill); a full sort took
// longer than the insertion it sped up. The second pass runs on two threads for large
// inputs.
void OrderKeys(std::span<uint64_t> keys) {
  size_t top[257];
  FlagSortPass(keys, 0, keys.size(), 56, top);
  auto second_pass = [&](int first, int last) {
    size_t range[257];
    for (int b = first; b < last; ++b) FlagSortPass(keys, top[b], top[b + 1], 48, range);
  };
  if (keys.size() < (size_t{1} << 20)) return second_pass(0, 256);
  int half = 0;  // the top bytes before it hold about half the keys
  while (half < 256 && top[half + 1] <= keys.size() / 2) ++half;
  std::thread second(second_pass, half, 256);
  second_pass(0, half);
  second.join();
}

}  // namespace

WatchIndex::WatchIndex(const std::vector<uint64_t>& keys, IndexKeying keying) {
  std::vector<uint64_t> copy = keys;
  *this = WatchIndex(std::span<uint64_t>(copy), keying);
}

WatchIndex::WatchIndex(std::span<uint64_t> keys, IndexKeying keying) : keying_(keying) {
  OrderKeys(keys);
  // Hashed keys (the top bit) come after plain ones. Repeats are counted as keys: the
  // table sizes are for at most that many.
  size_t hashed = static_cast<size_t>(std::count_if(keys.begin(), keys.end(), [](uint64_t k) { return k >> 63; }));
  size_t plain_buckets = BucketsFor(keys.size() - hashed), hashed_buckets = BucketsFor(hashed);
  while (!Build(keys, plain_buckets, hashed_buckets)) {
    plain_buckets += plain_buckets / 8 + 1;
    hashed_buckets += hashed_buckets / 8 + 1;
  }
  BuildFilter();
}

void WatchIndex::BuildFilter() {
  plain_blocks_ = PlainBlocksFor(size_ - hashed_size_);
  num_blocks_ = plain_blocks_ + HashedBlocksFor(hashed_size_);
  bloom_ = Allocate(num_blocks_ * kBlockWords, /*zero=*/true);
  hashed_filter_ = bloom_.get() + plain_blocks_ * kBlockWords;
  const size_t slots = num_buckets_ * kBucketSlots;
  // Two threads, each setting the bits of the blocks in its half (no shared writes); each
  // reads the whole table, which costs far less than the random writes.
  auto fill = [&](size_t first_block, size_t end_block) {
    // The writes are random over tens of MiB: each block is prefetched 16 keys before
    // its bits are set.
    constexpr size_t kAhead = 16;
    size_t pending[kAhead];
    uint64_t pending_bits[kAhead];
    size_t count = 0;
    auto set = [&](size_t b, uint64_t h) {
      uint64_t* block = bloom_.get() + b * kBlockWords;
      for (int k = 0; k < kFilterProbes; ++k, h >>= 9) block[h & 7] |= uint64_t{1} << ((h >> 3) & 63);
    };
    for (size_t i = 0; i < slots; ++i) {
      uint64_t fp = slots_[i];
      if (fp == 0) continue;
      size_t b = BlockOf(fp);
      if (b < first_block || b >= end_block) continue;
      __builtin_prefetch(bloom_.get() + b * kBlockWords, 1);
      size_t k = count++ % kAhead;
      if (count > kAhead) set(pending[k], pending_bits[k]);
      pending[k] = b;
      pending_bits[k] = FilterBits(fp);
    }
    for (size_t j = count > kAhead ? count - kAhead : 0; j < count; ++j) set(pending[j % kAhead], pending_bits[j % kAhead]);
  };
  if (size_ < (1u << 20)) {
    fill(0, num_blocks_);
    return;
  }
  std::thread second(fill, num_blocks_ / 2, num_blocks_);
  fill(0, num_blocks_ / 2);
  second.join();
}

bool WatchIndex::Build(std::span<const uint64_t> ordered, size_t plain, size_t hashed) {
  num_buckets_ = plain + hashed;
  plain_buckets_ = plain;
  table_ = Allocate(num_buckets_ * kBucketSlots, /*zero=*/true);
  slots_ = table_.get();
  size_ = hashed_size_ = 0;
  // Puts fp into bucket b if it has an empty slot.
  auto place = [&](size_t b, uint64_t fp) {
    uint64_t* slot = table_.get() + b * kBucketSlots;
    for (size_t k = 0; k < kBucketSlots; ++k) {
      if (slot[k] == 0) {
        slot[k] = fp;
        return true;
      }
    }
    return false;
  };
  uint64_t kick_state = 0x9E3779B97F4A7C15ull;  // deterministic choice of victims
  // In the keys' order the first buckets ascend (Bucket1 is monotonic in a class's keys,
  // and plain keys come first): they are filled front to back. The second buckets, read
  // for repeats and where a full first bucket sends a key, are at random: each is fetched
  // some keys ahead.
  constexpr size_t kAhead = 16;
  for (size_t i = 0; i < ordered.size(); ++i) {
    if (i + kAhead < ordered.size()) __builtin_prefetch(slots_ + Bucket2(ordered[i + kAhead]) * kBucketSlots);
    const uint64_t fp = ordered[i];
    if (InTable(fp)) continue;  // duplicates are fine
    ++size_;
    hashed_size_ += fp >> 63;
    size_t b1 = Bucket1(fp), b2 = Bucket2(fp);
    if (place(b1, fp) || place(b2, fp)) continue;
    // Both full: evict an entry to its other bucket, and so on (a cuckoo walk).
    size_t b = b1;
    uint64_t moving = fp;
    bool placed = false;
    for (int kicks = 0; kicks < 500 && !placed; ++kicks) {
      kick_state = kick_state * 6364136223846793005ull + 1442695040888963407ull;
      uint64_t& victim = table_[b * kBucketSlots + (kick_state >> 61)];
      std::swap(moving, victim);
      b = Bucket1(moving) == b ? Bucket2(moving) : Bucket1(moving);
      placed = place(b, moving);
    }
    if (!placed) return false;
  }
  return true;
}

WatchIndex::Mapping::~Mapping() {
  if (base_) ::munmap(base_, bytes_);
}

WatchIndex::Mapping& WatchIndex::Mapping::operator=(Mapping&& o) noexcept {
  std::swap(base_, o.base_);
  std::swap(bytes_, o.bytes_);
  return *this;
}

WatchIndex::WatchIndex(WatchIndex&& o) noexcept { *this = std::move(o); }

WatchIndex& WatchIndex::operator=(WatchIndex&& o) noexcept {
  if (this == &o) return *this;
  table_ = std::move(o.table_);
  mapping_ = std::move(o.mapping_);
  slots_ = o.slots_;
  bloom_ = std::move(o.bloom_);
  hashed_filter_ = o.hashed_filter_;
  o.hashed_filter_ = nullptr;
  num_blocks_ = o.num_blocks_;
  plain_blocks_ = o.plain_blocks_;
  hashed_size_ = o.hashed_size_;
  o.num_blocks_ = o.plain_blocks_ = o.hashed_size_ = 0;
  num_buckets_ = o.num_buckets_;
  plain_buckets_ = o.plain_buckets_;
  o.plain_buckets_ = 0;
  size_ = o.size_;
  keying_ = o.keying_;
  o.slots_ = nullptr;
  o.num_buckets_ = o.size_ = 0;
  return *this;
}

void WatchIndex::CopyKeysTo(uint64_t* out) const {
  for (size_t i = 0; i < num_buckets_ * kBucketSlots; ++i)
    if (slots_[i]) *out++ = slots_[i];
}

Status WatchIndex::Save(const std::string& path, uint64_t generation) const {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(Error::IO(tmp + ": " + std::strerror(errno)));
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.magic[6] = static_cast<char>(keying_);
  h.generation = generation;
  h.num_buckets = num_buckets_;
  h.size = size_;
  h.num_blocks = num_blocks_;
  h.plain_blocks = plain_blocks_;
  h.hashed_size = hashed_size_;
  h.plain_buckets = plain_buckets_;
  auto write_all = [&](const void* p, size_t n) {
    const char* c = static_cast<const char*>(p);
    while (n > 0) {
      ssize_t w = ::write(fd, c, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      c += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  };
  char header[kHeaderBytes] = {};
  std::memcpy(header, &h, sizeof h);
  bool ok = write_all(header, sizeof header) && write_all(slots_, memory_bytes()) &&
            write_all(bloom_.get(), plain_blocks_ * kBlockWords * sizeof(uint64_t)) &&
            write_all(hashed_filter_, (num_blocks_ - plain_blocks_) * kBlockWords * sizeof(uint64_t)) &&
            ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Fail(Error::IO(path + ": writing the watch index failed: " + std::strerror(ok ? errno : saved)));
  }
  return Ok();
}

Result<std::optional<WatchIndex>> WatchIndex::Load(const std::string& path, uint64_t generation, IndexKeying keying) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<WatchIndex>();
    return Fail(Error::IO(path + ": " + std::strerror(errno)));
  }
  struct stat st;
  Header h;
  constexpr uint64_t kBucketBytes = kBucketSlots * sizeof(uint64_t), kBlockBytes = kBlockWords * sizeof(uint64_t);
  if (::fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) < sizeof h || ::pread(fd, &h, sizeof h, 0) != sizeof h ||
      std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.magic[6] != static_cast<char>(keying) || h.magic[7] != 0 ||
      h.generation != generation || h.num_buckets > static_cast<uint64_t>(st.st_size) / kBucketBytes ||
      h.plain_buckets == 0 || h.plain_buckets >= h.num_buckets ||
      h.hashed_size > h.size || h.plain_blocks != PlainBlocksFor(h.size - h.hashed_size) ||
      h.num_blocks != h.plain_blocks + HashedBlocksFor(h.hashed_size) ||
      h.num_blocks > static_cast<uint64_t>(st.st_size) / kBlockBytes ||
      static_cast<uint64_t>(st.st_size) != kHeaderBytes + h.num_buckets * kBucketBytes + h.num_blocks * kBlockBytes) {
    ::close(fd);
    return std::optional<WatchIndex>();
  }
  // The file is mapped, not read. The table is used in place: only a lookup that passes a
  // filter touches it (about one in three thousand), so a scan faults in the few pages it
  // needs from the page cache instead of copying 275 MiB into freshly zeroed memory
  // before it starts. So is the hashed keys' filter (40 MiB for 10M identifiers), read
  // only by hex digests (one probe in eight): zeroing and filling memory for it cost more
  // than their TLB misses. The plain keys' filter, read by every email and phone, is
  // copied into memory advised for huge pages: mapped file pages are 4 KiB, and random
  // reads over 27 MiB of those would miss the TLB each time.
  const size_t table_bytes = h.num_buckets * kBucketBytes, filter_bytes = h.plain_blocks * kBlockBytes;
  const size_t file_bytes = static_cast<size_t>(st.st_size);
  WatchIndex index;
  void* map = ::mmap(nullptr, file_bytes, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED) {
    int e = errno;
    ::close(fd);
    return Fail(Error::IO(path + ": mapping the watch index: " + std::strerror(e)));
  }
  index.mapping_ = Mapping(map, file_bytes);
  index.bloom_ = Allocate(h.plain_blocks * kBlockWords, /*zero=*/false);
  // Two halves on two threads: most of a load is the kernel faulting in the fresh pages
  // (slow in a VM: the host backs them on first touch), which goes as fast again on two
  // cores.
  char* dst = reinterpret_cast<char*>(index.bloom_.get());
  const off_t filter_at = static_cast<off_t>(kHeaderBytes + table_bytes);
  auto read_range = [&](size_t from, size_t to) {
    while (from < to) {
      ssize_t r = ::pread(fd, dst + from, to - from, filter_at + static_cast<off_t>(from));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return false;
      from += static_cast<size_t>(r);
    }
    return true;
  };
  const size_t half = filter_bytes / 2 / kBlockBytes * kBlockBytes;
  bool second_ok = false;
  std::thread second([&] { second_ok = read_range(half, filter_bytes); });
  bool ok = read_range(0, half);
  second.join();
  ok = ok && second_ok;
  ::close(fd);
  if (!ok) return Fail(Error::IO(path + ": short read of the watch index"));
  index.slots_ = reinterpret_cast<const uint64_t*>(static_cast<const char*>(map) + kHeaderBytes);
  index.hashed_filter_ =
      reinterpret_cast<const uint64_t*>(static_cast<const char*>(map) + kHeaderBytes + table_bytes + filter_bytes);
  index.num_buckets_ = h.num_buckets;
  index.plain_buckets_ = h.plain_buckets;
  index.size_ = h.size;
  index.num_blocks_ = h.num_blocks;
  index.plain_blocks_ = h.plain_blocks;
  index.hashed_size_ = h.hashed_size;
  index.keying_ = keying;
  return std::optional<WatchIndex>(std::move(index));
}

}  // namespace lw
