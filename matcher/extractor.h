// Candidate extraction: finds every email, phone number and hex digest that could be a
// watched identifier in arbitrary leaked text, normalized so the caller can keyed-hash it
// (KeyedHasher::Hash(c.hash_tag, c.value)) and look it up.
//
// This is the hot path. Each finder starts from a hand-written prefilter (memchr for
// '@'; for phones, digests and base64, 64-byte SSE2 class bitmasks that keep only runs
// long enough to matter (matcher/scan_util.h); memchr for the first byte of
// obfuscations and the other encodings) and does real work only around hits. Decoded
// content (base64, percent-encoding, HTML entities) is scanned again, depth-limited and
// size-capped; see matcher/decoders.h for the decoders themselves.
//
// Candidates are not hashed, looked up or alias-expanded here. A password found beside an
// identifier only raises its Severity: it is never stored, returned or printed.
//
// Thread-safety: an Extractor is immutable after construction; Extract() is const and
// may be called from many threads at once. The Normalizer must outlive the Extractor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/identifier.h"
#include "matcher/inline_string.h"

namespace lw {

// How a candidate was written. Ordered from strongest to weakest evidence for the
// per-call deduplication ("exact over obfuscated over encoded").
// kAlias: a QQ number written with a QQ label (the account NUMBER@qq.com); the scanner
// also sets it for another spelling of a watched account.
enum class MatchKind : uint8_t { kExact, kAlias, kObfuscated, kEncoded, kHashed };
enum class Severity : uint8_t { kExposure, kCredential };
std::string_view MatchKindName(MatchKind kind);  // "exact", "alias", "obfuscated", "encoded", "hashed"
std::string_view SeverityName(Severity severity);  // "exposure", "credential"

// Most values fit inline (sizeof is 64): emails up to 48 bytes, phones, md5 and sha1.
using CandidateValue = InlineString<48>;
static_assert(sizeof(CandidateValue) == 64);

struct Candidate {
  IdKind kind;                 // kEmail (also for hex digests) or kPhone
  std::string_view hash_tag;   // tag for KeyedHasher::Hash: "email", "phone", "md5", "sha1", "sha256";
                               // points to static storage
  CandidateValue value;        // normalized email, E.164 phone, or lower-case hex digest
  MatchKind match;             // kExact, kObfuscated, kEncoded (found inside decoded bytes), kHashed
  Severity severity;           // kCredential when a password-like value sits beside it in the same record
  uint64_t offset;             // byte offset of the candidate's start in the text passed to Extract;
                               // for decoded content, the offset of the encoded segment
};

// A candidate as a CandidateFilter sees it, before it is built: its hash tag, normalized
// value and offset (as in Candidate). The views are valid during the Select call only
// (from Prepare to SelectPrepared).
struct Probe {
  std::string_view hash_tag;
  std::string_view value;
  uint64_t offset;
  bool hashed = false;  // a hex digest (MatchKind::kHashed): only hashed-email variants match it
};

// Decides which candidates Extract reports, before their severity is checked or they are
// deduplicated and copied out. In a scan nearly no candidate is watched, so the scanner
// passes a filter that hashes and looks up each probe (matcher/scanner.cc): the rest
// then cost nothing more. Probes arrive in batches so that a filter can overlap its
// memory accesses.
class CandidateFilter {
 public:
  static constexpr size_t kMaxBatch = 32;
  virtual ~CandidateFilter() = default;
  // Sets keep[i] for probes[i]. REQUIRES: probes.size() <= kMaxBatch.
  virtual void Select(std::span<const Probe> probes, bool* keep) const = 0;

  // A filter whose decision waits on memory can split it in two: Prepare starts the work
  // on a batch (keyed hashes, loads of what the decision reads) and leaves what it
  // computed in `ahead`; Extract calls SelectPrepared on the same batch, with the same
  // probes, once the next batch is ready, so that the loads overlap extraction. By default
  // Prepare does nothing and SelectPrepared is Select.
  struct Ahead {
    uint64_t word[kMaxBatch];
    uint64_t also[kMaxBatch];  // a second lookup for the same probe (another spelling of it)
  };
  virtual void Prepare(std::span<const Probe> /*probes*/, Ahead* /*ahead*/) const {}
  virtual void SelectPrepared(std::span<const Probe> probes, const Ahead& /*ahead*/, bool* keep) const {
    Select(probes, keep);
  }
};

struct ExtractorOptions {
  // Which finders run. All default on; turning one off only saves its (small) cost.
  bool emails = true;
  bool phones = true;
  bool hashes = true;        // 32/40/64-hex tokens as "md5"/"sha1"/"sha256"
  bool obfuscations = true;  // "[at]"/"(dot)" forms, fullwidth characters
  bool decode = true;        // base64, percent-encoding, HTML entities, then scan again

  // Decoded bytes are scanned again, up to this depth: 2 finds base64 of
  // percent-encoded text, not a third layer. 0 disables decoding.
  int max_decode_depth = 2;
  // Cap on the total decoded output per Extract call; segments past it are skipped.
  // Bounds the extra work a hostile document can cause.
  size_t max_decoded_bytes = 16 << 20;
};

class Extractor {
 public:
  // `normalizer` is borrowed and must outlive the Extractor.
  explicit Extractor(const Normalizer& normalizer, ExtractorOptions options = {});

  // Finds every candidate in `text` (arbitrary bytes: invalid UTF-8, NULs, CRLF are all
  // fine; a UTF-16 text with a byte order mark is transcoded first) and appends them to
  // *out. Identical (hash_tag, value) pairs are reported once per call, with the
  // highest severity and the strongest match kind seen. Order: grouped by finder,
  // ascending offset within a finder; callers must not rely on it. With a `filter`, only
  // the candidates it keeps are reported (deduplication among those is the same).
  //
  // `document_head`: when `text` is a later part of a document (a chunk of a large file),
  // the document's first bytes, where a CSV header row or an SQL schema that decides a
  // record's severity is looked up (matcher/records.h). Empty when `text` starts it.
  void Extract(std::string_view text, std::vector<Candidate>* out, const CandidateFilter* filter = nullptr,
               std::string_view document_head = {}) const;

  const ExtractorOptions& options() const { return options_; }

 private:
  class Scan;  // the state of one Extract call (extractor.cc)

  const Normalizer& normalizer_;
  ExtractorOptions options_;
};

}  // namespace lw
