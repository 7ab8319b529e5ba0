#include "crawler/crawl.h"

#include <openssl/evp.h>
#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "base/keyed_hash.h"
#include "crawler/html_text.h"
#include "crawler/url.h"

namespace lw {
namespace {

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  return ToHex(md, n);
}

std::string SourceKey(const std::string& name) { return "source:" + name; }
std::string UrlKey(std::string_view url) { return "url:" + Sha256Hex(url); }
std::string ItemKey(std::string_view url) { return "item:" + Sha256Hex(url); }

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

// The text the matcher sees: UTF-8, and the visible text when the body is HTML.
Result<std::string> DocumentText(const FetchResult& r) {
  auto utf8 = ToUtf8(r.body, r.content_type);
  if (!utf8) return Fail(utf8.error());
  if (LooksLikeHtml(r.content_type, r.body)) return HtmlToText(*utf8);
  return std::move(*utf8);
}

// The values of `field` (a dotted path) in the elements of the JSON array `body` is, or
// of the first array-valued member of the object it is.
Result<std::vector<std::string>> JsonItemUrls(std::string_view body, std::string_view field) {
  using Json = nlohmann::ordered_json;  // document order: "first member" means what it says
  std::vector<std::string> urls;
  try {
    Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Fail(Error::Invalid("malformed JSON"));
    const Json* list = nullptr;
    if (doc.is_array()) {
      list = &doc;
    } else if (doc.is_object()) {
      for (const auto& member : doc.items()) {
        if (member.value().is_array()) {
          list = &member.value();
          break;
        }
      }
    }
    if (!list) return Fail(Error::Invalid("the JSON holds no array of items"));
    std::vector<std::string> path;
    for (size_t start = 0;;) {
      size_t dot = field.find('.', start);
      path.emplace_back(field.substr(start, dot - start));
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    for (const Json& element : *list) {
      const Json* v = &element;
      for (const std::string& key : path) {
        if (!v->is_object()) {
          v = nullptr;
          break;
        }
        auto it = v->find(key);
        v = it == v->end() ? nullptr : &*it;
        if (!v) break;
      }
      if (v && v->is_string()) urls.push_back(v->get<std::string>());
    }
  } catch (const nlohmann::json::exception& e) {
    return Fail(Error::Invalid(std::string("malformed JSON: ") + e.what()));
  }
  return urls;
}

Result<std::unique_ptr<RE2>> Compile(const std::string& pattern, const std::string& key) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) return Fail(Error::Config(key + ": bad pattern: " + re->error()));
  return re;
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
  } catch (const nlohmann::json::exception& e) {
    return Fail(Error::Corruption("crawl state of source '" + name + "': " + e.what()));
  }
  return s;
}

namespace {

Status SaveSourceRunState(Store& store, const std::string& name, const SourceRunState& s) {
  nlohmann::json j{{"last_start", s.last_start},         {"last_end", s.last_end},
                   {"outcome", s.outcome},               {"error", s.error},
                   {"items_last_run", s.items_last_run}, {"items_total", s.items_total},
                   {"errors_last_run", s.errors_last_run}, {"errors_total", s.errors_total},
                   {"pending", s.pending},               {"next_due", s.next_due}};
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
  std::unique_ptr<RE2> item_re;  // null: none configured (json, page)
  std::unique_ptr<RE2> next_re;
  int pages = 0;  // listing pages requested so far
  std::unordered_set<std::string> visited_pages;
  std::vector<std::string> items;  // in discovery order, deduplicated
  std::unordered_set<std::string> item_set;
  // Index URLs whose validators are saved only when every item they led to was handed
  // on: otherwise a 304 next time would hide the items this run failed to fetch.
  std::vector<std::pair<std::string, UrlState>> index_states;
  bool incomplete = false;     // the deadline left pages or items unfetched
  uint64_t retry_items = 0;    // items that failed and will be tried again

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
  void AddItem(std::string_view base, const std::string& ref) {
    auto url = ResolveUrl(base, ref);
    if (!url) return;
    std::string link = StripFragment(*url);
    std::string scheme = UrlScheme(link);
    if (scheme != "http" && scheme != "https") return;
    if (item_re) {
      auto item = MatchItemUrl(*item_re, config->item_url, link);
      if (!item) return;
      link = std::move(*item);
    }
    if (item_set.insert(link).second) items.push_back(std::move(link));
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
    if (!source.item_pattern.empty()) {
      if (auto re = Compile(source.item_pattern, "item_pattern"); re) {
        run.item_re = std::move(*re);
        if (auto s = CheckItemUrl(*run.item_re, source.item_url); !s) run.SourceError("config", s.error().message);
      } else {
        run.SourceError("config", re.error().message);
      }
    } else if (source.kind == "listing") {
      run.SourceError("config", "a listing source needs an item_pattern");
    }
    if (!source.next_pattern.empty()) {
      if (auto re = Compile(source.next_pattern, "next_pattern"); re) run.next_re = std::move(*re);
      else run.SourceError("config", re.error().message);
    }
    if (source.kind != "listing" && source.kind != "json" && source.kind != "page")
      run.SourceError("config", "unknown kind '" + source.kind + "'");
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
    if (!runs[i].report.ok) continue;  // misconfigured
    round.push_back({i, runs[i].config->url});
    runs[i].visited_pages.insert(runs[i].config->url);
    runs[i].pages = 1;
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
    run.SourceError(page.url, DescribeFailure(result));
    return Ok();
  }
  UrlState state{result.etag, result.last_modified, Sha256Hex(result.body)};
  if (source.kind == "page") {
    auto previous = LoadUrlState(store_, page.url);
    if (!previous) return Fail(previous.error());
    if (state.sha256 != previous->sha256) {
      auto text = DocumentText(result);
      if (!text) {
        run.SourceError(page.url, text.error().message);
        return Ok();
      }
      if (auto s = sink_(source, page.url, *text); !s) return s;
      ++run.report.items;
    }
    return SaveUrlState(store_, page.url, state);
  }
  // Listings are read even when their bytes did not change: pagination may lead to pages
  // that did, and items already fetched cost one store read each.
  const std::string& base = result.final_url.empty() ? page.url : result.final_url;
  if (source.kind == "json") {
    auto urls = JsonItemUrls(result.body, source.item_field);
    if (!urls) {
      run.SourceError(page.url, urls.error().message);
      return Ok();
    }
    for (const std::string& url : *urls) run.AddItem(base, url);
    run.index_states.emplace_back(page.url, state);
    return Ok();
  }
  // listing
  if (!LooksLikeHtml(result.content_type, result.body)) {
    run.SourceError(page.url, "not an HTML page (Content-Type: " + result.content_type + ")");
    return Ok();
  }
  auto html = ToUtf8(result.body, result.content_type);
  if (!html) {
    run.SourceError(page.url, html.error().message);
    return Ok();
  }
  for (const std::string& link : ExtractLinks(*html, base)) {
    if (run.next_re && RE2::PartialMatch(link, *run.next_re)) {
      if (run.pages < source.max_pages && run.visited_pages.insert(link).second) {
        ++run.pages;
        next_round->push_back({page.run, link});
      }
      continue;
    }
    run.AddItem(base, link);
  }
  run.index_states.emplace_back(page.url, state);
  return Ok();
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
  }
  SourceRunState& s = run.state;
  s.last_end = clock_.Now();
  s.outcome = run.report.ok ? "ok" : "error";
  s.error = run.report.error;
  s.items_last_run = run.report.items;
  s.items_total += run.report.items;
  s.errors_last_run = run.report.errors;
  s.errors_total += run.report.errors;
  s.pending = run.report.pending;
  return SaveSourceRunState(store_, run.config->name, s);
}

}  // namespace lw
