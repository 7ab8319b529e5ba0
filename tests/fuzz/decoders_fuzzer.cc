// libFuzzer target: every decoder on arbitrary bytes; segments must lie inside the text
// and decoding never grows a segment. Also: both byte-class implementations (SSE2 and,
// where the CPU has it, AVX-512) agree on the input's blocks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "matcher/class_masks.h"
#include "matcher/decoders.h"
#include "matcher/scan_util.h"

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
  // Each vector implementation of the byte classes against SSE2.
  namespace sc = lw::scan;
  const sc::Implementation& sse2 = sc::Implementations().front();
  for (const sc::Implementation& v : sc::Implementations().subspan(1)) {
    if (size < 129) break;
    const char* p = text.data();
    size_t blocks = size / 64;
    std::vector<uint64_t> a(blocks), b(blocks);
    for (uint8_t cls : {sc::kDigit, sc::kHex, sc::kAlpha, sc::kLocal, sc::kDomain, sc::kBase64, sc::kPhone}) {
      sse2.class_masks(cls, p, blocks, a.data());
      v.class_masks(cls, p, blocks, b.data());
      if (a != b) std::abort();
    }
    for (size_t at = 64; at + 65 <= size; at += 61) {
      sc::EmailWindow x = sse2.email_window(p, at), y = v.email_window(p, at);
      if (x.local != y.local || x.local_dots != y.local_dots || x.local_delims != y.local_delims ||
          x.domain != y.domain || x.dots != y.dots || x.dashes != y.dashes || x.letters != y.letters)
        std::abort();
    }
  }
  return 0;
}
