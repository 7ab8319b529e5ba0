#include "tests/fixture_server/fixture_server.h"

#include <httplib.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace lw {
namespace {

constexpr size_t kGzipBombInflatedBytes = 101u << 20;
constexpr size_t kLongLineBytes = 10u << 20;

// gzip of kGzipBombInflatedBytes zero bytes, made once per process.
const std::string& GzipBomb() {
  static const std::string bomb = [] {
    std::string out;
    z_stream z{};
    // windowBits 15 + 16: a gzip wrapper rather than zlib's.
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
      return out;
    }
    std::string zeros(1 << 20, '\0');
    char buf[1 << 16];
    for (size_t fed = 0; fed < kGzipBombInflatedBytes; fed += zeros.size()) {
      bool last = fed + zeros.size() >= kGzipBombInflatedBytes;
      z.next_in = reinterpret_cast<Bytef*>(zeros.data());
      z.avail_in = static_cast<uInt>(zeros.size());
      do {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
      } while (z.avail_out == 0);
    }
    deflateEnd(&z);
    return out;
  }();
  return bomb;
}

std::string HttpDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// -1 when `s` is not an IMF-fixdate.
std::time_t ParseHttpDate(const std::string& s) {
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr) return -1;
  return timegm(&tm);
}

std::string ContentTypeFor(const std::string& name) {
  auto ends = [&](std::string_view suffix) { return name.ends_with(suffix); };
  if (ends(".gbk.html")) return "text/html; charset=GBK";
  if (ends(".html") || ends(".htm")) return "text/html";
  if (ends(".json")) return "application/json";
  if (ends(".txt")) return "text/plain";
  return "application/octet-stream";
}

int64_t IntParam(const httplib::Request& req, const char* key, int64_t fallback) {
  if (!req.has_param(key)) return fallback;
  try {
    return std::stoll(req.get_param_value(key));
  } catch (...) {
    return fallback;
  }
}

}  // namespace

class FixtureServer::Impl {
 public:
  explicit Impl(FixtureServerOptions options) : options_(std::move(options)) {}

  // Sleeps `ms` unless the server stops first. False when it stopped.
  bool Sleep(int64_t ms) {
    std::unique_lock lock(mu_);
    return !stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping_; });
  }
  bool stopping() {
    std::lock_guard lock(mu_);
    return stopping_;
  }

  void Install();

  std::string StatsJson() const {
    nlohmann::json j;
    std::lock_guard lock(mu_);
    j["requests"] = requests_;
    j["user_agents"] = agents_;
    j["total"] = total_;
    j["in_flight"] = in_flight_;
    j["max_in_flight"] = max_in_flight_;
    return j.dump();
  }

  FixtureServerOptions options_;
  httplib::Server server_;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;                      // GUARDED_BY(mu_)
  std::map<std::string, int64_t> delays_;      // GUARDED_BY(mu_)
  std::map<std::string, int> requests_;        // GUARDED_BY(mu_)
  std::map<std::string, std::string> agents_;  // GUARDED_BY(mu_)
  std::map<std::string, int> failures_sent_;   // GUARDED_BY(mu_): /status/* per path
  int total_ = 0;                              // GUARDED_BY(mu_)
  int in_flight_ = 0;                          // GUARDED_BY(mu_)
  int max_in_flight_ = 0;                      // GUARDED_BY(mu_)
  nlohmann::json collected_ = nlohmann::json::array();  // GUARDED_BY(mu_): POST /__collect/*

 private:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  // Wraps a handler with the bookkeeping every request gets: counters, the per-path
  // delay and the in-flight gauge.
  Handler Tracked(Handler h);
  void ServeStatic(const httplib::Request& req, httplib::Response& res);
  // True the first `times` requests to `path` (and for ever when times < 0).
  bool ShouldFail(const std::string& path, int64_t times);
};

FixtureServer::Impl::Handler FixtureServer::Impl::Tracked(Handler h) {
  return [this, h = std::move(h)](const httplib::Request& req, httplib::Response& res) {
    int64_t delay = 0;
    {
      std::lock_guard lock(mu_);
      ++requests_[req.path];
      ++total_;
      agents_[req.path] = req.get_header_value("User-Agent");
      max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
      if (auto it = delays_.find(req.path); it != delays_.end()) delay = it->second;
    }
    if (delay <= 0 || Sleep(delay)) h(req, res);
    std::lock_guard lock(mu_);
    --in_flight_;
  };
}

bool FixtureServer::Impl::ShouldFail(const std::string& path, int64_t times) {
  std::lock_guard lock(mu_);
  int& sent = failures_sent_[path];
  if (times >= 0 && sent >= times) return false;
  ++sent;
  return true;
}

void FixtureServer::Impl::ServeStatic(const httplib::Request& req, httplib::Response& res) {
  namespace fs = std::filesystem;
  std::string rel = req.path;
  if (options_.root.empty() || rel.empty() || rel.front() != '/' ||
      rel.find('\0') != std::string::npos) {
    res.status = 404;
    return;
  }
  for (const auto& part : fs::path(rel)) {
    if (part == "..") {
      res.status = 404;
      return;
    }
  }
  if (rel.back() == '/') rel += "index.html";
  fs::path file = fs::path(options_.root) / rel.substr(1);
  struct stat st;
  if (stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    res.status = 404;
    res.set_content("not found\n", "text/plain");
    return;
  }
  std::ostringstream etag;
  etag << '"' << std::hex << st.st_size << '-' << st.st_mtim.tv_sec << '-'
       << st.st_mtim.tv_nsec << '"';
  std::string last_modified = HttpDate(st.st_mtim.tv_sec);
  res.set_header("ETag", etag.str());
  res.set_header("Last-Modified", last_modified);

  bool not_modified = false;
  if (req.has_header("If-None-Match")) {
    std::string inm = req.get_header_value("If-None-Match");
    not_modified = inm == "*" || inm.find(etag.str()) != std::string::npos;
  } else if (req.has_header("If-Modified-Since")) {
    std::time_t since = ParseHttpDate(req.get_header_value("If-Modified-Since"));
    not_modified = since != -1 && st.st_mtim.tv_sec <= since;
  }
  if (not_modified) {
    res.status = 304;
    return;
  }
  std::ifstream in(file, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  res.set_content(body, ContentTypeFor(file.filename().string()));
}

void FixtureServer::Impl::Install() {
  using httplib::Request;
  using httplib::Response;
  server_.set_keep_alive_timeout(options_.keep_alive_seconds);

  server_.Get("/__stats", [this](const Request&, Response& res) {
    res.set_content(StatsJson(), "application/json");
  });

  // A receiver for alert tests: records each POST (path, headers, body) and answers as
  // Splunk's HEC does; /__collected lists what came.
  server_.Post(R"(/__collect/.*)", Tracked([this](const Request& req, Response& res) {
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& [name, value] : req.headers) headers[name] = value;
    {
      std::lock_guard lock(mu_);
      if (collected_.size() < 10000) collected_.push_back({{"path", req.path}, {"headers", headers}, {"body", req.body}});
    }
    res.set_content(R"({"text":"Success","code":0})", "application/json");
  }));
  server_.Get("/__collected", [this](const Request&, Response& res) {
    std::lock_guard lock(mu_);
    res.set_content(collected_.dump(), "application/json");
  });

  server_.Get("/__headers", Tracked([](const Request& req, Response& res) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [name, value] : req.headers) j[name] = value;
    res.set_content(j.dump(), "application/json");
  }));

  server_.Get("/status/429", Tracked([this](const Request& req, Response& res) {
    if (!ShouldFail(req.path, IntParam(req, "times", 1))) {
      res.set_content("ok\n", "text/plain");
      return;
    }
    int64_t seconds = IntParam(req, "retry_after", 1);
    res.status = 429;
    res.set_header("Retry-After", req.has_param("date")
                                      ? HttpDate(std::time(nullptr) + seconds)
                                      : std::to_string(seconds));
    res.set_content("slow down\n", "text/plain");
  }));

  server_.Get("/status/503", Tracked([this](const Request& req, Response& res) {
    if (!ShouldFail(req.path, IntParam(req, "times", -1))) {
      res.set_content("ok\n", "text/plain");
      return;
    }
    res.status = 503;
    if (req.has_param("retry_after")) res.set_header("Retry-After", req.get_param_value("retry_after"));
    res.set_content("unavailable\n", "text/plain");
  }));

  server_.Get("/hostile/gzip-bomb", Tracked([](const Request&, Response& res) {
    // application/octet-stream: httplib compresses text types itself, which would
    // wrap the bomb in a second layer.
    res.set_header("Content-Encoding", "gzip");
    res.set_content(GzipBomb(), "application/octet-stream");
  }));

  server_.Get("/hostile/endless", Tracked([this](const Request&, Response& res) {
    res.set_chunked_content_provider(
        "application/octet-stream", [this](size_t, httplib::DataSink& sink) {
          static const std::string chunk(64 * 1024, 'A');
          if (stopping()) return false;
          return sink.write(chunk.data(), chunk.size());
        });
  }));

  server_.Get("/hostile/trickle", Tracked([this](const Request&, Response& res) {
    res.set_chunked_content_provider(
        "application/octet-stream", [this](size_t offset, httplib::DataSink& sink) {
          if (offset >= 60) {
            sink.done();
            return true;
          }
          if (offset > 0 && !Sleep(1000)) return false;
          return sink.write("x", 1);
        });
  }));

  server_.Get("/hostile/redirect-loop", Tracked([](const Request&, Response& res) {
    res.set_redirect("/hostile/redirect-loop", 302);
  }));

  server_.Get("/hostile/redirect-to", Tracked([](const Request& req, Response& res) {
    res.set_redirect(req.get_param_value("url"), 302);
  }));

  server_.Get("/hostile/long-line", Tracked([](const Request&, Response& res) {
    res.set_content(std::string(kLongLineBytes, 'x'), "text/plain");
  }));

  server_.Get("/hostile/invalid-utf8", Tracked([](const Request&, Response& res) {
    res.set_content("user \xff\xfe@example.com \xc3\x28 \xed\xa0\x80 \xf8\x88\x80\x80\x80\n",
                    "text/plain; charset=utf-8");
  }));

  server_.Get("/slow", Tracked([this](const Request& req, Response& res) {
    Sleep(std::clamp<int64_t>(IntParam(req, "ms", 100), 0, 60000));
    res.set_content("ok\n", "text/plain");
  }));

  server_.Get(".*", Tracked([this](const Request& req, Response& res) { ServeStatic(req, res); }));
}

FixtureServer::FixtureServer(FixtureServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

FixtureServer::~FixtureServer() { Stop(); }

Status FixtureServer::Start() {
  impl_->Install();
  int port = impl_->options_.port;
  if (port == 0) {
    port = impl_->server_.bind_to_any_port("127.0.0.1");
    if (port <= 0) return Fail(Error::IO("fixture server: cannot bind 127.0.0.1"));
  } else if (!impl_->server_.bind_to_port("127.0.0.1", port)) {
    return Fail(Error::IO("fixture server: cannot bind 127.0.0.1:" + std::to_string(port)));
  }
  port_ = port;
  impl_->thread_ = std::thread([impl = impl_.get()] { impl->server_.listen_after_bind(); });
  // httplib's stop() is a no-op until the accept loop runs; wait for it (bounded) so
  // that a Stop() right after Start() cannot leave the thread serving for ever.
  for (int i = 0; i < 5000 && !impl_->server_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!impl_->server_.is_running()) return Fail(Error::IO("fixture server: did not start"));
  return Ok();
}

void FixtureServer::Stop() {
  {
    std::lock_guard lock(impl_->mu_);
    impl_->stopping_ = true;
  }
  impl_->stop_cv_.notify_all();
  if (impl_->thread_.joinable()) {
    impl_->server_.stop();
    impl_->thread_.join();
  }
}

std::string FixtureServer::Url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void FixtureServer::SetDelay(const std::string& path, int64_t ms) {
  std::lock_guard lock(impl_->mu_);
  if (ms <= 0) {
    impl_->delays_.erase(path);
  } else {
    impl_->delays_[path] = ms;
  }
}

int FixtureServer::RequestCount(const std::string& path) const {
  std::lock_guard lock(impl_->mu_);
  auto it = impl_->requests_.find(path);
  return it == impl_->requests_.end() ? 0 : it->second;
}

int FixtureServer::TotalRequests() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->total_;
}

int FixtureServer::InFlight() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->in_flight_;
}

int FixtureServer::MaxInFlight() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->max_in_flight_;
}

std::string FixtureServer::LastUserAgent(const std::string& path) const {
  std::lock_guard lock(impl_->mu_);
  auto it = impl_->agents_.find(path);
  return it == impl_->agents_.end() ? "" : it->second;
}

std::string FixtureServer::StatsJson() const { return impl_->StatsJson(); }

void FixtureServer::ResetStats() {
  std::lock_guard lock(impl_->mu_);
  impl_->requests_.clear();
  impl_->agents_.clear();
  impl_->failures_sent_.clear();
  impl_->total_ = 0;
  impl_->max_in_flight_ = impl_->in_flight_;
}

}  // namespace lw
