// Delivers the alert outbox: every new exposure reaches every configured sink at least
// once, through outages and crashes.
//
// The matcher writes an outbox entry in the same WriteBatch as each new exposure. Here,
// for each sink, due entries are delivered and the entry's per-sink state is written
// back right after each delivery: delivered, or retry with exponential backoff, or
// failed for good (a webhook's 4xx other than 408/429) — which stays visible in
// `alerts pending`. An entry leaves the outbox once every sink has it (delivered, or
// filtered out). A crash between a delivery and its state write repeats that delivery:
// at-least-once, and every payload carries the exposure's stable id for de-duplication.
// With no sinks configured, entries wait.
//
// renotify (AlertConfig::renotify_ms): an exposure delivered through such a sink keeps
// its outbox entry until the identifier's window ends ({"state":"delivered",
// "window_end":T}); a later exposure of that identifier within the window is marked
// {"state":"folded","window_end":T} instead of sent, unless its severity is higher than
// any alerted in the window. Once the window is over, the folded entries of an
// identifier go out as one exposure_summary and are delivered when it is. Everything is
// in the outbox, written after each sink's pass: a crash folds nothing away.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "alerts/sinks.h"
#include "base/clock.h"
#include "base/config.h"
#include "store/store.h"

namespace lw {

struct DispatchOptions {
  bool ignore_backoff = false;     // `alerts retry`: try everything pending now
  int64_t base_backoff_s = 60;     // after the first failure; doubles each time
  int64_t max_backoff_s = 6 * 3600;
};

struct SinkReport {
  std::string sink;
  uint64_t delivered = 0;
  uint64_t retrying = 0;
  uint64_t failed = 0;
  uint64_t folded = 0;  // renotify: folded into a later exposure_summary
  std::string last_error;
};

struct PendingAlert {
  std::string exposure_id;
  std::string sink;
  std::string state;  // "pending" | "failed" | "folded" (waits for its summary)
  int attempts = 0;
  std::string last_error;
  UnixSeconds next_attempt = 0;  // folded: when the window ends and the summary goes
  std::string hint;
};

// Puts an event other than an exposure in the outbox (a source's change of health:
// {"event":"source_health",...}), delivered to the sinks whose `events` take it, at least
// once, like exposures. `key` makes its outbox id ("event:" KEY) unique; the same key
// again replaces a waiting event.
Status EnqueueEvent(Store& store, const std::string& key, const nlohmann::json& event);

class Dispatcher {
 public:
  // Borrowed: store, clock and the transports must outlive the Dispatcher.
  static Result<std::unique_ptr<Dispatcher>> Make(Store& store, const std::vector<AlertConfig>& alerts,
                                                  const AlertTransports& transports, const Clock& clock);

  Result<std::vector<SinkReport>> Deliver(const DispatchOptions& options);
  // Calls fn with each undelivered alert per sink, in outbox order, until it returns
  // false; memory stays constant however many wait.
  Status ForEachPending(const std::function<bool(const PendingAlert&)>& fn);
  // [alerts] retro: false marks exposures found by a retro-hunt ("retro": true) filtered
  // for every sink instead of delivering them.
  void set_deliver_retro(bool deliver) { deliver_retro_ = deliver; }
  Result<std::vector<PendingAlert>> Pending();
  // Sends a synthetic exposure to one sink, ignoring its filters.
  Status Test(const std::string& sink_name);

 private:
  Dispatcher(Store& store, std::vector<std::unique_ptr<AlertSink>> sinks, const Clock& clock)
      : store_(store), sinks_(std::move(sinks)), clock_(clock) {}

  Store& store_;
  std::vector<std::unique_ptr<AlertSink>> sinks_;
  const Clock& clock_;
  bool deliver_retro_ = true;
};

}  // namespace lw
