#include "store/store.h"
#include "store/codec.h"
#include "store/exposure_json.h"
#include "scratch_store.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>

namespace fs = std::filesystem;
using namespace lw;

namespace {

// A stand-in for KeyedHasher::Probe in tests that make up digests: any nonzero value
// derived from the digest.
uint64_t ProbeOf(const Digest& d) { return WatchIndex::Fingerprint(d) ^ 0x5A5A5A5A5A5A5A5Aull | 1; }

EnrollRecord Entry(const Digest& d, IdKind kind = IdKind::kEmail, uint32_t label = 0, uint32_t line = 0) {
  return {d, kind, label, line, ProbeOf(d)};
}
VariantRecord Variant(const Digest& v, const Digest& primary, VariantType type) {
  return {v, primary, type, ProbeOf(v)};
}

std::unique_ptr<Store> OpenWriter(const std::string& dir, int schema = kCurrentSchema) {
  StoreOptions o;
  o.create_if_missing = true;
  o.create_schema = schema;
  auto s = Store::Open(dir, o);
  REQUIRE(s);
  return std::move(*s);
}

Exposure MakeExposure(const Digest& ident, const std::string& content, UnixSeconds t) {
  Exposure e;
  e.identifier = ident;
  e.content_digest = content;
  e.id = ExposureId(ident, content);
  e.watchlists = {"execs"};
  e.labels = {"ceo"};
  e.hint = "l***i@icloud.com";
  e.source = "scan";
  e.location = "/tmp/dump.txt";
  e.first_seen = e.last_seen = t;
  e.severity = "credential";
  e.match = "exact";
  return e;
}

}  // namespace

TEST_CASE("store: missing store is a clear error") {
  TempDir tmp;
  auto s = Store::Open(tmp.path + "/store", {});
  REQUIRE(!s);
  CHECK(s.error().code == Error::Code::kNotFound);
}

TEST_CASE("store: bulk enrollment, small and SST paths, counts and idempotency") {
  // Table files are written past the page cache where the file system allows it, through
  // it where not (tmpfs: /dev/shm).
  const std::string parent = GENERATE(as<std::string>{}, "", "/dev/shm");
  if (!parent.empty() && !fs::is_directory(parent)) {
    WARN("no " << parent << ": not tried");
    return;
  }
  INFO("under " << (parent.empty() ? "the temporary directory" : parent));
  TempDir tmp(parent);
  auto store = OpenWriter(tmp.path + "/store");
  std::mt19937_64 rng(42);
  for (size_t n : {size_t{10}, size_t{150000}}) {
    INFO(n);
    std::string name = "list" + std::to_string(n);
    std::vector<Digest> digests, variant_digests;
    for (size_t i = 0; i < n; ++i) digests.push_back(RandomDigest(rng));
    for (size_t i = 0; i < n; ++i) variant_digests.push_back(RandomDigest(rng));
    {
      auto bulk = store->StartBulkEnroll({name, tmp.path});
      REQUIRE(bulk);
      uint32_t label = (*bulk)->InternLabel("vip");
      for (size_t i = 0; i < n; ++i) {
        REQUIRE((*bulk)->Add(Entry(digests[i], IdKind::kEmail, i == 0 ? label : 0u, static_cast<uint32_t>(i + 1))));
        REQUIRE((*bulk)->AddVariant(Variant(variant_digests[i], digests[i], VariantType::kMd5)));
      }
      REQUIRE((*bulk)->Add(Entry(digests[0])));  // repeated in the same input
      REQUIRE((*bulk)->AddVariant(Variant(variant_digests[n - 1], digests[n - 1], VariantType::kMd5)));  // the same
      auto r = (*bulk)->Finish();
      REQUIRE(r);
      CHECK(r->added == n);
      CHECK(r->already_present == 1);
    }
    // Every variant leads to its identifier, and the index holds every key.
    size_t unresolved = 0;
    for (size_t i = 0; i < n; ++i) {
      auto v = store->ResolveVariant(variant_digests[i]);
      REQUIRE(v);
      unresolved += !*v || (*v)->primary != digests[i] || (*v)->type != VariantType::kMd5;
    }
    CHECK(unresolved == 0);
    auto index = store->LoadWatchIndex();
    REQUIRE(index);
    size_t missing = 0;
    for (size_t i = 0; i < n; ++i) {
      missing += !index->Contains(WatchIndex::Key(ProbeOf(digests[i]), /*hashed=*/false));
      missing += !index->Contains(WatchIndex::Key(ProbeOf(variant_digests[i]), /*hashed=*/true));
    }
    CHECK(missing == 0);
    {
      auto bulk = store->StartBulkEnroll({name, tmp.path});
      REQUIRE(bulk);
      for (size_t i = 0; i < n; i += 2) REQUIRE((*bulk)->Add(Entry(digests[i])));
      auto r = (*bulk)->Finish();
      REQUIRE(r);
      CHECK(r->added == 0);
      CHECK(r->already_present == (n + 1) / 2);
    }
    auto members = store->Memberships(digests[0]);
    REQUIRE(members);
    REQUIRE(members->size() == 1);
    CHECK((*members)[0].watchlist == name);
    CHECK((*members)[0].label == "vip");
    auto info = store->GetWatchlist(name);
    REQUIRE(info);
    REQUIRE(*info);
    CHECK((*info)->size == n);
  }
  size_t watch = 0, variants = 0;
  REQUIRE(store->ForEachDigest([&](const Digest&, bool v) { (v ? variants : watch)++; }));
  CHECK(watch == 150010);
  CHECK(variants == 150010);
  CHECK(tmp.path.size() > 0);
  // No enrollment leftovers in the temp dir.
  for (auto& entry : fs::directory_iterator(tmp.path)) CHECK(entry.path().filename().string().starts_with("store"));
}

TEST_CASE("store: variants resolve, unenroll removes") {
  TempDir tmp;
  auto store = OpenWriter(tmp.path + "/store");
  std::mt19937_64 rng(7);
  Digest primary = RandomDigest(rng), alias = RandomDigest(rng);
  auto bulk = store->StartBulkEnroll({"execs", tmp.path});
  REQUIRE(bulk);
  REQUIRE((*bulk)->Add(Entry(primary, IdKind::kEmail, 0, 1)));
  REQUIRE((*bulk)->AddVariant(Variant(alias, primary, VariantType::kAlias)));
  REQUIRE((*bulk)->Finish());
  auto v = store->ResolveVariant(alias);
  REQUIRE(v);
  REQUIRE(*v);
  CHECK((*v)->primary == primary);
  CHECK((*v)->type == VariantType::kAlias);
  auto none = store->ResolveVariant(primary);
  REQUIRE(none);
  CHECK(!*none);
  auto removed = store->Unenroll("execs", {primary, RandomDigest(rng)});
  REQUIRE(removed);
  CHECK(*removed == 1);
  CHECK(store->Memberships(primary)->empty());
  CHECK((*store->GetWatchlist("execs"))->size == 0);
}

TEST_CASE("store: exposures round trip; the same content only moves last_seen") {
  const int schema = GENERATE(3, 4);  // JSON values, compact ones
  INFO("schema " << schema);
  TempDir tmp;
  auto store = OpenWriter(tmp.path + "/store", schema);
  std::mt19937_64 rng(9);
  Digest ident = RandomDigest(rng);
  auto bulk = store->StartBulkEnroll({"execs", tmp.path});
  REQUIRE((*bulk)->Add(Entry(ident, IdKind::kEmail, 0, 1)));
  REQUIRE((*bulk)->Finish());

  auto r1 = store->RecordExposure(MakeExposure(ident, "c1", 1000));
  REQUIRE(r1);
  CHECK(r1->is_new);
  auto r2 = store->RecordExposure(MakeExposure(ident, "c1", 2000));
  REQUIRE(r2);
  CHECK(!r2->is_new);
  CHECK(r2->id == r1->id);
  auto r3 = store->RecordExposure(MakeExposure(ident, "c2", 3000));
  REQUIRE(r3);
  CHECK(r3->is_new);

  auto of = store->ExposuresOf(ident);
  REQUIRE(of);
  REQUIRE(of->size() == 2);
  CHECK((*of)[0].first_seen == 1000);
  CHECK((*of)[0].last_seen == 2000);
  CHECK((*of)[0].severity == "credential");
  CHECK((*of)[0].labels == std::vector<std::string>{"ceo"});
  CHECK((*of)[1].first_seen == 3000);
  auto since = store->ExposuresSince(2500);
  REQUIRE(since);
  REQUIRE(since->size() == 1);
  CHECK((*since)[0].id == r3->id);
  CHECK((*store->GetWatchlist("execs"))->last_exposure == 3000);
  auto outbox = store->Outbox();
  REQUIRE(outbox);
  CHECK(outbox->size() == 2);  // one entry per new exposure, written with it
}

TEST_CASE("store: a document's exposures are recorded in one batch, old and new mixed") {
  const int schema = GENERATE(3, 4);
  INFO("schema " << schema);
  TempDir tmp;
  auto store = OpenWriter(tmp.path + "/store", schema);
  std::mt19937_64 rng(10);
  Digest a = RandomDigest(rng), b = RandomDigest(rng), c = RandomDigest(rng);
  auto bulk = store->StartBulkEnroll({"execs", tmp.path});
  for (const Digest& d : {a, b, c}) REQUIRE((*bulk)->Add(Entry(d, IdKind::kEmail, 0, 1)));
  REQUIRE((*bulk)->Finish());
  REQUIRE(store->RecordExposure(MakeExposure(a, "doc", 1000)));

  // a is known; b is new; c is new and given twice (a later sighting in the same batch).
  std::vector<Exposure> batch = {MakeExposure(a, "doc", 2000), MakeExposure(b, "doc", 2000),
                                 MakeExposure(c, "doc", 2000), MakeExposure(c, "doc", 2500)};
  auto r = store->RecordExposures(batch);
  REQUIRE(r);
  REQUIRE(r->size() == 4);
  CHECK(!(*r)[0].is_new);
  CHECK((*r)[1].is_new);
  CHECK((*r)[2].is_new);
  CHECK(!(*r)[3].is_new);
  CHECK((*r)[3].id == (*r)[2].id);

  auto ea = store->GetExposure(ExposureId(a, "doc"));
  REQUIRE(ea);
  REQUIRE(*ea);
  CHECK((*ea)->first_seen == 1000);
  CHECK((*ea)->last_seen == 2000);
  auto ec = store->GetExposure(ExposureId(c, "doc"));
  REQUIRE(ec);
  REQUIRE(*ec);
  CHECK((*ec)->first_seen == 2000);
  CHECK((*ec)->last_seen == 2500);
  CHECK((*store->GetWatchlist("execs"))->last_exposure == 2000);
  auto outbox = store->Outbox();
  REQUIRE(outbox);
  CHECK(outbox->size() == 3);  // a, b, c: one each, c once
  auto since = store->ExposuresSince(1500);
  REQUIRE(since);
  CHECK(since->size() == 2);

  auto empty = store->RecordExposures({});
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("store: a large document's exposures are ingested at once, or not at all") {
  const int schema = GENERATE(3, 4);
  // The identifier-index keys in memory, or spilled to disk past 7 a part.
  const size_t keys_in_memory = GENERATE(Store::kLoadKeysInMemory, size_t{7});
  INFO("schema " << schema << ", " << keys_in_memory << " keys in memory");
  TempDir tmp;
  auto store = OpenWriter(tmp.path + "/store", schema);
  std::mt19937_64 rng(11);
  std::vector<Digest> ids;
  auto bulk = store->StartBulkEnroll({"execs", tmp.path});
  for (int i = 0; i < 300; ++i) {
    ids.push_back(RandomDigest(rng));
    REQUIRE((*bulk)->Add(Entry(ids.back(), IdKind::kEmail, 0, 1)));
  }
  REQUIRE((*bulk)->Finish());
  REQUIRE(store->RecordExposure(MakeExposure(ids[0], "doc", 1000)));  // known before
  std::vector<Exposure> all;
  for (const Digest& d : ids) all.push_back(MakeExposure(d, "doc", 2000));
  std::sort(all.begin(), all.end(), [](const Exposure& a, const Exposure& b) { return a.id < b.id; });

  {  // never committed (a crash, an error): nothing new is recorded
    auto load = store->StartExposureLoad();
    REQUIRE(load);
    REQUIRE((*load)->Add(std::span<const Exposure>(all).first(100)));
  }
  CHECK(store->ExposuresSince(0)->size() == 1);
  CHECK(store->Outbox()->size() == 1);

  // Two parts (the lower and upper half of the ids), each in batches, as the scanner gives them.
  auto load = store->StartExposureLoad(2, keys_in_memory);
  REQUIRE(load);
  size_t fresh = 0, again = 0;
  for (size_t part : {1, 0}) {
    const size_t begin = part * all.size() / 2, end = (part + 1) * all.size() / 2;
    for (size_t from = begin; from < end; from += 64) {
      auto r = (*load)->Add(std::span<const Exposure>(all).subspan(from, std::min<size_t>(64, end - from)), part);
      REQUIRE(r);
      for (const RecordResult& x : *r) (x.is_new ? fresh : again)++;
    }
  }
  CHECK(fresh == 299);
  CHECK(again == 1);
  CHECK(store->ExposuresSince(0)->size() == 1);  // not before the commit
  REQUIRE((*load)->Commit());
  CHECK(!(*load)->Commit());  // once

  auto since = store->ExposuresSince(0);
  REQUIRE(since);
  CHECK(since->size() == 300);
  auto known = store->GetExposure(ExposureId(ids[0], "doc"));
  REQUIRE(known);
  REQUIRE(*known);
  CHECK((*known)->first_seen == 1000);
  CHECK((*known)->last_seen == 2000);
  auto one = store->GetExposure(ExposureId(ids[7], "doc"));
  REQUIRE(*one);
  CHECK((*one)->first_seen == 2000);
  CHECK((*one)->hint == "l***i@icloud.com");
  CHECK((*one)->severity == "credential");
  auto of = store->ExposuresOf(ids[7]);
  REQUIRE(of);
  CHECK(of->size() == 1);
  CHECK(store->Outbox()->size() == 300);
  CHECK((*store->GetWatchlist("execs"))->last_exposure == 2000);
  CHECK(store->ExposuresSince(1500)->size() == 299);
  auto counts = store->CountExposures();
  REQUIRE(counts);
  CHECK(counts->total == 300);
  CHECK(counts->by_severity["credential"] == 300);
  // Every identifier's index key.
  size_t indexed = 0;
  for (const Digest& d : ids) indexed += store->ExposuresOf(d)->size();
  CHECK(indexed == 300);
  // No table file or spill is left beside the store.
  for (const auto& f : fs::directory_iterator(tmp.path)) {
    CHECK(f.path().extension() != ".sst");
    CHECK(f.path().filename().string().rfind("leakwatch-spill-", 0) != 0);
  }

  // A later small write and a re-open see the same.
  REQUIRE(store->RecordExposure(MakeExposure(RandomDigest(rng), "doc", 3000)));
  store.reset();
  store = OpenWriter(tmp.path + "/store", schema);
  CHECK(store->ExposuresSince(0)->size() == 301);
  CHECK(store->CountExposures()->total == 301);

  // Ids must ascend, with one first_seen, and parts follow each other.
  auto bad = store->StartExposureLoad();
  REQUIRE((*bad)->Add(std::span<const Exposure>(all).subspan(10, 1)));
  CHECK(!(*bad)->Add(std::span<const Exposure>(all).subspan(5, 1)));
  std::vector<Exposure> later = all;
  for (Exposure& e : later) e.content_digest = "later", e.id = ExposureId(e.identifier, "later"), e.first_seen = e.last_seen = 4000;
  std::sort(later.begin(), later.end(), [](const Exposure& a, const Exposure& b) { return a.id < b.id; });
  auto crossed = store->StartExposureLoad(2);
  REQUIRE((*crossed)->Add(std::span<const Exposure>(later).subspan(0, 10), 1));
  REQUIRE((*crossed)->Add(std::span<const Exposure>(later).subspan(10, 10), 0));
  CHECK(!(*crossed)->Commit());
  CHECK(store->ExposuresSince(0)->size() == 301);
}

TEST_CASE("store: one writer at a time; readers work beside it") {
  TempDir tmp;
  std::string dir = tmp.path + "/store";
  auto writer = OpenWriter(dir);
  REQUIRE(writer->PutMeta("probe", "1"));
  auto second = Store::Open(dir, {});
  REQUIRE(!second);
  CHECK(second.error().code == Error::Code::kBusy);
  StoreOptions ro;
  ro.read_only = true;
  auto reader = Store::Open(dir, ro);
  REQUIRE(reader);
  auto v = (*reader)->GetMeta("probe");
  REQUIRE(v);
  CHECK(v->value_or("") == "1");
  CHECK(!(*reader)->PutMeta("x", "y"));
  writer.reset();
  auto again = Store::Open(dir, {});
  CHECK(again);
}

TEST_CASE("store: sessions that write nothing do not pile up write-ahead logs") {
  // RocksDB 7.8 kept one empty WAL per such session: a quiet cron job would leave a
  // file behind every run.
  TempDir tmp;
  std::string dir = tmp.path + "/store";
  auto count_wals = [&] {
    size_t n = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir)) n += f.path().extension() == ".log";
    return n;
  };
  {
    auto writer = OpenWriter(dir);
    REQUIRE(writer->PutMeta("probe", "1"));
  }
  size_t most = 0;
  for (int i = 0; i < 30; ++i) {
    auto writer = Store::Open(dir, {});
    REQUIRE(writer);
    most = std::max(most, count_wals());
  }
  CHECK(most <= 10);
  CHECK(count_wals() <= 10);
  auto reopened = Store::Open(dir, {});
  REQUIRE(reopened);
  auto v = (*reopened)->GetMeta("probe");
  REQUIRE(v);
  CHECK(v->value_or("") == "1");  // nothing written was lost with the logs
}

TEST_CASE("store: a writer that recorded much leaves no long write-ahead log for readers") {
  // A reader replays the log at open: after a breach-sized scan it took seconds.
  TempDir tmp;
  std::string dir = tmp.path + "/store";
  auto wal_bytes = [&] {
    uintmax_t n = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir))
      if (f.path().extension() == ".log") n += f.file_size();
    return n;
  };
  std::mt19937_64 rng(3);
  {
    auto writer = OpenWriter(dir);
    std::vector<Exposure> batch;
    for (int i = 0; i < 40000; ++i) batch.push_back(MakeExposure(RandomDigest(rng), "doc", 1800000000));
    REQUIRE(writer->RecordExposures(batch));
    CHECK(wal_bytes() > (4u << 20));  // while it is open, the log holds them
  }
  CHECK(wal_bytes() < (1u << 20));
  auto reader = Store::Open(dir, {.read_only = true});
  REQUIRE(reader);
  auto all = (*reader)->ExposuresSince(0);
  REQUIRE(all);
  CHECK(all->size() == 40000);  // nothing was lost with the log
}

TEST_CASE("store: new stores are of schema 4; every store keeps its schema and content digest kind") {
  TempDir tmp;
  {
    StoreOptions o;
    o.create_if_missing = true;
    auto store = Store::Open(tmp.path + "/default", o);
    REQUIRE(store);
    CHECK((*store)->GetMeta("schema_version")->value_or("") == "4");
    CHECK((*store)->content_digest_kind() == ContentDigestKind::kKeyedHighway256);
  }
  for (int schema : {1, 2, 3, 4}) {
    INFO("schema " << schema);
    // Schemas 1 and 2 digest content with SHA-256 for good: a keyed digest would make
    // every exposure new again on the first scan after an upgrade.
    const ContentDigestKind kind = schema <= 2 ? ContentDigestKind::kSha256 : ContentDigestKind::kKeyedHighway256;
    std::string dir = tmp.path + "/s" + std::to_string(schema);
    {
      auto store = OpenWriter(dir, schema);
      CHECK((*store->GetMeta("schema_version")).value_or("") == std::to_string(schema));
      CHECK(store->content_digest_kind() == kind);
    }
    auto reopened = OpenWriter(dir);  // the option is for new stores only
    CHECK(reopened->content_digest_kind() == kind);
    CHECK((*reopened->GetMeta("schema_version")).value_or("") == std::to_string(schema));
    reopened.reset();
    StoreOptions ro;
    ro.read_only = true;
    auto reader = Store::Open(dir, ro);
    REQUIRE(reader);
    CHECK((*reader)->content_digest_kind() == kind);
  }
}

TEST_CASE("store: a store of a newer schema is refused, and so is an unknown schema to create") {
  TempDir tmp;
  std::string dir = tmp.path + "/store";
  REQUIRE(OpenWriter(dir)->PutMeta("schema_version", "5"));
  auto newer = Store::Open(dir, {});
  REQUIRE(!newer);
  CHECK(newer.error().code == Error::Code::kCorruption);
  CHECK_THAT(newer.error().message, Catch::Contains("schema version 5; this leakwatch reads 1, 2, 3 and 4"));
  for (int schema : {0, 5}) {
    StoreOptions o;
    o.create_if_missing = true;
    o.create_schema = schema;
    CHECK(!Store::Open(tmp.path + "/new", o));
    CHECK(!fs::exists(tmp.path + "/new"));
  }
}

TEST_CASE("store: the watch index follows enrollment and is saved beside the store") {
  // Schemas 2 and 3 key the index by the probes given at enrollment; schema 1 (stores
  // made before probes) by the digests.
  const int schema = GENERATE(1, 2, 3);
  INFO("schema " << schema);
  const bool schema_1 = schema == 1;
  TempDir tmp;
  std::string dir = tmp.path + "/store";
  std::mt19937_64 rng(11);
  std::vector<Digest> first, second;
  for (int i = 0; i < 1000; ++i) first.push_back(RandomDigest(rng));
  for (int i = 0; i < 1000; ++i) second.push_back(RandomDigest(rng));
  Digest variant = RandomDigest(rng), absent = RandomDigest(rng);
  auto key = [&](const Digest& d, bool hashed = false) {
    return WatchIndex::Key(schema_1 ? WatchIndex::Fingerprint(d) : ProbeOf(d), hashed);
  };
  {
    auto store = OpenWriter(dir, schema);
    CHECK(store->index_keying() == (schema_1 ? IndexKeying::kDigest : IndexKeying::kProbe));
    auto empty = store->LoadWatchIndex();
    REQUIRE(empty);
    CHECK(empty->size() == 0);
    auto bulk = store->StartBulkEnroll({"a", tmp.path});
    for (auto& d : first) REQUIRE((*bulk)->Add(Entry(d)));
    REQUIRE((*bulk)->AddVariant(Variant(variant, first[0], VariantType::kSha1)));
    REQUIRE((*bulk)->Finish());
    bulk = store->StartBulkEnroll({"b", tmp.path});
    for (auto& d : second) REQUIRE((*bulk)->Add(Entry(d, IdKind::kPhone)));
    REQUIRE((*bulk)->Finish());
  }
  REQUIRE(fs::exists(dir + ".index"));
  auto store = OpenWriter(dir);  // reopened: the schema is the store's, not the option's
  CHECK(store->index_keying() == (schema_1 ? IndexKeying::kDigest : IndexKeying::kProbe));
  auto index = store->LoadWatchIndex();
  REQUIRE(index);
  CHECK(index->keying() == store->index_keying());
  CHECK(index->size() == 2001);
  for (auto& d : first) CHECK(index->Contains(key(d)));
  for (auto& d : second) CHECK(index->Contains(key(d)));
  // The sha1 variant is held among hashed keys, and only a hex digest (a hashed
  // lookup) finds it; entries are found by plain lookups only.
  CHECK(index->Contains(key(variant, /*hashed=*/true)));
  CHECK(!index->Contains(key(variant)));
  CHECK(!index->Contains(key(first[0], /*hashed=*/true)));
  CHECK(!index->Contains(key(absent)));
  // The probes are kept in the entries (schemas 2 and 3) or not written at all (schema 1).
  auto members = store->Memberships(first[0]);
  REQUIRE(members);
  REQUIRE(members->size() == 1);
  CHECK((*members)[0].probe == (schema_1 ? 0 : ProbeOf(first[0])));
  auto v = store->ResolveVariant(variant);
  REQUIRE(v);
  REQUIRE(*v);
  CHECK((*v)->probe == (schema_1 ? 0 : ProbeOf(variant)));
  // A stale or damaged file is rebuilt from the store, never trusted.
  { std::ofstream(dir + ".index", std::ios::binary | std::ios::trunc) << "garbage"; }
  auto rebuilt = store->LoadWatchIndex();
  REQUIRE(rebuilt);
  CHECK(rebuilt->size() == 2001);
  for (auto& d : first) CHECK(rebuilt->Contains(key(d)));
  CHECK(rebuilt->Contains(key(second.back())));
  CHECK(rebuilt->Contains(key(variant, /*hashed=*/true)));
  CHECK(!rebuilt->Contains(key(variant)));
}

TEST_CASE("store: schemas 2 and 3 refuse entries without a probe") {
  const int schema = GENERATE(2, 3);
  INFO("schema " << schema);
  TempDir tmp;
  auto store = OpenWriter(tmp.path + "/store", schema);
  std::mt19937_64 rng(3);
  auto bulk = store->StartBulkEnroll({"a", tmp.path});
  REQUIRE(bulk);
  CHECK(!(*bulk)->Add({RandomDigest(rng), IdKind::kEmail, 0, 1}));
  CHECK(!(*bulk)->AddVariant({RandomDigest(rng), RandomDigest(rng), VariantType::kMd5}));
}

TEST_CASE("watch index: every fingerprint is found at full load, absent ones are not") {
  // 200k fingerprints at load 0.9 of a two-choice cuckoo table of 8-slot buckets: many
  // insertions find both buckets full and walk, which must lose nothing.
  // Each class of keys (the top bit, as WatchIndex::Key makes them) has its own part of
  // the table: one class alone, or both in different shares.
  const int hashed_percent = GENERATE(0, 25, 50, 100);
  INFO(hashed_percent << "% hashed keys");
  std::mt19937_64 rng(5);
  std::vector<uint64_t> fps(200000);
  for (auto& f : fps) {
    f = (rng() | 1) & ~(uint64_t{1} << 63);
    if (static_cast<int>(rng() % 100) < hashed_percent) f |= uint64_t{1} << 63;
  }
  std::vector<uint64_t> with_duplicates = fps;
  with_duplicates.insert(with_duplicates.end(), fps.begin(), fps.begin() + 1000);
  WatchIndex index(with_duplicates, IndexKeying::kProbe);
  CHECK(index.size() == fps.size());
  size_t missing = 0, false_positives = 0;
  for (uint64_t f : fps) missing += !index.Contains(f);
  for (int i = 0; i < 200000; ++i) false_positives += index.Contains(rng() | 1);
  CHECK(missing == 0);
  CHECK(false_positives == 0);  // about 2e5 * 16 / 2^64 expected
  // A key of the other class is another key.
  size_t crossed = 0;
  for (size_t i = 0; i < 1000; ++i) crossed += index.Contains(fps[i] ^ (uint64_t{1} << 63));
  CHECK(crossed == 0);
  std::vector<uint64_t> back(index.size());
  index.CopyKeysTo(back.data());
  std::sort(back.begin(), back.end());
  std::vector<uint64_t> want = fps;
  std::sort(want.begin(), want.end());
  CHECK(back == want);

  TempDir tmp;
  std::string path = tmp.path + "/x.index";
  REQUIRE(index.Save(path, 7));
  auto stale = WatchIndex::Load(path, 8, IndexKeying::kProbe);
  REQUIRE(stale);
  CHECK(!stale->has_value());
  auto other_keying = WatchIndex::Load(path, 7, IndexKeying::kDigest);
  REQUIRE(other_keying);
  CHECK(!other_keying->has_value());
  auto loaded = WatchIndex::Load(path, 7, IndexKeying::kProbe);
  REQUIRE(loaded);
  REQUIRE(loaded->has_value());
  CHECK((*loaded)->size() == fps.size());
  missing = 0;
  for (uint64_t f : fps) missing += !(*loaded)->Contains(f);
  CHECK(missing == 0);

  // An index saved by an older leakwatch (LWIDX5: one table for both classes) is rebuilt,
  // not taken.
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  {
    std::string v5 = bytes;
    v5[5] = '5';
    std::ofstream(path, std::ios::binary | std::ios::trunc) << v5;
    auto v5_loaded = WatchIndex::Load(path, 7, IndexKeying::kProbe);
    REQUIRE(v5_loaded);
    CHECK(!v5_loaded->has_value());
  }
  // Nor one with a smaller filter (10 bits per entry): built here with an all-zero
  // filter, it would miss everything.
  uint64_t num_blocks, size;
  std::memcpy(&size, bytes.data() + 24, 8);
  std::memcpy(&num_blocks, bytes.data() + 32, 8);
  REQUIRE(size == fps.size());
  const uint64_t old_blocks = (size * 10 + 511) / 512;
  REQUIRE(old_blocks < num_blocks);
  std::string old = bytes.substr(0, bytes.size() - num_blocks * 64) + std::string(old_blocks * 64, '\0');
  std::memcpy(old.data() + 32, &old_blocks, 8);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << old;
  auto older = WatchIndex::Load(path, 7, IndexKeying::kProbe);
  REQUIRE(older);
  CHECK(!older->has_value());
}

TEST_CASE("codec: the compact exposure form round-trips, and JSON values still decode") {
  std::mt19937_64 rng(21);
  Exposure e = MakeExposure(RandomDigest(rng), std::string(64, 'a'), 1700000000);
  e.last_seen = e.first_seen + 86400;
  e.kind = IdKind::kPhone;
  e.watchlists = {"execs", "staff"};
  e.labels = {};
  e.location = "/dumps/a.zip!users.sql";
  auto check = [](const Exposure& a, const Exposure& b) {
    CHECK(a.id == b.id);
    CHECK(a.identifier == b.identifier);
    CHECK(a.watchlists == b.watchlists);
    CHECK(a.labels == b.labels);
    CHECK(a.kind == b.kind);
    CHECK(a.hint == b.hint);
    CHECK(a.source == b.source);
    CHECK(a.location == b.location);
    CHECK(a.content_digest == b.content_digest);
    CHECK(a.first_seen == b.first_seen);
    CHECK(a.last_seen == b.last_seen);
    CHECK(a.severity == b.severity);
    CHECK(a.match == b.match);
  };
  for (const std::string& content : {std::string(64, 'a'), std::string("c1"), std::string(64, 'A')}) {
    for (const std::string severity : {"exposure", "credential", "something new"}) {
      for (const std::string match : {"exact", "alias", "obfuscated", "encoded", "hashed", "other"}) {
        e.content_digest = content;
        e.severity = severity;
        e.match = match;
        std::string v;
        store_internal::EncodeCompactExposureInto(&v, e);
        REQUIRE(v[0] == store_internal::kCompactExposureTag);
        auto back = store_internal::DecodeExposure(e.id, v);
        REQUIRE(back);
        check(*back, e);
        // A truncated or extended value is refused, never read wrong.
        CHECK(!store_internal::DecodeExposure(e.id, v.substr(0, v.size() - 1)));
        CHECK(!store_internal::DecodeExposure(e.id, v + "x"));
        // Values of schemas 1 to 3 (JSON, the id inside) decode through the same call.
        auto json = store_internal::DecodeExposure("ignored", store_internal::EncodeExposure(e));
        REQUIRE(json);
        check(*json, e);
      }
    }
  }
  // A 32-byte digest as 32 bytes, not 64 characters.
  e.content_digest = std::string(64, 'f');
  e.severity = "credential";
  e.match = "exact";
  std::string v;
  store_internal::EncodeCompactExposureInto(&v, e);
  CHECK(v.size() < store_internal::EncodeExposure(e).size() / 2);
}

namespace {
// Exposures of `n` identifiers in one document, first seen at `t`.
std::vector<Exposure> Document(std::mt19937_64& rng, size_t n, const std::string& content, UnixSeconds t,
                               std::string severity = "exposure", std::string source = "scan") {
  std::vector<Exposure> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(MakeExposure(RandomDigest(rng), content, t));
    out.back().severity = severity;
    out.back().source = source;
  }
  return out;
}
}  // namespace

TEST_CASE("store: exposure counters follow recording and pruning; a re-scan counts nothing twice") {
  const int schema = GENERATE(3, 4);  // counted on demand, kept
  INFO("schema " << schema);
  TempDir tmp;
  std::string dir = tmp.path + "/store";
  std::mt19937_64 rng(22);
  const UnixSeconds day1 = 1764979200, day2 = day1 + 86400;  // 2025-12-06, 2025-12-07
  auto doc1 = Document(rng, 300, "d1", day1, "credential");
  auto doc2 = Document(rng, 200, "d2", day2, "exposure", "pastebin");
  {
    auto store = OpenWriter(dir, schema);
    REQUIRE(store->CountExposures()->total == 0);
    REQUIRE(store->RecordExposures(doc1));
    REQUIRE(store->RecordExposures(doc2));
    // The same documents again (a re-scan): last_seen moves, nothing is counted twice.
    for (auto& e : doc1) e.last_seen = day2;
    REQUIRE(store->RecordExposures(doc1));
    auto c = store->CountExposures();
    REQUIRE(c);
    CHECK(c->total == 500);
    CHECK(c->by_source == std::map<std::string, uint64_t>{{"pastebin", 200}, {"scan", 300}});
    CHECK(c->by_severity == std::map<std::string, uint64_t>{{"credential", 300}, {"exposure", 200}});
    CHECK(c->by_day == std::map<std::string, uint64_t>{{"2025-12-06", 300}, {"2025-12-07", 200}});
  }
  {
    // Kept across sessions, and read the same by a reader.
    StoreOptions ro;
    ro.read_only = true;
    auto reader = Store::Open(dir, ro);
    REQUIRE(reader);
    CHECK((*reader)->CountExposures()->total == 500);
  }
  auto store = OpenWriter(dir);
  // doc2 was last seen on day 2, doc1 moved to day 2 too: nothing before day 2 goes.
  CHECK(store->Prune(day2, /*dry_run=*/false)->exposures == 0);
  auto pruned = store->Prune(day2 + 1, /*dry_run=*/false);
  REQUIRE(pruned);
  CHECK(pruned->exposures == 500);
  auto c = store->CountExposures();
  REQUIRE(c);
  CHECK(c->total == 0);
  CHECK(c->by_source.empty());
  CHECK(c->by_day.empty());
  CHECK(c->by_severity.empty());
  CHECK(store->ExposuresSince(0)->empty());
  CHECK(store->Outbox()->empty());
}

TEST_CASE("store: exposures and the outbox stream in order, and a reader can stop early") {
  TempDir tmp;
  auto store = OpenWriter(tmp.path + "/store");
  std::mt19937_64 rng(23);
  // More than one read batch, over several first-seen times.
  std::vector<Exposure> all;
  for (int t = 0; t < 5; ++t) {
    auto doc = Document(rng, 300, "doc" + std::to_string(t), 1000 + 10 * t);
    REQUIRE(store->RecordExposures(doc));
    all.insert(all.end(), doc.begin(), doc.end());
  }
  size_t n = 0;
  UnixSeconds last = 0;
  REQUIRE(store->ForEachExposureSince(1015, [&](const Exposure& e) {
    CHECK(e.first_seen >= last);
    last = e.first_seen;
    ++n;
    return true;
  }));
  CHECK(n == 900);  // times 1020, 1030, 1040
  n = 0;
  REQUIRE(store->ForEachExposureSince(0, [&](const Exposure&) { return ++n < 10; }));
  CHECK(n == 10);
  size_t entries = 0;
  std::string previous;
  REQUIRE(store->ForEachOutboxEntry([&](const std::string& id, const std::string& value) {
    CHECK(id > previous);
    previous = id;
    CHECK(value == "{}");
    return ++entries < 1000;
  }));
  CHECK(entries == 1000);
  CHECK(store->Outbox()->size() == 1500);
  // Each entry with its exposure, read alongside: entries for ids with no exposure (a
  // health event's, or one before, between and after all the exposures) get none.
  std::map<std::string, std::string> hints;
  for (const Exposure& e : all) hints[e.id] = e.hint;
  REQUIRE(store->PutOutbox("0", "{}"));
  REQUIRE(store->PutOutbox(all[7].id + "x", "{}"));
  REQUIRE(store->PutOutbox("zzz", "{}"));
  size_t with = 0, without = 0;
  REQUIRE(store->ForEachOutboxExposure([&](const std::string& id, const std::string&, const Exposure* e) {
    if (e == nullptr) {
      CHECK(!hints.contains(id));
      ++without;
    } else {
      CHECK(e->id == id);
      CHECK(e->hint == hints[id]);
      ++with;
    }
    return true;
  }));
  CHECK(with == 1500);
  CHECK(without == 3);
}

TEST_CASE("exposure json: the direct writer prints what nlohmann prints") {
  std::mt19937_64 rng(12);
  Exposure base = MakeExposure(RandomDigest(rng), "doc", 1800000000);
  base.last_seen += 3600;
  std::vector<Exposure> cases(8, base);
  cases[1].retro = true;
  cases[2].watchlists = {};
  cases[2].labels = {};
  cases[3].watchlists = {"a", "b \"quoted\" \\ back"};
  cases[3].location = "C:\\dumps\\x.txt";
  cases[4].location = "/dumps/\xe5\xae\xa2\xe6\x88\xb7.txt";  // UTF-8
  cases[5].hint = "tab\there";
  cases[6].kind = IdKind::kPhone;
  cases[6].hint = "+86*******34";
  cases[7].source = "\x7f";
  for (const Exposure& e : cases) {
    std::string direct;
    AppendExposureJson(e, &direct);
    CHECK(direct == ExposureJson(e).dump());
  }
}

TEST_CASE("store: a writer removes the spills a killed writer left beside the store") {
  TempDir tmp;
  { auto store = OpenWriter(tmp.path + "/store"); }
  const std::string stale = tmp.path + "/leakwatch-spill-AbC123", other = tmp.path + "/keep-me";
  const std::string enrollment = tmp.path + "/leakwatch-enroll-XyZ789";  // a killed bulk enrollment's
  fs::create_directories(stale);
  std::ofstream(stale + "/7") << "spilled";
  fs::create_directories(enrollment);
  std::ofstream(enrollment + "/variant-0-0.sst") << "table";
  fs::create_directories(other);
  auto store = OpenWriter(tmp.path + "/store");
  CHECK(!fs::exists(stale));
  CHECK(!fs::exists(enrollment));
  CHECK(fs::exists(other));
}
