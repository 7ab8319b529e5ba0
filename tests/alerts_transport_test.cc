// The real transports against receivers started by the test on 127.0.0.1: an HTTP
// receiver that fails first and checks the signature, a minimal SMTP server, and real
// processes for exec.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "alerts/sinks.h"
#include "alerts/transport.h"

using namespace lw;

TEST_CASE("curl http client: statuses, signature verified by the receiver, timeouts") {
  httplib::Server server;
  std::atomic<int> calls{0};
  std::atomic<bool> signature_ok{false};
  server.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    int n = ++calls;
    // t=UNIXTIME,v1=HEX over "UNIXTIME." + body, the time within a minute of now.
    std::string header = req.get_header_value("X-Leakwatch-Signature");
    size_t comma = header.find(",v1=");
    long t = comma != std::string::npos && header.starts_with("t=") ? std::stol(header.substr(2, comma - 2)) : 0;
    signature_ok = comma != std::string::npos && std::labs(t - static_cast<long>(std::time(nullptr))) < 60 &&
                   header.substr(comma + 4) == WebhookSignature("k3y", t, req.body);
    res.status = n == 1 ? 500 : 200;
  });
  server.Post("/limited", [&](const httplib::Request&, httplib::Response& res) { res.status = 429; });
  server.Post("/rejected", [&](const httplib::Request&, httplib::Response& res) { res.status = 400; });
  server.Post("/slow", [&](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    res.status = 200;
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  AlertConfig c;
  c.name = "hook";
  c.kind = "webhook";
  c.url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  c.secret_env = "K";
  c.timeout_ms = 3000;
  auto http = NewCurlHttpClient();
  AlertTransports tr;
  tr.http = http.get();
  tr.env = [](const std::string&) { return std::string("k3y"); };
  auto sink = MakeSink(c, tr);
  REQUIRE(sink);
  nlohmann::json e{{"id", "abc"}, {"hint", "a*b@qq.com"}, {"severity", "exposure"}, {"watchlists", {"w"}}};
  auto first = (*sink)->Deliver({e});
  CHECK(first[0].state == DeliveryState::kRetry);
  CHECK(first[0].error == "HTTP 500");
  auto second = (*sink)->Deliver({e});
  CHECK(second[0].state == DeliveryState::kDelivered);
  CHECK(signature_ok);

  // 429 is retried later; 400 fails for good.
  c.url = "http://127.0.0.1:" + std::to_string(port) + "/limited";
  CHECK((*MakeSink(c, tr))->Deliver({e})[0].state == DeliveryState::kRetry);
  c.url = "http://127.0.0.1:" + std::to_string(port) + "/rejected";
  auto rejected = (*MakeSink(c, tr))->Deliver({e});
  CHECK(rejected[0].state == DeliveryState::kFailed);
  CHECK(rejected[0].error == "HTTP 400");
  c.url = "http://127.0.0.1:" + std::to_string(port) + "/slow";
  c.timeout_ms = 300;
  auto timed_out = (*MakeSink(c, tr))->Deliver({e});
  CHECK(timed_out[0].state == DeliveryState::kRetry);

  HttpResponse slow = http->Post("http://127.0.0.1:" + std::to_string(port) + "/slow", "{}", {}, 300);
  CHECK(slow.status == 0);
  CHECK(!slow.error.empty());
  HttpResponse refused = http->Post("http://127.0.0.1:1/none", "{}", {}, 1000);
  CHECK(refused.status == 0);
  server.stop();
  t.join();
}

namespace {

// Just enough SMTP for libcurl: one session, records the DATA.
class MiniSmtp {
 public:
  MiniSmtp() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 1);
    thread_ = std::thread([this] { Serve(); });
  }
  ~MiniSmtp() {
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  std::string data, rcpt;

 private:
  void Serve() {
    int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    timeval tv{5, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto send = [&](const std::string& s) { (void)::write(c, s.data(), s.size()); };
    std::string buf;
    auto line = [&]() -> std::string {
      for (;;) {
        size_t nl = buf.find("\r\n");
        if (nl != std::string::npos) {
          std::string l = buf.substr(0, nl);
          buf.erase(0, nl + 2);
          return l;
        }
        char tmp[4096];
        ssize_t n = ::read(c, tmp, sizeof tmp);
        if (n <= 0) return "QUIT";
        buf.append(tmp, static_cast<size_t>(n));
      }
    };
    send("220 mini ESMTP\r\n");
    for (;;) {
      std::string l = line();
      if (l.starts_with("EHLO") || l.starts_with("HELO")) send("250 mini\r\n");
      else if (l.starts_with("MAIL")) send("250 ok\r\n");
      else if (l.starts_with("RCPT")) {
        rcpt += l;
        send("250 ok\r\n");
      } else if (l == "DATA") {
        send("354 go\r\n");
        for (std::string d = line(); d != "." && d != "QUIT"; d = line()) data += d + "\n";
        send("250 queued\r\n");
      } else if (l.starts_with("QUIT")) {
        send("221 bye\r\n");
        break;
      } else {
        send("250 ok\r\n");
      }
    }
    ::close(c);
  }
  int fd_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST_CASE("email sink: the digest arrives through SMTP") {
  MiniSmtp smtp;
  AlertConfig c;
  c.name = "mail";
  c.kind = "email";
  c.url = "smtp://127.0.0.1:" + std::to_string(smtp.port());
  c.from = "leakwatch@example.com";
  c.to = {"soc@example.com"};
  c.timeout_ms = 5000;
  auto mail = NewCurlMailClient();
  AlertTransports tr;
  tr.mail = mail.get();
  tr.env = [](const std::string&) { return std::string(); };
  auto sink = MakeSink(c, tr);
  REQUIRE(sink);
  nlohmann::json e1{{"id", "id1"}, {"hint", "z***i@icloud.com"}, {"severity", "credential"}, {"watchlists", {"vip"}},
                    {"match", "exact"}, {"source", "pastebin"}, {"location", "https://p/1"}, {"first_seen", "T"}};
  nlohmann::json e2{{"id", "id2"}, {"hint", "+86*********78"}, {"severity", "exposure"}, {"watchlists", {"vip"}},
                    {"match", "exact"}, {"source", "scan"}, {"location", "/d"}, {"first_seen", "T"}};
  auto r = (*sink)->Deliver({e1, e2});
  REQUIRE(r.size() == 2);
  CHECK(r[0].state == DeliveryState::kDelivered);
  CHECK(smtp.rcpt.find("soc@example.com") != std::string::npos);
  CHECK(smtp.data.find("Subject: leakwatch: 2 new exposures (1 with credentials)") != std::string::npos);
  CHECK(smtp.data.find("credential exposure of z***i@icloud.com (vip), exact match in pastebin: https://p/1") !=
        std::string::npos);
  CHECK(smtp.data.find("+86*********78") != std::string::npos);
}

TEST_CASE("process runner: stdin, exit codes, timeouts, missing commands") {
  auto runner = NewProcessRunner();
  std::string out = std::filesystem::temp_directory_path() / ("lw-exec-" + std::to_string(::getpid()));
  auto rc = runner->Run({"sh", "-c", "cat > " + out}, "{\"id\":\"x\"}\n", 5000);
  REQUIRE(rc);
  CHECK(*rc == 0);
  std::ifstream in(out);
  std::string got((std::istreambuf_iterator<char>(in)), {});
  CHECK(got == "{\"id\":\"x\"}\n");
  std::filesystem::remove(out);
  CHECK(*runner->Run({"sh", "-c", "exit 3"}, "", 5000) == 3);
  CHECK(*runner->Run({"true"}, std::string(1 << 20, 'x'), 5000) == 0);  // does not read stdin
  auto slow = runner->Run({"sleep", "10"}, "", 200);
  REQUIRE(!slow);
  CHECK(slow.error().message.find("timed out") != std::string::npos);
  CHECK(!runner->Run({"/nonexistent/command"}, "", 1000));
}

TEST_CASE("socket syslog client: octet counting over TCP, datagrams over UDP, errors") {
  // A TCP listener that reads everything the client sends.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
  ::listen(listener, 1);
  std::string received;
  std::thread reader([&] {
    int c = ::accept(listener, nullptr, nullptr);
    char buf[4096];
    for (ssize_t n; (n = ::read(c, buf, sizeof buf)) > 0;) received.append(buf, static_cast<size_t>(n));
    ::close(c);
  });
  auto client = NewSocketSyslogClient();
  std::string port = std::to_string(ntohs(a.sin_port));
  SyslogSendResult r = client->Send("tcp://127.0.0.1:" + port, "", {"<36>1 - - leakwatch - x - héllo", "<34>1 b"}, 3000);
  reader.join();
  ::close(listener);
  CHECK(r.sent == 2);
  CHECK(r.error.empty());
  CHECK(received == "32 <36>1 - - leakwatch - x - héllo7 <34>1 b");  // byte counts, not characters

  int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in u{};
  u.sin_family = AF_INET;
  u.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(udp, reinterpret_cast<sockaddr*>(&u), sizeof u) == 0);
  len = sizeof u;
  ::getsockname(udp, reinterpret_cast<sockaddr*>(&u), &len);
  r = client->Send("udp://127.0.0.1:" + std::to_string(ntohs(u.sin_port)), "", {"one", "two"}, 3000);
  CHECK(r.sent == 2);
  char buf[64];
  CHECK(std::string(buf, static_cast<size_t>(::recv(udp, buf, sizeof buf, 0))) == "one");
  CHECK(std::string(buf, static_cast<size_t>(::recv(udp, buf, sizeof buf, 0))) == "two");
  ::close(udp);

  r = client->Send("tcp://127.0.0.1:1", "", {"x"}, 1000);
  CHECK(r.sent == 0);
  CHECK(r.error.find("connecting to 127.0.0.1:1") != std::string::npos);
  r = client->Send("tls://127.0.0.1:1", "/nonexistent/ca.pem", {"x"}, 1000);
  CHECK(r.sent == 0);
  CHECK(!r.error.empty());
  r = client->Send("http://127.0.0.1:1", "", {"x"}, 1000);
  CHECK(r.error.find("udp://, tcp:// or tls://") != std::string::npos);
}
