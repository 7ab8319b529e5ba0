// Reads a zip file's members straight from its central directory, so that each member
// can be inflated by a different thread (zip compresses members independently). Only what
// this needs: stored and deflated members, zip64 sizes and offsets. Anything else
// (encryption, other methods, a damaged directory) is left to libarchive's reader.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "matcher/scanner.h"

namespace lw {

struct ZipMember {
  std::string name;
  uint64_t header_offset = 0;  // of its local header
  uint64_t compressed_size = 0;
  uint64_t size = 0;
  uint32_t crc32 = 0;
  uint16_t method = 0;  // 0 stored, 8 deflated
  uint32_t header_size_hint = 30;  // the local header's size if its fields are as long as the directory's
};

// The regular-file members of the zip in `fd` (a regular file of `file_size` bytes), in the
// order of their data in the file; nullopt when the file is no zip this reader takes.
std::optional<std::vector<ZipMember>> ReadZipDirectory(int fd, uint64_t file_size);

// A member's bytes, checked against its CRC-32. Thread-safe (positional reads); `name`
// goes into error messages.
Result<std::string> ReadZipMember(int fd, const ZipMember& member, const std::string& name);

// A member's bytes from `span`, the file's bytes from `span_offset` on (several members
// read at once), reading whatever the span lacks from `fd`. kZipSlack bytes past a
// member's header_size_hint and data cover a local header a little longer than the
// directory's.
inline constexpr size_t kZipSlack = 64;
Result<std::string> ZipMemberIn(std::string_view span, uint64_t span_offset, int fd, const ZipMember& member,
                                const std::string& name);

// A member as a stream, inflated as it is read, for members too large to hold.
std::unique_ptr<ByteStream> OpenZipMember(int fd, const ZipMember& member, const std::string& name);

}  // namespace lw
