#include "watchlists/line_reader.h"

#include <cerrno>
#include <cstring>

namespace lw {

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path) {
  if (path == "-") return std::unique_ptr<LineReader>(new LineReader(stdin, false, "<stdin>"));
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Fail(Error::IO(path + ": " + std::strerror(errno)));
  return std::unique_ptr<LineReader>(new LineReader(f, true, path));
}

LineReader::~LineReader() {
  if (owned_) std::fclose(file_);
}

bool LineReader::Fill() {
  if (eof_) return false;
  buf_.erase(0, pos_);
  pos_ = 0;
  size_t old = buf_.size();
  buf_.resize(old + (1 << 20));
  size_t n = std::fread(buf_.data() + old, 1, 1 << 20, file_);
  buf_.resize(old + n);
  if (n == 0) {
    eof_ = true;
    if (std::ferror(file_)) error_ = name_ + ": read error: " + std::strerror(errno);
    return false;
  }
  return true;
}

bool LineReader::Next(std::string_view* line) {
  for (;;) {
    size_t nl = buf_.find('\n', pos_);
    if (nl != std::string::npos || (eof_ && pos_ < buf_.size())) {
      size_t end = nl == std::string::npos ? buf_.size() : nl;
      std::string_view v(buf_.data() + pos_, end - pos_);
      pos_ = nl == std::string::npos ? buf_.size() : nl + 1;
      if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
      if (++line_number_ == 1 && v.starts_with("\xEF\xBB\xBF")) v.remove_prefix(3);
      *line = v;
      return true;
    }
    if (!Fill() && (eof_ && pos_ >= buf_.size())) return false;
  }
}

}  // namespace lw
