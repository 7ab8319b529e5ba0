// json: the event itself, compact, one object.
#include "alerts/format.h"

namespace lw {
namespace {

class JsonFormat final : public PayloadFormat {
 public:
  const char* name() const override { return "json"; }
  const char* content_type() const override { return "application/json"; }
  std::string Render(const nlohmann::json& event, const RenderContext&) const override { return event.dump(); }
};

}  // namespace

std::unique_ptr<PayloadFormat> NewJsonFormat() { return std::make_unique<JsonFormat>(); }

}  // namespace lw
