#include "store/watch_index.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <optional>

namespace lw {
namespace {

constexpr char kMagic[8] = {'L', 'W', 'I', 'D', 'X', '1', 0, 0};
struct Header {
  char magic[8];
  uint64_t generation;
  uint64_t num_slots;
  uint64_t size;
};

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

WatchIndex::WatchIndex(const std::vector<uint64_t>& fingerprints) {
  // Load factor at most 0.8: linear probing stays short for absent keys.
  num_slots_ = fingerprints.size() + fingerprints.size() / 4 + 16;
  table_ = Allocate(num_slots_, /*zero=*/true);
  slots_ = table_.get();
  for (uint64_t fp : fingerprints) {
    size_t i = Slot(fp);
    while (table_[i] != 0 && table_[i] != fp)
      if (++i == num_slots_) i = 0;
    if (table_[i] == 0) {
      table_[i] = fp;
      ++size_;
    }
  }
}

WatchIndex::WatchIndex(WatchIndex&& o) noexcept { *this = std::move(o); }

WatchIndex& WatchIndex::operator=(WatchIndex&& o) noexcept {
  if (this == &o) return *this;
  table_ = std::move(o.table_);
  slots_ = table_.get();
  num_slots_ = o.num_slots_;
  size_ = o.size_;
  o.slots_ = nullptr;
  o.num_slots_ = o.size_ = 0;
  return *this;
}

void WatchIndex::AppendTo(std::vector<uint64_t>* out) const {
  out->reserve(out->size() + size_);
  for (size_t i = 0; i < num_slots_; ++i)
    if (slots_[i]) out->push_back(slots_[i]);
}

Status WatchIndex::Save(const std::string& path, uint64_t generation) const {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(Error::IO(tmp + ": " + std::strerror(errno)));
  Header h;
  std::memcpy(h.magic, kMagic, 8);
  h.generation = generation;
  h.num_slots = num_slots_;
  h.size = size_;
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
  bool ok = write_all(&h, sizeof h) && write_all(slots_, num_slots_ * sizeof(uint64_t)) && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Fail(Error::IO(path + ": writing the watch index failed: " + std::strerror(ok ? errno : saved)));
  }
  return Ok();
}

Result<std::optional<WatchIndex>> WatchIndex::Load(const std::string& path, uint64_t generation) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<WatchIndex>();
    return Fail(Error::IO(path + ": " + std::strerror(errno)));
  }
  struct stat st;
  Header h;
  if (::fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) < sizeof h || ::pread(fd, &h, sizeof h, 0) != sizeof h ||
      std::memcmp(h.magic, kMagic, 8) != 0 || h.generation != generation ||
      static_cast<size_t>(st.st_size) != sizeof h + h.num_slots * sizeof(uint64_t)) {
    ::close(fd);
    return std::optional<WatchIndex>();
  }
  WatchIndex index;
  index.table_ = Allocate(h.num_slots, /*zero=*/false);  // every slot is read from the file
  size_t want = h.num_slots * sizeof(uint64_t), got = 0;
  char* dst = reinterpret_cast<char*>(index.table_.get());
  while (got < want) {
    ssize_t r = ::pread(fd, dst + got, want - got, static_cast<off_t>(sizeof h + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  if (got != want) return Fail(Error::IO(path + ": short read of the watch index"));
  index.slots_ = index.table_.get();
  index.num_slots_ = h.num_slots;
  index.size_ = h.size;
  return std::optional<WatchIndex>(std::move(index));
}

}  // namespace lw
