// The public JSON form of an exposure: `history --format json`, `exposures`, and every
// alert payload carry exactly these fields. Never a plaintext identifier or a password.
#pragma once

#include <nlohmann/json.hpp>

#include "store/records.h"

namespace lw {

// {"id","watchlists","labels","kind","hint","source","location","first_seen",
//  "last_seen","severity","match","identifier_hash"}, and "retro": true for an exposure
// a retro-hunt found at enrollment; times in RFC 3339 UTC.
nlohmann::json ExposureJson(const Exposure& e);
// ExposureJson(e).dump() appended to *out, byte for byte, without building the object
// (listings print a million of them): its keys sorted, no spaces. Strings of printable
// ASCII are written here; any other byte sends the exposure through ExposureJson.
void AppendExposureJson(const Exposure& e, std::string* out);

}  // namespace lw
