// kind = "telegram": the public web preview of channel `channel` at BASE/s/NAME (BASE:
// `base_url`, default https://t.me). Each message is one document, keyed "NAME/ID" and
// located at BASE/NAME/ID. The kind keeps a cursor, the newest id read: a later run reads
// the newest page and goes back (?before=ID) only while a page holds nothing older than
// the cursor; the first run goes back up to max_pages pages. Messages already handed on
// are not handed on again unless their text changed (an edit), by the crawl's document
// markers.
#include <cctype>
#include <nlohmann/json.hpp>

#include "crawler/html_text.h"
#include "crawler/source_kind.h"
#include "crawler/telegram.h"
#include "crawler/url.h"

namespace lw {
namespace {

class TelegramReader final : public SourceReader {
 public:
  TelegramReader(const SourceConfig& source, int64_t cursor)
      : source_(source), base_(TrimSlashes(source.base_url)), cursor_(cursor) {}

  std::vector<std::string> FirstUrls() override { return {base_ + "/s/" + source_.channel}; }

  Status Read(const IndexPage& page, IndexYield* out) override {
    auto html = HtmlPage(page.result);
    if (!html) return Fail(html.error());
    TelegramPage parsed = ParseTelegramPage(*html, source_.channel);
    out->entries = static_cast<int>(parsed.messages.size()) + parsed.service_messages;
    for (TelegramMessage& m : parsed.messages) {
      std::string key = m.channel + "/" + std::to_string(m.id);
      out->documents.push_back({key, base_ + "/" + key, std::move(m.text)});
    }
    newest_ = std::max(newest_, parsed.max_id);
    // Older messages exist before min_id; read them while they are newer than the cursor.
    if (parsed.min_id > 1 && (cursor_ == 0 || parsed.min_id > cursor_ + 1))
      out->next_pages.push_back(base_ + "/s/" + source_.channel + "?before=" + std::to_string(parsed.min_id));
    return Ok();
  }

  std::string SaveState() const override {
    return nlohmann::json{{"cursor", std::max(cursor_, newest_)}}.dump();
  }

 private:
  static std::string TrimSlashes(std::string s) {
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
  }

  const SourceConfig& source_;
  std::string base_;
  int64_t cursor_ = 0;  // the newest id read by the last complete run (0: none)
  int64_t newest_ = 0;  // the newest id read by this run
};

bool IsChannelName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

class Telegram final : public SourceKind {
 public:
  std::string_view name() const override { return "telegram"; }
  std::optional<SourceProblem> Check(const SourceConfig& s) const override {
    if (s.channel.empty()) return SourceProblem{"channel", "a telegram source needs a channel"};
    if (!IsChannelName(s.channel))
      return SourceProblem{"channel", "expected a channel name (letters, digits and _), not '" + s.channel + "'"};
    if (!s.url.empty()) return SourceProblem{"url", "a telegram source reads base_url/s/channel; set channel, not url"};
    std::string scheme = UrlScheme(s.base_url);
    if (scheme != "http" && scheme != "https") return SourceProblem{"base_url", "expected an http(s) URL"};
    return std::nullopt;
  }
  Result<std::unique_ptr<SourceReader>> Start(const SourceConfig& s, std::string_view saved) const override {
    int64_t cursor = 0;
    if (!saved.empty()) {
      auto j = nlohmann::json::parse(saved, nullptr, /*allow_exceptions=*/false);
      // An unreadable cursor costs one back-fill; the document markers keep it from
      // matching any message twice.
      if (j.is_object() && j.contains("cursor") && j["cursor"].is_number_integer()) cursor = j["cursor"].get<int64_t>();
    }
    return std::unique_ptr<SourceReader>(new TelegramReader(s, cursor));
  }
};

}  // namespace

const SourceKind& TelegramKind() {
  static const Telegram kind;
  return kind;
}

}  // namespace lw
