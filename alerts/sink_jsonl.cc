// jsonl: one rendered event per line, appended to a file (fsync'd) or written to stdout.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "alerts/sink_kinds.h"

namespace lw {
namespace {

class JsonlSink final : public AlertSink {
 public:
  JsonlSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t)
      : AlertSink(std::move(c), std::move(f), t) {}
  std::vector<Delivery> Deliver(const std::vector<nlohmann::json>& events) override {
    RenderContext context = Context();
    std::string lines;
    for (const nlohmann::json& e : events) lines += format_->Render(e, context) + "\n";
    Delivery d{DeliveryState::kDelivered, ""};
    if (config_.path == "-") {
      if (std::fwrite(lines.data(), 1, lines.size(), stdout) != lines.size() || std::fflush(stdout) != 0)
        d = {DeliveryState::kRetry, "writing to stdout failed"};
    } else {
      int fd = ::open(config_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0) {
        d = {DeliveryState::kRetry, config_.path + ": " + std::strerror(errno)};
      } else {
        size_t done = 0;
        while (done < lines.size()) {
          ssize_t w = ::write(fd, lines.data() + done, lines.size() - done);
          if (w < 0 && errno == EINTR) continue;
          if (w <= 0) break;
          done += static_cast<size_t>(w);
        }
        if (done != lines.size() || ::fsync(fd) != 0) d = {DeliveryState::kRetry, config_.path + ": " + std::strerror(errno)};
        ::close(fd);
      }
    }
    return std::vector<Delivery>(events.size(), d);
  }
};

}  // namespace

std::unique_ptr<AlertSink> NewJsonlSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t) {
  return std::make_unique<JsonlSink>(std::move(c), std::move(f), t);
}

}  // namespace lw
