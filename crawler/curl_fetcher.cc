#include "crawler/curl_fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <list>
#include <mutex>
#include <optional>
#include <random>
#include <unordered_map>
#include <utility>

#include "crawler/address_guard.h"
#include "crawler/robots.h"

namespace lw {
namespace {

// ---------------------------------------------------------------------------------
// RAII for libcurl handles. Move-only; errors are converted where they are returned.

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
using CurlEasy = std::unique_ptr<CURL, EasyDeleter>;

struct MultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
using CurlMulti = std::unique_ptr<CURLM, MultiDeleter>;

struct UrlDeleter {
  void operator()(CURLU* h) const { curl_url_cleanup(h); }
};
using CurlUrl = std::unique_ptr<CURLU, UrlDeleter>;

// A curl_slist that frees itself.
class CurlSlist {
 public:
  CurlSlist() = default;
  CurlSlist(CurlSlist&& o) noexcept : list_(std::exchange(o.list_, nullptr)) {}
  CurlSlist& operator=(CurlSlist&& o) noexcept {
    std::swap(list_, o.list_);
    return *this;
  }
  CurlSlist(const CurlSlist&) = delete;
  CurlSlist& operator=(const CurlSlist&) = delete;
  ~CurlSlist() { curl_slist_free_all(list_); }

  // False when out of memory (the list is unchanged).
  bool Append(const std::string& s) {
    curl_slist* l = curl_slist_append(list_, s.c_str());
    if (l == nullptr) return false;
    list_ = l;
    return true;
  }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr int64_t kNever = INT64_MAX;

// ---------------------------------------------------------------------------------
// URLs

struct ParsedUrl {
  std::string scheme;  // lower case
  std::string origin;  // "scheme://host:port", the per-host key
  std::string path;    // path and query, for robots.txt
};

std::string GetPart(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* s = nullptr;
  if (curl_url_get(u, part, &s, flags) != CURLUE_OK || s == nullptr) return "";
  std::string out(s);
  curl_free(s);
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<ParsedUrl> ParseUrl(const std::string& url) {
  CurlUrl u(curl_url());
  if (!u) return std::nullopt;
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return std::nullopt;
  }
  ParsedUrl p;
  p.scheme = Lower(GetPart(u.get(), CURLUPART_SCHEME));
  std::string host = Lower(GetPart(u.get(), CURLUPART_HOST));
  std::string port = GetPart(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  p.origin = p.scheme + "://" + host + ":" + port;
  p.path = GetPart(u.get(), CURLUPART_PATH);
  if (p.path.empty()) p.path = "/";
  std::string query = GetPart(u.get(), CURLUPART_QUERY);
  if (!query.empty()) p.path += "?" + query;
  return p;
}

// Header names are RFC 9110 tokens; values may not carry CR, LF or NUL (no injection).
bool ValidHeader(const std::string& name, const std::string& value) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c <= 32 || c >= 127 || std::strchr("\"(),/:;<=>?@[\\]{}", c) != nullptr) return false;
  }
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

std::string FormatAddress(const sockaddr* a) {
  char ip[INET6_ADDRSTRLEN] = {};
  if (a->sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, a, sizeof in);
    inet_ntop(AF_INET, &in.sin_addr, ip, sizeof ip);
    return std::string(ip) + ":" + std::to_string(ntohs(in.sin_port));
  }
  if (a->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, a, sizeof in6);
    inet_ntop(AF_INET6, &in6.sin6_addr, ip, sizeof ip);
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(in6.sin6_port));
  }
  return "(address family " + std::to_string(a->sa_family) + ")";
}

// ---------------------------------------------------------------------------------
// Queued requests and transfers in flight

struct Job {
  FetchRequest request;
  ParsedUrl url;
  bool is_robots = false;   // the robots.txt fetch for url.origin
  int attempts = 0;         // transfers started so far
  int64_t not_before_ms = 0;
  // What the request ends in if it may not be retried after all (deadline).
  std::optional<FetchResult> give_up;
};

struct Transfer {
  std::unique_ptr<Job> job;
  CurlEasy easy;
  CurlSlist headers;
  std::string body;
  uint64_t max_body = 0;
  bool truncate_ok = false;      // robots.txt: keep the first max_body bytes
  bool too_large = false;
  bool guard = true;             // apply the private-address guard
  const std::vector<std::string>* exemptions = nullptr;
  bool address_refused = false;  // the guard refused at least one address
  std::string refused_address;
  char error[CURL_ERROR_SIZE] = {};
};

size_t OnBody(char* data, size_t size, size_t n, void* p) {
  auto* t = static_cast<Transfer*>(p);
  size_t len = size * n;
  if (t->body.size() + len > t->max_body) {
    if (t->truncate_ok) t->body.append(data, t->max_body - t->body.size());
    t->too_large = true;
    return 0;  // anything but len aborts the transfer with CURLE_WRITE_ERROR
  }
  t->body.append(data, len);
  return len;
}

// The guard's verdict on `a` for transfer t; records the refusal.
bool Refuse(Transfer* t, const sockaddr* a) {
  if (!t->guard || !IsPrivateAddress(a)) return false;
  std::string address = FormatAddress(a);
  if (std::find(t->exemptions->begin(), t->exemptions->end(), address) != t->exemptions->end()) return false;
  t->address_refused = true;
  t->refused_address = std::move(address);
  return true;
}

curl_socket_t OnOpenSocket(void* p, curlsocktype, curl_sockaddr* a) {
  auto* t = static_cast<Transfer*>(p);
  if (Refuse(t, &a->addr)) return CURL_SOCKET_BAD;
  return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

// Called before each request goes out, on a new connection or a reused one. The socket
// check above sees only new connections: a transfer whose policy refuses private
// addresses could otherwise reuse a connection that one allowed to them had opened to
// the same host. This checks the address every request is actually sent to.
int OnPrereq(void* p, char* primary_ip, char*, int primary_port, int) {
  auto* t = static_cast<Transfer*>(p);
  if (!t->guard) return CURL_PREREQFUNC_OK;
  sockaddr_storage ss{};
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, primary_ip, &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(primary_port));
  } else if (inet_pton(AF_INET6, primary_ip, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(primary_port));
  }  // else: family 0, which the guard refuses
  return Refuse(t, reinterpret_cast<const sockaddr*>(&ss)) ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

std::string HeaderValue(CURL* easy, const char* name) {
  curl_header* h = nullptr;
  if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || h == nullptr) {
    return "";
  }
  return h->value;
}

// Failures worth retrying: the connection was refused or broke. DNS failures are not
// (a name that does not resolve rarely starts to within seconds).
bool IsConnectionError(CURLcode c) {
  switch (c) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------

class CurlFetcher final : public Fetcher {
 public:
  explicit CurlFetcher(CurlFetcherOptions options)
      : options_(std::move(options)), multi_(curl_multi_init()), rng_(std::random_device{}()) {}

  ~CurlFetcher() override {
    for (auto& [easy, t] : transfers_) curl_multi_remove_handle(multi_.get(), easy);
    transfers_.clear();
  }

  void Run(std::vector<FetchRequest> requests, int concurrency, int64_t deadline_ms,
           const std::function<void(FetchResult)>& on_result) override;

 private:
  enum class RobotsState { kUnknown, kFetching, kReady };

  // Per-host state. robots* and next_start_ms outlive a Run(); in_flight does not.
  struct Host {
    int in_flight = 0;
    int64_t next_start_ms = 0;
    RobotsState robots_state = RobotsState::kUnknown;
    RobotsTxt robots = RobotsTxt::AllowAll();
    bool robots_for_this_run_only = false;
    bool address_denied = false;  // the guard refused the host itself
  };

  // Starts what the limits allow; returns when the next time-blocked job may start.
  int64_t StartReady(int64_t now, int64_t deadline_ms, size_t concurrency);
  // Adds a transfer for `job` to the multi handle, or finishes it on failure.
  void Start(std::unique_ptr<Job> job, int64_t now, int64_t deadline_ms);
  // Turns a finished transfer into a result, a retry or robots.txt rules.
  void Finish(CURL* easy, CURLcode code, int64_t deadline_ms);
  void Deliver(FetchResult r);
  void RobotsDone(const Job& job, const FetchResult& r, long redirects);
  static FetchResult BaseResult(const Job& job);

  const CurlFetcherOptions options_;
  CurlMulti multi_;
  std::mt19937_64 rng_;
  std::unordered_map<std::string, Host> hosts_;
  std::unordered_map<std::string, int> group_in_flight_;  // by FetchPolicy::group
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers_;
  std::list<std::unique_ptr<Job>> pending_;  // FIFO; robots fetches go before their host
  const std::function<void(FetchResult)>* on_result_ = nullptr;  // during Run()
};

FetchResult CurlFetcher::BaseResult(const Job& job) {
  FetchResult r;
  r.id = job.request.id;
  r.url = job.request.url;
  r.final_url = job.request.url;
  r.attempts = job.attempts;
  return r;
}

void CurlFetcher::Deliver(FetchResult r) {
  if (r.outcome != FetchOutcome::kOk) r.body.clear();
  (*on_result_)(std::move(r));
}

void CurlFetcher::Run(std::vector<FetchRequest> requests, int concurrency, int64_t deadline_ms,
                      const std::function<void(FetchResult)>& on_result) {
  on_result_ = &on_result;
  size_t max_in_flight = static_cast<size_t>(std::max(concurrency, 1));

  for (FetchRequest& req : requests) {
    auto job = std::make_unique<Job>();
    job->request = std::move(req);
    std::optional<ParsedUrl> url = ParseUrl(job->request.url);
    if (!url) {
      FetchResult r = BaseResult(*job);
      r.outcome = FetchOutcome::kNetworkError;
      r.error = "malformed URL";
      Deliver(std::move(r));
      continue;
    }
    if (url->scheme != "http" && url->scheme != "https") {
      FetchResult r = BaseResult(*job);
      r.outcome = FetchOutcome::kProtocolDenied;
      r.error = "scheme '" + url->scheme + "' is not http or https";
      Deliver(std::move(r));
      continue;
    }
    job->url = std::move(*url);
    pending_.push_back(std::move(job));
  }

  if (!multi_) {
    for (auto& job : pending_) {
      FetchResult r = BaseResult(*job);
      r.error = "curl_multi_init failed";
      Deliver(std::move(r));
    }
    pending_.clear();
  }

  while (!pending_.empty() || !transfers_.empty()) {
    int64_t now = NowMs();
    if (deadline_ms > 0 && now >= deadline_ms && !pending_.empty()) {
      // Nothing new starts; transfers in flight end by their capped timeouts.
      for (auto& job : pending_) {
        if (job->is_robots) {
          hosts_[job->url.origin].robots_state = RobotsState::kUnknown;
          continue;
        }
        FetchResult r = job->give_up ? *job->give_up : BaseResult(*job);
        if (!job->give_up) {
          r.outcome = FetchOutcome::kTimeout;
          r.error = "deadline reached before the request started";
        }
        Deliver(std::move(r));
      }
      pending_.clear();
    }
    int64_t next_start = StartReady(now, deadline_ms, max_in_flight);

    int running = 0;
    curl_multi_perform(multi_.get(), &running);
    bool finished_any = false;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Finish(msg->easy_handle, msg->data.result, deadline_ms);
      finished_any = true;
    }
    if (finished_any) continue;  // slots freed: schedule again before sleeping
    if (pending_.empty() && transfers_.empty()) break;

    int64_t wake = next_start;
    if (deadline_ms > 0 && !pending_.empty()) wake = std::min(wake, deadline_ms);
    now = NowMs();
    int64_t timeout = wake == kNever ? 1000 : std::clamp<int64_t>(wake - now, 0, 1000);
    curl_multi_poll(multi_.get(), nullptr, 0, static_cast<int>(timeout), nullptr);
  }

  // Robots.txt verdicts from a 5xx or an unreachable host hold for this run only.
  for (auto& [origin, host] : hosts_) {
    host.in_flight = 0;
    if (host.robots_for_this_run_only) {
      host.robots_state = RobotsState::kUnknown;
      host.robots_for_this_run_only = false;
      host.address_denied = false;
    }
  }
  on_result_ = nullptr;
}

int64_t CurlFetcher::StartReady(int64_t now, int64_t deadline_ms, size_t concurrency) {
  int64_t next_start = kNever;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (transfers_.size() >= concurrency) break;
    Job& job = **it;
    const FetchPolicy& policy = job.request.policy;
    Host& host = hosts_[job.url.origin];

    if (!job.is_robots && policy.obey_robots) {
      if (host.robots_state == RobotsState::kUnknown) {
        auto robots = std::make_unique<Job>();
        robots->is_robots = true;
        robots->request.url = job.url.origin + "/robots.txt";
        robots->request.policy = policy;
        robots->request.policy.max_body =
            std::min<uint64_t>(policy.max_body, RobotsTxt::kMaxParsedBytes);
        robots->url.scheme = job.url.scheme;
        robots->url.origin = job.url.origin;
        robots->url.path = "/robots.txt";
        host.robots_state = RobotsState::kFetching;
        it = pending_.insert(it, std::move(robots));
        continue;  // consider the robots.txt fetch now
      }
      if (host.robots_state == RobotsState::kFetching) {
        ++it;
        continue;
      }
      if (host.address_denied || !host.robots.IsAllowed(policy.user_agent, job.url.path)) {
        FetchResult r = BaseResult(job);
        if (host.address_denied) {
          r.outcome = FetchOutcome::kAddressDenied;
          r.error = "the host's address is private (refused when fetching robots.txt)";
        } else {
          r.outcome = FetchOutcome::kRobotsDenied;
          r.error = "disallowed by " + job.url.origin + "/robots.txt";
        }
        it = pending_.erase(it);
        Deliver(std::move(r));
        continue;
      }
    }

    if (host.in_flight >= std::max(policy.per_host_concurrency, 1) ||
        (policy.group_concurrency > 0 && group_in_flight_[policy.group] >= policy.group_concurrency)) {
      ++it;
      continue;
    }
    int64_t ready_at = std::max(job.not_before_ms, host.next_start_ms);
    if (ready_at > now) {
      next_start = std::min(next_start, ready_at);
      ++it;
      continue;
    }
    std::unique_ptr<Job> owned = std::move(*it);
    it = pending_.erase(it);
    Start(std::move(owned), now, deadline_ms);
  }
  return next_start;
}

void CurlFetcher::Start(std::unique_ptr<Job> job, int64_t now, int64_t deadline_ms) {
  const FetchPolicy& policy = job->request.policy;
  auto fail = [&](Job& j, std::string error) {
    FetchResult r = BaseResult(j);
    r.outcome = FetchOutcome::kNetworkError;
    r.error = std::move(error);
    if (j.is_robots) {
      RobotsDone(j, r, 0);
    } else {
      Deliver(std::move(r));
    }
  };

  auto t = std::make_unique<Transfer>();
  t->easy.reset(curl_easy_init());
  if (!t->easy) return fail(*job, "curl_easy_init failed");
  for (const auto& [name, value] : policy.headers) {
    if (!ValidHeader(name, value)) return fail(*job, "invalid request header '" + name + "'");
    if (!t->headers.Append(name + ": " + value)) return fail(*job, "out of memory");
  }
  if (!job->is_robots) {
    if (!job->request.etag.empty() && !t->headers.Append("If-None-Match: " + job->request.etag)) {
      return fail(*job, "out of memory");
    }
    if (!job->request.last_modified.empty() &&
        !t->headers.Append("If-Modified-Since: " + job->request.last_modified)) {
      return fail(*job, "out of memory");
    }
    if (!ValidHeader("If-None-Match", job->request.etag) ||
        !ValidHeader("If-Modified-Since", job->request.last_modified)) {
      return fail(*job, "invalid conditional request header");
    }
  }
  t->max_body = policy.max_body;
  t->truncate_ok = job->is_robots;
  t->guard = !policy.allow_private_addresses && policy.proxy.empty();
  t->exemptions = &options_.guard_exemptions;

  int64_t timeout = std::max<int64_t>(policy.timeout_ms, 1);
  if (deadline_ms > 0) timeout = std::clamp<int64_t>(deadline_ms - now, 1, timeout);

  CURL* e = t->easy.get();
  bool ok = true;
  auto set = [&](CURLoption opt, auto value) { ok = ok && curl_easy_setopt(e, opt, value) == CURLE_OK; };
  set(CURLOPT_URL, job->request.url.c_str());
  set(CURLOPT_PRIVATE, static_cast<void*>(t.get()));
  set(CURLOPT_ERRORBUFFER, t->error);
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_USERAGENT, policy.user_agent.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 1L);
  set(CURLOPT_MAXREDIRS, static_cast<long>(std::max(policy.max_redirects, 0)));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(timeout));
  if (policy.low_speed_bytes > 0 && policy.low_speed_window_ms > 0) {
    set(CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(policy.low_speed_bytes));
    set(CURLOPT_LOW_SPEED_TIME, static_cast<long>((policy.low_speed_window_ms + 999) / 1000));
  }
  set(CURLOPT_ACCEPT_ENCODING, "");
  set(CURLOPT_WRITEFUNCTION, &OnBody);
  set(CURLOPT_WRITEDATA, static_cast<void*>(t.get()));
  set(CURLOPT_OPENSOCKETFUNCTION, &OnOpenSocket);
  set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(t.get()));
  set(CURLOPT_PREREQFUNCTION, &OnPrereq);
  set(CURLOPT_PREREQDATA, static_cast<void*>(t.get()));
  set(CURLOPT_PROXY, policy.proxy.c_str());  // "" disables environment proxies
  set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  if (t->headers.get() != nullptr) set(CURLOPT_HTTPHEADER, t->headers.get());
  if (!ok) return fail(*job, "curl_easy_setopt failed (libcurl lacks a needed feature?)");

  ++job->attempts;
  t->job = std::move(job);
  if (CURLMcode mc = curl_multi_add_handle(multi_.get(), e); mc != CURLM_OK) {
    std::unique_ptr<Job> j = std::move(t->job);
    return fail(*j, std::string("curl_multi_add_handle: ") + curl_multi_strerror(mc));
  }
  Host& host = hosts_[t->job->url.origin];
  ++host.in_flight;
  ++group_in_flight_[t->job->request.policy.group];
  host.next_start_ms = now + std::max<int64_t>(t->job->request.policy.per_host_delay_ms, 0);
  transfers_.emplace(e, std::move(t));
}

void CurlFetcher::Finish(CURL* easy, CURLcode code, int64_t deadline_ms) {
  auto node = transfers_.extract(easy);
  if (node.empty()) return;
  std::unique_ptr<Transfer> t = std::move(node.mapped());
  curl_multi_remove_handle(multi_.get(), easy);
  std::unique_ptr<Job> job = std::move(t->job);
  const FetchPolicy& policy = job->request.policy;
  Host& host = hosts_[job->url.origin];
  --host.in_flight;
  --group_in_flight_[policy.group];

  FetchResult r = BaseResult(*job);
  char* effective = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective) {
    r.final_url = effective;
  }
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r.status);
  char* content_type = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type) {
    r.content_type = content_type;
  }
  r.etag = HeaderValue(easy, "ETag");
  r.last_modified = HeaderValue(easy, "Last-Modified");
  long redirects = 0;
  curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &redirects);

  bool retryable = false;
  int64_t retry_after_ms = -1;  // -1: the server did not say
  if (code == CURLE_OK) {
    if (r.status == 429 || r.status == 503) {
      r.outcome = FetchOutcome::kRetryLater;
      r.error = "HTTP " + std::to_string(r.status);
      retryable = true;
      curl_off_t seconds = 0;
      if (!HeaderValue(easy, "Retry-After").empty() &&
          curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &seconds) == CURLE_OK) {
        retry_after_ms = std::max<curl_off_t>(seconds, 0) * 1000;
      }
    } else if (r.status == 304) {
      r.outcome = FetchOutcome::kNotModified;
    } else {
      r.outcome = FetchOutcome::kOk;
      r.body = std::move(t->body);
    }
  } else if (t->too_large) {
    if (t->truncate_ok) {
      r.outcome = FetchOutcome::kOk;
      r.body = std::move(t->body);
    } else {
      r.outcome = FetchOutcome::kTooLarge;
      r.error = "body exceeds " + std::to_string(t->max_body) + " bytes after decompression";
    }
  } else if (t->address_refused && (code == CURLE_COULDNT_CONNECT || code == CURLE_ABORTED_BY_CALLBACK)) {
    r.outcome = FetchOutcome::kAddressDenied;
    r.error = "refused private address " + t->refused_address;
  } else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
    r.outcome = FetchOutcome::kProtocolDenied;
    r.error = t->error[0] ? t->error : curl_easy_strerror(code);
  } else if (code == CURLE_TOO_MANY_REDIRECTS) {
    r.outcome = FetchOutcome::kTooManyRedirects;
    r.error = "more than " + std::to_string(policy.max_redirects) + " redirects";
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    r.outcome = FetchOutcome::kTimeout;
    r.error = t->error[0] ? t->error : curl_easy_strerror(code);
  } else {
    r.outcome = FetchOutcome::kNetworkError;
    r.error = std::string(curl_easy_strerror(code)) + (t->error[0] ? ": " : "") + t->error;
    retryable = IsConnectionError(code);
  }
  t.reset();  // the easy handle is no longer needed

  if (retryable && job->attempts <= policy.max_retries) {
    int64_t now = NowMs();
    int64_t wait = retry_after_ms;
    if (wait > policy.max_retry_wait_ms) {
      r.error += ": Retry-After " + std::to_string(wait / 1000) + "s exceeds the maximum wait";
      retryable = false;
    } else if (wait < 0) {
      int shift = std::min(job->attempts - 1, 30);
      int64_t d = std::min(options_.backoff_base_ms << shift, policy.max_retry_wait_ms);
      d = std::max<int64_t>(d, 0);
      wait = std::uniform_int_distribution<int64_t>(d / 2, d)(rng_);
    }
    if (retryable && deadline_ms > 0 && now + wait >= deadline_ms) {
      r.error += ": no time left before the deadline to retry";
      retryable = false;
    }
    if (retryable) {
      job->not_before_ms = now + wait;
      if (retry_after_ms >= 0) host.next_start_ms = std::max(host.next_start_ms, now + wait);
      job->give_up = std::move(r);
      pending_.push_front(std::move(job));
      return;
    }
  }
  if (job->is_robots) {
    RobotsDone(*job, r, redirects);
  } else {
    Deliver(std::move(r));
  }
}

void CurlFetcher::RobotsDone(const Job& job, const FetchResult& r, long redirects) {
  Host& host = hosts_[job.url.origin];
  host.robots_state = RobotsState::kReady;
  host.robots_for_this_run_only = false;
  host.address_denied = false;
  if (r.outcome == FetchOutcome::kOk && r.status >= 200 && r.status < 300) {
    host.robots = RobotsTxt::Parse(r.body);
  } else if ((r.outcome == FetchOutcome::kOk && r.status >= 300 && r.status < 500 &&
              r.status != 429) ||
             r.outcome == FetchOutcome::kTooManyRedirects) {
    // No robots.txt (4xx, or redirects that never reach one): no restrictions.
    host.robots = RobotsTxt::AllowAll();
  } else {
    // 429, 5xx, unreachable: assume complete disallow, and ask again next run.
    host.robots = RobotsTxt::DisallowAll();
    host.robots_for_this_run_only = true;
    host.address_denied = r.outcome == FetchOutcome::kAddressDenied && redirects == 0;
  }
}

}  // namespace

std::unique_ptr<Fetcher> NewCurlFetcher() { return NewCurlFetcher(CurlFetcherOptions{}); }

std::unique_ptr<Fetcher> NewCurlFetcher(CurlFetcherOptions options) {
  GlobalInitOnce();
  return std::make_unique<CurlFetcher>(std::move(options));
}

}  // namespace lw
