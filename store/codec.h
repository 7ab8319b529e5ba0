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

std::string EncodeExposure(const Exposure& e);
Result<Exposure> DecodeExposure(std::string_view value);

std::string TimeKey(UnixSeconds t, std::string_view id);

inline std::string_view AsView(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace lw::store_internal
