// keyed_hash_bench: nanoseconds per keyed hash of short identifiers, single thread.
//
// Times, for each identifier kind, the HMAC as KeyedHasher computed it before the SHA-NI
// path (copies of the precomputed SHA256_CTX states, SHA256_Update/Final; reproduced
// here), KeyedHasher::Hash one at a time, and KeyedHasher::HashMany over the whole set;
// then the SipHash probes a scan computes instead, one at a time and with ProbeMany.
// Prints the best of several rounds. Usage: keyed_hash_bench [rounds]
#include <openssl/sha.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "base/keyed_hash.h"

namespace {

// The previous KeyedHasher::Hash, kept as the baseline.
class OpenSslHasher {
 public:
  explicit OpenSslHasher(std::string_view key) {
    uint8_t ipad[SHA256_CBLOCK], opad[SHA256_CBLOCK];
    for (size_t i = 0; i < SHA256_CBLOCK; ++i) {
      const uint8_t k = i < key.size() ? static_cast<uint8_t>(key[i]) : 0;
      ipad[i] = k ^ 0x36;
      opad[i] = k ^ 0x5c;
    }
    SHA256_Init(&inner_);
    SHA256_Update(&inner_, ipad, sizeof ipad);
    SHA256_Init(&outer_);
    SHA256_Update(&outer_, opad, sizeof opad);
  }

  lw::Digest Hash(std::string_view tag, std::string_view data) const {
    SHA256_CTX ctx = inner_;
    static const uint8_t kZero = 0;
    SHA256_Update(&ctx, tag.data(), tag.size());
    SHA256_Update(&ctx, &kZero, 1);
    SHA256_Update(&ctx, data.data(), data.size());
    lw::Digest inner_digest;
    SHA256_Final(inner_digest.data(), &ctx);
    ctx = outer_;
    SHA256_Update(&ctx, inner_digest.data(), inner_digest.size());
    lw::Digest out;
    SHA256_Final(out.data(), &ctx);
    return out;
  }

 private:
  SHA256_CTX inner_, outer_;
};

struct Kind {
  const char* name;
  const char* tag;
  std::vector<std::string> values;
};

std::vector<Kind> MakeKinds(size_t n) {
  std::mt19937_64 rng(20);
  auto hex = [&](size_t len) {
    std::string s(len, '0');
    for (char& c : s) c = "0123456789abcdef"[rng() % 16];
    return s;
  };
  std::vector<Kind> kinds = {{"email", "email", {}}, {"phone", "phone", {}}, {"md5", "md5", {}},
                             {"sha256", "sha256", {}}};
  const char* domains[] = {"qq.com", "163.com", "gmail.com", "outlook.com", "sina.com.cn"};
  for (size_t i = 0; i < n; ++i) {
    // 10 to 13 letters and digits + '@' + domain: 20 to 25 bytes, ~22 on average.
    std::string local = hex(6 + rng() % 4) + std::to_string(1000 + rng() % 9000);
    kinds[0].values.push_back(local + "@" + domains[rng() % 5]);
    kinds[1].values.push_back("+861" + std::to_string(3000000000 + rng() % 6000000000));  // 14 bytes
    kinds[2].values.push_back(hex(32));
    kinds[3].values.push_back(hex(64));
  }
  return kinds;
}

// Best of `rounds` of fn(), in ns per value.
template <class Fn>
double BestNs(int rounds, size_t values, Fn fn) {
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    auto start = std::chrono::steady_clock::now();
    fn();
    std::chrono::duration<double, std::nano> d = std::chrono::steady_clock::now() - start;
    best = std::min(best, d.count() / values);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 7;
  const size_t n = 1 << 14;
  std::string key(lw::kSecretKeySize, '\0');
  std::mt19937_64 rng(1);
  for (char& c : key) c = static_cast<char>(rng());
  const lw::KeyedHasher hasher(key);
  const OpenSslHasher baseline(key);
  std::printf("SHA-NI path: %s; %zu values per kind, best of %d rounds\n", hasher.HasFastPath() ? "yes" : "no", n,
              rounds);

  std::vector<lw::Digest> want(n), got(n);
  std::vector<lw::HashInput> inputs(n);
  for (const Kind& kind : MakeKinds(n)) {
    for (size_t i = 0; i < n; ++i) inputs[i] = {kind.tag, kind.values[i]};
    const double openssl = BestNs(rounds, n, [&] {
      for (size_t i = 0; i < n; ++i) want[i] = baseline.Hash(kind.tag, kind.values[i]);
    });
    const double hash = BestNs(rounds, n, [&] {
      for (size_t i = 0; i < n; ++i) got[i] = hasher.Hash(kind.tag, kind.values[i]);
    });
    if (got != want) {
      std::fprintf(stderr, "%s: Hash differs from the OpenSSL path\n", kind.name);
      return 1;
    }
    const double many = BestNs(rounds, n, [&] { hasher.HashMany(inputs, got); });
    if (got != want) {
      std::fprintf(stderr, "%s: HashMany differs from the OpenSSL path\n", kind.name);
      return 1;
    }
    // The probes a scan computes instead (schema 2): one at a time, and in pairs.
    std::vector<uint64_t> probes(n), probes_many(n);
    const double probe = BestNs(rounds, n, [&] {
      for (size_t i = 0; i < n; ++i) probes[i] = hasher.Probe(kind.tag, kind.values[i]);
    });
    const double probe_many = BestNs(rounds, n, [&] { hasher.ProbeMany(inputs, probes_many); });
    if (probes != probes_many) {
      std::fprintf(stderr, "%s: ProbeMany differs from Probe\n", kind.name);
      return 1;
    }
    size_t bytes = 0;
    for (const std::string& v : kind.values) bytes += v.size();
    std::printf("%-6s %2.0f B: openssl %5.1f ns, Hash %5.1f ns, HashMany %5.1f ns; Probe %4.1f ns, ProbeMany %4.1f ns\n",
                kind.name, static_cast<double>(bytes) / n, openssl, hash, many, probe, probe_many);
  }
  return 0;
}
