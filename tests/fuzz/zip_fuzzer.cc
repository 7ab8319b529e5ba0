// libFuzzer target: the zip central-directory reader (matcher/zip_reader.h). Archives come
// from leaks: any input must end in members or "not a zip this reader takes", and each
// member in its bytes or an error, within bounded time and memory.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "matcher/zip_reader.h"

namespace {
// The input as a file descriptor, as the scanner hands a zip to the reader.
int InputFd(const uint8_t* data, size_t size) {
  static const int fd = memfd_create("zip", 0);
  if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) __builtin_trap();
  return fd;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = InputFd(data, size);
  auto members = lw::ReadZipDirectory(fd, size);
  if (!members) return 0;
  const std::string span(reinterpret_cast<const char*>(data), size);
  size_t seen = 0;
  for (const lw::ZipMember& m : *members) {
    if (++seen > 64) break;
    // Sizes come from the input: members claiming more than a fuzz input can hold are
    // read only through the stream, a bounded buffer at a time.
    if (m.size <= (1u << 20)) {
      auto whole = lw::ReadZipMember(fd, m, m.name);
      auto in_span = lw::ZipMemberIn(span, 0, fd, m, m.name);
      if (whole.has_value() != in_span.has_value() || (whole && *whole != *in_span)) __builtin_trap();
      if (whole && whole->size() != m.size) __builtin_trap();
    }
    auto stream = lw::OpenZipMember(fd, m, m.name);
    char buf[4096];
    uint64_t total = 0;
    for (int reads = 0; stream && reads < 4096; ++reads) {
      auto n = stream->Read(buf, sizeof buf);
      if (!n || *n == 0) break;
      total += *n;
      if (total > m.size) __builtin_trap();  // never more than the directory says
    }
  }
  return 0;
}
