// webhook: one HTTP POST per event. 2xx delivered; 4xx other than 408/429 a permanent
// failure; anything else retried.
#include "alerts/sink_kinds.h"

namespace lw {
namespace {

class WebhookSink final : public AlertSink {
 public:
  WebhookSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t)
      : AlertSink(std::move(c), std::move(f), t) {}
  std::vector<Delivery> Deliver(const std::vector<nlohmann::json>& events) override {
    std::vector<Delivery> out;
    auto missing = [&](const std::string& var) {
      return std::vector<Delivery>(events.size(), {DeliveryState::kRetry, "environment variable " + var + " is not set"});
    };
    std::string secret, token;
    if (!config_.secret_env.empty() && (secret = t_.env(config_.secret_env)).empty()) return missing(config_.secret_env);
    if (!config_.token_env.empty() && (token = t_.env(config_.token_env)).empty()) return missing(config_.token_env);
    RenderContext context = Context();
    for (const nlohmann::json& e : events) {
      std::string body = format_->Render(e, context);
      std::map<std::string, std::string> headers{{"Content-Type", format_->content_type()}};
      if (!secret.empty()) headers["X-Leakwatch-Signature"] = WebhookSignatureHeader(secret, Now(), body);
      // Splunk's HEC takes "Splunk <token>", Elasticsearch an API key.
      if (!token.empty())
        headers["Authorization"] = (std::string(format_->name()) == "splunk_hec" ? "Splunk " : "ApiKey ") + token;
      HttpResponse r = t_.http->Post(config_.url, body, headers, config_.timeout_ms);
      if (r.status == 0) {
        out.push_back({DeliveryState::kRetry, r.error});
      } else if (r.status >= 200 && r.status < 300) {
        out.push_back({DeliveryState::kDelivered, ""});
      } else if (r.status >= 400 && r.status < 500 && r.status != 408 && r.status != 429) {
        out.push_back({DeliveryState::kFailed, "HTTP " + std::to_string(r.status)});
      } else {
        out.push_back({DeliveryState::kRetry, "HTTP " + std::to_string(r.status)});
      }
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<AlertSink> NewWebhookSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t) {
  return std::make_unique<WebhookSink>(std::move(c), std::move(f), t);
}

}  // namespace lw
