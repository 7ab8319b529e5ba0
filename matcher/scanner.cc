#include "matcher/scanner.h"

#include "base/providers.h"
#include "matcher/sightings.h"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <bit>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <new>
#include <set>
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

// Reads until `n` bytes or the end, `read(at, buf, n)` reading from offset `at` of the
// n bytes wanted: chunk boundaries must not depend on how the underlying stream happens
// to split its reads.
template <class ReadFn>
Result<size_t> ReadFull(char* buf, size_t n, ReadFn read) {
  size_t got = 0;
  while (got < n) {
    Result<size_t> r = read(got, buf + got, n - got);
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

// Whether a match `m` at hit position `at` wins over `other` at `other_at` as the one an
// identifier's exposure reports: the stronger, and of equals the first. Every way a
// document's hits of one identifier come together (in document order or not) keeps the
// winner by this.
bool Outranks(MatchKind m, uint64_t at, MatchKind other, uint64_t other_at) {
  return MatchRank(m) > MatchRank(other) || (MatchRank(m) == MatchRank(other) && at < other_at);
}

// Keeps the candidates whose fingerprint is in the watch index and that start inside the
// chunk's report range; everything else is dropped before it costs more.
class IndexFilter final : public CandidateFilter {
 public:
  IndexFilter(const KeyedHasher& hasher, const WatchIndex& index, size_t begin, size_t end)
      : hasher_(hasher), index_(index), begin_(begin), end_(end) {}

  void Select(std::span<const Probe> probes, bool* keep) const override {
    Ahead ahead;
    Prepare(probes, &ahead);
    SelectPrepared(probes, ahead, keep);
  }

  // Fingerprints the batch and starts loading the index lines their lookups read: the
  // index is far larger than the caches, and a lookup that waits for memory costs
  // ~100 ns. The extractor decides the batch a batch later (SelectPrepared), when the
  // lines have arrived. The fingerprint is the keyed SipHash probe (ProbeMany: eight at
  // a time with AVX-512), or in stores of schema 1 the HMAC (~95 ns in HashMany), looked
  // up under WatchIndex::Key: a hex digest reads the hashed variants' filter, everything
  // else the small plain one. A probe another chunk reports gets 0, which no entry has.
  // An address in a domain of the provider table whose account key is another spelling
  // (base/providers.h) is looked up under that key too (Ahead::also): enrollment stores
  // the key of every watched address in such a domain.
  void Prepare(std::span<const Probe> probes, Ahead* ahead) const override {
    std::string_view* tags = tags_;  // members: arrays of views here were zeroed each call
    std::string_view* values = values_;
    size_t n = 0;
    bool hashed[2 * kMaxBatch];
    uint64_t* out[2 * kMaxBatch];  // where each fingerprint goes
    char* key = keys_;
    for (size_t i = 0; i < probes.size(); ++i) {
      ahead->word[i] = 0;
      ahead->also[i] = 0;
      const Probe& p = probes[i];
      if (p.offset < begin_ || p.offset >= end_) continue;  // another chunk reports it
      tags[n] = p.hash_tag;
      values[n] = p.value;
      hashed[n] = p.hashed;
      out[n++] = &ahead->word[i];
      if (p.hashed || p.hash_tag != kEmailTag) continue;
      if (size_t len = AccountKeyInto(p.value, key); len != 0) {
        tags[n] = kEmailTag;
        values[n] = {key, len};
        hashed[n] = false;
        out[n++] = &ahead->also[i];
        key += len;
      }
    }
    uint64_t fps[2 * kMaxBatch];
    if (index_.keying() == IndexKeying::kProbe) {
      // Eight at a time, each eight prefetched before the next are computed: never more
      // loads in flight than the core tracks (a burst of 32 stalled on the prefetches).
      for (size_t k = 0; k < n; k += 8) {
        const size_t m = std::min<size_t>(8, n - k);
        hasher_.ProbeMany(m, tags + k, values + k, fps + k);
        for (size_t j = k; j < k + m; ++j) {
          fps[j] = WatchIndex::Key(fps[j], hashed[j]);
          index_.Prefetch(fps[j]);
        }
      }
    } else {
      HashInput inputs[2 * kMaxBatch];
      for (size_t k = 0; k < n; ++k) inputs[k] = {tags[k], values[k]};
      Digest digests[2 * kMaxBatch];
      hasher_.HashMany({inputs, n}, {digests, n});
      for (size_t k = 0; k < n; ++k) {
        fps[k] = WatchIndex::Key(WatchIndex::Fingerprint(digests[k]), hashed[k]);
        index_.Prefetch(fps[k]);
      }
    }
    for (size_t k = 0; k < n; ++k) *out[k] = fps[k];
  }

  void SelectPrepared(std::span<const Probe> probes, const Ahead& ahead, bool* keep) const override {
    for (size_t i = 0; i < probes.size(); ++i)
      keep[i] = (ahead.word[i] != 0 && index_.Contains(ahead.word[i])) ||
                (ahead.also[i] != 0 && index_.Contains(ahead.also[i]));
  }

 private:
  static constexpr std::string_view kEmailTag = "email";
 private:
  const KeyedHasher& hasher_;
  const WatchIndex& index_;
  size_t begin_, end_;
  // Prepare's scratch (one thread uses a filter): a probe and its account key each.
  mutable std::string_view tags_[2 * kMaxBatch], values_[2 * kMaxBatch];
  mutable char keys_[kMaxBatch * kAccountKeyRoom];
};

// Keeps every candidate of the chunk's report range (sightings record them all).
class RangeFilter final : public CandidateFilter {
 public:
  RangeFilter(size_t begin, size_t end) : begin_(begin), end_(end) {}
  void Select(std::span<const Probe> probes, bool* keep) const override {
    for (size_t i = 0; i < probes.size(); ++i) keep[i] = probes[i].offset >= begin_ && probes[i].offset < end_;
  }

 private:
  size_t begin_, end_;
};

// A worker's chunk buffer: 2 MiB-aligned and advised for transparent huge pages, so the
// kernel's copy into it and every finder's pass over it use one TLB entry instead of 260.
class HugeBuffer {
 public:
  HugeBuffer() = default;
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;
  ~HugeBuffer() { std::free(p_); }
  void resize(size_t n) {
    if (n > capacity_) {
      constexpr size_t kHuge = 2 << 20;
      size_t bytes = (n + kHuge - 1) / kHuge * kHuge;
      void* p = std::aligned_alloc(kHuge, bytes);
      if (!p) throw std::bad_alloc();
      ::madvise(p, bytes, MADV_HUGEPAGE);  // advice only
      std::free(p_);
      p_ = static_cast<char*>(p);
      capacity_ = bytes;
    }
    size_ = n;
  }
  char* data() { return p_; }
  size_t size() const { return size_; }
  operator std::string_view() const { return {p_, size_}; }

 private:
  char* p_ = nullptr;
  size_t size_ = 0, capacity_ = 0;
};

}  // namespace

// Long-lived threads that run ScanChunk on the scanner's jobs, in any order; the reader
// submits jobs and waits for each in turn. A thread or a fresh 1 MiB buffer per
// chunk would cost page faults that show in a profile.
class Scanner::Workers {
 public:
  Workers(const Scanner& scanner, unsigned threads) : scanner_(scanner) {
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~Workers() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  void Submit(Job* job) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(job);
    }
    work_cv_.notify_one();
  }
  void Wait(Job* job) {
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [&] { return done_.erase(job) != 0; });
  }

 private:
  void Loop() {
    for (;;) {
      Job* job;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        job = queue_.front();
        queue_.pop_front();
      }
      scanner_.ScanChunk(*job);
      {
        std::lock_guard lock(mu_);
        done_.insert(job);
      }
      done_cv_.notify_all();
    }
  }

  const Scanner& scanner_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<Job*> queue_;
  std::set<Job*> done_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

Scanner::Scanner(Store& store, const KeyedHasher& hasher, const WatchIndex& index, const Extractor& extractor,
                 const Clock& clock, ScannerOptions options)
    : store_(store), hasher_(hasher), index_(index), extractor_(extractor), clock_(clock), options_(std::move(options)) {
  if (options_.threads == 0) options_.threads = std::max(1u, std::thread::hardware_concurrency());
  jobs_.resize(2 * options_.threads + 1);  // every worker busy, and as many chunks ready behind them
}

Scanner::~Scanner() = default;

// Whose turn it is to add its bytes to the content digest: jobs of a positional document
// are numbered in document order and digest in that order. Workers take jobs in the
// order submitted, so the job whose turn it is always runs: nobody waits forever.
struct Scanner::DigestTurn {
  ContentDigester* digester = nullptr;
  std::mutex mu;
  std::condition_variable cv;
  uint64_t next = 0;
};

void Scanner::ScanChunk(Job& job) const {
  std::string_view window = job.buffer;
  job.hits.clear();
  job.error.reset();
  if (job.source != nullptr) {
    thread_local HugeBuffer own;  // stays in this core's cache (and TLB) from chunk to chunk
    own.resize(job.read_size);
    auto got = ReadFull(own.data(), job.read_size, [&](size_t at, char* buf, size_t n) {
      return job.source->ReadAt(job.read_at + at, buf, n);
    });
    if (!got) {
      job.error = got.error();
    } else if (*got < job.read_size) {
      job.error = Error::IO("the file shrank while it was scanned; nothing of it was recorded");
    }
    DigestTurn& turn = *job.digest;
    {
      std::unique_lock lock(turn.mu);
      turn.cv.wait(lock, [&] { return turn.next == job.turn; });
    }
    if (!job.error) turn.digester->Update({own.data() + job.report_begin, job.report_end - job.report_begin});
    {
      std::lock_guard lock(turn.mu);
      ++turn.next;
    }
    turn.cv.notify_all();
    if (job.error) return;
    window = own;
  }
  job.sightings.clear();
  if (auto s = FindHits(window, job.report_begin, job.report_end, job.head, &job.hits,
                        options_.sightings ? &job.sightings : nullptr, job.document_hits, &job.defer);
      !s)
    job.error = s.error();
  // Grouped here, on all cores, for the document's DocumentSightings.
  if (options_.sightings) GroupSightings(&job.sightings, &job.sighting_ends);
}

Status Scanner::FindHits(std::string_view window, size_t report_begin, size_t report_end, std::string_view head,
                         std::vector<Hit>* hits, std::vector<Sighting>* sightings,
                         std::atomic<uint64_t>* document_hits, bool* deferred) const {
  thread_local std::vector<Candidate> candidates;  // reused: its pages stay mapped
  thread_local std::vector<Digest> digests;         // of the candidates, with sightings
  candidates.clear();
  digests.clear();
  if (sightings != nullptr) {
    ExtractWithSightings(window, report_begin, report_end, head, &candidates, &digests, sightings);
  } else {
    IndexFilter filter(hasher_, index_, report_begin, report_end);
    extractor_.Extract(window, &candidates, &filter, head);
  }
  // The store lookups happen here, on the worker, while the other workers scan: done at
  // the end of the document, the bench's 1000 hits kept one core busy for ~75 ms after
  // the other had finished. Past kDeferAfter hits, sorted at the end is cheaper.
  const bool defer = document_hits != nullptr &&
                     document_hits->fetch_add(candidates.size()) + candidates.size() > kDeferAfter;
  if (deferred != nullptr) *deferred = defer;
  for (size_t i = 0; i < candidates.size(); ++i) {
    Candidate& c = candidates[i];
    Hit& hit = hits->emplace_back();
    hit.digest = digests.empty() ? hasher_.Hash(c.hash_tag, c.value) : digests[i];
    hit.candidate = std::move(c);
    if (defer) continue;
    if (auto s = Resolve(hit); !s) return s;
    if (!hit.members) hits->pop_back();  // a fingerprint collision, or unenrolled since
  }
  return Ok();
}

Result<Scanner::Findings> Scanner::Analyze(std::string_view content) const {
  Findings findings;
  findings.bytes = content.size();
  ContentDigester digester(store_.content_digest_kind(), hasher_.content_key());
  digester.Update(content);
  findings.content_digest = digester.FinishHex();
  thread_local std::vector<Hit> hits;
  hits.clear();
  if (auto s = FindHits(content, 0, content.size(), {}, &hits, options_.sightings ? &findings.sightings : nullptr); !s)
    return Fail(s.error());
  SortAndMergeSightings(&findings.sightings);
  uint64_t position = 0;
  Merge(hits, &findings.found, &position);
  return findings;
}

Status Scanner::RecordFindings(const std::string& location, Findings findings) {
  totals_.bytes += findings.bytes;
  ++totals_.documents;
  if (auto s = Record(location, findings.content_digest, &findings.found,
                      options_.sightings ? &findings.sightings : nullptr);
      !s)
    return s;
  if ((!pending_.empty() || !unwritten_documents_.empty()) &&
      std::chrono::steady_clock::now() - pending_since_ > std::chrono::seconds(1))
    if (auto s = WritePending(); !s) return s;
  if (progress_) progress_(totals_);
  return Ok();
}

Status Scanner::Flush() { return WritePending(); }

void Scanner::ExtractWithSightings(std::string_view window, size_t report_begin, size_t report_end,
                                   std::string_view head, std::vector<Candidate>* candidates,
                                   std::vector<Digest>* digests, std::vector<Sighting>* sightings) const {
  thread_local std::vector<Candidate> all;
  thread_local std::vector<Digest> all_digests;
  all.clear();
  RangeFilter range(report_begin, report_end);
  extractor_.Extract(window, &all, &range, head);
  // Every candidate's keyed digest: its sighting's fingerprint, and an index hit's key.
  thread_local std::vector<HashInput> inputs;
  inputs.resize(all.size());
  for (size_t i = 0; i < all.size(); ++i) inputs[i] = {all[i].hash_tag, all[i].value};
  all_digests.resize(all.size());
  hasher_.HashMany(inputs, all_digests);
  AppendSightings(hasher_, all, all_digests, sightings);
  // The index decides which are worth a store lookup, in the batches its filter takes.
  IndexFilter filter(hasher_, index_, 0, SIZE_MAX);
  Probe probes[CandidateFilter::kMaxBatch];
  bool keep[CandidateFilter::kMaxBatch];
  for (size_t k = 0; k < all.size(); k += CandidateFilter::kMaxBatch) {
    const size_t n = std::min(CandidateFilter::kMaxBatch, all.size() - k);
    for (size_t j = 0; j < n; ++j) {
      const Candidate& c = all[k + j];
      probes[j] = {c.hash_tag, c.value, c.offset, c.match == MatchKind::kHashed};
    }
    filter.Select({probes, n}, keep);
    for (size_t j = 0; j < n; ++j) {
      if (!keep[j]) continue;
      candidates->push_back(std::move(all[k + j]));
      digests->push_back(all_digests[k + j]);
    }
  }
}

Status Scanner::Resolve(Hit& hit) const {
  hit.primary = hit.digest;
  hit.match = hit.candidate.match;
  Resolved r;
  bool cached = false;
  {
    std::lock_guard lock(resolved_mu_);
    if (auto it = resolved_.find(hit.digest); it != resolved_.end()) {
      r = it->second;
      cached = true;
    }
  }
  if (!cached) {
    if (auto s = EntriesOf(hit.digest, /*aliases_only=*/false, &r); !s) return Fail(s.error());
    if (!r.members && hit.candidate.hash_tag == "email") {
      // Another spelling of a watched account (base/providers.h): its account key is a
      // watched address itself, or an alias of one.
      if (std::string key = AccountKey(hit.candidate.value); key != std::string_view(hit.candidate.value)) {
        if (auto s = EntriesOf(hasher_.Hash("email", key), /*aliases_only=*/true, &r); !s) return Fail(s.error());
        r.via = VariantType::kAlias;
      }
    }
    std::lock_guard lock(resolved_mu_);
    if (resolved_.size() >= kResolvedCacheMax) {
      resolved_.clear();
      memberships_.clear();  // each Resolved and Found holds its own reference
    }
    resolved_.emplace(hit.digest, r);
  }
  if (!r.members) return Ok();  // not a watched identifier: members stays null
  hit.primary = r.primary;
  if (r.via) {
    if (*r.via == VariantType::kAlias) {
      if (hit.match == MatchKind::kExact) hit.match = MatchKind::kAlias;
    } else {
      hit.match = MatchKind::kHashed;
    }
  }
  hit.members = std::move(r.members);
  return Ok();
}

Status Scanner::EntriesOf(const Digest& digest, bool aliases_only, Resolved* r) const {
  r->primary = digest;
  auto members = store_.Memberships(digest);
  if (!members) return Fail(members.error());
  if (members->empty()) {
    auto variant = store_.ResolveVariant(digest);
    if (!variant) return Fail(variant.error());
    if (*variant && (!aliases_only || (*variant)->type == VariantType::kAlias)) {
      r->primary = (*variant)->primary;
      r->via = (*variant)->type;
      members = store_.Memberships(r->primary);
      if (!members) return Fail(members.error());
    }
  }
  std::lock_guard lock(resolved_mu_);
  r->members = Intern(*members);
  return Ok();
}

Scanner::MembershipRef Scanner::Intern(const std::vector<WatchEntry>& entries) const {
  if (entries.empty()) return nullptr;
  std::string key(1, static_cast<char>(entries[0].kind));
  for (const WatchEntry& m : entries) {
    key.append(m.watchlist).push_back('\0');
    key.append(m.label).push_back('\0');
  }
  MembershipRef& ref = memberships_[key];
  if (!ref) {
    auto m = std::make_shared<Membership>();
    m->kind = entries[0].kind;
    for (const WatchEntry& e : entries) {
      m->watchlists.push_back(e.watchlist);
      if (!e.label.empty()) m->labels.push_back(e.label);
    }
    ref = std::move(m);
  }
  return ref;
}

Status Scanner::ScanBytes(const std::string& location, std::string_view content) {
  if (content.size() <= options_.chunk_size) {  // one window: no job ring, no chunk buffer to fill
    auto findings = Analyze(content);
    if (!findings) return Fail(Error{findings.error().code, location + ": " + findings.error().message});
    if (auto s = WritePending(); !s) return s;  // the documents recorded before this one first
    if (auto s = RecordFindings(location, std::move(*findings)); !s) return s;
    return WritePending();  // written when this returns, as Scan's are (a crawl marks the item seen next)
  }
  StringStream s(content);
  return Scan(location, s);
}

Status Scanner::Scan(const std::string& location, ByteStream& stream) {
  const size_t chunk = options_.chunk_size, overlap = options_.overlap;
  if (auto s = WritePending(); !s) return s;  // the documents recorded before this one first
  // The document's identity; the store decides its kind, the hasher holds its key.
  ContentDigester content(store_.content_digest_kind(), hasher_.content_key());
  // The document's first bytes, for the chunks that do not start it: a CSV header or an
  // SQL schema there decides a later record's severity (matcher/records.h).
  std::string head;
  DigestTurn turn;  // before `drain`: running jobs use it
  turn.digester = &content;
  // The document's watched identifiers so far, one entry each however often they occur:
  // a dump of the team's own users holds each many times.
  std::map<Digest, Found> found;
  DeferredHits deferred;  // by candidate digest: hits of jobs with `defer`
  uint64_t position = 0;                // hits merged so far
  std::atomic<uint64_t> document_hits{0};  // counted by the jobs (Job::defer)
  DocumentSightings sightings;  // the document's, with ScannerOptions::sightings
  if (!options_.spill_dir.empty()) sightings.SetSpill(options_.spill_dir, options_.sightings_in_memory);
  uint64_t expected_jobs = 0;   // of a document of known size: for sightings.Reserve
  uint64_t submitted = 0, collected = 0;  // job numbers; job k lives in jobs_[k % jobs_.size()]
  auto job_at = [&](uint64_t k) -> Job& { return jobs_[k % jobs_.size()]; };
  std::optional<Error> failed;  // the first job that could not read its bytes or look up its hits
  auto collect_one = [&] {
    Job& job = job_at(collected++);
    workers_->Wait(&job);
    if (job.error && !failed) failed = job.error;
    if (job.defer) {
      // Room for as many as may be held (address space: pages are used as they fill), so
      // that they are never copied to a larger vector while the old one is still held.
      if (deferred.entries.capacity() == 0 && !options_.spill_dir.empty())
        deferred.entries.reserve(options_.deferred_in_memory);
      MergeDeferred(job.hits, &deferred, &position);
      if (!options_.spill_dir.empty() && deferred.entries.size() >= options_.deferred_in_memory)
        if (auto s = SpillDeferred(&deferred); !s && !failed) failed = s.error();
    } else
      Merge(job.hits, &found, &position);
    job.hits.clear();
    if (collected == 1 && expected_jobs > 1) sightings.Reserve(job.sightings.size() * expected_jobs * 5 / 4);
    sightings.Add(job.sightings, job.sighting_ends);
  };
  // Waits for the jobs still running when this returns early.
  struct Drain {
    std::function<void()> fn;
    ~Drain() { fn(); }
  } drain{[&] {
    while (collected < submitted) collect_one();
  }};

  // Hands the job to the workers, or runs it here when it is the whole document.
  auto dispatch = [&](Job& job, bool last) {
    job.defer = false;
    if (last && submitted == 0) {  // the whole document in one chunk: no hand-off
      job.document_hits = nullptr;
      ScanChunk(job);
      if (job.error) failed = job.error;
      Merge(job.hits, &found, &position);
      job.hits.clear();
      sightings.Add(job.sightings, job.sighting_ends);
    } else {
      job.document_hits = &document_hits;
      if (!workers_) workers_ = std::make_unique<Workers>(*this, options_.threads);
      workers_->Submit(&job);
      ++submitted;
    }
    if (progress_) progress_(totals_);
  };

  if (std::optional<uint64_t> size = stream.PositionalSize()) {
    // The workers read: each job's window is [report_from - overlap, report_to + overlap)
    // of the document, clipped to it.
    uint64_t turns = 0;
    expected_jobs = (*size + chunk - 1) / chunk;
    if (*size > chunk) {
      head.resize(static_cast<size_t>(std::min<uint64_t>(*size, kHeadBytes)));
      auto got = ReadFull(head.data(), head.size(), [&](size_t at, char* buf, size_t n) {
        return stream.ReadAt(at, buf, n);
      });
      if (!got) return Fail(Error{got.error().code, location + ": " + got.error().message});
      head.resize(*got);
    }
    for (uint64_t report_from = 0; report_from < *size;) {
      if (submitted - collected == jobs_.size()) collect_one();
      Job& job = job_at(submitted);
      const uint64_t report_to = std::min<uint64_t>(*size, report_from + chunk);
      const uint64_t window_begin = report_from > overlap ? report_from - overlap : 0;
      job.source = &stream;
      job.read_at = window_begin;
      job.read_size = static_cast<size_t>(std::min<uint64_t>(*size, report_to + overlap) - window_begin);
      job.report_begin = static_cast<size_t>(report_from - window_begin);
      job.report_end = static_cast<size_t>(report_to - window_begin);
      job.digest = &turn;
      job.turn = turns++;
      job.head = window_begin == 0 ? std::string_view() : std::string_view(head);
      totals_.bytes += report_to - report_from;
      dispatch(job, report_to == *size);
      report_from = report_to;
    }
  } else {
    // Each job's buffer holds [window_start, window_end) of the document: the bytes kept
    // from the previous round (`carry`) and up to `chunk` new ones. Candidates starting in
    // [report_from, window_end - overlap) are reported, or up to the end on the last round.
    std::string carry;
    uint64_t window_start = 0, report_from = 0;
    bool eof = false;
    while (!eof) {
      if (submitted - collected == jobs_.size()) collect_one();
      Job& job = job_at(submitted);
      job.source = nullptr;
      job.buffer.resize(carry.size() + chunk);
      std::copy(carry.begin(), carry.end(), job.buffer.begin());
      auto n = ReadFull(job.buffer.data() + carry.size(), chunk,
                        [&](size_t, char* buf, size_t want) { return stream.Read(buf, want); });
      if (!n) return Fail(n.error());
      eof = *n < chunk;
      content.Update({job.buffer.data() + carry.size(), *n});
      job.buffer.resize(carry.size() + *n);
      if (window_start == 0) head.assign(job.buffer, 0, std::min(job.buffer.size(), kHeadBytes));
      job.head = window_start == 0 ? std::string_view() : std::string_view(head);
      totals_.bytes += *n;
      uint64_t window_end = window_start + job.buffer.size();
      uint64_t report_to = eof ? window_end : (window_end > overlap ? window_end - overlap : 0);
      if (report_to > report_from) {
        job.report_begin = report_from - window_start;
        job.report_end = report_to - window_start;
        report_from = report_to;
        dispatch(job, eof);
      }
      // Keep `overlap` bytes of left context before report_from for the next round.
      uint64_t keep_from = std::max(window_start, report_from > overlap ? report_from - overlap : 0);
      carry.assign(job.buffer, keep_from - window_start);
      window_start = keep_from;
    }
  }
  while (collected < submitted) collect_one();
  if (failed) return Fail(Error{failed->code, location + ": " + failed->message});
  const std::string content_digest = content.FinishHex();
  if (deferred.spilled) {
    if (auto s = SpillDeferred(&deferred); !s) return Fail(Error{s.error().code, location + ": " + s.error().message});
    if (auto s = ResolveSpilled(&deferred, &found, content_digest); !s)
      return Fail(Error{s.error().code, location + ": " + s.error().message});
  } else if (auto s = ResolveDeferred(&deferred); !s) {
    return Fail(Error{s.error().code, location + ": " + s.error().message});
  }
  ++totals_.documents;
  std::vector<Sighting> sorted;
  if (options_.sightings && !sightings.spilled()) sorted = sightings.Finish(options_.threads);
  if (auto s = Record(location, content_digest, &found, options_.sightings ? &sorted : nullptr,
                      deferred.entries.empty() && !deferred.resolved ? nullptr : &deferred,
                      options_.sightings && sightings.spilled() ? &sightings : nullptr);
      !s)
    return s;
  return WritePending();
}

namespace {
std::string HintOf(const Candidate& c) {
  return c.match == MatchKind::kHashed ? std::string(c.hash_tag) + " of a watched email"
                                       : Hint({c.kind, std::string(c.value)});
}
}  // namespace

void Scanner::Merge(const std::vector<Hit>& hits, std::map<Digest, Found>* found, uint64_t* position) {
  for (const Hit& hit : hits) {
    const uint64_t at = (*position)++;
    Found& f = (*found)[hit.primary];
    if (!f.members) {  // the identifier's first hit in this document
      f.members = hit.members;
      f.match = hit.match;
      f.hint = HintOf(hit.candidate);
      f.order = at;
    } else if (MatchRank(hit.match) > MatchRank(f.match)) {
      f.match = hit.match;
      f.hint = HintOf(hit.candidate);
      f.order = at;
    }
    f.credential |= hit.candidate.severity == Severity::kCredential;
  }
}

uint32_t Scanner::DeferredHits::MembersIndex(const MembershipRef& members) {
  auto [it, fresh] = membership_index.try_emplace(members.get(), static_cast<uint32_t>(memberships.size()));
  if (fresh) memberships.push_back(members);
  return it->second;
}

void Scanner::MergeDeferred(const std::vector<Hit>& hits, DeferredHits* deferred, uint64_t* position) {
  std::vector<Deferred>& entries = deferred->entries;
  std::vector<uint32_t>& slots = deferred->slots;
  for (const Hit& hit : hits) {
    const uint64_t at = (*position)++;
    const Candidate& c = hit.candidate;
    if (2 * (entries.size() + 1) > slots.size()) {  // at most half full
      slots.assign(std::bit_ceil(std::max<size_t>(1024, 4 * (entries.size() + 1))), 0);
      for (size_t k = 0; k < entries.size(); ++k) {
        size_t i = DigestHash{}(entries[k].digest) & (slots.size() - 1);
        while (slots[i] != 0) i = (i + 1) & (slots.size() - 1);
        slots[i] = static_cast<uint32_t>(k + 1);
      }
    }
    size_t i = DigestHash{}(hit.digest) & (slots.size() - 1);
    while (slots[i] != 0 && entries[slots[i] - 1].digest != hit.digest) i = (i + 1) & (slots.size() - 1);
    if (slots[i] == 0) {  // the digest's first hit in this document
      slots[i] = static_cast<uint32_t>(entries.size() + 1);
      Deferred& d = entries.emplace_back();
      d.digest = hit.digest;
      d.best = c.match;
      d.hits.first = d.first_best = at;
      d.text_at = deferred->text.size();
      const std::string hint = HintOf(c);
      d.hint_size = static_cast<uint16_t>(std::min<size_t>(hint.size(), UINT16_MAX));
      deferred->text.append(hint, 0, d.hint_size);
      if (c.hash_tag == "email") {
        char key[kAccountKeyRoom];
        if (size_t n = AccountKeyInto(c.value, key); n > 0 && n <= UINT8_MAX) {
          d.key_size = static_cast<uint8_t>(n);
          deferred->text.append(key, n);
        }
      }
    }
    Deferred& d = entries[slots[i] - 1];
    if (MatchRank(c.match) > MatchRank(d.best)) {
      d.best = c.match;
      d.first_best = at;
    }
    if (MatchRank(c.match) >= MatchRank(MatchKind::kAlias) && d.hits.first_alias == UINT64_MAX) d.hits.first_alias = at;
    d.credential |= c.severity == Severity::kCredential;
  }
}

Status Scanner::ResolveDeferred(DeferredHits* deferred) {
  std::vector<uint32_t>().swap(deferred->slots);
  const std::vector<Deferred>& entries = deferred->entries;
  if (entries.empty()) return Ok();
  // In digest order, on two threads for a large document, each walking its half.
  struct Key {
    uint64_t prefix;  // the digest's first 8 bytes, big-endian: most comparisons end here
    uint32_t entry;
  };
  std::vector<Key> keys(entries.size());
  for (size_t k = 0; k < entries.size(); ++k) {
    uint64_t x;
    std::memcpy(&x, entries[k].digest.data(), 8);
    keys[k] = {__builtin_bswap64(x), static_cast<uint32_t>(k)};
  }
  std::sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return entries[a.entry].digest < entries[b.entry].digest;
  });
  std::vector<uint32_t> order(keys.size());
  for (size_t k = 0; k < keys.size(); ++k) order[k] = keys[k].entry;
  std::vector<Key>().swap(keys);
  const size_t half = order.size() > 4 * kDeferAfter ? order.size() / 2 : order.size();
  Status second = Ok();
  std::thread other;
  if (half < order.size()) other = std::thread([&] { second = ResolveSorted(deferred, order, half, order.size()); });
  Status first = ResolveSorted(deferred, order, 0, half);
  if (other.joinable()) other.join();
  if (!first) return first;
  return second;
}

Status Scanner::ResolveSorted(DeferredHits* deferred, const std::vector<uint32_t>& order, size_t from, size_t to) {
  std::unique_ptr<Store::MembershipWalk> walk = store_.WalkMemberships();
  std::vector<WatchEntry> entries;
  for (size_t i = from; i < to; ++i) {
    Deferred& d = deferred->entries[order[i]];
    std::optional<Digest> key;
    if (d.key_size > 0) key = hasher_.Hash("email", d.key(deferred->text));
    if (auto s = ResolveOne(*walk, &entries, key ? &*key : nullptr, d, deferred); !s) return s;
  }
  return Ok();
}

Status Scanner::ResolveOne(Store::MembershipWalk& walk, std::vector<WatchEntry>* entries, const Digest* key,
                           Deferred& d, DeferredHits* deferred) {
  // Where the digest leads, as Resolve finds it: its own entries (the walk, in digest
  // order), else a variant's or its account key's (a lookup each: few).
  Resolved r;
  r.primary = d.digest;
  if (auto s = walk.Next(d.digest, entries); !s) return s;
  if (!entries->empty()) {
    std::lock_guard lock(resolved_mu_);
    r.members = Intern(*entries);
  } else {
    if (auto s = EntriesOf(d.digest, /*aliases_only=*/false, &r); !s) return s;
    if (!r.members && key != nullptr) {
      if (auto s = EntriesOf(*key, /*aliases_only=*/true, &r); !s) return s;
      r.via = VariantType::kAlias;
    }
  }
  if (!r.members) {  // a fingerprint collision, or unenrolled since
    d.members = 0;
    return Ok();
  }
  // Its hits as Resolve would have matched them: the strongest, and the first of those.
  if (r.via == VariantType::kAlias) {
    if (MatchRank(d.best) >= MatchRank(MatchKind::kAlias)) {
      d.best = MatchKind::kAlias;  // exact ones too
      d.first_best = d.hits.first_alias;
    }
  } else if (r.via) {
    d.best = MatchKind::kHashed;  // all of them
    d.first_best = d.hits.first;
  }
  d.digest = r.primary;
  std::lock_guard lock(resolved_mu_);
  d.members = 1 + deferred->MembersIndex(r.members);
  return Ok();
}

namespace {
// A deferred entry on disk before resolution (SpillDeferred), then its hint. Keyed
// digests and a redacted hint: never the identifier (an account key goes as its digest).
#pragma pack(push, 1)
struct SpilledHit {
  Digest digest;
  uint64_t first, first_best, first_alias;
  Digest key;
  uint8_t has_key, best, credential;
  uint16_t hint_size;
};
// A resolved entry on disk, by exposure id (ResolveSpilled), then its hint.
struct SpilledFound {
  std::array<uint8_t, 16> id;
  Digest primary;
  uint64_t order;
  uint32_t members;
  uint8_t match, credential;
  uint16_t hint_size;
};
#pragma pack(pop)

// Calls fn(record, hint) for each record of `bytes` (records of type T, each followed by
// its hint); false when they do not add up.
template <class T, class Fn>
bool ForEachSpilled(std::string_view bytes, Fn fn) {
  while (!bytes.empty()) {
    if (bytes.size() < sizeof(T)) return false;
    T r;
    std::memcpy(&r, bytes.data(), sizeof r);
    if (bytes.size() < sizeof r + r.hint_size) return false;
    fn(r, bytes.substr(sizeof r, r.hint_size));
    bytes.remove_prefix(sizeof r + r.hint_size);
  }
  return true;
}
}  // namespace

Status Scanner::SpillDeferred(DeferredHits* deferred) {
  if (!deferred->spilled) {
    auto spill = PartitionSpill::Create(options_.spill_dir);
    if (!spill) return Fail(spill.error());
    deferred->spilled = std::move(*spill);
  }
  std::string record;
  for (const Deferred& d : deferred->entries) {
    SpilledHit h{};
    h.digest = d.digest;
    h.first = d.hits.first;
    h.first_best = d.first_best;
    h.first_alias = d.hits.first_alias;
    if (d.key_size > 0) {
      h.key = hasher_.Hash("email", d.key(deferred->text));
      h.has_key = 1;
    }
    h.best = static_cast<uint8_t>(d.best);
    h.credential = d.credential;
    h.hint_size = d.hint_size;
    record.assign(reinterpret_cast<const char*>(&h), sizeof h);
    record.append(d.hint(deferred->text));
    if (auto s = deferred->spilled->Append(d.digest[0], record); !s) return s;
  }
  // Emptied, their room kept for the next ones (the bound on memory is that room).
  deferred->entries.clear();
  std::fill(deferred->slots.begin(), deferred->slots.end(), 0);
  deferred->text.clear();
  return Ok();
}

Status Scanner::ResolveSpilled(DeferredHits* deferred, std::map<Digest, Found>* found,
                               const std::string& content_digest) {
  std::vector<Deferred>().swap(deferred->entries);  // spilled: their room is not needed now
  std::vector<uint32_t>().swap(deferred->slots);
  std::string().swap(deferred->text);
  auto resolved = PartitionSpill::Create(options_.spill_dir);
  if (!resolved) return Fail(resolved.error());
  deferred->resolved = std::move(*resolved);
  std::string record;
  auto put = [&](const Deferred& d, std::string_view hint) -> Status {
    SpilledFound f{};
    f.id = ExposureIdBytes(d.digest, content_digest);
    f.primary = d.digest;
    f.order = d.first_best;
    f.members = d.members;
    f.match = static_cast<uint8_t>(d.best);
    f.credential = d.credential;
    f.hint_size = static_cast<uint16_t>(hint.size());
    record.assign(reinterpret_cast<const char*>(&f), sizeof f);
    record.append(hint);
    return deferred->resolved->Append(f.id[0], record);
  };
  std::unique_ptr<Store::MembershipWalk> walk = store_.WalkMemberships();
  std::vector<WatchEntry> entries;
  std::vector<Deferred> part;
  std::vector<Digest> keys;  // of part's entries (zero: none)
  std::string text;
  for (int p = 0; p < PartitionSpill::kPartitions; ++p) {
    auto bytes = deferred->spilled->Take(p);
    if (!bytes) return Fail(bytes.error());
    part.clear();
    keys.clear();
    text.clear();
    const bool whole = ForEachSpilled<SpilledHit>(*bytes, [&](const SpilledHit& h, std::string_view hint) {
      Deferred& d = part.emplace_back();
      d.digest = h.digest;
      d.hits.first = h.first;
      d.first_best = h.first_best;
      d.hits.first_alias = h.first_alias;
      d.best = static_cast<MatchKind>(h.best);
      d.credential = h.credential != 0;
      d.text_at = text.size();
      d.hint_size = h.hint_size;
      text.append(hint);
      keys.push_back(h.has_key ? h.key : Digest{});
    });
    if (!whole) return Fail(Error::Corruption("a spill file of deferred hits is cut short"));
    std::string().swap(*bytes);
    // In digest order, the hits of one digest from different spills made one.
    std::vector<uint32_t> order(part.size());
    for (uint32_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return part[a].digest != part[b].digest ? part[a].digest < part[b].digest : part[a].hits.first < part[b].hits.first;
    });
    for (size_t i = 0; i < order.size();) {
      Deferred d = part[order[i]];
      const Digest key = keys[order[i]];
      size_t j = i + 1;
      for (; j < order.size() && part[order[j]].digest == d.digest; ++j) {
        const Deferred& o = part[order[j]];  // later first hit
        if (Outranks(o.best, o.first_best, d.best, d.first_best)) {
          d.best = o.best;
          d.first_best = o.first_best;
        }
        d.hits.first_alias = std::min(d.hits.first_alias, o.hits.first_alias);
        d.credential |= o.credential;
      }
      i = j;
      const bool has_key = key != Digest{};
      if (auto s = ResolveOne(*walk, &entries, has_key ? &key : nullptr, d, deferred); !s) return s;
      if (d.members == 0) continue;
      if (auto s = put(d, d.hint(text)); !s) return s;
    }
  }
  deferred->spilled.reset();
  // The document's other findings (resolved as its first hits were found).
  for (const auto& [primary, f] : *found)
    if (auto s = put(ResolvedEntry(primary, f, deferred), f.hint); !s) return s;
  found->clear();
  return Ok();
}

Scanner::Deferred Scanner::ResolvedEntry(const Digest& primary, const Found& f, DeferredHits* deferred) {
  Deferred d;
  d.digest = primary;
  d.best = f.match;
  d.hits.first = d.first_best = f.order;
  d.credential = f.credential;
  d.members = 1 + deferred->MembersIndex(f.members);
  return d;
}

void Scanner::AddFound(std::map<Digest, Found>* found, DeferredHits* deferred) {
  for (const auto& [primary, f] : *found) {
    Deferred& d = deferred->entries.emplace_back(ResolvedEntry(primary, f, deferred));
    d.text_at = deferred->text.size();
    d.hint_size = static_cast<uint16_t>(std::min<size_t>(f.hint.size(), UINT16_MAX));
    deferred->text.append(f.hint, 0, d.hint_size);
  }
  found->clear();
}

void Scanner::MergeResolved(DeferredHits* deferred, std::map<Digest, Found>* found) {
  for (const Deferred& d : deferred->entries) {
    if (d.members == 0) continue;
    auto [it, fresh] = found->try_emplace(d.digest);
    Found& f = it->second;
    if (fresh) f.members = deferred->memberships[d.members - 1];
    if (fresh || Outranks(d.best, d.first_best, f.match, f.order)) {
      f.match = d.best;
      f.hint = d.hint(deferred->text);
      f.order = d.first_best;
    }
    f.credential |= d.credential;
  }
  *deferred = DeferredHits();
}

Status Scanner::Record(const std::string& location, const std::string& content_digest,
                       std::map<Digest, Found>* found_in, std::vector<Sighting>* sightings, DeferredHits* deferred,
                       DocumentSightings* spilled) {
  // One exposure per watched identifier, written in batches of bounded size: a dump of
  // the team's own users may hold hundreds of thousands, and many small documents share
  // one batch. Each batch is one write and one sync; ids are stable (identifier and
  // content), so a crash between batches and a re-scan record each exposure once, and
  // alert the rest (store/layout.md).
  std::map<Digest, Found>& found = *found_in;
  if (deferred != nullptr && !deferred->resolved && found.size() + deferred->entries.size() <= kLoadExposures) {
    MergeResolved(deferred, &found);
    deferred = nullptr;
  }
  const UnixSeconds now = clock_.Now();
  // With sightings, the document and its sightings go in one write with its first
  // exposures (even none), after those of the documents recorded before it.
  std::optional<DocumentRecord> document;
  if (sightings != nullptr) {
    totals_.sightings += sightings->size();
    if (found.empty() && deferred == nullptr && spilled == nullptr &&
        sightings->size() <= Store::kMaxDocumentsSightings) {
      // Small and without exposures: written with the next ones, in one batch.
      if (unwritten_documents_.empty() && pending_.empty()) pending_since_ = std::chrono::steady_clock::now();
      unwritten_sightings_ += sightings->size();
      unwritten_documents_.push_back(
          {DocumentRecord{0, content_digest, options_.source, location, now, now}, std::move(*sightings)});
      sightings->clear();
      if (unwritten_documents_.size() >= kDocumentsPerWrite || unwritten_sightings_ >= Store::kMaxDocumentsSightings)
        return WritePending();
      return Ok();
    }
    if (auto s = WritePending(); !s) return s;
    document = DocumentRecord{0, content_digest, options_.source, location, now, now};
  } else if (found.empty() && deferred == nullptr) {
    return Ok();
  }
  if (deferred != nullptr || found.size() > kLoadExposures) {
    // The document and its sightings first, then its exposures at once: a crash in
    // between leaves a document whose re-scan finds its exposures new.
    if (auto s = WritePending(document ? &*document : nullptr, sightings, spilled); !s) return s;
    if (deferred != nullptr && deferred->resolved) return LoadSpilled(location, content_digest, deferred, now);
    DeferredHits own;
    if (deferred == nullptr) deferred = &own;
    AddFound(&found, deferred);
    return Load(location, content_digest, deferred, now);
  }
  if (pending_.empty()) pending_since_ = std::chrono::steady_clock::now();
  for (const auto& [primary, f] : found) {
    Exposure& e = pending_.emplace_back();
    FillExposure(primary, *f.members, f.match, f.credential, f.hint, location, content_digest, now, &e);
    e.id = ExposureId(primary, content_digest);
    if (pending_.size() == kRecordBatch) {
      if (auto s = WritePending(document ? &*document : nullptr, sightings, spilled); !s) return s;
      document.reset();
    }
  }
  if (document) return WritePending(&*document, sightings, spilled);
  return Ok();
}

void Scanner::FillExposure(const Digest& primary, const Membership& members, MatchKind match, bool credential,
                           std::string_view hint, const std::string& location, const std::string& content_digest,
                           UnixSeconds now, Exposure* out) const {
  Exposure& e = *out;
  e.identifier = primary;
  e.kind = members.kind;
  e.watchlists = members.watchlists;
  e.labels = members.labels;
  e.source = options_.source;
  e.location = location;
  e.content_digest = content_digest;
  e.first_seen = e.last_seen = now;
  e.severity = credential ? "credential" : "exposure";
  e.match = MatchKindName(match);
  e.hint = hint;
}

Status Scanner::WritePending(const DocumentRecord* document, std::vector<Sighting>* sightings,
                             DocumentSightings* spilled) {
  if (!unwritten_documents_.empty()) {
    auto written = store_.RecordDocuments(unwritten_documents_);
    unwritten_documents_.clear();
    unwritten_sightings_ = 0;
    if (!written) return written;
  }
  if (pending_.empty() && document == nullptr) return Ok();
  Result<std::vector<RecordResult>> results;
  if (document != nullptr && spilled != nullptr) {
    size_t count = 0;
    results = store_.RecordDocumentChunks(
        *document, spilled->size(),
        [&](const std::function<Status(std::span<const Sighting>)>& each) {
          return spilled->ForEachSorted([&](std::span<const Sighting> run) {
            count += run.size();
            return each(run);
          });
        },
        pending_);
    totals_.sightings += count;
  } else {
    results = document != nullptr ? store_.RecordDocument(*document, *sightings, pending_)
                                  : store_.RecordExposures(pending_);
  }
  if (document != nullptr) std::vector<Sighting>().swap(*sightings);
  if (!results) return Fail(results.error());
  Tally(pending_, *results);
  pending_.clear();
  return Ok();
}

void Scanner::Tally(std::span<const Exposure> written, const std::vector<RecordResult>& results) {
  for (size_t i = 0; i < written.size(); ++i) {
    if (results[i].is_new) {
      ++totals_.new_exposures;
      for (const std::string& w : written[i].watchlists) ++totals_.new_by_watchlist[w];
    } else {
      ++totals_.seen_again;
    }
  }
}

Status Scanner::Load(const std::string& location, const std::string& content_digest, DeferredHits* watched,
                     UnixSeconds now) {
  // The exposures go to the store in id order, the order of their tables' keys. Entries
  // of one identifier have one id (identifier and content): they meet in that order and
  // become one, as MergeResolved would make them.
  std::vector<Deferred>& entries = watched->entries;
  std::erase_if(entries, [](const Deferred& d) { return d.members == 0; });
  for (Deferred& d : entries) d.id = ExposureIdBytes(d.digest, content_digest);
  std::sort(entries.begin(), entries.end(), [](const Deferred& a, const Deferred& b) { return a.id < b.id; });
  size_t kept = 0;
  for (size_t k = 0; k < entries.size(); ++k) {
    if (kept > 0 && entries[kept - 1].id == entries[k].id) {
      Deferred& into = entries[kept - 1];
      const bool credential = into.credential || entries[k].credential;
      if (Outranks(entries[k].best, entries[k].first_best, into.best, into.first_best))
        into = entries[k];
      into.credential = credential;
      continue;
    }
    if (kept != k) entries[kept] = entries[k];
    ++kept;
  }
  entries.resize(kept);
  // Two parts, the lower and upper half of the ids, on two threads: making, encoding and
  // writing a million exposures is most of the load.
  constexpr size_t kParts = 2;
  auto load = store_.StartExposureLoad(kParts);
  if (!load) return Fail(load.error());
  struct Tallied {
    std::vector<Exposure> batch;  // reused: its strings keep their capacity
    ScanTotals totals;
    Status status = Ok();
  };
  auto load_part = [&](size_t part, Tallied* out) {
    const size_t begin = entries.size() * part / kParts, end = entries.size() * (part + 1) / kParts;
    std::vector<Exposure>& batch = out->batch;
    for (size_t from = begin; from < end; from += kRecordBatch) {
      batch.resize(std::min(kRecordBatch, end - from));
      for (size_t j = 0; j < batch.size(); ++j) {
        const Deferred& d = entries[from + j];
        Exposure& e = batch[j];
        FillExposure(d.digest, *watched->memberships[d.members - 1], d.best, d.credential, d.hint(watched->text),
                     location, content_digest, now, &e);
        e.id = ToHex(d.id.data(), d.id.size());
      }
      auto results = (*load)->Add(batch, part);
      if (!results) {
        out->status = Fail(results.error());
        return;
      }
      for (size_t j = 0; j < batch.size(); ++j) {
        if ((*results)[j].is_new) {
          ++out->totals.new_exposures;
          for (const std::string& w : batch[j].watchlists) ++out->totals.new_by_watchlist[w];
        } else {
          ++out->totals.seen_again;
        }
      }
    }
  };
  Tallied tallied[kParts];
  std::thread upper(load_part, 1, &tallied[1]);
  load_part(0, &tallied[0]);
  upper.join();
  for (const Tallied& t : tallied) {
    if (!t.status) return t.status;
    totals_.new_exposures += t.totals.new_exposures;
    totals_.seen_again += t.totals.seen_again;
    for (const auto& [w, n] : t.totals.new_by_watchlist) totals_.new_by_watchlist[w] += n;
  }
  return (*load)->Commit();
}

Status Scanner::LoadSpilled(const std::string& location, const std::string& content_digest, DeferredHits* watched,
                            UnixSeconds now) {
  auto load = store_.StartExposureLoad(1, options_.deferred_in_memory);
  if (!load) return Fail(load.error());
  std::vector<SpilledFound> part;
  std::vector<std::string_view> hints;
  std::vector<uint32_t> order;
  std::vector<Exposure> batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Ok();
    auto results = (*load)->Add(batch, 0);
    if (!results) return Fail(results.error());
    Tally(batch, *results);
    batch.clear();
    return Ok();
  };
  for (int p = 0; p < PartitionSpill::kPartitions; ++p) {
    auto bytes = watched->resolved->Take(p);
    if (!bytes) return Fail(bytes.error());
    part.clear();
    hints.clear();
    const bool whole = ForEachSpilled<SpilledFound>(*bytes, [&](const SpilledFound& f, std::string_view hint) {
      part.push_back(f);
      hints.push_back(hint);
    });
    if (!whole) return Fail(Error::Corruption("a spill file of exposures is cut short"));
    order.resize(part.size());
    for (uint32_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return part[a].id < part[b].id; });
    // One exposure per id (per identifier): the strongest match, the first of those.
    for (size_t i = 0; i < order.size();) {
      uint32_t best = order[i];
      bool credential = false;
      size_t j = i;
      for (; j < order.size() && part[order[j]].id == part[order[i]].id; ++j) {
        const SpilledFound& o = part[order[j]];
        credential |= o.credential != 0;
        if (Outranks(static_cast<MatchKind>(o.match), o.order, static_cast<MatchKind>(part[best].match),
                     part[best].order))
          best = order[j];
      }
      i = j;
      const SpilledFound& f = part[best];
      Exposure& e = batch.emplace_back();
      FillExposure(f.primary, *watched->memberships[f.members - 1], static_cast<MatchKind>(f.match), credential,
                   hints[best], location, content_digest, now, &e);
      e.id = ToHex(f.id.data(), f.id.size());
      if (batch.size() == kRecordBatch)
        if (auto s = flush(); !s) return s;
    }
  }
  if (auto s = flush(); !s) return s;
  watched->resolved.reset();
  return (*load)->Commit();
}

}  // namespace lw
