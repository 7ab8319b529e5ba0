// Scans many small documents on all cores (a directory of stealer logs, the members of
// an archive) and records them in the order they were added, whatever the number of
// threads: results are reordered by sequence number before they reach the store.
//
// The caller's thread adds documents; workers analyze them (read a file, digest it,
// extract, look up hits: Scanner::Analyze); the caller's thread then records each in
// turn (Scanner::RecordFindings, which batches the store writes of many documents).
// At most `queue_depth` documents (or groups of them) are in flight, so memory stays
// bounded. A document
// that is not small (a large file, an archive inside a directory) comes back to the
// caller's thread in its turn, through the fallback it was added with, after every
// document added before it is recorded.
//
// Thread-safety: one thread calls Add, AddLoaded, AddGroup, InTurn and Finish.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "matcher/scanner.h"

namespace lw {

struct PipelineOptions {
  // Workers; 0: hardware concurrency. Results are the same for any number.
  unsigned threads = 0;
  // Documents added but not yet recorded; 0: 64 per thread. More smooths uneven
  // documents, at the price of memory (each holds up to small_limit bytes).
  size_t queue_depth = 0;
};

class DocumentPipeline {
 public:
  // Reports an I/O error of one document (the walk goes on); other errors stop the scan.
  using ErrorFn = std::function<void(const Error& error)>;
  // Runs on a worker: the document's bytes, or nullopt when it is no small document and
  // must go the fallback's way instead.
  using LoadFn = std::function<Result<std::optional<std::string>>()>;
  // Runs on the adding thread, in the document's turn.
  using FallbackFn = std::function<Status()>;

  // `scanner` is borrowed and must outlive the pipeline.
  DocumentPipeline(Scanner& scanner, ErrorFn on_error, PipelineOptions options = {});
  ~DocumentPipeline();  // stops the workers; call Finish first to record what is pending
  DocumentPipeline(const DocumentPipeline&) = delete;
  DocumentPipeline& operator=(const DocumentPipeline&) = delete;

  // A document in memory.
  Status Add(std::string location, std::string content);
  // A document a worker loads (a file it reads); `fallback` runs instead, in its turn,
  // when the loader says it is not small.
  Status AddLoaded(std::string location, LoadFn load, FallbackFn fallback);
  // A group of documents that one worker finds and loads, in order (the files under a
  // subdirectory, walked by the worker): `produce` runs on a worker and calls `emit` for
  // each document with its bytes, or nullopt (then its fallback runs, in its turn, on the
  // adding thread), or an error. The group's findings are held until it is recorded.
  using EmitFn =
      std::function<void(std::string location, Result<std::optional<std::string>> loaded, FallbackFn fallback)>;
  using GroupFn = std::function<Status(const EmitFn& emit)>;
  Status AddGroup(GroupFn produce);
  // Runs `fn` on the adding thread once every document added before is recorded (a
  // large document, scanned on all cores by Scanner::Scan).
  Status InTurn(FallbackFn fn);
  // Records every document added so far and writes the pending batch.
  Status Finish();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lw
