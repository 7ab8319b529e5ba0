// The alert outbox and sinks with fake transports: retries, backoff, permanent failures,
// filters, digests, and that nothing delivered is ever sent again.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <cstring>
#include <set>

#include "alerts/dispatcher.h"
#include "alerts/format.h"
#include "base/units.h"
#include "scratch_store.h"

using namespace lw;
using nlohmann::json;

namespace {

// Answers with the scripted statuses in order (then the last one forever); 0 = a
// transport error. Records every request.
class FakeHttp final : public HttpClient {
 public:
  std::vector<long> script{200};
  struct Request {
    std::string url, body;
    std::map<std::string, std::string> headers;
  };
  std::vector<Request> requests;
  HttpResponse Post(const std::string& url, const std::string& body, const std::map<std::string, std::string>& headers,
                    int64_t) override {
    requests.push_back({url, body, headers});
    long status = script[std::min(requests.size() - 1, script.size() - 1)];
    if (status == 0) return {0, "connection refused"};
    return {status, ""};
  }
};

class FakeMail final : public MailClient {
 public:
  bool fail = false;
  std::vector<MailMessage> sent;
  Status Send(const MailMessage& m, int64_t) override {
    if (fail) return Fail(Error::IO("smtp down"));
    sent.push_back(m);
    return Ok();
  }
};

class FakeRunner final : public CommandRunner {
 public:
  int exit_code = 0;
  std::vector<std::string> inputs;
  Result<int> Run(const std::vector<std::string>&, const std::string& input, int64_t) override {
    inputs.push_back(input);
    return exit_code;
  }
};

struct Fixture {
  Fixture() {
    t.http = &http;
    t.mail = &mail;
    t.exec = &runner;
    t.env = [this](const std::string& name) { return env.count(name) ? env[name] : std::string(); };
  }
  // `identifier`: which watched identifier (its digest is filled with it).
  std::string Record(const std::string& content, const std::string& severity = "exposure",
                     const std::string& watchlist = "execs", int identifier = 7) {
    Exposure e;
    e.identifier.fill(static_cast<uint8_t>(identifier));
    std::memcpy(e.identifier.data(), &identifier, sizeof identifier);
    e.content_digest = content;
    e.id = ExposureId(e.identifier, content);
    e.watchlists = {watchlist};
    e.hint = "z*******i@icloud.com";
    e.source = "test";
    e.location = "/x";
    e.first_seen = e.last_seen = clock.Now();
    e.severity = severity;
    e.match = "exact";
    REQUIRE(store->RecordExposure(e));
    return e.id;
  }
  std::unique_ptr<Dispatcher> Make(std::vector<AlertConfig> alerts) {
    auto d = Dispatcher::Make(*store, alerts, t, clock);
    REQUIRE(d);
    return std::move(*d);
  }
  ScratchStore scratch;
  std::string dir = scratch.dir();
  std::unique_ptr<Store>& store = scratch.store;
  FakeHttp http;
  FakeMail mail;
  FakeRunner runner;
  std::map<std::string, std::string> env;
  AlertTransports t;
  FakeClock clock{1800000000};
};

AlertConfig Webhook(const std::string& name = "hook") {
  AlertConfig a;
  a.name = name;
  a.kind = "webhook";
  a.url = "https://hooks.example.com/lw";
  a.secret_env = "LW_SECRET";
  return a;
}

}  // namespace

TEST_CASE("alerts: webhook signs the body; delivered entries leave and are never sent again") {
  Fixture f;
  f.env["LW_SECRET"] = "s3cret";
  std::string id = f.Record("c1");
  auto d = f.Make({Webhook()});
  auto r = d->Deliver({});
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].delivered == 1);
  REQUIRE(f.http.requests.size() == 1);
  const auto& req = f.http.requests[0];
  CHECK(req.headers.at("X-Leakwatch-Signature") ==
        "t=" + std::to_string(f.clock.Now()) + ",v1=" + WebhookSignature("s3cret", f.clock.Now(), req.body));
  json body = json::parse(req.body);
  CHECK(body["id"] == id);
  CHECK(body["hint"] == "z*******i@icloud.com");
  CHECK(f.store->Outbox()->empty());
  REQUIRE(d->Deliver({.ignore_backoff = true}));
  CHECK(f.http.requests.size() == 1);
  CHECK(d->Pending()->empty());
}

TEST_CASE("alerts: failures back off exponentially and stay pending; 4xx is permanent") {
  Fixture f;
  f.env["LW_SECRET"] = "k";
  f.http.script = {500, 0, 429, 200};
  f.Record("c1");
  auto d = f.Make({Webhook()});
  REQUIRE(d->Deliver({}));
  auto p = d->Pending();
  REQUIRE(p->size() == 1);
  CHECK((*p)[0].attempts == 1);
  CHECK((*p)[0].last_error == "HTTP 500");
  CHECK((*p)[0].next_attempt == f.clock.Now() + 60);
  REQUIRE(d->Deliver({}));  // not due yet: no request
  CHECK(f.http.requests.size() == 1);
  f.clock.Advance(60);
  REQUIRE(d->Deliver({}));
  CHECK(f.http.requests.size() == 2);
  CHECK((*d->Pending())[0].next_attempt == f.clock.Now() + 120);  // doubled
  f.clock.Advance(120);
  REQUIRE(d->Deliver({}));  // 429: retried
  CHECK((*d->Pending())[0].attempts == 3);
  f.clock.Advance(240);
  REQUIRE(d->Deliver({}));
  CHECK(d->Pending()->empty());
  CHECK(f.http.requests.size() == 4);

  Fixture g;
  g.env["LW_SECRET"] = "k";
  g.http.script = {400};
  g.Record("c2");
  auto d2 = g.Make({Webhook()});
  auto r = d2->Deliver({});
  CHECK((*r)[0].failed == 1);
  auto failed = d2->Pending();
  REQUIRE(failed->size() == 1);
  CHECK((*failed)[0].state == "failed");
  REQUIRE(d2->Deliver({.ignore_backoff = true}));
  CHECK(g.http.requests.size() == 1);  // never retried, still visible
  CHECK(d2->Pending()->size() == 1);
}

TEST_CASE("alerts: a missing webhook secret keeps the entry pending") {
  Fixture f;
  f.Record("c1");
  auto d = f.Make({Webhook()});
  REQUIRE(d->Deliver({}));
  CHECK(f.http.requests.empty());
  REQUIRE(d->Pending()->size() == 1);
  CHECK((*d->Pending())[0].last_error.find("LW_SECRET") != std::string::npos);
}

TEST_CASE("alerts: filters, slack format, email digest, exec, several sinks") {
  Fixture f;
  f.Record("c1", "credential", "execs");
  f.Record("c2", "exposure", "staff");
  AlertConfig hook = Webhook("slack");
  hook.secret_env = "";
  hook.format = "slack";
  hook.min_severity = "credential";
  AlertConfig mail;
  mail.name = "mail";
  mail.kind = "email";
  mail.url = "smtp://127.0.0.1:2525";
  mail.from = "leakwatch@example.com";
  mail.to = {"soc@example.com"};
  AlertConfig exec;
  exec.name = "exec";
  exec.kind = "exec";
  exec.command = {"/usr/local/bin/page-oncall"};
  exec.watchlists = {"staff"};
  auto d = f.Make({hook, mail, exec});
  auto r = d->Deliver({});
  REQUIRE(r);
  REQUIRE(f.http.requests.size() == 1);  // only the credential
  CHECK(json::parse(f.http.requests[0].body)["text"].get<std::string>().find("credential exposure of z*******i@icloud.com") !=
        std::string::npos);
  REQUIRE(f.mail.sent.size() == 1);  // one digest for both
  CHECK(f.mail.sent[0].subject == "leakwatch: 2 new exposures (1 with credentials)");
  CHECK(f.mail.sent[0].body.find("(staff)") != std::string::npos);
  REQUIRE(f.runner.inputs.size() == 1);  // only the staff one
  CHECK(json::parse(f.runner.inputs[0])["watchlists"][0] == "staff");
  CHECK(f.store->Outbox()->empty());
}

TEST_CASE("alerts: with no sinks configured entries wait; bad sink configs are errors") {
  Fixture f;
  f.Record("c1");
  auto d = f.Make({});
  REQUIRE(d->Deliver({}));
  CHECK(f.store->Outbox()->size() == 1);
  CHECK((*d->Pending())[0].sink == "(no sink configured)");
  AlertConfig bad;
  bad.name = "x";
  bad.kind = "jsonl";
  CHECK(!Dispatcher::Make(*f.store, {bad}, f.t, f.clock));
  CHECK(!d->Test("nosuch"));
}

TEST_CASE("alerts: jsonl appends one object per exposure") {
  Fixture f;
  std::string id1 = f.Record("c1"), id2 = f.Record("c2");
  AlertConfig a;
  a.name = "file";
  a.kind = "jsonl";
  a.path = f.dir + "/alerts.jsonl";
  auto d = f.Make({a});
  REQUIRE(d->Deliver({}));
  REQUIRE(d->Test("file"));
  std::ifstream in(a.path);
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  REQUIRE(lines.size() == 3);
  std::set<std::string> ids{lines[0]["id"], lines[1]["id"]};
  CHECK(ids == std::set<std::string>{id1, id2});
  CHECK(lines[2]["test"] == true);
}

TEST_CASE("alerts: a document with more new exposures than bulk_threshold is one bulk_exposure event") {
  Fixture f;
  f.env["LW_SECRET"] = "k";
  for (int i = 0; i < 150; ++i)
    f.Record("breach", i % 3 == 0 ? "credential" : "exposure", i < 100 ? "customers" : "staff", 100 + i);
  for (int i = 0; i < 3; ++i) f.Record("paste", "exposure", "staff", 1000 + i);
  AlertConfig bulk = Webhook("bulk");  // default threshold: 100
  AlertConfig each = Webhook("each");
  each.url = "https://hooks.example.com/each";
  each.bulk_threshold = 0;
  auto d = f.Make({bulk, each});
  auto r = d->Deliver({});
  REQUIRE(r);
  CHECK((*r)[0].delivered == 153);
  CHECK((*r)[1].delivered == 153);
  std::vector<json> to_bulk, to_each;
  for (const auto& req : f.http.requests)
    (req.url.ends_with("/each") ? to_each : to_bulk).push_back(json::parse(req.body));
  CHECK(to_each.size() == 153);
  REQUIRE(to_bulk.size() == 4);  // one bulk event, and the small document's three one by one
  const json* event = nullptr;
  for (const json& j : to_bulk)
    if (j.value("event", "") == "bulk_exposure") event = &j;
  REQUIRE(event != nullptr);
  CHECK((*event)["document"] == "breach");
  CHECK((*event)["count"] == 150);
  CHECK((*event)["by_watchlist"]["customers"] == 100);
  CHECK((*event)["by_watchlist"]["staff"] == 50);
  CHECK((*event)["by_severity"]["credential"] == 50);
  CHECK((*event)["by_severity"]["exposure"] == 100);
  CHECK((*event)["source"] == "test");
  CHECK((*event)["location"] == "/x");
  CHECK((*event)["first_seen"] == FormatRfc3339(f.clock.Now()));
  CHECK((*event)["list"] == "leakwatch exposures --document breach");
  CHECK(f.store->Outbox()->empty());  // every exposure it stands for is delivered
}

TEST_CASE("alerts: renotify folds an identifier's later exposures into one summary; a credential breaks through") {
  Fixture f;
  f.env["LW_SECRET"] = "k";
  AlertConfig hook = Webhook();
  hook.renotify_ms = 24 * 3600 * 1000;
  AlertConfig plain = Webhook("plain");  // no renotify: every exposure alerts
  plain.url = "https://hooks.example.com/plain";
  auto d = f.Make({hook, plain});
  std::vector<json> to_hook;
  auto deliver = [&] {
    size_t before = f.http.requests.size();
    REQUIRE(d->Deliver({}));
    for (size_t i = before; i < f.http.requests.size(); ++i)
      if (!f.http.requests[i].url.ends_with("/plain")) to_hook.push_back(json::parse(f.http.requests[i].body));
  };
  for (int i = 0; i < 100; ++i) {
    f.Record("doc" + std::to_string(i), i == 50 ? "credential" : "exposure", "execs", 7);
    if (i % 10 == 0) f.Record("other" + std::to_string(i), "exposure", "execs", 8);  // another identifier
    deliver();
    f.clock.Advance(60);
  }
  // Identifier 7: its first exposure and the credential; identifier 8: its first.
  REQUIRE(to_hook.size() == 3);
  CHECK(to_hook[0]["severity"] == "exposure");
  CHECK(to_hook[1]["severity"] == "exposure");
  CHECK(to_hook[2]["severity"] == "credential");
  auto pending = d->Pending();
  REQUIRE(pending);
  size_t folded = 0;
  for (const PendingAlert& p : *pending) {
    CHECK(p.sink == "hook");
    CHECK(p.state == "folded");
    CHECK(p.next_attempt == 1800000000 + 24 * 3600);
    folded += p.state == "folded";
  }
  CHECK(folded == 98 + 9);
  // A new Dispatcher (a later run, or after a crash) sees the same state.
  d = f.Make({hook, plain});
  f.clock.Advance(24 * 3600);
  deliver();
  REQUIRE(to_hook.size() == 5);
  std::map<std::string, json> summaries;
  for (size_t i = 3; i < 5; ++i) {
    CHECK(to_hook[i]["event"] == "exposure_summary");
    summaries[to_hook[i]["identifier_hash"]] = to_hook[i];
  }
  const json& s7 = summaries[to_hook[0]["identifier_hash"]];
  CHECK(s7["count"] == 98);
  CHECK(s7["hint"] == "z*******i@icloud.com");
  CHECK(s7["sources"] == json::array({"test"}));
  CHECK(s7["severity"] == "exposure");  // the credential went out on its own
  CHECK(s7["first_seen"] == FormatRfc3339(1800000000 + 60));
  CHECK(s7["last_seen"] == FormatRfc3339(1800000000 + 99 * 60));
  CHECK(s7.size() == 8);
  CHECK(summaries[to_hook[1]["identifier_hash"]]["count"] == 9);
  CHECK(f.store->Outbox()->empty());
  // The sink without renotify got every exposure.
  size_t to_plain = 0;
  for (const auto& r : f.http.requests) to_plain += r.url.ends_with("/plain");
  CHECK(to_plain == 110);
  // After the window, the next exposure alerts again.
  f.Record("after", "exposure", "execs", 7);
  deliver();
  REQUIRE(to_hook.size() == 6);
  CHECK(to_hook[5]["event"] == "exposure");
}

TEST_CASE("alerts: a folded summary that fails stays folded and is retried; a credential fold makes a credential summary") {
  Fixture f;
  f.env["LW_SECRET"] = "k";
  AlertConfig hook = Webhook();
  hook.renotify_ms = 3600 * 1000;
  auto d = f.Make({hook});
  f.Record("a", "credential");
  REQUIRE(d->Deliver({}));
  f.Record("b", "exposure");
  f.Record("c", "credential");
  REQUIRE(d->Deliver({}));
  CHECK(f.http.requests.size() == 1);
  f.clock.Advance(3600);
  f.http.script = {503};
  REQUIRE(d->Deliver({}));
  REQUIRE(f.http.requests.size() == 2);
  auto p = d->Pending();
  REQUIRE(p->size() == 2);
  CHECK((*p)[0].state == "folded");
  CHECK((*p)[0].last_error == "HTTP 503");
  f.http.script = {200};
  REQUIRE(d->Deliver({}));
  REQUIRE(f.http.requests.size() == 3);
  json summary = json::parse(f.http.requests[2].body);
  CHECK(summary["count"] == 2);
  CHECK(summary["severity"] == "credential");
  CHECK(f.store->Outbox()->empty());
}

TEST_CASE("alerts: source_health events go through the outbox to the sinks whose events take them") {
  Fixture f;
  f.env["LW_SECRET"] = "k";
  std::string id = f.Record("c1");
  json event{{"event", "source_health"}, {"source", "pastes"},  {"health", "blocked"},
             {"previous", "ok"},          {"error", "HTTP 403"}, {"at", "2027-01-15T08:00:00Z"}};
  REQUIRE(EnqueueEvent(*f.store, "source_health:pastes:1800000000", event));
  AlertConfig exposures_only = Webhook("exposures-only");
  exposures_only.events = {"exposure"};
  AlertConfig health_only = Webhook("health-only");
  health_only.url = "https://health.example.com/lw";
  health_only.events = {"source_health"};
  AlertConfig both = Webhook("both");
  both.url = "https://both.example.com/lw";
  both.min_severity = "credential";  // an exposure's filter; events pass it
  f.http.script = {500};             // first attempt fails: the event waits in the outbox
  auto d = f.Make({exposures_only, health_only, both});
  REQUIRE(d->Deliver({}));
  auto pending = d->Pending();
  REQUIRE(pending);
  std::set<std::string> waiting;
  for (const PendingAlert& p : *pending) waiting.insert(p.sink + " " + p.exposure_id);
  CHECK(waiting == std::set<std::string>{"exposures-only " + id, "health-only event:source_health:pastes:1800000000",
                                         "both event:source_health:pastes:1800000000"});
  f.http.requests.clear();
  f.http.script = {200};
  REQUIRE(d->Deliver({.ignore_backoff = true}));
  std::map<std::string, json> by_url;
  for (const auto& r : f.http.requests) by_url[r.url] = json::parse(r.body);
  REQUIRE(by_url.size() == 3);
  CHECK(by_url["https://hooks.example.com/lw"]["event"] == "exposure");
  CHECK(by_url["https://hooks.example.com/lw"]["id"] == id);
  CHECK(by_url["https://health.example.com/lw"] == event);
  CHECK(by_url["https://both.example.com/lw"] == event);
  CHECK(f.store->Outbox()->empty());  // delivered once to each, never again
  REQUIRE(d->Deliver({.ignore_backoff = true}));
  CHECK(f.http.requests.size() == 3);
}

TEST_CASE("alerts: every payload format renders a source_health event") {
  const json event{{"event", "source_health"}, {"source", "pastes"},  {"health", "blocked"},
                   {"previous", "ok"},          {"error", "HTTP 403"}, {"at", "2027-01-15T08:00:00Z"}};
  const RenderContext context{"host1", "1.2.3", 1800000000};
  CHECK(DescribeEvent(event) == "source pastes is blocked (was ok): HTTP 403");
  CHECK(json::parse(MakeFormat("json")->Render(event, context)) == event);
  CHECK(json::parse(MakeFormat("slack")->Render(event, context))["text"] ==
        "leakwatch: source pastes is blocked (was ok): HTTP 403");
  const json hec = json::parse(MakeFormat("splunk_hec")->Render(event, context));
  CHECK(hec["sourcetype"] == "leakwatch:source_health");
  CHECK(hec["event"] == event);
  const json ecs = json::parse(MakeFormat("ecs")->Render(event, context));
  CHECK(ecs["event"]["action"] == "source_health");
  CHECK(ecs["event"]["kind"] == "event");
  const std::string cef = MakeFormat("cef")->Render(event, context);
  CHECK(cef.starts_with("CEF:0|leakwatch|leakwatch|1.2.3|source_health|"));
}
