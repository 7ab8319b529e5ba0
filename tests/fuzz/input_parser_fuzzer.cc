// libFuzzer target: enrollment input lines (plain, CSV, prehashed) through InputParser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "watchlists/input_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (bool prehashed : {false, true}) {
    lw::InputParser parser(prehashed);
    lw::ParsedLine out;
    uint64_t line_no = 0;
    size_t start = 0;
    while (start <= input.size()) {
      size_t nl = input.find('\n', start);
      if (nl == std::string_view::npos) nl = input.size();
      if (parser.Parse(input.substr(start, nl - start), ++line_no, &out)) {
        if (out.line != line_no) __builtin_trap();
        if (out.identifier.size() > size || out.label.size() > size) __builtin_trap();
      }
      start = nl + 1;
    }
  }
  return 0;
}
