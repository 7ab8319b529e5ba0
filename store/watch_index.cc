#include "store/watch_index.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

WatchIndex::WatchIndex(const std::vector<uint64_t>& fingerprints) {
  // Load factor at most 0.8: linear probing stays short for absent keys.
  owned_.assign(fingerprints.size() + fingerprints.size() / 4 + 16, 0);
  slots_ = owned_.data();
  num_slots_ = owned_.size();
  for (uint64_t fp : fingerprints) {
    size_t i = Slot(fp);
    while (owned_[i] != 0 && owned_[i] != fp)
      if (++i == num_slots_) i = 0;
    if (owned_[i] == 0) {
      owned_[i] = fp;
      ++size_;
    }
  }
}

WatchIndex::WatchIndex(WatchIndex&& o) noexcept { *this = std::move(o); }

WatchIndex& WatchIndex::operator=(WatchIndex&& o) noexcept {
  if (this == &o) return *this;
  if (mapping_) ::munmap(mapping_, mapping_size_);
  owned_ = std::move(o.owned_);
  mapping_ = o.mapping_;
  mapping_size_ = o.mapping_size_;
  slots_ = mapping_ ? o.slots_ : owned_.data();
  num_slots_ = o.num_slots_;
  size_ = o.size_;
  o.mapping_ = nullptr;
  o.slots_ = nullptr;
  o.num_slots_ = o.size_ = 0;
  return *this;
}

WatchIndex::~WatchIndex() {
  if (mapping_) ::munmap(mapping_, mapping_size_);
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
  void* m = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED) return Fail(Error::IO(path + ": mmap: " + std::strerror(errno)));
  WatchIndex index;
  index.mapping_ = m;
  index.mapping_size_ = static_cast<size_t>(st.st_size);
  index.slots_ = reinterpret_cast<const uint64_t*>(static_cast<const char*>(m) + sizeof h);
  index.num_slots_ = h.num_slots;
  index.size_ = h.size;
  return std::optional<WatchIndex>(std::move(index));
}

}  // namespace lw
