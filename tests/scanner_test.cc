#include "matcher/scanner.h"

#include <openssl/md5.h>
#include <openssl/sha.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/providers.h"
#include "watchlists/enroll.h"
#include "scan_fixture.h"

using namespace lw;

namespace {

struct Fixture : ScanFixture {
  using ScanFixture::ScanFixture;
  ScanTotals Scan(const std::string& location, const std::string& text, ScannerOptions options = {}) {
    Scanner scanner(*store, hasher, index, extractor, clock, options);
    REQUIRE(scanner.ScanBytes(location, text));
    return scanner.totals();
  }
};

std::string Md5Hex(const std::string& s) {
  unsigned char d[16];
  MD5(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return ToHex(d, 16);
}

std::string Sha256Hex(const std::string& s) {
  unsigned char d[32];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return ToHex(d, 32);
}

// A document read at offsets, as a regular file is, in pieces of at most 7 bytes;
// `readable` bytes of it are there (fewer than its size: it shrank under the scan).
class PositionalDoc final : public ByteStream {
 public:
  explicit PositionalDoc(std::string text, size_t readable = ~size_t{0})
      : text_(std::move(text)), readable_(std::min(readable, text_.size())) {}
  Result<size_t> Read(char*, size_t) override { return Fail(Error::Internal("Read on a positional stream")); }
  std::optional<uint64_t> PositionalSize() const override { return text_.size(); }
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    if (offset >= readable_) return 0;
    n = std::min({n, size_t{7}, readable_ - static_cast<size_t>(offset)});
    std::memcpy(buf, text_.data() + offset, n);
    return n;
  }

 private:
  std::string text_;
  size_t readable_;
};

}  // namespace

TEST_CASE("scanner: records exposures with severity, match kind and redacted hint") {
  const int schema = GENERATE(1, 2, 3);  // index keyed by HMAC digests (1) or by probes
  INFO("schema " << schema);
  const bool schema_1 = schema == 1;
  Fixture f({"zhang.wei@icloud.com", "13800138000", "leaked.hash@qq.com"}, schema);
  CHECK(f.index.keying() == (schema_1 ? IndexKeying::kDigest : IndexKeying::kProbe));
  auto t = f.Scan("/dumps/a.txt",
                  "zhang.wei@me.com:Secr3t!\n"
                  "order 202611281380013800012\n"
                  "phone: +86 138 0013 8000\n"
                  "hash " + Md5Hex("leaked.hash@qq.com") + "\n");
  CHECK(t.new_exposures == 3);
  CHECK(t.new_by_watchlist["w"] == 3);
  auto all = f.All();
  REQUIRE(all.size() == 3);
  std::map<std::string, Exposure> by_match;
  for (auto& e : all) by_match[e.match] = e;
  REQUIRE(by_match.count("alias"));
  CHECK(by_match["alias"].severity == "credential");
  CHECK(by_match["alias"].hint == "z*******i@me.com");
  CHECK(by_match["alias"].location == "/dumps/a.txt");
  CHECK(by_match["alias"].first_seen == 1800000000);
  REQUIRE(by_match.count("exact"));
  CHECK(by_match["exact"].kind == IdKind::kPhone);
  CHECK(by_match["exact"].hint == "+86*********00");
  REQUIRE(by_match.count("hashed"));
  for (auto& e : all) {
    CHECK(e.hint.find("zhang.wei") == std::string::npos);
    CHECK(e.watchlists == std::vector<std::string>{"w"});
  }
}

TEST_CASE("scanner: same content again only moves last_seen; new content is a new exposure") {
  Fixture f({"a.person@163.com"});
  CHECK(f.Scan("one", "x a.person@163.com y").new_exposures == 1);
  f.clock.Advance(60);
  auto again = f.Scan("elsewhere", "x a.person@163.com y");
  CHECK(again.new_exposures == 0);
  CHECK(again.seen_again == 1);
  auto all = f.All();
  REQUIRE(all.size() == 1);
  CHECK(all[0].last_seen == all[0].first_seen + 60);
  CHECK(all[0].location == "one");
  CHECK(f.Scan("two", "z a.person@163.com").new_exposures == 1);
}

TEST_CASE("scanner: content digests are the store's kind, and the same content is the same exposure") {
  // Stores of schema 1 and 2 keep SHA-256 (their exposures must keep their ids across an
  // upgrade); schema 3 takes HighwayHash under the key derived from the secret key.
  const int schema = GENERATE(1, 2, 3);
  INFO("schema " << schema);
  Fixture f({"a.person@163.com"}, schema);
  std::string text = "x a.person@163.com y\n";
  for (int i = 0; i < 200; ++i) text += "line " + std::to_string(i) + " of a longer document\n";
  CHECK(f.Scan("one", text).new_exposures == 1);
  auto all = f.All();
  REQUIRE(all.size() == 1);
  const Exposure& e = all[0];
  CHECK(e.content_digest.size() == 64);
  CHECK(e.id == ExposureId(e.identifier, e.content_digest));
  ContentDigester keyed(ContentDigestKind::kKeyedHighway256, f.hasher.content_key());
  keyed.Update(text);
  const std::string keyed_hex = keyed.FinishHex();
  CHECK(keyed_hex != Sha256Hex(text));
  if (schema <= 2) {
    CHECK(f.store->content_digest_kind() == ContentDigestKind::kSha256);
    CHECK(e.content_digest == Sha256Hex(text));
  } else {
    CHECK(f.store->content_digest_kind() == ContentDigestKind::kKeyedHighway256);
    CHECK(e.content_digest == keyed_hex);
  }
  // Again, in small chunks on worker threads: the digest does not depend on the chunking.
  ScannerOptions small;
  small.chunk_size = 97;
  small.overlap = 64;
  small.threads = 2;
  f.clock.Advance(60);
  auto again = f.Scan("elsewhere", text, small);
  CHECK(again.new_exposures == 0);
  CHECK(again.seen_again == 1);
  REQUIRE(f.All().size() == 1);
  CHECK(f.All()[0].content_digest == e.content_digest);
  CHECK(f.All()[0].last_seen == e.first_seen + 60);
  CHECK(f.Scan("changed", text + ".").new_exposures == 1);
}

TEST_CASE("scanner: nothing is lost or doubled at chunk edges") {
  Fixture f({"edge.case@qq.com", "13912345678", "x.y@icloud.com"});
  ScannerOptions small;
  small.chunk_size = 97;  // odd sizes put tokens across every kind of boundary
  small.overlap = 64;
  small.threads = 2;
  for (size_t pad = 0; pad < 120; pad += 7) {
    INFO(pad);
    std::string text(pad, 'a');
    text += " edge.case@qq.com ";
    text += std::string(50, '-') + " 139 1234 5678 " + std::string(33, ' ') + "x.y@icloud.com:Passw0rd\n";
    // Near misses that a cut token could produce: must never match.
    text += "xedge.case@qq.com.cn 1391234567890 ";
    Fixture g({"edge.case@qq.com", "13912345678", "x.y@icloud.com"});
    auto t = g.Scan("doc", text, small);
    CHECK(t.new_exposures == 3);
    for (auto& e : g.All())
      if (e.hint.starts_with("x")) CHECK(e.severity == "credential");
  }
}

TEST_CASE("scanner: an empty document and one without identifiers are fine") {
  Fixture f({"a@qq.com"});
  CHECK(f.Scan("empty", "").documents == 1);
  CHECK(f.Scan("binary", std::string("\0\xff\xfe\x01@@@", 8)).new_exposures == 0);
}

TEST_CASE("scanner: documents the workers read themselves give what streamed ones give") {
  // Regular files are read by the workers, each its own chunk (PositionalSize, ReadAt),
  // and digested in document order; the exposures and their content digests must be
  // those of the same bytes streamed through one reader.
  Fixture f({"edge.case@qq.com", "13912345678", "x.y@icloud.com"});
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += std::string(static_cast<size_t>(i % 13), '-') + " edge.case@qq.com " + std::to_string(i) + "\n";
    text += "139 1234 5678 and x.y@icloud.com:Passw0rd\n";
  }
  const size_t streamed = f.Scan("doc", text).new_exposures;
  CHECK(streamed == 3);
  const int threads = GENERATE(1, 2, 3);
  INFO("threads " << threads);
  ScannerOptions small;
  small.chunk_size = 97;
  small.overlap = 64;
  small.threads = static_cast<unsigned>(threads);
  {
    Scanner scanner(*f.store, f.hasher, f.index, f.extractor, f.clock, small);
    PositionalDoc doc(text);
    REQUIRE(scanner.Scan("doc", doc));
    CHECK(scanner.totals().bytes == text.size());
    CHECK(scanner.totals().new_exposures == 0);  // same ids: same content digest
    CHECK(scanner.totals().seen_again == 3);
  }
  CHECK(f.All().size() == 3);

  // A file that shrinks under the scan is an error, and records nothing.
  Fixture g({"edge.case@qq.com", "13912345678", "x.y@icloud.com"});
  Scanner scanner(*g.store, g.hasher, g.index, g.extractor, g.clock, small);
  PositionalDoc shrunk(text, text.size() / 2);
  auto s = scanner.Scan("doc", shrunk);
  REQUIRE(!s);
  CHECK(s.error().message.find("shrank") != std::string::npos);
  CHECK(g.All().empty());
  // The scanner goes on with the next document.
  PositionalDoc whole(text);
  REQUIRE(scanner.Scan("doc", whole));
  CHECK(scanner.totals().new_exposures == 3);
}

TEST_CASE("scanner: a QQ-labelled number is an alias of NUMBER@qq.com") {
  Fixture f({"123456789@qq.com", "wang@icloud.com"});
  f.Scan("listing", "出售 QQ号：123456789 密码：woaini1314\n另有 987654321 无标签\nwang@icloud.com----a123456\n");
  auto all = f.All();
  REQUIRE(all.size() == 2);
  std::map<std::string, Exposure> by_hint;
  for (auto& e : all) by_hint[e.hint] = e;
  REQUIRE(by_hint.count("1*******9@qq.com"));
  CHECK(by_hint["1*******9@qq.com"].match == "alias");
  CHECK(by_hint["1*******9@qq.com"].severity == "credential");
  REQUIRE(by_hint.count("w**g@icloud.com"));
  CHECK(by_hint["w**g@icloud.com"].severity == "credential");
  CHECK(by_hint["w**g@icloud.com"].match == "exact");
}

TEST_CASE("scanner: a CSV header or SQL schema decides severity in every chunk of a document") {
  // The rows far from the header are in chunks that do not hold it: the scanner hands
  // the document's head to each chunk, streamed or read by the workers.
  std::string csv = "id,email,password,city\n";
  for (int i = 0; i < 60; ++i) csv += std::to_string(i) + ",filler" + std::to_string(i) + "@example.com,x,beijing\n";
  csv += "61,far.row@qq.com,123456,shanghai\n";
  std::string sql = "CREATE TABLE `members` (\n  `uid` int,\n  `email` varchar(64),\n  `password` char(32)\n);\n";
  for (int i = 0; i < 60; ++i) sql += "-- filler line " + std::to_string(i) + " of the dump, with some text\n";
  sql += "INSERT INTO `members` VALUES (7,'far.sql@qq.com','123456');\n";
  ScannerOptions small;
  small.chunk_size = 256;
  small.overlap = 64;
  small.threads = 2;
  for (bool positional : {false, true}) {
    INFO("positional " << positional);
    Fixture f({"far.row@qq.com", "far.sql@qq.com"});
    Scanner scanner(*f.store, f.hasher, f.index, f.extractor, f.clock, small);
    for (const std::string* text : {&csv, &sql}) {
      if (positional) {
        PositionalDoc doc(*text);
        REQUIRE(scanner.Scan("doc", doc));
      } else {
        REQUIRE(scanner.ScanBytes("doc", *text));
      }
    }
    auto all = f.All();
    REQUIRE(all.size() == 2);
    for (auto& e : all) CHECK(e.severity == "credential");
  }
}

TEST_CASE("scanner: a document with more exposures than one write batch records them all, once") {
  std::vector<std::string> watched;
  std::string dump;
  for (int i = 0; i < 9000; ++i) {
    watched.push_back("user" + std::to_string(i) + "@qq.com");
    dump += "user" + std::to_string(i) + "@qq.com----a123456\n";
  }
  for (int i = 0; i < 9000; i += 3) dump += "1," + watched[static_cast<size_t>(i)] + ",x\n";  // seen twice
  Fixture f(watched);
  auto t = f.Scan("/leaks/customers.txt", dump);
  CHECK(t.new_exposures == 9000);
  CHECK(f.All().size() == 9000);
  for (const Exposure& e : f.All()) CHECK(e.severity == "credential");
  auto again = f.Scan("/leaks/customers.txt", dump);  // the same content: only last_seen moves
  CHECK(again.new_exposures == 0);
  CHECK(again.seen_again == 9000);
}

TEST_CASE("scanner: a document of many identifiers is resolved at its end and ingested, as a small one would be") {
  // Watched identifiers in chunks small enough that most are resolved at the document's
  // end (kDeferAfter): more than Scanner::kLoadExposures (ingested), or fewer (written
  // in batches). The accounts at its end are found in several spellings, in the order the
  // merge rules care about.
  const int n = GENERATE(12000, 40000);
  // Kept in memory, or spilled to disk past 1,000 distinct candidates (and the load's
  // identifier keys past 1,000): the same exposures either way.
  const bool spill = GENERATE(false, true);
  const uint64_t total = static_cast<uint64_t>(n) + 3;
  INFO(n << " identifiers" << (spill ? ", spilled" : ""));
  std::vector<std::string> watched;
  std::string dump;
  for (int i = 0; i < n; ++i) {
    watched.push_back("user" + std::to_string(i) + "@qq.com");
    dump += "user" + std::to_string(i) + "@qq.com----a123456\n";
  }
  watched.insert(watched.end(), {"zhang.wei@gmail.com", "li.na7@gmail.com", "wang@yahoo.com"});
  dump += "zhangwei+a@googlemail.com:Passw0rd!\nzhang.wei@gmail.com\nz.hang.wei@gmail.com\n";  // exact over alias
  dump += "note " + Md5Hex("li.na7@gmail.com") + "\nnote lina7+shop@googlemail.com\n";  // alias over hashed
  dump += "note " + Sha256Hex("wang@yahoo.com") + "\nnote " + Md5Hex("wang@yahoo.com") + "\n";  // the first of equals
  Fixture f(watched);
  ScannerOptions small;
  small.chunk_size = 64 << 10;
  small.overlap = 1 << 10;
  if (spill) {
    small.spill_dir = f.dir;
    small.deferred_in_memory = 1000;
    small.sightings_in_memory = 1000;
  }
  auto t = f.Scan("/leaks/big.txt", dump, small);
  if (spill) {  // the same sightings as a scan that kept them in memory
    Fixture kept(watched);
    ScannerOptions in_memory = small;
    in_memory.spill_dir.clear();
    CHECK(kept.Scan("/leaks/big.txt", dump, in_memory).sightings == t.sightings);
    CHECK(kept.store->GetSightingsStats()->sightings == f.store->GetSightingsStats()->sightings);
  }
  for (const auto& entry : std::filesystem::directory_iterator(f.dir))  // nothing left behind
    CHECK(entry.path().filename().string().rfind("leakwatch-spill-", 0) != 0);
  CHECK(t.new_exposures == total);
  CHECK(t.new_by_watchlist["w"] == total);
  auto all = f.All();
  REQUIRE(all.size() == total);
  std::map<std::string, Exposure> by_hint;  // the accounts at the end have hints of their own
  for (const Exposure& e : all) by_hint[e.hint] = e;
  auto users = f.store->ExposuresOf(f.hasher.Hash("email", "user11111@qq.com"));
  REQUIRE(users);
  REQUIRE(users->size() == 1);
  const Exposure user = users->front();
  CHECK(user.hint == Hint({IdKind::kEmail, "user11111@qq.com"}));
  CHECK(user.match == "exact");
  CHECK(user.severity == "credential");
  CHECK(user.location == "/leaks/big.txt");
  CHECK(user.watchlists == std::vector<std::string>{"w"});
  REQUIRE(by_hint.count("z*******i@gmail.com"));
  CHECK(by_hint.at("z*******i@gmail.com").match == "exact");
  CHECK(by_hint.at("z*******i@gmail.com").severity == "credential");
  REQUIRE(by_hint.count(Hint({IdKind::kEmail, "lina7+shop@googlemail.com"})));
  CHECK(by_hint.at(Hint({IdKind::kEmail, "lina7+shop@googlemail.com"})).match == "alias");
  REQUIRE(by_hint.count("sha256 of a watched email"));
  CHECK(by_hint.at("sha256 of a watched email").match == "hashed");
  CHECK(f.store->Outbox()->size() == total);
  CHECK(f.store->CountExposures()->total == total);
  CHECK((*f.store->GetWatchlist("w"))->last_exposure == f.clock.Now());

  // The same content again: every exposure known, only last_seen moves.
  f.clock.Advance(60);
  auto again = f.Scan("/leaks/big.txt", dump, small);
  CHECK(again.new_exposures == 0);
  CHECK(again.seen_again == total);
  auto moved = f.store->GetExposure(user.id);
  REQUIRE(*moved);
  CHECK((*moved)->last_seen == user.first_seen + 60);
  CHECK(f.store->Outbox()->size() == total);
}

namespace {

std::string HexDigest(const std::string& algorithm, const std::string& s) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  unsigned char d[32];
  if (algorithm == "md5") {
    MD5(b, s.size(), d);
    return ToHex(d, 16);
  }
  if (algorithm == "sha1") {
    SHA1(b, s.size(), d);
    return ToHex(d, 20);
  }
  SHA256(b, s.size(), d);
  return ToHex(d, 32);
}

// Scans `text` as its own document and returns the exposures recorded for it.
std::vector<Exposure> ScanAlone(Fixture& f, const std::string& text) {
  static int documents = 0;
  const std::string location = "doc-" + std::to_string(++documents);
  f.Scan(location, text);
  std::vector<Exposure> out;
  for (Exposure& e : f.All())
    if (e.location == location) out.push_back(std::move(e));
  return out;
}

}  // namespace

TEST_CASE("scanner: every spelling of a watched account, and every hashed form of its aliases, matches") {
  // Walks the provider table: for each row, an address in each of its domains is enrolled
  // and every spelling of its account is found (base/providers.h).
  const int schema = GENERATE(1, kCurrentSchema);  // fingerprints of HMAC digests, or probes
  for (const Provider& p : Providers()) {
    for (std::string_view enrolled_domain : p.domains) {
      if (!p.one_account && enrolled_domain != p.domains.front() && enrolled_domain != p.domains.back()) continue;
      const std::string enrolled = "li.na7@" + std::string(enrolled_domain);
      INFO(p.name << ": " << enrolled << ", schema " << schema);
      Fixture f({enrolled}, schema);
      auto expect = [&](const std::string& spelling, const std::string& text, const std::string& match) {
        INFO("found: " << text);
        auto found = ScanAlone(f, text + ":Passw0rd!\n");
        REQUIRE(found.size() == 1);
        CHECK(found[0].match == match);
        CHECK(found[0].severity == "credential");
        if (match != "hashed") CHECK(found[0].hint == Hint({IdKind::kEmail, spelling}));
      };
      // The account's domains: the enrolled spelling is exact, the others alias.
      std::vector<std::string> domains;
      for (std::string_view d : p.domains)
        if (p.one_account || d == enrolled_domain) domains.emplace_back(d);
      const std::string sep(1, p.tag_separator);
      for (const std::string& d : domains) {
        const std::string plain = "li.na7@" + d;
        expect(plain, plain, plain == enrolled ? "exact" : "alias");
        expect(plain, "LI.NA7@" + d, plain == enrolled ? "exact" : "alias");  // case never matters
        expect("li.na7" + sep + "shop@" + d, "li.na7" + sep + "shop@" + d, "alias");
        if (p.dots_ignored) {
          expect("lina7@" + d, "lina7@" + d, "alias");
          expect("l.in.a7" + sep + "x@" + d, "l.in.a7" + sep + "x@" + d, "alias");
        }
      }
      // The hashed forms of every spelling a leak is likely to hash.
      for (const std::string& spelling : HashedSpellings(enrolled))
        for (const char* algorithm : {"md5", "sha1", "sha256"}) expect(spelling, HexDigest(algorithm, spelling), "hashed");
    }
  }
}

TEST_CASE("scanner: near misses of a watched account do not match") {
  Fixture f({"x@corp.example.com", "zhang.wei@outlook.com", "li.na@icloud.com", "wang@yahoo.com"});
  for (const std::string& text : std::vector<std::string>{
           "x+y@corp.example.com",        // a domain outside the table has no sub-addresses
           "x.@corp.example.com", "xx@corp.example.com",
           "zhangwei@outlook.com",    // dots matter at Microsoft
           "zhang.wei@hotmail.com",   // another Microsoft domain is another account
           "zhang.wei+x@hotmail.com",
           "lina@icloud.com",         // dots matter at Apple
           "li.na-x@icloud.com",      // Apple's tag is '+'
           "li.na@icloud.com.cn",
           "wang+x@yahoo.com",        // Yahoo's tag is '-'
           "wang-x@yahoo.co.uk",      // another Yahoo domain
           HexDigest("md5", "x+y@corp.example.com"),
           HexDigest("sha1", "li.na+x@icloud.com"),  // tags are not enumerated for hashed forms
       }) {
    INFO(text);
    CHECK(ScanAlone(f, "leak " + text + ":Passw0rd!\n").empty());
  }
  // And the watched ones do, so the misses above are the rules', not the fixture's.
  CHECK(ScanAlone(f, "wang-x@yahoo.com\n").size() == 1);
  CHECK(ScanAlone(f, "x@corp.example.com\n").size() == 1);
}

TEST_CASE("scanner: two spellings of one account in one document are one exposure, exact over alias") {
  Fixture f({"zhang.wei@gmail.com"});
  auto found = ScanAlone(f, "zhangwei+a@googlemail.com:Passw0rd!\nzhang.wei@gmail.com\nz.hang.wei@gmail.com\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].match == "exact");
  CHECK(found[0].hint == "z*******i@gmail.com");
  CHECK(found[0].severity == "credential");
}
