// The outside world alerts talk to, behind interfaces so that tests can fake it:
// HTTP POST (webhooks), SMTP (email digests), syslog (UDP, TCP, TLS) and running a
// command (exec sinks). Production implementations: NewCurlHttpClient,
// NewCurlMailClient (libcurl), NewSocketSyslogClient (sockets, OpenSSL) and
// NewProcessRunner (fork/exec, no shell).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
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
  std::string subject;                // UTF-8; MIME-encoded (RFC 2047) when not ASCII
  std::string body;                   // plain text, UTF-8
  UnixSeconds date = 0;               // the Date: header
  std::string message_id;             // the Message-ID: header, with its angle brackets
};

// The RFC 5322 message for `m`: Date, Message-ID, From, To, Subject (RFC 2047 encoded
// when not ASCII), MIME headers, then the body with CRLF line ends.
std::string ComposeMail(const MailMessage& m);
// RFC 5322 date-time in UTC: "Mon, 07 Dec 2026 12:35:28 +0000".
std::string FormatRfc5322Date(UnixSeconds t);

class MailClient {
 public:
  virtual ~MailClient() = default;
  // Ok when the server accepted the message; the error says what failed otherwise.
  virtual Status Send(const MailMessage& message, int64_t timeout_ms) = 0;
};

struct SyslogSendResult {
  size_t sent = 0;     // messages handed over, in order, before the first failure
  std::string error;   // empty when all were sent
};

class SyslogClient {
 public:
  virtual ~SyslogClient() = default;
  // Sends `messages` (complete RFC 5424 messages) to `url` over one connection:
  // udp://HOST[:514] one datagram each; tcp://HOST[:514] with RFC 6587 octet counting;
  // tls://HOST[:6514] the same inside TLS (RFC 5425), the server's certificate verified
  // against `ca_file` (or the system's CAs when empty) and its name against HOST.
  virtual SyslogSendResult Send(const std::string& url, const std::string& ca_file,
                                const std::vector<std::string>& messages, int64_t timeout_ms) = 0;
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
std::unique_ptr<SyslogClient> NewSocketSyslogClient();
std::unique_ptr<CommandRunner> NewProcessRunner();

}  // namespace lw
