// libFuzzer target: Extract() on arbitrary bytes must not crash, leak or read out of
// bounds, and every candidate must satisfy the output contract. With a filter (the way
// the scanner calls it) it must report exactly the candidates the filter keeps, with the
// same match kind, severity and offset. Each email found is also reduced to its account
// key and its hashed spellings (base/providers.h), as the scanner and enrollment do.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/providers.h"
#include "matcher/extractor.h"

namespace {

// Keeps the values whose last byte is odd: deterministic, and about half of them.
bool Keeps(std::string_view value) { return !value.empty() && (static_cast<unsigned char>(value.back()) & 1); }

class OddFilter final : public lw::CandidateFilter {
 public:
  void Select(std::span<const lw::Probe> probes, bool* keep) const override {
    if (probes.empty() || probes.size() > kMaxBatch) std::abort();
    for (size_t i = 0; i < probes.size(); ++i) keep[i] = Keeps(probes[i].value);
  }
};

using Row = std::tuple<std::string, std::string, int, int, uint64_t>;
Row RowOf(const lw::Candidate& c) {
  return {std::string(c.hash_tag), std::string(c.value), static_cast<int>(c.match), static_cast<int>(c.severity),
          c.offset};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const lw::Normalizer normalizer;
  static const lw::Extractor extractor(normalizer);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<lw::Candidate> out;
  extractor.Extract(text, &out);
  for (const lw::Candidate& c : out) {
    if (c.value.empty() || c.offset >= size) std::abort();
    if (c.match == lw::MatchKind::kAlias) {  // only a labelled QQ number, as NUMBER@qq.com
      std::string_view v(c.value);
      if (!v.ends_with("@qq.com") || v.size() < 12 || v.size() > 18) std::abort();
      for (char d : v.substr(0, v.size() - 7))
        if (d < '0' || d > '9') std::abort();
    }
    if (c.kind == lw::IdKind::kEmail && c.hash_tag == "email" && !lw::IsValidAsciiEmail(c.value)) std::abort();
    if (c.hash_tag == "email") {
      char key[lw::kAccountKeyRoom];
      size_t n = lw::AccountKeyInto(c.value, key);
      if (n > lw::kAccountKeyRoom) std::abort();
      // A key is an address in its own key's spelling.
      if (n != 0 && lw::AccountKeyInto(std::string_view(key, n), key) != 0) std::abort();
      if (lw::HashedSpellings(c.value, text.substr(0, 300)).empty()) std::abort();
    }
    if (c.kind == lw::IdKind::kPhone && c.value[0] != '+') std::abort();
  }
  std::vector<Row> want, got;
  for (const lw::Candidate& c : out)
    if (Keeps(c.value)) want.push_back(RowOf(c));
  std::vector<lw::Candidate> filtered;
  OddFilter filter;
  extractor.Extract(text, &filtered, &filter);
  for (const lw::Candidate& c : filtered) got.push_back(RowOf(c));
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  if (want != got) std::abort();
  return 0;
}
