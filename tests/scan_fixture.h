// Test helper: a scratch store with identifiers enrolled in watchlist "w", and what a
// Scanner needs around it (hasher, normalizer, extractor, the watch index, a clock).
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/identifier.h"
#include "base/keyed_hash.h"
#include "matcher/extractor.h"
#include "scratch_store.h"
#include "store/store.h"
#include "watchlists/enroll.h"

namespace lw {

struct ScanFixture {
  // `schema`: an older one is the store of an older leakwatch (1: the index is keyed by
  // HMAC digests; 1 and 2: content digests are SHA-256).
  explicit ScanFixture(const std::vector<std::string>& watched, int schema = kCurrentSchema) : scratch(schema) {
    std::string list;
    for (const std::string& w : watched) list += w + "\n";
    const std::string path = dir + "/watch.txt";
    std::ofstream(path) << list;
    EnrollOptions eo;
    eo.watchlist = "w";
    eo.temp_dir = dir;
    auto r = Enroll(*store, hasher, normalizer, eo, {path}, [](auto&, auto, auto&) {});
    REQUIRE(r);
    REQUIRE(r->rejected == 0);
    index = std::move(*store->LoadWatchIndex());
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

}  // namespace lw
