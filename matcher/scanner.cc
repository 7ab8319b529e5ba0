#include "matcher/scanner.h"

#include <openssl/sha.h>

#include <algorithm>
#include <deque>
#include <future>
#include <thread>

namespace lw {

namespace {

class StringStream final : public ByteStream {
 public:
  explicit StringStream(std::string_view s) : s_(s) {}
  Result<size_t> Read(char* buf, size_t n) override {
    n = std::min(n, s_.size());
    std::copy_n(s_.data(), n, buf);
    s_.remove_prefix(n);
    return n;
  }

 private:
  std::string_view s_;
};

// Reads until `n` bytes or the end: chunk boundaries must not depend on how the
// underlying stream happens to split its reads.
Result<size_t> ReadFull(ByteStream& stream, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    auto r = stream.Read(buf + got, n - got);
    if (!r) return Fail(r.error());
    if (*r == 0) break;
    got += *r;
  }
  return got;
}

int MatchRank(MatchKind m) {
  switch (m) {
    case MatchKind::kExact: return 5;
    case MatchKind::kAlias: return 4;
    case MatchKind::kObfuscated: return 3;
    case MatchKind::kEncoded: return 2;
    case MatchKind::kHashed: return 1;
  }
  return 0;
}

}  // namespace

Scanner::Scanner(Store& store, const KeyedHasher& hasher, const WatchIndex& index, const Extractor& extractor,
                 const Clock& clock, ScannerOptions options)
    : store_(store), hasher_(hasher), index_(index), extractor_(extractor), clock_(clock), options_(std::move(options)) {
  if (options_.threads == 0) options_.threads = std::max(1u, std::thread::hardware_concurrency());
}

std::vector<Scanner::Hit> Scanner::ScanChunk(std::string_view buffer, size_t report_begin, size_t report_end) const {
  std::vector<Candidate> candidates;
  extractor_.Extract(buffer, &candidates);
  // Hash a batch, prefetch the index slots it needs, then test them: the index is far
  // larger than the caches, and a lookup that waits for memory costs ~100 ns.
  constexpr size_t kBatch = 16;
  std::vector<Hit> hits;
  Digest digests[kBatch];
  size_t which[kBatch];
  size_t i = 0;
  while (i < candidates.size()) {
    size_t n = 0;
    for (; i < candidates.size() && n < kBatch; ++i) {
      const Candidate& c = candidates[i];
      if (c.offset < report_begin || c.offset >= report_end) continue;
      digests[n] = hasher_.Hash(c.hash_tag, c.value);
      index_.Prefetch(WatchIndex::Fingerprint(digests[n]));
      which[n++] = i;
    }
    for (size_t k = 0; k < n; ++k)
      if (index_.Contains(digests[k])) hits.push_back({digests[k], std::move(candidates[which[k]])});
  }
  return hits;
}

Status Scanner::ScanBytes(const std::string& location, std::string_view content) {
  StringStream s(content);
  return Scan(location, s);
}

Status Scanner::Scan(const std::string& location, ByteStream& stream) {
  const size_t chunk = options_.chunk_size, overlap = options_.overlap;
  SHA256_CTX sha;
  SHA256_Init(&sha);
  std::vector<Hit> hits;
  std::deque<std::future<std::vector<Hit>>> in_flight;
  auto collect_one = [&] {
    auto h = in_flight.front().get();
    in_flight.pop_front();
    hits.insert(hits.end(), std::make_move_iterator(h.begin()), std::make_move_iterator(h.end()));
  };

  // window holds [window_start, window_start + window.size()) of the document. Each
  // round appends up to `chunk` new bytes; candidates starting in
  // [report_from, window_end - overlap) are reported, or up to the end on the last round.
  std::string window;
  uint64_t window_start = 0, report_from = 0;
  std::string block(chunk, '\0');
  bool eof = false;
  while (!eof) {
    auto n = ReadFull(stream, block.data(), chunk);
    if (!n) return Fail(n.error());
    eof = *n < chunk;
    SHA256_Update(&sha, block.data(), *n);
    window.append(block.data(), *n);
    totals_.bytes += *n;
    uint64_t window_end = window_start + window.size();
    uint64_t report_to = eof ? window_end : (window_end > overlap ? window_end - overlap : 0);
    if (report_to > report_from) {
      auto buffer = std::make_shared<std::string>(window);
      size_t begin = report_from - window_start, end = report_to - window_start;
      in_flight.push_back(std::async(std::launch::async, [this, buffer, begin, end] {
        return ScanChunk(*buffer, begin, end);
      }));
      report_from = report_to;
      while (in_flight.size() >= 2 * options_.threads) collect_one();  // keep every core busy while this thread reads
      if (progress_) progress_(totals_);
    }
    // Keep `overlap` bytes of left context before report_from.
    uint64_t keep_from = report_from > overlap ? report_from - overlap : 0;
    if (keep_from > window_start) {
      window.erase(0, keep_from - window_start);
      window_start = keep_from;
    }
  }
  while (!in_flight.empty()) collect_one();
  uint8_t digest[32];
  SHA256_Final(digest, &sha);
  ++totals_.documents;
  return Record(location, ToHex(digest, 32), std::move(hits));
}

Status Scanner::Record(const std::string& location, const std::string& content_digest, std::vector<Hit> hits) {
  // One exposure per watched identifier: merge the hits that lead to the same one.
  struct Found {
    Exposure exposure;
    int rank = 0;
  };
  std::map<Digest, Found> found;
  UnixSeconds now = clock_.Now();
  for (Hit& hit : hits) {
    auto members = store_.Memberships(hit.digest);
    if (!members) return Fail(members.error());
    Digest primary = hit.digest;
    MatchKind match = hit.candidate.match;
    if (members->empty()) {
      auto variant = store_.ResolveVariant(hit.digest);
      if (!variant) return Fail(variant.error());
      if (!*variant) continue;  // a fingerprint collision, not a watched identifier
      primary = (*variant)->primary;
      if ((*variant)->type == VariantType::kAlias) {
        if (match == MatchKind::kExact) match = MatchKind::kAlias;
      } else {
        match = MatchKind::kHashed;
      }
      members = store_.Memberships(primary);
      if (!members) return Fail(members.error());
      if (members->empty()) continue;  // unenrolled since
    }
    Found& f = found[primary];
    Exposure& e = f.exposure;
    int rank = MatchRank(match);
    if (e.id.empty()) {
      e.identifier = primary;
      e.id = ExposureId(primary, content_digest);
      e.kind = (*members)[0].kind;
      for (const WatchEntry& m : *members) {
        e.watchlists.push_back(m.watchlist);
        if (!m.label.empty()) e.labels.push_back(m.label);
      }
      e.source = options_.source;
      e.location = location;
      e.content_digest = content_digest;
      e.first_seen = e.last_seen = now;
      e.severity = "exposure";
    }
    if (rank > f.rank) {
      f.rank = rank;
      e.match = std::string(MatchKindName(match));
      e.hint = hit.candidate.match == MatchKind::kHashed
                   ? std::string(hit.candidate.hash_tag) + " of a watched email"
                   : Hint({hit.candidate.kind, std::string(hit.candidate.value)});
    }
    if (hit.candidate.severity == Severity::kCredential) e.severity = "credential";
  }
  for (auto& [digest, f] : found) {
    auto r = store_.RecordExposure(f.exposure);
    if (!r) return Fail(r.error());
    if (r->is_new) {
      ++totals_.new_exposures;
      for (const std::string& w : f.exposure.watchlists) ++totals_.new_by_watchlist[w];
    } else {
      ++totals_.seen_again;
    }
  }
  return Ok();
}

}  // namespace lw
