#include "crawler/telegram.h"

#include <algorithm>
#include <charconv>

#include "crawler/html_tree.h"

namespace lw {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// The parts of a message that are its own text.
constexpr std::string_view kTextClasses[] = {
    "tgme_widget_message_text",             // the text, or a media caption
    "tgme_widget_message_link_preview",     // site name, title, description
    "tgme_widget_message_document_title",   // a file's name
    "tgme_widget_message_poll_question",
    "tgme_widget_message_poll_option_text",
    "tgme_widget_message_location_name",
};

void Append(std::string* out, std::string part) {
  while (!part.empty() && (part.back() == '\n' || part.back() == ' ')) part.pop_back();
  if (part.empty()) return;
  if (!out->empty()) *out += '\n';
  *out += part;
}

// Text of one message element: the text parts outside any reply quote.
std::string MessageText(const GumboNode* message) {
  std::string text;
  Walk(
      message,
      [&](const GumboNode* node) {
        if (node->type != GUMBO_NODE_ELEMENT) return false;
        if (node != message && HasClass(node, "tgme_widget_message_reply")) return false;  // the quoted message
        for (std::string_view cls : kTextClasses) {
          if (HasClass(node, cls)) {
            Append(&text, NodeText(node, [](const GumboNode* n) { return HasClass(n, "tgme_widget_message_reply"); }));
            return false;
          }
        }
        return true;
      },
      [](const GumboNode*) {});
  return text;
}

}  // namespace

TelegramPage ParseTelegramPage(std::string_view html, std::string_view channel) {
  TelegramPage page;
  GumboOutputPtr output = ParseHtml(html);
  if (!output) return page;
  Walk(
      output->document,
      [&](const GumboNode* node) {
        if (node->type == GUMBO_NODE_DOCUMENT) return true;
        if (node->type != GUMBO_NODE_ELEMENT) return false;
        const char* post = HasClass(node, "tgme_widget_message") ? Attribute(node, "data-post") : nullptr;
        if (!post) return true;
        std::string_view p = post;
        size_t slash = p.rfind('/');
        if (slash == std::string_view::npos || !EqualsIgnoreCase(p.substr(0, slash), channel)) return false;
        std::string_view digits = p.substr(slash + 1);
        int64_t id = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
        if (ec != std::errc() || end != digits.data() + digits.size() || id <= 0) return false;
        page.min_id = page.min_id == 0 ? id : std::min(page.min_id, id);
        page.max_id = std::max(page.max_id, id);
        if (HasClass(node, "service_message")) {
          ++page.service_messages;
          return false;
        }
        page.messages.push_back({std::string(p.substr(0, slash)), id, MessageText(node)});
        return false;  // messages do not nest
      },
      [](const GumboNode*) {});
  return page;
}

}  // namespace lw
