// Alert sinks: where new exposures and other alert events go. Built from [[alert]]
// tables (base/config.h). A sink's kind is its transport, its format the payload
// (alerts/format.h); the table in sinks.cc says which formats each kind takes:
//  - jsonl:   one rendered event per line appended to a file, or stdout with path "-";
//  - webhook: one POST per event; json, slack, splunk_hec (Authorization: Splunk <token
//             from token_env>) or ecs (Authorization: ApiKey <token_env's key>, when
//             set); signed with
//             X-Leakwatch-Signature: t=UNIXTIME,v1=<hex HMAC-SHA-256 of "UNIXTIME." + body>
//             keyed by the secret in the env var `secret_env`;
//  - syslog:  one RFC 5424 message per event (json or cef) over udp, tcp or tls;
//  - email:   one plain-text digest per delivery run listing all of the sink's events;
//  - exec:    runs argv (no shell) once per event with it on stdin.
// Exposure payloads carry exactly the fields of `history --format json`
// (store/exposure_json.h): the redacted hint, never an identifier or a password. The
// dispatcher (alerts/dispatcher.cc) decides what events a sink gets: exposures,
// bulk_exposure for a document over the bulk_threshold, exposure_summary for exposures
// folded by renotify.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alerts/format.h"
#include "alerts/transport.h"
#include "base/clock.h"
#include "base/config.h"

namespace lw {

enum class DeliveryState { kDelivered, kRetry, kFailed };  // kFailed: permanent, not retried

struct Delivery {
  DeliveryState state = DeliveryState::kRetry;
  std::string error;
};

struct AlertTransports {
  HttpClient* http = nullptr;
  MailClient* mail = nullptr;
  SyslogClient* syslog = nullptr;
  CommandRunner* exec = nullptr;
  // Reads secrets and credentials named by the config (getenv in production).
  std::function<std::string(const std::string& name)> env;
  // Time for signatures, syslog timestamps and mail dates; nullptr: the system clock
  // (Dispatcher::Make fills in its own).
  const Clock* clock = nullptr;
  std::string hostname;  // this host as receivers should see it ("" when unknown)
};

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  const AlertConfig& config() const { return config_; }
  // Whether the sink's filters (min_severity, watchlists) let this exposure through.
  bool Wants(const nlohmann::json& exposure) const;
  // Delivers a batch of events; returns one Delivery per event, in order.
  virtual std::vector<Delivery> Deliver(const std::vector<nlohmann::json>& events) = 0;

 protected:
  AlertSink(AlertConfig config, std::unique_ptr<PayloadFormat> format, const AlertTransports& transports);
  RenderContext Context() const;
  UnixSeconds Now() const;
  AlertConfig config_;
  std::unique_ptr<PayloadFormat> format_;  // nullptr for kinds without formats (email)
  AlertTransports t_;
};

// Validates `config` against the kind table and builds the sink; kConfig errors name
// the sink and its line.
Result<std::unique_ptr<AlertSink>> MakeSink(const AlertConfig& config, const AlertTransports& transports);

// The hex HMAC-SHA-256 of "UNIXTIME." + body under `secret`.
std::string WebhookSignature(const std::string& secret, UnixSeconds timestamp, const std::string& body);
// The X-Leakwatch-Signature header value: "t=UNIXTIME,v1=HEX".
std::string WebhookSignatureHeader(const std::string& secret, UnixSeconds timestamp, const std::string& body);

}  // namespace lw
