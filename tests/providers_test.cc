#include "base/providers.h"

#include <catch2/catch.hpp>
#include <set>

#include "base/identifier.h"

using namespace lw;

TEST_CASE("providers: every row is well-formed and every domain finds its row") {
  std::set<std::string_view> seen;
  Normalizer normalizer;
  for (const Provider& p : Providers()) {
    INFO(p.name);
    CHECK(!p.name.empty());
    CHECK(!p.domains.empty());
    CHECK(!p.source.empty());
    CHECK((p.tag_separator == '+' || p.tag_separator == '-'));
    for (std::string_view d : p.domains) {
      INFO(d);
      CHECK(seen.insert(d).second);  // no domain in two rows
      CHECK(FindProvider(d) == &p);
      // A real, normalized address domain.
      auto e = normalizer.Email("a@" + std::string(d));
      REQUIRE(e);
      CHECK(*e == "a@" + std::string(d));
    }
  }
  CHECK(FindProvider("corp.example") == nullptr);
  CHECK(FindProvider("me.com.cn") == nullptr);
  CHECK(FindProvider("gmail.co") == nullptr);
  CHECK(FindProvider("") == nullptr);
}

TEST_CASE("providers: account keys, row by row") {
  for (const Provider& p : Providers()) {
    INFO(p.name);
    const std::string sep(1, p.tag_separator);
    const std::string first(p.domains.front());
    for (std::string_view dv : p.domains) {
      const std::string d(dv);
      INFO(d);
      const std::string key_domain = p.one_account ? first : d;
      // The tag goes; the account's first domain names it when the domains are one account.
      CHECK(AccountKey("li.na" + sep + "shop@" + d) == (p.dots_ignored ? "lina" : "li.na") + ("@" + key_domain));
      CHECK(AccountKey("li.na" + sep + "a" + sep + "b@" + d) == (p.dots_ignored ? "lina" : "li.na") + ("@" + key_domain));
      CHECK(AccountKey("lina@" + d) == "lina@" + key_domain);
      // Dots only where they are ignored.
      CHECK(AccountKey("l.i.na@" + d) == (p.dots_ignored ? "lina@" : "l.i.na@") + key_domain);
      // A tag with nothing before it is no tag.
      CHECK(AccountKey(sep + "lina@" + d) == sep + "lina@" + key_domain);
      // The other separator is part of the name.
      const std::string other = p.tag_separator == '+' ? "-" : "+";
      CHECK(AccountKey("li" + other + "na@" + d) == "li" + other + "na@" + key_domain);
      // An address in its key's spelling has no other key.
      char out[kAccountKeyRoom];
      CHECK(AccountKeyInto("lina@" + key_domain, out) == 0);
    }
  }
}

TEST_CASE("providers: near misses keep their spelling") {
  CHECK(AccountKey("x+y@corp.example") == "x+y@corp.example");
  CHECK(AccountKey("zhang.wei@corp.example") == "zhang.wei@corp.example");
  CHECK(AccountKey("zhang.wei@outlook.com") == "zhang.wei@outlook.com");   // dots matter at Microsoft
  CHECK(AccountKey("zhangwei@outlook.com") != AccountKey("zhang.wei@outlook.com"));
  CHECK(AccountKey("x@hotmail.com") != AccountKey("x@outlook.com"));          // each its own account
  CHECK(AccountKey("x@yahoo.co.uk") != AccountKey("x@yahoo.com"));
  CHECK(AccountKey("li+na@yahoo.com") == "li+na@yahoo.com");                   // Yahoo's tag is '-'
  CHECK(AccountKey("li-na@gmail.com") == "li-na@gmail.com");
  CHECK(AccountKey("x@me.com.cn") == "x@me.com.cn");
  char out[kAccountKeyRoom];
  CHECK(AccountKeyInto("no-at-sign", out) == 0);
  CHECK(AccountKeyInto("...@gmail.com", out) == 0);
  CHECK(AccountKeyInto(std::string(250, 'a') + "@me.com", out) == 0);  // longer than 254: no address
}

TEST_CASE("providers: the spellings a leak may hash") {
  using V = std::vector<std::string>;
  CHECK(HashedSpellings("x@corp.example") == V{"x@corp.example"});
  CHECK(HashedSpellings("x+y@corp.example") == V{"x+y@corp.example"});
  CHECK(HashedSpellings("li.na@icloud.com") == V{"li.na@icloud.com", "li.na@me.com", "li.na@mac.com"});
  CHECK(HashedSpellings("li.na@me.com") == V{"li.na@me.com", "li.na@icloud.com", "li.na@mac.com"});
  CHECK(HashedSpellings("zhang.wei@gmail.com") ==
        V{"zhang.wei@gmail.com", "zhangwei@gmail.com", "zhang.wei@googlemail.com", "zhangwei@googlemail.com"});
  CHECK(HashedSpellings("zhangwei@gmail.com") == V{"zhangwei@gmail.com", "zhangwei@googlemail.com"});
  CHECK(HashedSpellings("x@outlook.com") == V{"x@outlook.com"});  // its own account, no dot rule
  CHECK(HashedSpellings("x@pm.me") == V{"x@pm.me", "x@proton.me", "x@protonmail.com", "x@protonmail.ch"});
  // As written and lower-cased, before the normalized form; repeats once.
  CHECK(HashedSpellings("li@me.com", " Li@Me.com\r") == V{"Li@Me.com", "li@me.com", "li@icloud.com", "li@mac.com"});
  CHECK(HashedSpellings("li@me.com", "li@me.com") == V{"li@me.com", "li@icloud.com", "li@mac.com"});
  // Unicode: lower-cased as written, beside the normalized (punycode) form.
  CHECK(HashedSpellings("wang@xn--fsqu00a.xn--fiqs8s", "WANG@例子.中国") ==
        V{"WANG@例子.中国", "wang@例子.中国", "wang@xn--fsqu00a.xn--fiqs8s"});
  // Every spelling of every one-account row.
  for (const Provider& p : Providers()) {
    if (!p.one_account) continue;
    auto s = HashedSpellings("ab@" + std::string(p.domains.back()));
    CHECK(s.size() == p.domains.size());
    for (std::string_view d : p.domains) CHECK(std::count(s.begin(), s.end(), "ab@" + std::string(d)) == 1);
  }
}
