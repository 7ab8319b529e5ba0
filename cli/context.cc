#include "cli/context.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "base/secret_key.h"
#include "base/units.h"
#include "crawler/source_kind.h"

namespace lw::cli {

namespace fs = std::filesystem;

Result<Context> Context::Make(const GlobalFlags& flags) {
  Context c;
  c.data_dir_ = flags.data_dir;
  if (c.data_dir_.empty()) {
    if (const char* d = std::getenv("LEAKWATCH_DATA"); d && *d) c.data_dir_ = d;
    else if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) c.data_dir_ = std::string(x) + "/leakwatch";
    else if (const char* h = std::getenv("HOME"); h && *h) c.data_dir_ = std::string(h) + "/.local/share/leakwatch";
    else return Fail(Error::Config("no data directory: pass --data DIR or set LEAKWATCH_DATA"));
  }
  std::string config_path = flags.config_path;
  if (config_path.empty()) {
    if (const char* e = std::getenv("LEAKWATCH_CONFIG"); e && *e) config_path = e;
  }
  if (config_path.empty()) {
    std::error_code ec;
    if (fs::exists(c.data_dir_ + "/config.toml", ec)) config_path = c.data_dir_ + "/config.toml";
  }
  if (!config_path.empty()) {
    auto config = LoadConfig(config_path);
    if (!config) return Fail(config.error());
    if (auto s = CheckSources(*config); !s) return Fail(s.error());  // each kind's keys
    c.config_ = std::move(*config);
  }
  return c;
}

Result<std::unique_ptr<Store>> Context::OpenStore(bool write) const {
  StoreOptions options;
  options.read_only = !write;
  return Store::Open(store_dir(), options);
}

Result<KeyedHasher> Context::LoadHasher(Store& store) const {
  auto key = LoadSecretKey(key_path());
  if (!key) return Fail(key.error());
  KeyedHasher hasher(*key);
  auto stored = store.GetMeta("key_fingerprint");
  if (!stored) return Fail(stored.error());
  if (!*stored) return Fail(Error::Corruption("the store in " + store_dir() + " records no key fingerprint"));
  if (**stored != hasher.Fingerprint())
    return Fail(Error::KeyMismatch(key_path() + " is not the key this store was created with (key fingerprint " +
                                   hasher.Fingerprint() + ", store expects " + **stored + ")"));
  return hasher;
}

Result<Session> OpenSession(const GlobalFlags& flags, Access access, bool with_hasher) {
  auto ctx = Context::Make(flags);
  if (!ctx) return Fail(ctx.error());
  return OpenSession(std::move(*ctx), access, with_hasher);
}

Result<Session> OpenSession(Context ctx, Access access, bool with_hasher) {
  auto store = ctx.OpenStore(access == Access::kWrite);
  if (!store) return Fail(store.error());
  Session session{std::move(ctx), std::move(*store), std::nullopt};
  if (with_hasher) {
    auto hasher = session.ctx.LoadHasher(*session.store);
    if (!hasher) return Fail(hasher.error());
    session.hasher.emplace(std::move(*hasher));
  }
  return session;
}

Result<UnixSeconds> SinceFlag(const std::string& since) {
  if (since.empty()) return UnixSeconds{0};
  return ParseSince(since, SystemClock().Now());
}

void ApplyRetention(const Context& ctx, Store& store) {
  int64_t retain_ms = ctx.config().store.retain_ms;
  if (retain_ms <= 0) return;
  auto r = store.Prune(SystemClock().Now() - retain_ms / 1000, /*dry_run=*/false);
  if (!r) {
    std::fprintf(stderr, "leakwatch: retention: %s\n", r.error().message.c_str());
  } else if (r->exposures + r->crawl_entries > 0) {
    std::fprintf(stderr, "retention: pruned %llu exposures and %llu crawl-state entries\n",
                 static_cast<unsigned long long>(r->exposures), static_cast<unsigned long long>(r->crawl_entries));
  }
}

int Report(const Error& error) {
  std::fprintf(stderr, "leakwatch: %s\n", error.message.c_str());
  switch (error.code) {
    case Error::Code::kInvalidArgument:
    case Error::Code::kConfig:
    case Error::Code::kKeyMismatch:
      return kExitUsage;
    case Error::Code::kBusy:
      return kExitBusy;
    default:
      return kExitFailure;
  }
}

}  // namespace lw::cli
