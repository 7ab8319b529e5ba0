// kind = "listing": the HTML page at `url`, and the pages its links matching
// `next_pattern` lead to (up to `max_pages`); its links matching `item_pattern` (RE2, on
// absolute URLs), rewritten by `item_url`, are the items.
#include <re2/re2.h>

#include "crawler/html_text.h"
#include "crawler/source_kind.h"

namespace lw {
namespace {

class ListingReader final : public SourceReader {
 public:
  ListingReader(const SourceConfig& source, ItemFilter items, std::unique_ptr<RE2> next)
      : source_(source), items_(std::move(items)), next_(std::move(next)) {}

  std::vector<std::string> FirstUrls() override { return {source_.url}; }

  Status Read(const IndexPage& page, IndexYield* out) override {
    auto html = HtmlPage(page.result);
    if (!html) return Fail(html.error());
    for (const std::string& link : ExtractLinks(*html, page.base)) {
      if (next_ && RE2::PartialMatch(link, *next_)) {
        out->next_pages.push_back(link);
        continue;
      }
      if (auto item = items_.Apply(page.base, link)) {
        out->items.push_back(std::move(*item));
        ++out->entries;
      }
    }
    return Ok();
  }

 private:
  const SourceConfig& source_;
  ItemFilter items_;
  std::unique_ptr<RE2> next_;
};

class Listing final : public SourceKind {
 public:
  std::string_view name() const override { return "listing"; }
  std::optional<SourceProblem> Check(const SourceConfig& s) const override {
    if (s.url.empty()) return SourceProblem{"url", "a listing source needs a url"};
    if (s.item_pattern.empty()) return SourceProblem{"item_pattern", "a listing source needs an item_pattern"};
    if (auto f = ItemFilter::Make(s); !f) return SourceProblem{"item_url", f.error().message};
    return std::nullopt;
  }
  Result<std::unique_ptr<SourceReader>> Start(const SourceConfig& s, std::string_view) const override {
    auto items = ItemFilter::Make(s);
    if (!items) return Fail(items.error());
    std::unique_ptr<RE2> next;
    if (!s.next_pattern.empty()) {
      RE2::Options options;
      options.set_log_errors(false);
      next = std::make_unique<RE2>(s.next_pattern, options);
      if (!next->ok()) return Fail(Error::Config("next_pattern: bad pattern: " + next->error()));
    }
    return std::unique_ptr<SourceReader>(new ListingReader(s, std::move(*items), std::move(next)));
  }
};

}  // namespace

const SourceKind& ListingKind() {
  static const Listing kind;
  return kind;
}

}  // namespace lw
