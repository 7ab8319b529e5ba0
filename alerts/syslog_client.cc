// SyslogClient over sockets: UDP datagrams, TCP with RFC 6587 octet counting, and the
// same inside TLS (RFC 5425) with OpenSSL, verifying the server's certificate and name.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "alerts/transport.h"

namespace lw {
namespace {

struct Endpoint {
  std::string scheme, host, port;
};

Result<Endpoint> ParseUrl(const std::string& url) {
  Endpoint e;
  size_t colon = url.find("://");
  if (colon == std::string::npos) return Fail(Error::Config("syslog url must be udp://, tcp:// or tls://: " + url));
  e.scheme = url.substr(0, colon);
  std::string rest = url.substr(colon + 3);
  if (size_t slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  if (rest.starts_with("[")) {
    size_t close = rest.find(']');
    if (close == std::string::npos) return Fail(Error::Config("bad syslog host in " + url));
    e.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') e.port = rest.substr(close + 2);
  } else if (size_t c = rest.rfind(':'); c != std::string::npos) {
    e.host = rest.substr(0, c);
    e.port = rest.substr(c + 1);
  } else {
    e.host = rest;
  }
  if (e.scheme != "udp" && e.scheme != "tcp" && e.scheme != "tls")
    return Fail(Error::Config("syslog url must be udp://, tcp:// or tls://: " + url));
  if (e.host.empty()) return Fail(Error::Config("syslog url without a host: " + url));
  if (e.port.empty()) e.port = e.scheme == "tls" ? "6514" : "514";
  return e;
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Connects (for UDP: sets the peer) within the timeout; the socket is left blocking with
// send and receive timeouts.
Result<Fd> Connect(const Endpoint& e, int64_t timeout_ms) {
  addrinfo hints{};
  hints.ai_socktype = e.scheme == "udp" ? SOCK_DGRAM : SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(e.host.c_str(), e.port.c_str(), &hints, &res); rc != 0)
    return Fail(Error::IO(e.host + ": " + ::gai_strerror(rc)));
  std::string last_error = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
    if (fd.get() < 0) continue;
    int rc = ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd.get(), POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(timeout_ms)) == 1) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
        errno = err;
      } else {
        errno = ETIMEDOUT;
      }
    }
    if (rc != 0) {
      last_error = std::strerror(errno);
      continue;
    }
    ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
    timeval tv{static_cast<time_t>(timeout_ms / 1000), static_cast<suseconds_t>((timeout_ms % 1000) * 1000)};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::freeaddrinfo(res);
    return fd;
  }
  ::freeaddrinfo(res);
  return Fail(Error::IO("connecting to " + e.host + ":" + e.port + ": " + last_error));
}

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "TLS error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

struct SslCtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslDeleter {
  void operator()(SSL* s) const { SSL_free(s); }
};

class SocketSyslogClient final : public SyslogClient {
 public:
  SyslogSendResult Send(const std::string& url, const std::string& ca_file, const std::vector<std::string>& messages,
                        int64_t timeout_ms) override {
    SyslogSendResult result;
    auto endpoint = ParseUrl(url);
    if (!endpoint) return {0, endpoint.error().message};
    auto fd = Connect(*endpoint, timeout_ms);
    if (!fd) return {0, fd.error().message};
    if (endpoint->scheme == "udp") {
      for (const std::string& m : messages) {
        if (::send(fd->get(), m.data(), m.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(m.size()))
          return {result.sent, "udp send: " + std::string(std::strerror(errno))};
        ++result.sent;
      }
      return result;
    }
    ::signal(SIGPIPE, SIG_IGN);  // a peer that hangs up is an error to report, not a signal
    std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx;
    std::unique_ptr<SSL, SslDeleter> ssl;
    if (endpoint->scheme == "tls") {
      ctx.reset(SSL_CTX_new(TLS_client_method()));
      if (!ctx) return {0, OpenSslError()};
      SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
      SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
      int ok = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx.get())
                               : SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr);
      if (ok != 1) return {0, "loading CA certificates " + ca_file + ": " + OpenSslError()};
      ssl.reset(SSL_new(ctx.get()));
      if (!ssl) return {0, OpenSslError()};
      // The certificate must name the url's host: its DNS name, or its IP address.
      in6_addr ip;
      const bool literal = ::inet_pton(AF_INET, endpoint->host.c_str(), &ip) == 1 ||
                           ::inet_pton(AF_INET6, endpoint->host.c_str(), &ip) == 1;
      if (literal) {
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), endpoint->host.c_str()) != 1)
          return {0, "bad IP address " + endpoint->host};
      } else {
        SSL_set_tlsext_host_name(ssl.get(), endpoint->host.c_str());
        if (SSL_set1_host(ssl.get(), endpoint->host.c_str()) != 1) return {0, "bad host name " + endpoint->host};
      }
      SSL_set_fd(ssl.get(), fd->get());
      if (SSL_connect(ssl.get()) != 1) {
        long verify = SSL_get_verify_result(ssl.get());
        std::string why = verify != X509_V_OK ? X509_verify_cert_error_string(verify) : OpenSslError();
        return {0, "TLS handshake with " + endpoint->host + ": " + why};
      }
    }
    for (const std::string& m : messages) {
      std::string frame = std::to_string(m.size()) + " " + m;  // RFC 6587 octet counting
      size_t done = 0;
      while (done < frame.size()) {
        ssize_t w;
        if (ssl) {
          w = SSL_write(ssl.get(), frame.data() + done, static_cast<int>(frame.size() - done));
        } else {
          w = ::send(fd->get(), frame.data() + done, frame.size() - done, MSG_NOSIGNAL);
          if (w < 0 && errno == EINTR) continue;
        }
        if (w <= 0) {
          std::string why = ssl ? OpenSslError() : std::strerror(errno);
          return {result.sent, endpoint->scheme + " send: " + why};
        }
        done += static_cast<size_t>(w);
      }
      ++result.sent;
    }
    if (ssl) SSL_shutdown(ssl.get());
    return result;
  }
};

}  // namespace

std::unique_ptr<SyslogClient> NewSocketSyslogClient() { return std::make_unique<SocketSyslogClient>(); }

}  // namespace lw
