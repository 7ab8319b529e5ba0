// kind = "page": `url` itself is the document, handed on whenever its content changed.
#include "crawler/source_kind.h"

namespace lw {
namespace {

class PageReader final : public SourceReader {
 public:
  explicit PageReader(const SourceConfig& source) : source_(source) {}

  std::vector<std::string> FirstUrls() override { return {source_.url}; }

  Status Read(const IndexPage& page, IndexYield* out) override {
    out->entries = 1;
    if (page.sha256 == page.previous_sha256) return Ok();  // the same bytes: nothing new
    auto text = DocumentText(page.result);
    if (!text) return Fail(text.error());
    out->documents.push_back({"", page.url, std::move(*text)});
    return Ok();
  }

 private:
  const SourceConfig& source_;
};

class Page final : public SourceKind {
 public:
  std::string_view name() const override { return "page"; }
  std::optional<SourceProblem> Check(const SourceConfig& s) const override {
    if (s.url.empty()) return SourceProblem{"url", "a page source needs a url"};
    return std::nullopt;
  }
  Result<std::unique_ptr<SourceReader>> Start(const SourceConfig& s, std::string_view) const override {
    return std::unique_ptr<SourceReader>(new PageReader(s));
  }
};

}  // namespace

const SourceKind& PageKind() {
  static const Page kind;
  return kind;
}

}  // namespace lw
