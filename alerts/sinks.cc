#include "alerts/sinks.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/keyed_hash.h"

namespace lw {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string JoinArray(const json& j, const char* key) {
  std::string out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const json& v : *it)
    if (v.is_string()) out += (out.empty() ? "" : ", ") + v.get<std::string>();
  return out;
}

// One readable line per exposure, for Slack and email.
std::string Describe(const json& e) {
  if (Str(e, "event") == "source_health") {
    std::string error = Str(e, "error");
    return "source " + Str(e, "source") + " is " + Str(e, "health") + " (was " + Str(e, "previous") + ")" +
           (error.empty() ? "" : ": " + error);
  }
  if (Str(e, "event") == "bulk_exposure") {
    std::string count = e.contains("count") && e["count"].is_number() ? std::to_string(e["count"].get<uint64_t>()) : "?";
    return "bulk exposure: " + count + " watched identifiers in one document of " + Str(e, "source") + ": " +
           Str(e, "location") + " (first seen " + Str(e, "first_seen") + "); list them with: " + Str(e, "list");
  }
  return Str(e, "severity") + " exposure of " + Str(e, "hint") + " (" + JoinArray(e, "watchlists") + "), " +
         Str(e, "match") + " match in " + Str(e, "source") + ": " + Str(e, "location") + " (first seen " +
         Str(e, "first_seen") + ", id " + Str(e, "id") + ")";
}

class JsonlSink final : public AlertSink {
 public:
  explicit JsonlSink(AlertConfig config) : AlertSink(std::move(config)) {}
  std::vector<Delivery> Deliver(const std::vector<json>& exposures) override {
    std::string lines;
    for (const json& e : exposures) lines += e.dump() + "\n";
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
    return std::vector<Delivery>(exposures.size(), d);
  }
};

class WebhookSink final : public AlertSink {
 public:
  WebhookSink(AlertConfig config, const AlertTransports& t) : AlertSink(std::move(config)), t_(t) {}
  std::vector<Delivery> Deliver(const std::vector<json>& exposures) override {
    std::vector<Delivery> out;
    std::string secret;
    if (!config_.secret_env.empty()) {
      secret = t_.env(config_.secret_env);
      if (secret.empty())
        return std::vector<Delivery>(exposures.size(),
                                     {DeliveryState::kRetry, "environment variable " + config_.secret_env + " is not set"});
    }
    for (const json& e : exposures) {
      std::string body = config_.format == "slack" ? json{{"text", "leakwatch: " + Describe(e)}}.dump() : e.dump();
      std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
      if (!secret.empty()) headers["X-Leakwatch-Signature"] = "sha256=" + WebhookSignature(secret, body);
      HttpResponse r = t_.http->Post(config_.url, body, headers, config_.timeout_ms);
      if (r.status == 0) {
        out.push_back({DeliveryState::kRetry, r.error});
      } else if (r.status >= 200 && r.status < 300) {
        out.push_back({DeliveryState::kDelivered, ""});
      } else if (r.status >= 400 && r.status < 500 && r.status != 408 && r.status != 429) {
        out.push_back({DeliveryState::kFailed, "HTTP " + std::to_string(r.status)});
      } else {
        out.push_back({DeliveryState::kRetry, "HTTP " + std::to_string(r.status)});
      }
    }
    return out;
  }

 private:
  AlertTransports t_;
};

class EmailSink final : public AlertSink {
 public:
  EmailSink(AlertConfig config, const AlertTransports& t) : AlertSink(std::move(config)), t_(t) {}
  std::vector<Delivery> Deliver(const std::vector<json>& exposures) override {
    MailMessage m;
    m.url = config_.url;
    m.from = config_.from;
    m.to = config_.to;
    if (!config_.username_env.empty()) m.username = t_.env(config_.username_env);
    if (!config_.password_env.empty()) m.password = t_.env(config_.password_env);
    size_t credentials = std::count_if(exposures.begin(), exposures.end(),
                                       [](const json& e) { return Str(e, "severity") == "credential"; });
    m.subject = "leakwatch: " + std::to_string(exposures.size()) + " new exposure" + (exposures.size() == 1 ? "" : "s") +
                (credentials ? " (" + std::to_string(credentials) + " with credentials)" : "");
    m.body = "leakwatch found watched identifiers in new leaks.\n\n";
    for (const json& e : exposures) m.body += "- " + Describe(e) + "\n";
    m.body += "\nHints are redacted; look an exposure up with: leakwatch history --hash <identifier_hash>\n";
    Status s = t_.mail->Send(m, config_.timeout_ms);
    Delivery d = s ? Delivery{DeliveryState::kDelivered, ""} : Delivery{DeliveryState::kRetry, s.error().message};
    return std::vector<Delivery>(exposures.size(), d);
  }

 private:
  AlertTransports t_;
};

class ExecSink final : public AlertSink {
 public:
  ExecSink(AlertConfig config, const AlertTransports& t) : AlertSink(std::move(config)), t_(t) {}
  std::vector<Delivery> Deliver(const std::vector<json>& exposures) override {
    std::vector<Delivery> out;
    for (const json& e : exposures) {
      auto rc = t_.exec->Run(config_.command, e.dump() + "\n", config_.timeout_ms);
      if (!rc) out.push_back({DeliveryState::kRetry, rc.error().message});
      else if (*rc != 0) out.push_back({DeliveryState::kRetry, config_.command[0] + " exited with " + std::to_string(*rc)});
      else out.push_back({DeliveryState::kDelivered, ""});
    }
    return out;
  }

 private:
  AlertTransports t_;
};

}  // namespace

bool AlertSink::Wants(const json& e) const {
  std::string event = Str(e, "event");
  if (event.empty()) event = "exposure";
  if (std::find(config_.events.begin(), config_.events.end(), event) == config_.events.end()) return false;
  if (event != "exposure") return true;  // severity and watchlists are an exposure's
  if (config_.min_severity == "credential" && Str(e, "severity") != "credential") return false;
  if (config_.watchlists.empty()) return true;
  auto it = e.find("watchlists");
  if (it == e.end() || !it->is_array()) return false;
  for (const json& w : *it)
    if (w.is_string() && std::find(config_.watchlists.begin(), config_.watchlists.end(), w.get<std::string>()) !=
                             config_.watchlists.end())
      return true;
  return false;
}

std::string WebhookSignature(const std::string& secret, const std::string& body) {
  return ToHex(KeyedHasher::Hmac(secret, body));
}

Result<std::unique_ptr<AlertSink>> MakeSink(const AlertConfig& c, const AlertTransports& t) {
  auto where = [&] { return "alert '" + c.name + "' (line " + std::to_string(c.line) + ")"; };
  if (c.kind == "jsonl") {
    if (c.path.empty()) return Fail(Error::Config(where() + ": a jsonl sink needs a path (\"-\" for stdout)"));
    return std::unique_ptr<AlertSink>(new JsonlSink(c));
  }
  if (c.kind == "webhook") {
    if (!c.url.starts_with("http://") && !c.url.starts_with("https://"))
      return Fail(Error::Config(where() + ": a webhook needs an http(s) url"));
    if (c.format != "" && c.format != "json" && c.format != "slack")
      return Fail(Error::Config(where() + ": format must be json or slack"));
    return std::unique_ptr<AlertSink>(new WebhookSink(c, t));
  }
  if (c.kind == "email") {
    if (!c.url.starts_with("smtp://") && !c.url.starts_with("smtps://"))
      return Fail(Error::Config(where() + ": an email sink needs an smtp:// or smtps:// url"));
    if (c.from.empty() || c.to.empty()) return Fail(Error::Config(where() + ": an email sink needs from and to"));
    return std::unique_ptr<AlertSink>(new EmailSink(c, t));
  }
  if (c.kind == "exec") {
    if (c.command.empty()) return Fail(Error::Config(where() + ": an exec sink needs a command (argv array)"));
    return std::unique_ptr<AlertSink>(new ExecSink(c, t));
  }
  return Fail(Error::Config(where() + ": unknown kind " + c.kind));
}

}  // namespace lw
