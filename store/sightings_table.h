// Internal to store/: the `documents` and `sightings` column families (store/layout.md)
// as RocksStore uses them. Public types are in store/sightings.h.
//
// Thread-safety: RocksStore serializes the writers (its write mutex); reads may run from
// any thread.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/records.h"
#include "store/sightings.h"

namespace lw::store_internal {

// Column family options of both: ZSTD (the document numbers, flags and sequence numbers
// beside the 12 incompressible fingerprint bytes shrink to almost nothing), no Bloom
// filter (1.25 bytes a key, and sightings are read in sorted walks, not point lookups).
rocksdb::ColumnFamilyOptions SightingsCfOptions();

std::string SightingKey(const SightingFingerprint& fp, uint32_t document);
std::string DocumentKey(uint32_t number);          // 'n' BE32
std::string ContentKey(const std::string& digest);  // 'c' hex digest
std::string EncodeDocument(const DocumentRecord& d);
Result<DocumentRecord> DecodeDocument(uint32_t number, std::string_view value);

class SightingsTable {
 public:
  // `documents`/`sightings` null: a reader of a store no writer has opened since sightings
  // exist; it has none.
  SightingsTable(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta, rocksdb::ColumnFamilyHandle* documents,
                 rocksdb::ColumnFamilyHandle* sightings)
      : db_(db), meta_(meta), documents_(documents), sightings_(sightings) {}

  bool available() const { return documents_ != nullptr && sightings_ != nullptr; }

  // Where a document stands before its exposures are written.
  struct Prepared {
    DocumentRecord record;  // number assigned; last_seen moved on
    bool write_sightings = false;  // new, or left incomplete by a crash
  };
  // Finds the document by content digest or assigns it a number. A large new document's
  // number and content key are written at once (so that a crash keeps them); otherwise
  // they are added to `batch`.
  Result<Prepared> Prepare(const DocumentRecord& doc, size_t sightings, rocksdb::WriteBatch* batch,
                           const std::function<Status(rocksdb::WriteBatch*)>& write);
  // Adds the sightings and the completed document record to `batch`, or for a large
  // document ingests the sightings as a table file first (temp files in `temp_dir`).
  Status AddSightings(const Prepared& p, std::span<const Sighting> sightings, const std::string& temp_dir,
                      rocksdb::WriteBatch* batch);
  // The same for sightings given in pieces (Store::SightingChunks), always as one table
  // file written on this thread.
  Status AddSightingChunks(const Prepared& p, const SightingChunks& chunks, const std::string& temp_dir,
                           rocksdb::WriteBatch* batch);

  // Store::RecordDocuments: the documents, their sightings (in key order) and their
  // completed records into `batch`.
  Status AddDocuments(std::span<const DocumentWithSightings> documents, rocksdb::WriteBatch* batch);

  Result<std::optional<DocumentRecord>> Get(uint32_t number);
  Result<SightingsStats> Stats();
  Status Compact();
  // Deletes documents last seen before `cutoff` and their sightings into batches written
  // by `write` (with dry_run, counts only).
  Status Prune(UnixSeconds cutoff, bool dry_run, const std::function<Status(rocksdb::WriteBatch*)>& write,
               uint64_t* documents, uint64_t* sightings);

  // A walk over the sightings in key order, for a merge with sorted keys: Seek to the
  // first sighting at or after a fingerprint, or step on when the next keys are close.
  class Cursor {
   public:
    explicit Cursor(SightingsTable& t);
    // Calls fn(document, flags) for every sighting of `fp`. REQUIRES: fp not below the
    // previous call's.
    Status Find(const SightingFingerprint& fp, const std::function<void(uint32_t, uint8_t)>& fn);

   private:
    std::unique_ptr<rocksdb::Iterator> it_;
    bool positioned_ = false;
  };

  static constexpr size_t kBatchSightings = 1 << 16;  // above this a document's sightings are ingested

 private:
  // A document the store knows (its content key's value): its record with last_seen
  // moved on to doc's, and whether its sightings are still to be written.
  Result<Prepared> Known(std::string_view content_value, const DocumentRecord& doc);
  Result<uint32_t> NextNumber();  // the number the next new document gets
  // A document's content key, marked complete, and its record.
  void PutComplete(const DocumentRecord& record, rocksdb::WriteBatch* batch);
  // Writes the sightings `chunks` gives (document `number`'s, in key order) to a new
  // table file in `temp_dir`; *path is left empty when there were none.
  Status WriteTable(uint32_t number, const SightingChunks& chunks, const std::string& temp_dir, std::string* path);
  // Ingests the table files of `paths` when every write succeeded, and removes them
  // either way; the first error.
  Status IngestTables(const std::vector<std::string>& paths, const std::vector<Status>& written);

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* meta_;
  rocksdb::ColumnFamilyHandle* documents_;
  rocksdb::ColumnFamilyHandle* sightings_;
  std::optional<uint32_t> next_number_;  // meta's next_document, once read
};

}  // namespace lw::store_internal
