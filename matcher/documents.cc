#include "matcher/documents.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <optional>

namespace lw {
namespace {

namespace fs = std::filesystem;

// Regular files at least this long are read by the scanner's workers (positional reads);
// shorter ones fit one chunk anyway and are read here.
constexpr off_t kPositionalAtLeast = 1 << 20;

class FdStream final : public ByteStream {
 public:
  FdStream(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    if (!pending_.empty()) {  // bytes consumed while sniffing the format
      size_t k = std::min(n, pending_.size());
      std::memcpy(buf, pending_.data(), k);
      pending_.erase(0, k);
      return k;
    }
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return Fail(Error::IO(name_ + ": " + std::strerror(errno)));
    }
  }
  void Unread(std::string bytes) { pending_ = std::move(bytes); }

  // A regular file: its bytes from `start` (where the descriptor was before sniffing)
  // to `end` are read with pread, by the scanner's workers.
  void SetPositional(uint64_t start, uint64_t end) {
    positional_ = true;
    start_ = start;
    size_ = end - start;
  }
  std::optional<uint64_t> PositionalSize() const override {
    if (!positional_) return std::nullopt;
    return size_;
  }
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    if (offset >= size_) return 0;
    n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
    for (;;) {
      ssize_t r = ::pread(fd_, buf, n, static_cast<off_t>(start_ + offset));
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return Fail(Error::IO(std::strerror(errno)));  // the scanner names the file
    }
  }

 private:
  bool positional_ = false;
  uint64_t start_ = 0, size_ = 0;
  int fd_;
  std::string name_;
  std::string pending_;
};

class ArchiveEntryStream final : public ByteStream {
 public:
  ArchiveEntryStream(archive* a, std::string name) : a_(a), name_(std::move(name)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    la_ssize_t r = archive_read_data(a_, buf, n);
    if (r < 0) return Fail(Error::IO(name_ + ": " + archive_error_string(a_)));
    return static_cast<size_t>(r);
  }

 private:
  archive* a_;
  std::string name_;
};

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

// Compressed or archive formats recognised by their first bytes.
bool LooksPacked(const unsigned char* p, size_t n) {
  auto starts = [&](std::initializer_list<unsigned char> magic) {
    if (n < magic.size()) return false;
    size_t i = 0;
    for (unsigned char m : magic)
      if (p[i++] != m) return false;
    return true;
  };
  if (starts({0x1f, 0x8b}) || starts({'P', 'K', 3, 4}) || starts({'7', 'z', 0xbc, 0xaf, 0x27, 0x1c}) ||
      starts({0xfd, '7', 'z', 'X', 'Z', 0}) || starts({'B', 'Z', 'h'}) || starts({0x28, 0xb5, 0x2f, 0xfd}))
    return true;
  return n >= 262 && std::memcmp(p + 257, "ustar", 5) == 0;
}

// Feeds libarchive the sniffed head first, then the rest of the descriptor, so that
// pipes (stdin) work as well as files.
struct PackedInput {
  int fd;
  std::string head;
  bool head_served = false;
  std::string buf = std::string(1 << 16, '\0');
};

la_ssize_t ReadPacked(archive*, void* data, const void** out) {
  auto* in = static_cast<PackedInput*>(data);
  if (!in->head_served) {
    in->head_served = true;
    if (!in->head.empty()) {
      *out = in->head.data();
      return static_cast<la_ssize_t>(in->head.size());
    }
  }
  for (;;) {
    ssize_t r = ::read(in->fd, in->buf.data(), in->buf.size());
    if (r < 0 && errno == EINTR) continue;
    *out = in->buf.data();
    return r;
  }
}

Status ScanPacked(int fd, std::string head, const std::string& location, const DocumentFn& fn) {
  std::unique_ptr<archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  // Real archive formats only: with "all", a decompressed text file can pass for an
  // mtree listing and be split into bogus members.
  archive_read_support_format_tar(a.get());
  archive_read_support_format_zip(a.get());
  archive_read_support_format_7zip(a.get());
  archive_read_support_format_cpio(a.get());
  archive_read_support_format_rar(a.get());
  archive_read_support_format_rar5(a.get());
  archive_read_support_format_raw(a.get());  // a compressed single file (.gz) is one document
  PackedInput input{fd, std::move(head)};
  if (archive_read_open(a.get(), &input, nullptr, ReadPacked, nullptr) != ARCHIVE_OK)
    return Fail(Error::IO(location + ": " + archive_error_string(a.get())));
  archive_entry* entry;
  for (;;) {
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return Fail(Error::IO(location + ": " + archive_error_string(a.get())));
    if (archive_entry_filetype(entry) != AE_IFREG && archive_format(a.get()) != ARCHIVE_FORMAT_RAW) continue;
    bool raw = archive_format(a.get()) == ARCHIVE_FORMAT_RAW;
    const char* name = archive_entry_pathname(entry);
    std::string member = raw ? location : location + "!" + (name ? name : "?");
    ArchiveEntryStream stream(a.get(), member);
    if (auto s = fn(member, stream); !s) return s;
  }
  return Ok();
}

Status ScanFile(const std::string& path, const DocumentFn& fn) {
  int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(Error::IO(path + ": " + std::strerror(errno)));
  std::string location = path == "-" ? "<stdin>" : path;
  const off_t start = ::lseek(fd, 0, SEEK_CUR);  // -1 for pipes; stdin may be a file read from elsewhere
  // Sniff the first bytes; hand them back to whichever reader takes the file.
  std::string head(512, '\0');
  size_t got = 0;
  while (got < head.size()) {
    ssize_t r = ::read(fd, head.data() + got, head.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  head.resize(got);
  Status status;
  if (LooksPacked(reinterpret_cast<const unsigned char*>(head.data()), head.size())) {
    status = ScanPacked(fd, std::move(head), location, fn);
  } else {
    FdStream stream(fd, location);
    // Only files of a chunk or more: their size is what they hold. Pseudo-files in /proc
    // report 0 and those in /sys 4096 whatever they hold; they are read to their end.
    struct stat st;
    if (start >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size - start >= kPositionalAtLeast) {
      stream.SetPositional(static_cast<uint64_t>(start), static_cast<uint64_t>(st.st_size));
    } else {
      stream.Unread(std::move(head));
    }
    status = fn(location, stream);
  }
  if (fd != 0) ::close(fd);
  return status;
}

}  // namespace

Status ForEachDocument(const std::string& path, const DocumentFn& fn, const DocumentErrorFn& on_error) {
  std::error_code ec;
  if (path != "-" && fs::is_directory(path, ec)) {
    std::vector<std::string> files;
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) files.push_back(it->path().string());
    }
    if (ec) on_error(Error::IO(path + ": " + ec.message()));
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) {
      auto s = ScanFile(f, fn);
      if (!s) {
        if (s.error().code != Error::Code::kIO) return s;
        on_error(s.error());
      }
    }
    return Ok();
  }
  if (path != "-" && !fs::exists(path, ec)) return Fail(Error::IO(path + ": no such file or directory"));
  return ScanFile(path, fn);
}

}  // namespace lw
