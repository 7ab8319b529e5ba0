#include "crawler/crawl.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "crawler/blocked.h"
#include "crawler/source_kind.h"

namespace lw {
namespace {

std::string SourceKey(const std::string& name) { return "source:" + name; }
std::string UrlKey(std::string_view url) { return "url:" + Sha256Hex(url); }
std::string ItemKey(std::string_view url) { return "item:" + Sha256Hex(url); }
std::string DocKey(const std::string& source, std::string_view key) {
  return "doc:" + Sha256Hex(source + "\n" + std::string(key));
}
std::string KindStateKey(const std::string& source) { return "kind:" + source; }

// Validators and content hash of a listing, json or page URL.
struct UrlState {
  std::string etag;
  std::string last_modified;
  std::string sha256;  // of the body as fetched
};

Result<UrlState> LoadUrlState(Store& store, std::string_view url) {
  auto value = store.GetCrawlState(UrlKey(url));
  if (!value) return Fail(value.error());
  UrlState state;
  if (!*value) return state;
  try {
    auto j = nlohmann::json::parse(**value);
    state.etag = j.value("etag", "");
    state.last_modified = j.value("last_modified", "");
    state.sha256 = j.value("sha256", "");
  } catch (const nlohmann::json::exception&) {
    // Unreadable state only costs one unconditional fetch; it is rewritten after it.
  }
  return state;
}

Status SaveUrlState(Store& store, std::string_view url, const UrlState& state) {
  nlohmann::json j{{"etag", state.etag}, {"last_modified", state.last_modified}, {"sha256", state.sha256}};
  return store.PutCrawlState(UrlKey(url), j.dump());
}

bool IsSuccess(const FetchResult& r) { return r.outcome == FetchOutcome::kOk && r.status >= 200 && r.status < 300; }

// An item that will not come back: remembered as seen so it is not asked for every run.
bool IsGone(const FetchResult& r) { return r.outcome == FetchOutcome::kOk && (r.status == 404 || r.status == 410); }

std::string DescribeFailure(const FetchResult& r) {
  if (r.outcome == FetchOutcome::kOk) return "HTTP " + std::to_string(r.status);
  std::string s(FetchOutcomeName(r.outcome));
  if (!r.error.empty()) s += ": " + r.error;
  return s;
}

}  // namespace

Result<SourceRunState> LoadSourceRunState(Store& store, const std::string& name) {
  auto value = store.GetCrawlState(SourceKey(name));
  if (!value) return Fail(value.error());
  SourceRunState s;
  if (!*value) return s;
  try {
    auto j = nlohmann::json::parse(**value);
    s.last_start = j.value("last_start", UnixSeconds{0});
    s.last_end = j.value("last_end", UnixSeconds{0});
    s.outcome = j.value("outcome", "");
    s.error = j.value("error", "");
    s.items_last_run = j.value("items_last_run", uint64_t{0});
    s.items_total = j.value("items_total", uint64_t{0});
    s.errors_last_run = j.value("errors_last_run", uint64_t{0});
    s.errors_total = j.value("errors_total", uint64_t{0});
    s.pending = j.value("pending", uint64_t{0});
    s.next_due = j.value("next_due", UnixSeconds{0});
    s.health = j.value("health", "");
    s.last_new = j.value("last_new", UnixSeconds{0});
    s.had_entries = j.value("had_entries", false);
    s.entries_last_run = j.value("entries_last_run", uint64_t{0});
    s.last_ok = j.value("last_ok", UnixSeconds{0});
  } catch (const nlohmann::json::exception& e) {
    return Fail(Error::Corruption("crawl state of source '" + name + "': " + e.what()));
  }
  return s;
}

std::string CurrentHealth(const SourceRunState& state, const SourceConfig& source, UnixSeconds now) {
  if (state.last_start == 0 || state.health.empty()) return "never";
  if (state.health == "ok" && state.last_new != 0 && (now - state.last_new) * 1000 > source.stale_after_ms)
    return "stale";
  return state.health;
}

namespace {

Status SaveSourceRunState(Store& store, const std::string& name, const SourceRunState& s) {
  nlohmann::json j{{"last_start", s.last_start},         {"last_end", s.last_end},
                   {"outcome", s.outcome},               {"error", s.error},
                   {"items_last_run", s.items_last_run}, {"items_total", s.items_total},
                   {"errors_last_run", s.errors_last_run}, {"errors_total", s.errors_total},
                   {"pending", s.pending},               {"next_due", s.next_due},
                   {"health", s.health},                 {"last_new", s.last_new},
                   {"had_entries", s.had_entries},       {"entries_last_run", s.entries_last_run},
                   {"last_ok", s.last_ok}};
  return store.PutCrawlState(SourceKey(name), j.dump());
}

}  // namespace

// A listing/json/page URL to fetch in one round.
struct Crawler::PageFetch {
  size_t run;  // index into the runs
  std::string url;
};

struct Crawler::ItemFetch {
  size_t run;
  std::string url;
};

// One due source during a run.
struct Crawler::SourceRun {
  const SourceConfig* config = nullptr;
  size_t report_index = 0;
  SourceRunState state;
  SourceReport report;
  FetchPolicy policy;
  std::unique_ptr<SourceReader> reader;  // null: misconfigured
  int pages = 0;  // index pages requested so far
  std::unordered_set<std::string> visited_pages;
  std::vector<std::string> items;  // in discovery order, deduplicated
  std::unordered_set<std::string> item_set;
  // Index URLs whose validators are saved only when every item they led to was handed
  // on: otherwise a 304 next time would hide the items this run failed to fetch.
  std::vector<std::pair<std::string, UrlState>> index_states;
  bool incomplete = false;     // the deadline left pages or items unfetched
  uint64_t retry_items = 0;    // items that failed and will be tried again
  uint64_t entries = 0;        // what the index pages listed, new or not
  int pages_read = 0;          // index pages read in full (not 304, not failed)
  std::string blocked;         // why the source looks blocked ("" when it does not)

  void SourceError(const std::string& where, const std::string& what) {
    report.ok = false;
    ++report.errors;
    if (report.error.empty()) report.error = where + ": " + what;
  }
  // Item URLs are not put in messages: they come from untrusted pages.
  void ItemError(const std::string& what) {
    ++report.errors;
    if (report.error.empty()) report.error = "item: " + what;
  }
  void AddItem(std::string url) {
    if (item_set.insert(url).second) items.push_back(std::move(url));
  }
};

Crawler::Crawler(Fetcher& fetcher, Store& store, const Clock& clock, DocumentSink sink, CrawlOptions options)
    : fetcher_(fetcher), store_(store), clock_(clock), sink_(std::move(sink)), options_(std::move(options)) {}

int64_t Crawler::SteadyNow() const {
  if (options_.steady_now_ms) return options_.steady_now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool Crawler::DeadlinePassed() const { return deadline_ms_ != 0 && SteadyNow() >= deadline_ms_; }

Result<CrawlReport> Crawler::Run(const std::vector<SourceConfig>& sources) {
  deadline_ms_ = options_.max_duration_ms > 0 ? SteadyNow() + options_.max_duration_ms : 0;
  deadline_reached_ = false;
  for (const std::string& name : options_.only_sources) {
    bool found = false;
    for (const SourceConfig& s : sources) found = found || s.name == name;
    if (!found) return Fail(Error::Invalid("no source named '" + name + "' in the configuration"));
  }

  CrawlReport report;
  std::vector<SourceRun> runs;
  const UnixSeconds now = clock_.Now();
  for (const SourceConfig& source : sources) {
    if (!options_.only_sources.empty() &&
        std::find(options_.only_sources.begin(), options_.only_sources.end(), source.name) ==
            options_.only_sources.end())
      continue;
    auto state = LoadSourceRunState(store_, source.name);
    if (!state) return Fail(state.error());
    SourceReport r;
    r.name = source.name;
    r.next_due = state->next_due;
    // Slack so that cron's start-time jitter (a run at :10:00 after one at :00:01) does not
    // skip a whole period.
    const int64_t slack_ms = std::min<int64_t>(source.every_ms / 20, 30000);
    const bool due = options_.force || state->last_start == 0 ||
                     (now - state->last_start) * 1000 + slack_ms >= source.every_ms;
    report.sources.push_back(r);
    if (!due) continue;

    SourceRun run;
    run.config = &source;
    run.report_index = report.sources.size() - 1;
    run.report = r;
    run.report.ran = true;
    run.policy = FetchPolicy::FromConfig(source.crawl);
    run.policy.group = source.name;
    run.state = *state;
    run.state.last_start = now;
    run.state.outcome = "running";
    run.state.next_due = now + (source.every_ms + 999) / 1000;
    run.report.next_due = run.state.next_due;
    if (const SourceKind* kind = FindSourceKind(source.kind); !kind) {
      run.SourceError("config", "unknown kind '" + source.kind + "'");
    } else if (auto problem = kind->Check(source)) {
      run.SourceError("config", (problem->key.empty() ? "" : problem->key + ": ") + problem->why);
    } else {
      auto saved = store_.GetCrawlState(KindStateKey(source.name));
      if (!saved) return Fail(saved.error());
      auto reader = kind->Start(source, *saved ? **saved : std::string());
      if (reader) run.reader = std::move(*reader);
      else run.SourceError("config", reader.error().message);
    }
    if (auto s = SaveSourceRunState(store_, source.name, run.state); !s) return Fail(s.error());
    runs.push_back(std::move(run));
  }

  if (auto s = FetchIndexes(runs); !s) return Fail(s.error());
  if (auto s = FetchItems(runs); !s) return Fail(s.error());
  for (SourceRun& run : runs) {
    if (auto s = Finish(run); !s) return Fail(s.error());
    report.sources[run.report_index] = run.report;
  }
  report.deadline_reached = deadline_reached_;
  return report;
}

Status Crawler::FetchIndexes(std::vector<SourceRun>& runs) {
  std::vector<PageFetch> round;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!runs[i].reader) continue;  // misconfigured
    for (std::string& url : runs[i].reader->FirstUrls()) {
      if (!runs[i].visited_pages.insert(url).second) continue;
      ++runs[i].pages;
      round.push_back({i, std::move(url)});
    }
  }
  // Round n fetches the listing pages found on round n-1's pages.
  while (!round.empty()) {
    if (DeadlinePassed()) {
      deadline_reached_ = true;
      for (const PageFetch& p : round) runs[p.run].incomplete = true;
      return Ok();
    }
    std::vector<FetchRequest> requests;
    for (size_t k = 0; k < round.size(); ++k) {
      auto state = LoadUrlState(store_, round[k].url);
      if (!state) return Fail(state.error());
      FetchRequest q;
      q.url = round[k].url;
      q.policy = runs[round[k].run].policy;
      q.etag = state->etag;
      q.last_modified = state->last_modified;
      q.id = k;
      requests.push_back(std::move(q));
    }
    std::vector<PageFetch> next;
    Status fatal = Ok();
    fetcher_.Run(std::move(requests), options_.concurrency, deadline_ms_, [&](FetchResult result) {
      if (!fatal || result.id >= round.size()) return;
      const PageFetch& page = round[result.id];
      if (auto s = HandleIndex(runs[page.run], page, result, &next); !s) fatal = s;
    });
    if (!fatal) return fatal;
    round = std::move(next);
  }
  return Ok();
}

Status Crawler::HandleIndex(SourceRun& run, const PageFetch& page, const FetchResult& result,
                            std::vector<PageFetch>* next_round) {
  const SourceConfig& source = *run.config;
  if (result.outcome == FetchOutcome::kTimeout && DeadlinePassed()) {
    deadline_reached_ = true;
    run.incomplete = true;
    return Ok();
  }
  if (result.outcome == FetchOutcome::kNotModified) return Ok();  // nothing new behind it
  if (!IsSuccess(result)) {
    if (run.blocked.empty()) run.blocked = BlockedReason(result, /*expected_entries_missing=*/true);
    run.SourceError(page.url, DescribeFailure(result));
    return Ok();
  }
  UrlState state{result.etag, result.last_modified, Sha256Hex(result.body)};
  auto previous = LoadUrlState(store_, page.url);
  if (!previous) return Fail(previous.error());
  const std::string& base = result.final_url.empty() ? page.url : result.final_url;
  IndexYield yield;
  auto read = run.reader->Read({page.url, base, result, previous->sha256, state.sha256}, &yield);
  if (!read || yield.entries == 0) {
    // No entries where entries were expected: a challenge or login page says why.
    std::string blocked = BlockedReason(result, /*expected_entries_missing=*/true);
    if (!blocked.empty()) {
      if (run.blocked.empty()) run.blocked = blocked;
      run.SourceError(page.url, "blocked: " + blocked);
      return Ok();
    }
  }
  if (!read) {
    run.SourceError(page.url, read.error().message);
    return Ok();
  }
  ++run.pages_read;
  run.entries += yield.entries;
  for (InlineDocument& doc : yield.documents) {
    if (auto s = HandOn(run, doc); !s) return s;
  }
  for (std::string& link : yield.next_pages) {
    if (run.pages < source.max_pages && run.visited_pages.insert(link).second) {
      ++run.pages;
      next_round->push_back({page.run, std::move(link)});
    }
  }
  for (std::string& item : yield.items) run.AddItem(std::move(item));
  run.index_states.emplace_back(page.url, state);
  return Ok();
}

// A keyed document goes to the sink when it is new or its text changed; its marker (the
// text's digest) is written after the sink took it, as for items.
Status Crawler::HandOn(SourceRun& run, const InlineDocument& doc) {
  std::string marker_key, digest;
  if (!doc.key.empty()) {
    marker_key = DocKey(run.config->name, doc.key);
    digest = Sha256Hex(doc.text);
    auto marker = store_.GetCrawlState(marker_key);
    if (!marker) return Fail(marker.error());
    if (*marker) {
      std::string previous;
      try {
        previous = nlohmann::json::parse(**marker).value("sha256", "");
      } catch (const nlohmann::json::exception&) {
        // An unreadable marker costs one more matching of the document.
      }
      if (previous == digest) {
        ++run.report.skipped;
        return Ok();
      }
    }
  }
  if (auto s = sink_(*run.config, doc.location, doc.text); !s) return s;
  ++run.report.items;
  if (marker_key.empty()) return Ok();
  nlohmann::json marker{{"seen", clock_.Now()}, {"sha256", digest}};
  return store_.PutCrawlState(marker_key, marker.dump());
}

Status Crawler::FetchItems(std::vector<SourceRun>& runs) {
  std::vector<ItemFetch> items;
  std::unordered_set<std::string> taken;  // an item listed by two sources is fetched once
  for (size_t i = 0; i < runs.size(); ++i) {
    for (const std::string& url : runs[i].items) {
      if (!taken.insert(url).second) continue;
      auto seen = store_.GetCrawlState(ItemKey(url));
      if (!seen) return Fail(seen.error());
      if (*seen) {
        ++runs[i].report.skipped;
        continue;
      }
      items.push_back({i, url});
    }
  }
  if (items.empty()) return Ok();
  if (DeadlinePassed()) {
    deadline_reached_ = true;
    for (const ItemFetch& item : items) {
      ++runs[item.run].report.pending;
      runs[item.run].incomplete = true;
    }
    return Ok();
  }
  std::vector<FetchRequest> requests;
  for (size_t k = 0; k < items.size(); ++k) {
    FetchRequest q;
    q.url = items[k].url;
    q.policy = runs[items[k].run].policy;
    q.id = k;
    requests.push_back(std::move(q));
  }
  Status fatal = Ok();
  auto mark_seen = [&](const std::string& url, long status) {
    nlohmann::json marker{{"seen", clock_.Now()}};  // "seen": what [store] retain prunes by
    if (status != 200) marker["status"] = status;
    return store_.PutCrawlState(ItemKey(url), marker.dump());
  };
  fetcher_.Run(std::move(requests), options_.concurrency, deadline_ms_, [&](FetchResult result) {
    if (!fatal || result.id >= items.size()) return;
    const ItemFetch& item = items[result.id];
    SourceRun& run = runs[item.run];
    if (result.outcome == FetchOutcome::kTimeout && DeadlinePassed()) {
      deadline_reached_ = true;
      run.incomplete = true;
      ++run.report.pending;
      return;
    }
    if (!IsSuccess(result)) {
      run.ItemError(DescribeFailure(result));
      if (IsGone(result)) {
        if (auto s = mark_seen(item.url, result.status); !s) fatal = s;
      } else if (result.outcome != FetchOutcome::kRobotsDenied) {
        // Denied by robots.txt: tried again only when the listing changes, like a new item.
        ++run.retry_items;
      }
      return;
    }
    auto text = DocumentText(result);
    if (!text) {
      run.ItemError(text.error().message);
      ++run.retry_items;
      return;
    }
    // The marker only after the sink took the document: a crash in between fetches it again.
    if (auto s = sink_(*run.config, item.url, *text); !s) {
      fatal = s;
      return;
    }
    ++run.report.items;
    if (auto s = mark_seen(item.url, 200); !s) fatal = s;
  });
  return fatal;
}

Status Crawler::Finish(SourceRun& run) {
  if (run.report.ok && !run.incomplete && run.retry_items == 0) {
    for (const auto& [url, state] : run.index_states)
      if (auto s = SaveUrlState(store_, url, state); !s) return s;
    if (run.reader) {
      std::string kind_state = run.reader->SaveState();
      if (!kind_state.empty())
        if (auto s = store_.PutCrawlState(KindStateKey(run.config->name), kind_state); !s) return s;
    }
  }
  SourceRunState& s = run.state;
  s.last_end = clock_.Now();
  const std::string previous = s.health.empty() ? "never" : s.health;
  std::string health = previous;
  if (!run.blocked.empty()) {
    health = "blocked";
  } else if (!run.report.ok) {
    health = "error";
  } else if (run.pages_read > 0 || !run.incomplete) {  // a run cut short before reading says nothing
    if (run.report.items > 0 || s.last_new == 0) s.last_new = s.last_start;
    if (run.pages_read > 0) {
      s.entries_last_run = run.entries;
      if (run.entries > 0) s.had_entries = true;
    }
    if (run.pages_read > 0 && run.entries == 0 && s.had_entries) health = "empty";
    else health = (s.last_start - s.last_new) * 1000 > run.config->stale_after_ms ? "stale" : "ok";
  }
  s.health = health == "never" ? "" : health;
  // never -> ok is how every source starts: not news.
  if (health != previous && !(previous == "never" && health == "ok") && options_.on_health_change) {
    if (auto st = options_.on_health_change({run.config->name, health, previous, run.report.error, s.last_end}); !st)
      return st;
  }
  s.outcome = run.report.ok ? "ok" : "error";
  if (run.report.ok) s.last_ok = s.last_end;
  s.error = run.report.error;
  s.items_last_run = run.report.items;
  s.items_total += run.report.items;
  s.errors_last_run = run.report.errors;
  s.errors_total += run.report.errors;
  s.pending = run.report.pending;
  return SaveSourceRunState(store_, run.config->name, s);
}

}  // namespace lw
