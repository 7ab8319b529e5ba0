// Enrollment: reads identifier lists, normalizes and keyed-hashes each identifier, and
// adds them to a watchlist in bulk (see Store::StartBulkEnroll).
//
// Input formats (detected per file from its first non-empty line):
//  - plain: one identifier per line, optionally followed by ",label";
//  - CSV: a header naming an `identifier` column (and optionally `label`), RFC 4180
//    quoting on one line;
//  - prehashed (EnrollOptions::prehashed): lines printed by `leakwatch hash`.
// A bad line is reported (line number, reason, identifier redacted) and skipped; it never
// aborts the import. Hashing runs on all cores.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/identifier.h"
#include "base/keyed_hash.h"
#include "base/status.h"
#include "store/store.h"

namespace lw {

struct EnrollOptions {
  std::string watchlist;
  InputKind kind = InputKind::kAuto;
  bool prehashed = false;
  // Directory for the temporary sorted runs (SST files); the store's parent by default.
  std::string temp_dir;
  // Worker threads for normalization and hashing; 0 = hardware concurrency.
  unsigned threads = 0;
  // Look every identifier (new or already present) and each of its variant keys up in the
  // sightings, and record the exposures found (watchlists/retro_hunt.h).
  bool retro_hunt = true;
};

struct EnrollSummary {
  uint64_t added = 0;
  uint64_t already_present = 0;
  uint64_t rejected = 0;
  uint64_t retro_exposures = 0;    // earlier exposures found by the retro-hunt (new ones)
  uint64_t retro_identifiers = 0;  // of that many identifiers
};

// Called once per rejected line, in input order. `input` is the file name ("<stdin>").
using RejectFn = std::function<void(const std::string& input, uint64_t line, const std::string& reason)>;

Result<EnrollSummary> Enroll(Store& store, const KeyedHasher& hasher, const Normalizer& normalizer,
                             const EnrollOptions& options, const std::vector<std::string>& inputs,
                             const RejectFn& on_reject);

// The keyed hash of an identifier and, for emails, of its variants, as enrollment stores
// them: the account key when it is another spelling (base/providers.h: "x@icloud.com" for
// "x+tag@me.com"), and the hex MD5, SHA-1 and SHA-256 of every spelling HashedSpellings
// lists (`as_written`, the line as enrolled, adds its own spelling and its lower case).
struct HashedIdentifier {
  IdKind kind = IdKind::kEmail;
  Digest digest{};
  uint64_t probe = 0;  // KeyedHasher::Probe; 0 on lines from a leakwatch before probes
  std::vector<VariantRecord> variants;

  // Whether every probe is known (required by stores of schema 2).
  bool HasProbes() const;
};
HashedIdentifier HashIdentifier(const KeyedHasher& hasher, const Identifier& id, std::string_view as_written = {});

// `leakwatch hash` output line for one identifier, "HEX KIND probe:P [TYPE:HEX:P]..." (P:
// 16 hex digits), and its parser (used by --prehashed). The parser also reads the lines of
// older versions, "HEX KIND [TYPE:HEX]..." or a bare HEX, which carry no probes.
std::string FormatHashLine(const HashedIdentifier& h);
Result<HashedIdentifier> ParseHashLine(std::string_view line, InputKind kind);

// A rejected identifier as it may appear in messages: first and last character only.
std::string RedactForMessage(std::string_view raw);

}  // namespace lw
