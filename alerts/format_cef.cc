// cef: ArcSight Common Event Format, one line:
//   CEF:0|leakwatch|leakwatch|VERSION|SIGNATURE|NAME|SEVERITY|EXTENSION
// SIGNATURE is the event name (exposure, exposure_summary, bulk_exposure, ...); SEVERITY
// is 8 for credential, 5 for exposure, 3 for events without a leakwatch severity.
// Header fields escape "\" and "|" (line breaks become spaces); extension values escape
// "\", "=" and line breaks (\n, \r). Which JSON field becomes which CEF key is the table
// below (the README prints it); an event kind without rows carries its JSON in msg.
#include <string_view>

#include "alerts/format.h"

namespace lw {
namespace {

using nlohmann::json;

enum class As { kString, kTimeMs, kList, kNumber, kFlag, kJson };

struct FieldRow {
  const char* field;  // JSON key of the event
  const char* key;    // CEF extension key
  const char* label;  // for csN / cnN keys: the csNLabel value; else nullptr
  As as;
};

struct EventRow {
  const char* event;
  const char* name;  // CEF Name
  std::vector<FieldRow> fields;
};

const std::vector<EventRow>& Events() {
  static const std::vector<EventRow> rows = {
      {"exposure",
       "Watched identifier exposed",
       {{"id", "externalId", nullptr, As::kString},
        {"hint", "duser", nullptr, As::kString},
        {"severity", "cat", nullptr, As::kString},
        {"location", "request", nullptr, As::kString},
        {"first_seen", "rt", nullptr, As::kTimeMs},
        {"first_seen", "start", nullptr, As::kTimeMs},
        {"last_seen", "end", nullptr, As::kTimeMs},
        {"identifier_hash", "cs1", "identifierHash", As::kString},
        {"source", "cs2", "source", As::kString},
        {"watchlists", "cs3", "watchlists", As::kList},
        {"match", "cs4", "match", As::kString},
        {"labels", "cs5", "labels", As::kList},
        {"kind", "cs6", "kind", As::kString},
        {"retro", "cn1", "retro", As::kFlag},
        {"test", "cn2", "test", As::kFlag}}},
      {"exposure_summary",
       "Watched identifier exposed again",
       {{"hint", "duser", nullptr, As::kString},
        {"severity", "cat", nullptr, As::kString},
        {"count", "cnt", nullptr, As::kNumber},
        {"first_seen", "rt", nullptr, As::kTimeMs},
        {"first_seen", "start", nullptr, As::kTimeMs},
        {"last_seen", "end", nullptr, As::kTimeMs},
        {"identifier_hash", "cs1", "identifierHash", As::kString},
        {"sources", "cs2", "sources", As::kList}}},
      {"bulk_exposure",
       "Watched identifiers exposed in bulk",
       {{"document", "externalId", nullptr, As::kString},
        {"count", "cnt", nullptr, As::kNumber},
        {"location", "request", nullptr, As::kString},
        {"first_seen", "rt", nullptr, As::kTimeMs},
        {"first_seen", "start", nullptr, As::kTimeMs},
        {"source", "cs2", "source", As::kString},
        {"by_watchlist", "cs3", "byWatchlist", As::kJson},
        {"by_severity", "cs4", "bySeverity", As::kJson},
        {"list", "cs5", "list", As::kString}}},
  };
  return rows;
}

std::string EscapeHeader(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '|') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out;
}

std::string EscapeValue(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '=') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

// The value of one row, or "" when the event lacks it.
std::string ValueOf(const json& e, const FieldRow& row) {
  auto it = e.find(row.field);
  if (it == e.end()) return "";
  switch (row.as) {
    case As::kString:
      return it->is_string() ? it->get<std::string>() : "";
    case As::kTimeMs: {
      UnixSeconds t = TimeField(e, row.field, -1);
      return t < 0 ? "" : std::to_string(t) + "000";
    }
    case As::kList: {
      std::string out;
      if (it->is_array())
        for (const json& v : *it)
          if (v.is_string()) out += (out.empty() ? "" : ",") + v.get<std::string>();
      return out;
    }
    case As::kNumber:
      return it->is_number() ? it->dump() : "";
    case As::kFlag:
      return it->is_boolean() ? (it->get<bool>() ? "1" : "0") : "";
    case As::kJson:
      return it->dump();
  }
  return "";
}

class CefFormat final : public PayloadFormat {
 public:
  const char* name() const override { return "cef"; }
  const char* content_type() const override { return "text/plain; charset=utf-8"; }
  std::string Render(const json& e, const RenderContext& context) const override {
    const std::string event = EventName(e);
    const EventRow* row = nullptr;
    for (const EventRow& r : Events())
      if (event == r.event) row = &r;
    const bool has_severity = row != nullptr;
    std::string severity = !has_severity ? "3" : EventSeverity(e) == "credential" ? "8" : "5";
    std::string out = "CEF:0|leakwatch|leakwatch|" + EscapeHeader(context.version) + "|" + EscapeHeader(event) + "|" +
                      EscapeHeader(row ? row->name : event) + "|" + severity + "|";
    std::string ext;
    auto add = [&ext](std::string_view key, const std::string& value) {
      if (!ext.empty()) ext += ' ';
      ext += key;
      ext += '=';
      ext += EscapeValue(value);
    };
    if (row) {
      for (const FieldRow& f : row->fields) {
        std::string value = ValueOf(e, f);
        if (value.empty()) continue;
        if (f.label) add(std::string(f.key) + "Label", f.label);
        add(f.key, value);
      }
      add("msg", DescribeEvent(e));
    } else {
      add("msg", e.dump());
    }
    if (!context.hostname.empty()) add("dvchost", context.hostname);
    return out + ext;
  }
};

}  // namespace

std::unique_ptr<PayloadFormat> NewCefFormat() { return std::make_unique<CefFormat>(); }

}  // namespace lw
