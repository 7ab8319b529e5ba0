// The RocksDB implementation of Store. Layout: store/layout.md.
#include <fcntl.h>
#include <openssl/sha.h>
#include <rocksdb/db.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "base/partition_spill.h"
#include "base/units.h"
#include "store/codec.h"
#include "store/sightings_table.h"
#include "store/store.h"

namespace lw {
namespace {

namespace fs = std::filesystem;
using namespace store_internal;

// The schemas are described beside kCurrentSchema (store/store.h); the metadata holds the
// number in decimal. Stores of every schema are still read and written in their own format.
constexpr int kOldestSchema = 1;

enum Cf { kDefault, kMeta, kWatch, kVariant, kWatchlists, kExposures, kExpByIdent, kExpByTime, kOutbox, kCrawl,
          kDocuments, kSightings, kNumCf };
constexpr const char* kCfNames[kNumCf] = {"default",      "meta",        "watch",  "variant", "watchlists",
                                          "exposures",    "exp_by_ident", "exp_by_time", "outbox", "crawl",
                                          "documents",    "sightings"};
// Sightings are additive: their column families are created by the first writer that
// opens a store of any schema; a reader of a store without them sees no sightings.
bool IsSightingsCf(int cf) { return cf == kDocuments || cf == kSightings; }

Error FromRocks(const rocksdb::Status& s, const std::string& what) {
  std::string msg = what + ": " + s.ToString();
  if (s.IsCorruption()) return Error::Corruption(msg);
  if (s.IsNotFound()) return Error::NotFound(msg);
  return Error::IO(msg);
}

// The watch index key of an entry or variant: of its probe in stores keyed by probes
// (schemas 2 and 3), of its digest in schema 1.
uint64_t IndexKeyOf(bool probes, uint64_t probe, const Digest& digest, bool hashed) {
  return WatchIndex::Key(probes ? probe : WatchIndex::Fingerprint(digest), hashed);
}

rocksdb::ColumnFamilyOptions CfOptions(int cf) {
  if (IsSightingsCf(cf)) return SightingsCfOptions();
  rocksdb::ColumnFamilyOptions o;
  if (cf == kWatch || cf == kVariant) {
    // Keys are keyed hashes: incompressible, looked up by point Get mostly absent.
    o.compression = rocksdb::kNoCompression;
    rocksdb::BlockBasedTableOptions t;
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    // Filter and index blocks are read when a lookup needs them, into a bounded cache,
    // not all at open: 10M watched identifiers have ~100 MB of them, and a scan looks up
    // only its few index hits (opening took 50-90 ms, now 15-25).
    static const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(256 << 20);
    t.cache_index_and_filter_blocks = true;
    t.block_cache = cache;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  } else if (cf == kExposures || cf == kExpByIdent || cf == kExpByTime || cf == kOutbox) {
    // Exposure records and their index keys, by the million after a breach: ZSTD, in
    // which a document's repeated source, location and content digest cost little, in
    // blocks of the default 4 KiB (a listing in first-seen order reads exposures in no
    // key order, one block each, and 16 KiB blocks made each read four times as costly).
    // Readers of older tables decompress whatever those were written with. ZSTD only at
    // the bottom level, where dynamic level sizes put nearly all of the data: compressing
    // every memtable flush with it took a sixth of a breach's recording time; LZ4 above.
    o.compression = rocksdb::kLZ4Compression;
    o.bottommost_compression = rocksdb::kZSTD;
    o.level_compaction_dynamic_level_bytes = true;
  }
  return o;
}

// RocksDB's info log, kept off the disk: Debian's RocksDB 7.8 aborts on an assertion when
// its file logger fails to write (a full disk), and nothing in it is needed to operate.
// Errors still reach stderr.
class StderrErrorLogger final : public rocksdb::Logger {
 public:
  StderrErrorLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::ERROR_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < rocksdb::InfoLogLevel::ERROR_LEVEL) return;
    std::fputs("leakwatch: rocksdb: ", stderr);
    std::vfprintf(stderr, format, ap);
    std::fputc('\n', stderr);
  }
};

// Holds DATA/store.lock for the life of a writer.
class FileLock {
 public:
  static Result<std::unique_ptr<FileLock>> Acquire(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Fail(Error::IO(path + ": " + std::strerror(errno)));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int e = errno;
      ::close(fd);
      if (e == EWOULDBLOCK)
        return Fail(Error::Busy("the store is busy: another leakwatch process is writing to it (" + path + ")"));
      return Fail(Error::IO(path + ": " + std::strerror(e)));
    }
    return std::unique_ptr<FileLock>(new FileLock(fd));
  }
  ~FileLock() { ::close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

class RocksStore;
class SortedSink;
class RocksExposureLoad;

// Spills records to a PartitionSpill of entries and one of variants, then sorts each
// partition in turn, two ranges of partitions on two threads; since partitions are
// key-ordered, the outputs are sorted globally and go to a few large SST files in a
// leakwatch-enroll-* directory (or one WriteBatch when the input is small).
class RocksBulkEnroller final : public BulkEnroller {
 public:
  RocksBulkEnroller(RocksStore* store, BulkEnrollInput input);
  ~RocksBulkEnroller() override;
  uint32_t InternLabel(std::string_view label) override;
  Status Add(const EnrollRecord& record) override;
  Status AddVariant(const VariantRecord& record, uint32_t primary_hint) override;
  Result<BulkEnrollResult> Finish() override;

 private:
  // Writes the index keys of what it adds to keys[0, ...) and their number to *num_keys;
  // keys has room for every record spilled to the partitions.
  Result<BulkEnrollResult> MergeRange(int first, int last, SortedSink& watch_sink, SortedSink& variant_sink,
                                      uint64_t* keys, size_t* num_keys);
  static constexpr int kPartitions = PartitionSpill::kPartitions;
  static constexpr uint64_t kSmallInput = 100000;  // below this, one WriteBatch
  // Appends a record to *spill (made at the first) in the partition of its key's first byte.
  template <class T>
  Status Spill(std::unique_ptr<PartitionSpill>* spill, const T& rec, uint8_t first_byte);
  // Partition p of *spill into *out (empty when nothing was spilled).
  template <class T>
  static Status Take(const std::unique_ptr<PartitionSpill>& spill, int p, std::vector<T>* out);
  // The records of both kinds spilled to partition p.
  uint64_t RecordsIn(int p) const;

  RocksStore* store_;
  BulkEnrollInput input_;
  std::string dir_;  // the table files'
  std::unique_ptr<PartitionSpill> entry_spill_, variant_spill_;
  std::vector<std::string> labels_{""};
  std::unordered_map<std::string, uint32_t> label_index_;
  uint64_t count_ = 0;
};

static_assert(Store::kMaxDocumentsSightings == SightingsTable::kBatchSightings);

class RocksStore final : public Store {
 public:
  RocksStore(std::unique_ptr<FileLock> lock, rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
             std::string secondary_dir, bool read_only, std::string index_path)
      : lock_(std::move(lock)), db_(db), cf_(std::move(handles)), secondary_dir_(std::move(secondary_dir)),
        read_only_(read_only), index_path_(std::move(index_path)),
        sightings_(db_, cf_[kMeta], cf_[kDocuments], cf_[kSightings]) {}

  IndexKeying index_keying() const override { return keying_; }
  ContentDigestKind content_digest_kind() const override { return content_kind_; }
  void set_schema(int schema) {
    keying_ = schema == 1 ? IndexKeying::kDigest : IndexKeying::kProbe;
    content_kind_ = schema <= 2 ? ContentDigestKind::kSha256 : ContentDigestKind::kKeyedHighway256;
    compact_exposures_ = schema >= 4;
  }

  ~RocksStore() override {
    WatchChanged();  // the iterators go before the database
    FlushLargeMemtables();
    for (auto* h : cf_)
      if (h) db_->DestroyColumnFamilyHandle(h);
    delete db_;
    if (!secondary_dir_.empty()) {
      std::error_code ec;
      fs::remove_all(secondary_dir_, ec);
    }
  }

  Result<std::optional<std::string>> GetMeta(const std::string& key) override { return Get(kMeta, key); }
  Status PutMeta(const std::string& key, const std::string& value) override { return Put(kMeta, key, value); }

  // Debian's RocksDB 7.8 keeps the write-ahead log of every session that wrote nothing
  // until some memtable is flushed (RocksDB 8.3 fixed it, PR 11409), and leakwatch never
  // flushes at close: a cron job that finds nothing would leave one more file each run.
  // Past a few, a flush of one small write makes them obsolete and RocksDB deletes them.
  // Housekeeping only: when it fails (a full disk), the files stay for a later run, and
  // the command goes on to fail or not on its own writes.
  void TrimEmptyWals(const std::string& dir) {
    size_t wals = 0;
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(dir, ec))
      if (f.path().extension() == ".log") ++wals;
    if (wals <= kMaxKeptWals || !PutMeta("wal_trim", std::to_string(wals))) return;
    rocksdb::FlushOptions fo;
    fo.wait = true;
    db_->Flush(fo, cf_[kMeta]).PermitUncheckedError();
  }
  static constexpr size_t kMaxKeptWals = 8;

  Result<std::unique_ptr<BulkEnroller>> StartBulkEnroll(BulkEnrollInput input) override {
    if (read_only_) return Fail(Error::Internal("store opened read-only"));
    return std::unique_ptr<BulkEnroller>(new RocksBulkEnroller(this, std::move(input)));
  }

  Result<uint64_t> Unenroll(const std::string& watchlist, const std::vector<Digest>& digests) override {
    rocksdb::WriteBatch batch;
    uint64_t removed = 0;
    std::vector<Digest> sorted = digests;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (const Digest& d : sorted) {
      std::string key = WatchKey(d, watchlist);
      auto v = Get(kWatch, key);
      if (!v) return Fail(v.error());
      if (!*v) continue;
      batch.Delete(cf_[kWatch], key);
      ++removed;
    }
    auto info = GetWatchlist(watchlist);
    if (!info) return Fail(info.error());
    if (!*info) return Fail(Error::NotFound("no watchlist named '" + watchlist + "'"));
    (*info)->size = (*info)->size >= removed ? (*info)->size - removed : 0;
    batch.Put(cf_[kWatchlists], watchlist, EncodeWatchlist(**info));
    auto written = Write(&batch);
    WatchChanged();
    if (!written) return Fail(written.error());
    return removed;
  }

  Result<std::vector<WatchEntry>> Memberships(const Digest& digest) override {
    std::vector<WatchEntry> out;
    // A scan asks once per watched identifier it finds, a million times on breach day:
    // iterators are reused (making and freeing one cost more than the seek).
    std::unique_ptr<rocksdb::Iterator> it = TakeWatchIterator();
    rocksdb::Slice prefix(reinterpret_cast<const char*>(digest.data()), digest.size());
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      auto e = DecodeWatch(it->key().ToStringView(), it->value().ToStringView());
      if (!e) return Fail(e.error());
      out.push_back(std::move(*e));
    }
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading watch entries"));
    ReturnWatchIterator(std::move(it));
    return out;
  }

  class RocksMembershipWalk final : public MembershipWalk {
   public:
    explicit RocksMembershipWalk(RocksStore* store) : store_(store), it_(store->TakeWatchIterator()) {}
    ~RocksMembershipWalk() override {
      if (it_->status().ok()) store_->ReturnWatchIterator(std::move(it_));
    }
    Status Next(const Digest& digest, std::vector<WatchEntry>* out) override {
      out->clear();
      rocksdb::Slice prefix(reinterpret_cast<const char*>(digest.data()), digest.size());
      // A seek forward within the current data block reuses it (RocksDB's table iterator
      // checks); sorted digests make that the common case.
      for (it_->Seek(prefix); it_->Valid() && it_->key().starts_with(prefix); it_->Next()) {
        auto e = DecodeWatch(it_->key().ToStringView(), it_->value().ToStringView());
        if (!e) return Fail(e.error());
        out->push_back(std::move(*e));
      }
      if (!it_->status().ok()) return Fail(FromRocks(it_->status(), "reading watch entries"));
      return Ok();
    }

   private:
    RocksStore* store_;
    std::unique_ptr<rocksdb::Iterator> it_;
  };
  std::unique_ptr<MembershipWalk> WalkMemberships() override { return std::make_unique<RocksMembershipWalk>(this); }

  // Iterators over `watch` for Memberships. One sees the entries as they were when it was
  // made: WatchChanged (after every write to `watch`) drops them all.
  std::unique_ptr<rocksdb::Iterator> TakeWatchIterator() {
    {
      std::lock_guard lock(watch_iterators_mu_);
      if (!watch_iterators_.empty()) {
        auto it = std::move(watch_iterators_.back());
        watch_iterators_.pop_back();
        return it;
      }
    }
    // The data blocks a scan reads are not kept: a breach's million identifiers each read
    // a different one (the index and filter blocks are cached all the same).
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(ro, cf_[kWatch]));
  }
  void ReturnWatchIterator(std::unique_ptr<rocksdb::Iterator> it) {
    std::lock_guard lock(watch_iterators_mu_);
    if (watch_iterators_.size() < 16) watch_iterators_.push_back(std::move(it));
  }
  void WatchChanged() {
    std::lock_guard lock(watch_iterators_mu_);
    watch_iterators_.clear();
  }

  Result<std::optional<VariantRecord>> ResolveVariant(const Digest& variant) override {
    auto v = Get(kVariant, std::string(AsView(variant)));
    if (!v) return Fail(v.error());
    if (!*v) return std::optional<VariantRecord>();
    auto r = DecodeVariant(AsView(variant), **v);
    if (!r) return Fail(r.error());
    return std::optional<VariantRecord>(*r);
  }

  Status ForEachDigest(const std::function<void(const Digest&, bool)>& fn) override {
    for (int cf : {kWatch, kVariant}) {
      rocksdb::ReadOptions ro;
      ro.fill_cache = false;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[cf]));
      Digest d;
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        if (it->key().size() < 32) return Fail(Error::Corruption("short key in " + std::string(kCfNames[cf])));
        std::memcpy(d.data(), it->key().data(), 32);
        fn(d, cf == kVariant);
      }
      if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading watch entries"));
    }
    return Ok();
  }

  Result<WatchIndex> LoadWatchIndex() override {
    auto gen = WatchGeneration();
    if (!gen) return Fail(gen.error());
    auto saved = WatchIndex::Load(index_path_, *gen, keying_);
    if (!saved) return Fail(saved.error());
    if (*saved) return std::move(**saved);
    std::vector<uint64_t> keys;
    if (auto s = ForEachIndexKey([&](uint64_t key) { keys.push_back(key); }); !s) return Fail(s.error());
    WatchIndex index(std::span<uint64_t>(keys), keying_);
    std::vector<uint64_t>().swap(keys);
    if (!read_only_) {
      if (auto saved_now = index.Save(index_path_, *gen); !saved_now) return Fail(saved_now.error());
    }
    return index;
  }

  // Calls fn with the index key (WatchIndex::Key) of every watch entry and variant: of its
  // probe (schemas 2 and 3) or of its digest (schema 1).
  Status ForEachIndexKey(const std::function<void(uint64_t)>& fn) {
    const bool probes = keying_ == IndexKeying::kProbe;
    for (int cf : {kWatch, kVariant}) {
      rocksdb::ReadOptions ro;
      ro.fill_cache = false;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[cf]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        auto key = it->key().ToStringView(), value = it->value().ToStringView();
        uint64_t probe = 0;
        bool hashed = false;
        Digest digest;
        if (cf == kWatch) {
          auto e = DecodeWatch(key, value);
          if (!e) return Fail(e.error());
          probe = e->probe;
          digest = e->digest;
        } else {
          auto v = DecodeVariant(key, value);
          if (!v) return Fail(v.error());
          probe = v->probe;
          digest = v->variant;
          hashed = IsHashedVariant(v->type);
        }
        if (probes && probe == 0)
          return Fail(Error::Corruption(std::string(kCfNames[cf]) + " entry without a probe fingerprint"));
        fn(IndexKeyOf(probes, probe, digest, hashed));
      }
      if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading watch entries"));
    }
    return Ok();
  }

  // Bumped before watch entries are added, so that an index saved earlier is never taken
  // for current once they are in.
  Result<uint64_t> WatchGeneration() {
    auto v = GetMeta("watch_generation");
    if (!v) return Fail(v.error());
    return *v ? std::stoull(**v) : uint64_t{0};
  }
  const std::string& index_path() const { return index_path_; }

  Result<std::vector<WatchlistInfo>> Watchlists() override {
    std::vector<WatchlistInfo> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kWatchlists]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto w = DecodeWatchlist(it->key().ToStringView(), it->value().ToStringView());
      if (!w) return Fail(w.error());
      out.push_back(std::move(*w));
    }
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading watchlists"));
    return out;
  }

  Result<std::optional<WatchlistInfo>> GetWatchlist(const std::string& name) override {
    auto v = Get(kWatchlists, name);
    if (!v) return Fail(v.error());
    if (!*v) return std::optional<WatchlistInfo>();
    auto w = DecodeWatchlist(name, **v);
    if (!w) return Fail(w.error());
    return std::optional<WatchlistInfo>(std::move(*w));
  }

  Result<std::vector<RecordResult>> RecordExposures(std::span<const Exposure> exposures) override {
    std::lock_guard<std::mutex> guard(write_mu_);  // read-modify-write of the records
    record_batch_.Clear();
    return WriteExposures(&record_batch_, exposures);
  }

  // The exposures' records added to *batch_ptr (which may hold other records of their
  // document already), which is then written when not empty. REQUIRES: write_mu_ held.
  Result<std::vector<RecordResult>> WriteExposures(rocksdb::WriteBatch* batch_ptr, std::span<const Exposure> exposures,
                                                  bool sync = true) {
    // Handled in the order of their ids: each column family's memtable then takes its keys
    // in order, which costs a fraction of inserting them at random (the skip list resumes
    // its search where the previous key went). Equal ids keep their given order.
    std::vector<uint32_t> order(exposures.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return exposures[a].id < exposures[b].id; });
    // What the store holds of these ids, read in one MultiGet (most are absent on a first
    // scan, and their blooms say so without a block read).
    std::vector<rocksdb::Slice> keys;
    keys.reserve(exposures.size());
    for (uint32_t i : order) keys.emplace_back(exposures[i].id);
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    if (!keys.empty())
      db_->MultiGet(rocksdb::ReadOptions(), cf_[kExposures], keys.size(), keys.data(), values.data(), statuses.data(),
                    /*sorted_input=*/true);

    std::optional<ExposureCounts> counts;
    if (compact_exposures_) {
      auto c = KeptCounts();
      if (!c) return Fail(c.error());
      counts = **c;
    }
    rocksdb::WriteBatch& batch = *batch_ptr;
    std::vector<RecordResult> results(exposures.size());
    std::optional<Exposure> known;              // the stored exposure of the id at hand
    std::vector<uint32_t> added;                // new in this call
    std::map<std::string, WatchlistInfo> watchlists;  // by name: last_exposure moved on
    std::string key, value;
    for (size_t k = 0; k < order.size(); ++k) {
      const Exposure& exposure = exposures[order[k]];
      RecordResult& result = results[order[k]];
      result.id = exposure.id;
      const bool same_id = k > 0 && exposures[order[k - 1]].id == exposure.id;
      if (!same_id) {
        known.reset();
        if (statuses[k].ok()) {
          auto decoded = DecodeExposure(exposure.id, values[k].ToStringView());
          if (!decoded) return Fail(decoded.error());
          known = std::move(*decoded);
        } else if (!statuses[k].IsNotFound()) {
          return Fail(FromRocks(statuses[k], "reading exposures"));
        }
      }
      if (known) {  // seen before, or earlier in this call: last_seen moves on
        if (exposure.last_seen > known->last_seen) {
          known->last_seen = exposure.last_seen;
          EncodeExposureValue(*known, &value);
          batch.Put(cf_[kExposures], exposure.id, value);
        }
        continue;
      }
      result.is_new = true;
      known = exposure;
      added.push_back(order[k]);
      EncodeExposureValue(exposure, &value);
      batch.Put(cf_[kExposures], exposure.id, value);
      batch.Put(cf_[kExpByTime], TimeKey(exposure.first_seen, exposure.id), rocksdb::Slice());
      batch.Put(cf_[kOutbox], exposure.id, "{}");
      if (counts) Count(exposure, +1, &*counts);
      for (const std::string& name : exposure.watchlists) {
        auto it = watchlists.find(name);
        if (it == watchlists.end()) {
          auto info = GetWatchlist(name);
          if (!info) return Fail(info.error());
          if (!*info) continue;
          it = watchlists.emplace(name, std::move(**info)).first;
        }
        it->second.last_exposure = std::max(it->second.last_exposure, exposure.first_seen);
      }
    }
    // The identifier index, in its own key order.
    std::sort(added.begin(), added.end(), [&](uint32_t a, uint32_t b) {
      const Exposure &x = exposures[a], &y = exposures[b];
      return x.identifier != y.identifier ? x.identifier < y.identifier : x.id < y.id;
    });
    for (uint32_t i : added) {
      key.assign(AsView(exposures[i].identifier));
      key.append(exposures[i].id);
      batch.Put(cf_[kExpByIdent], key, rocksdb::Slice());
    }
    for (const auto& [name, info] : watchlists) batch.Put(cf_[kWatchlists], name, EncodeWatchlist(info));
    if (counts && !added.empty()) batch.Put(cf_[kMeta], kCountsKey, EncodeExposureCounts(*counts));
    if (batch.Count() > 0)
      if (auto s = Write(&batch, sync); !s) return Fail(s.error());
    if (counts) counts_ = std::move(counts);
    return results;
  }

  // ---- Sightings (store/sightings_table.h) ----
  Result<std::vector<RecordResult>> RecordDocument(const DocumentRecord& document, std::span<const Sighting> sightings,
                                                   std::span<const Exposure> exposures) override {
    return RecordDocumentWith(document, sightings.size(), exposures, [&](const auto& prepared, const auto& dir, auto* batch) {
      return sightings_.AddSightings(prepared, sightings, dir, batch);
    });
  }
  Result<std::vector<RecordResult>> RecordDocumentChunks(const DocumentRecord& document, size_t count,
                                                         const SightingChunks& chunks,
                                                         std::span<const Exposure> exposures) override {
    // Counted as large whatever the count: the table file path writes its number first.
    return RecordDocumentWith(document, std::max(count, SightingsTable::kBatchSightings + 1), exposures,
                              [&](const auto& prepared, const auto& dir, auto* batch) {
                                return sightings_.AddSightingChunks(prepared, chunks, dir, batch);
                              });
  }
  // RecordDocument's steps, `add` adding the sightings (SightingsTable::AddSightings or
  // AddSightingChunks) to the batch or as a table file.
  template <class AddFn>
  Result<std::vector<RecordResult>> RecordDocumentWith(const DocumentRecord& document, size_t count,
                                                       std::span<const Exposure> exposures, AddFn add) {
    if (read_only_) return Fail(Error::Internal("store opened read-only"));
    std::lock_guard<std::mutex> guard(write_mu_);
    rocksdb::WriteBatch batch;
    auto write = [this](rocksdb::WriteBatch* b) { return Write(b); };
    auto prepared = sightings_.Prepare(document, count, &batch, write);
    if (!prepared) return Fail(prepared.error());
    if (auto s = add(*prepared, fs::path(index_path_).parent_path().string(), &batch); !s) return Fail(s.error());
    // A document without exposures is not worth an fsync: lost in a crash, it is written
    // again by the next scan of it (its content key is in the same batch).
    return WriteExposures(&batch, exposures, /*sync=*/!exposures.empty());
  }
  Status RecordDocuments(std::span<const DocumentWithSightings> documents) override {
    if (read_only_) return Fail(Error::Internal("store opened read-only"));
    std::lock_guard<std::mutex> guard(write_mu_);
    rocksdb::WriteBatch batch;
    if (auto s = sightings_.AddDocuments(documents, &batch); !s) return s;
    return Write(&batch, /*sync=*/false);  // no exposures: not worth an fsync (RecordDocument)
  }
  Result<std::optional<DocumentRecord>> GetDocument(uint32_t number) override { return sightings_.Get(number); }
  Result<SightingsStats> GetSightingsStats() override { return sightings_.Stats(); }
  Status CompactSightings() override { return sightings_.Compact(); }
  SightingsTable& sightings() { return sightings_; }

  Result<std::unique_ptr<ExposureLoad>> StartExposureLoad(size_t parts, size_t keys_in_memory) override;

  Result<std::vector<Exposure>> ExposuresOf(const Digest& identifier) override {
    std::vector<std::string> ids;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf_[kExpByIdent]));
    rocksdb::Slice prefix(reinterpret_cast<const char*>(identifier.data()), identifier.size());
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
      ids.push_back(it->key().ToString().substr(32));
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading exposures"));
    std::vector<Exposure> out;
    auto s = LoadExposures(ids, [&](const Exposure& e) {
      out.push_back(e);
      return true;
    });
    if (!s) return Fail(s.error());
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.first_seen < b.first_seen; });
    return out;
  }

  Result<std::optional<Exposure>> GetExposure(const std::string& id) override {
    auto v = Get(kExposures, id);
    if (!v) return Fail(v.error());
    if (!*v) return std::optional<Exposure>();
    auto e = DecodeExposure(id, **v);
    if (!e) return Fail(e.error());
    return std::optional<Exposure>(std::move(*e));
  }

  Status ForEachExposureSince(UnixSeconds since, const std::function<bool(const Exposure&)>& fn) override {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;  // a walk over everything: its blocks are not worth keeping
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kExpByTime]));
    std::vector<std::string> ids;
    bool go_on = true;
    for (it->Seek(TimeKey(std::max<UnixSeconds>(since, 0), "")); it->Valid() && go_on; it->Next()) {
      ids.push_back(it->key().ToString().substr(8));
      if (ids.size() == kReadBatch) {
        if (auto s = LoadExposures(ids, [&](const Exposure& e) { return go_on = fn(e); }); !s) return s;
        ids.clear();
      }
    }
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading exposures"));
    if (go_on && !ids.empty())
      if (auto s = LoadExposures(ids, fn); !s) return s;
    return Ok();
  }

  Result<ExposureCounts> CountExposures() override {
    std::lock_guard<std::mutex> guard(write_mu_);
    if (compact_exposures_) {
      auto c = KeptCounts();
      if (!c) return Fail(c.error());
      return **c;
    }
    return Recount();
  }

  Status ForEachOutboxEntry(const std::function<bool(const std::string&, const std::string&)>& fn) override {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kOutbox]));
    std::string id, value;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      id.assign(it->key().data(), it->key().size());
      value.assign(it->value().data(), it->value().size());
      if (!fn(id, value)) break;
    }
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading the outbox"));
    return Ok();
  }
  Status ForEachOutboxExposure(
      const std::function<bool(const std::string&, const std::string&, const Exposure*)>& fn) override {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kOutbox]));
    // Outbox and exposures share their keys (exposure ids): a second iterator walks the
    // exposures alongside, seeking only past the gaps.
    std::unique_ptr<rocksdb::Iterator> exposures(db_->NewIterator(ro, cf_[kExposures]));
    bool positioned = false;
    std::string id, value;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      id.assign(it->key().data(), it->key().size());
      value.assign(it->value().data(), it->value().size());
      const rocksdb::Slice key = it->key();
      // To the first exposure at or after the entry: a step or two, else a seek.
      if (!positioned) {
        exposures->Seek(key);
        positioned = true;
      }
      for (int steps = 0; exposures->Valid() && exposures->key().compare(key) < 0 && steps < 4; ++steps) exposures->Next();
      if (exposures->Valid() && exposures->key().compare(key) < 0) exposures->Seek(key);
      std::optional<Exposure> exposure;
      if (exposures->Valid() && exposures->key() == key) {
        auto e = DecodeExposure(id, std::string_view(exposures->value().data(), exposures->value().size()));
        if (!e) return Fail(e.error());
        exposure = std::move(*e);
      }
      if (!fn(id, value, exposure ? &*exposure : nullptr)) break;
    }
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading the outbox"));
    if (!exposures->status().ok()) return Fail(FromRocks(exposures->status(), "reading exposures"));
    return Ok();
  }
  Status PutOutbox(const std::string& id, const std::string& value) override { return Put(kOutbox, id, value); }
  Status DeleteOutbox(const std::string& id) override {
    rocksdb::WriteBatch b;
    b.Delete(cf_[kOutbox], id);
    return Write(&b);
  }
  Status UpdateOutbox(const std::vector<OutboxChange>& changes) override {
    rocksdb::WriteBatch batch;
    for (const auto& [id, value] : changes) {
      if (value)
        batch.Put(cf_[kOutbox], id, *value);
      else
        batch.Delete(cf_[kOutbox], id);
      if (batch.Count() == kOutboxBatch) {
        if (auto s = Write(&batch); !s) return s;
        batch.Clear();
      }
    }
    if (batch.Count() > 0) return Write(&batch);
    return Ok();
  }
  Result<std::optional<std::string>> GetCrawlState(const std::string& key) override { return Get(kCrawl, key); }
  Status PutCrawlState(const std::string& key, const std::string& value) override { return Put(kCrawl, key, value); }

  Result<PruneResult> Prune(UnixSeconds cutoff, bool dry_run) override {
    std::lock_guard<std::mutex> guard(write_mu_);
    PruneResult result;
    std::optional<ExposureCounts> counts;
    if (compact_exposures_ && !dry_run) {
      auto c = KeptCounts();
      if (!c) return Fail(c.error());
      counts = **c;
    }
    // Written in batches of bounded size, each with the counters as they stand after it:
    // a crash between two leaves the counts true to what is left.
    rocksdb::WriteBatch batch;
    auto commit = [&]() -> Status {
      if (dry_run || batch.Count() == 0) return Ok();
      if (counts) batch.Put(cf_[kMeta], kCountsKey, EncodeExposureCounts(*counts));
      if (auto s = Write(&batch); !s) return s;
      if (counts) counts_ = counts;
      batch.Clear();
      return Ok();
    };
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kExposures]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto e = DecodeExposure(it->key().ToStringView(), it->value().ToStringView());
      if (!e) return Fail(e.error());
      if (e->last_seen >= cutoff) continue;
      ++result.exposures;
      if (counts) Count(*e, -1, &*counts);
      batch.Delete(cf_[kExposures], e->id);
      batch.Delete(cf_[kExpByIdent], std::string(AsView(e->identifier)) + e->id);
      batch.Delete(cf_[kExpByTime], TimeKey(e->first_seen, e->id));
      batch.Delete(cf_[kOutbox], e->id);
      if (batch.Count() >= kPruneBatchOps)
        if (auto s = commit(); !s) return Fail(s.error());
    }
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading exposures"));
    std::unique_ptr<rocksdb::Iterator> crawl(db_->NewIterator(rocksdb::ReadOptions(), cf_[kCrawl]));
    for (crawl->SeekToFirst(); crawl->Valid(); crawl->Next()) {
      auto j = nlohmann::json::parse(crawl->value().ToStringView(), nullptr, false);
      if (!j.is_object() || !j.contains("seen") || !j["seen"].is_number_integer()) continue;
      if (j["seen"].get<int64_t>() >= cutoff) continue;
      ++result.crawl_entries;
      batch.Delete(cf_[kCrawl], crawl->key());
    }
    if (!crawl->status().ok()) return Fail(FromRocks(crawl->status(), "reading crawl state"));
    if (auto s = commit(); !s) return Fail(s.error());
    if (auto s = sightings_.Prune(cutoff, dry_run, [this](rocksdb::WriteBatch* b) { return Write(b); },
                                  &result.documents, &result.sightings);
        !s)
      return Fail(s.error());
    return result;
  }

  Status Checkpoint(const std::string& dir) override {
    rocksdb::Checkpoint* raw = nullptr;
    auto s = rocksdb::Checkpoint::Create(db_, &raw);
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    if (!s.ok()) return Fail(FromRocks(s, "checkpoint"));
    s = checkpoint->CreateCheckpoint(dir);
    if (!s.ok()) return Fail(FromRocks(s, "writing a checkpoint to " + dir));
    return Ok();
  }

  Status Flush() override {
    if (read_only_) return Ok();
    rocksdb::FlushOptions fo;
    auto s = db_->Flush(fo, cf_);
    if (!s.ok()) return Fail(FromRocks(s, "flushing the store"));
    return Ok();
  }

  Status Compact() override {
    if (read_only_) return Fail(Error::Internal("store opened read-only"));
    if (auto s = Flush(); !s) return s;
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (auto* h : cf_) {
      auto s = db_->CompactRange(co, h, nullptr, nullptr);
      if (!s.ok()) return Fail(FromRocks(s, "compacting the store"));
    }
    return Ok();
  }

  Result<TableBytes> TableSizes() override {
    TableBytes out;
    for (int cf = 0; cf < kNumCf; ++cf) {
      uint64_t bytes = 0;
      if (!db_->GetIntProperty(cf_[cf], rocksdb::DB::Properties::kTotalSstFilesSize, &bytes))
        return Fail(Error::IO(std::string("no table sizes for ") + kCfNames[cf]));
      out.all += bytes;
      if (cf == kExposures || cf == kExpByIdent || cf == kExpByTime) out.exposures += bytes;
      if (cf == kOutbox) out.outbox = bytes;
    }
    return out;
  }

  // For the bulk enroller.
  rocksdb::DB* db() { return db_; }
  rocksdb::ColumnFamilyHandle* cf(int i) { return cf_[i]; }
  Result<std::optional<std::string>> Get(int cf, const std::string& key) {
    std::string value;
    auto s = db_->Get(rocksdb::ReadOptions(), cf_[cf], key, &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return Fail(FromRocks(s, std::string("reading ") + kCfNames[cf]));
    return std::optional<std::string>(std::move(value));
  }
  Status Put(int cf, const std::string& key, const std::string& value) {
    rocksdb::WriteBatch b;
    b.Put(cf_[cf], key, value);
    return Write(&b);
  }
  // `sync` false: for what a crash may lose and a re-scan writes again (a document's
  // sightings without exposures); the next synced write makes it durable too.
  Status Write(rocksdb::WriteBatch* batch, bool sync = true) {
    if (read_only_) return Fail(Error::Internal("store opened read-only"));
    rocksdb::WriteOptions wo;
    wo.sync = sync;  // an exposure recorded is an exposure kept, even across power loss
    auto s = db_->Write(wo, batch);
    if (!s.ok()) {
      write_failed_ = true;
      return Fail(FromRocks(s, "writing to the store"));
    }
    return Ok();
  }

  // A writer that leaves much in its memtables leaves a long write-ahead log that every
  // reader (a secondary instance) replays at open: 600 MB of it made `history` of one
  // identifier take 11 s. Past kFlushAtCloseBytes, the memtables are flushed to tables
  // at close, so the log is obsolete and a reader's open stays in milliseconds. Best
  // effort, and never after a failed write (RocksDB 7.8 asserts when flushing then).
  void FlushLargeMemtables() {
    if (read_only_ || write_failed_) return;
    uint64_t bytes = 0;
    if (!db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &bytes) ||
        bytes < kFlushAtCloseBytes)
      return;
    rocksdb::FlushOptions fo;
    fo.wait = true;
    db_->Flush(fo, cf_).PermitUncheckedError();
  }
  static constexpr uint64_t kFlushAtCloseBytes = 4 << 20;

 private:
  friend class RocksExposureLoad;
  static constexpr size_t kReadBatch = 256;  // exposures per MultiGet when reading many
  static constexpr const char* kCountsKey = "exposure_counts";
  static constexpr uint32_t kPruneBatchOps = 32768;  // deletions per write when pruning
  static constexpr uint32_t kOutboxBatch = 8192;     // outbox changes per write

  // Calls fn with the exposures of `ids` that exist, in that order, until it returns false.
  Status LoadExposures(const std::vector<std::string>& ids, const std::function<bool(const Exposure&)>& fn) {
    for (size_t from = 0; from < ids.size(); from += kReadBatch) {
      const size_t n = std::min(kReadBatch, ids.size() - from);
      std::vector<rocksdb::Slice> keys(ids.begin() + from, ids.begin() + from + n);
      std::vector<rocksdb::PinnableSlice> values(n);
      std::vector<rocksdb::Status> statuses(n);
      db_->MultiGet(rocksdb::ReadOptions(), cf_[kExposures], n, keys.data(), values.data(), statuses.data());
      for (size_t i = 0; i < n; ++i) {
        if (statuses[i].IsNotFound()) continue;
        if (!statuses[i].ok()) return Fail(FromRocks(statuses[i], "reading exposures"));
        auto e = DecodeExposure(ids[from + i], values[i].ToStringView());
        if (!e) return Fail(e.error());
        if (!fn(*e)) return Ok();
      }
    }
    return Ok();
  }

  // The value of an exposure in this store's schema.
  void EncodeExposureValue(const Exposure& e, std::string* out) const {
    if (compact_exposures_)
      EncodeCompactExposureInto(out, e);
    else
      *out = EncodeExposure(e);
  }

  static void Count(const Exposure& e, int sign, ExposureCounts* c) {
    auto move = [sign](std::map<std::string, uint64_t>& m, const std::string& k) {
      uint64_t& n = m[k];
      n = sign > 0 ? n + 1 : (n > 0 ? n - 1 : 0);
      if (n == 0) m.erase(k);
    };
    c->total = sign > 0 ? c->total + 1 : (c->total > 0 ? c->total - 1 : 0);
    move(c->by_source, e.source);
    move(c->by_day, FormatRfc3339(e.first_seen).substr(0, 10));
    move(c->by_severity, e.severity);
  }

  // Every exposure read and counted (older schemas, and a schema-4 store without counters).
  Result<ExposureCounts> Recount() {
    ExposureCounts c;
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf_[kExposures]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto e = DecodeExposure(it->key().ToStringView(), it->value().ToStringView());
      if (!e) return Fail(e.error());
      Count(*e, +1, &c);
    }
    if (!it->status().ok()) return Fail(FromRocks(it->status(), "reading exposures"));
    return c;
  }

  // The counters of a schema-4 store, read once per session (a writer then keeps them
  // here as it writes them). A store without them (made before they were kept) is
  // recounted once.
  Result<const ExposureCounts*> KeptCounts() {
    if (counts_) return &*counts_;
    auto v = GetMeta(kCountsKey);
    if (!v) return Fail(v.error());
    if (*v) {
      auto c = DecodeExposureCounts(**v);
      if (!c) return Fail(c.error());
      counts_ = std::move(*c);
    } else {
      auto c = Recount();
      if (!c) return Fail(c.error());
      counts_ = std::move(*c);
    }
    return &*counts_;
  }

  std::unique_ptr<FileLock> lock_;
  rocksdb::DB* db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cf_;
  std::string secondary_dir_;
  bool read_only_;
  std::string index_path_;
  IndexKeying keying_ = IndexKeying::kProbe;
  ContentDigestKind content_kind_ = ContentDigestKind::kKeyedHighway256;
  bool compact_exposures_ = true;  // schema 4: binary exposure values and kept counters
  std::mutex write_mu_;
  std::mutex watch_iterators_mu_;
  std::vector<std::unique_ptr<rocksdb::Iterator>> watch_iterators_;  // GUARDED_BY(watch_iterators_mu_)
  std::optional<ExposureCounts> counts_;  // KeptCounts; GUARDED_BY(write_mu_) in a writer
  rocksdb::WriteBatch record_batch_;      // RecordExposures's, reused; GUARDED_BY(write_mu_)
  std::atomic<bool> write_failed_{false};  // a write failed in this session (a full disk): no flush at close
  SightingsTable sightings_;  // the documents and sightings column families
};

// ---- Exposure loads ----

// Table files are built in the data directory (beside the store, so that ingesting them
// moves them rather than copies), named kLoadFilePrefix PID-N-CF.sst. A writer removes
// any a crash left behind when it opens the store.
constexpr char kLoadFilePrefix[] = "exposure-load-";

// Keys arrive in order per column family and part (ids ascending; one first_seen), except
// the identifier index's, which each part keeps (48 bytes an exposure: ids are
// ExposureId's 32 hex digits, kept as their 16 bytes) and sorts at Commit.
class RocksExposureLoad final : public ExposureLoad {
 public:
  RocksExposureLoad(RocksStore* store, std::string dir, size_t parts, size_t keys_in_memory)
      : store_(store), dir_(std::move(dir)), keys_in_memory_(std::max<size_t>(1, keys_in_memory)), parts_(parts) {}
  ~RocksExposureLoad() override { RemoveFiles(); }

  Result<std::vector<RecordResult>> Add(std::span<const Exposure> exposures, size_t part) override;
  Status Commit() override;

 private:
  // One column family's table file, opened at its first key.
  struct Table {
    explicit Table(int c) : cf(c) {}
    int cf;
    std::string path;
    std::unique_ptr<rocksdb::SstFileWriter> writer;
  };
  Status Put(Table& t, const rocksdb::Slice& key, const rocksdb::Slice& value);
  void RemoveFiles();

  struct IdentKey {  // exp_by_ident: identifier digest || exposure id (its hex)
    Digest identifier;
    std::array<uint8_t, 16> id;
    bool operator<(const IdentKey& o) const {
      if (int c = std::memcmp(identifier.data(), o.identifier.data(), identifier.size()); c != 0) return c < 0;
      return id < o.id;  // as their hex would
    }
  };
  static_assert(sizeof(IdentKey) == 48 && std::is_trivially_copyable_v<IdentKey>);
  // What one part (one thread's share of the ids) has written.
  struct Part {
    Table exposures{kExposures}, by_time{kExpByTime}, outbox{kOutbox};
    std::vector<IdentKey> ident_keys;
    std::unique_ptr<PartitionSpill> spilled_keys;  // past keys_in_memory_
    uint64_t new_exposures = 0;
    std::string first_id, last_id;
    std::optional<UnixSeconds> first_seen;
    ExposureCounts counted;                            // of its new exposures
    std::map<std::string, UnixSeconds> last_exposure;  // by watchlist name
    std::string value;
  };
  // Moves a part's keys to its spill (made on first use), by identifier.
  Status SpillKeys(Part& part);
  // Commit's writing of the identifier index when some part spilled: a partition of
  // the keys at a time, each sorted, into one table file.
  Status WriteSpilledKeys();

  RocksStore* store_;
  std::string dir_;
  size_t keys_in_memory_;
  std::vector<Part> parts_;
  // exp_by_ident in two halves (two threads), watchlists and meta: written at Commit.
  Table by_ident_[2] = {Table(kExpByIdent), Table(kExpByIdent)};
  Table watchlists_{kWatchlists}, meta_{kMeta};
  bool committed_ = false;
};

Result<std::unique_ptr<ExposureLoad>> RocksStore::StartExposureLoad(size_t parts, size_t keys_in_memory) {
  if (read_only_) return Fail(Error::Internal("store opened read-only"));
  if (parts == 0) return Fail(Error::Internal("an exposure load of no parts"));
  return std::unique_ptr<ExposureLoad>(
      new RocksExposureLoad(this, fs::path(index_path_).parent_path().string(), parts, keys_in_memory));
}

Status RocksExposureLoad::SpillKeys(Part& part) {
  if (!part.spilled_keys) {
    auto spill = PartitionSpill::Create(dir_);
    if (!spill) return Fail(spill.error());
    part.spilled_keys = std::move(*spill);
  }
  for (const IdentKey& k : part.ident_keys)
    if (auto s = part.spilled_keys->Append(k.identifier[0], {reinterpret_cast<const char*>(&k), sizeof k}); !s)
      return s;
  std::vector<IdentKey>().swap(part.ident_keys);
  return Ok();
}

Status RocksExposureLoad::WriteSpilledKeys() {
  for (Part& p : parts_)
    if (auto s = SpillKeys(p); !s) return s;
  std::vector<IdentKey> keys;
  std::string key;
  for (int partition = 0; partition < PartitionSpill::kPartitions; ++partition) {
    keys.clear();
    for (Part& p : parts_) {
      auto bytes = p.spilled_keys->Take(partition);
      if (!bytes) return Fail(bytes.error());
      const size_t n = bytes->size() / sizeof(IdentKey);
      keys.resize(keys.size() + n);
      std::memcpy(keys.data() + keys.size() - n, bytes->data(), n * sizeof(IdentKey));
    }
    std::sort(keys.begin(), keys.end());
    for (const IdentKey& k : keys) {
      key.assign(AsView(k.identifier));
      key.append(ToHex(k.id.data(), k.id.size()));
      if (auto s = Put(by_ident_[0], key, rocksdb::Slice()); !s) return s;
    }
  }
  for (Part& p : parts_) p.spilled_keys.reset();  // their directories go now, not with the load
  return Ok();
}

Status RocksExposureLoad::Put(Table& t, const rocksdb::Slice& key, const rocksdb::Slice& value) {
  if (!t.writer) {
    static std::atomic<uint64_t> counter{0};
    rocksdb::Options o(rocksdb::DBOptions(), CfOptions(t.cf));
    // LZ4 (a table file writer takes the bottommost compression, ZSTD, otherwise: a
    // sixth of a breach's recording time); compaction recompresses with ZSTD.
    if (o.compression != rocksdb::kNoCompression) o.bottommost_compression = o.compression;
    t.writer = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), o, store_->cf(t.cf),
                                                        /*invalidate_page_cache=*/false);
    t.path = dir_ + "/" + kLoadFilePrefix + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
             kCfNames[t.cf] + ".sst";
    auto s = t.writer->Open(t.path);
    if (!s.ok()) return Fail(FromRocks(s, "creating " + t.path));
  }
  auto s = t.writer->Put(key, value);
  if (!s.ok()) return Fail(FromRocks(s, "writing " + t.path));
  return Ok();
}

void RocksExposureLoad::RemoveFiles() {
  std::vector<Table*> tables = {&by_ident_[0], &by_ident_[1], &watchlists_, &meta_};
  for (Part& p : parts_) tables.insert(tables.end(), {&p.exposures, &p.by_time, &p.outbox});
  for (Table* t : tables) {
    t->writer.reset();
    if (t->path.empty()) continue;
    std::error_code ec;
    fs::remove(t->path, ec);  // gone already when ingested (moved)
    t->path.clear();
  }
}

Result<std::vector<RecordResult>> RocksExposureLoad::Add(std::span<const Exposure> exposures, size_t part_number) {
  if (committed_) return Fail(Error::Internal("exposure load already committed"));
  if (part_number >= parts_.size()) return Fail(Error::Internal("no such part of the exposure load"));
  Part& part = parts_[part_number];
  std::vector<rocksdb::Slice> keys;
  keys.reserve(exposures.size());
  for (const Exposure& e : exposures) {
    if (e.id.size() != 2 * sizeof(IdentKey::id) || e.id <= part.last_id ||
        (part.first_seen && e.first_seen != *part.first_seen))
      return Fail(Error::Internal("exposure load: ids must be ExposureId's, ascending, with one first_seen"));
    if (part.first_id.empty()) part.first_id = e.id;
    part.last_id = e.id;
    part.first_seen = e.first_seen;
    keys.emplace_back(e.id);
  }
  rocksdb::DB* db = store_->db();
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  if (!keys.empty())
    db->MultiGet(rocksdb::ReadOptions(), store_->cf(kExposures), keys.size(), keys.data(), values.data(),
                 statuses.data(), /*sorted_input=*/true);
  std::vector<RecordResult> results(exposures.size());
  rocksdb::WriteBatch seen_again;  // last_seen moved on
  for (size_t i = 0; i < exposures.size(); ++i) {
    const Exposure& e = exposures[i];
    results[i].id = e.id;
    if (statuses[i].ok()) {
      auto known = DecodeExposure(e.id, values[i].ToStringView());
      if (!known) return Fail(known.error());
      if (e.last_seen > known->last_seen) {
        known->last_seen = e.last_seen;
        store_->EncodeExposureValue(*known, &part.value);
        seen_again.Put(store_->cf(kExposures), e.id, part.value);
      }
      continue;
    }
    if (!statuses[i].IsNotFound()) return Fail(FromRocks(statuses[i], "reading exposures"));
    results[i].is_new = true;
    store_->EncodeExposureValue(e, &part.value);
    if (auto s = Put(part.exposures, e.id, part.value); !s) return Fail(s.error());
    if (auto s = Put(part.by_time, TimeKey(e.first_seen, e.id), rocksdb::Slice()); !s) return Fail(s.error());
    if (auto s = Put(part.outbox, e.id, "{}"); !s) return Fail(s.error());
    IdentKey& k = part.ident_keys.emplace_back();
    k.identifier = e.identifier;
    // ExposureId's lower-case hex, back to its bytes.
    if (!BytesFromHex(e.id, k.id) || e.id.find_first_of("ABCDEF") != std::string::npos)
      return Fail(Error::Internal("exposure load: an id that is not ExposureId's: " + e.id));
    ++part.new_exposures;
    if (part.ident_keys.size() >= keys_in_memory_)
      if (auto s = SpillKeys(part); !s) return Fail(s.error());
    if (store_->compact_exposures_) RocksStore::Count(e, +1, &part.counted);
    for (const std::string& name : e.watchlists) {
      UnixSeconds& t = part.last_exposure[name];
      t = std::max(t, e.first_seen);
    }
  }
  if (seen_again.Count() > 0) {
    std::lock_guard<std::mutex> guard(store_->write_mu_);
    if (auto s = store_->Write(&seen_again); !s) return Fail(s.error());
  }
  return results;
}

Status RocksExposureLoad::Commit() {
  if (committed_) return Fail(Error::Internal("exposure load already committed"));
  committed_ = true;
  // The parts' id ranges follow each other, so their tables do not overlap.
  const Part* previous = nullptr;
  size_t new_exposures = 0;
  for (const Part& p : parts_) {
    if (p.first_id.empty()) continue;
    if (previous && (p.first_id <= previous->last_id || p.first_seen != previous->first_seen))
      return Fail(Error::Internal("exposure load: parts out of order"));
    previous = &p;
    new_exposures += p.new_exposures;
  }
  if (new_exposures == 0) return Ok();
  bool spilled = false;
  for (const Part& p : parts_) spilled |= p.spilled_keys != nullptr;
  if (spilled) {
    if (auto s = WriteSpilledKeys(); !s) return s;
  } else {
  // Each part's keys sorted in place, then merged as they are written (no merged copy:
  // 65 bytes an exposure). Two threads, each the keys on one side of a pivot.
  for (Part& p : parts_) std::sort(p.ident_keys.begin(), p.ident_keys.end());
  std::vector<std::span<const IdentKey>> runs[2];  // per thread, a slice of each part
  const Part* largest = &parts_[0];
  for (const Part& p : parts_)
    if (p.ident_keys.size() > largest->ident_keys.size()) largest = &p;
  const IdentKey pivot = largest->ident_keys[largest->ident_keys.size() / 2];
  for (const Part& p : parts_) {
    const auto cut = std::lower_bound(p.ident_keys.begin(), p.ident_keys.end(), pivot);
    const size_t at = static_cast<size_t>(cut - p.ident_keys.begin());
    runs[0].emplace_back(p.ident_keys.data(), at);
    runs[1].emplace_back(p.ident_keys.data() + at, p.ident_keys.size() - at);
  }
  auto write_ident = [&](Table& t, std::vector<std::span<const IdentKey>>& run) -> Status {
    std::string key;
    for (;;) {
      std::span<const IdentKey>* least = nullptr;
      for (auto& r : run)
        if (!r.empty() && (least == nullptr || r.front() < least->front())) least = &r;
      if (least == nullptr) return Ok();
      key.assign(AsView(least->front().identifier));
      key.append(ToHex(least->front().id.data(), least->front().id.size()));
      *least = least->subspan(1);
      if (auto s = Put(t, key, rocksdb::Slice()); !s) return s;
    }
  };
  Status second = Ok();
  std::thread other([&] { second = write_ident(by_ident_[1], runs[1]); });
  Status first = write_ident(by_ident_[0], runs[0]);
  other.join();
  if (!first) return first;
  if (!second) return second;
  for (Part& p : parts_) std::vector<IdentKey>().swap(p.ident_keys);
  }

  // The records that move with them, as they stand now: the writer's lock keeps them so
  // until the ingestion is done.
  std::lock_guard<std::mutex> guard(store_->write_mu_);
  std::optional<ExposureCounts> counts;
  if (store_->compact_exposures_) {
    auto c = store_->KeptCounts();
    if (!c) return Fail(c.error());
    counts = **c;
    for (const Part& p : parts_) {
      counts->total += p.counted.total;
      for (const auto& [k, n] : p.counted.by_source) counts->by_source[k] += n;
      for (const auto& [k, n] : p.counted.by_day) counts->by_day[k] += n;
      for (const auto& [k, n] : p.counted.by_severity) counts->by_severity[k] += n;
    }
    if (auto s = Put(meta_, RocksStore::kCountsKey, EncodeExposureCounts(*counts)); !s) return s;
  }
  std::map<std::string, UnixSeconds> last_exposure;  // in name order, as the table wants
  for (const Part& p : parts_)
    for (const auto& [name, t] : p.last_exposure) last_exposure[name] = std::max(last_exposure[name], t);
  for (const auto& [name, t] : last_exposure) {
    auto info = store_->GetWatchlist(name);
    if (!info) return Fail(info.error());
    if (!*info) continue;
    (*info)->last_exposure = std::max((*info)->last_exposure, t);
    if (auto s = Put(watchlists_, name, EncodeWatchlist(**info)); !s) return s;
  }
  // One ingestion for every column family: RocksDB records it in the MANIFEST at once,
  // so after a crash the document's new exposures are all there, or none is.
  std::vector<std::vector<Table*>> by_cf = {{}, {}, {}, {&by_ident_[0], &by_ident_[1]}, {&watchlists_}, {&meta_}};
  for (Part& p : parts_) {
    by_cf[0].push_back(&p.exposures);
    by_cf[1].push_back(&p.by_time);
    by_cf[2].push_back(&p.outbox);
  }
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (const std::vector<Table*>& tables : by_cf) {
    rocksdb::IngestExternalFileArg arg;
    for (Table* t : tables) {
      if (!t->writer) continue;
      auto s = t->writer->Finish();
      t->writer.reset();
      if (!s.ok()) return Fail(FromRocks(s, "finishing " + t->path));
      arg.column_family = store_->cf(t->cf);
      arg.external_files.push_back(t->path);
    }
    if (arg.external_files.empty()) continue;
    arg.options.move_files = true;
    args.push_back(std::move(arg));
  }
  auto s = store_->db()->IngestExternalFiles(args);
  RemoveFiles();
  if (!s.ok()) {
    store_->write_failed_ = true;
    return Fail(FromRocks(s, "ingesting a document's exposures"));
  }
  if (counts) store_->counts_ = std::move(counts);
  return Ok();
}

// ---- Bulk enrollment ----

// Orders digests as memcmp would, deciding most comparisons on the first 8 bytes.
inline bool DigestLess(const Digest& a, const Digest& b) {
  uint64_t x, y;
  std::memcpy(&x, a.data(), 8);
  std::memcpy(&y, b.data(), 8);
  if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y);
  return std::memcmp(a.data() + 8, b.data() + 8, 24) < 0;
}

// Fixed-size spill records, packed: they are written, read and sorted by the million.
#pragma pack(push, 1)
struct WatchSpill {
  Digest digest;
  uint64_t probe;
  uint32_t label;
  uint32_t line;
  uint32_t hint;  // retro-hunt only
  uint8_t kind;
};
struct VariantSpill {
  Digest variant;
  Digest primary;
  uint64_t probe;
  uint32_t hint;  // the primary's; retro-hunt only
  uint8_t type;
};
#pragma pack(pop)

constexpr char kEnrollDirPrefix[] = "leakwatch-enroll-";

// Removes what killed writers left in `data`, beside the store: spill directories (an
// exposure load's keys, a scan's deferred hits, an enrollment's records), a bulk
// enrollment's directory, an exposure load's table files (never ingested, since an
// ingestion moves them: store/layout.md). Called by a writer as it opens the store: it
// holds the lock, so none of them is in use.
void RemoveLeftovers(const fs::path& data) {
  PartitionSpill::RemoveStale(data.string());
  std::error_code ec;
  for (fs::directory_iterator it(data, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(kEnrollDirPrefix) && !name.starts_with(kLoadFilePrefix)) continue;
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);
  }
}

RocksBulkEnroller::RocksBulkEnroller(RocksStore* store, BulkEnrollInput input)
    : store_(store), input_(std::move(input)) {
  char tmpl[4096];
  std::snprintf(tmpl, sizeof tmpl, "%s/%sXXXXXX", input_.temp_dir.empty() ? "/tmp" : input_.temp_dir.c_str(),
                kEnrollDirPrefix);
  if (::mkdtemp(tmpl)) dir_ = tmpl;
}

RocksBulkEnroller::~RocksBulkEnroller() {
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

template <class T>
Status RocksBulkEnroller::Spill(std::unique_ptr<PartitionSpill>* spill, const T& rec, uint8_t first_byte) {
  if (dir_.empty()) return Fail(Error::IO("cannot create a temporary directory for enrollment in " + input_.temp_dir));
  if (!*spill) {
    auto created = PartitionSpill::Create(input_.temp_dir.empty() ? "/tmp" : input_.temp_dir);
    if (!created) return Fail(created.error());
    *spill = std::move(*created);
  }
  return (*spill)->Append(first_byte, std::string_view(reinterpret_cast<const char*>(&rec), sizeof rec));
}

template <class T>
Status RocksBulkEnroller::Take(const std::unique_ptr<PartitionSpill>& spill, int p, std::vector<T>* out) {
  if (!spill) {
    out->clear();
    return Ok();
  }
  return spill->TakeRecords(p, out);
}

uint64_t RocksBulkEnroller::RecordsIn(int p) const {
  return (entry_spill_ ? entry_spill_->bytes(p) / sizeof(WatchSpill) : 0) +
         (variant_spill_ ? variant_spill_->bytes(p) / sizeof(VariantSpill) : 0);
}

uint32_t RocksBulkEnroller::InternLabel(std::string_view label) {
  if (label.empty()) return 0;
  auto [it, inserted] = label_index_.try_emplace(std::string(label), static_cast<uint32_t>(labels_.size()));
  if (inserted) labels_.emplace_back(label);
  return it->second;
}

Status RocksBulkEnroller::Add(const EnrollRecord& r) {
  if (r.probe == 0 && store_->index_keying() == IndexKeying::kProbe)
    return Fail(Error::Internal("watch entry without a probe fingerprint"));
  WatchSpill s{};
  s.digest = r.digest;
  s.probe = r.probe;
  s.label = r.label;
  s.line = r.line;
  s.hint = r.hint;
  s.kind = static_cast<uint8_t>(r.kind);
  ++count_;
  return Spill(&entry_spill_, s, r.digest[0]);
}

Status RocksBulkEnroller::AddVariant(const VariantRecord& r, uint32_t primary_hint) {
  if (r.probe == 0 && store_->index_keying() == IndexKeying::kProbe)
    return Fail(Error::Internal("variant without a probe fingerprint"));
  VariantSpill s{};
  s.variant = r.variant;
  s.probe = r.probe;
  s.primary = r.primary;
  s.hint = primary_hint;
  s.type = static_cast<uint8_t>(r.type);
  ++count_;
  return Spill(&variant_spill_, s, r.variant[0]);
}

// Writes sorted key/values either to a WriteBatch (small inputs) or to SST files of at
// most ~256 MiB each.
class SortedSink {
 public:
  SortedSink(RocksStore* store, int cf, bool use_sst, std::string dir, std::string prefix)
      : store_(store), cf_(cf), use_sst_(use_sst), dir_(std::move(dir)), prefix_(std::move(prefix)) {}

  Status Put(std::string_view key, std::string_view value) {
    if (!use_sst_) {
      batch_.Put(store_->cf(cf_), rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
      return Ok();
    }
    if (!writer_) {
      std::string path = dir_ + "/" + prefix_ + std::to_string(files_.size()) + ".sst";
      // Written past the page cache (O_DIRECT) where the file system allows it: the
      // tables go to disk anyway (ingestion syncs them), gigabytes of them for a large
      // list, and copying them into the cache first cost a third of the merge's time and
      // pushed everything else out of it. Elsewhere (tmpfs), through the cache.
      rocksdb::Status s;
      for (bool direct : {true, false}) {
        rocksdb::Options o(rocksdb::DBOptions(), CfOptions(cf_));
        rocksdb::EnvOptions env;
        env.use_direct_writes = direct;
        // Without dropping the file's pages from the cache every megabyte: an fadvise
        // call each, about 3 % of a large enrollment's time.
        writer_ = std::make_unique<rocksdb::SstFileWriter>(env, o, store_->cf(cf_), /*invalidate_page_cache=*/false);
        s = writer_->Open(path);
        if (s.ok()) break;
      }
      if (!s.ok()) return Fail(FromRocks(s, "creating " + path));
      files_.push_back(path);
    }
    auto s = writer_->Put(rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
    if (!s.ok()) return Fail(FromRocks(s, "writing SST file"));
    if (writer_->FileSize() > (256u << 20)) return Close();
    return Ok();
  }

  // Writes every sink's output: one WriteBatch each, or all SST files in one ingestion.
  // REQUIRES: Close() called on each; sinks share the column family and cover
  // non-overlapping key ranges.
  static Status CommitAll(const std::vector<std::unique_ptr<SortedSink>>& sinks) {
    if (sinks.empty()) return Ok();
    std::vector<std::string> files;
    for (const auto& sink : sinks) {
      if (!sink->use_sst_) {
        if (auto s = sink->store_->Write(&sink->batch_); !s) return s;
      }
      files.insert(files.end(), sink->files_.begin(), sink->files_.end());
    }
    if (files.empty()) return Ok();
    rocksdb::IngestExternalFileOptions io;
    io.move_files = true;
    auto s = sinks[0]->store_->db()->IngestExternalFile(sinks[0]->store_->cf(sinks[0]->cf_), files, io);
    if (!s.ok()) return Fail(FromRocks(s, "ingesting enrolled identifiers"));
    return Ok();
  }

  Status Close() {
    if (!writer_) return Ok();
    auto s = writer_->Finish();
    writer_.reset();
    if (!s.ok()) return Fail(FromRocks(s, "finishing SST file"));
    return Ok();
  }

 private:
  RocksStore* store_;
  int cf_;
  bool use_sst_;
  std::string dir_, prefix_;
  rocksdb::WriteBatch batch_;
  std::unique_ptr<rocksdb::SstFileWriter> writer_;
  std::vector<std::string> files_;
};

// Sorts partitions [first, last) and writes what is new to `watch_sink` and
// `variant_sink`, comparing against the store's existing keys in the same range.
Result<BulkEnrollResult> RocksBulkEnroller::MergeRange(int first, int last, SortedSink& watch_sink,
                                                     SortedSink& variant_sink, uint64_t* keys, size_t* num_keys) {
  BulkEnrollResult result;
  // Counted here and stored at the end: the ranges' counters share a cache line.
  size_t written = 0;
  const std::string& name = input_.watchlist;
  // Schemas 2 and 3 keep each entry's probe and key the index by it; schema 1 neither.
  const bool probes = store_->index_keying() == IndexKeying::kProbe;
  // Existing keys are walked once, in order, beside the sorted new ones; their blocks are
  // not worth caching.
  rocksdb::ReadOptions walk;
  walk.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> existing(store_->db()->NewIterator(walk, store_->cf(kWatch)));
  existing->Seek(std::string(1, static_cast<char>(first << 2)));
  // Retro-hunt: the sightings of each key, merged with the sorted keys (one cursor for
  // the entries, one for the variants, each moving forward only).
  std::optional<SightingsTable::Cursor> entry_sightings, variant_sightings;
  if (input_.retro_hunt) {
    entry_sightings.emplace(store_->sightings());
    variant_sightings.emplace(store_->sightings());
  }
  auto hunt = [&](SightingsTable::Cursor& cursor, const Digest& key, const Digest& primary, uint8_t via,
                  uint32_t hint) -> Status {
    return cursor.Find(SightingFingerprintOf(key), [&](uint32_t document, uint8_t flags) {
      result.retro.push_back({primary, via, document, flags, hint});
    });
  };
  std::vector<WatchSpill> entries;
  std::vector<VariantSpill> variants, scattered;
  std::vector<std::pair<uint64_t, uint32_t>> order;
  for (int p = first; p < last; ++p) {
    if (auto s = Take(entry_spill_, p, &entries); !s) return Fail(s.error());
    std::stable_sort(entries.begin(), entries.end(),
                     [](const WatchSpill& a, const WatchSpill& b) { return DigestLess(a.digest, b.digest); });
    for (size_t i = 0; i < entries.size(); ++i) {
      const WatchSpill& r = entries[i];
      if (i > 0 && entries[i - 1].digest == r.digest) {
        ++result.already_present;  // repeated within this input
        continue;
      }
      if (entry_sightings)
        if (auto s = hunt(*entry_sightings, r.digest, r.digest, 0, r.hint); !s) return Fail(s.error());
      std::string key = WatchKey(r.digest, name);
      while (existing->Valid() && existing->key().compare(key) < 0) existing->Next();
      if (existing->Valid() && existing->key() == key) {
        ++result.already_present;
        continue;
      }
      const std::string& label = r.label < labels_.size() ? labels_[r.label] : labels_[0];
      if (auto s = watch_sink.Put(key, WatchValue(static_cast<IdKind>(r.kind), label, probes ? r.probe : 0)); !s)
        return Fail(s.error());
      keys[written++] = IndexKeyOf(probes, r.probe, r.digest, /*hashed=*/false);
      ++result.added;
    }
    if (auto s = Take(variant_spill_, p, &variants); !s) return Fail(s.error());
    // Distributed by the ten key bits after the partition's six into runs of a few dozen
    // KiB, in key order, each then sorted and written while in cache (reading the records
    // of a whole partition in key order waited on memory for each).
    constexpr size_t kRuns = 1024;
    auto run_of = [](const VariantSpill& v) { return static_cast<size_t>(v.variant[0] & 3) << 8 | v.variant[1]; };
    size_t run_start[kRuns + 1] = {};
    for (const VariantSpill& v : variants) ++run_start[run_of(v) + 1];
    for (size_t r = 0; r < kRuns; ++r) run_start[r + 1] += run_start[r];
    size_t next[kRuns];
    std::copy(run_start, run_start + kRuns, next);
    scattered.resize(variants.size());
    for (const VariantSpill& v : variants) scattered[next[run_of(v)]++] = v;
    std::string value;
    for (size_t run = 0; run < kRuns; ++run) {
      // Sorted through an order of (first 8 key bytes, position) pairs: moving those costs
      // a fifth of moving the 73-byte records, and keyed digests rarely share 8 bytes.
      order.clear();
      for (size_t i = run_start[run]; i < run_start[run + 1]; ++i) {
        uint64_t prefix;
        std::memcpy(&prefix, scattered[i].variant.data(), 8);
        order.push_back({__builtin_bswap64(prefix), static_cast<uint32_t>(i)});
      }
      std::sort(order.begin(), order.end(), [&](const auto& x, const auto& y) {
        if (x.first != y.first) return x.first < y.first;
        return DigestLess(scattered[x.second].variant, scattered[y.second].variant);
      });
      for (size_t k = 0; k < order.size(); ++k) {
        const VariantSpill& v = scattered[order[k].second];
        // A repeated key is recognised by its prefix first.
        if (k > 0 && order[k - 1].first == order[k].first && scattered[order[k - 1].second].variant == v.variant) continue;
        if (variant_sightings)
          if (auto s = hunt(*variant_sightings, v.variant, v.primary, v.type, v.hint); !s) return Fail(s.error());
        keys[written++] = IndexKeyOf(probes, v.probe, v.variant, IsHashedVariant(static_cast<VariantType>(v.type)));
        VariantValueInto(&value, v.primary, static_cast<VariantType>(v.type), probes ? v.probe : 0);
        if (auto s = variant_sink.Put(AsView(v.variant), value); !s) return Fail(s.error());
      }
    }
  }
  if (!existing->status().ok()) return Fail(FromRocks(existing->status(), "reading watch entries"));
  if (auto s = watch_sink.Close(); !s) return Fail(s.error());
  if (auto s = variant_sink.Close(); !s) return Fail(s.error());
  *num_keys = written;
  return result;
}

Result<BulkEnrollResult> RocksBulkEnroller::Finish() {
  // Large inputs: one SST writer per thread over a contiguous range of partitions; the
  // ranges do not overlap, so all files are ingested together. Small inputs: one batch.
  const bool use_sst = count_ >= kSmallInput;
  const int ranges = use_sst ? static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u)) : 1;
  std::vector<std::unique_ptr<SortedSink>> watch_sinks, variant_sinks;
  std::vector<Result<BulkEnrollResult>> results(ranges, BulkEnrollResult{});
  // The index keys, in one buffer allocated once (fresh pages are dear): the old index's
  // first, then a slice for each range with room for every record of its partitions.
  auto old_index = store_->LoadWatchIndex();
  if (!old_index) return Fail(old_index.error());
  std::vector<size_t> slice(ranges + 1, old_index->size());
  for (int r = 0; r < ranges; ++r) {
    slice[r + 1] = slice[r];
    for (int p = kPartitions * r / ranges; p < kPartitions * (r + 1) / ranges; ++p) slice[r + 1] += RecordsIn(p);
  }
  std::unique_ptr<uint64_t[]> keys(new uint64_t[slice[ranges]]);
  old_index->CopyKeysTo(keys.get());
  *old_index = WatchIndex();
  std::vector<size_t> written(ranges, 0);
  std::vector<std::thread> threads;
  for (int r = 0; r < ranges; ++r) {
    std::string tag = std::to_string(r) + "-";
    watch_sinks.push_back(std::make_unique<SortedSink>(store_, kWatch, use_sst, dir_, "watch-" + tag));
    variant_sinks.push_back(std::make_unique<SortedSink>(store_, kVariant, use_sst, dir_, "variant-" + tag));
  }
  for (int r = 0; r < ranges; ++r) {
    int first = kPartitions * r / ranges, last = kPartitions * (r + 1) / ranges;
    threads.emplace_back([&, r, first, last] {
      results[r] = MergeRange(first, last, *watch_sinks[r], *variant_sinks[r], keys.get() + slice[r], &written[r]);
    });
  }
  for (auto& t : threads) t.join();
  entry_spill_.reset();  // every partition taken: their directories go now
  variant_spill_.reset();
  BulkEnrollResult total;
  for (auto& r : results) {
    if (!r) return Fail(r.error());
    total.added += r->added;
    total.already_present += r->already_present;
    total.retro.insert(total.retro.end(), r->retro.begin(), r->retro.end());
  }
  // The index as it was, plus what this enrollment adds. The generation moves before
  // the entries land: a crash in between leaves an index that no longer counts as
  // current, never a current one that misses entries.
  auto generation = store_->WatchGeneration();
  if (!generation) return Fail(generation.error());
  if (auto s = store_->PutMeta("watch_generation", std::to_string(*generation + 1)); !s) return Fail(s.error());

  // Variants first: a watch entry must never be visible without the keys that lead to it.
  if (auto s = SortedSink::CommitAll(variant_sinks); !s) return Fail(s.error());
  auto committed = SortedSink::CommitAll(watch_sinks);
  store_->WatchChanged();
  if (!committed) return Fail(committed.error());

  size_t num_keys = slice[0];  // the slices' keys moved together
  for (int r = 0; r < ranges; ++r) {
    std::memmove(keys.get() + num_keys, keys.get() + slice[r], written[r] * sizeof(uint64_t));
    num_keys += written[r];
  }
  WatchIndex index(std::span<uint64_t>(keys.get(), num_keys), store_->index_keying());
  keys.reset();  // before the file is written: its pages can reuse these
  if (auto s = index.Save(store_->index_path(), *generation + 1); !s) return Fail(s.error());

  const std::string& name = input_.watchlist;
  auto info = store_->GetWatchlist(name);
  if (!info) return Fail(info.error());
  WatchlistInfo w = info->value_or(WatchlistInfo{name, 0, 0, 0});
  if (w.created == 0) w.created = static_cast<UnixSeconds>(::time(nullptr));
  w.size += total.added;
  if (auto s = store_->Put(kWatchlists, name, EncodeWatchlist(w)); !s) return Fail(s.error());
  return total;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  if (options.create_schema < kOldestSchema || options.create_schema > kCurrentSchema)
    return Fail(Error::Internal("no store schema " + std::to_string(options.create_schema)));
  std::error_code ec;
  bool exists = fs::exists(dir + "/CURRENT", ec);
  if (!exists && !options.create_if_missing)
    return Fail(Error::NotFound("no leakwatch store in " + dir + " (run 'leakwatch init')"));

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  // Writers add the column families a store made by an older leakwatch lacks (sightings).
  db_options.create_missing_column_families = !options.read_only;
  db_options.keep_log_file_num = 5;
  db_options.max_background_jobs = 2;
  // All memtables together, whatever the number of column families: a breach-day scan
  // writes a million exposures, and the default (64 MiB per family, two each) would let
  // them hold half a gigabyte before a flush.
  db_options.db_write_buffer_size = 32 << 20;
  // The WAL holds everything written; RocksDB's own flush on close only adds a failure
  // point (and Debian's RocksDB 7.8 asserts when closing after a write error, e.g. a full
  // disk). A writer that wrote much flushes itself first (FlushLargeMemtables).
  db_options.avoid_flush_during_shutdown = true;
  // Every command opens the store: reading the properties of every SST file for
  // compaction statistics, on 16 threads, was most of an open's time.
  db_options.skip_stats_update_on_db_open = true;
  db_options.max_file_opening_threads = 2;
  db_options.info_log = std::make_shared<StderrErrorLogger>();

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  std::vector<int> opened;  // the Cf of each descriptor
  std::vector<std::string> present;
  if (options.read_only && !rocksdb::DB::ListColumnFamilies(db_options, dir, &present).ok()) present.clear();
  for (int i = 0; i < kNumCf; ++i) {
    if (options.read_only && IsSightingsCf(i) && std::find(present.begin(), present.end(), kCfNames[i]) == present.end())
      continue;
    cfs.emplace_back(kCfNames[i], CfOptions(i));
    opened.push_back(i);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  std::unique_ptr<FileLock> lock;
  std::string secondary_dir;

  if (options.read_only) {
    // A secondary instance reads consistently while a writer runs (a read-only instance
    // beside a writer is undefined behaviour per rocksdb/db.h).
    char tmpl[] = "/tmp/leakwatch-reader-XXXXXX";
    if (!::mkdtemp(tmpl)) return Fail(Error::IO(std::string("mkdtemp: ") + std::strerror(errno)));
    secondary_dir = tmpl;
    db_options.max_open_files = -1;
    auto s = rocksdb::DB::OpenAsSecondary(db_options, dir, secondary_dir, cfs, &handles, &db);
    if (!s.ok()) {
      fs::remove_all(secondary_dir, ec);
      return Fail(FromRocks(s, "opening the store in " + dir));
    }
  } else {
    fs::create_directories(dir, ec);
    auto l = FileLock::Acquire(dir + ".lock");
    if (!l) return Fail(l.error());
    lock = std::move(*l);
    RemoveLeftovers(fs::path(dir).parent_path());
    auto s = rocksdb::DB::Open(db_options, dir, cfs, &handles, &db);
    if (!s.ok()) return Fail(FromRocks(s, "opening the store in " + dir));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> by_cf(kNumCf, nullptr);
  for (size_t k = 0; k < opened.size() && k < handles.size(); ++k) by_cf[opened[k]] = handles[k];
  handles = std::move(by_cf);
  auto store = std::make_unique<RocksStore>(std::move(lock), db, std::move(handles), std::move(secondary_dir),
                                            options.read_only, dir + ".index");
  auto version = store->GetMeta("schema_version");
  if (!version) return Fail(version.error());
  int schema = 0;
  if (!*version) {
    if (options.read_only) return Fail(Error::Corruption("store in " + dir + " has no schema version"));
    schema = options.create_schema;
    if (auto s = store->PutMeta("schema_version", std::to_string(schema)); !s) return Fail(s.error());
    if (schema >= 4)
      if (auto s = store->PutMeta("exposure_counts", EncodeExposureCounts({})); !s) return Fail(s.error());
  } else {
    for (int v = kOldestSchema; v <= kCurrentSchema; ++v)
      if (**version == std::to_string(v)) schema = v;
    if (schema == 0) {
      std::string readable;  // "1, 2 and 3"
      for (int v = kOldestSchema; v <= kCurrentSchema; ++v)
        readable += (v == kOldestSchema ? "" : v == kCurrentSchema ? " and " : ", ") + std::to_string(v);
      return Fail(Error::Corruption("store in " + dir + " has schema version " + **version +
                                    "; this leakwatch reads " + readable));
    }
  }
  store->set_schema(schema);
  if (!options.read_only) {
    store->TrimEmptyWals(dir);
  }
  return std::unique_ptr<Store>(std::move(store));
}

std::array<uint8_t, 16> ExposureIdBytes(const Digest& identifier, const std::string& content_digest_hex) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, identifier.data(), identifier.size());
  SHA256_Update(&ctx, content_digest_hex.data(), content_digest_hex.size());
  uint8_t out[32];
  SHA256_Final(out, &ctx);
  std::array<uint8_t, 16> id;
  std::copy_n(out, id.size(), id.begin());
  return id;
}

std::string ExposureId(const Digest& identifier, const std::string& content_digest_hex) {
  const std::array<uint8_t, 16> id = ExposureIdBytes(identifier, content_digest_hex);
  return ToHex(id.data(), id.size());
}

}  // namespace lw
