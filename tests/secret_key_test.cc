#include "base/secret_key.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

TEST_CASE("secret key: created 0600, loaded, group-readable refused") {
  fs::path dir = fs::temp_directory_path() / ("lw-key-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string path = (dir / "secret.key").string();
  REQUIRE(lw::CreateSecretKey(path));
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(fs::file_size(path) == 32);
  auto key = lw::LoadSecretKey(path);
  REQUIRE(key);
  CHECK(key->size() == 32);
  CHECK(!lw::CreateSecretKey(path));  // never overwrites

  ::chmod(path.c_str(), 0640);
  auto refused = lw::LoadSecretKey(path);
  REQUIRE(!refused);
  CHECK(refused.error().message.find("group or others") != std::string::npos);

  std::string hex_path = (dir / "hex.key").string();
  {
    std::ofstream(hex_path) << std::string(64, 'a') << "\n";
  }
  ::chmod(hex_path.c_str(), 0600);
  auto hex = lw::LoadSecretKey(hex_path);
  REQUIRE(hex);
  CHECK(*hex == std::string(32, '\xaa'));
  CHECK(!lw::LoadSecretKey((dir / "missing").string()));
  fs::remove_all(dir);
}
