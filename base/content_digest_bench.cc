// content_digest_bench: GB/s of each content digest over a buffer fed in 1 MiB pieces, as
// Scanner::Scan feeds its chunks; single thread, best of several rounds.
// Usage: content_digest_bench [MiB [rounds]]   (defaults: 256 MiB, 3 rounds)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "base/content_digest.h"

namespace {

double BestSeconds(const std::string& data, lw::ContentDigestKind kind, lw::ContentDigester::Impl impl, int rounds,
                   std::string* hex) {
  double best = 1e9;
  for (int r = 0; r < rounds; ++r) {
    auto start = std::chrono::steady_clock::now();
    lw::ContentDigester d(kind, {1, 2, 3, 4}, impl);
    for (size_t at = 0; at < data.size(); at += 1 << 20) d.Update(std::string_view(data).substr(at, 1 << 20));
    *hex = d.FinishHex();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  std::string data(mib << 20, '\0');
  std::mt19937_64 rng(1);
  for (size_t i = 0; i + 8 <= data.size(); i += 8) {
    const uint64_t v = rng();
    std::memcpy(&data[i], &v, 8);
  }
  using Impl = lw::ContentDigester::Impl;
  struct Row {
    const char* name;
    lw::ContentDigestKind kind;
    Impl impl;
  };
  const Row rows[] = {
      {"sha256 (OpenSSL)", lw::ContentDigestKind::kSha256, Impl::kBest},
      {"highway256 portable", lw::ContentDigestKind::kKeyedHighway256, Impl::kPortable},
      {"highway256 avx2", lw::ContentDigestKind::kKeyedHighway256, Impl::kAvx2},
  };
  std::printf("%zu MiB in 1 MiB updates, best of %d; AVX2 %s\n", mib, rounds,
              lw::ContentDigester::HasAvx2() ? "available" : "not available");
  for (const Row& row : rows) {
    if (row.impl == Impl::kAvx2 && !lw::ContentDigester::HasAvx2()) continue;
    std::string hex;
    const double s = BestSeconds(data, row.kind, row.impl, rounds, &hex);
    std::printf("%-20s %6.2f GB/s  %.3f s  %.16s...\n", row.name, data.size() / s / 1e9, s, hex.c_str());
  }
}
