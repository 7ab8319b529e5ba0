#include "watchlists/input_parser.h"

#include <algorithm>
#include <cctype>

namespace lw {
namespace {

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits one CSV record (RFC 4180 quoting, on one line). False on an unterminated quote.
bool SplitCsv(std::string_view line, std::vector<std::string>* fields) {
  fields->clear();
  std::string field;
  bool quoted = false, was_quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field.push_back(c);
      }
    } else if (c == '"' && TrimView(field).empty() && !was_quoted) {
      field.clear();
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields->push_back(was_quoted ? field : std::string(TrimView(field)));
      field.clear();
      was_quoted = false;
    } else {
      field.push_back(c);
    }
  }
  if (quoted) return false;
  fields->push_back(was_quoted ? field : std::string(TrimView(field)));
  return true;
}

bool IEquals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); });
}

}  // namespace

bool InputParser::Parse(std::string_view raw, uint64_t line_no, ParsedLine* out) {
  std::string_view line = TrimView(raw);
  if (line.empty() || line.front() == '#') return false;
  out->line = line_no;
  out->reason.clear();
  out->label.clear();
  if (!decided_) {
    decided_ = true;
    if (!prehashed_ && line.find(',') != std::string_view::npos && SplitCsv(line, &fields_)) {
      for (size_t i = 0; i < fields_.size(); ++i) {
        if (IEquals(fields_[i], "identifier")) id_col_ = static_cast<int>(i);
        if (IEquals(fields_[i], "label")) label_col_ = static_cast<int>(i);
      }
      if (id_col_ >= 0) return false;  // the header
    } else if (!prehashed_ && IEquals(line, "identifier")) {
      id_col_ = 0;
      return false;
    }
  }
  if (id_col_ >= 0) {
    if (!SplitCsv(line, &fields_)) {
      out->reason = "malformed CSV (unterminated quote)";
      out->identifier.assign(line);
      return true;
    }
    if (static_cast<int>(fields_.size()) <= id_col_) {
      out->reason = "malformed CSV (no identifier column)";
      out->identifier.assign(line);
      return true;
    }
    out->identifier = fields_[id_col_];
    if (label_col_ >= 0 && static_cast<int>(fields_.size()) > label_col_) out->label = fields_[label_col_];
    return true;
  }
  size_t comma = line.find(',');
  out->identifier.assign(TrimView(line.substr(0, comma)));
  if (comma != std::string_view::npos) out->label.assign(TrimView(line.substr(comma + 1)));
  return true;
}

}  // namespace lw
