// The enrollment input formats, line by line (see watchlists/enroll.h for the formats).
// Pure: no I/O, no normalization; fuzzed by tests/fuzz/input_parser_fuzzer.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lw {

// One line of input after format parsing, before normalization.
struct ParsedLine {
  uint64_t line = 0;
  std::string identifier;
  std::string label;
  std::string reason;  // non-empty: rejected already at parsing (malformed CSV)
};

// Detects the format of one input from its first non-empty line and parses each line.
class InputParser {
 public:
  explicit InputParser(bool prehashed) : prehashed_(prehashed) {}

  // Returns false for lines that carry nothing (blank, comment, CSV header); else fills
  // *out (identifier and label, or a rejection reason).
  bool Parse(std::string_view raw, uint64_t line_no, ParsedLine* out);

 private:
  bool prehashed_;
  bool decided_ = false;
  int id_col_ = -1, label_col_ = -1;
  std::vector<std::string> fields_;
};

}  // namespace lw
