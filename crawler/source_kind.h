// Source kinds: what one kind of [[source]] fetches first, how it reads a fetched index
// page (into item URLs to fetch, documents it already holds, and further index pages),
// the state it keeps between runs, and which configuration keys it needs.
//
// Each kind lives in its own file (source_listing.cc, source_json.cc, source_page.cc,
// source_feed.cc, source_telegram.cc) and is listed once, in source_kind.cc's table.
// crawler/crawl.cc drives any kind through this interface: scheduling, politeness,
// deadlines, conditional GET, item markers, document markers and the document sink are
// its business, never a kind's.
//
// Internal to the crawler library except CheckSources, which the CLI calls after
// loading the configuration.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/config.h"
#include "base/status.h"
#include "crawler/fetcher.h"

namespace lw {

// A document an index page holds itself (a channel message, a feed entry, a page).
struct InlineDocument {
  // Its identity within the source ("NAME/ID" for a message, the guid of an entry).
  // The crawl hands a keyed document on when it is new or its text changed, and
  // remembers a digest of the text. Empty: handed on every time it is yielded.
  std::string key;
  std::string location;  // recorded with its exposures: a URL
  std::string text;      // UTF-8, what the matcher sees
};

// What a kind made of one fetched index page.
struct IndexYield {
  std::vector<std::string> items;       // item URLs (absolute, http(s)), fetched once ever
  std::vector<InlineDocument> documents;
  std::vector<std::string> next_pages;  // index pages to fetch this run (max_pages applies)
  int entries = 0;  // the items/messages/entries the page listed, new or not (health)
};

// A fetched index page as a kind sees it. REQUIRES: a 2xx response with its body.
struct IndexPage {
  const std::string& url;         // as requested
  const std::string& base;        // the URL after redirects: what relative links resolve against
  const FetchResult& result;
  const std::string& previous_sha256;  // of this URL's body when last read in full ("": never)
  const std::string& sha256;           // of this body
};

// One source during one run. Not thread-safe; used from the crawl's thread.
class SourceReader {
 public:
  virtual ~SourceReader() = default;
  // The index pages fetched first.
  virtual std::vector<std::string> FirstUrls() = 0;
  // Reads one fetched index page. An error is the source's (a malformed feed, a page that
  // is not HTML): reported for the source, the run goes on with the others.
  virtual Status Read(const IndexPage& page, IndexYield* out) = 0;
  // The state to keep for the next run (a cursor), saved only after a run that handed on
  // everything it found. "" keeps nothing.
  virtual std::string SaveState() const { return ""; }
};

// A configuration problem: the key at fault ("" for the source itself) and why.
struct SourceProblem {
  std::string key;
  std::string why;
};

class SourceKind {
 public:
  virtual ~SourceKind() = default;
  virtual std::string_view name() const = 0;
  // The kind's keys: what it needs, what it cannot use. nullopt: fine.
  virtual std::optional<SourceProblem> Check(const SourceConfig& source) const = 0;
  // A reader for one run; `saved_state` is what SaveState() returned after the last
  // complete run ("" on the first). REQUIRES: Check(source) found nothing.
  virtual Result<std::unique_ptr<SourceReader>> Start(const SourceConfig& source,
                                                     std::string_view saved_state) const = 0;
};

// The kind called `name`, or null.
const SourceKind* FindSourceKind(std::string_view name);
// "listing, json, page, feed or telegram", for messages.
std::string SourceKindNames();

// Checks every [[source]] of `config` against its kind. Error::Code::kConfig naming the
// file, line and key: "config.toml:12: source.channel: a telegram source needs a channel".
Status CheckSources(const Config& config);

// item_pattern / item_url of a source, compiled once: which links are items, rewritten.
class ItemFilter {
 public:
  // kConfig when the pattern or rewrite is bad.
  static Result<ItemFilter> Make(const SourceConfig& source);
  // `ref` resolved against `base`, without fragment, when it is an http(s) URL that the
  // pattern matches (any, without a pattern), rewritten by item_url.
  std::optional<std::string> Apply(std::string_view base, std::string_view ref) const;
  bool has_pattern() const { return pattern_ != nullptr; }

 private:
  std::shared_ptr<const RE2> pattern_;
  std::string item_url_;
};

// Shared by the kinds.
std::string Sha256Hex(std::string_view data);
// The text the matcher sees of a fetched body: UTF-8, and the visible text when HTML.
Result<std::string> DocumentText(const FetchResult& r);
// A fetched index page's HTML in UTF-8, or an error when it is not HTML.
Result<std::string> HtmlPage(const FetchResult& r);

// The kinds, one per file; each defines its SourceKind.
const SourceKind& ListingKind();
const SourceKind& JsonKind();
const SourceKind& PageKind();
const SourceKind& FeedKind();
const SourceKind& TelegramKind();

}  // namespace lw
