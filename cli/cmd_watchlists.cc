// leakwatch enroll | unenroll | watchlists | hash
#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/units.h"
#include "cli/alerting.h"
#include "cli/commands.h"
#include "watchlists/enroll.h"
#include "watchlists/line_reader.h"

namespace lw::cli {
namespace {

struct EnrollFlags {
  std::string watchlist;
  std::string kind = "auto";
  std::string region;
  bool prehashed = false;
  std::vector<std::string> inputs;
};

Normalizer MakeNormalizer(const Context& ctx, const std::string& region) {
  NormalizerOptions o;
  o.default_region = region.empty() ? ctx.config().match.default_region : region;
  return Normalizer(o);
}

void PrintReject(const std::string& input, uint64_t line, const std::string& reason) {
  std::fprintf(stderr, "%s:%llu: rejected: %s\n", input.c_str(), static_cast<unsigned long long>(line), reason.c_str());
}

int RunEnroll(const GlobalFlags& flags, const EnrollFlags& f) {
  auto kind = ParseInputKind(f.kind);
  if (!kind) return Report(kind.error());
  auto session = OpenSession(flags, Access::kWrite, /*with_hasher=*/true);
  if (!session) return Report(session.error());
  EnrollOptions options;
  options.watchlist = f.watchlist;
  options.kind = *kind;
  options.prehashed = f.prehashed;
  options.temp_dir = session->ctx.data_dir();
  auto summary = Enroll(*session->store, *session->hasher, MakeNormalizer(session->ctx, f.region), options, f.inputs,
                        PrintReject);
  if (!summary) return Report(summary.error());
  std::printf("enrolled %llu new, %llu already present, %llu rejected\n",
              static_cast<unsigned long long>(summary->added), static_cast<unsigned long long>(summary->already_present),
              static_cast<unsigned long long>(summary->rejected));
  std::printf("found %llu earlier exposures of %llu identifiers\n",
              static_cast<unsigned long long>(summary->retro_exposures),
              static_cast<unsigned long long>(summary->retro_identifiers));
  // The earlier exposures go out as a scan's do; trouble leaves them pending, never fails.
  if (summary->retro_exposures > 0) {
    auto alerting = Alerting::Make(session->ctx, *session->store);
    if (alerting) (*alerting)->DeliverDue();
    else std::fprintf(stderr, "leakwatch: alerts: %s\n", alerting.error().message.c_str());
  }
  return kExitOk;
}

int RunUnenroll(const GlobalFlags& flags, const EnrollFlags& f) {
  auto kind = ParseInputKind(f.kind);
  if (!kind) return Report(kind.error());
  auto session = OpenSession(flags, Access::kWrite, /*with_hasher=*/true);
  if (!session) return Report(session.error());
  const KeyedHasher& hasher = *session->hasher;
  Normalizer normalizer = MakeNormalizer(session->ctx, f.region);
  std::vector<Digest> digests;
  uint64_t rejected = 0;
  for (const std::string& path : f.inputs) {
    auto reader = LineReader::Open(path);
    if (!reader) return Report(reader.error());
    std::string_view line;
    while ((*reader)->Next(&line)) {
      std::string_view id = line.substr(0, line.find(','));
      if (id.find_first_not_of(" \t") == std::string_view::npos || id.front() == '#') continue;
      if (f.prehashed) {
        auto h = ParseHashLine(id, *kind);
        if (h) {
          digests.push_back(h->digest);
          continue;
        }
        ++rejected;
        PrintReject((*reader)->name(), (*reader)->line_number(), h.error().message + " (" + RedactForMessage(id) + ")");
        continue;
      }
      auto n = normalizer.Normalize(id, *kind);
      if (!n) {
        ++rejected;
        PrintReject((*reader)->name(), (*reader)->line_number(), n.error().message + " (" + RedactForMessage(id) + ")");
        continue;
      }
      digests.push_back(hasher.Hash(HashTag(n->kind), n->value));
    }
    if (!(*reader)->error().empty()) return Report(Error::IO((*reader)->error()));
  }
  auto removed = session->store->Unenroll(f.watchlist, digests);
  if (!removed) return Report(removed.error());
  std::printf("unenrolled %llu, %llu not present, %llu rejected\n", static_cast<unsigned long long>(*removed),
              static_cast<unsigned long long>(digests.size() - *removed), static_cast<unsigned long long>(rejected));
  return kExitOk;
}

int RunHash(const GlobalFlags& flags, const EnrollFlags& f) {
  auto kind = ParseInputKind(f.kind);
  if (!kind) return Report(kind.error());
  auto session = OpenSession(flags, Access::kRead, /*with_hasher=*/true);
  if (!session) return Report(session.error());
  const KeyedHasher& hasher = *session->hasher;
  Normalizer normalizer = MakeNormalizer(session->ctx, f.region);
  int code = kExitOk;
  for (const std::string& path : f.inputs) {
    auto reader = LineReader::Open(path);
    if (!reader) return Report(reader.error());
    std::string_view line;
    while ((*reader)->Next(&line)) {
      size_t comma = line.find(',');
      std::string_view id = line.substr(0, comma);
      if (id.find_first_not_of(" \t") == std::string_view::npos || id.front() == '#') continue;
      auto n = normalizer.Normalize(id, *kind);
      if (!n) {
        PrintReject((*reader)->name(), (*reader)->line_number(), n.error().message + " (" + RedactForMessage(id) + ")");
        code = kExitFailure;
        continue;
      }
      std::string out = FormatHashLine(HashIdentifier(hasher, *n, id));
      if (comma != std::string_view::npos) out += std::string(line.substr(comma));  // keep the label
      std::printf("%s\n", out.c_str());
    }
  }
  return code;
}

int RunWatchlists(const GlobalFlags& flags, const std::string& format) {
  auto session = OpenSession(flags, Access::kRead, /*with_hasher=*/false);
  if (!session) return Report(session.error());
  auto lists = session->store->Watchlists();
  if (!lists) return Report(lists.error());
  if (format == "json") {
    for (const WatchlistInfo& w : *lists) {
      nlohmann::json j{{"name", w.name},
                       {"size", w.size},
                       {"created", FormatRfc3339(w.created)},
                       {"last_exposure", w.last_exposure ? nlohmann::json(FormatRfc3339(w.last_exposure)) : nlohmann::json()}};
      std::printf("%s\n", j.dump().c_str());
    }
    return kExitOk;
  }
  std::printf("%-24s %12s  %-20s  %s\n", "WATCHLIST", "SIZE", "CREATED", "LAST EXPOSURE");
  for (const WatchlistInfo& w : *lists)
    std::printf("%-24s %12llu  %-20s  %s\n", w.name.c_str(), static_cast<unsigned long long>(w.size),
                FormatRfc3339(w.created).c_str(), w.last_exposure ? FormatRfc3339(w.last_exposure).c_str() : "never");
  return kExitOk;
}

void AddKindFlags(CLI::App* cmd, EnrollFlags* f) {
  cmd->add_option("--kind", f->kind, "auto | email | phone | apple_id")
      ->check(CLI::IsMember({"auto", "email", "phone", "apple_id"}));
  cmd->add_option("--region", f->region, "region for phone numbers without a country code (default [match] default_region)");
}

}  // namespace

void RegisterEnroll(CLI::App& app, const GlobalFlags& flags, Action* action) {
  auto f = std::make_shared<EnrollFlags>();
  CLI::App* cmd = app.add_subcommand("enroll", "add identifiers to a watchlist (stored as keyed hashes only)");
  cmd->add_option("--watchlist", f->watchlist, "watchlist name")->required();
  AddKindFlags(cmd, f.get());
  cmd->add_flag("--prehashed", f->prehashed, "input lines are 'leakwatch hash' output");
  cmd->add_option("inputs", f->inputs, "files, or - for stdin")->required();
  cmd->callback([&flags, f, action] { *action = [&flags, f] { return RunEnroll(flags, *f); }; });
}

void RegisterUnenroll(CLI::App& app, const GlobalFlags& flags, Action* action) {
  auto f = std::make_shared<EnrollFlags>();
  CLI::App* cmd = app.add_subcommand("unenroll", "remove identifiers from a watchlist");
  cmd->add_option("--watchlist", f->watchlist, "watchlist name")->required();
  AddKindFlags(cmd, f.get());
  cmd->add_flag("--prehashed", f->prehashed, "input lines are 'leakwatch hash' output");
  cmd->add_option("inputs", f->inputs, "files, or - for stdin")->required();
  cmd->callback([&flags, f, action] { *action = [&flags, f] { return RunUnenroll(flags, *f); }; });
}

void RegisterHash(CLI::App& app, const GlobalFlags& flags, Action* action) {
  auto f = std::make_shared<EnrollFlags>();
  CLI::App* cmd = app.add_subcommand("hash", "print keyed hashes of identifiers, for enroll --prehashed on another host");
  AddKindFlags(cmd, f.get());
  cmd->add_option("inputs", f->inputs, "files, or - for stdin")->required();
  cmd->callback([&flags, f, action] { *action = [&flags, f] { return RunHash(flags, *f); }; });
}

void RegisterWatchlists(CLI::App& app, const GlobalFlags& flags, Action* action) {
  auto format = std::make_shared<std::string>("table");
  CLI::App* cmd = app.add_subcommand("watchlists", "list watchlists: names, sizes, last exposure");
  cmd->add_option("--format", *format, "table | json")->check(CLI::IsMember({"table", "json"}));
  cmd->callback([&flags, format, action] { *action = [&flags, format] { return RunWatchlists(flags, *format); }; });
}

}  // namespace lw::cli
