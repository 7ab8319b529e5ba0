#include "alerts/dispatcher.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "base/keyed_hash.h"
#include "base/units.h"
#include "store/exposure_json.h"

namespace lw {
namespace {

using nlohmann::json;

// Outbox value: {"sinks": {NAME: {"state", "attempts", "last_error", "next_attempt"}}};
// a sink absent from it has not been tried yet.
json ParseEntry(const std::string& value) {
  json j = json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object()) j = json::object();
  if (!j.contains("sinks") || !j["sinks"].is_object()) j["sinks"] = json::object();
  return j;
}

std::string StateOf(const json& entry, const std::string& sink) {
  const json& s = entry["sinks"];
  if (!s.contains(sink)) return "pending";
  return s[sink].value("state", "pending");
}

// One event for many exposures of one document (see AlertConfig::bulk_threshold).
// REQUIRES: `exposures` non-empty, all of one document.
json BulkEvent(const std::vector<const Exposure*>& exposures) {
  const Exposure& first = *exposures.front();
  UnixSeconds first_seen = first.first_seen;
  std::map<std::string, uint64_t> by_watchlist, by_severity;
  for (const Exposure* e : exposures) {
    first_seen = std::min(first_seen, e->first_seen);
    for (const std::string& w : e->watchlists) ++by_watchlist[w];
    ++by_severity[e->severity];
  }
  return json{{"event", "bulk_exposure"},
              {"document", first.content_digest},
              {"source", first.source},
              {"location", first.location},
              {"first_seen", FormatRfc3339(first_seen)},
              {"count", exposures.size()},
              {"by_watchlist", by_watchlist},
              {"by_severity", by_severity},
              {"list", "leakwatch exposures --document " + first.content_digest}};
}

// renotify: an identifier's window through one sink.
struct Window {
  UnixSeconds end = 0;  // exposures before this fold, unless they raise the severity
  int rank = 0;         // the highest severity alerted in it (SeverityRank)
};

int SeverityRank(const std::string& severity) { return severity == "credential" ? 2 : 1; }

// One event for the exposures of one identifier folded into a closed window.
// REQUIRES: `exposures` non-empty, all of one identifier.
json SummaryEvent(const std::vector<const Exposure*>& exposures) {
  const Exposure& first = *exposures.front();
  UnixSeconds first_seen = first.first_seen, last_seen = first.last_seen;
  std::set<std::string> sources;
  int rank = 0;
  for (const Exposure* e : exposures) {
    first_seen = std::min(first_seen, e->first_seen);
    last_seen = std::max(last_seen, e->last_seen);
    sources.insert(e->source);
    rank = std::max(rank, SeverityRank(e->severity));
  }
  return json{{"event", "exposure_summary"},
              {"identifier_hash", ToHex(first.identifier)},
              {"hint", first.hint},
              {"count", exposures.size()},
              {"sources", sources},
              {"first_seen", FormatRfc3339(first_seen)},
              {"last_seen", FormatRfc3339(last_seen)},
              {"severity", rank == 2 ? "credential" : "exposure"}};
}

// Outbox ids of events other than exposures (EnqueueEvent); exposure ids are hex.
constexpr std::string_view kEventPrefix = "event:";
bool IsEventId(const std::string& id) { return id.starts_with(kEventPrefix); }

}  // namespace

Status EnqueueEvent(Store& store, const std::string& key, const json& event) {
  return store.PutOutbox(std::string(kEventPrefix) + key, json{{"event", event}, {"sinks", json::object()}}.dump());
}

Result<std::unique_ptr<Dispatcher>> Dispatcher::Make(Store& store, const std::vector<AlertConfig>& alerts,
                                                     const AlertTransports& transports, const Clock& clock) {
  std::vector<std::unique_ptr<AlertSink>> sinks;
  AlertTransports t = transports;
  if (!t.clock) t.clock = &clock;
  for (const AlertConfig& a : alerts) {
    auto sink = MakeSink(a, t);
    if (!sink) return Fail(sink.error());
    sinks.push_back(std::move(*sink));
  }
  return std::unique_ptr<Dispatcher>(new Dispatcher(store, std::move(sinks), clock));
}

Result<std::vector<SinkReport>> Dispatcher::Deliver(const DispatchOptions& options) {
  std::vector<SinkReport> reports;
  if (sinks_.empty()) return reports;
  auto outbox = store_.Outbox();
  if (!outbox) return Fail(outbox.error());
  const UnixSeconds now = clock_.Now();

  std::map<std::string, json> entries;
  std::map<std::string, json> payloads;  // of events; an exposure's is made when it is needed
  std::map<std::string, Exposure> exposures;
  // An exposure's JSON, made when needed rather than kept for each of a breach's million.
  auto payload_of = [&](const std::string& id) -> json {
    if (IsEventId(id)) return payloads[id];
    json p = ExposureJson(exposures[id]);
    p["event"] = "exposure";
    return p;
  };
  auto identifier_of = [&](const std::string& id) { return ToHex(exposures[id].identifier); };
  std::vector<Store::OutboxChange> gone;  // entries of exposures pruned since
  for (auto& [id, value] : *outbox) {
    if (IsEventId(id)) {  // its payload is in the entry
      entries[id] = ParseEntry(value);
      payloads[id] = entries[id].value("event", json::object());
      continue;
    }
    auto exposure = store_.GetExposure(id);
    if (!exposure) return Fail(exposure.error());
    if (!*exposure) {  // pruned since: nothing left to announce
      gone.emplace_back(id, std::nullopt);
      continue;
    }
    entries[id] = ParseEntry(value);
    exposures[id] = std::move(**exposure);
  }

  if (auto s = store_.UpdateOutbox(gone); !s) return Fail(s.error());

  for (const auto& sink : sinks_) {
    const std::string& name = sink->config().name;
    const int64_t renotify_s = sink->config().renotify_ms / 1000;
    SinkReport report;
    report.sink = name;
    std::vector<std::string> due;
    std::set<std::string> touched;  // entries whose state for this sink changed
    // renotify: the open window of each identifier (by identifier_hash), from the
    // entries delivered through this sink that still hold one.
    std::map<std::string, Window> windows;
    std::map<std::string, std::vector<std::string>> closed_folds;  // identifier -> folded ids, window over
    for (auto& [id, entry] : entries) {
      const std::string state = StateOf(entry, name);
      const bool event = IsEventId(id);  // a source-health event: never folded, opens no window
      const std::string ident = event ? std::string() : identifier_of(id);
      if (event && (state == "delivered" || state == "folded")) continue;
      if (state == "delivered" || state == "folded") {
        const json& st = entry["sinks"][name];
        int64_t end = st.value("window_end", int64_t{0});
        if (state == "folded" && end <= now) closed_folds[ident].push_back(id);
        if (state == "delivered" && end > now) {
          Window& w = windows[ident];
          w.end = std::max(w.end, end);
          w.rank = std::max(w.rank, SeverityRank(exposures[id].severity));
        }
        continue;
      }
      if (state != "pending") continue;
      json& st = entry["sinks"][name];
      if (!st.is_object()) st = json::object();
      const json payload = payload_of(id);
      if (!sink->Wants(payload) || (!deliver_retro_ && payload.value("retro", false))) {
        st["state"] = "filtered";
        continue;
      }
      if (!options.ignore_backoff && st.value("next_attempt", int64_t{0}) > now) {
        ++report.retrying;
        continue;
      }
      due.push_back(id);
    }
    if (renotify_s > 0) {
      // In the order they were found: the first exposure of an identifier alerts and
      // opens its window; later ones fold, unless of a higher severity than any alerted
      // in the window (a credential after plain exposures), which alerts at once.
      std::stable_sort(due.begin(), due.end(), [&](const std::string& a, const std::string& b) {
        return exposures[a].first_seen < exposures[b].first_seen;
      });
      std::vector<std::string> alerting;
      for (const std::string& id : due) {
        if (IsEventId(id)) {
          alerting.push_back(id);
          continue;
        }
        const std::string ident = identifier_of(id);
        const int rank = SeverityRank(exposures[id].severity);
        auto it = windows.find(ident);
        if (it == windows.end()) {
          windows[ident] = Window{now + renotify_s, rank};
        } else if (rank > it->second.rank) {
          it->second.rank = rank;
        } else {
          json& st = entries[id]["sinks"][name];
          st["state"] = "folded";
          st["window_end"] = it->second.end;
          touched.insert(id);
          ++report.folded;
          continue;
        }
        alerting.push_back(id);
      }
      due = std::move(alerting);
    }
    for (const std::string& id : due) touched.insert(id);
    // One payload per exposure, or one bulk_exposure event for a document with more due
    // exposures than the sink's threshold, then one exposure_summary per identifier
    // whose window closed with exposures folded into it; `owners[k]` are the entries
    // payload k stands for.
    std::vector<json> batch;
    std::vector<std::vector<std::string>> owners;
    std::map<std::string, std::vector<std::string>> by_document;
    std::vector<std::string> documents;  // in order of first appearance
    std::vector<std::string> events;  // not exposures: one payload each, after them
    for (const std::string& id : due) {
      if (IsEventId(id)) {
        events.push_back(id);
        continue;
      }
      auto& ids = by_document[exposures[id].content_digest];
      if (ids.empty()) documents.push_back(exposures[id].content_digest);
      ids.push_back(id);
    }
    const size_t threshold = static_cast<size_t>(sink->config().bulk_threshold);
    for (const std::string& document : documents) {
      const std::vector<std::string>& ids = by_document[document];
      if (threshold > 0 && ids.size() > threshold) {
        std::vector<const Exposure*> group;
        for (const std::string& id : ids) group.push_back(&exposures[id]);
        batch.push_back(BulkEvent(group));
        owners.push_back(ids);
      } else {
        for (const std::string& id : ids) {
          batch.push_back(payload_of(id));
          owners.push_back({id});
        }
      }
    }
    for (const auto& [ident, ids] : closed_folds) {
      std::vector<const Exposure*> group;
      for (const std::string& id : ids) {
        group.push_back(&exposures[id]);
        touched.insert(id);
      }
      batch.push_back(SummaryEvent(group));
      owners.push_back(ids);
    }
    for (const std::string& id : events) {
      batch.push_back(payload_of(id));
      owners.push_back({id});
    }
    std::vector<Delivery> results = batch.empty() ? std::vector<Delivery>() : sink->Deliver(batch);
    std::vector<std::pair<std::string, Delivery>> outcomes;
    for (size_t k = 0; k < owners.size(); ++k)
      for (const std::string& id : owners[k])
        outcomes.emplace_back(id, k < results.size() ? results[k] : Delivery{DeliveryState::kRetry, "no result"});
    for (const auto& [id, d] : outcomes) {
      json& st = entries[id]["sinks"][name];
      const bool folded = st.value("state", "") == "folded";
      if (folded) {  // a summary: its entries stay folded until it is delivered
        if (d.state == DeliveryState::kDelivered) {
          st = json{{"state", "delivered"}, {"attempts", st.value("attempts", 0) + 1}};
          ++report.delivered;
        } else {
          st["attempts"] = st.value("attempts", 0) + 1;
          st["last_error"] = d.error;
          report.last_error = d.error;
          ++report.retrying;
        }
        continue;
      }
      int attempts = st.value("attempts", 0) + 1;
      st["attempts"] = attempts;
      if (d.state == DeliveryState::kDelivered) {
        st["state"] = "delivered";
        st.erase("last_error");
        // The entry stays in the outbox holding the identifier's window.
        if (renotify_s > 0) st["window_end"] = windows[identifier_of(id)].end;
        ++report.delivered;
      } else {
        st["last_error"] = d.error;
        report.last_error = d.error;
        if (d.state == DeliveryState::kFailed) {
          st["state"] = "failed";
          ++report.failed;
        } else {
          int64_t backoff = options.base_backoff_s << std::min(attempts - 1, 20);
          st["next_attempt"] = now + std::min(backoff, options.max_backoff_s);
          ++report.retrying;
        }
      }
    }
    // Record this sink's outcome before the next sink runs (or the process dies).
    std::vector<Store::OutboxChange> changes;
    for (const std::string& id : touched) changes.emplace_back(id, entries[id].dump());
    if (auto s = store_.UpdateOutbox(changes); !s) return Fail(s.error());
    reports.push_back(std::move(report));
  }

  // Entries every sink is done with leave the outbox; permanently failed ones stay, and
  // so do folded ones and those holding an open renotify window.
  std::vector<Store::OutboxChange> finished;
  for (auto& [id, entry] : entries) {
    bool done = std::all_of(sinks_.begin(), sinks_.end(), [&](const auto& sink) {
      const std::string& name = sink->config().name;
      std::string st = StateOf(entry, name);
      if (st == "filtered") return true;
      return st == "delivered" && entry["sinks"][name].value("window_end", int64_t{0}) <= now;
    });
    if (done)
      finished.emplace_back(id, std::nullopt);
    else
      finished.emplace_back(id, entry.dump());
  }
  if (auto s = store_.UpdateOutbox(finished); !s) return Fail(s.error());
  return reports;
}

Status Dispatcher::ForEachPending(const std::function<bool(const PendingAlert&)>& fn) {
  bool go_on = true;
  auto s = store_.ForEachOutboxExposure([&](const std::string& id, const std::string& value, const Exposure* exposure) {
    json entry = ParseEntry(value);
    std::string hint;
    if (IsEventId(id)) {
      const json event = entry.value("event", json::object());
      hint = event.value("event", "") + " " + event.value("source", "") + ": " + event.value("health", "");
    } else {
      hint = exposure != nullptr ? exposure->hint : "";
    }
    auto add = [&](const std::string& sink) {
      std::string state = StateOf(entry, sink);
      if (state == "delivered" || state == "filtered") return;
      const json& st = entry["sinks"].contains(sink) ? entry["sinks"][sink] : json::object();
      // A folded exposure goes out in its identifier's summary when the window ends.
      int64_t next = state == "folded" ? st.value("window_end", int64_t{0}) : st.value("next_attempt", int64_t{0});
      if (go_on) go_on = fn({id, sink, state, st.value("attempts", 0), st.value("last_error", ""), next, hint});
    };
    if (sinks_.empty()) add("(no sink configured)");
    for (const auto& sink : sinks_) add(sink->config().name);
    return go_on;
  });
  return s;
}

Result<std::vector<PendingAlert>> Dispatcher::Pending() {
  std::vector<PendingAlert> out;
  auto s = ForEachPending([&](const PendingAlert& p) {
    out.push_back(p);
    return true;
  });
  if (!s) return Fail(s.error());
  return out;
}

Status Dispatcher::Test(const std::string& sink_name) {
  for (const auto& sink : sinks_) {
    if (sink->config().name != sink_name) continue;
    const UnixSeconds now = clock_.Now();
    json test{{"event", "exposure"},
              {"id", "test-" + std::to_string(now)},
              {"watchlists", json::array({"test"})},
              {"labels", json::array()},
              {"kind", "email"},
              {"hint", "t**t@example.com"},
              {"source", "leakwatch-test"},
              {"location", "leakwatch alerts test"},
              {"first_seen", FormatRfc3339(now)},
              {"last_seen", FormatRfc3339(now)},
              {"severity", "exposure"},
              {"match", "exact"},
              {"identifier_hash", std::string(64, '0')},
              {"test", true}};
    auto results = sink->Deliver({test});
    if (results.empty() || results[0].state != DeliveryState::kDelivered)
      return Fail(Error::IO("test alert to '" + sink_name + "' failed: " + (results.empty() ? "" : results[0].error)));
    return Ok();
  }
  return Fail(Error::Invalid("no [[alert]] named '" + sink_name + "' in the configuration"));
}

}  // namespace lw
