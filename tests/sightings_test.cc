// Sightings in the store: documents by content, sightings once per document however often
// it is recorded (small and ingested paths), the retro-hunt's merge in bulk enrollment,
// retention, and readers of stores made before sightings.
#include "store/store.h"
#include "matcher/sightings.h"
#include "scratch_store.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <random>
#include <tuple>

using namespace lw;

namespace {

std::unique_ptr<Store> Open(const std::string& dir, bool read_only = false) {
  StoreOptions o;
  o.create_if_missing = !read_only;
  o.read_only = read_only;
  auto s = Store::Open(dir, o);
  REQUIRE(s);
  return std::move(*s);
}

std::vector<Sighting> SightingsOf(const std::vector<Digest>& digests, uint8_t flags) {
  std::vector<Sighting> out;
  for (const Digest& d : digests) out.push_back({SightingFingerprintOf(d), flags});
  SortAndMergeSightings(&out);
  return out;
}

DocumentRecord Doc(const std::string& content, UnixSeconds t) { return {0, content, "scan", "/tmp/leak.txt", t, t}; }

}  // namespace

TEST_CASE("sightings: a document is stored once, its sightings once, small and large") {
  TempDir tmp;
  auto store = Open(tmp.path + "/store");
  std::mt19937_64 rng(7);
  for (size_t n : {size_t{100}, size_t{100000}}) {
    INFO(n);
    std::vector<Digest> digests(n);
    for (auto& d : digests) d = RandomDigest(rng);
    auto sightings = SightingsOf(digests, kSightingCredential);
    const std::string content = std::string(64, n == 100 ? 'a' : 'b');
    auto before = store->GetSightingsStats();
    REQUIRE(before);
    REQUIRE(store->RecordDocument(Doc(content, 100), sightings, {}));
    REQUIRE(store->RecordDocument(Doc(content, 200), sightings, {}));  // seen again
    auto after = store->GetSightingsStats();
    REQUIRE(after);
    CHECK(after->documents == before->documents + 1);
    CHECK(after->sightings == before->sightings + n);
    auto doc = store->GetDocument(static_cast<uint32_t>(after->documents));
    REQUIRE(doc);
    REQUIRE(*doc);
    CHECK((*doc)->first_seen == 100);
    CHECK((*doc)->last_seen == 200);
    CHECK((*doc)->content_digest == content);
  }
}

TEST_CASE("sightings: a document's chunks, grouped and finished, are its sightings sorted and merged") {
  std::mt19937_64 rng(9);
  // The last has groups large enough for their counting sort by the second byte.
  for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{200000}, size_t{1200000}}) {
    INFO(n);
    // Repeats within and across chunks, with differing flags.
    std::vector<Digest> pool(n / 3 + 1);
    for (auto& d : pool) d = RandomDigest(rng);
    std::vector<Sighting> all;
    for (size_t i = 0; i < n; ++i)
      all.push_back({SightingFingerprintOf(pool[rng() % pool.size()]), static_cast<uint8_t>(rng() % 0x20)});
    auto add_chunks = [&](DocumentSightings& document) {
      document.Reserve(n / 2);
      std::mt19937_64 cuts(n);
      for (size_t from = 0; from < n;) {
        const size_t to = std::min(n, from + 1 + cuts() % 5000);
        std::vector<Sighting> chunk(all.begin() + from, all.begin() + to);
        SightingGroupEnds ends;
        GroupSightings(&chunk, &ends);
        CHECK(ends[255] == chunk.size());
        document.Add(chunk, ends);
        from = to;
      }
      CHECK(document.size() == n);
    };
    std::vector<Sighting> want = all;
    SortAndMergeSightings(&want);
    auto same = [&](const std::vector<Sighting>& got) {
      REQUIRE(got.size() == want.size());
      size_t differ = 0;
      for (size_t i = 0; i < got.size(); ++i)
        differ += got[i].fingerprint != want[i].fingerprint || got[i].flags != want[i].flags;
      CHECK(differ == 0);
    };
    for (unsigned threads : {1u, 2u}) {
      INFO(threads);
      DocumentSightings copy;
      add_chunks(copy);
      same(copy.Finish(threads));
      CHECK(copy.size() == 0);
    }
    // Spilled to disk past 1,000 held (a document of tens of millions): the same, in pieces.
    if (n > 1000) {
      TempDir tmp;
      DocumentSightings spilled;
      spilled.SetSpill(tmp.path, 1000);
      add_chunks(spilled);
      REQUIRE(spilled.spilled());
      std::vector<Sighting> got;
      REQUIRE(spilled.ForEachSorted([&](std::span<const Sighting> run) {
        got.insert(got.end(), run.begin(), run.end());
        return Ok();
      }));
      same(got);
      CHECK(spilled.size() == 0);
      CHECK(std::filesystem::is_empty(tmp.path));
    }
  }
}

TEST_CASE("sightings: merged per fingerprint, strongest match and any credential") {
  std::mt19937_64 rng(8);
  const Digest d = RandomDigest(rng);
  std::vector<Sighting> s = {{SightingFingerprintOf(d), SightingFlagsOf(MatchKind::kEncoded, Severity::kExposure, false)},
                             {SightingFingerprintOf(d), SightingFlagsOf(MatchKind::kExact, Severity::kExposure, true)},
                             {SightingFingerprintOf(d), SightingFlagsOf(MatchKind::kObfuscated, Severity::kCredential, false)}};
  SortAndMergeSightings(&s);
  REQUIRE(s.size() == 1);
  // The account-key sighting of an exact spelling counts as an alias.
  CHECK((s[0].flags & kSightingMatchMask) == static_cast<uint8_t>(MatchKind::kAlias));
  CHECK((s[0].flags & kSightingCredential) != 0);
  CHECK((s[0].flags & kSightingAccountKey) == 0);
}

TEST_CASE("sightings: small documents written together are recorded as written one by one") {
  TempDir tmp;
  auto one_by_one = Open(tmp.path + "/a");
  auto together = Open(tmp.path + "/b");
  std::mt19937_64 rng(11);
  std::vector<Digest> pool(500);
  for (auto& d : pool) d = RandomDigest(rng);
  // Three groups; a content twice in the second group, and one of the first group's again.
  std::vector<std::vector<DocumentWithSightings>> groups(3);
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t i = 0; i < 40; ++i) {
      std::vector<Digest> seen;
      for (size_t k = 0; k < 1 + rng() % 30; ++k) seen.push_back(pool[rng() % pool.size()]);
      std::string content = "doc-" + std::to_string(g) + "-" + std::to_string(i);
      if (g == 1 && i == 7) content = "doc-1-3";
      if (g == 2 && i == 5) content = "doc-0-9";
      groups[g].push_back({Doc(content, static_cast<UnixSeconds>(100 + 10 * g + i)),
                           SightingsOf(seen, static_cast<uint8_t>(rng() % 0x20))});
    }
  }
  for (const auto& group : groups) {
    for (const auto& d : group) REQUIRE(one_by_one->RecordDocument(d.document, d.sightings, {}));
    REQUIRE(together->RecordDocuments(group));
  }
  auto a = one_by_one->GetSightingsStats(), b = together->GetSightingsStats();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->documents == b->documents);
  CHECK(a->documents == 3 * 40 - 2);
  CHECK(a->sightings == b->sightings);
  for (uint32_t n = 1; n <= a->documents + 1; ++n) {
    INFO(n);
    auto x = one_by_one->GetDocument(n), y = together->GetDocument(n);
    REQUIRE(x);
    REQUIRE(y);
    REQUIRE(x->has_value() == y->has_value());
    if (!x->has_value()) continue;
    CHECK((*x)->content_digest == (*y)->content_digest);
    CHECK((*x)->first_seen == (*y)->first_seen);
    CHECK((*x)->last_seen == (*y)->last_seen);
  }
  // What an enrollment of the whole pool finds: the same documents, with the same flags.
  auto hunt = [&](Store& store) {
    auto bulk = store.StartBulkEnroll({"list", tmp.path, /*retro_hunt=*/true});
    REQUIRE(bulk);
    for (const Digest& d : pool) REQUIRE((*bulk)->Add({d, IdKind::kEmail, 0, 0, WatchIndex::Fingerprint(d) | 1}));
    auto result = (*bulk)->Finish();
    REQUIRE(result);
    std::vector<std::tuple<Digest, uint32_t, uint8_t>> found;
    for (const RetroMatch& m : result->retro) found.emplace_back(m.primary, m.document, m.flags);
    std::sort(found.begin(), found.end());
    return found;
  };
  auto found = hunt(*one_by_one);
  CHECK(!found.empty());
  CHECK(found == hunt(*together));
}

TEST_CASE("sightings: bulk enrollment finds the sightings of entries and variants") {
  TempDir tmp;
  auto store = Open(tmp.path + "/store");
  std::mt19937_64 rng(9);
  for (size_t n : {size_t{50}, size_t{120000}}) {  // one batch, and SST files on two threads
    INFO(n);
    std::vector<Digest> primaries(n), variants(n);
    for (auto& d : primaries) d = RandomDigest(rng);
    for (auto& d : variants) d = RandomDigest(rng);
    // Every 10th primary and every 7th variant was seen in a document.
    std::vector<Digest> seen;
    for (size_t i = 0; i < n; i += 10) seen.push_back(primaries[i]);
    for (size_t i = 0; i < n; i += 7) seen.push_back(variants[i]);
    for (int k = 0; k < 1000; ++k) seen.push_back(RandomDigest(rng));  // unwatched
    const std::string content = "doc" + std::to_string(n);
    REQUIRE(store->RecordDocument(Doc(content, 50), SightingsOf(seen, 0), {}));
    auto bulk = store->StartBulkEnroll({"list" + std::to_string(n), tmp.path, /*retro_hunt=*/true});
    REQUIRE(bulk);
    const uint32_t hint = 77;  // handed back as it is
    for (size_t i = 0; i < n; ++i) {
      EnrollRecord r{primaries[i], IdKind::kEmail, 0, 0, WatchIndex::Fingerprint(primaries[i]) | 1};
      r.hint = hint;
      REQUIRE((*bulk)->Add(r));
      REQUIRE((*bulk)->AddVariant({variants[i], primaries[i], VariantType::kMd5, WatchIndex::Fingerprint(variants[i]) | 1}, hint));
    }
    auto result = (*bulk)->Finish();
    REQUIRE(result);
    size_t direct = 0, via = 0;
    for (const RetroMatch& m : result->retro) {
      CHECK(m.hint == hint);
      if (m.via == 0) ++direct;
      else ++via;
    }
    CHECK(direct == (n + 9) / 10);
    CHECK(via == (n + 6) / 7);
  }
}

TEST_CASE("sightings: retention removes old documents and their sightings") {
  TempDir tmp;
  auto store = Open(tmp.path + "/store");
  std::mt19937_64 rng(10);
  std::vector<Digest> a(30), b(20);
  for (auto& d : a) d = RandomDigest(rng);
  for (auto& d : b) d = RandomDigest(rng);
  REQUIRE(store->RecordDocument(Doc("old", 100), SightingsOf(a, 0), {}));
  REQUIRE(store->RecordDocument(Doc("new", 300), SightingsOf(b, 0), {}));
  auto dry = store->Prune(200, /*dry_run=*/true);
  REQUIRE(dry);
  CHECK(dry->documents == 1);
  CHECK(dry->sightings == 30);
  auto pruned = store->Prune(200, false);
  REQUIRE(pruned);
  CHECK(pruned->sightings == 30);
  auto st = store->GetSightingsStats();
  REQUIRE(st);
  CHECK(st->documents == 1);
  CHECK(st->sightings == 20);
  // The content seen again after its pruning is a new document.
  REQUIRE(store->RecordDocument(Doc("old", 400), SightingsOf(a, 0), {}));
  st = store->GetSightingsStats();
  REQUIRE(st);
  CHECK(st->sightings == 50);
}

TEST_CASE("sightings: a read-only open reads their counts") {
  TempDir tmp;
  { auto w = Open(tmp.path + "/store"); }
  auto r = Open(tmp.path + "/store", /*read_only=*/true);
  auto st = r->GetSightingsStats();
  REQUIRE(st);
  CHECK(st->sightings == 0);
}
