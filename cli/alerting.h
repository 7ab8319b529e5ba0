// Alert delivery as the commands use it: scan and crawl deliver after recording, and
// `leakwatch alerts` manages the outbox.
#pragma once

#include <memory>

#include "alerts/dispatcher.h"
#include "cli/context.h"

namespace lw::cli {

// Production transports (libcurl, fork/exec, getenv) for the lifetime of a command.
class Alerting {
 public:
  // Validates the [[alert]] tables; kConfig errors name the sink.
  static Result<std::unique_ptr<Alerting>> Make(const Context& ctx, Store& store);
  Dispatcher& dispatcher() { return *dispatcher_; }
  // Delivers what is due and prints one line per sink that did anything (to stderr, so
  // stdout stays the command's own). Delivery trouble is reported, never fatal: the
  // entries stay pending for the next run.
  void DeliverDue();

 private:
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<MailClient> mail_;
  std::unique_ptr<SyslogClient> syslog_;
  std::unique_ptr<CommandRunner> exec_;
  SystemClock clock_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

}  // namespace lw::cli
