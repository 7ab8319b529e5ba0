// Whether a fetched index page shows that the source is blind: an HTTP status that means
// "not you" (401, 403, 429, 503) or a body that is a challenge, captcha or login page
// instead of the listing, feed or channel that was expected. Signatures are a table in
// blocked.cc. Thread-safe.
#pragma once

#include <string>

#include "crawler/fetcher.h"

namespace lw {

// "" when nothing says the source is blocked; else why ("HTTP 403", "a Cloudflare
// challenge page", "a login page"). `expected_entries_missing`: the kind found no entries
// on the page, where a login form then means a login wall (a login form beside the
// entries is only a sidebar).
std::string BlockedReason(const FetchResult& result, bool expected_entries_missing);

}  // namespace lw
