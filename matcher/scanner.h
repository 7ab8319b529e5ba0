// Scans documents for watched identifiers and records what it finds.
//
// A document (a file, an archive member, stdin, later a fetched page) arrives as a
// ByteStream. It is cut into chunks that overlap so nothing is lost at a chunk edge
// (each chunk reports only candidates that start in its own range, and sees enough
// context on both sides to take whole tokens); chunks are extracted, hashed and looked up
// on all cores by long-lived workers that reuse their buffers. A regular file of a MiB or
// more is read by the workers themselves, each its chunk into a buffer in its own core's
// cache (handing chunks from a reader thread to the workers cost ~5 % of a scan's CPU).
// Index hits are confirmed in the store by the worker that found them and merged, one
// entry per watched identifier, as chunks complete; once a document has many (a dump of
// the team's own users), the rest wait for its end and are confirmed in digest order, in
// one walk over the watch entries. At the end of the document each watched identifier
// becomes one exposure per document content (its digest, of the kind the store's schema
// says: a keyed HighwayHash, or SHA-256 in older stores; base/content_digest.h), written
// in bounded batches, or for a document of many at once as table files (Store::
// StartExposureLoad): seeing the same content again only updates last_seen. With
// ScannerOptions::sightings, every candidate, watched or not, is also kept as a keyed
// sighting of the document (matcher/sightings.h), written with its first batch.
#pragma once

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/keyed_hash.h"
#include "base/partition_spill.h"
#include "base/status.h"
#include "matcher/extractor.h"
#include "matcher/sightings.h"
#include "store/store.h"

namespace lw {

// A source of bytes; Read returns 0 at the end.
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  virtual Result<size_t> Read(char* buf, size_t n) = 0;

  // A document that can be read at any offset (a regular file) tells its length from
  // here; the scanner's workers then read their chunks themselves, at once, with ReadAt,
  // into buffers in their own core's cache, and Read is not called.
  virtual std::optional<uint64_t> PositionalSize() const { return std::nullopt; }
  // Reads up to n bytes at `offset` from here; safe from several threads at once. 0 only
  // past the end. Errors need not name the document: the scanner adds its location.
  virtual Result<size_t> ReadAt(uint64_t /*offset*/, char* /*buf*/, size_t /*n*/) const {
    return Fail(Error::Internal("ReadAt on a stream without positional reads"));
  }
};

struct ScannerOptions {
  std::string source = "scan";  // recorded as the exposure's source
  unsigned threads = 0;         // 0: hardware concurrency
  size_t chunk_size = 1 << 20;  // bytes per unit of parallel work; small enough to stay in cache
  size_t overlap = 16 << 10;    // context on each side of a chunk; longer than any token
  // Remember every candidate, watched or not, as a keyed sighting of the document
  // (matcher/sightings.h, [store] sightings): each is then HMAC-hashed, not only index hits.
  bool sightings = true;
  // Where a document with more than `deferred_in_memory` distinct watched candidates
  // spills them (base/partition_spill.h): keyed digests and redacted hints only. Empty:
  // they stay in memory (~100 bytes each).
  std::string spill_dir;
  size_t deferred_in_memory = size_t{1} << 20;
  // The same for its sightings (13 bytes each, twice at its end when kept): past this
  // many, they are spilled too, and sorted a 64th at a time.
  size_t sightings_in_memory = size_t{4} << 20;
};

struct ScanTotals {
  uint64_t bytes = 0;
  uint64_t documents = 0;
  uint64_t candidates = 0;
  uint64_t new_exposures = 0;
  uint64_t seen_again = 0;
  uint64_t sightings = 0;  // distinct per document, with ScannerOptions::sightings
  std::map<std::string, uint64_t> new_by_watchlist;
};

class Scanner {
 public:
  // All borrowed; they must outlive the Scanner.
  Scanner(Store& store, const KeyedHasher& hasher, const WatchIndex& index, const Extractor& extractor,
          const Clock& clock, ScannerOptions options);
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Scans one document to its end and records its exposures (with any still pending
  // from RecordFindings, which are written first).
  Status Scan(const std::string& location, ByteStream& stream);
  // A document already in memory (a crawled item), recorded when this returns as with
  // Scan; one of a chunk or less is analyzed in one window on the calling thread.
  Status ScanBytes(const std::string& location, std::string_view content);

  // The watch entries of an identifier as its exposure records them, shared by every
  // identifier that has the same ones: a dump of one watchlist's users has a handful of
  // distinct sets for its hundreds of thousands of identifiers.
  struct Membership {
    IdKind kind = IdKind::kEmail;
    std::vector<std::string> watchlists;
    std::vector<std::string> labels;  // the non-empty ones
  };
  using MembershipRef = std::shared_ptr<const Membership>;
  // What a document's hits say of one watched identifier: its strongest match, whether
  // any of its records held a password, and its watch entries.
  struct Found {
    MembershipRef members;                // never null once found
    MatchKind match = MatchKind::kExact;  // the strongest
    bool credential = false;
    std::string hint;  // made from the candidate of that match
    uint64_t order = 0;  // the document position (hit number) of that candidate
  };
  // What the store needs of one document: its content digest and its watched identifiers.
  struct Findings {
    std::string content_digest;  // hex, of the store's ContentDigestKind
    uint64_t bytes = 0;
    std::map<Digest, Found> found;  // by the watched identifier each leads to
    std::vector<Sighting> sightings;  // with ScannerOptions::sightings: every candidate's, sorted and merged
  };
  // The findings of a whole document in memory, in one window (documents of a chunk or
  // less: DocumentPipeline gives it those). Thread-safe: several threads analyze at once
  // while another records; it reads the store, never writes it.
  Result<Findings> Analyze(std::string_view content) const;
  // Records a document's findings as Scan would, but batched with the documents recorded
  // before it: they reach the store when kRecordBatch exposures are pending, after a
  // second, at Flush, and before a Scan. A crash loses only what is pending, which a
  // re-scan records (ids depend on identifier and content; store/layout.md). A document
  // that found nothing costs no write at all, or with sightings shares one unsynced write
  // with up to kDocumentsPerWrite others. One thread at a time.
  Status RecordFindings(const std::string& location, Findings findings);
  // Writes what RecordFindings left pending (one write batch, one sync).
  Status Flush();

  const ScanTotals& totals() const { return totals_; }
  // Called after each chunk with the running totals (for progress lines).
  void set_progress(std::function<void(const ScanTotals&)> fn) { progress_ = std::move(fn); }

 private:
  // A candidate whose keyed hash is in the index, resolved in the store by the worker
  // that found it (Resolve): the identifier it leads to and that identifier's entries
  // (none for a fingerprint collision or an identifier unenrolled since: not kept).
  struct Hit {
    Digest digest;
    Candidate candidate;
    Digest primary{};
    MatchKind match = MatchKind::kExact;
    MembershipRef members;  // null: not a watched identifier (or not resolved yet: Job::defer)
  };
  struct DigestHash {
    size_t operator()(const Digest& d) const {
      size_t h;
      std::memcpy(&h, d.data(), sizeof h);  // keyed digests: any 8 bytes are uniform
      return h;
    }
  };
  // The watched identifiers of a document past kDeferAfter hits, flat: ~80 bytes each
  // and their text (~20), where node maps took ~240 each (a breach's million identifiers).
  // During the scan an entry gathers the hits of one candidate digest (Job::defer), merged
  // in document order: what Merge would make of them once the store says where the digest
  // leads. Every hit of a digest has the same hint (the digest is of its value).
  // ResolveDeferred then turns each into the identifier it leads to, its match and order
  // as Merge would have chosen; several entries may then lead to one identifier (its
  // spellings, its hashed forms, the document's earlier findings: AddFound), which the
  // exposure's id brings together (Load, MergeResolved).
  struct Deferred {
    Digest digest;            // the candidate's; once resolved, its identifier's
    uint64_t first_best = 0;  // position of its first hit matched `best`; resolved: of its match
    union {
      struct {
        uint64_t first;        // position of its first hit
        uint64_t first_alias;  // of its first hit matched exact or alias
      } hits = {0, UINT64_MAX};
      std::array<uint8_t, 16> id;  // in Load: its exposure's (ExposureIdBytes)
    };
    uint64_t text_at = 0;  // its hint, then its account key, in DeferredHits::text
    uint32_t members = 0;  // resolved: 1 + its index in DeferredHits::memberships; 0: not watched
    uint16_t hint_size = 0;
    uint8_t key_size = 0;  // an email's account key, when that is another spelling
    MatchKind best = MatchKind::kHashed;  // the strongest of its hits; resolved: its match
    bool credential = false;
    std::string_view hint(const std::string& text) const { return {text.data() + text_at, hint_size}; }
    std::string_view key(const std::string& text) const { return {text.data() + text_at + hint_size, key_size}; }
  };
  struct DeferredHits {
    std::vector<Deferred> entries;  // in order of first hit
    std::vector<uint32_t> slots;    // open addressing by digest: 1 + an entry's index; 0 empty
    std::string text;
    std::vector<MembershipRef> memberships;  // of resolved entries
    std::unordered_map<const Membership*, uint32_t> membership_index;  // into memberships
    // Past ScannerOptions::deferred_in_memory entries, all of them go here (SpillDeferred),
    // by candidate digest; resolved, by exposure id (ResolveSpilled).
    std::unique_ptr<PartitionSpill> spilled, resolved;
    // The index of `members` in memberships, added if new. Not thread-safe.
    uint32_t MembersIndex(const MembershipRef& members);
  };
  // A chunk of a Scan that takes its document's index hits past this many leaves the
  // store lookups of its hits to the document's end, where they go in digest order: a
  // walk over the watch entries instead of a block read each (a breach's million
  // identifiers). Below it, the workers look their hits up as they go.
  static constexpr size_t kDeferAfter = 8192;
  class Workers;     // scanner.cc
  struct DigestTurn;  // scanner.cc
  // A unit of parallel work: a window of the document and the range it reports. The
  // window is `buffer`, filled by the reader, or for a positional stream the bytes
  // [read_at, read_at + read_size) that the worker reads itself (and adds to the content
  // digest when its turn comes: jobs digest in document order).
  struct Job {
    std::string buffer;
    size_t report_begin = 0, report_end = 0;
    std::vector<Hit> hits;
    // The document's index hits so far, counted by its jobs; past kDeferAfter a job's are
    // left unresolved (`defer`), for Scan to resolve at the document's end.
    std::atomic<uint64_t>* document_hits = nullptr;
    bool defer = false;
    std::vector<Sighting> sightings;  // with ScannerOptions::sightings, grouped:
    SightingGroupEnds sighting_ends{};  // where each group ends (GroupSightings)
    const ByteStream* source = nullptr;
    uint64_t read_at = 0;
    size_t read_size = 0;
    uint64_t turn = 0;
    DigestTurn* digest = nullptr;
    std::string_view head;  // the document's first bytes when the window does not start it
    std::optional<Error> error;
  };
  static constexpr size_t kHeadBytes = 64 << 10;

  static constexpr size_t kRecordBatch = 8192;  // exposures per write batch
  // A document with more watched identifiers than this has its new exposures ingested as
  // table files (Store::StartExposureLoad) rather than written in batches.
  static constexpr size_t kLoadExposures = 4 * kRecordBatch;

  void ScanChunk(Job& job) const;
  // Extracts the candidates of `window` that start in [report_begin, report_end), keeps
  // the watched ones and resolves them in the store, into *hits.
  // With `document_hits`, the hits are counted there, and kept unresolved (members null,
  // *deferred set) when that takes it past kDeferAfter.
  Status FindHits(std::string_view window, size_t report_begin, size_t report_end, std::string_view head,
                  std::vector<Hit>* hits, std::vector<Sighting>* sightings,
                  std::atomic<uint64_t>* document_hits = nullptr, bool* deferred = nullptr) const;
  Status Resolve(Hit& hit) const;
  struct Resolved;
  // The watch entries of `digest` into r: its own, else those of the identifier it is a
  // variant of (only an alias variant when `aliases_only`), with r->primary and r->via.
  Status EntriesOf(const Digest& digest, bool aliases_only, Resolved* r) const;
  // Merges resolved hits, numbering them from *position on (document order).
  static void Merge(const std::vector<Hit>& hits, std::map<Digest, Found>* found, uint64_t* position);
  // The same for unresolved ones, by candidate digest.
  static void MergeDeferred(const std::vector<Hit>& hits, DeferredHits* deferred, uint64_t* position);
  // Resolves the deferred digests, in digest order (a walk over the watch entries).
  Status ResolveDeferred(DeferredHits* deferred);
  // Resolves deferred->entries[order[i]] for i in [from, to) (ascending digests).
  Status ResolveSorted(DeferredHits* deferred, const std::vector<uint32_t>& order, size_t from, size_t to);
  // Resolves d (its account key's digest in *key, if any) as ResolveSorted does.
  Status ResolveOne(Store::MembershipWalk& walk, std::vector<WatchEntry>* entries, const Digest* key, Deferred& d,
                    DeferredHits* deferred);
  // Moves the entries to deferred->spilled (made on first use).
  Status SpillDeferred(DeferredHits* deferred);
  // For a document that spilled: the spilled entries, a partition at a time, merged,
  // resolved and spilled again by exposure id, with *found (emptied).
  Status ResolveSpilled(DeferredHits* deferred, std::map<Digest, Found>* found, const std::string& content_digest);
  // Load for a document that spilled: a partition of ids at a time, on one thread.
  Status LoadSpilled(const std::string& location, const std::string& content_digest, DeferredHits* watched,
                     UnixSeconds now);
  // A finding of the document's as a resolved entry (without its hint).
  static Deferred ResolvedEntry(const Digest& primary, const Found& f, DeferredHits* deferred);
  // Adds the findings of *found as resolved entries, emptying it.
  static void AddFound(std::map<Digest, Found>* found, DeferredHits* deferred);
  // Merges the resolved entries into *found as Merge would have in document order.
  static void MergeResolved(DeferredHits* deferred, std::map<Digest, Found>* found);
  // Extracts every candidate of window[report_begin, report_end) and keeps them all as
  // sightings (in the order found: ScanChunk groups them, Analyze sorts them); index
  // hits are decided after, as the IndexFilter
  // would have during extraction.
  void ExtractWithSightings(std::string_view window, size_t report_begin, size_t report_end, std::string_view head,
                            std::vector<Candidate>* candidates, std::vector<Digest>* digests,
                            std::vector<Sighting>* sightings) const;
  // Appends the exposures of one document to pending_, writing batches as they fill. With
  // `sightings` (sorted and merged, emptied here), the document and its sightings go in
  // one write with its first exposures (Store::RecordDocument), after the pending ones; a
  // small document without exposures waits in unwritten_documents_ for the next write
  // (Store::RecordDocuments).
  // With `deferred` (resolved entries of a document past kDeferAfter hits), those are
  // recorded with *found. *found and *deferred may be emptied. With `spilled`, the
  // document's sightings are there (DocumentSightings::ForEachSorted), not in *sightings.
  Status Record(const std::string& location, const std::string& content_digest, std::map<Digest, Found>* found,
                std::vector<Sighting>* sightings = nullptr, DeferredHits* deferred = nullptr,
                DocumentSightings* spilled = nullptr);
  // Record for a document with more than kLoadExposures identifiers (resolved entries,
  // emptied here): its exposures in id order, in batches, to one ExposureLoad.
  // REQUIRES: nothing pending.
  Status Load(const std::string& location, const std::string& content_digest, DeferredHits* watched,
              UnixSeconds now);
  // Everything of an exposure of an identifier in this document but its id, into *out
  // (whose strings keep their capacity).
  void FillExposure(const Digest& primary, const Membership& members, MatchKind match, bool credential,
                    std::string_view hint, const std::string& location, const std::string& content_digest,
                    UnixSeconds now, Exposure* out) const;
  // Counts what the store said of `written` in totals_.
  void Tally(std::span<const Exposure> written, const std::vector<RecordResult>& results);
  // Writes unwritten_documents_ (one write), then pending_ (one write batch, one sync),
  // with `document` and its sightings when given.
  Status WritePending(const DocumentRecord* document = nullptr, std::vector<Sighting>* sightings = nullptr,
                      DocumentSightings* spilled = nullptr);
  static constexpr size_t kDocumentsPerWrite = 4096;  // unwritten_documents_ at most

  Store& store_;
  const KeyedHasher& hasher_;
  const WatchIndex& index_;
  const Extractor& extractor_;
  const Clock& clock_;
  ScannerOptions options_;
  ScanTotals totals_;
  std::function<void(const ScanTotals&)> progress_;
  // What the store said of each candidate digest, so that an identifier a dump repeats,
  // or many documents hold, costs its store lookups once; shared by the workers and kept
  // for the whole scan (watch entries do not change while a scan holds the store: it is
  // the one writer), bounded by kResolvedCacheMax. Only index hits reach it.
  struct Resolved {
    Digest primary{};
    std::optional<VariantType> via;  // reached through a variant (alias or hashed form)
    MembershipRef members;
  };
  // At most this many resolved digests are remembered (then forgotten all at once): a
  // cache, whose entries for a dump of a million identifiers would outweigh the savings.
  static constexpr size_t kResolvedCacheMax = 1 << 16;
  // The Membership of `entries` (null when there are none), shared with every earlier
  // identifier that has the same (forgotten with resolved_). REQUIRES: resolved_mu_ held.
  MembershipRef Intern(const std::vector<WatchEntry>& entries) const;
  mutable std::mutex resolved_mu_;
  mutable std::unordered_map<Digest, Resolved, DigestHash> resolved_;  // GUARDED_BY(resolved_mu_)
  mutable std::map<std::string, MembershipRef> memberships_;            // GUARDED_BY(resolved_mu_)

  std::vector<Exposure> pending_;  // recorded, not yet written (RecordFindings)
  // With sightings: small documents without exposures, recorded, not yet written, in
  // order (Store::RecordDocuments); written before anything else is.
  std::vector<DocumentWithSightings> unwritten_documents_;
  size_t unwritten_sightings_ = 0;
  std::chrono::steady_clock::time_point pending_since_;

  std::vector<Job> jobs_;             // a ring, reused across chunks and documents
  std::unique_ptr<Workers> workers_;  // started by the first document longer than a chunk
};

}  // namespace lw
