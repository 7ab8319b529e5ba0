// Test helpers: a scratch directory, and a fresh store inside one. Both are removed when
// they go out of scope (the store is closed first).
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "store/store.h"

namespace lw {

// A digest of random bytes, for tests that make up identifiers.
inline Digest RandomDigest(std::mt19937_64& rng) {
  Digest d;
  for (auto& b : d) b = static_cast<uint8_t>(rng());
  return d;
}

class TempDir {
 public:
  // Under `parent`, or the system's temporary directory when empty.
  explicit TempDir(const std::string& parent = "") {
    std::filesystem::path base = parent.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(parent);
    std::string tmpl = (base / "lw-test-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path;
};

class ScratchStore {
 public:
  // `schema`: an older one makes a store as older versions of leakwatch did (see
  // kCurrentSchema).
  explicit ScratchStore(int schema = kCurrentSchema) {
    StoreOptions o;
    o.create_if_missing = true;
    o.create_schema = schema;
    auto opened = Store::Open(tmp_.path + "/store", o);
    REQUIRE(opened);
    store = std::move(*opened);
  }
  explicit ScratchStore(bool) = delete;  // a schema number, not "schema 1 or not"
  ~ScratchStore() { store.reset(); }
  const std::string& dir() const { return tmp_.path; }

 private:
  TempDir tmp_;  // declared first: removed after the store is closed

 public:
  std::unique_ptr<Store> store;
};

}  // namespace lw
