// Mail providers whose several spellings of an address reach one mailbox: the table that
// enrollment, the matcher and `history` share (rules as data; providers.cc holds the rows,
// each with the page where the provider documents it).
//
// A row says which domains are one account (Apple's icloud.com, me.com and mac.com;
// Google's gmail.com and googlemail.com; Proton's proton.me, protonmail.com, pm.me and
// protonmail.ch) or each their own (Microsoft's outlook.com, hotmail.com, live.com,
// msn.com and their national forms; Yahoo's; Fastmail's), which character starts a
// sub-address tag ('+', or '-' for Yahoo), and whether dots in the local part are ignored
// (Google). A domain outside the table gets no rule: `x+y@corp.example` may be another
// person than `x@corp.example`.
//
// Every spelling reduces to one account key (AccountKey), itself an address: the local
// part without its tag (and without dots for Google) at the account's first domain.
// Enrollment stores the key of an address whose key differs from it; the matcher looks
// up the key of every address it finds in a table domain, so a leaked
// `zhang.wei+x@googlemail.com` reaches a watched `zhangwei@gmail.com`.
//
// Thread-safety: everything here is immutable; all functions may be called from many
// threads at once.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lw {

struct Provider {
  std::string_view name;                      // "Apple"
  std::span<const std::string_view> domains;  // lower-case ASCII
  // true: every domain is one account, named by the first (x@me.com is x@icloud.com);
  // false: each domain its own (x@hotmail.com is not x@outlook.com).
  bool one_account = false;
  // The local part from this character on is a sub-address tag ("li+shop" is "li"); 0: none.
  char tag_separator = 0;
  bool dots_ignored = false;  // "zhang.wei" is "zhangwei" (Google)
  std::string_view source;    // where the provider documents the rules
};

// Every row of the table.
std::span<const Provider> Providers();

// The row that holds `domain` (lower-case ASCII), or null. A few nanoseconds: the
// matcher asks it for every address it finds.
const Provider* FindProvider(std::string_view domain);

// The account key of a normalized email: for a domain in the table, the local part cut at
// the tag separator (when something is left before it), without dots where they are
// ignored, at the account's first domain ("Zhang.Wei+x@googlemail.com" normalized:
// "zhangwei@gmail.com"). Writes it to `out` (room for kAccountKeyRoom bytes) and returns
// its length, or 0 when the key is the email itself (a domain outside the table, an
// address already in its key's spelling, or one longer than 254 bytes, which is no
// address). Allocates nothing.
inline constexpr size_t kAccountKeyRoom = 256 + 64;
size_t AccountKeyInto(std::string_view email, char* out);
// The same as a string: the email itself when no rule applies.
std::string AccountKey(std::string_view email);

// The spellings of a watched email whose lower-case hex MD5, SHA-1 and SHA-256 a leak is
// likely to list, without repeats: `as_written` (trimmed) and lower-cased, when given;
// the normalized `email`; its local part at each other domain of a one-account provider;
// and for a provider that ignores dots, the dotless local part at each of its domains.
// Tags cannot be enumerated: a hashed `x+tag@gmail.com` matches only when that exact
// spelling was enrolled.
std::vector<std::string> HashedSpellings(std::string_view email, std::string_view as_written = {});

}  // namespace lw
