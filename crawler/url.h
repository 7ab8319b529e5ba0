// URLs for the crawler: resolving links against a page, a host key for per-host
// bookkeeping, and the item_url rewrite of a [[source]].
//
// Resolution follows libcurl's URL API (CURLU), the same parser the fetcher uses, so a
// URL we build is a URL curl will fetch.
#pragma once

#include <re2/re2.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace lw {

// Resolves `ref` (absolute, scheme-relative, absolute-path or relative) against the
// absolute URL `base`. Leading and trailing whitespace of `ref` and tabs or newlines
// inside it are dropped (as browsers do); other unsafe bytes are percent-encoded.
// Fails (kInvalidArgument) on a bad base, a bad ref or a scheme curl does not know
// (mailto:, javascript:, ...). The fragment is kept; see StripFragment.
Result<std::string> ResolveUrl(std::string_view base, std::string_view ref);

// `url` without its "#fragment" (unchanged when it has none).
std::string StripFragment(std::string_view url);

// The lower-case scheme of an absolute URL ("" when it is not one).
std::string UrlScheme(std::string_view url);

// "host" or "host:port" (only when the port is not the scheme's default), lower case;
// "" when `url` does not parse. Two URLs with the same key are served by the same origin
// server as far as politeness limits are concerned.
std::string HostKey(std::string_view url);

// item_url rewriting. When `pattern` matches `url` (unanchored, as RE2::PartialMatch),
// returns `item_url` with \0 (the whole match) and \1..\9 (capture groups) substituted,
// or `url` itself when `item_url` is empty; nullopt when it does not match.
// REQUIRES: pattern.ok() and CheckItemUrl(pattern, item_url).ok().
std::optional<std::string> MatchItemUrl(const RE2& pattern, std::string_view item_url, std::string_view url);

// Checks that `item_url` only refers to groups `pattern` has and has no stray
// backslashes (kConfig with RE2's explanation otherwise).
Status CheckItemUrl(const RE2& pattern, std::string_view item_url);

}  // namespace lw
