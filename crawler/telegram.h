// The public web preview of a Telegram channel (https://t.me/s/NAME): its messages, as
// text. One page holds about twenty messages, newest last; `?before=ID` gives the ones
// before ID.
//
// Takes UTF-8 HTML from a hostile server; never fails (markup it does not recognise
// yields no messages). Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lw {

struct TelegramMessage {
  std::string channel;  // as data-post names it
  int64_t id = 0;       // the message number within the channel
  // The message text, its link preview (site, title, description), its document names and
  // poll; not the quote of the message it replies to.
  std::string text;
};

struct TelegramPage {
  std::vector<TelegramMessage> messages;  // in page order; service messages left out
  int service_messages = 0;               // joins, pins, "channel created": skipped
  int64_t min_id = 0;                     // the smallest id on the page, service ones included (0: none)
  int64_t max_id = 0;
};

// The messages of channel `channel` (compared case-insensitively with data-post's name;
// messages of other channels, as in embedded widgets, are left out).
TelegramPage ParseTelegramPage(std::string_view html, std::string_view channel);

}  // namespace lw
