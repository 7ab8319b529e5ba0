#include "store/codec.h"

#include <cstring>
#include <nlohmann/json.hpp>

namespace lw::store_internal {

using nlohmann::json;

std::string WatchKey(const Digest& digest, std::string_view watchlist) {
  std::string key(AsView(digest));
  key.append(watchlist);
  return key;
}

namespace {

// The flag on a watch value's kind byte that says a probe follows it.
constexpr char kHasProbe = static_cast<char>(0x80);

void AppendLittle64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
uint64_t LoadLittle64(std::string_view s) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(s[i]);
  return v;
}

}  // namespace

std::string WatchValue(IdKind kind, std::string_view label, uint64_t probe) {
  std::string v(1, static_cast<char>(kind));
  if (probe != 0) {
    v[0] |= kHasProbe;
    AppendLittle64(&v, probe);
  }
  v.append(label);
  return v;
}

Result<WatchEntry> DecodeWatch(std::string_view key, std::string_view value) {
  if (key.size() <= 32 || value.empty()) return Fail(Error::Corruption("bad watch entry"));
  char kind = static_cast<char>(value[0] & ~kHasProbe);
  bool has_probe = (value[0] & kHasProbe) != 0;
  if ((kind != 1 && kind != 2) || (has_probe && value.size() < 9)) return Fail(Error::Corruption("bad watch entry"));
  WatchEntry e;
  std::memcpy(e.digest.data(), key.data(), 32);
  e.watchlist.assign(key.substr(32));
  e.kind = static_cast<IdKind>(kind);
  if (has_probe) e.probe = LoadLittle64(value.substr(1, 8));
  e.label.assign(value.substr(has_probe ? 9 : 1));
  return e;
}

void VariantValueInto(std::string* out, const Digest& primary, VariantType type, uint64_t probe) {
  out->assign(AsView(primary));
  out->push_back(static_cast<char>(type));
  if (probe != 0) AppendLittle64(out, probe);
}

std::string VariantValue(const Digest& primary, VariantType type, uint64_t probe) {
  std::string v;
  VariantValueInto(&v, primary, type, probe);
  return v;
}

Result<VariantRecord> DecodeVariant(std::string_view key, std::string_view value) {
  if (key.size() != 32 || (value.size() != 33 && value.size() != 41) || value[32] < 1 || value[32] > 4)
    return Fail(Error::Corruption("bad variant entry"));
  VariantRecord r;
  std::memcpy(r.variant.data(), key.data(), 32);
  std::memcpy(r.primary.data(), value.data(), 32);
  r.type = static_cast<VariantType>(value[32]);
  if (value.size() == 41) r.probe = LoadLittle64(value.substr(33, 8));
  return r;
}

std::string EncodeWatchlist(const WatchlistInfo& info) {
  return json{{"size", info.size}, {"created", info.created}, {"last_exposure", info.last_exposure}}.dump();
}

Result<WatchlistInfo> DecodeWatchlist(std::string_view name, std::string_view value) {
  json j = json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Fail(Error::Corruption("bad watchlist record " + std::string(name)));
  WatchlistInfo info;
  info.name.assign(name);
  info.size = j.value("size", uint64_t{0});
  info.created = j.value("created", int64_t{0});
  info.last_exposure = j.value("last_exposure", int64_t{0});
  return info;
}

std::string EncodeExposure(const Exposure& e) {
  json j{{"id", e.id},
         {"identifier", ToHex(e.identifier)},
         {"watchlists", e.watchlists},
         {"labels", e.labels},
         {"kind", KindName(e.kind)},
         {"hint", e.hint},
         {"source", e.source},
         {"location", e.location},
         {"content", e.content_digest},
         {"first_seen", e.first_seen},
         {"last_seen", e.last_seen},
         {"severity", e.severity},
         {"match", e.match}};
  if (e.retro) j["retro"] = true;
  return j.dump();
}

Result<Exposure> DecodeExposure(std::string_view value) {
  json j = json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Fail(Error::Corruption("bad exposure record"));
  try {
    Exposure e;
    e.id = j.at("id").get<std::string>();
    auto digest = DigestFromHex(j.at("identifier").get<std::string>());
    if (!digest) return Fail(Error::Corruption("bad exposure identifier"));
    e.identifier = *digest;
    e.watchlists = j.at("watchlists").get<std::vector<std::string>>();
    e.labels = j.at("labels").get<std::vector<std::string>>();
    e.kind = j.at("kind").get<std::string>() == "phone" ? IdKind::kPhone : IdKind::kEmail;
    e.hint = j.at("hint").get<std::string>();
    e.source = j.at("source").get<std::string>();
    e.location = j.at("location").get<std::string>();
    e.content_digest = j.at("content").get<std::string>();
    e.first_seen = j.at("first_seen").get<int64_t>();
    e.last_seen = j.at("last_seen").get<int64_t>();
    e.severity = j.at("severity").get<std::string>();
    e.match = j.at("match").get<std::string>();
    e.retro = j.value("retro", false);
    return e;
  } catch (const json::exception& ex) {
    return Fail(Error::Corruption(std::string("bad exposure record: ") + ex.what()));
  }
}

std::string TimeKey(UnixSeconds t, std::string_view id) {
  std::string key(8, '\0');
  uint64_t u = static_cast<uint64_t>(t);
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  key.append(id);
  return key;
}

}  // namespace lw::store_internal
