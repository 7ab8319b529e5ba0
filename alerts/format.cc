// The table of payload formats and what every format reads from an event.
#include "alerts/format.h"

#include "base/units.h"

namespace lw {

using nlohmann::json;

namespace {

struct FormatRow {
  const char* name;
  std::unique_ptr<PayloadFormat> (*make)();
};

constexpr FormatRow kFormats[] = {
    {"json", NewJsonFormat}, {"slack", NewSlackFormat}, {"splunk_hec", NewSplunkHecFormat},
    {"ecs", NewEcsFormat},   {"cef", NewCefFormat},
};

std::string JoinArray(const json& j, const char* key) {
  std::string out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const json& v : *it)
    if (v.is_string()) out += (out.empty() ? "" : ", ") + v.get<std::string>();
  return out;
}

std::string Count(const json& e) {
  auto it = e.find("count");
  return it != e.end() && it->is_number_unsigned() ? std::to_string(it->get<uint64_t>()) : "?";
}

}  // namespace

std::unique_ptr<PayloadFormat> MakeFormat(const std::string& name) {
  for (const FormatRow& row : kFormats)
    if (name == row.name) return row.make();
  return nullptr;
}

std::vector<std::string> FormatNames() {
  std::vector<std::string> out;
  for (const FormatRow& row : kFormats) out.push_back(row.name);
  return out;
}

std::string StringField(const json& e, const char* key) {
  auto it = e.find(key);
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

UnixSeconds TimeField(const json& e, const char* key, UnixSeconds fallback) {
  auto t = ParseTimestamp(StringField(e, key));
  return t ? *t : fallback;
}

std::string EventName(const json& e) {
  std::string name = StringField(e, "event");
  return name.empty() ? "exposure" : name;
}

std::string EventSeverity(const json& e) {
  if (EventName(e) == "bulk_exposure") {
    auto it = e.find("by_severity");
    return it != e.end() && it->is_object() && it->contains("credential") ? "credential" : "exposure";
  }
  return StringField(e, "severity") == "credential" ? "credential" : "exposure";
}

std::string DescribeEvent(const json& e) {
  const std::string name = EventName(e);
  if (name == "source_health") {
    const std::string error = StringField(e, "error");
    return "source " + StringField(e, "source") + " is " + StringField(e, "health") + " (was " +
           StringField(e, "previous") + ")" + (error.empty() ? "" : ": " + error);
  }
  if (name == "bulk_exposure")
    return "bulk exposure: " + Count(e) + " watched identifiers in one document of " + StringField(e, "source") +
           ": " + StringField(e, "location") + " (first seen " + StringField(e, "first_seen") +
           "); list them with: " + StringField(e, "list");
  if (name == "exposure_summary")
    return (EventSeverity(e) == "credential" ? "credential exposures of " : "exposures of ") + StringField(e, "hint") +
           ": " + Count(e) + " more since the last alert, in " + JoinArray(e, "sources") + " (first seen " +
           StringField(e, "first_seen") + ", last seen " + StringField(e, "last_seen") + ")";
  if (name == "exposure")
    return (EventSeverity(e) == "credential" ? "credential exposure of " : "exposure of ") + StringField(e, "hint") +
           " (" + JoinArray(e, "watchlists") + "), " + StringField(e, "match") + " match in " +
           StringField(e, "source") + ": " + StringField(e, "location") + " (first seen " +
           StringField(e, "first_seen") + ", id " + StringField(e, "id") + ")";
  // Any other event: its name and its string fields, in key order.
  std::string out = name + ":";
  for (auto it = e.begin(); it != e.end(); ++it)
    if (it.key() != "event" && it->is_string()) out += " " + it.key() + "=" + it->get<std::string>();
  return out;
}

}  // namespace lw
