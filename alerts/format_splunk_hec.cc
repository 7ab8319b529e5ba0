// splunk_hec: Splunk's HTTP Event Collector envelope,
//   {"time": T, "host": H, "source": "leakwatch", "sourcetype": "leakwatch:<event>", "event": {...}}
// with the event's own JSON as "event". T is the event's first_seen (its "at" for events
// that have no first_seen; the rendering time for events with neither).
#include "alerts/format.h"

namespace lw {
namespace {

class SplunkHecFormat final : public PayloadFormat {
 public:
  const char* name() const override { return "splunk_hec"; }
  const char* content_type() const override { return "application/json"; }
  std::string Render(const nlohmann::json& event, const RenderContext& context) const override {
    UnixSeconds at = TimeField(event, "first_seen", TimeField(event, "at", context.now));
    return nlohmann::json{{"time", at},
                          {"host", context.hostname},
                          {"source", "leakwatch"},
                          {"sourcetype", "leakwatch:" + EventName(event)},
                          {"event", event}}
        .dump();
  }
};

}  // namespace

std::unique_ptr<PayloadFormat> NewSplunkHecFormat() { return std::make_unique<SplunkHecFormat>(); }

}  // namespace lw
