// slack: {"text": "leakwatch: <one readable line>"} for Slack-style incoming webhooks.
#include "alerts/format.h"

namespace lw {
namespace {

class SlackFormat final : public PayloadFormat {
 public:
  const char* name() const override { return "slack"; }
  const char* content_type() const override { return "application/json"; }
  std::string Render(const nlohmann::json& event, const RenderContext&) const override {
    return nlohmann::json{{"text", "leakwatch: " + DescribeEvent(event)}}.dump();
  }
};

}  // namespace

std::unique_ptr<PayloadFormat> NewSlackFormat() { return std::make_unique<SlackFormat>(); }

}  // namespace lw
