// libFuzzer target: the Telegram channel preview parser (Gumbo, message parts, ids).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crawler/telegram.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view html(reinterpret_cast<const char*>(data), size);
  lw::TelegramPage page = lw::ParseTelegramPage(html, "broker");
  for (const lw::TelegramMessage& m : page.messages) {
    if (m.id <= 0 || m.id < page.min_id || m.id > page.max_id) __builtin_trap();
  }
  return 0;
}
