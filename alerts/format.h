// Payload formats: how one alert event becomes the bytes a receiver expects. A format
// knows nothing of transports; a sink kind (alerts/sinks.cc) is a transport and names
// the formats that make sense over it.
//
// An event is a JSON object. Exposures are the exposure JSON (store/exposure_json.h);
// other events carry an "event" key: "bulk_exposure", "exposure_summary", and any later
// kind (such as a source-health change). Every format renders every event: it maps the
// kinds it knows field by field and falls back to a generic rendering, keyed by the
// event name, for the others, so a new event kind needs no change here to be delivered.
// EventName() and EventSeverity() are the two facts each format reads from any event.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/clock.h"

namespace lw {

// What a format may need besides the event; all of it comes from the sink or its
// transports, never from global state.
struct RenderContext {
  std::string hostname;        // this host, for envelopes that name the sender
  std::string version;         // leakwatch's version, for CEF's header
  UnixSeconds now = 0;         // rendering time
};

class PayloadFormat {
 public:
  virtual ~PayloadFormat() = default;
  virtual const char* name() const = 0;
  // Content-Type when sent over HTTP.
  virtual const char* content_type() const = 0;
  // One event, rendered. Never fails: missing fields render as empty.
  virtual std::string Render(const nlohmann::json& event, const RenderContext& context) const = 0;
};

// The formats by name: json, slack, splunk_hec, ecs, cef. nullptr for an unknown name.
std::unique_ptr<PayloadFormat> MakeFormat(const std::string& name);
// Every format name, in the order of the table (for messages).
std::vector<std::string> FormatNames();

// "exposure" for an exposure (no "event" key), else the event's name.
std::string EventName(const nlohmann::json& event);
// The event's severity on leakwatch's scale: "credential" or "exposure" ("exposure"
// when the event has none; a bulk event's highest).
std::string EventSeverity(const nlohmann::json& event);
// One readable line, for Slack, email and messages in SIEM documents.
std::string DescribeEvent(const nlohmann::json& event);
// A string field, or "" when absent or not a string.
std::string StringField(const nlohmann::json& event, const char* key);
// Seconds of an RFC 3339 field, or `fallback`.
UnixSeconds TimeField(const nlohmann::json& event, const char* key, UnixSeconds fallback);

// Per-format factories (one file each).
std::unique_ptr<PayloadFormat> NewJsonFormat();
std::unique_ptr<PayloadFormat> NewSlackFormat();
std::unique_ptr<PayloadFormat> NewSplunkHecFormat();
std::unique_ptr<PayloadFormat> NewEcsFormat();
std::unique_ptr<PayloadFormat> NewCefFormat();

}  // namespace lw
