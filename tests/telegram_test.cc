// The channel preview parser (crawler/telegram.h) on fixture pages in t.me's markup and on
// the saved pages in ../shared/real-world/feeds when present.
#include "crawler/telegram.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "tests/telegram_fixture.h"

using namespace lw;

namespace {

std::optional<std::string> RealWorld(const std::string& name) {
  std::ifstream in(std::filesystem::path(LW_REAL_WORLD_DIR) / "feeds" / name, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const TelegramMessage* Find(const TelegramPage& page, int64_t id) {
  for (const TelegramMessage& m : page.messages)
    if (m.id == id) return &m;
  return nullptr;
}

}  // namespace

TEST_CASE("telegram: messages, their parts, replies and service messages") {
  std::vector<tg::Post> posts(5);
  posts[0].id = 10;
  posts[0].text_html = "Channel created";
  posts[0].service = true;
  posts[1].id = 11;
  posts[1].text_html = "sample:<br/>zhang.wei@icloud.com----Abc12345<br>13800138000";
  posts[2].id = 12;
  posts[2].text_html = "see &quot;this&quot;";
  posts[2].reply_html = "li.na@qq.com quoted";
  posts[3].id = 14;
  posts[3].text_html = "file";
  posts[3].document = "wang.fang@163.com.txt";
  posts[4].id = 15;
  posts[4].text_html = "<a href=\"https://paste.test/x\">link</a>";
  posts[4].preview_html = "dump of 13800138000";
  TelegramPage page = ParseTelegramPage(tg::Page("Broker_Chan", posts, true), "broker_chan");
  CHECK(page.service_messages == 1);
  CHECK(page.min_id == 10);
  CHECK(page.max_id == 15);
  REQUIRE(page.messages.size() == 4);
  CHECK(page.messages[0].channel == "Broker_Chan");
  CHECK(page.messages[0].id == 11);
  CHECK(page.messages[0].text == "sample:\nzhang.wei@icloud.com----Abc12345\n13800138000");
  CHECK(page.messages[1].text == "see \"this\"");  // the quote is not the reply's text
  CHECK(page.messages[2].text == "wang.fang@163.com.txt\nfile");
  CHECK(page.messages[3].text == "link\nPaste\ndump of 13800138000");
  // Another channel's messages (an embedded widget) are not this channel's.
  CHECK(ParseTelegramPage(tg::Page("other", posts, false), "broker_chan").messages.empty());
  // Not a channel page at all.
  TelegramPage none = ParseTelegramPage("<html><body>Just a moment...</body></html>", "broker_chan");
  CHECK(none.messages.empty());
  CHECK(none.min_id == 0);
  // Bad ids are ignored.
  CHECK(ParseTelegramPage("<div class='tgme_widget_message' data-post='c/12x'>a</div>"
                          "<div class='tgme_widget_message' data-post='c/-3'>b</div>"
                          "<div class='tgme_widget_message' data-post='c/99999999999999999999999'>c</div>",
                          "c")
            .messages.empty());
}

TEST_CASE("telegram: the saved t.me/s pages in ../shared/real-world/feeds") {
  int found = 0;
  if (auto html = RealWorld("infoscape_tme_s_infoscape_test.html")) {
    ++found;
    TelegramPage page = ParseTelegramPage(*html, "infoscape_test");
    CHECK(page.service_messages == 1);
    CHECK(page.min_id == 1);
    CHECK(page.max_id == 7);
    REQUIRE(page.messages.size() == 5);
    CHECK(Find(page, 6) == nullptr);
    REQUIRE(Find(page, 7));
    CHECK(Find(page, 7)->text == "ответ на сообщение");  // not the quoted "простое сообщение"
    REQUIRE(Find(page, 4));
    CHECK(Find(page, 4)->text.find("Найдётся всё") != std::string::npos);  // the link preview
    REQUIRE(Find(page, 5));
    CHECK(Find(page, 5)->text == "2022-05-24 22.09.34.jpg\nфайл");
  }
  if (auto html = RealWorld("feedjam_tme_s_feedjam.html")) {
    ++found;
    TelegramPage page = ParseTelegramPage(*html, "feedjam");
    CHECK(page.service_messages == 1);
    CHECK(page.messages.size() == 6);
    CHECK(page.min_id == 1);
    CHECK(page.max_id == 7);
  }
  if (auto html = RealWorld("any2feed_tme_s_topwar_official.reformatted.html")) {
    ++found;
    TelegramPage page = ParseTelegramPage(*html, "topwar_official");
    CHECK(page.messages.size() == 12);
    CHECK(page.min_id == 70989);
    CHECK(page.max_id == 71008);
    for (const TelegramMessage& m : page.messages) CHECK(m.channel == "topwar_official");
  }
  if (found == 0) WARN("../shared/real-world/feeds is absent: skipped");
}
