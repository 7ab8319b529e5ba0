#include "store/exposure_json.h"

#include "base/units.h"

namespace lw {

nlohmann::json ExposureJson(const Exposure& e) {
  return nlohmann::json{{"id", e.id},
                        {"watchlists", e.watchlists},
                        {"labels", e.labels},
                        {"kind", KindName(e.kind)},
                        {"hint", e.hint},
                        {"source", e.source},
                        {"location", e.location},
                        {"first_seen", FormatRfc3339(e.first_seen)},
                        {"last_seen", FormatRfc3339(e.last_seen)},
                        {"severity", e.severity},
                        {"match", e.match},
                        {"identifier_hash", ToHex(e.identifier)}};
}

}  // namespace lw
