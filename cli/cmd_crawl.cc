// leakwatch crawl [--source NAME]... [--force] [--max-duration DUR] [--fail-on-exposure]
// leakwatch sources [--format table|json]
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "base/units.h"
#include "cli/alerting.h"
#include "cli/commands.h"
#include "crawler/crawl.h"
#include "crawler/curl_fetcher.h"
#include "matcher/extractor.h"
#include "matcher/scanner.h"

namespace lw::cli {
namespace {

struct CrawlFlags {
  std::vector<std::string> sources;
  bool force = false;
  std::string max_duration;
  bool fail_on_exposure = false;
};

int RunCrawl(const GlobalFlags& flags, const CrawlFlags& f) {
  auto ctx = Context::Make(flags);
  if (!ctx) return Report(ctx.error());
  if (ctx->config().sources.empty())
    return Report(Error::Config("no [[source]] to crawl in " +
                                (ctx->config().path.empty() ? "the configuration" : ctx->config().path)));
  CrawlOptions options;
  options.only_sources = f.sources;
  options.force = f.force;
  options.concurrency = ctx->config().crawl.concurrency;
  if (!f.max_duration.empty()) {
    auto ms = ParseDurationMs(f.max_duration);
    if (!ms) return Report(Error::Invalid("--max-duration: " + ms.error().message));
    options.max_duration_ms = *ms;
  }
  auto session = OpenSession(std::move(*ctx), Access::kWrite, /*with_hasher=*/true);
  if (!session) return Report(session.error());
  const Config& config = session->ctx.config();
  Store& store = *session->store;
  const KeyedHasher& hasher = *session->hasher;
  auto alerting = Alerting::Make(session->ctx, store);  // bad [[alert]] tables stop us before fetching
  if (!alerting) return Report(alerting.error());
  auto index = store.LoadWatchIndex();
  if (!index) return Report(index.error());
  Normalizer normalizer({config.match.default_region});
  Extractor extractor(normalizer);
  SystemClock clock;

  // One Scanner per source: the source name is recorded with each exposure.
  std::map<std::string, std::unique_ptr<Scanner>> scanners;
  auto sink = [&](const SourceConfig& source, const std::string& location, std::string_view text) -> Status {
    std::unique_ptr<Scanner>& scanner = scanners[source.name];
    if (!scanner) {
      ScannerOptions so;
      so.source = source.name;
      so.sightings = config.store.sightings;
      so.spill_dir = session->ctx.data_dir();
      scanner = std::make_unique<Scanner>(store, hasher, *index, extractor, clock, so);
    }
    return scanner->ScanBytes(location, text);
  };
  // A change of health is an alert event of its own, through the outbox like exposures.
  options.on_health_change = [&store](const HealthChange& c) -> Status {
    std::fprintf(stderr, "leakwatch: %s: health %s -> %s\n", c.source.c_str(), c.previous.c_str(), c.health.c_str());
    nlohmann::json event{{"event", "source_health"}, {"source", c.source},          {"health", c.health},
                         {"previous", c.previous},   {"error", c.error},            {"at", FormatRfc3339(c.at)}};
    return EnqueueEvent(store, "source_health:" + c.source + ":" + std::to_string(c.at), event);
  };
  std::unique_ptr<Fetcher> fetcher = NewCurlFetcher();
  Crawler crawler(*fetcher, store, clock, sink, options);
  auto report = crawler.Run(config.sources);
  if (!report) return Report(report.error());

  uint64_t items = 0, new_exposures = 0, errors = 0, ran = 0;
  std::map<std::string, uint64_t> by_watchlist;
  for (const SourceReport& r : report->sources) {
    if (!r.ran) {
      std::printf("%s: not due (next %s)\n", r.name.c_str(), FormatRfc3339(r.next_due).c_str());
      continue;
    }
    ++ran;
    uint64_t news = 0;
    if (auto it = scanners.find(r.name); it != scanners.end()) {
      news = it->second->totals().new_exposures;
      for (const auto& [name, n] : it->second->totals().new_by_watchlist) by_watchlist[name] += n;
    }
    std::printf("%s: %llu items, %llu new exposures, %llu errors", r.name.c_str(), static_cast<unsigned long long>(r.items),
                static_cast<unsigned long long>(news), static_cast<unsigned long long>(r.errors));
    if (r.pending) std::printf(", %llu left for the next run", static_cast<unsigned long long>(r.pending));
    std::printf("\n");
    if (!r.error.empty()) std::fprintf(stderr, "leakwatch: %s: %s\n", r.name.c_str(), r.error.c_str());
    items += r.items;
    new_exposures += news;
    errors += r.errors;
  }
  std::string by_list;
  for (const auto& [name, n] : by_watchlist) by_list += (by_list.empty() ? " (" : ", ") + name + ": " + std::to_string(n);
  if (!by_list.empty()) by_list += ")";
  std::printf("crawled %llu sources: %llu items, %llu new exposures%s, %llu errors\n",
              static_cast<unsigned long long>(ran), static_cast<unsigned long long>(items),
              static_cast<unsigned long long>(new_exposures), by_list.c_str(), static_cast<unsigned long long>(errors));
  if (report->deadline_reached)
    std::fprintf(stderr, "leakwatch: --max-duration reached: what was not fetched waits for the next run\n");
  // New exposures (and earlier ones still waiting) go out now.
  (*alerting)->DeliverDue();
  ApplyRetention(session->ctx, store);
  // A failing source is in its state and on stderr, not in the exit code: cron keeps going.
  if (f.fail_on_exposure && new_exposures > 0) return kExitExposure;
  return kExitOk;
}

int RunSources(const GlobalFlags& flags, const std::string& format) {
  auto session = OpenSession(flags, Access::kRead, /*with_hasher=*/false);  // works while a crawl writes
  if (!session) return Report(session.error());
  auto when = [](UnixSeconds t, const char* none) { return t ? FormatRfc3339(t) : std::string(none); };
  const UnixSeconds now = SystemClock().Now();
  if (format != "json")
    std::printf("%-20s %-8s %-20s %-8s %-8s %8s %8s  %-20s  %s\n", "SOURCE", "KIND", "LAST RUN", "OUTCOME", "HEALTH",
                "ITEMS", "ERRORS", "NEXT DUE", "ERROR");
  for (const SourceConfig& source : session->ctx.config().sources) {
    auto s = LoadSourceRunState(*session->store, source.name);
    if (!s) return Report(s.error());
    const std::string health = CurrentHealth(*s, source, now);
    if (format == "json") {
      auto time_or_null = [](UnixSeconds t) { return t ? nlohmann::json(FormatRfc3339(t)) : nlohmann::json(); };
      nlohmann::json j{{"name", source.name},
                       {"kind", source.kind},
                       {"url", source.url},
                       {"last_run", time_or_null(s->last_start)},
                       {"last_end", time_or_null(s->last_end)},
                       {"outcome", s->outcome.empty() ? nlohmann::json() : nlohmann::json(s->outcome)},
                       {"health", health},
                       {"error", s->error},
                       {"items_last_run", s->items_last_run},
                       {"items_total", s->items_total},
                       {"errors_last_run", s->errors_last_run},
                       {"errors_total", s->errors_total},
                       {"pending", s->pending},
                       {"next_due", time_or_null(s->next_due)}};
      std::printf("%s\n", j.dump().c_str());
      continue;
    }
    std::printf("%-20s %-8s %-20s %-8s %-8s %8llu %8llu  %-20s  %s\n", source.name.c_str(), source.kind.c_str(),
                when(s->last_start, "never").c_str(), s->outcome.empty() ? "-" : s->outcome.c_str(), health.c_str(),
                static_cast<unsigned long long>(s->items_last_run), static_cast<unsigned long long>(s->errors_last_run),
                when(s->next_due, "now").c_str(), s->error.c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterCrawl(CLI::App& app, const GlobalFlags& flags, Action* action) {
  auto f = std::make_shared<CrawlFlags>();
  CLI::App* cmd = app.add_subcommand("crawl", "fetch the configured sources that are due and record exposures");
  cmd->add_option("--source", f->sources, "only this source (repeatable)");
  cmd->add_flag("--force", f->force, "run the sources whether or not they are due");
  cmd->add_option("--max-duration", f->max_duration, "start no fetch after this long (e.g. 4m)");
  cmd->add_flag("--fail-on-exposure", f->fail_on_exposure, "exit 3 when new exposures were found");
  cmd->callback([&flags, f, action] { *action = [&flags, f] { return RunCrawl(flags, *f); }; });
}

void RegisterSources(CLI::App& app, const GlobalFlags& flags, Action* action) {
  auto format = std::make_shared<std::string>("table");
  CLI::App* cmd = app.add_subcommand("sources", "per source: last run, outcome, health, items seen, errors, next due");
  cmd->add_option("--format", *format, "table | json")->check(CLI::IsMember({"table", "json"}));
  cmd->callback([&flags, format, action] { *action = [&flags, format] { return RunSources(flags, *format); }; });
}

}  // namespace lw::cli
