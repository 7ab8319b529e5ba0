// leakwatch init [--key-file PATH]
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "base/secret_key.h"
#include "cli/commands.h"

namespace lw::cli {
namespace {

namespace fs = std::filesystem;

struct InitOptions {
  std::string key_file;
};

Status InitDataDir(const Context& ctx, const InitOptions& options) {
  std::error_code ec;
  const std::string& dir = ctx.data_dir();
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return Fail(Error::IO(dir + ": " + ec.message()));
  }
  ::chmod(dir.c_str(), 0700);  // the directory holds the key: owner only

  const std::string key_path = ctx.key_path();
  bool key_exists = fs::exists(key_path, ec);
  if (!options.key_file.empty()) {
    auto adopted = LoadSecretKey(options.key_file);  // refuses group/other-readable keys
    if (!adopted) return Fail(adopted.error());
    if (key_exists) {
      auto current = LoadSecretKey(key_path);
      if (!current) return Fail(current.error());
      if (*current != *adopted)
        return Fail(Error::Config(key_path + " already holds a different key; refusing to replace it"));
    } else {
      std::string tmp = key_path + ".tmp";
      {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        ::chmod(tmp.c_str(), 0600);
        out.write(adopted->data(), static_cast<std::streamsize>(adopted->size()));
        if (!out) return Fail(Error::IO(tmp + ": cannot write the key"));
      }
      ::chmod(tmp.c_str(), 0600);
      fs::rename(tmp, key_path, ec);
      if (ec) return Fail(Error::IO(key_path + ": " + ec.message()));
    }
  } else if (!key_exists) {
    if (auto s = CreateSecretKey(key_path); !s) return s;
  }
  auto key = LoadSecretKey(key_path);
  if (!key) return Fail(key.error());
  KeyedHasher hasher(*key);

  StoreOptions store_options;
  store_options.create_if_missing = true;
  auto store = Store::Open(ctx.store_dir(), store_options);
  if (!store) return Fail(store.error());
  auto fingerprint = (*store)->GetMeta("key_fingerprint");
  if (!fingerprint) return Fail(fingerprint.error());
  if (*fingerprint && **fingerprint != hasher.Fingerprint())
    return Fail(Error::KeyMismatch("the store in " + ctx.store_dir() + " was created with another key (fingerprint " +
                                   **fingerprint + ", " + key_path + " has " + hasher.Fingerprint() + ")"));
  bool fresh = !*fingerprint;
  if (fresh) {
    if (auto s = (*store)->PutMeta("key_fingerprint", hasher.Fingerprint()); !s) return s;
    if (auto s = (*store)->PutMeta("created_at", std::to_string(std::time(nullptr))); !s) return s;
  }
  std::printf("%s leakwatch data directory %s (key fingerprint %s)\n", fresh ? "Initialized" : "Reinitialized existing",
              dir.c_str(), hasher.Fingerprint().c_str());
  return Ok();
}

}  // namespace

void RegisterInit(CLI::App& app, const GlobalFlags& flags, Action* action) {
  auto options = std::make_shared<InitOptions>();
  CLI::App* cmd = app.add_subcommand("init", "create the data directory, the store and a secret key");
  cmd->add_option("--key-file", options->key_file, "adopt this key (shared by several hosts) instead of creating one");
  cmd->callback([&flags, options, action] {
    *action = [&flags, options] {
      auto ctx = Context::Make(flags);
      if (!ctx) return Report(ctx.error());
      if (auto s = InitDataDir(*ctx, *options); !s) return Report(s.error());
      return kExitOk;
    };
  });
}

}  // namespace lw::cli
