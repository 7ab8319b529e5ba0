// libFuzzer target: the feed parser (RSS 2.0, RSS 1.0, Atom through libxml2, escaped HTML
// through Gumbo). Bytes from hostile servers: any input must end in entries or an error,
// within bounded time and memory, without touching the network or files.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crawler/feed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (std::string_view content_type : {"application/rss+xml", "text/xml; charset=GBK"}) {
    auto entries = lw::ParseFeed(body, content_type, "https://forum.example/rss");
    if (!entries) continue;
    for (const lw::FeedEntry& e : *entries) {
      if (e.key.empty()) __builtin_trap();
      if (!e.link.empty() && !e.link.starts_with("http://") && !e.link.starts_with("https://")) __builtin_trap();
    }
  }
  return 0;
}
