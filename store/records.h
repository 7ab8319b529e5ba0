// The records the store keeps, as plain structs. Encoding is internal (store/codec.cc).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/identifier.h"
#include "base/keyed_hash.h"

namespace lw {

// How a variant key leads back to its watched identifier.
enum class VariantType : uint8_t {
  kAlias = 1,   // the same Apple account under another of icloud.com/me.com/mac.com
  kMd5 = 2,     // keyed hash of the hex MD5 of the normalized email
  kSha1 = 3,
  kSha256 = 4,
};

// Whether a variant is of a hashed email (found as a hex digest in text): such keys sit in
// their own filter of the watch index (WatchIndex::Key).
inline bool IsHashedVariant(VariantType t) { return t != VariantType::kAlias; }

// A variant key and the watched identifier it leads to.
struct VariantRecord {
  Digest variant{};
  Digest primary{};
  VariantType type = VariantType::kAlias;
  uint64_t probe = 0;  // KeyedHasher::Probe of the variant; 0: not known (schema 1)
};

// One identifier in one watchlist.
struct WatchEntry {
  Digest digest{};         // KeyedHasher::Hash(HashTag(kind), normalized)
  std::string watchlist;
  IdKind kind = IdKind::kEmail;
  std::string label;       // optional, as enrolled
  uint64_t probe = 0;      // KeyedHasher::Probe of the identifier; 0: not known (schema 1)
};

struct WatchlistInfo {
  std::string name;
  uint64_t size = 0;              // identifiers enrolled
  UnixSeconds created = 0;
  UnixSeconds last_exposure = 0;  // 0: never
};

// One watched identifier seen in one document content.
struct Exposure {
  std::string id;                    // stable: hex of 16 bytes derived from identifier and content
  Digest identifier{};               // the watched identifier's digest
  std::vector<std::string> watchlists;
  std::vector<std::string> labels;
  IdKind kind = IdKind::kEmail;
  std::string hint;                  // redacted form, never the identifier
  std::string source;                // configured source name, or "scan"
  std::string location;              // URL or path (path!member inside archives)
  std::string content_digest;        // hex digest of the document content (Store::content_digest_kind)
  UnixSeconds first_seen = 0;
  UnixSeconds last_seen = 0;
  std::string severity;              // "exposure" | "credential"
  std::string match;                 // "exact" | "alias" | "obfuscated" | "encoded" | "hashed"
  bool retro = false;                // found by a retro-hunt at enrollment, in a document read before
};

// Counts of the exposures in a store, kept as they are recorded and pruned (schema 4), so
// that `stats` and `metrics` need not read every exposure.
struct ExposureCounts {
  uint64_t total = 0;
  std::map<std::string, uint64_t> by_source;
  std::map<std::string, uint64_t> by_day;  // first_seen's UTC date, YYYY-MM-DD
  std::map<std::string, uint64_t> by_severity;
};

}  // namespace lw
