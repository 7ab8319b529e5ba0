// ecs: an Elastic Common Schema 8 document for an Elasticsearch ingest endpoint
// (POST INDEX/_doc, or a Logstash/Elastic Agent HTTP input). The mapping, also in the
// README:
//   @timestamp        first_seen (an event's "at" when it has none; else rendering time)
//   event.kind        "alert" for exposure, exposure_summary and bulk_exposure; else "event"
//   event.category    ["threat"];  event.type ["indicator"]
//   event.action      the event name (exposure, exposure_summary, bulk_exposure, ...)
//   event.severity    73 for credential, 47 otherwise (Elastic's high / medium)
//   event.id          the exposure id, or the bulk event's document
//   event.start/end   first_seen / last_seen;  event.created the rendering time
//   event.count-like  leakwatch.count (summaries and bulk events)
//   url.full          location, when it is a URL;  file.path when it is a path
//   tags              the watchlists;  message  the readable line
//   observer          vendor/product "leakwatch", version, hostname
//   leakwatch.*       the event's own JSON, every field
#include "alerts/format.h"

#include "base/units.h"

namespace lw {
namespace {

using nlohmann::json;

class EcsFormat final : public PayloadFormat {
 public:
  const char* name() const override { return "ecs"; }
  const char* content_type() const override { return "application/json"; }
  std::string Render(const json& e, const RenderContext& context) const override {
    const std::string name = EventName(e);
    const bool alert = name == "exposure" || name == "exposure_summary" || name == "bulk_exposure";
    UnixSeconds at = TimeField(e, "first_seen", TimeField(e, "at", context.now));
    json event{{"kind", alert ? "alert" : "event"},
               {"category", json::array({"threat"})},
               {"type", json::array({"indicator"})},
               {"action", name},
               {"module", "leakwatch"},
               {"dataset", "leakwatch.alerts"},
               {"severity", EventSeverity(e) == "credential" ? 73 : 47},
               {"created", FormatRfc3339(context.now)}};
    std::string id = name == "bulk_exposure" ? StringField(e, "document") : StringField(e, "id");
    if (!id.empty()) event["id"] = id;
    if (e.contains("first_seen")) event["start"] = FormatRfc3339(at);
    if (e.contains("last_seen")) event["end"] = FormatRfc3339(TimeField(e, "last_seen", at));
    json doc{{"@timestamp", FormatRfc3339(at)},
             {"ecs", {{"version", "8.11.0"}}},
             {"event", event},
             {"message", DescribeEvent(e)},
             {"observer",
              {{"vendor", "leakwatch"}, {"product", "leakwatch"}, {"version", context.version},
               {"hostname", context.hostname}}},
             {"leakwatch", e}};
    std::string location = StringField(e, "location");
    if (location.find("://") != std::string::npos)
      doc["url"] = {{"full", location}};
    else if (!location.empty())
      doc["file"] = {{"path", location}};
    if (auto it = e.find("watchlists"); it != e.end() && it->is_array()) doc["tags"] = *it;
    return doc.dump();
  }
};

}  // namespace

std::unique_ptr<PayloadFormat> NewEcsFormat() { return std::make_unique<EcsFormat>(); }

}  // namespace lw
