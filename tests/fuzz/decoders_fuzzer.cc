// libFuzzer target: every decoder on arbitrary bytes; segments must lie inside the text
// and decoding never grows a segment.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "matcher/decoders.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string out;
  std::vector<uint32_t> offsets;
  lw::DecodeBase64(text, &out);
  if (lw::DecodePercent(text, &out) > size / 3 || out.size() > size) std::abort();
  lw::DecodeHtmlEntities(text, &out);
  lw::Utf16ToUtf8(text, size % 2 == 0, &out, &offsets);
  if (offsets.size() != out.size() + 1) std::abort();
  for (uint32_t o : offsets)
    if (o > size) std::abort();
  lw::LooksLikeUtf16Le(text);
  lw::LooksPrintable(text);
  lw::FoldFullwidth(text, &out, &offsets);
  if (offsets.size() != out.size() + 1 || out.size() > size) std::abort();
  std::vector<lw::EncodedSegment> segments;
  lw::FindEncodedSegments(text, &segments);
  for (const auto& s : segments) {
    if (s.offset > size || s.size > size - s.offset || s.size == 0) std::abort();
    if (lw::DecodeSegment(text, s, &out) && s.encoding != lw::Encoding::kHtmlEntity && out.size() > s.size)
      std::abort();
  }
  return 0;
}
