// email: one plain-text digest per delivery run, listing every event of the batch, as
// an RFC 5322 message (alerts/mail_message.cc).
#include <algorithm>

#include "alerts/sink_kinds.h"
#include "base/keyed_hash.h"

namespace lw {
namespace {

class EmailSink final : public AlertSink {
 public:
  EmailSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t)
      : AlertSink(std::move(c), std::move(f), t) {}
  std::vector<Delivery> Deliver(const std::vector<nlohmann::json>& events) override {
    MailMessage m;
    m.url = config_.url;
    m.from = config_.from;
    m.to = config_.to;
    if (!config_.username_env.empty()) m.username = t_.env(config_.username_env);
    if (!config_.password_env.empty()) m.password = t_.env(config_.password_env);
    size_t credentials = std::count_if(events.begin(), events.end(),
                                       [](const nlohmann::json& e) { return EventSeverity(e) == "credential"; });
    m.subject = "leakwatch: " + std::to_string(events.size()) + " new exposure" + (events.size() == 1 ? "" : "s") +
                (credentials ? " (" + std::to_string(credentials) + " with credentials)" : "");
    m.body = "leakwatch found watched identifiers in new leaks.\n\n";
    std::string ids;
    for (const nlohmann::json& e : events) {
      m.body += "- " + DescribeEvent(e) + "\n";
      ids += e.dump();
    }
    m.body += "\nHints are redacted; look an exposure up with: leakwatch history --hash <identifier_hash>\n";
    m.date = Now();
    // Unique per digest and attempt; the domain is the sender's.
    std::string domain = m.from.substr(m.from.rfind('@') == std::string::npos ? m.from.size() : m.from.rfind('@') + 1);
    if (domain.empty() || domain.find_first_of("<> \t") != std::string::npos) domain = "leakwatch.invalid";
    Digest d = KeyedHasher::Hmac("leakwatch message-id", std::to_string(m.date) + "\n" + ids);
    m.message_id = "<leakwatch." + std::to_string(m.date) + "." + ToHex(d.data(), 12) + "@" + domain + ">";
    Status s = t_.mail->Send(m, config_.timeout_ms);
    Delivery d2 = s ? Delivery{DeliveryState::kDelivered, ""} : Delivery{DeliveryState::kRetry, s.error().message};
    return std::vector<Delivery>(events.size(), d2);
  }
};

}  // namespace

std::unique_ptr<AlertSink> NewEmailSink(AlertConfig c, std::unique_ptr<PayloadFormat> f, const AlertTransports& t) {
  return std::make_unique<EmailSink>(std::move(c), std::move(f), t);
}

}  // namespace lw
