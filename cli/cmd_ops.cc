// Operations: leakwatch stats | prune | export | import
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "base/secret_key.h"
#include "base/units.h"
#include "cli/commands.h"
#include "crawler/crawl.h"

namespace lw::cli {
namespace {

namespace fs = std::filesystem;

std::string FormatBytes(uint64_t n) {
  char buf[32];
  if (n < (1u << 20)) std::snprintf(buf, sizeof buf, "%.1f KiB", n / 1024.0);
  else std::snprintf(buf, sizeof buf, "%.1f MiB", n / 1048576.0);
  return buf;
}

int RunStats(const GlobalFlags& flags, const std::string& format) {
  auto session = OpenSession(flags, Access::kRead, /*with_hasher=*/false);
  if (!session) return Report(session.error());
  Store& store = *session->store;
  auto lists = store.Watchlists();
  if (!lists) return Report(lists.error());
  // Kept as exposures are recorded and pruned: no exposure is read here.
  auto counts = store.CountExposures();
  if (!counts) return Report(counts.error());
  uint64_t outbox = 0;
  if (auto s = store.ForEachOutboxEntry([&](const std::string&, const std::string&) { return ++outbox, true; }); !s)
    return Report(s.error());
  auto tables = store.TableSizes();
  if (!tables) return Report(tables.error());
  auto sightings = store.GetSightingsStats();
  if (!sightings) return Report(sightings.error());
  auto schema = store.GetMeta("schema_version");
  if (!schema) return Report(schema.error());
  nlohmann::json j;
  j["watchlists"] = nlohmann::json::object();
  for (const WatchlistInfo& w : *lists) j["watchlists"][w.name] = w.size;
  j["exposures"] = {{"total", counts->total}, {"by_source", counts->by_source}, {"by_day", counts->by_day},
                    {"by_severity", counts->by_severity}};
  j["outbox"] = outbox;
  j["store"] = {{"schema", std::stoi(schema->value_or("1"))},
                {"table_bytes", tables->all},
                {"exposure_table_bytes", tables->exposures},
                {"outbox_table_bytes", tables->outbox}};
  j["sightings"] = {{"sightings", sightings->sightings},
                     {"documents", sightings->documents},
                     {"sighting_bytes", sightings->sighting_bytes},
                     {"document_bytes", sightings->document_bytes}};
  j["sources"] = nlohmann::json::object();
  for (const SourceConfig& source : session->ctx.config().sources) {
    auto st = LoadSourceRunState(store, source.name);
    if (!st) return Report(st.error());
    j["sources"][source.name] = {{"last_run", st->last_start ? FormatRfc3339(st->last_start) : ""},
                                 {"outcome", st->outcome},
                                 {"items_total", st->items_total},
                                 {"errors_total", st->errors_total}};
  }
  if (format == "json") {
    std::printf("%s\n", j.dump().c_str());
    return kExitOk;
  }
  std::printf("watch entries\n");
  for (const WatchlistInfo& w : *lists)
    std::printf("  %-24s %12llu\n", w.name.c_str(), static_cast<unsigned long long>(w.size));
  std::printf("exposures: %llu (credential: %llu)\n", static_cast<unsigned long long>(counts->total),
              static_cast<unsigned long long>(counts->by_severity["credential"]));
  std::printf("  by source\n");
  for (auto& [k, v] : counts->by_source) std::printf("    %-22s %12llu\n", k.c_str(), static_cast<unsigned long long>(v));
  std::printf("  by day (first seen)\n");
  for (auto& [k, v] : counts->by_day) std::printf("    %-22s %12llu\n", k.c_str(), static_cast<unsigned long long>(v));
  std::printf("alert outbox: %llu waiting\n", static_cast<unsigned long long>(outbox));
  std::printf("store: schema %s, %.1f MiB in tables (%.1f MiB of them exposures and their index keys)\n",
              schema->value_or("1").c_str(), tables->all / 1048576.0, tables->exposures / 1048576.0);
  std::printf("sightings: %llu in %llu documents (%s and %s on disk)\n",
              static_cast<unsigned long long>(sightings->sightings),
              static_cast<unsigned long long>(sightings->documents), FormatBytes(sightings->sighting_bytes).c_str(),
              FormatBytes(sightings->document_bytes).c_str());
  if (!session->ctx.config().sources.empty()) std::printf("sources (last crawl, outcome, items, errors)\n");
  for (auto& [name, v] : j["sources"].items())
    std::printf("  %-22s %-20s %-8s %8llu %6llu\n", name.c_str(),
                v["last_run"].get<std::string>().empty() ? "never" : v["last_run"].get<std::string>().c_str(),
                v["outcome"].get<std::string>().c_str(), static_cast<unsigned long long>(v["items_total"].get<uint64_t>()),
                static_cast<unsigned long long>(v["errors_total"].get<uint64_t>()));
  return kExitOk;
}

// Internal (not in --help): compacts the store, so that what its records cost on disk can
// be measured (ops/bench/breach).
int RunCompact(const GlobalFlags& flags) {
  auto session = OpenSession(flags, Access::kWrite, /*with_hasher=*/false);
  if (!session) return Report(session.error());
  if (auto s = session->store->Compact(); !s) return Report(s.error());
  return kExitOk;
}

int RunPrune(const GlobalFlags& flags, const std::string& older_than, bool dry_run, bool compact) {
  auto ms = ParseDurationMs(older_than);
  if (!ms) return Report(Error::Invalid("--older-than: " + ms.error().message));
  auto session = OpenSession(flags, dry_run ? Access::kRead : Access::kWrite, /*with_hasher=*/false);
  if (!session) return Report(session.error());
  auto r = session->store->Prune(SystemClock().Now() - *ms / 1000, dry_run);
  if (!r) return Report(r.error());
  std::printf("%s %llu exposures and %llu crawl-state entries last seen more than %s ago\n",
              dry_run ? "would prune" : "pruned", static_cast<unsigned long long>(r->exposures),
              static_cast<unsigned long long>(r->crawl_entries), older_than.c_str());
  std::printf("%s %llu documents with %llu sightings\n", dry_run ? "would prune" : "pruned",
              static_cast<unsigned long long>(r->documents), static_cast<unsigned long long>(r->sightings));
  if (compact && !dry_run)
    if (auto s = session->store->CompactSightings(); !s) return Report(s.error());
  return kExitOk;
}

int RunExport(const GlobalFlags& flags, const std::string& dir) {
  auto ctx = Context::Make(flags);
  if (!ctx) return Report(ctx.error());
  std::error_code ec;
  if (fs::exists(dir, ec)) return Report(Error::Invalid(dir + " exists; export writes a new directory"));
  auto store = ctx->OpenStore(true);
  if (!store) return Report(store.error());
  auto fingerprint = (*store)->GetMeta("key_fingerprint");
  if (!fingerprint) return Report(fingerprint.error());
  fs::create_directories(dir, ec);
  if (ec) return Report(Error::IO(dir + ": " + ec.message()));
  fs::permissions(dir, fs::perms::owner_all, ec);
  if (auto s = (*store)->Checkpoint(fs::absolute(dir).string() + "/store"); !s) return Report(s.error());
  std::ofstream(dir + "/key_fingerprint") << fingerprint->value_or("") << "\n";
  std::printf("exported the store to %s/store (key fingerprint %s)\n"
              "the secret key is NOT in the export: copy %s separately (it is what makes the hashes unguessable)\n",
              dir.c_str(), fingerprint->value_or("?").c_str(), ctx->key_path().c_str());
  return kExitOk;
}

int RunImport(const GlobalFlags& flags, const std::string& dir, const std::string& key_file) {
  auto ctx = Context::Make(flags);
  if (!ctx) return Report(ctx.error());
  std::error_code ec;
  if (!fs::exists(dir + "/store/CURRENT", ec)) return Report(Error::Invalid(dir + " holds no exported store"));
  if (fs::exists(ctx->store_dir(), ec))
    return Report(Error::Invalid(ctx->store_dir() + " exists; import only into a data directory without a store"));
  std::string key_path = key_file.empty() ? ctx->key_path() : key_file;
  auto key = LoadSecretKey(key_path);
  if (!key) return Report(key.error());
  std::string expected;
  std::ifstream(dir + "/key_fingerprint") >> expected;
  KeyedHasher hasher(*key);
  if (!expected.empty() && expected != hasher.Fingerprint())
    return Report(Error::KeyMismatch(key_path + " is not the key of this export (fingerprint " + hasher.Fingerprint() +
                                     ", export expects " + expected + ")"));
  fs::create_directories(ctx->data_dir(), ec);
  fs::permissions(ctx->data_dir(), fs::perms::owner_all, ec);
  if (key_path != ctx->key_path()) {
    if (fs::exists(ctx->key_path(), ec)) return Report(Error::Invalid(ctx->key_path() + " exists; not replacing it"));
    fs::copy_file(key_path, ctx->key_path(), ec);
    if (ec) return Report(Error::IO(ctx->key_path() + ": " + ec.message()));
    fs::permissions(ctx->key_path(), fs::perms::owner_read | fs::perms::owner_write, ec);
  }
  fs::copy(dir + "/store", ctx->store_dir(), fs::copy_options::recursive, ec);
  if (ec) return Report(Error::IO("copying the store: " + ec.message()));
  auto store = ctx->OpenStore(true);
  if (!store) return Report(store.error());
  if (auto h = ctx->LoadHasher(**store); !h) return Report(h.error());
  std::printf("imported %s into %s\n", dir.c_str(), ctx->data_dir().c_str());
  return kExitOk;
}

}  // namespace

void RegisterOps(CLI::App& app, const GlobalFlags& flags, Action* action) {
  auto format = std::make_shared<std::string>("table");
  CLI::App* stats = app.add_subcommand("stats", "watch entries, exposures per source and day, outbox depth");
  stats->add_option("--format", *format, "table | json")->check(CLI::IsMember({"table", "json"}));
  stats->callback([&flags, format, action] { *action = [&flags, format] { return RunStats(flags, *format); }; });

  struct PruneFlags {
    std::string older_than;
    bool dry_run = false;
    bool compact = false;
  };
  auto pf = std::make_shared<PruneFlags>();
  CLI::App* prune = app.add_subcommand("prune", "remove old exposures and crawl state (never watch entries)");
  prune->add_option("--older-than", pf->older_than, "e.g. 365d")->required();
  prune->add_flag("--dry-run", pf->dry_run, "only count what would go");
  prune->add_flag("--compact", pf->compact, "then compact the sightings and documents, giving their space back now");
  prune->callback([&flags, pf, action] {
    *action = [&flags, pf] { return RunPrune(flags, pf->older_than, pf->dry_run, pf->compact); };
  });

  CLI::App* compact = app.add_subcommand("compact", "compact the store's tables (internal: for measuring)");
  compact->group("");  // hidden
  compact->callback([&flags, action] { *action = [&flags] { return RunCompact(flags); }; });

  auto dir = std::make_shared<std::string>();
  CLI::App* exp = app.add_subcommand("export", "write a consistent copy of the store to a new directory (not the key)");
  exp->add_option("dir", *dir, "a directory that does not exist yet")->required();
  exp->callback([&flags, dir, action] { *action = [&flags, dir] { return RunExport(flags, *dir); }; });

  struct ImportFlags {
    std::string dir, key_file;
  };
  auto imf = std::make_shared<ImportFlags>();
  CLI::App* imp = app.add_subcommand("import", "restore an exported store into a data directory without one");
  imp->add_option("dir", imf->dir, "the export directory")->required();
  imp->add_option("--key-file", imf->key_file, "the key of the export (default: the data directory's)");
  imp->callback([&flags, imf, action] { *action = [&flags, imf] { return RunImport(flags, imf->dir, imf->key_file); }; });
}

}  // namespace lw::cli
