// What every subcommand needs: where the data lives, the configuration, and helpers to
// open the store and the key. Errors become exit codes here (the contract's table).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/config.h"
#include "base/keyed_hash.h"
#include "base/status.h"
#include "store/store.h"

namespace lw::cli {

// Exit codes of the contract.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitExposure = 3;
inline constexpr int kExitBusy = 75;

struct GlobalFlags {
  std::string data_dir;     // --data; else $LEAKWATCH_DATA, $XDG_DATA_HOME/leakwatch, ~/.local/share/leakwatch
  std::string config_path;  // --config; else $LEAKWATCH_CONFIG, DATA/config.toml when present
};

class Context {
 public:
  // Resolves the data directory and loads the configuration.
  static Result<Context> Make(const GlobalFlags& flags);

  const std::string& data_dir() const { return data_dir_; }
  std::string store_dir() const { return data_dir_ + "/store"; }
  std::string key_path() const { return data_dir_ + "/secret.key"; }
  const Config& config() const { return config_; }

  // Opens the store for writing (exclusive; kBusy when held) or for reading (concurrent
  // with a writer), and checks that the secret key is the store's.
  Result<std::unique_ptr<Store>> OpenStore(bool write) const;
  Result<KeyedHasher> LoadHasher(Store& store) const;

 private:
  std::string data_dir_;
  Config config_;
};

// What most commands start with: the context, the store opened for reading (beside a
// writer) or writing (exclusive), and, when asked, the hasher checked against the store.
struct Session {
  Context ctx;
  std::unique_ptr<Store> store;
  std::optional<KeyedHasher> hasher;
};
enum class Access { kRead, kWrite };
Result<Session> OpenSession(const GlobalFlags& flags, Access access, bool with_hasher);
// The same for a command that needed the configuration before opening the store.
Result<Session> OpenSession(Context ctx, Access access, bool with_hasher);

// --since: a duration back from now or a date; 0 (everything) when empty.
Result<UnixSeconds> SinceFlag(const std::string& since);

// After a scan or crawl: `[store] retain` removes exposures and crawl state older than it.
// Reported on stderr; a failure is reported, not fatal (the run's own work is done).
void ApplyRetention(const Context& ctx, Store& store);

// Prints "leakwatch: <message>" to stderr and returns the exit code for the error.
int Report(const Error& error);

}  // namespace lw::cli
