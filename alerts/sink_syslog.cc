// syslog: one RFC 5424 message per event,
//   <PRI>1 TIMESTAMP HOSTNAME leakwatch - MSGID - MSG
// PRI is facility auth (4) with severity 2 (critical) for credential events, 4
// (warning) for other exposure events and 5 (notice) for anything else; MSGID is the
// exposure id (32 hex characters), or the event name for other events; MSG is the
// rendered event (json or cef), without a BOM. UDP has no acknowledgement: a datagram
// sent counts as delivered. Over TCP and TLS a message written to the connection counts
// as delivered; the rest of a batch after a failure is retried.
#include "alerts/sink_kinds.h"
#include "base/units.h"

namespace lw {
namespace {

// RFC 5424 header fields are printable US-ASCII without spaces, at most `max` long;
// "-" when empty.
std::string HeaderField(const std::string& s, size_t max) {
  std::string out;
  for (char c : s)
    if (c > 32 && c < 127 && out.size() < max) out += c;
  return out.empty() ? "-" : out;
}

class SyslogSink final : public AlertSink {
 public:
  SyslogSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t)
      : AlertSink(std::move(c), std::move(f), t) {}
  std::vector<Delivery> Deliver(const std::vector<nlohmann::json>& events) override {
    RenderContext context = Context();
    std::vector<std::string> messages;
    for (const nlohmann::json& e : events) {
      const std::string name = EventName(e);
      int severity = name == "exposure" || name == "exposure_summary" || name == "bulk_exposure"
                         ? (EventSeverity(e) == "credential" ? 2 : 4)
                         : 5;
      std::string msgid = name == "exposure" ? StringField(e, "id") : name;
      messages.push_back("<" + std::to_string(4 * 8 + severity) + ">1 " + FormatRfc3339(context.now) + " " +
                         HeaderField(context.hostname, 255) + " leakwatch - " + HeaderField(msgid, 32) + " - " +
                         format_->Render(e, context));
    }
    SyslogSendResult r = t_.syslog->Send(config_.url, config_.ca_file, messages, config_.timeout_ms);
    std::vector<Delivery> out;
    for (size_t i = 0; i < events.size(); ++i)
      out.push_back(i < r.sent ? Delivery{DeliveryState::kDelivered, ""} : Delivery{DeliveryState::kRetry, r.error});
    return out;
  }
};

}  // namespace

std::unique_ptr<AlertSink> NewSyslogSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t) {
  return std::make_unique<SyslogSink>(std::move(c), std::move(f), t);
}

}  // namespace lw
