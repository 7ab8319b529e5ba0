#include "matcher/pipeline.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>

#include "matcher/documents.h"
#include "scan_fixture.h"
#include "watchlists/enroll.h"

using namespace lw;

namespace {

const std::vector<std::string> kWatched = {"zhang.wei@icloud.com", "li.na@163.com", "13800138000",
                                           "wang.fang@qq.com"};

// A store with kWatched enrolled, and what a scan needs around it.
struct Setup : ScanFixture {
  Setup() : ScanFixture(kWatched) {}
};

// Documents of a stealer tree's shapes; some repeat the content of an earlier one (the
// same exposure, seen again: which location an exposure keeps depends on the order).
std::vector<std::pair<std::string, std::string>> Documents() {
  std::vector<std::pair<std::string, std::string>> docs;
  for (int i = 0; i < 240; ++i) {
    std::string text;
    switch (i % 6) {
      case 0: text = "URL: https://appleid.apple.com\nUsername: zhang.wei@icloud.com\nPassword: Tr0ub4dor" + std::to_string(i / 12) + "\n"; break;
      case 1: text = "URL:https://mail.163.com/\nUSER:li.na@163.com\nPASS:qwe" + std::to_string(i % 24) + "zz\n\n"; break;
      case 2: text = "Name: email\nValue: nobody.here@gmail.com\n\n"; break;
      case 3: text = "phone: +86 138 0013 8000, city: Beijing " + std::to_string(i % 30) + "\n"; break;
      case 4: text = ""; break;
      default: text = "contact wang.fang@qq.com " + std::to_string(i % 18) + "\n"; break;
    }
    docs.emplace_back("logs/victim-" + std::to_string(i) + "/file.txt", text);
  }
  return docs;
}

struct Outcome {
  std::vector<std::tuple<std::string, std::string, std::string, std::string>> exposures;  // id, location, severity, match
  uint64_t documents = 0, new_exposures = 0, seen_again = 0;
  bool operator==(const Outcome&) const = default;
};

Outcome RunPipeline(PipelineOptions options, bool loaded) {
  Setup s;
  Scanner scanner(*s.store, s.hasher, s.index, s.extractor, s.clock, {});
  std::vector<Error> errors;
  {
    DocumentPipeline pipeline(scanner, [&](const Error& e) { errors.push_back(e); }, options);
    for (auto& [location, text] : Documents()) {
      if (loaded) {
        auto load = [text] { return Result<std::optional<std::string>>(text); };
        REQUIRE(pipeline.AddLoaded(location, load, [] { return Status(Fail(Error::Internal("no fallback"))); }));
      } else {
        REQUIRE(pipeline.Add(location, text));
      }
    }
    REQUIRE(pipeline.Finish());
  }
  CHECK(errors.empty());
  Outcome o;
  for (const Exposure& e : s.All()) o.exposures.emplace_back(e.id, e.location, e.severity, e.match);
  std::sort(o.exposures.begin(), o.exposures.end());
  o.documents = scanner.totals().documents;
  o.new_exposures = scanner.totals().new_exposures;
  o.seen_again = scanner.totals().seen_again;
  return o;
}

}  // namespace

TEST_CASE("pipeline: the same exposures, in the same order, with 1 thread or many") {
  PipelineOptions one;
  one.threads = 1;
  one.queue_depth = 1;
  const Outcome serial = RunPipeline(one, false);
  CHECK(serial.documents == 240);
  CHECK(serial.new_exposures > 0);
  CHECK(serial.seen_again > 0);  // repeated contents: the first location must win
  for (auto [threads, depth] : {std::pair{2u, 3u}, {4u, 64u}, {8u, 5u}, {3u, 1000u}}) {
    INFO("threads " << threads << ", depth " << depth);
    PipelineOptions many;
    many.threads = threads;
    many.queue_depth = depth;
    CHECK(RunPipeline(many, false) == serial);
    CHECK(RunPipeline(many, true) == serial);
  }
}

TEST_CASE("pipeline: the same exposures as scanning each document alone") {
  Setup s;
  Scanner scanner(*s.store, s.hasher, s.index, s.extractor, s.clock, {});
  for (auto& [location, text] : Documents()) REQUIRE(scanner.ScanBytes(location, text));
  Outcome alone;
  for (const Exposure& e : s.All()) alone.exposures.emplace_back(e.id, e.location, e.severity, e.match);
  std::sort(alone.exposures.begin(), alone.exposures.end());
  alone.documents = scanner.totals().documents;
  alone.new_exposures = scanner.totals().new_exposures;
  alone.seen_again = scanner.totals().seen_again;
  PipelineOptions o;
  o.threads = 2;
  CHECK(RunPipeline(o, false) == alone);
  size_t credential = 0;
  for (auto& e : alone.exposures) credential += std::get<2>(e) == "credential";
  CHECK(credential > 0);
}

TEST_CASE("pipeline: a document that is not small runs in its turn; an unreadable one is reported and skipped") {
  Setup s;
  Scanner scanner(*s.store, s.hasher, s.index, s.extractor, s.clock, {});
  std::vector<std::string> errors;
  std::vector<uint64_t> recorded_before_fallback;
  PipelineOptions options;
  options.threads = 4;
  options.queue_depth = 8;
  DocumentPipeline pipeline(scanner, [&](const Error& e) { errors.push_back(e.message); }, options);
  for (int i = 0; i < 50; ++i) {
    const std::string location = "doc-" + std::to_string(i);
    if (i % 10 == 7) {  // the loader gives up: the fallback scans it, after the 0..i-1 before
      REQUIRE(pipeline.AddLoaded(
          location, [] { return Result<std::optional<std::string>>(std::nullopt); },
          [&, location] {
            recorded_before_fallback.push_back(scanner.totals().documents);
            return scanner.ScanBytes(location, "big one li.na@163.com:pass" + location + "\n");
          }));
    } else if (i == 13) {
      REQUIRE(pipeline.AddLoaded(
          location, [] { return Result<std::optional<std::string>>(Fail(Error::IO("doc-13: permission denied"))); },
          [] { return Status(Fail(Error::Internal("no fallback"))); }));
    } else {
      REQUIRE(pipeline.Add(location, "x zhang.wei@icloud.com " + location));
    }
  }
  REQUIRE(pipeline.InTurn([&] {
    recorded_before_fallback.push_back(scanner.totals().documents);
    return Ok();
  }));
  REQUIRE(pipeline.Finish());
  // Documents 7, 17, ... ran when every one before was recorded (13 failed: not counted).
  CHECK(recorded_before_fallback == std::vector<uint64_t>{7, 16, 26, 36, 46, 49});
  CHECK(errors == std::vector<std::string>{"doc-13: permission denied"});
  CHECK(scanner.totals().documents == 49);
  CHECK(scanner.totals().new_exposures == 49);
}

TEST_CASE("pipeline: a directory, its archives and large files give what scanning file by file gives") {
  Setup s;
  TempDir tree;
  namespace fs = std::filesystem;
  std::map<std::string, std::string> files;
  for (int i = 0; i < 40; ++i) {
    std::string folder = tree.path + "/US[" + std::to_string(1000 + i) + "]";
    files[folder + "/Passwords.txt"] =
        "URL: https://login.live.com\nUsername: " + std::string(i % 4 == 0 ? "zhang.wei@icloud.com" : "someone@x.org") +
        "\nPassword: Pw" + std::to_string(i) + "xyz\n";
    files[folder + "/Cookies/chrome.txt"] = ".google.com\tTRUE\t/\tFALSE\t1767225600\tNID\tabc" + std::to_string(i) + "\n";
  }
  // A file larger than the small limit, scanned in its turn in chunks.
  std::string big(300 << 10, 'x');
  big += "\nwang.fang@qq.com:S3cret99\n";
  files[tree.path + "/big.txt"] = big;
  files[tree.path + "/US[1003]/big2.txt"] = big + "2";  // inside a folder a worker walks
  for (auto& [path, text] : files) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
  }
  // An archive inside the tree, scanned in its turn.
  REQUIRE(std::system(("cd '" + tree.path + "' && printf 'USER:li.na@163.com\\nPASS:abc123\\n' > p.txt && tar -czf a.tar.gz p.txt && rm p.txt").c_str()) == 0);

  auto scan = [&](PipelineOptions pipeline) {
    Setup fresh;
    ScannerOptions so;
    so.chunk_size = 64 << 10;
    so.overlap = 4 << 10;
    Scanner scanner(*fresh.store, fresh.hasher, fresh.index, fresh.extractor, fresh.clock, so);
    DocumentOptions options;
    options.pipeline = pipeline;
    options.small_limit = so.chunk_size;
    REQUIRE(ScanPath(tree.path, scanner, options, [](const Error& e) { FAIL(e.message); }));
    std::vector<std::pair<std::string, std::string>> got;
    for (const Exposure& e : fresh.All()) got.emplace_back(e.location.substr(tree.path.size()), e.severity);
    std::sort(got.begin(), got.end());
    CHECK(scanner.totals().documents == files.size() + 1);
    return got;
  };
  PipelineOptions one;
  one.threads = 1;
  one.queue_depth = 1;
  auto serial = scan(one);
  std::vector<std::pair<std::string, std::string>> want = {{"/a.tar.gz!p.txt", "credential"},
                                                           {"/big.txt", "credential"},
                                                           {"/US[1003]/big2.txt", "credential"}};
  for (int i = 0; i < 40; i += 4) want.emplace_back("/US[" + std::to_string(1000 + i) + "]/Passwords.txt", "credential");
  std::sort(want.begin(), want.end());
  CHECK(serial == want);
  PipelineOptions many;
  many.threads = 4;
  many.queue_depth = 7;
  CHECK(scan(many) == serial);
}

TEST_CASE("pipeline: zip members read from the central directory, stored, deflated, zip64, large; gzip members") {
  Setup s;
  TempDir work;
  const std::string d = work.path;
  std::ofstream(d + "/a.txt") << "USER:li.na@163.com\nPASS:abc12345\n";
  std::ofstream(d + "/empty.txt") << "";
  std::ofstream(d + "/big.txt") << std::string(200 << 10, 'y') << "\nwang.fang@qq.com:S3cret99\n";
  std::ofstream(d + "/c.txt") << "contact zhang.wei@icloud.com\n";
  std::filesystem::create_directories(d + "/sub");
  std::ofstream(d + "/sub/p.txt") << "phone 13800138000\n";
  const std::string sh = "cd '" + d + "' && zip -q -0 stored.zip a.txt && zip -q -fz z64.zip a.txt c.txt" +
                         " && zip -q -r deflated.zip a.txt empty.txt big.txt sub c.txt" +
                         " && gzip -c a.txt > a.gz && gzip -c c.txt > c.gz && cat a.gz c.gz > ac.gz" +
                         " && head -c 300 deflated.zip > cut.zip";
  REQUIRE(std::system(sh.c_str()) == 0);

  auto scan = [&](const std::string& name, unsigned threads) {
    Setup fresh;
    ScannerOptions so;
    so.chunk_size = 64 << 10;
    so.overlap = 4 << 10;
    Scanner scanner(*fresh.store, fresh.hasher, fresh.index, fresh.extractor, fresh.clock, so);
    DocumentOptions options;
    options.pipeline.threads = threads;
    options.small_limit = so.chunk_size;
    std::vector<std::string> got;
    auto status = ScanPath(d + "/" + name, scanner, options, [&](const Error&) { got.push_back("error"); });
    if (!status) got.push_back("failed");
    for (const Exposure& e : fresh.All()) got.push_back(e.location.substr(d.size() + 1) + " " + e.severity);
    std::sort(got.begin(), got.end());
    got.push_back(std::to_string(scanner.totals().documents));
    return got;
  };
  for (unsigned threads : {1u, 3u}) {
    INFO("threads " << threads);
    CHECK(scan("stored.zip", threads) == std::vector<std::string>{"stored.zip!a.txt credential", "1"});
    CHECK(scan("z64.zip", threads) ==
          std::vector<std::string>{"z64.zip!a.txt credential", "z64.zip!c.txt exposure", "2"});
    CHECK(scan("deflated.zip", threads) ==
          std::vector<std::string>{"deflated.zip!a.txt credential", "deflated.zip!big.txt credential",
                                   "deflated.zip!c.txt exposure", "deflated.zip!sub/p.txt exposure", "5"});
    // Two gzip members, one after the other: one document of both, as gzip -d gives.
    CHECK(scan("ac.gz", threads) == std::vector<std::string>{"ac.gz credential", "ac.gz exposure", "1"});
    // Not a zip the central directory reader takes: libarchive's error, reported.
    auto cut = scan("cut.zip", threads);
    CHECK(std::find(cut.begin(), cut.end(), "failed") != cut.end());
  }
}
