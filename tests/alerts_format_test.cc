// Payload formats, the kind table, RFC 5322 mail and RFC 5424 syslog framing, without
// any network: the shapes receivers rely on.
#include <catch2/catch.hpp>
#include <regex>

#include "alerts/format.h"
#include "alerts/sinks.h"

using namespace lw;
using nlohmann::json;

namespace {

json ExposureEvent(const std::string& severity = "exposure") {
  return json{{"id", "0123456789abcdef0123456789abcdef"},
              {"watchlists", {"vip", "execs"}},
              {"labels", json::array()},
              {"kind", "email"},
              {"hint", "z*******i@icloud.com"},
              {"source", "paste|site"},
              {"location", "https://p.example/raw/a=b\\c\nd"},
              {"first_seen", "2026-12-07T10:00:00Z"},
              {"last_seen", "2026-12-07T11:00:00Z"},
              {"severity", severity},
              {"match", "exact"},
              {"identifier_hash", std::string(64, 'a')}};
}

const RenderContext kContext{"sensor-1", "0.1.0", 1796637600};

// CEF extension values, unescaped, by key. Fails the test on an unescaped "=" inside a
// value or an unknown escape.
std::map<std::string, std::string> CefExtension(const std::string& ext) {
  std::map<std::string, std::string> out;
  std::string key, value;
  bool in_key = true;
  for (size_t i = 0; i < ext.size(); ++i) {
    char c = ext[i];
    if (in_key) {
      if (c == '=') in_key = false;
      else key += c;
      continue;
    }
    if (c == '\\') {
      char n = ext.at(++i);
      REQUIRE((n == '\\' || n == '=' || n == 'n' || n == 'r'));
      value += n == 'n' ? '\n' : n == 'r' ? '\r' : n;
      continue;
    }
    REQUIRE(c != '=');
    if (c == ' ') {  // a space ends the value when a key= follows
      size_t eq = ext.find('=', i + 1), sp = ext.find(' ', i + 1);
      if (eq != std::string::npos && (sp == std::string::npos || eq < sp)) {
        out[key] = value;
        key.clear();
        value.clear();
        in_key = true;
        continue;
      }
    }
    value += c;
  }
  out[key] = value;
  return out;
}

}  // namespace

TEST_CASE("formats: the table") {
  CHECK(FormatNames() == std::vector<std::string>{"json", "slack", "splunk_hec", "ecs", "cef"});
  for (const std::string& name : FormatNames()) {
    auto f = MakeFormat(name);
    REQUIRE(f);
    CHECK(f->name() == name);
    // Every format renders an event kind it has never heard of (a source-health change).
    json health{{"event", "source_health"}, {"source", "pastebin"}, {"health", "blocked"}, {"previous", "ok"},
                {"at", "2026-12-07T10:00:00Z"}};
    std::string out = f->Render(health, kContext);
    CHECK(out.find("blocked") != std::string::npos);
  }
  CHECK(!MakeFormat("xml"));
}

TEST_CASE("formats: splunk_hec envelope and ecs document") {
  json hec = json::parse(MakeFormat("splunk_hec")->Render(ExposureEvent(), kContext));
  CHECK(hec["time"] == 1796637600);
  CHECK(hec["host"] == "sensor-1");
  CHECK(hec["source"] == "leakwatch");
  CHECK(hec["sourcetype"] == "leakwatch:exposure");
  CHECK(hec["event"] == ExposureEvent());

  json ecs = json::parse(MakeFormat("ecs")->Render(ExposureEvent("credential"), kContext));
  CHECK(ecs["@timestamp"] == "2026-12-07T10:00:00Z");
  CHECK(ecs["event"]["kind"] == "alert");
  CHECK(ecs["event"]["category"] == json::array({"threat"}));
  CHECK(ecs["event"]["severity"] == 73);
  CHECK(ecs["event"]["id"] == "0123456789abcdef0123456789abcdef");
  CHECK(ecs["event"]["action"] == "exposure");
  CHECK(ecs["url"]["full"] == "https://p.example/raw/a=b\\c\nd");
  CHECK(ecs["tags"] == json::array({"vip", "execs"}));
  CHECK(ecs["leakwatch"] == ExposureEvent("credential"));
  CHECK(ecs["observer"]["hostname"] == "sensor-1");
  json file = ExposureEvent();
  file["location"] = "/leaks/dump.sql";
  CHECK(json::parse(MakeFormat("ecs")->Render(file, kContext))["file"]["path"] == "/leaks/dump.sql");
  CHECK(json::parse(MakeFormat("ecs")->Render(file, kContext))["event"]["severity"] == 47);
}

TEST_CASE("formats: cef header, mapping and escaping") {
  std::string line = MakeFormat("cef")->Render(ExposureEvent("credential"), kContext);
  CHECK(line.find('\n') == std::string::npos);
  REQUIRE(line.starts_with("CEF:0|leakwatch|leakwatch|0.1.0|exposure|Watched identifier exposed|8|"));
  auto ext = CefExtension(line.substr(std::string("CEF:0|leakwatch|leakwatch|0.1.0|exposure|Watched identifier exposed|8|").size()));
  CHECK(ext["externalId"] == "0123456789abcdef0123456789abcdef");
  CHECK(ext["duser"] == "z*******i@icloud.com");
  CHECK(ext["request"] == "https://p.example/raw/a=b\\c\nd");
  CHECK(ext["rt"] == "1796637600000");
  CHECK(ext["end"] == "1796641200000");
  CHECK(ext["cs2Label"] == "source");
  CHECK(ext["cs2"] == "paste|site");  // "|" needs no escape in the extension
  CHECK(ext["cs3"] == "vip,execs");
  CHECK(ext["cat"] == "credential");
  CHECK(ext["dvchost"] == "sensor-1");
  CHECK(MakeFormat("cef")->Render(ExposureEvent(), kContext).find("|Watched identifier exposed|5|") != std::string::npos);
  json bulk{{"event", "bulk_exposure"}, {"source", "a|b"}, {"count", 3}, {"by_severity", {{"credential", 1}}}};
  std::string b = MakeFormat("cef")->Render(bulk, kContext);
  CHECK(b.find("|bulk_exposure|Watched identifiers exposed in bulk|8|") != std::string::npos);
  CHECK(b.find("cnt=3") != std::string::npos);
  json odd{{"event", "we|ird\nname"}};
  CHECK(MakeFormat("cef")->Render(odd, kContext).find("|we\\|ird name|we\\|ird name|3|") != std::string::npos);
}

TEST_CASE("mail: RFC 5322 date, Message-ID, MIME-encoded subject, CRLF") {
  MailMessage m;
  m.from = "leakwatch@example.com";
  m.to = {"soc@example.com", "cert@example.com"};
  m.subject = "leakwatch: 1 new exposure";
  m.body = "line one\nline two\n";
  m.date = 1796637600;  // 2026-12-07 10:00:00 UTC, a Monday
  m.message_id = "<leakwatch.1@example.com>";
  std::string text = ComposeMail(m);
  CHECK(text.starts_with("Date: Mon, 07 Dec 2026 10:00:00 +0000\r\nMessage-ID: <leakwatch.1@example.com>\r\n"));
  CHECK(text.find("Subject: leakwatch: 1 new exposure\r\n") != std::string::npos);
  CHECK(text.find("To: soc@example.com, cert@example.com\r\n") != std::string::npos);
  CHECK(text.ends_with("\r\n\r\nline one\r\nline two\r\n"));
  m.subject = "leakwatch: 新的泄露 " + std::string(40, 'x') + " 告警";
  text = ComposeMail(m);
  std::smatch match;
  REQUIRE(std::regex_search(text, match, std::regex("Subject: (=\\?utf-8\\?B\\?[A-Za-z0-9+/=]+\\?=(\r\n =\\?utf-8\\?B\\?[A-Za-z0-9+/=]+\\?=)*)\r\n")));
  for (size_t p = 0; p < text.size();) {  // no header line over 78 characters
    size_t e = text.find("\r\n", p);
    if (e == p) break;
    CHECK(e - p <= 78);
    p = e + 2;
  }
}

namespace {

class FakeSyslog final : public SyslogClient {
 public:
  size_t accept = 1000;
  std::vector<std::string> messages;
  std::string url, ca_file;
  SyslogSendResult Send(const std::string& u, const std::string& ca, const std::vector<std::string>& m,
                        int64_t) override {
    url = u;
    ca_file = ca;
    size_t n = std::min(accept, m.size());
    messages.insert(messages.end(), m.begin(), m.begin() + static_cast<long>(n));
    return {n, n < m.size() ? "connection reset" : ""};
  }
};

}  // namespace

TEST_CASE("syslog sink: RFC 5424 framing, MSGID, severity; a partial send retries the rest") {
  FakeSyslog syslog;
  FakeClock clock(1796637600);
  AlertTransports t;
  t.syslog = &syslog;
  t.clock = &clock;
  t.hostname = "sensor 1";
  AlertConfig c;
  c.name = "siem";
  c.kind = "syslog";
  c.url = "tls://siem.example.com:6514";
  c.ca_file = "/etc/ca.pem";
  c.format = "cef";
  auto sink = MakeSink(c, t);
  REQUIRE(sink);
  json summary{{"event", "exposure_summary"}, {"count", 4}, {"severity", "exposure"}};
  auto r = (*sink)->Deliver({ExposureEvent("credential"), summary});
  CHECK(r[0].state == DeliveryState::kDelivered);
  REQUIRE(syslog.messages.size() == 2);
  CHECK(syslog.ca_file == "/etc/ca.pem");
  CHECK(syslog.messages[0].starts_with(
      "<34>1 2026-12-07T10:00:00Z sensor1 leakwatch - 0123456789abcdef0123456789abcdef - CEF:0|leakwatch|"));
  CHECK(syslog.messages[1].starts_with("<36>1 2026-12-07T10:00:00Z sensor1 leakwatch - exposure_summary - CEF:0|"));
  c.format = "json";
  syslog.accept = 1;
  syslog.messages.clear();
  auto partial = (*MakeSink(c, t))->Deliver({ExposureEvent(), ExposureEvent()});
  CHECK(partial[0].state == DeliveryState::kDelivered);
  CHECK(partial[1].state == DeliveryState::kRetry);
  CHECK(partial[1].error == "connection reset");
  CHECK(json::parse(syslog.messages[0].substr(syslog.messages[0].find(" - {") + 3)) == ExposureEvent());
}

TEST_CASE("sinks: the kind table checks formats, urls and keys") {
  AlertTransports t;
  auto make = [&](auto edit) {
    AlertConfig c;
    c.name = "s";
    c.kind = "webhook";
    c.url = "https://h.example.com/";
    edit(c);
    return MakeSink(c, t);
  };
  CHECK(make([](AlertConfig&) {}));
  CHECK(make([](AlertConfig& c) { c.format = "ecs"; }));
  CHECK(!make([](AlertConfig& c) { c.format = "cef"; }));
  CHECK(!make([](AlertConfig& c) { c.format = "splunk_hec"; }));  // needs token_env
  CHECK(make([](AlertConfig& c) { c.format = "splunk_hec"; c.token_env = "T"; }));
  CHECK(!make([](AlertConfig& c) { c.token_env = "T"; }));  // only for splunk_hec and ecs
  CHECK(make([](AlertConfig& c) { c.format = "ecs"; c.token_env = "T"; }));
  CHECK(!make([](AlertConfig& c) { c.kind = "syslog"; }));  // https:// is no syslog url
  CHECK(make([](AlertConfig& c) { c.kind = "syslog"; c.url = "udp://127.0.0.1"; c.format = "cef"; }));
  CHECK(!make([](AlertConfig& c) { c.kind = "syslog"; c.url = "udp://127.0.0.1"; c.format = "slack"; }));
  CHECK(!make([](AlertConfig& c) { c.kind = "syslog"; c.url = "udp://127.0.0.1"; c.ca_file = "/x"; }));
  auto unknown = make([](AlertConfig& c) { c.kind = "carrier-pigeon"; });
  REQUIRE(!unknown);
  CHECK(unknown.error().message.find("jsonl, webhook, syslog, email, exec") != std::string::npos);
}
