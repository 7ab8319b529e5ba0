#include "matcher/documents.h"

#include "matcher/gzip_reader.h"
#include "matcher/zip_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <memory>
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

// An archive member's bytes: `prefix` (read already, to learn that the member is not
// small), then the rest from libarchive.
class ArchiveEntryStream final : public ByteStream {
 public:
  ArchiveEntryStream(archive* a, std::string name, std::string prefix)
      : a_(a), name_(std::move(name)), prefix_(std::move(prefix)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    if (served_ < prefix_.size()) {
      size_t k = std::min(n, prefix_.size() - served_);
      std::memcpy(buf, prefix_.data() + served_, k);
      served_ += k;
      return k;
    }
    la_ssize_t r = archive_read_data(a_, buf, n);
    if (r < 0) return Fail(Error::IO(name_ + ": " + archive_error_string(a_)));
    return static_cast<size_t>(r);
  }

 private:
  archive* a_;
  std::string name_;
  std::string prefix_;
  size_t served_ = 0;
};

// Reads up to `limit` + 1 bytes of the current member into *out: all of it when it is
// at most `limit` long.
Status ReadMember(archive* a, const std::string& name, size_t size_hint, size_t limit, std::string* out) {
  out->resize(std::min(size_hint, limit) + 1);
  size_t got = 0;
  for (;;) {
    if (got == out->size()) {
      if (got > limit) break;
      out->resize(std::min(limit + 1, std::max<size_t>(2 * got, 4096)));
    }
    la_ssize_t r = archive_read_data(a, out->data() + got, out->size() - got);
    if (r < 0) return Fail(Error::IO(name + ": " + archive_error_string(a)));
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  out->resize(got);
  return Ok();
}

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
// pipes (stdin) work as well as files; or, for gzip, what a GzipReader inflates.
struct PackedInput {
  int fd;
  std::string head;
  bool head_served = false;
  std::string buf = std::string(1 << 16, '\0');
  GzipReader* gzip = nullptr;
};

la_ssize_t ReadPacked(archive* a, void* data, const void** out) {
  auto* in = static_cast<PackedInput*>(data);
  if (in->gzip) {
    auto block = in->gzip->Next();
    if (!block) {
      archive_set_error(a, EIO, "%s", block.error().message.c_str());
      return -1;
    }
    *out = block->data();
    return static_cast<la_ssize_t>(block->size());
  }
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

// The members of an archive (or the one document of a compressed file), small ones
// through a pipeline of their own, large ones in their turn on all cores.
Status ScanPacked(int fd, std::string head, const std::string& location, Scanner& scanner,
                  const DocumentOptions& options, const DocumentErrorFn& on_error) {
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
  // gzip (a .tar.gz, a .gz) is inflated on a thread of its own; libarchive reads what it
  // inflates and sees a tar or a plain file.
  PackedInput input{fd, std::move(head)};
  std::optional<GzipReader> gzip;
  if (GzipReader::LooksGzip(input.head)) {
    gzip.emplace(fd, std::move(input.head), location);
    input.gzip = &*gzip;
  }
  if (archive_read_open(a.get(), &input, nullptr, ReadPacked, nullptr) != ARCHIVE_OK)
    return Fail(Error::IO(location + ": " + archive_error_string(a.get())));
  DocumentPipeline pipeline(scanner, on_error, options.pipeline);
  archive_entry* entry;
  for (;;) {
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return Fail(Error::IO(location + ": " + archive_error_string(a.get())));
    bool raw = archive_format(a.get()) == ARCHIVE_FORMAT_RAW;
    if (archive_entry_filetype(entry) != AE_IFREG && !raw) continue;
    const char* name = archive_entry_pathname(entry);
    std::string member = raw ? location : location + "!" + (name ? name : "?");
    const size_t size_hint =
        archive_entry_size_is_set(entry) && archive_entry_size(entry) >= 0 ? archive_entry_size(entry) : 4096;
    std::string content;
    if (auto s = ReadMember(a.get(), member, static_cast<size_t>(size_hint), options.small_limit, &content); !s) {
      if (auto f = pipeline.Finish(); !f) return f;  // the members before it still count
      return s;
    }
    Status s;
    if (content.size() <= options.small_limit) {
      s = pipeline.Add(std::move(member), std::move(content));
    } else {
      s = pipeline.InTurn([&] {
        ArchiveEntryStream stream(a.get(), member, std::move(content));
        return scanner.Scan(member, stream);
      });
    }
    if (!s) return s;
  }
  return pipeline.Finish();
}

// A zip file read from its central directory: members inflated by the pipeline's
// workers (zip compresses members one by one), runs of consecutive small members read
// by one worker in one positional read.
Status ScanZip(int fd, const std::vector<ZipMember>& members, const std::string& location, Scanner& scanner,
               const DocumentOptions& options, const DocumentErrorFn& on_error) {
  DocumentPipeline pipeline(scanner, on_error, options.pipeline);
  constexpr size_t kRunMembers = 64, kRunBytes = 1 << 20;
  std::vector<const ZipMember*> run;
  auto span_end = [](const ZipMember& m) { return m.header_offset + m.header_size_hint + m.compressed_size + kZipSlack; };
  auto flush = [&]() -> Status {
    if (run.empty()) return Ok();
    auto group = [&location, fd, run = std::move(run), &span_end](const DocumentPipeline::EmitFn& emit) -> Status {
      const uint64_t from = run.front()->header_offset, to = span_end(*run.back());
      thread_local std::string span;
      span.resize(static_cast<size_t>(to - from));
      size_t got = 0;
      while (got < span.size()) {
        ssize_t r = ::pread(fd, span.data() + got, span.size() - got, static_cast<off_t>(from + got));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += static_cast<size_t>(r);
      }
      for (const ZipMember* m : run) {
        std::string member = location + "!" + m->name;
        auto bytes = ZipMemberIn({span.data(), got}, from, fd, *m, member);
        Result<std::optional<std::string>> loaded = std::optional<std::string>();
        if (bytes) {
          loaded = std::optional<std::string>(std::move(*bytes));
        } else {
          loaded = Fail(bytes.error());
        }
        emit(std::move(member), std::move(loaded), [] { return Ok(); });
      }
      return Ok();
    };
    run.clear();
    return pipeline.AddGroup(std::move(group));
  };
  for (const ZipMember& m : members) {
    if (m.size <= options.small_limit && m.compressed_size <= options.small_limit) {
      if (!run.empty() && (run.size() == kRunMembers || span_end(m) - run.front()->header_offset > kRunBytes ||
                           m.header_offset < run.back()->header_offset))
        if (auto s = flush(); !s) return s;
      run.push_back(&m);
      continue;
    }
    if (auto s = flush(); !s) return s;
    const std::string member = location + "!" + m.name;
    auto s = pipeline.InTurn([&] {
      auto stream = OpenZipMember(fd, m, member);
      return scanner.Scan(member, *stream);
    });
    if (!s) return s;
  }
  if (auto s = flush(); !s) return s;
  return pipeline.Finish();
}

// Sniffs the first bytes of a file for a compressed or archive format.
Result<std::string> ReadHead(int fd) {
  std::string head(512, '\0');
  size_t got = 0;
  while (got < head.size()) {
    ssize_t r = ::read(fd, head.data() + got, head.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  head.resize(got);
  return head;
}

Status ScanFile(const std::string& path, Scanner& scanner, const DocumentOptions& options,
                const DocumentErrorFn& on_error) {
  int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(Error::IO(path + ": " + std::strerror(errno)));
  std::string location = path == "-" ? "<stdin>" : path;
  const off_t start = ::lseek(fd, 0, SEEK_CUR);  // -1 for pipes; stdin may be a file read from elsewhere
  // Sniff the first bytes; hand them back to whichever reader takes the file.
  std::string head = *ReadHead(fd);
  Status status;
  struct stat st;
  std::optional<std::vector<ZipMember>> zip;
  if (head.starts_with(std::string_view("PK\3\4", 4)) && start == 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
    zip = ReadZipDirectory(fd, static_cast<uint64_t>(st.st_size));
  if (zip) {
    status = ScanZip(fd, *zip, location, scanner, options, on_error);
  } else if (LooksPacked(reinterpret_cast<const unsigned char*>(head.data()), head.size())) {
    status = ScanPacked(fd, std::move(head), location, scanner, options, on_error);
  } else {
    FdStream stream(fd, location);
    // Only files of a chunk or more: their size is what they hold. Pseudo-files in /proc
    // report 0 and those in /sys 4096 whatever they hold; they are read to their end.
    if (start >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size - start >= kPositionalAtLeast) {
      stream.SetPositional(static_cast<uint64_t>(start), static_cast<uint64_t>(st.st_size));
    } else {
      stream.Unread(std::move(head));
    }
    status = scanner.Scan(location, stream);
  }
  if (fd != 0) ::close(fd);
  return status;
}

// A file of a directory, read by a pipeline worker: its bytes when it is a regular file of
// at most `limit` bytes in no packed format, else nullopt (ScanFile takes it, in its turn).
// `name` is opened relative to `dir` (a directory's descriptor, or AT_FDCWD); `path`
// names the file in messages.
Result<std::optional<std::string>> LoadSmallFile(int dir, const char* name, const std::string& path, size_t limit) {
  int fd = ::openat(dir, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(Error::IO(path + ": " + std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > limit)
    return std::optional<std::string>();
  // One read more than the size, to see the end (or that the file grew).
  std::string content(static_cast<size_t>(st.st_size) + 1, '\0');
  size_t got = 0;
  for (;;) {
    if (got == content.size()) {
      if (got > limit) return std::optional<std::string>();  // grew past the limit: streamed instead
      content.resize(std::min(limit + 1, 2 * got));
    }
    const size_t want = content.size() - got;
    ssize_t r = ::read(fd, content.data() + got, want);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Fail(Error::IO(path + ": " + std::strerror(errno)));
    if (r == 0) break;
    got += static_cast<size_t>(r);
    // Short of the byte asked for past its size: the end, without another read.
    if (static_cast<size_t>(r) < want && got == static_cast<size_t>(st.st_size)) break;
  }
  content.resize(got);
  if (LooksPacked(reinterpret_cast<const unsigned char*>(content.data()), content.size()))
    return std::optional<std::string>();
  return std::optional<std::string>(std::move(content));
}

// An open directory, shared by the documents found in it: workers open each file
// relative to it, a one-component lookup instead of a walk of the whole path.
struct OpenDir {
  explicit OpenDir(int fd) : fd(fd) {}
  ~OpenDir() { ::close(fd); }
  OpenDir(const OpenDir&) = delete;
  OpenDir& operator=(const OpenDir&) = delete;
  const int fd;
};

// Walks a directory tree in the order of its paths as strings (a directory's entries
// sorted, each subdirectory's name taken with its '/': "a.txt" before "a/x", as a sort of
// the full paths would have them), calling `file` for each regular file (or symbolic link
// to one) as it is found, so that scanning starts with the walk. Directories that may not
// be read are skipped; symbolic links to directories are not followed.
//
// With `group`, a directory of kFanOut subdirectories or more hands each subdirectory to
// it (group(path, parent directory, name)) instead of walking it: a pipeline worker walks
// it, so the walk runs on all cores too (a stealer log's victim folders, say).
class TreeWalk {
 public:
  // file(path, directory, offset of the file's name in path)
  using FileFn = std::function<Status(std::string, std::shared_ptr<const OpenDir>, size_t)>;
  using GroupFn = std::function<Status(std::string, std::shared_ptr<const OpenDir>, std::string)>;
  static constexpr size_t kFanOut = 8;
  TreeWalk(const FileFn& file, const DocumentErrorFn& on_error, const GroupFn* group = nullptr)
      : file_(file), on_error_(on_error), group_(group) {}

  // `name`: `dir` relative to `parent` (a descriptor or AT_FDCWD).
  Status Walk(int parent, const char* name, const std::string& dir) {
    int fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      if (errno != EACCES) on_error_(Error::IO(dir + ": " + std::strerror(errno)));
      return Ok();
    }
    auto open_dir = std::make_shared<const OpenDir>(fd);
    struct Entry {
      std::string key;  // the name, with a '/' after a directory's
      bool dir;
    };
    std::vector<Entry> entries;
    alignas(8) char buf[32 << 10];
    for (;;) {
      ssize_t n = ::getdents64(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        on_error_(Error::IO(dir + ": " + std::strerror(errno)));
        break;
      }
      if (n == 0) break;
      for (ssize_t at = 0; at < n;) {
        const auto* e = reinterpret_cast<const dirent64*>(buf + at);
        at += e->d_reclen;
        std::string_view entry = e->d_name;
        if (entry == "." || entry == "..") continue;
        unsigned char type = e->d_type;
        if (type == DT_UNKNOWN || type == DT_LNK) {  // ask the file system
          struct stat st;
          if (::fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
          if (S_ISLNK(st.st_mode)) {
            if (::fstatat(fd, e->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode)) continue;
            type = DT_REG;
          } else {
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
          }
        }
        if (type == DT_DIR) entries.push_back({std::string(entry) + "/", true});
        if (type == DT_REG) entries.push_back({std::string(entry), false});
      }
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
    const std::string prefix = dir.ends_with('/') ? dir : dir + "/";
    const bool fan_out =
        group_ != nullptr && static_cast<size_t>(std::count_if(entries.begin(), entries.end(), [](auto& e) { return e.dir; })) >= kFanOut;
    for (Entry& e : entries) {
      if (e.dir) {
        e.key.pop_back();
        if (fan_out) {
          if (auto s = (*group_)(prefix + e.key, open_dir, e.key); !s) return s;
        } else if (auto s = Walk(fd, e.key.c_str(), prefix + e.key); !s) {
          return s;
        }
      } else if (auto s = file_(prefix + e.key, open_dir, prefix.size()); !s) {
        return s;
      }
    }
    return Ok();
  }

 private:
  const FileFn& file_;
  const DocumentErrorFn& on_error_;
  const GroupFn* group_;
};

}  // namespace

Status ScanPath(const std::string& path, Scanner& scanner, const DocumentOptions& options,
                const DocumentErrorFn& on_error) {
  std::error_code ec;
  if (path != "-" && fs::is_directory(path, ec)) {
    DocumentPipeline pipeline(scanner, on_error, options.pipeline);
    TreeWalk::FileFn add = [&](std::string f, std::shared_ptr<const OpenDir> dir, size_t name_at) {
      auto load = [&options, f, dir = std::move(dir), name_at] {
        return LoadSmallFile(dir->fd, f.c_str() + name_at, f, options.small_limit);
      };
      auto fallback = [&, f] { return ScanFile(f, scanner, options, on_error); };
      return pipeline.AddLoaded(std::move(f), std::move(load), std::move(fallback));
    };
    // A subdirectory walked by a worker: its documents loaded and analyzed there, its
    // errors and fallbacks reported in their turn.
    TreeWalk::GroupFn group = [&](std::string dir, std::shared_ptr<const OpenDir> parent, std::string name) {
      return pipeline.AddGroup([&, dir = std::move(dir), parent = std::move(parent),
                                name = std::move(name)](const DocumentPipeline::EmitFn& emit) {
        TreeWalk::FileFn file = [&](std::string f, std::shared_ptr<const OpenDir> d, size_t name_at) {
          auto loaded = LoadSmallFile(d->fd, f.c_str() + name_at, f, options.small_limit);
          DocumentPipeline::FallbackFn fallback = [&, f] { return ScanFile(f, scanner, options, on_error); };
          emit(std::move(f), std::move(loaded), std::move(fallback));
          return Ok();
        };
        DocumentErrorFn error = [&](const Error& e) { emit(std::string(), Fail(e), nullptr); };
        return TreeWalk(file, error).Walk(parent->fd, name.c_str(), dir);
      });
    };
    if (auto s = TreeWalk(add, on_error, &group).Walk(AT_FDCWD, path.c_str(), path); !s) return s;
    return pipeline.Finish();
  }
  if (path != "-" && !fs::exists(path, ec)) return Fail(Error::IO(path + ": no such file or directory"));
  return ScanFile(path, scanner, options, on_error);
}

}  // namespace lw
