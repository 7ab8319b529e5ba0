// libFuzzer target: the TOML configuration parser. Any input gives a Config or a
// kConfig error naming the file; never a crash or an exception escaping.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = lw::ParseConfig(text, "fuzz.toml");
  if (!config && config.error().code != lw::Error::Code::kConfig) __builtin_trap();
  if (!config && config.error().message.rfind("fuzz.toml:", 0) != 0) __builtin_trap();
  return 0;
}
