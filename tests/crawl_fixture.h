// The crawl with a real temporary store, enrolled identifiers, one Scanner per source as
// the CLI wires it, and the fake fetcher: shared by the crawl tests.
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "crawler/crawl.h"
#include "matcher/scanner.h"
#include "scratch_store.h"
#include "tests/fake_fetcher.h"
#include "watchlists/enroll.h"

namespace lw {
constexpr UnixSeconds kT0 = 1800000000;

// A real temporary store with a few enrolled identifiers, one Scanner per source as the
// CLI wires it, and the fake fetcher.
struct Fixture {
  Fixture() {
    std::ofstream(dir + "/watch.txt") << "zhang.wei@icloud.com\n13800138000\nli.na@qq.com\nwang.fang@163.com\n";
    EnrollOptions eo;
    eo.watchlist = "w";
    eo.temp_dir = dir;
    auto r = Enroll(*store, hasher, normalizer, eo, {dir + "/watch.txt"}, [](auto&, auto, auto&) {});
    REQUIRE(r);
    REQUIRE(r->rejected == 0);
    index = std::move(*store->LoadWatchIndex());
  }
  ~Fixture() {
    scanners.clear();
  }

  Result<CrawlReport> Crawl(const std::vector<SourceConfig>& sources, CrawlOptions options = {}) {
    options.steady_now_ms = fetcher.SteadyClock();
    if (!options.on_health_change)
      options.on_health_change = [this](const HealthChange& c) -> Status {
        health_changes.push_back(c.previous + "->" + c.health + (c.error.empty() ? "" : " (" + c.error + ")"));
        return Ok();
      };
    auto sink = [this](const SourceConfig& source, const std::string& location, std::string_view text) -> Status {
      if (fail_sink_at == location) return Fail(Error::IO("store write failed"));
      documents.push_back(location);
      texts[location] = std::string(text);
      auto& scanner = scanners[source.name];
      if (!scanner) {
        ScannerOptions so;
        so.source = source.name;
        so.threads = 1;
        scanner = std::make_unique<Scanner>(*store, hasher, index, extractor, clock, so);
      }
      return scanner->ScanBytes(location, text);
    };
    Crawler crawler(fetcher, *store, clock, sink, options);
    return crawler.Run(sources);
  }
  uint64_t NewExposures(const std::string& source) {
    auto it = scanners.find(source);
    return it == scanners.end() ? 0 : it->second->totals().new_exposures;
  }
  // (source, location) of every exposure.
  std::set<std::pair<std::string, std::string>> Exposures() {
    std::set<std::pair<std::string, std::string>> out;
    auto all = store->ExposuresSince(0);
    REQUIRE(all);
    for (const Exposure& e : *all) out.insert({e.source, e.location});
    return out;
  }
  SourceRunState State(const std::string& name) { return *LoadSourceRunState(*store, name); }

  ScratchStore scratch;
  std::string dir = scratch.dir();
  std::unique_ptr<Store>& store = scratch.store;
  KeyedHasher hasher{std::string(32, 'k')};
  Normalizer normalizer;
  Extractor extractor{normalizer};
  WatchIndex index;
  FakeClock clock{kT0};
  FakeFetcher fetcher;
  std::map<std::string, std::unique_ptr<Scanner>> scanners;
  std::vector<std::string> documents;  // locations handed to the sink, in order
  std::map<std::string, std::string> texts;
  std::string fail_sink_at;
  std::vector<std::string> health_changes;  // "previous->health (error)", in order
};

inline SourceConfig Listing(std::string name, std::string url, std::string item_pattern, std::string item_url = "",
                     std::string next_pattern = "") {
  SourceConfig s;
  s.name = std::move(name);
  s.kind = "listing";
  s.url = std::move(url);
  s.item_pattern = std::move(item_pattern);
  s.item_url = std::move(item_url);
  s.next_pattern = std::move(next_pattern);
  return s;
}

inline SourceConfig Json(std::string name, std::string url, std::string field) {
  SourceConfig s;
  s.name = std::move(name);
  s.kind = "json";
  s.url = std::move(url);
  s.item_field = std::move(field);
  return s;
}

inline SourceConfig Page(std::string name, std::string url) {
  SourceConfig s;
  s.name = std::move(name);
  s.kind = "page";
  s.url = std::move(url);
  return s;
}

}  // namespace lw
