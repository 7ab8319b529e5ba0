// The outside world alerts talk to, behind interfaces so that tests can fake it:
// HTTP POST (webhooks), SMTP (email digests) and running a command (exec sinks).
// Production implementations: NewCurlHttpClient, NewCurlMailClient (libcurl) and
// NewProcessRunner (fork/exec, no shell).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace lw {

struct HttpResponse {
  long status = 0;     // 0 when no response arrived
  std::string error;   // transport error (DNS, TLS, timeout), empty when a response arrived
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual HttpResponse Post(const std::string& url, const std::string& body,
                            const std::map<std::string, std::string>& headers, int64_t timeout_ms) = 0;
};

struct MailMessage {
  std::string url;                   // smtp://host:port (STARTTLS when offered) or smtps://host:port
  std::string username, password;    // empty: no AUTH
  std::string from;
  std::vector<std::string> to;
  std::string subject;
  std::string body;                  // plain text
};

class MailClient {
 public:
  virtual ~MailClient() = default;
  // Ok when the server accepted the message; the error says what failed otherwise.
  virtual Status Send(const MailMessage& message, int64_t timeout_ms) = 0;
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Runs argv[0] (looked up in PATH) with `input` on stdin; returns its exit status, or
  // an error when it could not be started or ran past the timeout (then it is killed).
  virtual Result<int> Run(const std::vector<std::string>& argv, const std::string& input, int64_t timeout_ms) = 0;
};

std::unique_ptr<HttpClient> NewCurlHttpClient();
std::unique_ptr<MailClient> NewCurlMailClient();
std::unique_ptr<CommandRunner> NewProcessRunner();

}  // namespace lw
