// kind = "feed": an RSS 2.0, RSS 1.0 (RDF) or Atom feed at `url`; each entry is one
// document (title and content, keyed by guid/id/link, located at its link), or with
// `fetch_items = true` each entry's link is an item to fetch (item_pattern/item_url apply).
#include "crawler/feed.h"
#include "crawler/source_kind.h"

namespace lw {
namespace {

class FeedReader final : public SourceReader {
 public:
  FeedReader(const SourceConfig& source, ItemFilter items) : source_(source), items_(std::move(items)) {}

  std::vector<std::string> FirstUrls() override { return {source_.url}; }

  Status Read(const IndexPage& page, IndexYield* out) override {
    auto entries = ParseFeed(page.result.body, page.result.content_type, page.base);
    if (!entries) return Fail(entries.error());
    out->entries = static_cast<int>(entries->size());
    for (FeedEntry& e : *entries) {
      if (source_.fetch_items) {
        if (e.link.empty()) continue;
        if (auto item = items_.Apply(page.base, e.link)) out->items.push_back(std::move(*item));
        continue;
      }
      std::string location = e.link.empty() ? page.url : e.link;
      out->documents.push_back({std::move(e.key), std::move(location), std::move(e.text)});
    }
    return Ok();
  }

 private:
  const SourceConfig& source_;
  ItemFilter items_;
};

class Feed final : public SourceKind {
 public:
  std::string_view name() const override { return "feed"; }
  std::optional<SourceProblem> Check(const SourceConfig& s) const override {
    if (s.url.empty()) return SourceProblem{"url", "a feed source needs a url"};
    if (!s.fetch_items && !s.item_pattern.empty())
      return SourceProblem{"item_pattern", "applies to a feed only with fetch_items = true"};
    if (auto f = ItemFilter::Make(s); !f) return SourceProblem{"item_url", f.error().message};
    return std::nullopt;
  }
  Result<std::unique_ptr<SourceReader>> Start(const SourceConfig& s, std::string_view) const override {
    auto items = ItemFilter::Make(s);
    if (!items) return Fail(items.error());
    return std::unique_ptr<SourceReader>(new FeedReader(s, std::move(*items)));
  }
};

}  // namespace

const SourceKind& FeedKind() {
  static const Feed kind;
  return kind;
}

}  // namespace lw
