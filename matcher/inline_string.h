// InlineString: an immutable byte string stored inside the object when it is at most
// kInline bytes long, on the heap only when longer.
//
// For values that are nearly always short, made by the million on the hot path:
// normalized emails (mostly 16..40 bytes, past std::string's 15-byte small buffer),
// E.164 phones and hex digests. Creating, copying or moving one of those costs no
// allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace lw {

template <size_t kInline>
class InlineString {
 public:
  InlineString() = default;
  explicit InlineString(std::string_view s) { Assign(s); }
  InlineString(const InlineString& other) { Assign(other); }
  InlineString(InlineString&& other) noexcept { *this = std::move(other); }
  InlineString& operator=(const InlineString& other) {
    if (this != &other) Assign(other);
    return *this;
  }
  InlineString& operator=(InlineString&& other) noexcept {
    if (this == &other) return *this;
    size_ = other.size_;
    heap_ = std::move(other.heap_);
    if (!heap_) std::memcpy(inline_, other.inline_, size_);
    other.size_ = 0;
    return *this;
  }

  const char* data() const { return heap_ ? heap_.get() : inline_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  char operator[](size_t i) const { return data()[i]; }
  operator std::string_view() const { return {data(), size_}; }  // NOLINT: used as a string_view

  friend bool operator==(const InlineString& a, std::string_view b) { return std::string_view(a) == b; }

 private:
  void Assign(std::string_view s) {
    char* dst = inline_;
    if (s.size() > kInline) {
      heap_ = std::make_unique_for_overwrite<char[]>(s.size());
      dst = heap_.get();
    } else {
      heap_.reset();
    }
    if (!s.empty()) std::memcpy(dst, s.data(), s.size());
    size_ = static_cast<uint32_t>(s.size());
  }

  std::unique_ptr<char[]> heap_;  // the bytes when size_ > kInline; else null
  uint32_t size_ = 0;
  char inline_[kInline];          // the bytes when size_ <= kInline
};

}  // namespace lw
