// leakwatch metrics: the Prometheus text format (version 0.0.4), for node_exporter's
// textfile collector. Reads the store like `sources` and `stats`, so it works while a
// crawl or scan is writing.
#include <cstdio>
#include <map>
#include <string>

#include "base/units.h"
#include "cli/alerting.h"
#include "cli/commands.h"
#include "crawler/crawl.h"

namespace lw::cli {
namespace {

// A label value as the text format wants it: backslash, double quote and newline escaped.
std::string Label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

class Writer {
 public:
  void Family(const char* name, const char* type, const char* help) {
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void Sample(const char* name, const std::map<std::string, std::string>& labels, int64_t value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        out_ += (first ? "" : ",") + k + "=\"" + Label(v) + "\"";
        first = false;
      }
      out_ += '}';
    }
    out_ += " " + std::to_string(value) + "\n";
  }
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

int RunMetrics(const GlobalFlags& flags) {
  auto session = OpenSession(flags, Access::kRead, /*with_hasher=*/false);  // works while a crawl writes
  if (!session) return Report(session.error());
  Store& store = *session->store;
  const Config& config = session->ctx.config();
  const UnixSeconds now = SystemClock().Now();
  std::map<std::string, SourceRunState> states;
  for (const SourceConfig& source : config.sources) {
    auto s = LoadSourceRunState(store, source.name);
    if (!s) return Report(s.error());
    states[source.name] = *s;
  }
  std::map<std::pair<std::string, std::string>, int64_t> by_list_severity;
  auto walked = store.ForEachExposureSince(0, [&](const Exposure& e) {
    for (const std::string& w : e.watchlists) ++by_list_severity[{w, e.severity}];
    return true;
  });
  if (!walked) return Report(walked.error());
  auto alerting = Alerting::Make(session->ctx, store);
  if (!alerting) return Report(alerting.error());
  std::map<std::string, int64_t> depth;
  for (const AlertConfig& a : config.alerts) depth[a.name] = 0;
  auto pending = (*alerting)->dispatcher().ForEachPending([&](const PendingAlert& p) {
    if (depth.count(p.sink)) ++depth[p.sink];
    return true;
  });
  if (!pending) return Report(pending.error());

  Writer w;
  w.Family("leakwatch_source_health", "gauge",
           "1 for the source's current health (ok, empty, blocked, error, stale, never), 0 for the others.");
  for (const SourceConfig& source : config.sources) {
    std::string health = CurrentHealth(states[source.name], source, now);
    for (const char* h : {"ok", "empty", "blocked", "error", "stale", "never"})
      w.Sample("leakwatch_source_health", {{"source", source.name}, {"health", h}}, health == h ? 1 : 0);
  }
  w.Family("leakwatch_source_items_total", "counter", "Documents a source handed to the matcher, all runs.");
  for (const SourceConfig& source : config.sources)
    w.Sample("leakwatch_source_items_total", {{"source", source.name}},
             static_cast<int64_t>(states[source.name].items_total));
  w.Family("leakwatch_source_items_last_run", "gauge", "Documents a source handed to the matcher in its last run.");
  for (const SourceConfig& source : config.sources)
    w.Sample("leakwatch_source_items_last_run", {{"source", source.name}},
             static_cast<int64_t>(states[source.name].items_last_run));
  w.Family("leakwatch_source_errors_total", "counter", "Failed fetches of a source (index pages and items), all runs.");
  for (const SourceConfig& source : config.sources)
    w.Sample("leakwatch_source_errors_total", {{"source", source.name}},
             static_cast<int64_t>(states[source.name].errors_total));
  w.Family("leakwatch_source_last_success_age_seconds", "gauge",
           "Seconds since the end of the source's last run without a source error (absent: none yet).");
  UnixSeconds newest_ok = 0;
  for (const SourceConfig& source : config.sources) {
    UnixSeconds ok = states[source.name].last_ok;
    newest_ok = std::max(newest_ok, ok);
    if (ok) w.Sample("leakwatch_source_last_success_age_seconds", {{"source", source.name}}, now - ok);
  }
  w.Family("leakwatch_last_successful_crawl_age_seconds", "gauge",
           "Seconds since the most recent successful run of any source (absent: none yet).");
  if (newest_ok) w.Sample("leakwatch_last_successful_crawl_age_seconds", {}, now - newest_ok);
  w.Family("leakwatch_exposures", "gauge", "Exposures in the store, by watchlist and severity.");
  for (const auto& [key, n] : by_list_severity)
    w.Sample("leakwatch_exposures", {{"watchlist", key.first}, {"severity", key.second}}, n);
  w.Family("leakwatch_alert_outbox_depth", "gauge", "Alerts waiting for a sink (pending or failed).");
  for (const auto& [sink, n] : depth) w.Sample("leakwatch_alert_outbox_depth", {{"sink", sink}}, n);
  std::fputs(w.text().c_str(), stdout);
  return kExitOk;
}

}  // namespace

void RegisterMetrics(CLI::App& app, const GlobalFlags& flags, Action* action) {
  CLI::App* cmd = app.add_subcommand(
      "metrics", "print Prometheus text format: source health, items, errors, exposures, outbox depth");
  cmd->callback([&flags, action] { *action = [&flags] { return RunMetrics(flags); }; });
}

}  // namespace lw::cli
