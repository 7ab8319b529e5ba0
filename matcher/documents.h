// Turns scan arguments into documents and hands them to the scanner: files, directories
// (recursively), stdin ("-"), compressed files and archives (zip, tar, tar.gz, 7z, gz, xz,
// bz2, zstd through libarchive), streamed without unpacking to disk. Archive members are
// located as "path!member". Nested archives are scanned as bytes, not opened.
//
// Many small documents (the files of a directory, the members of an archive) go through
// a DocumentPipeline: analyzed on all cores, recorded in the order of the walk (files
// sorted by path, members in archive order), whatever the number of threads. A large
// document, stdin, or an archive inside a directory is scanned in its turn, a large one
// on all cores by Scanner::Scan.
#pragma once

#include <functional>
#include <string>

#include "base/status.h"
#include "matcher/pipeline.h"
#include "matcher/scanner.h"

namespace lw {

struct DocumentOptions {
  PipelineOptions pipeline;
  // Documents up to this many bytes are read whole and analyzed by one worker; larger
  // ones are scanned in chunks on all cores. Best at the scanner's chunk size.
  size_t small_limit = 1 << 20;
};

// Scans each document under `path` with `scanner`, recording its exposures. An unreadable
// file is reported through `on_error` and skipped; the walk goes on.
using DocumentErrorFn = std::function<void(const Error& error)>;
Status ScanPath(const std::string& path, Scanner& scanner, const DocumentOptions& options,
                const DocumentErrorFn& on_error);

}  // namespace lw
