// leakwatch alerts pending | retry | test SINK
#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include "base/units.h"
#include "cli/alerting.h"
#include "cli/commands.h"

namespace lw::cli {

namespace {

// "soc: 2 delivered, 0 waiting to retry, 0 failed[, N folded][; last error: E]"
std::string ReportLine(const SinkReport& r) {
  std::string line = r.sink + ": " + std::to_string(r.delivered) + " delivered, " + std::to_string(r.retrying) +
                     " waiting to retry, " + std::to_string(r.failed) + " failed";
  if (r.folded) line += ", " + std::to_string(r.folded) + " folded";
  if (!r.last_error.empty()) line += "; last error: " + r.last_error;
  return line;
}

}  // namespace

Result<std::unique_ptr<Alerting>> Alerting::Make(const Context& ctx, Store& store) {
  auto a = std::make_unique<Alerting>();
  a->http_ = NewCurlHttpClient();
  a->mail_ = NewCurlMailClient();
  a->syslog_ = NewSocketSyslogClient();
  a->exec_ = NewProcessRunner();
  AlertTransports t;
  t.syslog = a->syslog_.get();
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) == 0) t.hostname = host;
  t.http = a->http_.get();
  t.mail = a->mail_.get();
  t.exec = a->exec_.get();
  t.env = [](const std::string& name) {
    const char* v = std::getenv(name.c_str());
    return std::string(v ? v : "");
  };
  auto d = Dispatcher::Make(store, ctx.config().alerts, t, a->clock_);
  if (!d) return Fail(d.error());
  a->dispatcher_ = std::move(*d);
  a->dispatcher_->set_deliver_retro(ctx.config().alerts_retro);
  return a;
}

void Alerting::DeliverDue() {
  auto reports = dispatcher_->Deliver({});
  if (!reports) {
    std::fprintf(stderr, "leakwatch: alert delivery: %s\n", reports.error().message.c_str());
    return;
  }
  for (const SinkReport& r : *reports) {
    if (r.delivered + r.retrying + r.failed + r.folded == 0) continue;
    std::fprintf(stderr, "alerts: %s\n", ReportLine(r).c_str());
  }
}

namespace {

struct AlertsFlags {
  std::string sink;
};

// Opens the store and validates the [[alert]] tables.
Result<std::pair<Session, std::unique_ptr<Alerting>>> OpenAlerting(const GlobalFlags& flags, Access access) {
  auto session = OpenSession(flags, access, /*with_hasher=*/false);
  if (!session) return Fail(session.error());
  auto alerting = Alerting::Make(session->ctx, *session->store);
  if (!alerting) return Fail(alerting.error());
  return std::make_pair(std::move(*session), std::move(*alerting));
}

int RunPending(const GlobalFlags& flags) {
  auto opened = OpenAlerting(flags, Access::kRead);
  if (!opened) return Report(opened.error());
  auto& alerting = opened->second;
  bool header = false;
  auto s = alerting->dispatcher().ForEachPending([&](const PendingAlert& p) {
    if (!header)
      std::printf("%-20s  %-32s  %-8s  %8s  %-20s  %-26s  %s\n", "SINK", "EXPOSURE", "STATE", "ATTEMPTS",
                  "NEXT ATTEMPT", "HINT", "LAST ERROR");
    header = true;
    std::printf("%-20s  %-32s  %-8s  %8d  %-20s  %-26s  %s\n", p.sink.c_str(), p.exposure_id.c_str(), p.state.c_str(),
                p.attempts, p.next_attempt ? FormatRfc3339(p.next_attempt).c_str() : "now", p.hint.c_str(),
                p.last_error.c_str());
    return true;
  });
  if (!s) return Report(s.error());
  return kExitOk;
}

int RunRetry(const GlobalFlags& flags) {
  auto opened = OpenAlerting(flags, Access::kWrite);
  if (!opened) return Report(opened.error());
  auto& alerting = opened->second;
  DispatchOptions options;
  options.ignore_backoff = true;
  auto reports = alerting->dispatcher().Deliver(options);
  if (!reports) return Report(reports.error());
  bool trouble = false;
  for (const SinkReport& r : *reports) {
    std::printf("%s\n", ReportLine(r).c_str());
    trouble |= r.retrying + r.failed > 0;
  }
  return trouble ? kExitFailure : kExitOk;
}

int RunTest(const GlobalFlags& flags, const std::string& sink) {
  auto opened = OpenAlerting(flags, Access::kRead);
  if (!opened) return Report(opened.error());
  auto& alerting = opened->second;
  if (auto s = alerting->dispatcher().Test(sink); !s) return Report(s.error());
  std::printf("sent a test alert to %s\n", sink.c_str());
  return kExitOk;
}

}  // namespace

void RegisterAlerts(CLI::App& app, const GlobalFlags& flags, Action* action) {
  CLI::App* cmd = app.add_subcommand("alerts", "the alert outbox: what waits, retry it, test a sink");
  cmd->require_subcommand(1);
  cmd->add_subcommand("pending", "list undelivered alerts per sink (nothing, exit 0, when none wait)")
      ->callback([&flags, action] { *action = [&flags] { return RunPending(flags); }; });
  cmd->add_subcommand("retry", "deliver everything pending now, ignoring backoff")
      ->callback([&flags, action] { *action = [&flags] { return RunRetry(flags); }; });
  auto f = std::make_shared<AlertsFlags>();
  CLI::App* test = cmd->add_subcommand("test", "send a test alert to one sink");
  test->add_option("sink", f->sink, "the [[alert]] name")->required();
  test->callback([&flags, f, action] { *action = [&flags, f] { return RunTest(flags, f->sink); }; });
}

}  // namespace lw::cli
