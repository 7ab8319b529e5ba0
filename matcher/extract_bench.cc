// matcher_extract_bench: Extract() throughput on dense synthetic leak text.
//
// Generates ~200 MB in memory (combo lists, stealer-log blocks, CSV with Chinese mobiles,
// SQL INSERT dumps, JSON, HTML and prose; about one identifier per 68 bytes), then runs
// Extract over it in 1 MiB chunks cut at line ends, single thread, and prints MB/s: for
// Extract alone (every candidate built, as tests see it) and plus KeyedHasher::Hash of
// each; then as a scan calls it, with a filter that drops every batch (extraction alone)
// and one that computes KeyedHasher::Probe of each candidate first (a scan of a schema-2
// store minus the index lookups).
// Usage: matcher_extract_bench [megabytes|FILE] [rounds] [finders] [scan]
// With a fourth argument `scan`, only the two filtered passes run; with `extract`, only
// Extract alone (for profiling).
// A FILE (e.g. a corpus from ops/bench's leakwatch-gen) is read into memory instead.
// `finders` picks a subset to time on its own: letters e(mails) p(hones) h(ashes)
// o(bfuscations) d(ecode); default all.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "base/keyed_hash.h"
#include "matcher/extractor.h"

namespace {

constexpr const char* kFirst[] = {"li", "wang", "zhang", "john", "mary", "alex", "chen", "liu", "anna", "peter"};
constexpr const char* kLast[] = {"wei", "fang", "smith", "lee", "jones", "yang", "huang", "zhao", "brown", "wu"};
constexpr const char* kDomains[] = {"qq.com", "163.com", "gmail.com", "icloud.com", "126.com", "outlook.com",
                                    "sina.com.cn", "yahoo.com", "me.com", "foxmail.com"};
constexpr const char* kPasswords[] = {"123456", "Passw0rd!", "qwerty123", "iloveyou", "dragon2020", "a1b2c3d4"};
constexpr const char* kProse[] = {
    "The quick brown fox jumps over the lazy dog near the river bank today.\n",
    "Please contact support if you have any questions about your order.\n",
    "<p>Welcome back! Your session expired, please sign in again.</p>\n",
};

std::string Generate(size_t target, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](auto& array) { return array[rng() % std::size(array)]; };
  auto email = [&] {
    return std::string(pick(kFirst)) + (rng() % 2 ? "." : "") + pick(kLast) + std::to_string(rng() % 1000) + "@" +
           pick(kDomains);
  };
  auto mobile = [&] { return std::to_string(13 + rng() % 7) + std::to_string(100000000 + rng() % 900000000); };
  std::string text;
  text.reserve(target + 1024);
  char buf[512];
  while (text.size() < target) {
    switch (rng() % 8) {
      case 0:
      case 1:
        text += email() + ":" + pick(kPasswords) + "\n";
        break;
      case 2:
        std::snprintf(buf, sizeof buf, "%llu,%s %s,%s,beijing chaoyang district\n",
                      static_cast<unsigned long long>(rng() % 100000), pick(kFirst), pick(kLast), mobile().c_str());
        text += buf;
        break;
      case 3:
        std::snprintf(buf, sizeof buf, "INSERT INTO `users` VALUES (%llu,'%s','%s','%016llx%016llx',NULL);\n",
                      static_cast<unsigned long long>(rng() % 1000000), pick(kFirst), email().c_str(),
                      static_cast<unsigned long long>(rng()), static_cast<unsigned long long>(rng()));
        text += buf;
        break;
      case 4:
        text += "URL: https://accounts.example.com/login\nUsername: " + email() + "\nPassword: " + pick(kPasswords) +
                "\n===============\n";
        break;
      case 5:
        text += "{\"id\":" + std::to_string(rng() % 100000) + ",\"email\":\"" + email() + "\",\"phone\":\"+86 " +
                mobile() + "\"}\n";
        break;
      case 6:
        text += "<td>" + email() + "</td><td>2021-03-04 12:00:01</td>\n";
        break;
      default:
        text += pick(kProse);
        text += pick(kProse);
        break;
    }
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  std::string text;
  if (argc > 1 && (argv[1][0] < '0' || argv[1][0] > '9')) {
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "matcher_extract_bench: cannot read %s\n", argv[1]);
      return 2;
    }
    text.assign(std::istreambuf_iterator<char>(in), {});
  } else {
    size_t megabytes = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200;
    text = Generate(megabytes << 20, 42);
  }
  int rounds = argc > 2 ? std::atoi(argv[2]) : 3;

  lw::Normalizer normalizer;
  lw::ExtractorOptions options;
  if (argc > 3) {
    std::string f = argv[3];
    auto has = [&](char c) { return f.find(c) != std::string::npos; };
    options.emails = has('e');
    options.phones = has('p');
    options.hashes = has('h');
    options.obfuscations = has('o');
    options.decode = has('d');
  }
  lw::Extractor extractor(normalizer, options);
  lw::KeyedHasher hasher(std::string(lw::kSecretKeySize, 'k'));
  constexpr size_t kChunk = 1 << 20;
  std::vector<lw::Candidate> out;
  const bool scan_only = argc > 4 && std::string(argv[4]) == "scan";
  const bool extract_only = argc > 4 && std::string(argv[4]) == "extract";
  // What a scan's filter does with each batch, minus the index lookup: drops it, after
  // computing each candidate's probe when `hasher` is set.
  struct DropFilter final : lw::CandidateFilter {
    const lw::KeyedHasher* hasher = nullptr;
    mutable size_t probes = 0;
    mutable uint64_t sink = 0;
    void Select(std::span<const lw::Probe> batch, bool* keep) const override {
      probes += batch.size();
      if (hasher)
        for (const lw::Probe& p : batch) sink ^= hasher->Probe(p.hash_tag, p.value);
      std::fill(keep, keep + batch.size(), false);
    }
  };
  enum Mode { kAll, kAllHashed, kFiltered, kFilteredHashed };
  // One pass over the text; returns MB/s and sets *candidates.
  auto pass = [&](Mode mode, size_t* candidates) {
    *candidates = 0;
    uint8_t sink = 0;
    DropFilter filter;
    if (mode == kFilteredHashed) filter.hasher = &hasher;
    auto t0 = std::chrono::steady_clock::now();
    for (size_t pos = 0; pos < text.size();) {
      size_t end = std::min(text.size(), pos + kChunk);
      if (end < text.size()) {
        size_t nl = text.rfind('\n', end);
        if (nl != std::string::npos && nl > pos) end = nl + 1;
      }
      out.clear();
      bool filtered = mode == kFiltered || mode == kFilteredHashed;
      extractor.Extract(std::string_view(text).substr(pos, end - pos), &out, filtered ? &filter : nullptr);
      if (mode == kAllHashed)
        for (const lw::Candidate& c : out) sink ^= hasher.Hash(c.hash_tag, c.value)[0];
      *candidates += filtered ? 0 : out.size();
      pos = end;
    }
    if (mode == kFiltered || mode == kFilteredHashed) *candidates = filter.probes;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    volatile uint64_t keep = sink ^ filter.sink;  // the hashes must not be optimized away
    (void)keep;
    return static_cast<double>(text.size()) / 1e6 / seconds;
  };
  double best[4] = {};
  for (int round = 0; round < rounds; ++round) {
    size_t candidates = 0, probes = 0;
    double mbps[4];
    for (Mode m : {kAll, kAllHashed, kFiltered, kFilteredHashed})
      mbps[m] = (scan_only && m < kFiltered) || (extract_only && m != kAll) ? 0 : pass(m, m == kAll ? &candidates : &probes);
    for (int m = 0; m < 4; ++m) best[m] = std::max(best[m], mbps[m]);
    std::printf("round %d: %.1f MB: Extract %.0f MB/s, +Hash %.0f MB/s; filtered %.0f MB/s, +Probe %.0f MB/s; "
                "%zu candidates (one per %.0f bytes), %zu probes\n",
                round + 1, static_cast<double>(text.size()) / 1e6, mbps[kAll], mbps[kAllHashed], mbps[kFiltered],
                mbps[kFilteredHashed], candidates,
                static_cast<double>(text.size()) / static_cast<double>(std::max<size_t>(candidates, 1)), probes);
  }
  std::printf("best: Extract %.0f MB/s, +Hash %.0f MB/s; filtered %.0f MB/s, +Probe %.0f MB/s "
              "(single thread, 1 MiB chunks)\n",
              best[kAll], best[kAllHashed], best[kFiltered], best[kFilteredHashed]);
  return 0;
}
