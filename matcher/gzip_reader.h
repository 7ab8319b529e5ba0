// Inflates a gzip stream on a thread of its own, so that the thread reading an archive
// (libarchive parsing tar headers, copying members out for the scan workers) does not
// also inflate: for a .tar.gz of many small files, inflating was about half of that
// thread's work, and that thread set the pace of the scan.
//
// Thread-safety: one consumer calls Next; the inflating thread is internal.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/status.h"

namespace lw {

class GzipReader {
 public:
  // Inflates `head` (the first bytes, read already to sniff the format), then the rest of
  // `fd` (borrowed; read to its end), gzip members one after the other as gzip does.
  // `name` goes into error messages.
  GzipReader(int fd, std::string head, std::string name);
  ~GzipReader();  // stops the thread, whatever is left unread
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // The next block of inflated bytes, valid until the next call; empty at the end.
  Result<std::string_view> Next();

  static bool LooksGzip(std::string_view head) { return head.size() >= 2 && head[0] == '\x1f' && head[1] == '\x8b'; }

 private:
  static constexpr size_t kBlock = 256 << 10;  // inflated bytes per block
  static constexpr size_t kBlocks = 8;         // blocks in flight: bounded memory

  void Inflate();
  // Hands a block to the consumer; false when the reader is being destroyed.
  bool Push(std::string block);

  int fd_;
  std::string head_;
  std::string name_;
  std::string current_;  // the block Next returned last

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> ready_;     // GUARDED_BY(mu_)
  std::vector<std::string> free_;     // GUARDED_BY(mu_): buffers to reuse
  std::optional<Error> error_;        // GUARDED_BY(mu_)
  bool finished_ = false;             // GUARDED_BY(mu_)
  bool stop_ = false;                 // GUARDED_BY(mu_)
  std::thread thread_;                // last: starts once the rest is ready
};

}  // namespace lw
