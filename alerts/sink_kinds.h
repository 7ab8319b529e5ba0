// Internal to alerts/: one factory per sink kind (one file each, sink_<kind>.cc), for
// the kind table in sinks.cc. Callers use MakeSink (alerts/sinks.h).
#pragma once

#include "alerts/sinks.h"

namespace lw {

// REQUIRES: the config passed the kind table's checks; `format` is one the kind takes
// (nullptr for email).
std::unique_ptr<AlertSink> NewJsonlSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t);
std::unique_ptr<AlertSink> NewWebhookSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t);
std::unique_ptr<AlertSink> NewSyslogSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t);
std::unique_ptr<AlertSink> NewEmailSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t);
std::unique_ptr<AlertSink> NewExecSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t);

}  // namespace lw
