// A scripted Fetcher for unit tests: responses per URL (body, status, content type,
// validators, failures, timeouts, truncation), a fake steady clock that each request
// advances, and a record of every request made, in order.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "crawler/fetcher.h"

namespace lw {

struct FakeResponse {
  FetchOutcome outcome = FetchOutcome::kOk;  // anything else: a failure, body dropped
  long status = 200;
  std::string body;
  std::string content_type = "text/html; charset=utf-8";
  std::string etag;           // sent; a request with If-None-Match == etag gets 304
  std::string last_modified;  // sent; a request with If-Modified-Since == it gets 304
  std::string error;          // detail for failures
  std::string final_url;      // after "redirects"; default: the URL requested
  int64_t latency_ms = 0;     // how far the request moves the fake steady clock
  size_t truncate_at = std::string::npos;  // deliver only this many bytes of the body
};

class FakeFetcher final : public Fetcher {
 public:
  void Set(const std::string& url, FakeResponse response) { responses_[url] = std::move(response); }
  void SetBody(const std::string& url, std::string body, std::string content_type = "text/html; charset=utf-8") {
    FakeResponse r;
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    Set(url, std::move(r));
  }
  void SetFailure(const std::string& url, FetchOutcome outcome, std::string error = "") {
    FakeResponse r;
    r.outcome = outcome;
    r.status = 0;
    r.error = std::move(error);
    Set(url, std::move(r));
  }
  void SetStatus(const std::string& url, long status) {
    FakeResponse r;
    r.status = status;
    Set(url, std::move(r));
  }

  // Unscripted URLs answer 404.
  void Run(std::vector<FetchRequest> requests, int concurrency, int64_t deadline_ms,
           const std::function<void(FetchResult)>& on_result) override {
    batches.push_back(requests.size());
    concurrencies.push_back(concurrency);
    for (FetchRequest& q : requests) {
      FetchResult r;
      r.id = q.id;
      r.url = q.url;
      r.final_url = q.url;
      if (deadline_ms != 0 && now_ms >= deadline_ms) {  // not started: no connection made
        r.outcome = FetchOutcome::kTimeout;
        r.error = "deadline";
        on_result(std::move(r));
        continue;
      }
      requests_made.push_back(q);
      r.attempts = 1;
      auto it = responses_.find(q.url);
      if (it == responses_.end()) {
        r.outcome = FetchOutcome::kOk;
        r.status = 404;
        on_result(std::move(r));
        continue;
      }
      const FakeResponse& s = it->second;
      now_ms += s.latency_ms;
      if (!s.final_url.empty()) r.final_url = s.final_url;
      r.outcome = s.outcome;
      r.error = s.error;
      if (s.outcome == FetchOutcome::kOk) {
        r.status = s.status;
        r.content_type = s.content_type;
        r.etag = s.etag;
        r.last_modified = s.last_modified;
        bool etag_match = !q.etag.empty() && q.etag == s.etag;
        bool date_match = !q.last_modified.empty() && q.last_modified == s.last_modified;
        if (etag_match || (q.etag.empty() && date_match)) {
          r.outcome = FetchOutcome::kNotModified;
          r.status = 304;
        } else {
          r.body = s.body.substr(0, s.truncate_at);
        }
      }
      on_result(std::move(r));
    }
  }

  // The URLs of requests_made, in order.
  std::vector<std::string> urls() const {
    std::vector<std::string> out;
    for (const FetchRequest& q : requests_made) out.push_back(q.url);
    return out;
  }
  size_t CountRequests(const std::string& url) const {
    size_t n = 0;
    for (const FetchRequest& q : requests_made) n += q.url == url;
    return n;
  }
  void Clear() {
    requests_made.clear();
    batches.clear();
    concurrencies.clear();
  }
  std::function<int64_t()> SteadyClock() {
    return [this] { return now_ms; };
  }

  std::vector<FetchRequest> requests_made;  // every request that was "sent", in order
  std::vector<size_t> batches;              // the size of each Run() call's batch
  std::vector<int> concurrencies;           // the concurrency of each Run() call
  int64_t now_ms = 1000;                    // the fake steady clock

 private:
  std::map<std::string, FakeResponse> responses_;
};

}  // namespace lw
