// libcurl implementations of HttpClient and MailClient.
#include <curl/curl.h>

#include <cstring>
#include <mutex>

#include "alerts/transport.h"

namespace lw {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

class CurlHttpClient final : public HttpClient {
 public:
  HttpResponse Post(const std::string& url, const std::string& body, const std::map<std::string, std::string>& headers,
                    int64_t timeout_ms) override {
    GlobalInit();
    HttpResponse r;
    CurlHandle c(curl_easy_init());
    if (!c) {
      r.error = "curl_easy_init failed";
      return r;
    }
    curl_slist* raw = nullptr;
    for (const auto& [k, v] : headers) raw = curl_slist_append(raw, (k + ": " + v).c_str());
    Slist list(raw);
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, list.get());
    curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
    curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c.get(), CURLOPT_USERAGENT, "leakwatch/0.1");
    curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(c.get());
    if (rc != CURLE_OK) {
      r.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
      return r;
    }
    curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &r.status);
    return r;
  }
};

struct Upload {
  std::string data;
  size_t pos = 0;
};

size_t ReadUpload(char* buf, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  size_t k = std::min(size * n, u->data.size() - u->pos);
  std::memcpy(buf, u->data.data() + u->pos, k);
  u->pos += k;
  return k;
}

class CurlMailClient final : public MailClient {
 public:
  Status Send(const MailMessage& m, int64_t timeout_ms) override {
    GlobalInit();
    CurlHandle c(curl_easy_init());
    if (!c) return Fail(Error::IO("curl_easy_init failed"));
    Upload upload;
    upload.data = ComposeMail(m);
    curl_slist* raw = nullptr;
    for (const std::string& to : m.to) raw = curl_slist_append(raw, ("<" + to + ">").c_str());
    Slist rcpt(raw);
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c.get(), CURLOPT_URL, m.url.c_str());
    curl_easy_setopt(c.get(), CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c.get(), CURLOPT_USE_SSL, static_cast<long>(m.url.starts_with("smtps://") ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (!m.username.empty()) {
      curl_easy_setopt(c.get(), CURLOPT_USERNAME, m.username.c_str());
      curl_easy_setopt(c.get(), CURLOPT_PASSWORD, m.password.c_str());
    }
    curl_easy_setopt(c.get(), CURLOPT_MAIL_FROM, ("<" + m.from + ">").c_str());
    curl_easy_setopt(c.get(), CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(c.get(), CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(c.get(), CURLOPT_READDATA, &upload);
    curl_easy_setopt(c.get(), CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
    curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c.get(), CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(c.get());
    if (rc != CURLE_OK) return Fail(Error::IO(std::string("smtp: ") + (errbuf[0] ? errbuf : curl_easy_strerror(rc))));
    return Ok();
  }
};

}  // namespace

std::unique_ptr<HttpClient> NewCurlHttpClient() { return std::make_unique<CurlHttpClient>(); }
std::unique_ptr<MailClient> NewCurlMailClient() { return std::make_unique<CurlMailClient>(); }

}  // namespace lw
