// exec: runs the configured argv (no shell) once per event, the rendered event on stdin.
#include "alerts/sink_kinds.h"

namespace lw {
namespace {

class ExecSink final : public AlertSink {
 public:
  ExecSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t)
      : AlertSink(std::move(c), std::move(f), t) {}
  std::vector<Delivery> Deliver(const std::vector<nlohmann::json>& events) override {
    std::vector<Delivery> out;
    RenderContext context = Context();
    for (const nlohmann::json& e : events) {
      auto rc = t_.exec->Run(config_.command, format_->Render(e, context) + "\n", config_.timeout_ms);
      if (!rc) out.push_back({DeliveryState::kRetry, rc.error().message});
      else if (*rc != 0) out.push_back({DeliveryState::kRetry, config_.command[0] + " exited with " + std::to_string(*rc)});
      else out.push_back({DeliveryState::kDelivered, ""});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<AlertSink> NewExecSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t) {
  return std::make_unique<ExecSink>(std::move(c), std::move(f), t);
}

}  // namespace lw
