// Turns scan arguments into documents: files, directories (recursively), stdin ("-"),
// compressed files and archives (zip, tar, tar.gz, 7z, gz, xz, bz2, zstd through
// libarchive), streamed without unpacking to disk. Archive members are located as
// "path!member". Nested archives are scanned as bytes, not opened.
#pragma once

#include <functional>
#include <string>

#include "base/status.h"
#include "matcher/scanner.h"

namespace lw {

// Calls fn(location, stream) for each document under `path`. An unreadable file is
// reported through `on_error` and skipped; the walk goes on.
using DocumentFn = std::function<Status(const std::string& location, ByteStream& stream)>;
using DocumentErrorFn = std::function<void(const Error& error)>;
Status ForEachDocument(const std::string& path, const DocumentFn& fn, const DocumentErrorFn& on_error);

}  // namespace lw
