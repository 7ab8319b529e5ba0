#include "store/sightings_table.h"

#include <rocksdb/convenience.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>
#include <atomic>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace lw::store_internal {
namespace {

Error FromRocksStatus(const rocksdb::Status& s, const std::string& what) {
  std::string msg = what + ": " + s.ToString();
  if (s.IsCorruption()) return Error::Corruption(msg);
  return Error::IO(msg);
}

void AppendBig32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void StoreBig32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * (3 - i)));
}
uint32_t LoadBig32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}

constexpr char kNextDocument[] = "next_document";

// LZ4 when this RocksDB has it (a few times faster than ZSTD to write), else none.
rocksdb::CompressionType FastCompression() {
  static const rocksdb::CompressionType type = [] {
    for (auto t : rocksdb::GetSupportedCompressions())
      if (t == rocksdb::kLZ4Compression) return t;
    return rocksdb::kNoCompression;
  }();
  return type;
}

}  // namespace

rocksdb::ColumnFamilyOptions SightingsCfOptions() {
  rocksdb::ColumnFamilyOptions o;
  o.compression = rocksdb::kZSTD;
  o.bottommost_compression = rocksdb::kZSTD;
  rocksdb::BlockBasedTableOptions t;
  t.block_size = 16 << 10;  // larger blocks compress the non-random bytes better
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

std::string SightingKey(const SightingFingerprint& fp, uint32_t document) {
  std::string key(reinterpret_cast<const char*>(fp.data()), fp.size());
  AppendBig32(&key, document);
  return key;
}

std::string DocumentKey(uint32_t number) {
  std::string key(1, 'n');
  AppendBig32(&key, number);
  return key;
}

std::string ContentKey(const std::string& digest) { return "c" + digest; }

std::string EncodeDocument(const DocumentRecord& d) {
  return nlohmann::json{{"content", d.content_digest}, {"source", d.source},         {"location", d.location},
                        {"first_seen", d.first_seen},  {"last_seen", d.last_seen}}
      .dump();
}

Result<DocumentRecord> DecodeDocument(uint32_t number, std::string_view value) {
  auto j = nlohmann::json::parse(value, nullptr, false);
  if (!j.is_object()) return Fail(Error::Corruption("bad document record"));
  try {
    DocumentRecord d;
    d.number = number;
    d.content_digest = j.at("content").get<std::string>();
    d.source = j.at("source").get<std::string>();
    d.location = j.at("location").get<std::string>();
    d.first_seen = j.at("first_seen").get<int64_t>();
    d.last_seen = j.at("last_seen").get<int64_t>();
    return d;
  } catch (const nlohmann::json::exception& e) {
    return Fail(Error::Corruption(std::string("bad document record: ") + e.what()));
  }
}

Result<SightingsTable::Prepared> SightingsTable::Known(std::string_view content_value, const DocumentRecord& doc) {
  if (content_value.size() != 5) return Fail(Error::Corruption("bad document content key"));
  const uint32_t number = LoadBig32(content_value.data());
  std::string record;
  auto s = db_->Get(rocksdb::ReadOptions(), documents_, DocumentKey(number), &record);
  if (!s.ok()) return Fail(FromRocksStatus(s, "reading document " + std::to_string(number)));
  auto d = DecodeDocument(number, record);
  if (!d) return Fail(d.error());
  Prepared p;
  p.record = std::move(*d);
  p.record.last_seen = std::max(p.record.last_seen, doc.last_seen);
  p.write_sightings = content_value[4] == 0;  // left incomplete
  return p;
}

Result<uint32_t> SightingsTable::NextNumber() {
  if (!next_number_) {  // read once: this process is the store's only writer
    std::string value;
    auto s = db_->Get(rocksdb::ReadOptions(), meta_, kNextDocument, &value);
    if (!s.ok() && !s.IsNotFound()) return Fail(FromRocksStatus(s, "reading meta"));
    next_number_ = s.ok() ? static_cast<uint32_t>(std::stoul(value)) : 1;
  }
  // A number whose write fails is not handed out again: numbers need only be distinct.
  const uint32_t number = (*next_number_)++;
  if (number == 0) return Fail(Error::Internal("document numbers exhausted"));  // 2^32 documents
  return number;
}

void SightingsTable::PutComplete(const DocumentRecord& record, rocksdb::WriteBatch* batch) {
  std::string content_value;
  AppendBig32(&content_value, record.number);
  content_value.push_back(1);  // complete
  batch->Put(documents_, ContentKey(record.content_digest), content_value);
  batch->Put(documents_, DocumentKey(record.number), EncodeDocument(record));
}

Result<SightingsTable::Prepared> SightingsTable::Prepare(const DocumentRecord& doc, size_t sightings,
                                                         rocksdb::WriteBatch* batch,
                                                         const std::function<Status(rocksdb::WriteBatch*)>& write) {
  if (!available()) return Fail(Error::Internal("the store has no sightings column families"));
  Prepared p;
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), documents_, ContentKey(doc.content_digest), &value);
  if (!s.ok() && !s.IsNotFound()) return Fail(FromRocksStatus(s, "reading documents"));
  if (s.ok()) {
    auto known = Known(value, doc);
    if (!known) return Fail(known.error());
    if (!known->write_sightings) batch->Put(documents_, DocumentKey(known->record.number), EncodeDocument(known->record));
    return known;
  }
  auto next = NextNumber();
  if (!next) return Fail(next.error());
  const uint32_t number = *next;
  p.record = doc;
  p.record.number = number;
  p.write_sightings = true;
  if (sightings <= kBatchSightings) {
    // All in `batch`, which AddSightings completes with the document's records: nothing
    // is ever seen half written, so no incomplete mark (two keys fewer per document).
    batch->Put(meta_, kNextDocument, std::to_string(number + 1));
    return p;
  }
  std::string content_value;
  AppendBig32(&content_value, number);
  content_value.push_back(0);  // incomplete until the sightings are in
  rocksdb::WriteBatch first;
  first.Put(meta_, kNextDocument, std::to_string(number + 1));
  first.Put(documents_, ContentKey(doc.content_digest), content_value);
  first.Put(documents_, DocumentKey(number), EncodeDocument(p.record));
  if (auto w = write(&first); !w) return Fail(w.error());
  return p;
}

Status SightingsTable::WriteTable(uint32_t number, const SightingChunks& chunks, const std::string& temp_dir,
                                  std::string* path) {
  static std::atomic<uint64_t> counter{0};
  *path = temp_dir + "/sightings-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".sst";
  rocksdb::Options o(rocksdb::DBOptions(), SightingsCfOptions());
  // Fast now (a table file writer takes the bottommost compression, ZSTD, otherwise);
  // compaction recompresses with ZSTD.
  o.compression = o.bottommost_compression = FastCompression();
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), o, sightings_);
  // A status of this call's own: two threads writing parts once kept theirs side by side,
  // and a write per key by both made the cache line bounce between the cores.
  rocksdb::Status s = writer.Open(*path);
  char key[kSightingFingerprintBytes + 4];  // the fingerprint, then the number (fixed)
  StoreBig32(key + kSightingFingerprintBytes, number);
  uint64_t written = 0;
  Status given = chunks([&](std::span<const Sighting> run) -> Status {
    for (size_t i = 0; s.ok() && i < run.size(); ++i) {
      std::memcpy(key, run[i].fingerprint.data(), kSightingFingerprintBytes);
      const char v = static_cast<char>(run[i].flags);
      s = writer.Put(rocksdb::Slice(key, sizeof key), rocksdb::Slice(&v, 1));
    }
    written += run.size();
    if (!s.ok()) return Fail(FromRocksStatus(s, "writing " + *path));
    return Ok();
  });
  if (!given) return given;
  if (written == 0) {  // a table file of no keys cannot be finished: none
    std::error_code ec;
    std::filesystem::remove(*path, ec);
    path->clear();
    return Ok();
  }
  s = writer.Finish();
  if (!s.ok()) return Fail(FromRocksStatus(s, "writing " + *path));
  return Ok();
}

Status SightingsTable::IngestTables(const std::vector<std::string>& paths, const std::vector<Status>& written) {
  Status result = Ok();
  for (const Status& w : written)
    if (result && !w) result = w;
  std::vector<std::string> tables;
  for (const std::string& path : paths)
    if (!path.empty()) tables.push_back(path);
  if (result && !tables.empty()) {
    rocksdb::IngestExternalFileOptions io;
    io.move_files = true;
    auto s = db_->IngestExternalFile(sightings_, tables, io);
    if (!s.ok()) result = Fail(FromRocksStatus(s, "ingesting a document's sightings"));
  }
  std::error_code ec;
  for (const std::string& path : tables) std::filesystem::remove(path, ec);  // gone already when ingested (moved)
  return result;
}

Status SightingsTable::AddSightings(const Prepared& p, std::span<const Sighting> sightings, const std::string& temp_dir,
                                    rocksdb::WriteBatch* batch) {
  if (!p.write_sightings) return Ok();
  const uint32_t number = p.record.number;
  if (sightings.size() > kBatchSightings) {
    // Sorted table files, ingested: a WriteBatch of millions of keys costs seconds of
    // memtable inserts and a flush. Two threads write the two halves of the key range.
    const size_t parts = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 2);
    std::vector<std::string> paths(parts);
    std::vector<Status> written(parts, Ok());
    auto write_part = [&](size_t part) {
      const size_t from = sightings.size() * part / parts, to = sightings.size() * (part + 1) / parts;
      const std::span<const Sighting> run = sightings.subspan(from, to - from);
      written[part] = WriteTable(number, [&](const auto& each) { return each(run); }, temp_dir, &paths[part]);
    };
    std::vector<std::thread> threads;
    for (size_t part = 1; part < parts; ++part) threads.emplace_back(write_part, part);
    write_part(0);
    for (auto& t : threads) t.join();
    if (auto s = IngestTables(paths, written); !s) return s;
  } else {
    char key[kSightingFingerprintBytes + 4];
    StoreBig32(key + kSightingFingerprintBytes, number);
    for (const Sighting& g : sightings) {
      std::memcpy(key, g.fingerprint.data(), kSightingFingerprintBytes);
      char v = static_cast<char>(g.flags);
      batch->Put(sightings_, rocksdb::Slice(key, sizeof key), rocksdb::Slice(&v, 1));
    }
  }
  PutComplete(p.record, batch);
  return Ok();
}

Status SightingsTable::AddSightingChunks(const Prepared& p, const SightingChunks& chunks, const std::string& temp_dir,
                                         rocksdb::WriteBatch* batch) {
  if (!p.write_sightings) return Ok();
  std::string path;
  Status written = WriteTable(p.record.number, chunks, temp_dir, &path);
  if (auto s = IngestTables({path}, {written}); !s) return s;
  PutComplete(p.record, batch);
  return Ok();
}

Status SightingsTable::AddDocuments(std::span<const DocumentWithSightings> documents, rocksdb::WriteBatch* batch) {
  struct Entry {
    Prepared prepared;
    std::span<const Sighting> sightings;
  };
  std::vector<Entry> entries;
  std::unordered_map<std::string_view, size_t> by_content;  // a content given twice is one document
  for (const DocumentWithSightings& d : documents) {
    if (d.sightings.size() > kBatchSightings) return Fail(Error::Internal("a large document in a group"));
    if (auto it = by_content.find(d.document.content_digest); it != by_content.end()) {
      DocumentRecord& r = entries[it->second].prepared.record;
      r.last_seen = std::max(r.last_seen, d.document.last_seen);
      continue;
    }
    by_content.emplace(d.document.content_digest, entries.size());
    entries.push_back({{d.document, true}, d.sightings});
  }
  // Which contents the store knows: one MultiGet for them all.
  std::vector<std::string> content_keys;
  content_keys.reserve(entries.size());
  for (const Entry& e : entries) content_keys.push_back(ContentKey(e.prepared.record.content_digest));
  std::vector<rocksdb::Slice> slices(content_keys.begin(), content_keys.end());
  std::vector<rocksdb::ColumnFamilyHandle*> families(entries.size(), documents_);
  std::vector<std::string> values;
  const std::vector<rocksdb::Status> found = db_->MultiGet(rocksdb::ReadOptions(), families, slices, &values);
  bool numbered = false;
  size_t total = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    Prepared& p = entries[i].prepared;
    if (found[i].ok()) {  // seen before: its record's last_seen moves on
      auto known = Known(values[i], p.record);
      if (!known) return Fail(known.error());
      p = std::move(*known);
    } else if (found[i].IsNotFound()) {
      auto next = NextNumber();
      if (!next) return Fail(next.error());
      p.record.number = *next;
      numbered = true;
    } else {
      return Fail(FromRocksStatus(found[i], "reading documents"));
    }
    if (p.write_sightings) total += entries[i].sightings.size();
  }
  if (numbered) batch->Put(meta_, kNextDocument, std::to_string(*next_number_));
  // The sightings of all of them in key order: each memtable insert then starts near the
  // previous one.
  struct Key {
    std::array<char, kSightingFingerprintBytes + 4> bytes;
    char flags;
  };
  std::vector<Key> keys;
  keys.reserve(total);
  for (const Entry& e : entries) {
    if (!e.prepared.write_sightings) continue;
    for (const Sighting& g : e.sightings) {
      Key& k = keys.emplace_back();
      std::memcpy(k.bytes.data(), g.fingerprint.data(), kSightingFingerprintBytes);
      const uint32_t n = e.prepared.record.number;
      StoreBig32(k.bytes.data() + kSightingFingerprintBytes, n);
      k.flags = static_cast<char>(g.flags);
    }
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    return std::memcmp(a.bytes.data(), b.bytes.data(), a.bytes.size()) < 0;
  });
  for (const Key& k : keys)
    batch->Put(sightings_, rocksdb::Slice(k.bytes.data(), k.bytes.size()), rocksdb::Slice(&k.flags, 1));
  for (const Entry& e : entries) {
    if (e.prepared.write_sightings)
      PutComplete(e.prepared.record, batch);
    else
      batch->Put(documents_, DocumentKey(e.prepared.record.number), EncodeDocument(e.prepared.record));
  }
  return Ok();
}

Result<std::optional<DocumentRecord>> SightingsTable::Get(uint32_t number) {
  if (!available()) return std::optional<DocumentRecord>();
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), documents_, DocumentKey(number), &value);
  if (s.IsNotFound()) return std::optional<DocumentRecord>();
  if (!s.ok()) return Fail(FromRocksStatus(s, "reading documents"));
  auto d = DecodeDocument(number, value);
  if (!d) return Fail(d.error());
  return std::optional<DocumentRecord>(std::move(*d));
}

Result<SightingsStats> SightingsTable::Stats() {
  SightingsStats st;
  if (!available()) return st;
  auto bytes = [&](rocksdb::ColumnFamilyHandle* cf) {
    uint64_t sst = 0, mem = 0;
    db_->GetIntProperty(cf, rocksdb::DB::Properties::kTotalSstFilesSize, &sst);
    db_->GetIntProperty(cf, rocksdb::DB::Properties::kCurSizeAllMemTables, &mem);
    return sst + mem;
  };
  st.sighting_bytes = bytes(sightings_);
  st.document_bytes = bytes(documents_);
  // Exact counts: a walk of the keys (documents are few; sightings are counted from the
  // table properties when they are many).
  uint64_t estimate = 0;
  db_->GetIntProperty(sightings_, rocksdb::DB::Properties::kEstimateNumKeys, &estimate);
  if (estimate < (4u << 20)) {
    estimate = 0;
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, sightings_));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++estimate;
    if (!it->status().ok()) return Fail(FromRocksStatus(it->status(), "reading sightings"));
  }
  st.sightings = estimate;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), documents_));
  for (it->Seek("n"); it->Valid() && it->key().starts_with("n"); it->Next()) ++st.documents;
  if (!it->status().ok()) return Fail(FromRocksStatus(it->status(), "reading documents"));
  return st;
}

Status SightingsTable::Compact() {
  if (!available()) return Ok();
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* cf : {sightings_, documents_}) {
    auto s = db_->CompactRange(co, cf, nullptr, nullptr);
    if (!s.ok()) return Fail(FromRocksStatus(s, "compacting sightings"));
  }
  return Ok();
}

Status SightingsTable::Prune(UnixSeconds cutoff, bool dry_run, const std::function<Status(rocksdb::WriteBatch*)>& write,
                             uint64_t* documents, uint64_t* sightings) {
  if (!available()) return Ok();
  std::vector<bool> gone;  // by document number
  rocksdb::WriteBatch batch;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), documents_));
    for (it->Seek("n"); it->Valid() && it->key().starts_with("n"); it->Next()) {
      if (it->key().size() != 5) return Fail(Error::Corruption("bad document key"));
      const uint32_t number = LoadBig32(it->key().data() + 1);
      auto d = DecodeDocument(number, it->value().ToStringView());
      if (!d) return Fail(d.error());
      if (d->last_seen >= cutoff) continue;
      ++*documents;
      if (gone.size() <= number) gone.resize(number + 1);
      gone[number] = true;
      batch.Delete(documents_, it->key());
      batch.Delete(documents_, ContentKey(d->content_digest));
    }
    if (!it->status().ok()) return Fail(FromRocksStatus(it->status(), "reading documents"));
  }
  if (*documents == 0) return Ok();
  // Sightings first, the documents last: a crash in between leaves documents whose
  // sightings are partly gone, which the next prune finishes.
  rocksdb::WriteBatch deletes;
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, sightings_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != kSightingFingerprintBytes + 4) continue;
    const uint32_t number = LoadBig32(k.data() + kSightingFingerprintBytes);
    if (number >= gone.size() || !gone[number]) continue;
    ++*sightings;
    if (dry_run) continue;
    deletes.Delete(sightings_, k);
    if (deletes.Count() >= 65536) {
      if (auto s = write(&deletes); !s) return s;
      deletes.Clear();
    }
  }
  if (!it->status().ok()) return Fail(FromRocksStatus(it->status(), "reading sightings"));
  if (dry_run) return Ok();
  if (deletes.Count() > 0)
    if (auto s = write(&deletes); !s) return s;
  return write(&batch);
}

SightingsTable::Cursor::Cursor(SightingsTable& t) {
  if (!t.available()) return;
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;  // one walk; its blocks are not read again
  it_.reset(t.db_->NewIterator(ro, t.sightings_));
}

Status SightingsTable::Cursor::Find(const SightingFingerprint& fp, const std::function<void(uint32_t, uint8_t)>& fn) {
  if (!it_) return Ok();
  const rocksdb::Slice target(reinterpret_cast<const char*>(fp.data()), fp.size());
  auto prefix_of = [&] { return rocksdb::Slice(it_->key().data(), std::min(it_->key().size(), fp.size())); };
  if (!positioned_) {
    it_->Seek(target);
    positioned_ = true;
  } else if (it_->Valid() && prefix_of().compare(target) < 0) {
    // Close keys are a few steps on; far ones a seek.
    int steps = 0;
    while (it_->Valid() && prefix_of().compare(target) < 0 && steps++ < 4) it_->Next();
    if (it_->Valid() && prefix_of().compare(target) < 0) it_->Seek(target);
  }
  while (it_->Valid() && it_->key().size() == fp.size() + 4 && it_->key().starts_with(target)) {
    const char* k = it_->key().data();
    const uint8_t flags = it_->value().size() > 0 ? static_cast<uint8_t>(it_->value()[0]) : 0;
    fn(LoadBig32(k + fp.size()), flags);
    it_->Next();
  }
  if (!it_->status().ok()) return Fail(FromRocksStatus(it_->status(), "reading sightings"));
  return Ok();
}

}  // namespace lw::store_internal
