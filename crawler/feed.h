// RSS 2.0, RSS 1.0 (RDF) and Atom feeds: their entries, as text, with libxml2.
//
// The bytes come from hostile servers. The parser never touches the network or the file
// system (XML_PARSE_NONET, no DTD loading, no entity substitution), refuses any feed that
// declares entities (entity expansion, "billion laughs"; external entities such as
// SYSTEM "file:///etc/passwd"), and stops at libxml2's nesting limit (256 levels); its
// memory is bounded by a small multiple of the body, itself cut at max_body by the
// fetcher. Thread-safe: no shared state besides libxml2's one-time initialization.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace lw {

struct FeedEntry {
  std::string key;   // guid (RSS 2.0), id (Atom), rdf:about (RSS 1.0), else the link, else a digest
  std::string link;  // absolute http(s) URL of the entry; "" when it has none
  std::string text;  // title, then the description/summary/content as visible text (UTF-8)
};

struct FeedLimits {
  size_t max_entries = 10000;  // entries beyond are ignored
};

// Parses a feed. `content_type` supplies a charset when the XML declares none; the XML
// declaration's encoding wins otherwise (GB2312 and GBK are read as GB18030, their
// superset, since feeds labelled GB2312 routinely hold GBK characters). Escaped,
// double-escaped and CDATA HTML in descriptions and content becomes visible text through
// Gumbo. Links are resolved against xml:base or `feed_url`.
// Errors (kInvalidArgument) name the problem and, for malformed XML, the line.
Result<std::vector<FeedEntry>> ParseFeed(std::string_view body, std::string_view content_type,
                                         std::string_view feed_url, const FeedLimits& limits = {});

}  // namespace lw
