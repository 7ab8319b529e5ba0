// Sightings: every identifier a scan or crawl extracts, watched or not, remembered as a
// keyed fingerprint with a reference to the document it was found in, so that an
// identifier enrolled later finds what leakwatch read before (watchlists/retro_hunt.h).
//
// A sighting is never the identifier and never the content: its fingerprint is the first
// kSightingFingerprintBytes of the keyed digest enrollment stores for the same spelling
// (KeyedHasher::Hash under the kind's tag), and its document is a number whose record
// holds the document's content digest (keyed in schema 3), source, location and first and
// last seen times. store/layout.md has the keys.
//
// Plain structs; the Store records and reads them (store/store.h).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/keyed_hash.h"

namespace lw {

// 12 bytes (96 bits) of keyed digest: with 10^9 sightings and 10^7 enrolled identifiers
// (each with up to ~15 keys), a false match has probability ~10^-12.
inline constexpr size_t kSightingFingerprintBytes = 12;
using SightingFingerprint = std::array<uint8_t, kSightingFingerprintBytes>;

inline SightingFingerprint SightingFingerprintOf(const Digest& d) {
  SightingFingerprint f;
  std::memcpy(f.data(), d.data(), f.size());
  return f;
}

// What a sighting keeps of its candidate, in one byte:
// bits 0-2: the candidate's match kind (lw::MatchKind's value: exact, alias, obfuscated,
//           encoded, hashed);
// bit 3:    a password-like value sat beside it (severity "credential");
// bit 4:    the fingerprint is of the candidate's account key (base/providers.h), not of
//           the spelling found: the scanner records both for another spelling of an
//           account in the provider table.
inline constexpr uint8_t kSightingMatchMask = 0x07;
inline constexpr uint8_t kSightingCredential = 0x08;
inline constexpr uint8_t kSightingAccountKey = 0x10;

struct Sighting {
  SightingFingerprint fingerprint{};
  uint8_t flags = 0;
};

// A document's sightings in pieces, for one too large to hold them at once: calls `each`
// with consecutive runs of them, in key order (sorted by fingerprint, one per
// fingerprint), until the end or an error, which it returns.
using SightingChunks = std::function<Status(const std::function<Status(std::span<const Sighting>)>& each)>;

// A document whose sightings are stored: identified by its content digest.
struct DocumentRecord {
  uint32_t number = 0;         // assigned by the store, from 1
  std::string content_digest;  // hex, of the store's ContentDigestKind
  std::string source;
  std::string location;
  UnixSeconds first_seen = 0;
  UnixSeconds last_seen = 0;
};

// A document and its sightings (sorted by fingerprint, one per fingerprint), for
// Store::RecordDocuments.
struct DocumentWithSightings {
  DocumentRecord document;
  std::vector<Sighting> sightings;
};

struct SightingsStats {
  uint64_t sightings = 0;  // estimated by RocksDB for large stores
  uint64_t documents = 0;
  uint64_t sighting_bytes = 0;  // on disk (SST files) and in memtables
  uint64_t document_bytes = 0;
};

// A sighting of one key of an identifier being enrolled (Store::StartBulkEnroll with
// BulkEnrollInput::retro_hunt): the identifier, the key that was found, and where.
struct RetroMatch {
  Digest primary{};
  uint8_t via = 0;         // 0: the identifier's own digest; else the VariantType of the key
  uint32_t document = 0;
  uint8_t flags = 0;       // the sighting's (above)
  uint32_t hint = 0;       // EnrollRecord::hint of the identifier (0: none known)
};

}  // namespace lw
