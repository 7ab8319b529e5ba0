#include "watchlists/enroll.h"
#include "scratch_store.h"

#include <unistd.h>

#include <openssl/md5.h>
#include <openssl/sha.h>

#include <catch2/catch.hpp>
#include <set>
#include <filesystem>
#include <fstream>

using namespace lw;

namespace {

struct Fixture {
  Fixture() {
  }
  std::string Write(const std::string& name, const std::string& content) {
    std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  EnrollSummary Run(const std::string& content, InputKind kind = InputKind::kAuto, const std::string& list = "l") {
    rejects.clear();
    EnrollOptions o;
    o.watchlist = list;
    o.kind = kind;
    o.temp_dir = dir;
    auto r = Enroll(*store, hasher, normalizer, o, {Write("in.txt", content)},
                    [&](const std::string&, uint64_t line, const std::string& reason) { rejects.emplace_back(line, reason); });
    REQUIRE(r);
    return *r;
  }
  ScratchStore scratch;
  std::string dir = scratch.dir();
  std::unique_ptr<Store>& store = scratch.store;
  KeyedHasher hasher{std::string(32, 'k')};
  Normalizer normalizer;
  std::vector<std::pair<uint64_t, std::string>> rejects;
};

Digest EmailDigest(const KeyedHasher& h, const std::string& e) { return h.Hash("email", e); }

}  // namespace

TEST_CASE("enroll: plain lines, labels, BOM, CRLF, blanks, duplicates") {
  Fixture f;
  auto s = f.Run("\xEF\xBB\xBFLi@iCloud.com,ceo\r\n\r\n  \n13812345678\r\n# comment\nli@icloud.com\n+86 138 1234 5678,dup\n");
  CHECK(s.added == 2);
  CHECK(s.already_present == 2);
  CHECK(s.rejected == 0);
  auto m = f.store->Memberships(EmailDigest(f.hasher, "li@icloud.com"));
  REQUIRE(m);
  REQUIRE(m->size() == 1);
  CHECK((*m)[0].label == "ceo");
  CHECK((*m)[0].kind == IdKind::kEmail);
  // Re-enrolling is idempotent.
  auto again = f.Run("li@icloud.com\n13812345678\n");
  CHECK(again.added == 0);
  CHECK(again.already_present == 2);
}

TEST_CASE("enroll: bad lines are reported with line numbers, redacted, and skipped") {
  Fixture f;
  auto s = f.Run("good@qq.com\nno-at-sign-here\n\xff\xfe@qq.com\nbad@@qq.com\n12345\nalso.good@163.com\n");
  CHECK(s.added == 2);
  CHECK(s.rejected == 4);
  REQUIRE(f.rejects.size() == 4);
  CHECK(f.rejects[0].first == 2);
  CHECK(f.rejects[1].first == 3);
  CHECK(f.rejects[1].second.find("UTF-8") != std::string::npos);
  CHECK(f.rejects[3].first == 5);
  for (auto& [line, reason] : f.rejects) {
    CHECK(reason.find("no-at-sign-here") == std::string::npos);
    CHECK(reason.find("bad@@qq.com") == std::string::npos);
  }
}

TEST_CASE("enroll: CSV with header, quoting, malformed rows") {
  Fixture f;
  auto s = f.Run("name,Identifier,label\n\"Wang, Li\",wang@qq.com,\"vip, cn\"\nx,\"unterminated\nonly-one-column\nz,13912345678,\n");
  CHECK(s.added == 2);
  CHECK(s.rejected == 2);
  REQUIRE(f.rejects.size() == 2);
  CHECK(f.rejects[0].first == 3);
  CHECK(f.rejects[0].second.find("malformed CSV") != std::string::npos);
  auto m = f.store->Memberships(EmailDigest(f.hasher, "wang@qq.com"));
  REQUIRE(m->size() == 1);
  CHECK((*m)[0].label == "vip, cn");
}

TEST_CASE("enroll: kinds, variants and prehashed lines") {
  Fixture f;
  CHECK(f.Run("13812345678\n", InputKind::kEmail).rejected == 1);
  CHECK(f.Run("a@qq.com\n", InputKind::kPhone).rejected == 1);
  CHECK(f.Run("x@me.com\n", InputKind::kAppleId).added == 1);
  // Apple aliases and hashed forms lead back to the entry.
  Digest primary = EmailDigest(f.hasher, "x@me.com");
  auto alias = f.store->ResolveVariant(EmailDigest(f.hasher, "x@icloud.com"));
  REQUIRE(alias);
  REQUIRE(*alias);
  CHECK((*alias)->primary == primary);
  auto md5 = f.store->ResolveVariant(f.hasher.Hash("md5", "6da9fe19b2f5b91d8c1e0fbf6c5ea3c2"));
  REQUIRE(md5);  // (not this address's MD5: must be absent)
  CHECK(!*md5);

  HashedIdentifier h = HashIdentifier(f.hasher, {IdKind::kEmail, "pre@qq.com"});
  std::string line = FormatHashLine(h) + ",from-hq\n";
  EnrollOptions o;
  o.watchlist = "pre";
  o.prehashed = true;
  o.temp_dir = f.dir;
  auto r = Enroll(*f.store, f.hasher, f.normalizer, o, {f.Write("pre.txt", line + "nothex\n")},
                  [](const std::string&, uint64_t, const std::string&) {});
  REQUIRE(r);
  CHECK(r->added == 1);
  CHECK(r->rejected == 1);
  auto m = f.store->Memberships(h.digest);
  REQUIRE(m->size() == 1);
  CHECK((*m)[0].label == "from-hq");
  auto v = f.store->ResolveVariant(h.variants.back().variant);
  REQUIRE(*v);
}

TEST_CASE("enroll: hash lines without probes go into old stores only") {
  // A line from a leakwatch before probe fingerprints has no probes: a store keyed by
  // probes cannot index it, so the line is rejected with what to do; a schema-1 store
  // (keyed by digests) takes it.
  const int schema = GENERATE(1, 2, 3);
  INFO("schema " << schema);
  const bool schema_1 = schema == 1;
  TempDir tmp;
  ScratchStore scratch(schema);
  KeyedHasher hasher(std::string(32, 'k'));
  Normalizer normalizer;
  HashedIdentifier h = HashIdentifier(hasher, {IdKind::kPhone, "+8613800138000"});
  HashedIdentifier old = h;
  old.probe = 0;
  std::string path = tmp.path + "/old.txt";
  std::ofstream(path) << FormatHashLine(old) << "\n" << ToHex(h.digest) << "\n";
  EnrollOptions o;
  o.watchlist = "pre";
  o.prehashed = true;
  o.temp_dir = tmp.path;
  std::vector<std::string> reasons;
  auto r = Enroll(*scratch.store, hasher, normalizer, o, {path},
                  [&](const std::string&, uint64_t, const std::string& reason) { reasons.push_back(reason); });
  REQUIRE(r);
  if (schema_1) {
    CHECK(r->added == 1);
    CHECK(r->already_present == 1);
    CHECK(reasons.empty());
  } else {
    CHECK(r->added == 0);
    CHECK(r->rejected == 2);
    REQUIRE(reasons.size() == 2);
    CHECK_THAT(reasons[0], Catch::Contains("without probe fingerprints"));
    CHECK(scratch.store->Memberships(h.digest)->empty());
  }
}

TEST_CASE("hash lines round trip") {
  KeyedHasher hasher(std::string(32, 'k'));
  HashedIdentifier h = HashIdentifier(hasher, {IdKind::kEmail, "a+x@me.com"});
  CHECK(h.variants.size() == 10);  // the account key; md5, sha1, sha256 of three spellings
  CHECK(h.probe == hasher.Probe("email", "a+x@me.com"));
  REQUIRE(h.variants[0].type == VariantType::kAlias);
  CHECK(h.variants[0].probe == hasher.Probe("email", "a@icloud.com"));
  REQUIRE(h.HasProbes());
  std::string line = FormatHashLine(h);
  auto back = ParseHashLine(line, InputKind::kAuto);
  REQUIRE(back);
  CHECK(back->digest == h.digest);
  CHECK(back->probe == h.probe);
  REQUIRE(back->variants.size() == 10);
  for (size_t i = 0; i < 10; ++i) {
    CHECK(back->variants[i].variant == h.variants[i].variant);
    CHECK(back->variants[i].type == h.variants[i].type);
    CHECK(back->variants[i].probe == h.variants[i].probe);
  }
  CHECK(!ParseHashLine(line, InputKind::kPhone));
  // Damaged probes are errors, not silently dropped.
  std::string bad = line;
  bad.replace(bad.find("probe:") + 6, 1, "x");
  CHECK(!ParseHashLine(bad, InputKind::kAuto));
  CHECK(!ParseHashLine(line.substr(0, line.size() - 1), InputKind::kAuto));  // 15-digit probe
  CHECK(!ParseHashLine(line + ":", InputKind::kAuto));
  // Lines of older versions (no probes) still parse, without them.
  HashedIdentifier old = h;
  old.probe = 0;
  for (auto& v : old.variants) v.probe = 0;
  auto parsed_old = ParseHashLine(FormatHashLine(old), InputKind::kAuto);
  REQUIRE(parsed_old);
  CHECK(parsed_old->digest == h.digest);
  CHECK(parsed_old->variants.size() == 10);
  CHECK(!parsed_old->HasProbes());
  CHECK(RedactForMessage("secret@qq.com") == "s***********m");
}

namespace {
std::string HexOf(const unsigned char* d, size_t n) { return ToHex(d, n); }
}  // namespace

TEST_CASE("enroll: the variants of an address are its account key and the hashed forms of its spellings") {
  // As written, lower-cased, normalized, the other Google domain, and the dotless forms.
  KeyedHasher hasher(std::string(32, 'k'));
  Normalizer normalizer;
  auto id = normalizer.Normalize(" Zhang.Wei+Shop@GMail.com", InputKind::kEmail);
  REQUIRE(id);
  CHECK(id->value == "zhang.wei+shop@gmail.com");
  HashedIdentifier h = HashIdentifier(hasher, *id, " Zhang.Wei+Shop@GMail.com");
  std::set<std::pair<int, Digest>> got;
  for (const VariantRecord& v : h.variants) {
    CHECK(v.primary == h.digest);
    CHECK(v.probe != 0);
    got.insert({static_cast<int>(v.type), v.variant});
  }
  std::set<std::pair<int, Digest>> want;
  want.insert({static_cast<int>(VariantType::kAlias), hasher.Hash("email", "zhangwei@gmail.com")});
  for (std::string s : {"Zhang.Wei+Shop@GMail.com", "zhang.wei+shop@gmail.com", "zhang.wei+shop@googlemail.com",
                        "zhangwei+shop@gmail.com", "zhangwei+shop@googlemail.com"}) {
    const auto* b = reinterpret_cast<const unsigned char*>(s.data());
    unsigned char d[32];
    MD5(b, s.size(), d);
    want.insert({static_cast<int>(VariantType::kMd5), hasher.Hash("md5", HexOf(d, 16))});
    SHA1(b, s.size(), d);
    want.insert({static_cast<int>(VariantType::kSha1), hasher.Hash("sha1", HexOf(d, 20))});
    SHA256(b, s.size(), d);
    want.insert({static_cast<int>(VariantType::kSha256), hasher.Hash("sha256", HexOf(d, 32))});
  }
  CHECK(got == want);
  CHECK(h.variants.size() == want.size());

  // A domain outside the provider table: no account key, the hashed forms of the address.
  HashedIdentifier plain = HashIdentifier(hasher, {IdKind::kEmail, "x+y@corp.example"});
  CHECK(plain.variants.size() == 3);
  for (const VariantRecord& v : plain.variants) CHECK(v.type != VariantType::kAlias);
  // Phones have none.
  CHECK(HashIdentifier(hasher, {IdKind::kPhone, "+8613800138000"}).variants.empty());
}

TEST_CASE("enroll: enrolling a list again adds the variants an older enrollment lacked") {
  // A store enrolled before the provider table holds a Gmail address without its account
  // key: the hash line of that time (the address and its hashed forms) stands for it.
  // Enrolling the plaintext list again is the documented upgrade: it adds the key.
  Fixture f;
  KeyedHasher& hasher = f.hasher;
  HashedIdentifier now = HashIdentifier(hasher, {IdKind::kEmail, "zhang.wei@gmail.com"});
  HashedIdentifier before = now;
  before.variants.clear();
  for (const VariantRecord& v : now.variants)
    if (v.type != VariantType::kAlias && before.variants.size() < 3) before.variants.push_back(v);
  EnrollOptions o;
  o.watchlist = "l";
  o.prehashed = true;
  o.temp_dir = f.dir;
  auto r = Enroll(*f.store, hasher, f.normalizer, o, {f.Write("old.txt", FormatHashLine(before) + "\n")},
                  [](const std::string&, uint64_t, const std::string&) {});
  REQUIRE(r);
  CHECK(r->added == 1);
  const Digest key = hasher.Hash("email", "zhangwei@gmail.com");
  CHECK(!*f.store->ResolveVariant(key));
  EnrollSummary again = f.Run("zhang.wei@gmail.com\n");
  CHECK(again.added == 0);
  CHECK(again.already_present == 1);
  auto v = f.store->ResolveVariant(key);
  REQUIRE(*v);
  CHECK((*v)->primary == now.digest);
  auto index = f.store->LoadWatchIndex();
  REQUIRE(index);
  CHECK(index->Contains(WatchIndex::Key(hasher.Probe("email", "zhangwei@gmail.com"), false)));
}
