#include "matcher/gzip_reader.h"

#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

namespace lw {

GzipReader::GzipReader(int fd, std::string head, std::string name)
    : fd_(fd), head_(std::move(head)), name_(std::move(name)), thread_([this] { Inflate(); }) {}

GzipReader::~GzipReader() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Result<std::string_view> GzipReader::Next() {
  std::unique_lock lock(mu_);
  if (!current_.empty()) free_.push_back(std::move(current_));
  current_.clear();
  cv_.notify_all();  // a buffer is free again
  cv_.wait(lock, [&] { return !ready_.empty() || finished_; });
  if (!ready_.empty()) {
    current_ = std::move(ready_.front());
    ready_.pop_front();
    cv_.notify_all();
    return std::string_view(current_);
  }
  if (error_) return Fail(*error_);
  return std::string_view();
}

bool GzipReader::Push(std::string block) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return stop_ || ready_.size() < kBlocks; });
  if (stop_) return false;
  ready_.push_back(std::move(block));
  cv_.notify_all();
  return true;
}

void GzipReader::Inflate() {
  z_stream z{};
  std::optional<Error> error;
  if (inflateInit2(&z, 15 + 16) != Z_OK) error = Error::Internal(name_ + ": zlib could not start");
  std::string input(1 << 16, '\0');
  bool head_served = false, input_ended = false, in_member = true;
  // Refills z.next_in when it is used up; false at the end of the input.
  auto refill = [&]() -> bool {
    if (z.avail_in > 0) return true;
    if (!head_served) {
      head_served = true;
      if (!head_.empty()) {
        z.next_in = reinterpret_cast<Bytef*>(head_.data());
        z.avail_in = static_cast<uInt>(head_.size());
        return true;
      }
    }
    if (input_ended) return false;
    for (;;) {
      ssize_t r = ::read(fd_, input.data(), input.size());
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        error = Error::IO(name_ + ": " + std::strerror(errno));
        return false;
      }
      if (r == 0) {
        input_ended = true;
        return false;
      }
      z.next_in = reinterpret_cast<Bytef*>(input.data());
      z.avail_in = static_cast<uInt>(r);
      return true;
    }
  };
  while (!error) {
    std::string block;
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        block = std::move(free_.back());
        free_.pop_back();
      }
    }
    block.resize(kBlock);
    z.next_out = reinterpret_cast<Bytef*>(block.data());
    z.avail_out = static_cast<uInt>(block.size());
    bool done = false;
    while (z.avail_out > 0) {
      if (!refill()) {
        if (!error && in_member) error = Error::IO(name_ + ": the gzip data ends early");
        done = true;
        break;
      }
      if (!in_member) {  // another gzip member follows, or trailing bytes (ignored, as gzip does)
        if (z.next_in[0] != 0x1f) {
          done = true;
          break;
        }
        inflateReset(&z);
        in_member = true;
      }
      int r = inflate(&z, Z_NO_FLUSH);
      if (r == Z_STREAM_END) {
        in_member = false;
      } else if (r == Z_BUF_ERROR) {
        continue;  // needs more input: refill
      } else if (r != Z_OK) {
        error = Error::IO(name_ + ": " + (z.msg ? z.msg : "bad gzip data"));
        break;
      }
    }
    block.resize(block.size() - z.avail_out);
    if (!block.empty() && !Push(std::move(block))) break;
    if (done) break;
  }
  inflateEnd(&z);
  std::lock_guard lock(mu_);
  error_ = std::move(error);
  finished_ = true;
  cv_.notify_all();
}

}  // namespace lw
