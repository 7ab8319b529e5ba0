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

namespace {

// Printable ASCII only: what nlohmann writes as it is, but for '"' and '\\', escaped.
bool Plain(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

void AppendString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendStrings(const std::vector<std::string>& v, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out->push_back(',');
    AppendString(v[i], out);
  }
  out->push_back(']');
}

}  // namespace

void AppendExposureJson(const Exposure& e, std::string* out) {
  bool plain = Plain(e.id) && Plain(e.hint) && Plain(e.source) && Plain(e.location) && Plain(e.severity) &&
               Plain(e.match);
  for (const std::string& w : e.watchlists) plain = plain && Plain(w);
  for (const std::string& l : e.labels) plain = plain && Plain(l);
  if (!plain) {
    *out += ExposureJson(e).dump();
    return;
  }
  // In nlohmann's (std::map) key order.
  out->append("{\"first_seen\":");
  AppendString(FormatRfc3339(e.first_seen), out);
  out->append(",\"hint\":");
  AppendString(e.hint, out);
  out->append(",\"id\":");
  AppendString(e.id, out);
  out->append(",\"identifier_hash\":\"").append(ToHex(e.identifier)).append("\",\"kind\":");
  AppendString(KindName(e.kind), out);
  out->append(",\"labels\":");
  AppendStrings(e.labels, out);
  out->append(",\"last_seen\":");
  AppendString(FormatRfc3339(e.last_seen), out);
  out->append(",\"location\":");
  AppendString(e.location, out);
  out->append(",\"match\":");
  AppendString(e.match, out);
  if (e.retro) out->append(",\"retro\":true");
  out->append(",\"severity\":");
  AppendString(e.severity, out);
  out->append(",\"source\":");
  AppendString(e.source, out);
  out->append(",\"watchlists\":");
  AppendStrings(e.watchlists, out);
  out->push_back('}');
}

}  // namespace lw
