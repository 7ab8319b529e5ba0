// The Public Suffix List, as the rule for where an email's domain may end.
//
// A domain is taken as an address's domain only when its top-level label is a suffix
// the Public Suffix List knows (ICANN or private section, without the list's "*"
// default rule): "icloud.com", "example.xn--fiqs8s" and "mail.co.uk" pass, "host.local",
// "b.notatld" and "lan" do not. The list is read through libpsl from the Debian
// `publicsuffix` package's file when present, else libpsl's built-in copy.
//
// Thread-safety: every function is safe to call from many threads at once.
#pragma once

#include <string_view>

namespace lw {

// True when `label` (one lower-case ASCII label: letters, digits, '-'; punycode for an
// IDN) is a top-level domain of the Public Suffix List. Answers are cached per thread,
// so the hot path costs a few nanoseconds for the few labels real text holds.
bool IsPublicTld(std::string_view label);

// IsPublicTld of the last label of `domain`, which may also be a whole address
// ("a@mail.co.uk": "uk").
inline bool EndsInPublicTld(std::string_view domain) { return IsPublicTld(domain.substr(domain.rfind('.') + 1)); }

// The file the list was read from, or "built-in" (for `leakwatch --version`-style
// diagnostics and the README's rule).
std::string_view PublicSuffixSource();

}  // namespace lw
