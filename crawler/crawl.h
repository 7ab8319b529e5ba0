// The crawl of configured sources ([[source]] in the config): which are due, what to
// fetch from each, what is new, and the state that makes the next run incremental.
//
// What a kind fetches and how it reads an index page is the kind's (crawler/source_kind.h:
// listing, json, page, feed, telegram, one file each); this file schedules, keeps
// politeness and deadlines, remembers state and hands documents to the sink, for any kind.
//
// Items are fetched once: each fetched item leaves a marker in the store, written only
// after the document sink accepted the item, so a crawl killed at any point loses nothing
// it recorded and fetches again at most what was in flight.
//
// Crawl state lives in the store's crawl column family as JSON values:
//   "source:" NAME          SourceRunState (below)
//   "url:" SHA256HEX(URL)   index URLs: {"etag","last_modified","sha256"}
//   "kind:" NAME            the kind's own state (a telegram cursor), opaque here
//   "doc:" SHA256HEX(NAME "\n" KEY)  a keyed inline document handed on (a message, a
//                           feed entry): {"seen": unix seconds, "sha256": of its text}
//   "item:" SHA256HEX(URL)  item fetched and handed on: {"seen": unix seconds[, "status"]};
//                           [store] retain prunes these by "seen" (an item still listed
//                           after that long is fetched again, harmlessly)
// Keys hash URLs (bounded size; item URLs never appear in plaintext); values hold no page
// content.
//
// Thread-safety: a Crawler is used from one thread; Run() is not reentrant.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/config.h"
#include "base/status.h"
#include "crawler/fetcher.h"
#include "store/store.h"

namespace lw {

struct InlineDocument;

// A change of a source's health, for the alert sinks.
struct HealthChange {
  std::string source;
  std::string health;    // the new one
  std::string previous;  // "never" before the first run
  std::string error;     // the run's first error ("" when none)
  UnixSeconds at = 0;
};

struct CrawlOptions {
  // Only the sources with these names (each must exist: else kInvalidArgument). Empty:
  // every configured source.
  std::vector<std::string> only_sources;
  // Run the selected sources whether or not they are due. A source is due when its
  // `every` has passed since its last run started, less a slack of every/20 (at most
  // 30 s) so that cron's start-time jitter does not make it skip a period.
  bool force = false;
  // 0: no limit. Else no fetch starts later than this long after Run() began; the run
  // then ends cleanly and what was not fetched waits for the next run.
  int64_t max_duration_ms = 0;
  // Transfers in flight overall ([crawl] concurrency); per-host limits are per source.
  int concurrency = 8;
  // Called when a source's health changes (see SourceRunState::health), before the new
  // state is saved, so that a crash in between repeats the call rather than losing it.
  // An error stops the crawl. Default (empty): nobody is told.
  std::function<Status(const HealthChange&)> on_health_change;
  // Monotonic milliseconds, the clock of Fetcher::Run's deadline. Default (empty):
  // std::chrono::steady_clock. Tests inject a fake.
  std::function<int64_t()> steady_now_ms;
};

// Receives every document: `location` is the item (or page) URL, `text` its UTF-8 text
// (the visible text for HTML). An error stops the crawl (it means the store failed).
using DocumentSink =
    std::function<Status(const SourceConfig& source, const std::string& location, std::string_view text)>;

// What the store remembers about a source; what `leakwatch sources` prints.
struct SourceRunState {
  UnixSeconds last_start = 0;   // 0: never ran
  UnixSeconds last_end = 0;
  std::string outcome;          // "ok" | "error" | "running" (a run that never ended)
  std::string error;            // the first error of the last run ("" when none)
  uint64_t items_last_run = 0;  // documents handed on in the last run
  uint64_t items_total = 0;
  uint64_t errors_last_run = 0; // failed fetches (index or items) in the last run
  uint64_t errors_total = 0;
  uint64_t pending = 0;         // items left for the next run by --max-duration
  UnixSeconds next_due = 0;     // last_start + every
  // Health after the last run: "ok"; "empty" (the index pages listed nothing where earlier
  // runs found entries); "blocked" (401/403/429/503, or a challenge, captcha or login page
  // instead of entries); "error" (any other failure); "stale" (nothing new for the
  // source's stale_after). "" before the first run (shown as "never").
  std::string health;
  UnixSeconds last_new = 0;     // the last run that handed on something new (or the first run)
  bool had_entries = false;     // some run's index pages listed entries
  uint64_t entries_last_run = 0;  // entries the index pages listed, new or not
  UnixSeconds last_ok = 0;      // end of the last run without a source error (0: none)
};

// The health to show now: `state.health`, "never" before the first run, and "stale" once
// an "ok" source has had nothing new for its stale_after (also between runs).
std::string CurrentHealth(const SourceRunState& state, const SourceConfig& source, UnixSeconds now);

// The state of source `name` (default-constructed when it never ran).
Result<SourceRunState> LoadSourceRunState(Store& store, const std::string& name);

// One source's part of a run.
struct SourceReport {
  std::string name;
  bool ran = false;       // false: not due
  bool ok = true;         // false: its listing/json/page could not be read
  std::string error;      // the first error, of the source or of an item
  uint64_t items = 0;     // documents handed to the sink
  uint64_t skipped = 0;   // items fetched in an earlier run, not fetched again
  uint64_t errors = 0;    // failed fetches
  uint64_t pending = 0;   // items not fetched because the deadline passed
  UnixSeconds next_due = 0;
};

struct CrawlReport {
  std::vector<SourceReport> sources;  // in configuration order, selected sources only
  bool deadline_reached = false;
};

class Crawler {
 public:
  // All borrowed; they must outlive the Crawler.
  Crawler(Fetcher& fetcher, Store& store, const Clock& clock, DocumentSink sink, CrawlOptions options);

  // Runs the due sources among `sources`. A failing source (network, HTTP status, robots,
  // malformed JSON, ...) is recorded in its state and its report and never stops the
  // others. Fails only when the run itself fails: a store read or write, or the sink.
  Result<CrawlReport> Run(const std::vector<SourceConfig>& sources);

 private:
  struct SourceRun;
  struct PageFetch;
  struct ItemFetch;

  int64_t SteadyNow() const;
  bool DeadlinePassed() const;
  Status FetchIndexes(std::vector<SourceRun>& runs);
  Status HandleIndex(SourceRun& run, const PageFetch& page, const FetchResult& result,
                     std::vector<PageFetch>* next_round);
  Status HandOn(SourceRun& run, const InlineDocument& doc);
  Status FetchItems(std::vector<SourceRun>& runs);
  Status Finish(SourceRun& run);

  Fetcher& fetcher_;
  Store& store_;
  const Clock& clock_;
  DocumentSink sink_;
  CrawlOptions options_;
  int64_t deadline_ms_ = 0;  // steady ms; 0: none
  bool deadline_reached_ = false;
};

}  // namespace lw
