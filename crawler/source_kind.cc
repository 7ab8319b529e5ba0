#include "crawler/source_kind.h"

#include <openssl/evp.h>

#include "base/keyed_hash.h"
#include "crawler/html_text.h"
#include "crawler/url.h"

namespace lw {
namespace {

// Every kind, in the order messages list them.
const SourceKind* const* Kinds() {
  static const SourceKind* const kinds[] = {&ListingKind(), &JsonKind(), &PageKind(), &FeedKind(), &TelegramKind(),
                                            nullptr};
  return kinds;
}

}  // namespace

const SourceKind* FindSourceKind(std::string_view name) {
  for (const SourceKind* const* k = Kinds(); *k; ++k)
    if ((*k)->name() == name) return *k;
  return nullptr;
}

std::string SourceKindNames() {
  std::vector<std::string_view> names;
  for (const SourceKind* const* k = Kinds(); *k; ++k) names.push_back((*k)->name());
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

Status CheckSources(const Config& config) {
  const std::string file = config.path.empty() ? "configuration" : config.path;
  for (const SourceConfig& s : config.sources) {
    auto where = [&](const std::string& key) {
      auto it = s.key_lines.find(key);
      int line = it == s.key_lines.end() ? s.line : it->second;
      return file + ":" + std::to_string(line) + ": source." + (key.empty() ? "" : key);
    };
    const SourceKind* kind = FindSourceKind(s.kind);
    if (!kind) return Fail(Error::Config(where("kind") + ": expected " + SourceKindNames()));
    if (auto problem = kind->Check(s)) {
      std::string at = problem->key.empty() ? file + ":" + std::to_string(s.line) + ": source '" + s.name + "'"
                                            : where(problem->key);
      return Fail(Error::Config(at + ": " + problem->why));
    }
  }
  return Ok();
}

Result<ItemFilter> ItemFilter::Make(const SourceConfig& source) {
  ItemFilter f;
  f.item_url_ = source.item_url;
  if (source.item_pattern.empty()) return f;
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<RE2>(source.item_pattern, options);
  if (!re->ok()) return Fail(Error::Config("item_pattern: bad pattern: " + re->error()));
  if (auto s = CheckItemUrl(*re, source.item_url); !s) return Fail(s.error());
  f.pattern_ = std::move(re);
  return f;
}

std::optional<std::string> ItemFilter::Apply(std::string_view base, std::string_view ref) const {
  auto url = ResolveUrl(base, ref);
  if (!url) return std::nullopt;
  std::string link = StripFragment(*url);
  std::string scheme = UrlScheme(link);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  if (pattern_) return MatchItemUrl(*pattern_, item_url_, link);
  return link;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  return ToHex(md, n);
}

Result<std::string> DocumentText(const FetchResult& r) {
  auto utf8 = ToUtf8(r.body, r.content_type);
  if (!utf8) return Fail(utf8.error());
  if (LooksLikeHtml(r.content_type, r.body)) return HtmlToText(*utf8);
  return std::move(*utf8);
}

Result<std::string> HtmlPage(const FetchResult& r) {
  if (!LooksLikeHtml(r.content_type, r.body))
    return Fail(Error::Invalid("not an HTML page (Content-Type: " + r.content_type + ")"));
  return ToUtf8(r.body, r.content_type);
}

}  // namespace lw
