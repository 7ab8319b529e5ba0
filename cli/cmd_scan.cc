// leakwatch scan [--source NAME] [--fail-on-exposure] PATH...|-
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "cli/alerting.h"
#include "cli/commands.h"
#include "matcher/documents.h"
#include "matcher/extractor.h"
#include "matcher/scanner.h"

namespace lw::cli {
namespace {

struct ScanFlags {
  std::string source = "scan";
  bool fail_on_exposure = false;
  std::vector<std::string> paths;
};

std::string Mb(uint64_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f MB", bytes / 1e6);
  return b;
}

int RunScan(const GlobalFlags& flags, const ScanFlags& f) {
  auto session = OpenSession(flags, Access::kWrite, /*with_hasher=*/true);
  if (!session) return Report(session.error());
  Store& store = *session->store;
  auto alerting = Alerting::Make(session->ctx, store);  // bad [[alert]] tables stop us before scanning
  if (!alerting) return Report(alerting.error());
  // The watch entries, in memory: RocksDB stays the durable copy, not the per-candidate index.
  auto index = store.LoadWatchIndex();
  if (!index) return Report(index.error());
  Normalizer normalizer({session->ctx.config().match.default_region});
  Extractor extractor(normalizer);
  SystemClock clock;
  ScannerOptions options;
  options.source = f.source;
  options.sightings = session->ctx.config().store.sightings;
  options.spill_dir = session->ctx.data_dir();
  Scanner scanner(store, *session->hasher, *index, extractor, clock, options);

  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  if (::isatty(2)) {
    scanner.set_progress([&](const ScanTotals& t) {
      double s = std::max(seconds(), 1e-3);
      std::fprintf(stderr, "\rscanning: %s, %.0f MB/s, %llu new exposures   ", Mb(t.bytes).c_str(), t.bytes / 1e6 / s,
                   static_cast<unsigned long long>(t.new_exposures));
    });
  }
  int failures = 0;
  auto on_error = [&](const Error& e) {
    ++failures;
    std::fprintf(stderr, "leakwatch: %s\n", e.message.c_str());
  };
  // Small documents are analyzed on all cores and recorded in walk order; large ones are
  // scanned in chunks on all cores.
  DocumentOptions documents;
  documents.small_limit = options.chunk_size;
  for (const std::string& path : f.paths) {
    auto s = ScanPath(path, scanner, documents, on_error);
    if (!s) {
      if (s.error().code != Error::Code::kIO) return Report(s.error());
      on_error(s.error());
    }
  }
  if (::isatty(2)) std::fprintf(stderr, "\r\033[K");
  const ScanTotals& t = scanner.totals();
  std::string by_list;
  for (const auto& [name, n] : t.new_by_watchlist)
    by_list += (by_list.empty() ? " (" : ", ") + name + ": " + std::to_string(n);
  if (!by_list.empty()) by_list += ")";
  std::printf("scanned %llu documents, %s in %.1fs: %llu new exposures%s, %llu seen again\n",
              static_cast<unsigned long long>(t.documents), Mb(t.bytes).c_str(), seconds(),
              static_cast<unsigned long long>(t.new_exposures), by_list.c_str(),
              static_cast<unsigned long long>(t.seen_again));
  // New exposures (and earlier ones still waiting) go out now.
  (*alerting)->DeliverDue();
  ApplyRetention(session->ctx, store);
  if (failures) return kExitFailure;
  if (f.fail_on_exposure && t.new_exposures > 0) return kExitExposure;
  return kExitOk;
}

}  // namespace

void RegisterScan(CLI::App& app, const GlobalFlags& flags, Action* action) {
  auto f = std::make_shared<ScanFlags>();
  CLI::App* cmd = app.add_subcommand("scan", "scan files, directories, archives or stdin for watched identifiers");
  cmd->add_option("--source", f->source, "source name recorded with the exposures (default: scan)");
  cmd->add_flag("--fail-on-exposure", f->fail_on_exposure, "exit 3 when new exposures were found");
  cmd->add_option("paths", f->paths, "files, directories, archives, or - for stdin")->required();
  cmd->callback([&flags, f, action] { *action = [&flags, f] { return RunScan(flags, *f); }; });
}

}  // namespace lw::cli
