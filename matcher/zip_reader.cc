#include "matcher/zip_reader.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace lw {
namespace {

uint16_t U16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t U32(const unsigned char* p) { return U16(p) | static_cast<uint32_t>(U16(p + 2)) << 16; }
uint64_t U64(const unsigned char* p) { return U32(p) | static_cast<uint64_t>(U32(p + 4)) << 32; }

constexpr uint32_t kEndSignature = 0x06054b50, kZip64EndSignature = 0x06064b50, kZip64LocatorSignature = 0x07064b50,
                   kCentralSignature = 0x02014b50, kLocalSignature = 0x04034b50;

// Reads exactly n bytes at `offset`; false on an error or a short file.
bool ReadExactly(int fd, uint64_t offset, void* buf, size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    offset += static_cast<uint64_t>(r);
    n -= static_cast<size_t>(r);
  }
  return true;
}

// Where a member's data starts: after its local header, whose name and extra field
// lengths may differ from the central directory's.
Result<uint64_t> DataOffset(int fd, const ZipMember& m, const std::string& name) {
  unsigned char h[30];
  if (!ReadExactly(fd, m.header_offset, h, sizeof h) || U32(h) != kLocalSignature)
    return Fail(Error::IO(name + ": bad zip local header"));
  return m.header_offset + 30 + U16(h + 26) + U16(h + 28);
}

// Inflates raw deflate data read from `fd` in pieces.
class MemberStream final : public ByteStream {
 public:
  MemberStream(int fd, ZipMember member, std::string name) : fd_(fd), m_(std::move(member)), name_(std::move(name)) {
    inflateInit2(&z_, -15);
  }
  ~MemberStream() override { inflateEnd(&z_); }
  Result<size_t> Read(char* buf, size_t n) override {
    if (!started_) {
      started_ = true;
      auto at = DataOffset(fd_, m_, name_);
      if (!at) return Fail(at.error());
      next_ = *at;
      end_ = *at + m_.compressed_size;
    }
    if (m_.method == 0) {  // stored
      size_t k = static_cast<size_t>(std::min<uint64_t>(n, end_ - next_));
      if (k > 0 && !ReadExactly(fd_, next_, buf, k)) return Fail(Error::IO(name_ + ": zip member cut short"));
      next_ += k;
      return Check(buf, k);
    }
    const size_t want = std::min<size_t>(n, 1u << 30);
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = static_cast<uInt>(want);
    while (z_.avail_out == want && !ended_) {
      if (z_.avail_in == 0 && next_ < end_) {
        size_t k = static_cast<size_t>(std::min<uint64_t>(in_.size(), end_ - next_));
        if (!ReadExactly(fd_, next_, in_.data(), k)) return Fail(Error::IO(name_ + ": zip member cut short"));
        next_ += k;
        z_.next_in = reinterpret_cast<Bytef*>(in_.data());
        z_.avail_in = static_cast<uInt>(k);
      }
      int r = inflate(&z_, Z_NO_FLUSH);
      if (r == Z_STREAM_END) {
        ended_ = true;
      } else if (r != Z_OK) {
        return Fail(Error::IO(name_ + ": " + (z_.msg ? z_.msg : "bad deflate data")));
      }
    }
    return Check(buf, want - z_.avail_out);
  }

 private:
  // Adds the bytes to the CRC; at the end, checks it.
  Result<size_t> Check(const char* buf, size_t k) {
    crc_ = crc32(crc_, reinterpret_cast<const Bytef*>(buf), static_cast<uInt>(k));
    total_ += k;
    // Never more than the directory says: a member that inflates past its size is
    // refused at once, not read to its end (a zip bomb's member claims a small size).
    if (total_ > m_.size) return Fail(Error::IO(name_ + ": zip member longer than its directory entry says"));
    if (k == 0 && (crc_ != m_.crc32 || total_ != m_.size)) return Fail(Error::IO(name_ + ": zip member CRC mismatch"));
    return k;
  }

  int fd_;
  ZipMember m_;
  std::string name_;
  z_stream z_{};
  bool started_ = false, ended_ = false;
  uint64_t next_ = 0, end_ = 0, total_ = 0;
  uLong crc_ = crc32(0, nullptr, 0);
  std::string in_ = std::string(1 << 16, '\0');
};

}  // namespace

std::optional<std::vector<ZipMember>> ReadZipDirectory(int fd, uint64_t file_size) {
  // The end record is in the last 22 + 65535 bytes (a comment may follow it).
  const uint64_t tail_size = std::min<uint64_t>(file_size, 22 + 65535);
  std::string tail(static_cast<size_t>(tail_size), '\0');
  if (tail_size < 22 || !ReadExactly(fd, file_size - tail_size, tail.data(), tail.size())) return std::nullopt;
  const auto* t = reinterpret_cast<const unsigned char*>(tail.data());
  size_t end = tail.size() - 22 + 1;
  do {
    --end;
    if (U32(t + end) == kEndSignature && end + 22 + U16(t + end + 20) == tail.size()) break;
  } while (end > 0);
  if (U32(t + end) != kEndSignature) return std::nullopt;
  uint64_t count = U16(t + end + 10), dir_size = U32(t + end + 12), dir_offset = U32(t + end + 16);
  if (U16(t + end + 4) != 0 || U16(t + end + 6) != 0) return std::nullopt;  // multi-disk
  if (count == 0xffff || dir_size == 0xffffffff || dir_offset == 0xffffffff) {  // zip64
    const uint64_t locator = file_size - tail_size + end - 20;
    unsigned char l[20], e[56];
    if (end + (file_size - tail_size) < 20 || !ReadExactly(fd, locator, l, sizeof l) ||
        U32(l) != kZip64LocatorSignature || !ReadExactly(fd, U64(l + 8), e, sizeof e) || U32(e) != kZip64EndSignature)
      return std::nullopt;
    count = U64(e + 32);
    dir_size = U64(e + 40);
    dir_offset = U64(e + 48);
  }
  if (dir_offset > file_size || dir_size > file_size - dir_offset || dir_size > (1ull << 32)) return std::nullopt;
  std::string dir(static_cast<size_t>(dir_size), '\0');
  if (!ReadExactly(fd, dir_offset, dir.data(), dir.size())) return std::nullopt;
  const auto* d = reinterpret_cast<const unsigned char*>(dir.data());
  std::vector<ZipMember> members;
  size_t at = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (at + 46 > dir.size() || U32(d + at) != kCentralSignature) return std::nullopt;
    const unsigned char* h = d + at;
    const uint16_t flags = U16(h + 8), method = U16(h + 10), name_len = U16(h + 28), extra_len = U16(h + 30),
                   comment_len = U16(h + 32);
    const uint32_t external = U32(h + 38);
    if (at + 46 + name_len + extra_len + comment_len > dir.size()) return std::nullopt;
    ZipMember m;
    m.name.assign(reinterpret_cast<const char*>(h + 46), name_len);
    m.crc32 = U32(h + 16);
    m.compressed_size = U32(h + 20);
    m.size = U32(h + 24);
    m.header_offset = U32(h + 42);
    m.method = method;
    m.header_size_hint = 30u + name_len + extra_len;
    // zip64 extra field: the 64-bit values of the fields set to all ones, in this order.
    for (const unsigned char *x = h + 46 + name_len, *x_end = x + extra_len; x + 4 <= x_end;) {
      const uint16_t id = U16(x), len = U16(x + 2);
      if (x + 4 + len > x_end) return std::nullopt;
      if (id == 1) {
        const unsigned char* v = x + 4;
        const unsigned char* v_end = v + len;
        for (uint64_t* field : {&m.size, &m.compressed_size, &m.header_offset}) {
          if (*field != 0xffffffff) continue;
          if (v + 8 > v_end) return std::nullopt;
          *field = U64(v);
          v += 8;
        }
      }
      x += 4 + len;
    }
    at += 46 + name_len + extra_len + comment_len;
    const unsigned mode = external >> 16;  // the Unix mode, when the zip was made on Unix
    const bool directory = !m.name.empty() && m.name.back() == '/';
    if (directory || (mode != 0 && !S_ISREG(mode))) continue;
    if ((flags & 1) != 0 || (method != 0 && method != 8)) return std::nullopt;  // encrypted, or another method
    if (m.header_offset > file_size || m.compressed_size > file_size) return std::nullopt;
    if (method == 0 && m.size != m.compressed_size) return std::nullopt;
    members.push_back(std::move(m));
  }
  std::stable_sort(members.begin(), members.end(),
                   [](const ZipMember& a, const ZipMember& b) { return a.header_offset < b.header_offset; });
  return members;
}

Result<std::string> ReadZipMember(int fd, const ZipMember& member, const std::string& name) {
  // The local header and the data in one read, most of the time: the header is as long
  // as the directory says, or a little longer (slack).
  thread_local std::string raw;
  raw.resize(member.header_size_hint + static_cast<size_t>(member.compressed_size) + kZipSlack);
  size_t got = 0;
  while (got < raw.size()) {
    ssize_t r = ::pread(fd, raw.data() + got, raw.size() - got, static_cast<off_t>(member.header_offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  return ZipMemberIn({raw.data(), got}, member.header_offset, fd, member, name);
}

Result<std::string> ZipMemberIn(std::string_view span, uint64_t span_offset, int fd, const ZipMember& member,
                                const std::string& name) {
  const size_t at = static_cast<size_t>(member.header_offset - span_offset);
  const auto* h = reinterpret_cast<const unsigned char*>(span.data() + at);
  if (member.header_offset < span_offset || at + 30 > span.size() || U32(h) != kLocalSignature)
    return Fail(Error::IO(name + ": bad zip local header"));
  const size_t data_at = 30u + U16(h + 26) + U16(h + 28);
  const char* data = span.data() + at + data_at;
  thread_local std::string rest;
  if (at + data_at + member.compressed_size > span.size()) {  // a longer local header: read the data alone
    rest.resize(static_cast<size_t>(member.compressed_size));
    if (!ReadExactly(fd, member.header_offset + data_at, rest.data(), rest.size()))
      return Fail(Error::IO(name + ": zip member cut short"));
    data = rest.data();
  }
  std::string out(static_cast<size_t>(member.size), '\0');
  if (member.method == 0) {
    std::memcpy(out.data(), data, out.size());
  } else {
    // One inflater per thread, reset per member: setting one up costs more than
    // inflating a member of a few hundred bytes.
    thread_local struct Inflater {
      z_stream z{};
      bool ok = inflateInit2(&z, -15) == Z_OK;
      ~Inflater() { inflateEnd(&z); }
    } inflater;
    if (!inflater.ok || inflateReset(&inflater.z) != Z_OK) return Fail(Error::Internal("zlib could not start"));
    z_stream& z = inflater.z;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z.avail_in = static_cast<uInt>(member.compressed_size);
    char spare;  // a member that inflates to more than it says is damaged
    z.next_out = out.empty() ? reinterpret_cast<Bytef*>(&spare) : reinterpret_cast<Bytef*>(out.data());
    z.avail_out = out.empty() ? 1 : static_cast<uInt>(out.size());
    int r = inflate(&z, Z_FINISH);
    const bool ok = r == Z_STREAM_END && z.total_out == member.size;
    std::string message = z.msg ? z.msg : "bad deflate data";
    if (!ok) return Fail(Error::IO(name + ": " + message));
  }
  if (crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size())) !=
      member.crc32)
    return Fail(Error::IO(name + ": zip member CRC mismatch"));
  return out;
}

std::unique_ptr<ByteStream> OpenZipMember(int fd, const ZipMember& member, const std::string& name) {
  return std::make_unique<MemberStream>(fd, member, name);
}

}  // namespace lw
