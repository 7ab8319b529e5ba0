#include "matcher/scanner.h"

#include <openssl/md5.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "watchlists/enroll.h"
#include "scratch_store.h"

using namespace lw;

namespace {

struct Fixture {
  // `schema_1`: the store of an older leakwatch, whose index is keyed by HMAC digests.
  explicit Fixture(std::vector<std::string> watched, bool schema_1 = false) : scratch(schema_1) {
    std::string list;
    for (auto& w : watched) list += w + "\n";
    std::string path = dir + "/watch.txt";
    std::ofstream(path) << list;
    EnrollOptions eo;
    eo.watchlist = "w";
    eo.temp_dir = dir;
    auto r = Enroll(*store, hasher, normalizer, eo, {path}, [](auto&, auto, auto&) {});
    REQUIRE(r);
    REQUIRE(r->rejected == 0);
    index = std::move(*store->LoadWatchIndex());
  }
  ScanTotals Scan(const std::string& location, const std::string& text, ScannerOptions options = {}) {
    Scanner scanner(*store, hasher, index, extractor, clock, options);
    REQUIRE(scanner.ScanBytes(location, text));
    return scanner.totals();
  }
  std::vector<Exposure> All() { return *store->ExposuresSince(0); }

  ScratchStore scratch;
  std::string dir = scratch.dir();
  std::unique_ptr<Store>& store = scratch.store;
  KeyedHasher hasher{std::string(32, 'k')};
  Normalizer normalizer;
  Extractor extractor{normalizer};
  WatchIndex index;
  FakeClock clock{1800000000};
};

std::string Md5Hex(const std::string& s) {
  unsigned char d[16];
  MD5(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return ToHex(d, 16);
}

}  // namespace

TEST_CASE("scanner: records exposures with severity, match kind and redacted hint") {
  bool schema_1 = GENERATE(false, true);  // index keyed by probes, or by HMAC digests
  INFO("schema 1: " << schema_1);
  Fixture f({"zhang.wei@icloud.com", "13800138000", "leaked.hash@qq.com"}, schema_1);
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
