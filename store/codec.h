// Internal to store/: encodings of keys and values. See store/layout.md.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "store/records.h"

namespace lw::store_internal {

std::string WatchKey(const Digest& digest, std::string_view watchlist);
// `probe` 0 writes the schema-1 form (no probe).
std::string WatchValue(IdKind kind, std::string_view label, uint64_t probe);
Result<WatchEntry> DecodeWatch(std::string_view key, std::string_view value);

std::string VariantValue(const Digest& primary, VariantType type, uint64_t probe);
// The same into *out, reusing its capacity (bulk enrollment writes millions).
void VariantValueInto(std::string* out, const Digest& primary, VariantType type, uint64_t probe);
Result<VariantRecord> DecodeVariant(std::string_view key, std::string_view value);

std::string EncodeWatchlist(const WatchlistInfo& info);
Result<WatchlistInfo> DecodeWatchlist(std::string_view name, std::string_view value);

// Exposure values. Schemas 1 to 3: a JSON object that holds the id too. Schema 4: the
// compact binary form (store/layout.md), which starts with kCompactExposureTag (a JSON
// value starts with '{') and leaves the id to the key.
std::string EncodeExposure(const Exposure& e);
inline constexpr char kCompactExposureTag = 0x04;
void EncodeCompactExposureInto(std::string* out, const Exposure& e);
// Either form; `id` (the key) fills Exposure::id for the compact one.
Result<Exposure> DecodeExposure(std::string_view id, std::string_view value);
Result<Exposure> DecodeExposure(std::string_view value);  // JSON only (the id is inside)

// The exposure counters kept in `meta` (schema 4; store/layout.md).
std::string EncodeExposureCounts(const ExposureCounts& c);
Result<ExposureCounts> DecodeExposureCounts(std::string_view value);

std::string TimeKey(UnixSeconds t, std::string_view id);

inline std::string_view AsView(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace lw::store_internal
