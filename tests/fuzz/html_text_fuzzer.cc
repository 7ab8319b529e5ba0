// libFuzzer target: the HTML-to-text path of fetched pages (charset detection and
// conversion, Gumbo parsing, visible text, links). Bytes from hostile servers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crawler/html_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (std::string_view content_type : {"text/html", "text/html; charset=GBK", "text/plain"}) {
    auto utf8 = lw::ToUtf8(body, content_type);
    if (!utf8) continue;
    if (lw::LooksLikeHtml(content_type, *utf8)) {
      std::string text = lw::HtmlToText(*utf8);
      auto links = lw::ExtractLinks(*utf8, "https://paste.example/archive/");
      for (const std::string& link : links)
        if (!link.starts_with("http://") && !link.starts_with("https://")) __builtin_trap();
      (void)text;
    }
  }
  return 0;
}
