// Reads a file or stdin line by line without loading it whole: enrollment inputs may
// hold tens of millions of lines. Strips "\n" and "\r\n", and a UTF-8 BOM on line 1.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace lw {

class LineReader {
 public:
  // "-" is stdin.
  static Result<std::unique_ptr<LineReader>> Open(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Sets *line to the next line (valid until the next call) and returns true; false at
  // the end of input or on a read error (check error()).
  bool Next(std::string_view* line);
  uint64_t line_number() const { return line_number_; }
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }

 private:
  LineReader(FILE* f, bool owned, std::string name) : file_(f), owned_(owned), name_(std::move(name)) {}
  bool Fill();

  FILE* file_;
  bool owned_;
  std::string name_;
  std::string buf_;
  size_t pos_ = 0;
  bool eof_ = false;
  uint64_t line_number_ = 0;
  std::string error_;
};

}  // namespace lw
