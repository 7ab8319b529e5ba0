// Alert sinks: where new exposures go. Built from [[alert]] tables (base/config.h).
//  - jsonl:   one JSON object per exposure appended to a file, or stdout with path "-";
//  - webhook: one POST per exposure, JSON (or Slack-style {"text"} with format "slack"),
//             signed with X-Leakwatch-Signature: sha256=<hex HMAC-SHA-256 of the body>
//             keyed by the secret in the env var `secret_env`;
//  - email:   one plain-text digest per delivery run listing all of the sink's exposures;
//  - exec:    runs argv (no shell) once per exposure with its JSON on stdin.
// Payloads carry exactly the fields of `history --format json` (store/exposure_json.h):
// the redacted hint, never an identifier or a password. A document with more new
// exposures for a sink than its bulk_threshold gets one bulk_exposure event instead
// (alerts/dispatcher.cc).
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "alerts/transport.h"
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
  CommandRunner* exec = nullptr;
  // Reads secrets and credentials named by the config (getenv in production).
  std::function<std::string(const std::string& name)> env;
};

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  const AlertConfig& config() const { return config_; }
  // Whether the sink's filters (min_severity, watchlists) let this exposure through.
  bool Wants(const nlohmann::json& exposure) const;
  // Delivers a batch; returns one Delivery per exposure, in order.
  virtual std::vector<Delivery> Deliver(const std::vector<nlohmann::json>& exposures) = 0;

 protected:
  explicit AlertSink(AlertConfig config) : config_(std::move(config)) {}
  AlertConfig config_;
};

Result<std::unique_ptr<AlertSink>> MakeSink(const AlertConfig& config, const AlertTransports& transports);

// The hex HMAC-SHA-256 a webhook receiver checks: X-Leakwatch-Signature: sha256=<this>.
std::string WebhookSignature(const std::string& secret, const std::string& body);

}  // namespace lw
