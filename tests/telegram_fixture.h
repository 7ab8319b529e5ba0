// Channel preview pages in the shape t.me/s/NAME serves them (the markup of the saved
// pages in ../shared/real-world/feeds), for the Telegram tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lw::tg {

struct Post {
  int64_t id = 0;
  std::string text_html;     // inner HTML of div.tgme_widget_message_text ("" for none)
  bool service = false;      // "Channel created", a pin
  std::string reply_html;    // the quoted message of a reply ("" for none)
  std::string preview_html;  // a link preview's description ("" for none)
  std::string document;      // a document's file name ("" for none)
};

inline std::string PostHtml(const std::string& channel, const Post& p) {
  const std::string id = std::to_string(p.id);
  std::string h = "<div class=\"tgme_widget_message_wrap js-widget_message_wrap\"><div class=\"tgme_widget_message ";
  h += p.service ? "service_message " : "";
  h += "js-widget_message\" data-post=\"" + channel + "/" + id + "\" data-view=\"eyJjIjotMTUyMzA1\">\n";
  h += "  <div class=\"tgme_widget_message_user\"><a href=\"https://t.me/" + channel +
       "\"><i class=\"tgme_widget_message_user_photo bgcolor2\" data-content=\"i\"></i></a></div>\n";
  h += "  <div class=\"tgme_widget_message_bubble\">\n";
  h += "    <i class=\"tgme_widget_message_bubble_tail\"><svg class=\"bubble_icon\" width=\"9px\" height=\"20px\"></svg></i>\n";
  h += "    <div class=\"tgme_widget_message_author accent_color\"><a class=\"tgme_widget_message_owner_name\" href=\"https://t.me/" +
       channel + "\"><span dir=\"auto\">" + channel + "</span></a></div>\n";
  if (p.service) {
    h += "<div class=\"tgme_widget_message_service_date_wrap\"></div><div class=\"tgme_widget_message_text js-message_text\" dir=\"auto\">" +
         p.text_html + "</div>\n";
  } else {
    if (!p.reply_html.empty())
      h += "<a class=\"tgme_widget_message_reply\" href=\"https://t.me/" + channel +
           "/1\" >\n<div class=\"tgme_widget_message_author accent_color\">\n  <span class=\"tgme_widget_message_author_name\" dir=\"auto\">" +
           channel + "</span>\n</div>\n<div class=\"tgme_widget_message_text js-message_reply_text\" dir=\"auto\">" +
           p.reply_html + "</div>\n</a>\n";
    if (!p.document.empty())
      h += "<a class=\"tgme_widget_message_document_wrap\" href=\"https://t.me/" + channel + "/" + id +
           "\">\n  <div class=\"tgme_widget_message_document_icon accent_bg\"></div>\n  <div class=\"tgme_widget_message_document\">\n"
           "    <div class=\"tgme_widget_message_document_title accent_color\" dir=\"auto\">" +
           p.document + "</div>\n    <div class=\"tgme_widget_message_document_extra\" dir=\"auto\">52.6 KB</div>\n  </div>\n</a>\n";
    if (!p.text_html.empty())
      h += "<div class=\"tgme_widget_message_text js-message_text\" dir=\"auto\">" + p.text_html + "</div>\n";
    if (!p.preview_html.empty())
      h += "<a class=\"tgme_widget_message_link_preview\" href=\"https://paste.test/x\">\n  <div class=\"link_preview_site_name accent_color\" dir=\"auto\">Paste</div>\n"
           "  <div class=\"link_preview_description\" dir=\"auto\">" +
           p.preview_html + "</div>\n</a>\n";
  }
  h += "<div class=\"tgme_widget_message_footer compact js-message_footer\">\n  <div class=\"tgme_widget_message_info short js-message_info\">\n"
       "    <span class=\"tgme_widget_message_views\">2</span><span class=\"copyonly\"> views</span><span class=\"tgme_widget_message_meta\"><a class=\"tgme_widget_message_date\" href=\"https://t.me/" +
       channel + "/" + id + "\"><time datetime=\"2026-12-07T10:08:25+00:00\" class=\"time\">10:08</time></a></span>\n  </div>\n</div>\n";
  h += "  </div>\n</div></div>";
  return h;
}

// A whole page: `posts` oldest first, as t.me orders them; a "load more" link before the
// first when `more` (the channel has older messages).
inline std::string Page(const std::string& channel, const std::vector<Post>& posts, bool more) {
  std::string h = "<!DOCTYPE html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n    <title>" + channel +
                  " – Telegram</title>\n";
  if (!posts.empty()) {
    h += "    <link rel=\"canonical\" href=\"/s/" + channel + "?before=" + std::to_string(posts.back().id + 1) + "\">\n";
    if (more) h += "    <link rel=\"prev\" href=\"/s/" + channel + "?before=" + std::to_string(posts.front().id) + "\">\n";
  }
  h += "  </head>\n  <body class=\"widget_frame_base tgme_webpreview_body\">\n"
       "<div class=\"tgme_channel_info\"><div class=\"tgme_channel_info_description\">Channel about data</div></div>\n"
       "<main class=\"tgme_main\"><div class=\"tgme_container\">\n"
       "<section class=\"tgme_channel_history js-message_history\">\n";
  if (more && !posts.empty())
    h += "<div class=\"tme_messages_more_wrap\"><a href=\"/s/" + channel + "?before=" + std::to_string(posts.front().id) +
         "\" class=\"tme_messages_more js-messages_more\" data-before=\"" + std::to_string(posts.front().id) + "\"></a></div>\n";
  for (const Post& p : posts) h += PostHtml(channel, p);
  h += "\n</section>\n</div></main>\n  </body>\n</html>\n";
  return h;
}

}  // namespace lw::tg
