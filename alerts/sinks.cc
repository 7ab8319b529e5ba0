// The table of sink kinds (transports) and the formats each takes; MakeSink reads it.
#include "alerts/sinks.h"

#include <algorithm>

#include "alerts/sink_kinds.h"
#include "base/keyed_hash.h"

#ifndef LEAKWATCH_ALERTS_VERSION
#define LEAKWATCH_ALERTS_VERSION "0"
#endif

namespace lw {
namespace {

using nlohmann::json;

struct KindRow {
  const char* kind;
  // Formats it takes, the default first; empty: the kind has its own (email's digest).
  std::vector<std::string> formats;
  // URL schemes it takes; empty: no url.
  std::vector<std::string> schemes;
  std::unique_ptr<AlertSink> (*make)(AlertConfig, std::unique_ptr<PayloadFormat>, const AlertTransports&);
};

const std::vector<KindRow>& Kinds() {
  static const std::vector<KindRow> rows = {
      {"jsonl", {"json", "ecs", "splunk_hec", "cef"}, {}, NewJsonlSink},
      {"webhook", {"json", "slack", "splunk_hec", "ecs"}, {"http://", "https://"}, NewWebhookSink},
      {"syslog", {"json", "cef"}, {"udp://", "tcp://", "tls://"}, NewSyslogSink},
      {"email", {}, {"smtp://", "smtps://"}, NewEmailSink},
      {"exec", {"json", "ecs", "splunk_hec", "cef"}, {}, NewExecSink},
  };
  return rows;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

AlertSink::AlertSink(AlertConfig config, std::unique_ptr<PayloadFormat> format, const AlertTransports& transports)
    : config_(std::move(config)), format_(std::move(format)), t_(transports) {}

UnixSeconds AlertSink::Now() const { return t_.clock ? t_.clock->Now() : SystemClock().Now(); }

RenderContext AlertSink::Context() const { return RenderContext{t_.hostname, LEAKWATCH_ALERTS_VERSION, Now()}; }

bool AlertSink::Wants(const json& e) const {
  // An exposure's summary and a document's bulk event are exposures to `events`.
  const std::string event = EventName(e);
  const std::string kind = event == "exposure_summary" || event == "bulk_exposure" ? "exposure" : event;
  if (std::find(config_.events.begin(), config_.events.end(), kind) == config_.events.end()) return false;
  if (kind != "exposure") return true;  // severity and watchlists are an exposure's
  if (config_.min_severity == "credential" && EventSeverity(e) != "credential") return false;
  if (config_.watchlists.empty()) return true;
  auto it = e.find("watchlists");
  if (it == e.end() || !it->is_array()) return false;
  for (const json& w : *it)
    if (w.is_string() && std::find(config_.watchlists.begin(), config_.watchlists.end(), w.get<std::string>()) !=
                             config_.watchlists.end())
      return true;
  return false;
}

std::string WebhookSignature(const std::string& secret, UnixSeconds timestamp, const std::string& body) {
  return ToHex(KeyedHasher::Hmac(secret, std::to_string(timestamp) + "." + body));
}

std::string WebhookSignatureHeader(const std::string& secret, UnixSeconds timestamp, const std::string& body) {
  return "t=" + std::to_string(timestamp) + ",v1=" + WebhookSignature(secret, timestamp, body);
}

Result<std::unique_ptr<AlertSink>> MakeSink(const AlertConfig& c, const AlertTransports& t) {
  auto bad = [&](const std::string& why) {
    return Fail(Error::Config("alert '" + c.name + "' (line " + std::to_string(c.line) + "): " + why));
  };
  const KindRow* row = nullptr;
  std::vector<std::string> kinds;
  for (const KindRow& r : Kinds()) {
    kinds.push_back(r.kind);
    if (c.kind == r.kind) row = &r;
  }
  if (!row) return bad("unknown kind '" + c.kind + "' (expected " + Join(kinds, ", ") + ")");
  if (!row->schemes.empty() &&
      std::none_of(row->schemes.begin(), row->schemes.end(), [&](const std::string& s) { return c.url.starts_with(s); }))
    return bad("a " + c.kind + " sink needs a url starting with " + Join(row->schemes, " or "));
  std::unique_ptr<PayloadFormat> format;
  if (row->formats.empty()) {
    if (!c.format.empty()) return bad("a " + c.kind + " sink takes no format");
  } else {
    std::string name = c.format.empty() ? row->formats.front() : c.format;
    if (std::find(row->formats.begin(), row->formats.end(), name) == row->formats.end())
      return bad("format for a " + c.kind + " sink must be " + Join(row->formats, ", ") + " (not '" + name + "')");
    format = MakeFormat(name);
  }
  if (c.kind == "jsonl" && c.path.empty()) return bad("a jsonl sink needs a path (\"-\" for stdout)");
  if (c.kind == "email" && (c.from.empty() || c.to.empty())) return bad("an email sink needs from and to");
  if (c.kind == "exec" && c.command.empty()) return bad("an exec sink needs a command (argv array)");
  const std::string format_name = format ? format->name() : "";
  if (!c.token_env.empty() && !(c.kind == "webhook" && (format_name == "splunk_hec" || format_name == "ecs")))
    return bad("token_env is for webhooks with format splunk_hec or ecs");
  if (c.kind == "webhook" && format_name == "splunk_hec" && c.token_env.empty())
    return bad("a splunk_hec webhook needs token_env (the HEC token's environment variable)");
  if (!c.ca_file.empty() && !c.url.starts_with("tls://")) return bad("ca_file is for tls:// syslog sinks");
  return row->make(c, std::move(format), t);
}

}  // namespace lw
