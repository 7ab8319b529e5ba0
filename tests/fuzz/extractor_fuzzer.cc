// libFuzzer target: Extract() on arbitrary bytes must not crash, leak or read out of
// bounds, and every candidate must satisfy the output contract.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "matcher/extractor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const lw::Normalizer normalizer;
  static const lw::Extractor extractor(normalizer);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<lw::Candidate> out;
  extractor.Extract(text, &out);
  for (const lw::Candidate& c : out) {
    if (c.value.empty() || c.offset >= size) std::abort();
    if (c.match == lw::MatchKind::kAlias) std::abort();
    if (c.kind == lw::IdKind::kEmail && c.hash_tag == "email" && !lw::IsValidAsciiEmail(c.value)) std::abort();
    if (c.kind == lw::IdKind::kPhone && c.value[0] != '+') std::abort();
  }
  return 0;
}
