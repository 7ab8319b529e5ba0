// Time comes in through Clock so that tests can pin it (FakeClock).
#pragma once

#include <chrono>
#include <cstdint>

namespace lw {

// Seconds since the Unix epoch, UTC. Exposure timestamps have one-second resolution.
using UnixSeconds = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixSeconds Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixSeconds Now() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixSeconds now) : now_(now) {}
  UnixSeconds Now() const override { return now_; }
  void Advance(UnixSeconds s) { now_ += s; }

 private:
  UnixSeconds now_;
};

}  // namespace lw
