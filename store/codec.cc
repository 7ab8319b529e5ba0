#include "store/codec.h"

#include <algorithm>
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

namespace {

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

// Reads the compact form front to back; any overrun marks it bad.
struct Reader {
  std::string_view in;
  bool bad = false;
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
      uint8_t b = static_cast<uint8_t>(in[0]);
      in.remove_prefix(1);
      v |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return v;
    }
    bad = true;
    return 0;
  }
  std::string_view Bytes(uint64_t n) {
    if (n > in.size()) {
      bad = true;
      return {};
    }
    std::string_view s = in.substr(0, n);
    in.remove_prefix(n);
    return s;
  }
  std::string_view String() { return Bytes(Varint()); }
};

// Set on the kind byte of an exposure a retro-hunt found (Exposure::retro).
constexpr uint8_t kRetroBit = 0x80;

// Severity and match names as one byte each; 0 stands for a name spelled out after it.
constexpr std::string_view kSeverities[] = {"", "exposure", "credential"};
constexpr std::string_view kMatches[] = {"", "exact", "alias", "obfuscated", "encoded", "hashed"};
template <size_t N>
void PutName(std::string* out, const std::string_view (&table)[N], std::string_view name) {
  for (size_t i = 1; i < N; ++i)
    if (table[i] == name) {
      out->push_back(static_cast<char>(i));
      return;
    }
  out->push_back(0);
  PutString(out, name);
}
template <size_t N>
std::string GetName(Reader& r, const std::string_view (&table)[N]) {
  std::string_view b = r.Bytes(1);
  if (r.bad) return {};
  const uint8_t code = static_cast<uint8_t>(b[0]);
  if (code == 0) return std::string(r.String());
  if (code >= N) r.bad = true;
  return code < N ? std::string(table[code]) : std::string();
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

void EncodeCompactExposureInto(std::string* out, const Exposure& e) {
  out->clear();
  out->push_back(kCompactExposureTag);
  out->append(AsView(e.identifier));
  out->push_back(static_cast<char>(static_cast<uint8_t>(e.kind) | (e.retro ? kRetroBit : 0)));  // retro: a retro-hunt's
  PutName(out, kSeverities, e.severity);
  PutName(out, kMatches, e.match);
  PutVarint(out, static_cast<uint64_t>(e.first_seen));
  PutVarint(out, static_cast<uint64_t>(e.last_seen - e.first_seen));
  // A 64-character digest as its 32 bytes (form 1), anything else as written (form 0).
  if (e.content_digest.size() == 64 && IsLowerHex(e.content_digest)) {
    out->push_back(1);
    for (size_t i = 0; i < 64; i += 2) {
      auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
      out->push_back(static_cast<char>(nibble(e.content_digest[i]) << 4 | nibble(e.content_digest[i + 1])));
    }
  } else {
    out->push_back(0);
    PutString(out, e.content_digest);
  }
  PutString(out, e.hint);
  PutString(out, e.source);
  PutString(out, e.location);
  PutVarint(out, e.watchlists.size());
  for (const std::string& w : e.watchlists) PutString(out, w);
  PutVarint(out, e.labels.size());
  for (const std::string& l : e.labels) PutString(out, l);
}

Result<Exposure> DecodeExposure(std::string_view id, std::string_view value) {
  if (value.empty() || value[0] != kCompactExposureTag) return DecodeExposure(value);
  Reader r{value.substr(1)};
  Exposure e;
  e.id.assign(id);
  std::string_view digest = r.Bytes(32);
  if (!r.bad) std::memcpy(e.identifier.data(), digest.data(), 32);
  std::string_view kind = r.Bytes(1);
  const uint8_t kind_byte = r.bad ? 0 : static_cast<uint8_t>(kind[0]);
  const uint8_t k = kind_byte & ~kRetroBit;
  if (!r.bad && k != 1 && k != 2) r.bad = true;
  if (!r.bad) {
    e.kind = static_cast<IdKind>(k);
    e.retro = (kind_byte & kRetroBit) != 0;
  }
  e.severity = GetName(r, kSeverities);
  e.match = GetName(r, kMatches);
  e.first_seen = static_cast<UnixSeconds>(r.Varint());
  e.last_seen = e.first_seen + static_cast<UnixSeconds>(r.Varint());
  std::string_view form = r.Bytes(1);
  if (!r.bad && form[0] == 1) {
    std::string_view raw = r.Bytes(32);
    if (!r.bad) e.content_digest = ToHex(reinterpret_cast<const uint8_t*>(raw.data()), 32);
  } else if (!r.bad) {
    e.content_digest.assign(r.String());
  }
  e.hint.assign(r.String());
  e.source.assign(r.String());
  e.location.assign(r.String());
  for (uint64_t n = r.Varint(); n > 0 && !r.bad; --n) e.watchlists.emplace_back(r.String());
  for (uint64_t n = r.Varint(); n > 0 && !r.bad; --n) e.labels.emplace_back(r.String());
  if (r.bad || !r.in.empty()) return Fail(Error::Corruption("bad exposure record " + std::string(id)));
  return e;
}

std::string EncodeExposureCounts(const ExposureCounts& c) {
  return json{{"total", c.total}, {"by_source", c.by_source}, {"by_day", c.by_day}, {"by_severity", c.by_severity}}
      .dump();
}

Result<ExposureCounts> DecodeExposureCounts(std::string_view value) {
  json j = json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Fail(Error::Corruption("bad exposure counters"));
  try {
    ExposureCounts c;
    c.total = j.at("total").get<uint64_t>();
    c.by_source = j.at("by_source").get<std::map<std::string, uint64_t>>();
    c.by_day = j.at("by_day").get<std::map<std::string, uint64_t>>();
    c.by_severity = j.at("by_severity").get<std::map<std::string, uint64_t>>();
    return c;
  } catch (const json::exception& ex) {
    return Fail(Error::Corruption(std::string("bad exposure counters: ") + ex.what()));
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
