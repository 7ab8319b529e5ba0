// leakwatch history | exposures
#include <algorithm>
#include <cstdio>
#include <optional>

#include "base/providers.h"
#include "base/units.h"
#include "cli/commands.h"
#include "store/exposure_json.h"

namespace lw::cli {
namespace {

struct HistoryFlags {
  std::vector<std::string> identifiers;
  std::string hash;
  std::string watchlist;
  std::string document;  // exposures: only those of this document (its content digest)
  std::string since;
  std::string format = "table";
};

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Prints exposures one at a time as they stream from the store, in `format`.
class Printer {
 public:
  explicit Printer(std::string format) : format_(std::move(format)) {}
  void Row(const Exposure& e) {
    if (rows_++ == 0) Header();
    if (format_ == "json") {
      line_.clear();
      AppendExposureJson(e, &line_);
      line_ += '\n';
      std::fwrite(line_.data(), 1, line_.size(), stdout);
    } else if (format_ == "csv") {
      std::printf("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", e.id.c_str(), FormatRfc3339(e.first_seen).c_str(),
                  FormatRfc3339(e.last_seen).c_str(), e.severity.c_str(), e.match.c_str(),
                  std::string(KindName(e.kind)).c_str(), CsvField(e.hint).c_str(), CsvField(e.source).c_str(),
                  CsvField(e.location).c_str(), CsvField(Join(e.watchlists, ";")).c_str(),
                  CsvField(Join(e.labels, ";")).c_str());
    } else {
      std::printf("%-20s  %-20s  %-10s  %-10s  %-28s  %-12s  %s  [%s]\n", FormatRfc3339(e.first_seen).c_str(),
                  FormatRfc3339(e.last_seen).c_str(), e.severity.c_str(), e.match.c_str(), e.hint.c_str(),
                  e.source.c_str(), e.location.c_str(), Join(e.watchlists, ", ").c_str());
    }
  }
  // After the last row: the CSV header or "no exposures" when there was none.
  void Finish() {
    if (rows_ == 0 && format_ == "csv") Header();
    if (rows_ == 0 && format_ == "table") std::printf("no exposures\n");
  }

 private:
  void Header() {
    if (format_ == "csv")
      std::printf("id,first_seen,last_seen,severity,match,kind,hint,source,location,watchlists,labels\n");
    else if (format_ == "table")
      std::printf("%-20s  %-20s  %-10s  %-10s  %-28s  %-12s  %s\n", "FIRST SEEN", "LAST SEEN", "SEVERITY", "MATCH",
                  "HINT", "SOURCE", "LOCATION / WATCHLISTS");
  }
  std::string format_;
  uint64_t rows_ = 0;
  std::string line_;  // reused
};

bool InWatchlist(const Exposure& e, const std::string& watchlist) {
  return std::find(e.watchlists.begin(), e.watchlists.end(), watchlist) != e.watchlists.end();
}

// The watched identifier a digest stands for: itself, or what a variant leads to; none
// when it is neither.
Result<std::optional<Digest>> ResolveWatched(Store& store, const Digest& digest) {
  auto members = store.Memberships(digest);
  if (!members) return Fail(members.error());
  if (!members->empty()) return std::optional<Digest>(digest);
  auto variant = store.ResolveVariant(digest);
  if (!variant) return Fail(variant.error());
  if (*variant) return std::optional<Digest>((*variant)->primary);
  return std::optional<Digest>();
}

// The watched identifier of the first of `digests` (a spelling, then its account key) that
// leads to one; else the first digest itself (exposures of an identifier unenrolled since).
Result<Digest> ResolvePrimary(Store& store, const std::vector<Digest>& digests) {
  for (const Digest& d : digests) {
    auto watched = ResolveWatched(store, d);
    if (!watched) return Fail(watched.error());
    if (*watched) return **watched;
  }
  return digests.front();
}

int RunHistory(const GlobalFlags& flags, const HistoryFlags& f) {
  int given = !f.identifiers.empty() + !f.hash.empty() + !f.watchlist.empty();
  if (given != 1) return Report(Error::Invalid("history: give identifiers, or --hash HEX, or --watchlist NAME"));
  auto since = SinceFlag(f.since);
  if (!since) return Report(since.error());
  auto session = OpenSession(flags, Access::kRead, /*with_hasher=*/false);
  if (!session) return Report(session.error());
  Store& store = *session->store;

  Printer printer(f.format);
  if (!f.watchlist.empty()) {
    auto info = store.GetWatchlist(f.watchlist);
    if (!info) return Report(info.error());
    if (!*info) return Report(Error::Invalid("no watchlist named '" + f.watchlist + "'"));
    auto s = store.ForEachExposureSince(*since, [&](const Exposure& e) {
      if (InWatchlist(e, f.watchlist)) printer.Row(e);
      return true;
    });
    if (!s) return Report(s.error());
  } else {
    std::vector<std::vector<Digest>> digests;  // per identifier: its spelling, then its account key
    if (!f.hash.empty()) {
      auto d = DigestFromHex(f.hash);
      if (!d) return Report(Error::Invalid("--hash: " + d.error().message));
      digests.push_back({*d});
    } else {
      auto hasher = session->ctx.LoadHasher(store);
      if (!hasher) return Report(hasher.error());
      Normalizer normalizer({session->ctx.config().match.default_region});
      for (const std::string& raw : f.identifiers) {
        auto id = normalizer.Normalize(raw, InputKind::kAuto);
        if (!id) return Report(Error::Invalid("not an email address or phone number: " + id.error().message));
        digests.push_back({hasher->Hash(HashTag(id->kind), id->value)});
        if (id->kind == IdKind::kEmail)
          if (std::string key = AccountKey(id->value); key != id->value) digests.back().push_back(hasher->Hash("email", key));
      }
    }
    for (const std::vector<Digest>& d : digests) {
      auto primary = ResolvePrimary(store, d);
      if (!primary) return Report(primary.error());
      auto ex = store.ExposuresOf(*primary);
      if (!ex) return Report(ex.error());
      for (const Exposure& e : *ex)
        if (e.first_seen >= *since) printer.Row(e);
    }
  }
  printer.Finish();
  return kExitOk;
}

int RunExposures(const GlobalFlags& flags, const HistoryFlags& f) {
  auto since = SinceFlag(f.since);
  if (!since) return Report(since.error());
  auto session = OpenSession(flags, Access::kRead, /*with_hasher=*/false);
  if (!session) return Report(session.error());
  Store& store = *session->store;
  Printer printer(f.format);
  auto s = store.ForEachExposureSince(*since, [&](const Exposure& e) {
    if ((f.watchlist.empty() || InWatchlist(e, f.watchlist)) && (f.document.empty() || e.content_digest == f.document))
      printer.Row(e);
    return true;
  });
  if (!s) return Report(s.error());
  printer.Finish();
  return kExitOk;
}

void AddOutputFlags(CLI::App* cmd, HistoryFlags* f) {
  cmd->add_option("--since", f->since, "first seen since a duration ago (7d, 12h) or a date (2026-11-01)");
  cmd->add_option("--format", f->format, "table | json | csv")->check(CLI::IsMember({"table", "json", "csv"}));
}

}  // namespace

void RegisterHistory(CLI::App& app, const GlobalFlags& flags, Action* action) {
  auto f = std::make_shared<HistoryFlags>();
  CLI::App* cmd = app.add_subcommand("history", "exposure history of identifiers, a keyed hash, or a watchlist");
  cmd->add_option("identifiers", f->identifiers, "emails or phone numbers");
  cmd->add_option("--hash", f->hash, "a keyed hash from 'leakwatch hash'");
  cmd->add_option("--watchlist", f->watchlist, "every exposure of this watchlist");
  AddOutputFlags(cmd, f.get());
  cmd->callback([&flags, f, action] { *action = [&flags, f] { return RunHistory(flags, *f); }; });
}

void RegisterExposures(CLI::App& app, const GlobalFlags& flags, Action* action) {
  auto f = std::make_shared<HistoryFlags>();
  CLI::App* cmd = app.add_subcommand("exposures", "recent exposures across all watchlists, oldest first");
  cmd->add_option("--watchlist", f->watchlist, "only this watchlist");
  cmd->add_option("--document", f->document, "only the exposures of this document (the id a bulk_exposure alert gives)");
  AddOutputFlags(cmd, f.get());
  cmd->callback([&flags, f, action] { *action = [&flags, f] { return RunExposures(flags, *f); }; });
}

}  // namespace lw::cli
