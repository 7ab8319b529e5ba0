// The durable state of one leakwatch installation: a RocksDB database in DATA/store.
//
// Holds watch entries (keyed hashes only, never plaintext), watchlists, exposures, crawl
// state, the alert outbox and metadata. store/layout.md documents every key.
//
// One process writes at a time: Open() for writing takes DATA/store.lock with flock and
// fails with Error::Code::kBusy when another process holds it. Read-only opens take no
// lock and work while a writer runs (they see what was written when they opened).
//
// Thread-safety: all methods are safe to call from several threads (RocksDB is); bulk
// enrollment (BulkEnroll) must not run concurrently with itself.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/content_digest.h"
#include "base/status.h"
#include "store/records.h"
#include "store/sightings.h"
#include "store/watch_index.h"

namespace lw {

// Store schemas (the `schema_version` metadata; store/layout.md). Every one is read and
// written in its own format, and a store keeps its schema for life:
// 1: the watch index is keyed by HMAC digests (IndexKeying::kDigest);
// 2: by probe fingerprints (kProbe), which watch entries and variants carry;
// 3: as 2, and documents are identified by a keyed HighwayHash rather than SHA-256
//    (ContentDigestKind);
// 4: as 3, with exposures in a compact binary form rather than JSON, and their counts
//    (ExposureCounts) kept in `meta` as they are recorded and pruned.
inline constexpr int kCurrentSchema = 4;

struct StoreOptions {
  // Open without the writer lock; every mutating call fails.
  bool read_only = false;
  // Create the database when it does not exist (only `leakwatch init` does).
  bool create_if_missing = false;
  // The schema of a database created here: 1 to kCurrentSchema. Older ones are for tests
  // of stores made by older versions. An existing store keeps its own.
  int create_schema = kCurrentSchema;
};

// A watch entry to add in bulk, and the variant keys that lead to it.
struct EnrollRecord {
  Digest digest{};
  IdKind kind = IdKind::kEmail;
  uint32_t label = 0;  // from BulkEnroller::InternLabel; 0 means none
  uint32_t line = 0;   // input line, for messages
  uint64_t probe = 0;  // KeyedHasher::Probe; required when index_keying() is kProbe
  uint32_t hint = 0;   // retro-hunt: a number for the identifier's hint, handed back in RetroMatch; 0: none
};
struct BulkEnrollInput {
  std::string watchlist;
  std::string temp_dir;                     // where SST files are built; same file system as the store is best
  // Also look every entry and variant up in the sightings (merged with the sorted
  // entries, one pass over the sightings in each partition): BulkEnrollResult::retro.
  bool retro_hunt = false;
};
struct BulkEnrollResult {
  uint64_t added = 0;
  uint64_t already_present = 0;  // in the store before, or repeated in the input
  // With retro_hunt: the sightings of every key of every identifier in the input (already
  // present ones included), in no particular order.
  std::vector<RetroMatch> retro;
};

// Accumulates records for one watchlist and writes them as SST files, ingested at once.
// Records are spilled to partition files by the first byte of their key, so memory stays
// bounded whatever the input size. See store/bulk_enroll.cc.
class BulkEnroller {
 public:
  virtual ~BulkEnroller() = default;
  // Returns the index under which `label` is stored for EnrollRecord::label (0: no label).
  virtual uint32_t InternLabel(std::string_view label) = 0;
  virtual Status Add(const EnrollRecord& record) = 0;
  // `primary_hint`: the EnrollRecord::hint of the identifier it leads to (retro-hunt).
  virtual Status AddVariant(const VariantRecord& record, uint32_t primary_hint = 0) = 0;
  virtual Result<BulkEnrollResult> Finish() = 0;
};

struct RecordResult {
  bool is_new = false;  // false: an existing exposure whose last_seen was updated
  std::string id;
};

// The new exposures of one large document, written as sorted table files and ingested
// at once (Store::StartExposureLoad): a breach's million exposures through memtables and
// the write-ahead log cost most of its scan. One thread at a time.
class ExposureLoad {
 public:
  virtual ~ExposureLoad() = default;
  // Adds exposures of one document to `part` (below StartExposureLoad's `parts`): in
  // ascending id order across the part's calls, every id of a part below those of the
  // next, all with one first_seen. Parts may be added to from different threads at once,
  // each by one. Those the store holds already have their last_seen moved at once, as
  // RecordExposures does; the others are new, and reach the store at Commit. Results are
  // in the order given.
  virtual Result<std::vector<RecordResult>> Add(std::span<const Exposure> exposures, size_t part = 0) = 0;
  // Ingests the new exposures with their index keys, alert-outbox entries, watchlists'
  // last_exposure and (schema 4) counters in one step: a crash leaves all of them or
  // none. Without a Commit (an error, a crash) none of them is recorded.
  virtual Status Commit() = 0;
};

struct PruneResult {
  uint64_t exposures = 0;
  uint64_t crawl_entries = 0;
  uint64_t documents = 0;  // with their sightings
  uint64_t sightings = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens the store in `dir` (DATA/store). Errors: kNotFound when missing and not
  // create_if_missing, kBusy when another writer holds it, kCorruption, kIO.
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, const StoreOptions& options);

  // What the watch index is keyed by: kProbe for stores of schemas 2 to 4 (every watch
  // entry and variant carries its probe), kDigest for schema 1.
  virtual IndexKeying index_keying() const = 0;
  // How a scan identifies a document's content (Exposure::content_digest): kSha256 for
  // stores of schema 1 and 2, kKeyedHighway256 for schemas 3 and 4.
  virtual ContentDigestKind content_digest_kind() const = 0;

  // Metadata.
  virtual Result<std::optional<std::string>> GetMeta(const std::string& key) = 0;
  virtual Status PutMeta(const std::string& key, const std::string& value) = 0;

  // Watch entries.
  virtual Result<std::unique_ptr<BulkEnroller>> StartBulkEnroll(BulkEnrollInput input) = 0;
  // Removes `digests` from `watchlist`; returns how many were there.
  virtual Result<uint64_t> Unenroll(const std::string& watchlist, const std::vector<Digest>& digests) = 0;
  // The watchlists (with labels) that hold `digest`; empty when none.
  virtual Result<std::vector<WatchEntry>> Memberships(const Digest& digest) = 0;
  // Memberships of many digests, asked in ascending order: each call goes on from where
  // the previous one left the walk over the watch entries (in the data block at hand,
  // mostly), where Memberships seeks afresh and reads a block each time.
  class MembershipWalk {
   public:
    virtual ~MembershipWalk() = default;
    // The entries of `digest` into *out (emptied first). REQUIRES: digest not below the
    // previous call's.
    virtual Status Next(const Digest& digest, std::vector<WatchEntry>* out) = 0;
  };
  virtual std::unique_ptr<MembershipWalk> WalkMemberships() = 0;
  // The watched identifier a variant key leads to, if any.
  virtual Result<std::optional<VariantRecord>> ResolveVariant(const Digest& variant) = 0;
  // Calls fn for every watch digest (is_variant false) and variant digest (true).
  virtual Status ForEachDigest(const std::function<void(const Digest&, bool is_variant)>& fn) = 0;
  // The fingerprint index of every watch entry and variant (keyed by index_keying()): read
  // from DATA/store.index when it is current, else rebuilt from the column families (and
  // saved, by a writer).
  virtual Result<WatchIndex> LoadWatchIndex() = 0;

  virtual Result<std::vector<WatchlistInfo>> Watchlists() = 0;
  virtual Result<std::optional<WatchlistInfo>> GetWatchlist(const std::string& name) = 0;

  // Exposures. Records sightings: a new exposure (with its alert-outbox entry) or, for an
  // id already known, an update of last_seen only. All of them go in one write batch and
  // one sync, with the counters they move (schema 4). Results are in the order of
  // `exposures`; an id given twice is new at most once.
  virtual Result<std::vector<RecordResult>> RecordExposures(std::span<const Exposure> exposures) = 0;
  Result<RecordResult> RecordExposure(const Exposure& exposure) {
    auto r = RecordExposures({&exposure, 1});
    if (!r) return Fail(r.error());
    return std::move(r->front());
  }
  // For a document with many exposures: see ExposureLoad. `parts`: how many threads may
  // add to it at once, each its own range of ids. Past `keys_in_memory` new exposures in
  // a part, their identifier-index keys (48 bytes each) are spilled to disk (base/
  // partition_spill.h) until Commit. Writers only.
  static constexpr size_t kLoadKeysInMemory = size_t{1} << 20;
  virtual Result<std::unique_ptr<ExposureLoad>> StartExposureLoad(size_t parts = 1,
                                                                  size_t keys_in_memory = kLoadKeysInMemory) = 0;
  virtual Result<std::vector<Exposure>> ExposuresOf(const Digest& identifier) = 0;

  // Sightings (store/sightings.h). Records a scanned document, identified by its content
  // digest, with its sightings (sorted by fingerprint, one per fingerprint) and its first
  // exposures (as RecordExposures), all in one write batch when the document is small.
  // A document seen before (by content) gets its last_seen moved and keeps the sightings
  // it has. A large one has its sightings ingested as a table file before that batch, its
  // number and content digest being written first: a crash in between leaves a document
  // whose sightings a re-scan writes again, under the same keys, so never twice.
  virtual Result<std::vector<RecordResult>> RecordDocument(const DocumentRecord& document,
                                                           std::span<const Sighting> sightings,
                                                           std::span<const Exposure> exposures) = 0;
  // The same for a document whose sightings come in pieces (at most `count` of them):
  // always ingested as a table file.
  virtual Result<std::vector<RecordResult>> RecordDocumentChunks(const DocumentRecord& document, size_t count,
                                                                 const SightingChunks& chunks,
                                                                 std::span<const Exposure> exposures) = 0;
  // Many small documents without exposures (each with at most
  // kMaxDocumentsSightings sightings), as RecordDocument would record them one by one,
  // in one write batch (not synced: a crash loses them, and a re-scan writes them again)
  // with their sightings in key order, which makes the memtable inserts cheaper. A
  // content given twice is one document.
  static constexpr size_t kMaxDocumentsSightings = 1 << 16;
  virtual Status RecordDocuments(std::span<const DocumentWithSightings> documents) = 0;
  virtual Result<std::optional<DocumentRecord>> GetDocument(uint32_t number) = 0;
  virtual Result<SightingsStats> GetSightingsStats() = 0;
  // Compacts the sightings and documents (benches measure their size after it).
  virtual Status CompactSightings() = 0;
  virtual Result<std::optional<Exposure>> GetExposure(const std::string& id) = 0;
  // Calls fn with each exposure first seen at or after `since`, oldest first, until fn
  // returns false. Memory stays constant whatever the number of exposures.
  virtual Status ForEachExposureSince(UnixSeconds since, const std::function<bool(const Exposure&)>& fn) = 0;
  // All of them at once: for small stores and tests.
  Result<std::vector<Exposure>> ExposuresSince(UnixSeconds since) {
    std::vector<Exposure> out;
    auto s = ForEachExposureSince(since, [&](const Exposure& e) {
      out.push_back(e);
      return true;
    });
    if (!s) return Fail(s.error());
    return out;
  }
  // How many exposures there are, by source, first-seen day and severity: the counters
  // kept as exposures are recorded and pruned (schema 4), or counted by reading every
  // exposure (older schemas).
  virtual Result<ExposureCounts> CountExposures() = 0;

  // Alert outbox: exposure ids waiting for delivery (the alerts module owns the values).
  // Calls fn with each entry in id order until it returns false, in constant memory.
  virtual Status ForEachOutboxEntry(const std::function<bool(const std::string& id, const std::string& value)>& fn) = 0;
  // The same with each entry's exposure (null for an id that names none, such as a source
  // health event's), read in the same key order beside it: no lookup per entry.
  virtual Status ForEachOutboxExposure(
      const std::function<bool(const std::string& id, const std::string& value, const Exposure* exposure)>& fn) = 0;
  Result<std::vector<std::pair<std::string, std::string>>> Outbox() {
    std::vector<std::pair<std::string, std::string>> out;
    auto s = ForEachOutboxEntry([&](const std::string& id, const std::string& value) {
      out.emplace_back(id, value);
      return true;
    });
    if (!s) return Fail(s.error());
    return out;
  }
  virtual Status PutOutbox(const std::string& id, const std::string& value) = 0;
  virtual Status DeleteOutbox(const std::string& id) = 0;
  // Many entries at once: a value puts the entry, none deletes it. Written in batches of
  // bounded size, one synced write each (a breach-day delivery touches every entry).
  using OutboxChange = std::pair<std::string, std::optional<std::string>>;
  virtual Status UpdateOutbox(const std::vector<OutboxChange>& changes) = 0;

  // Crawl state, one opaque JSON document per source (the crawler owns its content).
  virtual Result<std::optional<std::string>> GetCrawlState(const std::string& key) = 0;
  virtual Status PutCrawlState(const std::string& key, const std::string& value) = 0;

  // Retention: removes exposures last seen before `cutoff` (with their index keys and
  // outbox entries), documents last seen before it with their sightings, and crawl-state
  // entries whose JSON "seen" time is before it. Never
  // touches watch entries. With dry_run, only counts.
  virtual Result<PruneResult> Prune(UnixSeconds cutoff, bool dry_run) = 0;
  // A consistent, openable copy of the store in `dir` (which must not exist), hard-linked
  // where possible. The secret key is not part of it.
  virtual Status Checkpoint(const std::string& dir) = 0;

  // Flushes memtables and syncs the WAL (used before exit by writers).
  virtual Status Flush() = 0;
  // Compacts every column family to its bottom level (the internal `leakwatch compact`,
  // for measuring what records cost on disk). Writers only.
  virtual Status Compact() = 0;
  // Bytes of table (SST) files: in the column families that hold exposures and their
  // index keys (exposures, exp_by_ident, exp_by_time), in the alert outbox, in all.
  struct TableBytes {
    uint64_t exposures = 0;
    uint64_t outbox = 0;
    uint64_t all = 0;
  };
  virtual Result<TableBytes> TableSizes() = 0;
};

// A stable exposure id: hex of the first 16 bytes of SHA-256(identifier || content).
std::string ExposureId(const Digest& identifier, const std::string& content_digest_hex);
// Those 16 bytes (ExposureId is their hex: both sort alike).
std::array<uint8_t, 16> ExposureIdBytes(const Digest& identifier, const std::string& content_digest_hex);

}  // namespace lw
