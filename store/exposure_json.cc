#include "store/exposure_json.h"

#include "base/units.h"

namespace lw {

nlohmann::json ExposureJson(const Exposure& e) {
  nlohmann::json j{{"id", e.id},
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
  if (e.retro) j["retro"] = true;  // found at enrollment in a document read before
  return j;
}

}  // namespace lw
