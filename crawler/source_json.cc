// kind = "json": the body at `url` is a JSON array, or an object whose first array-valued
// member is the list; each element's `item_field` (a dotted path) is an item URL
// (filtered and rewritten by item_pattern/item_url when set).
#include <nlohmann/json.hpp>

#include "crawler/source_kind.h"

namespace lw {
namespace {

// The values of `field` (a dotted path) in the elements of the JSON array `body` is, or
// of the first array-valued member of the object it is.
Result<std::vector<std::string>> JsonItemUrls(std::string_view body, std::string_view field) {
  using Json = nlohmann::ordered_json;  // document order: "first member" means what it says
  std::vector<std::string> urls;
  try {
    Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Fail(Error::Invalid("malformed JSON"));
    const Json* list = nullptr;
    if (doc.is_array()) {
      list = &doc;
    } else if (doc.is_object()) {
      for (const auto& member : doc.items()) {
        if (member.value().is_array()) {
          list = &member.value();
          break;
        }
      }
    }
    if (!list) return Fail(Error::Invalid("the JSON holds no array of items"));
    std::vector<std::string> path;
    for (size_t start = 0;;) {
      size_t dot = field.find('.', start);
      path.emplace_back(field.substr(start, dot - start));
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    for (const Json& element : *list) {
      const Json* v = &element;
      for (const std::string& key : path) {
        if (!v->is_object()) {
          v = nullptr;
          break;
        }
        auto it = v->find(key);
        v = it == v->end() ? nullptr : &*it;
        if (!v) break;
      }
      if (v && v->is_string()) urls.push_back(v->get<std::string>());
    }
  } catch (const nlohmann::json::exception& e) {
    return Fail(Error::Invalid(std::string("malformed JSON: ") + e.what()));
  }
  return urls;
}

class JsonReader final : public SourceReader {
 public:
  JsonReader(const SourceConfig& source, ItemFilter items) : source_(source), items_(std::move(items)) {}

  std::vector<std::string> FirstUrls() override { return {source_.url}; }

  Status Read(const IndexPage& page, IndexYield* out) override {
    auto urls = JsonItemUrls(page.result.body, source_.item_field);
    if (!urls) return Fail(urls.error());
    out->entries = static_cast<int>(urls->size());
    for (const std::string& url : *urls)
      if (auto item = items_.Apply(page.base, url)) out->items.push_back(std::move(*item));
    return Ok();
  }

 private:
  const SourceConfig& source_;
  ItemFilter items_;
};

class JsonKindImpl final : public SourceKind {
 public:
  std::string_view name() const override { return "json"; }
  std::optional<SourceProblem> Check(const SourceConfig& s) const override {
    if (s.url.empty()) return SourceProblem{"url", "a json source needs a url"};
    if (s.item_field.empty()) return SourceProblem{"item_field", "a json source needs an item_field"};
    if (auto f = ItemFilter::Make(s); !f) return SourceProblem{"item_url", f.error().message};
    return std::nullopt;
  }
  Result<std::unique_ptr<SourceReader>> Start(const SourceConfig& s, std::string_view) const override {
    auto items = ItemFilter::Make(s);
    if (!items) return Fail(items.error());
    return std::unique_ptr<SourceReader>(new JsonReader(s, std::move(*items)));
  }
};

}  // namespace

const SourceKind& JsonKind() {
  static const JsonKindImpl kind;
  return kind;
}

}  // namespace lw
