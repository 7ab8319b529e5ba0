// Record formats seen in real leaks, as a table: for each text, whether a given value is
// found, with which match kind and severity (kCredential when a password or password hash
// sits in the same record as the identifier, kExposure otherwise), or must not be found
// at all, or must not be called a credential.
//
// Every identity here is made up (wang@icloud.com, 13800138000, zhangsan, ...); the
// formats follow public descriptions of combo lists, CSV/SQL dumps, JSON exports,
// infostealer logs and labelled pastes.
#include <catch2/catch.hpp>
#include <zlib.h>

#include <filesystem>
#include <optional>

#include <string>
#include <string_view>
#include <vector>

#include "matcher/extractor.h"
#include "matcher/records.h"

using lw::Candidate;
using lw::Extractor;
using lw::MatchKind;
using lw::Normalizer;
using lw::Severity;

namespace {

constexpr MatchKind kExact = MatchKind::kExact;
constexpr MatchKind kAlias = MatchKind::kAlias;  // a QQ number reported as NUMBER@qq.com
constexpr MatchKind kObfuscated = MatchKind::kObfuscated;
constexpr MatchKind kEncoded = MatchKind::kEncoded;
constexpr Severity kExposure = Severity::kExposure;
constexpr Severity kCredential = Severity::kCredential;

enum class Want { kFound, kAbsent, kNotCredential };

struct Expect {
  Want want;
  MatchKind match = kExact;
  Severity severity = kExposure;
};

// The value is among the candidates, with exactly this match kind and severity.
constexpr Expect Found(MatchKind match, Severity severity) { return {Want::kFound, match, severity}; }
// No candidate has the value.
constexpr Expect Absent{Want::kAbsent};
// If a candidate has the value, its severity is kExposure.
constexpr Expect NotCredential{Want::kNotCredential};

struct Row {
  const char* name;
  std::string_view text;
  std::string_view value;
  Expect expect;
};

// ---- Texts shared by several rows ----

constexpr std::string_view kComboList = R"rec(wang@icloud.com----Abc12345
li@163.com
13912345678----woaini1314
zs@163.com----
)rec";

constexpr std::string_view kCsvHeader = R"rec(email,pwd,city
li@163.com,123456,beijing
zs@163.com,,shanghai
)rec";

constexpr std::string_view kSqlColumns =
    "INSERT INTO users (id,email,password) VALUES (1,'li@163.com','123456'),(2,'zs@163.com',NULL);";

constexpr std::string_view kSqlExtended = R"rec(INSERT INTO `pw_members` (`uid`,`username`,`password`,`email`) VALUES
(1,'zhangsan','e10adc3949ba59abbe56e057f20f883e','zs@163.com'),
(2,'lisi','','ls@163.com');
)rec";

constexpr std::string_view kSqlCreateTable = R"rec(CREATE TABLE `users` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `email` varchar(64) NOT NULL,
  `password` varchar(64) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO `users` VALUES (1,'li@163.com','123456'),(2,'zs@163.com','');
)rec";

constexpr std::string_view kSqlCreateTableNoPassword = R"rec(CREATE TABLE contacts (
  id int,
  email varchar(64),
  city varchar(32)
);
INSERT INTO contacts VALUES (1,'li@163.com','Chaoyang');
)rec";

constexpr std::string_view kPgCopy =
    "COPY public.users (id, email, password, created_at) FROM stdin;\n"
    "1\tli@163.com\t$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy\t2023-01-05 10:00:00\n"
    "2\tzs@163.com\t\\N\t2023-01-05 10:00:00\n"
    "\\.\n";

constexpr std::string_view kUcMembers =
    "INSERT INTO uc_members VALUES "
    "(1,'admin','e10adc3949ba59abbe56e057f20f883e','admin@qq.com','','',0,'127.0.0.1',1,0,'a1b2c3','');";

constexpr std::string_view kJsonArray =
    R"rec([{"email":"a@qq.com","password":"Abc12345"},{"email":"b@qq.com","name":"b"}])rec";

constexpr std::string_view kJsonPretty = R"rec({
  "username": "zhangsan",
  "email": "zs@163.com",
  "password": "$2y$10$NrWehkSfzcj1ZgCj0fnAfWeAdpJZqnLvlwTkgfy90M54SKDvDiK9P",
  "created": "2023-01-05"
}
)rec";

constexpr std::string_view kRedLine = R"rec(URL: https://accounts.example.com/login
Username: wang.lei@icloud.com
Password: Abc12345
Application: Google_[Chrome]_Default
===============
URL: https://mail.example.com/
Username: 13800138000
Password: a123456
Application: Microsoft_[Edge]_Default
===============
URL: https://shop.example.com/
Username: li@163.com
Password: 
Application: Google_[Chrome]_Profile 1
===============
)rec";

constexpr std::string_view kRaccoon = R"rec(URL: https://mail.example.com/
USER: wang@icloud.com
PASS: Abc12345

URL: https://bbs.example.com/
USER: zs@163.com
PASS: 
)rec";

constexpr std::string_view kVidar = R"rec(Soft: Google Chrome (Default)
Host: https://login.example.com/
Login: 13912345678
Password: qq123456

Soft: Mozilla Firefox
Host: https://www.example.com/
Login: li@163.com
Password: 
)rec";

constexpr std::string_view kLeet = R"rec(UR1: https://login.example.com/
Us3rn4m3: wang@icloud.com
P455W0RD: Abc12345
===============
)rec";

constexpr std::string_view kLabelledBlock = R"rec(用户名：zhangsan
邮箱：zs@163.com
手机：13912345678
密码：123456
)rec";

// ---- The table ----

const Row kRows[] = {
    // Boundaries: whatever comes before or after an email or phone.
    {"after ----", "wang@icloud.com----Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"after ---", "wang@icloud.com---Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"after --", "wang@icloud.com--Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"after -", "wang@icloud.com-Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"before ----", "Abc12345----wang@icloud.com", "wang@icloud.com", Found(kExact, kCredential)},
    {"before --, alone", "--wang@icloud.com", "wang@icloud.com", Found(kExact, kExposure)},
    {"runs of _", "____wang@icloud.com____", "wang@icloud.com", Found(kExact, kExposure)},
    {"runs of =", "====wang@icloud.com====", "wang@icloud.com", Found(kExact, kExposure)},
    {"runs of ~", "~~~~wang@icloud.com~~~~", "wang@icloud.com", Found(kExact, kExposure)},
    {"runs of |", "||wang@icloud.com||", "wang@icloud.com", Found(kExact, kExposure)},
    {"runs of #", "####wang@icloud.com####", "wang@icloud.com", Found(kExact, kExposure)},
    {"runs of /", "////wang@icloud.com////", "wang@icloud.com", Found(kExact, kExposure)},
    {"runs of backslash", R"(\\\\wang@icloud.com\\\\)", "wang@icloud.com", Found(kExact, kExposure)},
    {"tabs", "\t\twang@icloud.com\t\t", "wang@icloud.com", Found(kExact, kExposure)},
    {"phone in ----", "----13800138000----", "+8613800138000", Found(kExact, kExposure)},
    {"phone in _", "____13800138000____", "+8613800138000", Found(kExact, kExposure)},
    {"phone in ==", "==13800138000==", "+8613800138000", Found(kExact, kExposure)},
    {"phone in #", "##13800138000##", "+8613800138000", Found(kExact, kExposure)},
    {"phone in ||", "||13800138000||", "+8613800138000", Found(kExact, kExposure)},
    {"phone in //", "//13912345678//", "+8613912345678", Found(kExact, kExposure)},

    // Boundaries: fullwidth / CJK punctuation and CJK letters attached.
    {"CJK letters, fullwidth comma", "联系邮箱x@qq.com，欢迎", "x@qq.com", Found(kExact, kExposure)},
    {"phone, CJK letters, fullwidth comma", "电话13800138000，", "+8613800138000", Found(kExact, kExposure)},
    {"fullwidth parens", "（wang@icloud.com）", "wang@icloud.com", Found(kExact, kExposure)},
    {"lenticular brackets", "【13800138000】", "+8613800138000", Found(kExact, kExposure)},
    {"enumeration comma", "张三、wang@icloud.com、北京", "wang@icloud.com", Found(kExact, kExposure)},
    {"fullwidth colon and semicolon", "邮箱：wang@icloud.com；电话：13912345678。", "wang@icloud.com",
     Found(kExact, kExposure)},
    {"fullwidth semicolon and full stop", "邮箱：wang@icloud.com；电话：13912345678。", "+8613912345678",
     Found(kExact, kExposure)},
    {"ideographic full stop after email", "请发邮件到wang@icloud.com。", "wang@icloud.com", Found(kExact, kExposure)},
    {"CJK letters both sides of phone", "客服微信同号13912345678欢迎咨询", "+8613912345678", Found(kExact, kExposure)},

    // Domains: the top-level label must be a public suffix.
    {"country-code second level", "li@sina.com.cn", "li@sina.com.cn", Found(kExact, kExposure)},
    {".ne.jp", "tanaka@docomo.ne.jp", "tanaka@docomo.ne.jp", Found(kExact, kExposure)},
    {".local is not a TLD", "a@host.local", "a@host.local", Absent},
    {".notatld", "a@b.notatld", "a@b.notatld", Absent},
    {".invalidtld", "x@y.invalidtld", "x@y.invalidtld", Absent},
    {".lan is not a TLD", "backup to wang@nas.lan----Abc12345", "wang@nas.lan", Absent},

    // Phones: not inside longer digit runs, versions or IP addresses.
    {"order number", "订单号：2023121513800138000123", "+8613800138000", Absent},
    {"16-digit bank card", "6222013800138000", "+8613800138000", Absent},
    {"15-digit IMEI", "IMEI: 356813800138000", "+8613800138000", Absent},
    {"ID card with X", "11010519900307123X", "+8619900307123", Absent},
    {"ID card, digits", "110105199003071234", "+8619900307123", Absent},
    {"ID card in a labelled field", "身份证：11010519900307123X", "+8619900307123", Absent},
    {"mobile inside an 18-digit run", "440113800138000123", "+8613800138000", Absent},
    {"mobile inside an 18-digit run with X", "32011380013800012X", "+8613800138000", Absent},
    {"version string", "version 1.3800138000", "+8613800138000", Absent},
    {"dotted version string", "Firmware version 1.3.800.138000 released", "+8613800138000", Absent},
    {"IPv4 address", "139.123.45.178", "+8613912345178", Absent},
    {"IPv4 address with port", "from 183.141.22.109:443 at", "+8618314122109", Absent},
    {"IPv4 in a log line", "[2023-01-05 10:00:00] 158.21.106.230 GET /login", "+8615821106230", Absent},

    // Combo lists: delimiters, password on either side.
    {"combo :", "wang@icloud.com:Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"combo ;", "wang@icloud.com;Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"combo |", "wang@icloud.com|Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"combo tab", "wang@icloud.com\tAbc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"combo tab, digits", "wang@icloud.com\t123456", "wang@icloud.com", Found(kExact, kCredential)},
    {"combo ,", "wang@icloud.com,Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"combo ---", "wang@icloud.com---Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"combo --", "wang@icloud.com--Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"combo =", "wang@icloud.com=Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"combo, upper case normalized", "Wang.Lei@iCloud.COM:Abc12345", "wang.lei@icloud.com", Found(kExact, kCredential)},
    {"combo, digits", "test@email.com:123456", "test@email.com", Found(kExact, kCredential)},
    {"combo, 163 style", "wang@163.com----123456", "wang@163.com", Found(kExact, kCredential)},
    {"CSDN style", "zhangsan # Abc12345 # zs@163.com", "zs@163.com", Found(kExact, kCredential)},
    {"CSDN style, digits", "lisi # 123456 # ls@163.com", "ls@163.com", Found(kExact, kCredential)},
    {"password first", "qq123456----wang@icloud.com", "wang@icloud.com", Found(kExact, kCredential)},
    {"phone ----", "13800138000----Abc12345", "+8613800138000", Found(kExact, kCredential)},
    {"phone :", "13912345678:a123456", "+8613912345678", Found(kExact, kCredential)},
    {"phone |", "13800138000|woaini1314", "+8613800138000", Found(kExact, kCredential)},
    {"phone, password first", "woaini1314----13912345678", "+8613912345678", Found(kExact, kCredential)},
    {"URL:login:password", "https://passport.example.com/login:wang@icloud.com:Abc12345", "wang@icloud.com",
     Found(kExact, kCredential)},
    {"URL|phone|password", "https://m.example.com/login|13800138000|Abc12345", "+8613800138000",
     Found(kExact, kCredential)},
    {"combo list line 1", kComboList, "wang@icloud.com", Found(kExact, kCredential)},
    {"combo list line 2, no password", kComboList, "li@163.com", Found(kExact, kExposure)},
    {"combo list line 3", kComboList, "+8613912345678", Found(kExact, kCredential)},
    {"combo list line 4, empty password", kComboList, "zs@163.com", Found(kExact, kExposure)},
    {"combo, empty", "wang@icloud.com:\n", "wang@icloud.com", Found(kExact, kExposure)},

    // Hashes beside the identifier.
    {"md5", "wang@icloud.com:e10adc3949ba59abbe56e057f20f883e", "wang@icloud.com", Found(kExact, kCredential)},
    {"sha1", "wang@icloud.com:7c4a8d09ca3762af61e59520943dc26494f8941b", "wang@icloud.com",
     Found(kExact, kCredential)},
    {"sha256", "wang@icloud.com|8d969eef6ecad3c29a3a629280e686cf0c3f5d5a86aff3ca12020c923adc6c92",
     "wang@icloud.com", Found(kExact, kCredential)},
    {"bcrypt $2a$", "wang@icloud.com:$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
     "wang@icloud.com", Found(kExact, kCredential)},
    {"bcrypt $2y$", "13800138000:$2y$10$NrWehkSfzcj1ZgCj0fnAfWeAdpJZqnLvlwTkgfy90M54SKDvDiK9P", "+8613800138000",
     Found(kExact, kCredential)},
    {"md5crypt $1$", "wang@icloud.com:$1$k9Qz2LmA$3IhnZtPr8ZdhMPQ94gjG6g", "wang@icloud.com",
     Found(kExact, kCredential)},
    {"sha512crypt $6$",
     "zs@163.com:$6$Xy7pQ2sLm9aB$fL3IVQa5Rtm9fzIoDWW9it3XHp1HZRUBriurBB/8vFI.qZTMoe4WWXWl7Xfwgy2smPel."
     "rkSbhyUrEQS6nm857",
     "zs@163.com", Found(kExact, kCredential)},
    {"Discuz md5:salt", "wang@icloud.com:e10adc3949ba59abbe56e057f20f883e:a1b2c3", "wang@icloud.com",
     Found(kExact, kCredential)},

    // Combo values that are not passwords.
    {"combo, date", "wang@icloud.com:2023-01-05", "wang@icloud.com", NotCredential},
    {"combo, slashed date", "13800138000----2023/01/05", "+8613800138000", NotCredential},
    {"combo, time", "wang@icloud.com|10:30:00", "wang@icloud.com", NotCredential},
    {"combo, price", "wang@icloud.com|12.50", "wang@icloud.com", NotCredential},
    {"combo, yuan price", "wang@icloud.com|¥99.00", "wang@icloud.com", NotCredential},
    {"combo, other email", "wang@icloud.com:li@163.com", "wang@icloud.com", NotCredential},
    {"combo, email beside email", "wang@icloud.com:li@163.com", "li@163.com", NotCredential},
    {"combo, phone beside email", "wang@icloud.com----13800138000", "wang@icloud.com", NotCredential},
    {"combo, phone beside phone", "13800138000----13912345678", "+8613912345678", NotCredential},
    {"combo, QQ number beside email", "wang@icloud.com----QQ:123456789", "wang@icloud.com", NotCredential},
    {"combo, null", "wang@icloud.com:null", "wang@icloud.com", NotCredential},
    {"combo, NULL", "13912345678|NULL", "+8613912345678", NotCredential},
    {"combo, none", "wang@icloud.com;none", "wang@icloud.com", NotCredential},

    // QQ numbers with a QQ label are NUMBER@qq.com aliases.
    {"QQ:", "QQ:123456789", "123456789@qq.com", Found(kAlias, kExposure)},
    {"QQ号：", "QQ号：987654321", "987654321@qq.com", Found(kAlias, kExposure)},
    {"qq号码 space", "qq号码 10001000", "10001000@qq.com", Found(kAlias, kExposure)},
    {"扣扣：", "扣扣：2233445566", "2233445566@qq.com", Found(kAlias, kExposure)},
    {"企鹅号:", "企鹅号:55667788", "55667788@qq.com", Found(kAlias, kExposure)},
    {"Qq: mixed case", "Qq: 123456789", "123456789@qq.com", Found(kAlias, kExposure)},
    {"扣扣 in prose", "我的扣扣 2233445566 有事找我", "2233445566@qq.com", Found(kAlias, kExposure)},
    {"QQ beside email", "wang@icloud.com----QQ:123456789", "123456789@qq.com", Found(kAlias, kExposure)},
    {"QQ with password, one line", "QQ号：123456789 密码：Abc12345", "123456789@qq.com", Found(kAlias, kCredential)},
    {"QQ with password, block", "QQ：123456789\n密码：qq123456\n", "123456789@qq.com", Found(kAlias, kCredential)},
    {"QQ combo", "QQ:123456789----Abc12345", "123456789@qq.com", Found(kAlias, kCredential)},
    {"bare number is not QQ", "123456789", "123456789@qq.com", Absent},
    {"order number is not QQ", "订单号：123456789", "123456789@qq.com", Absent},
    {"bare mobile is not QQ", "13800138000", "13800138000@qq.com", Absent},
    {"bare mobile is a phone", "13800138000", "+8613800138000", Found(kExact, kExposure)},

    // CSV / TSV rows.
    {"CSV header password", "email,password,name\nli@163.com,123456,li", "li@163.com", Found(kExact, kCredential)},
    {"CSV header password, empty", "email,password,name\nli@163.com,,li", "li@163.com", Found(kExact, kExposure)},
    {"CSV header pwd, row 1", kCsvHeader, "li@163.com", Found(kExact, kCredential)},
    {"CSV header pwd, row 2 empty", kCsvHeader, "zs@163.com", Found(kExact, kExposure)},
    {"CSV header 密码", "用户名,邮箱,密码\nzhangsan,zs@163.com,123456\n", "zs@163.com", Found(kExact, kCredential)},
    {"CSV header 手机号,密码", "手机号,密码\n13800138000,123456\n", "+8613800138000", Found(kExact, kCredential)},
    {"CSV header pass", "user,pass\nzs@163.com,888888\n", "zs@163.com", Found(kExact, kCredential)},
    {"CSV header hash,salt", "email,hash,salt\nli@163.com,e10adc3949ba59abbe56e057f20f883e,a1b2c3\n", "li@163.com",
     Found(kExact, kCredential)},
    {"TSV header passwd", "email\tpasswd\tname\nli@163.com\t888888\tli\n", "li@163.com", Found(kExact, kCredential)},
    {"CSV header password, NULL", "email,password\nli@163.com,NULL\n", "li@163.com", NotCredential},
    {"CSV no header, letters", "li@163.com,beijing,chaoyang", "li@163.com", Found(kExact, kExposure)},
    {"CSV no header, digits only", "li@163.com,123456,li", "li@163.com", Found(kExact, kExposure)},
    {"CSV no header, phone then digits", "13800138000,123456,beijing", "+8613800138000", Found(kExact, kExposure)},
    {"CSV no header, mixed", "name,13800138000,Passw0rd,city", "+8613800138000", Found(kExact, kCredential)},
    {"CSV no header, phone, weak mixed", "13912345678,a123456", "+8613912345678", Found(kExact, kCredential)},
    {"CSV no header, hash", "li@163.com,e10adc3949ba59abbe56e057f20f883e", "li@163.com", Found(kExact, kCredential)},
    {"CSV quoted", R"("wang","wang@icloud.com","Abc@2023")", "wang@icloud.com", Found(kExact, kCredential)},
    {"CSV no header, date", "1,wang@icloud.com,2023-01-05,北京", "wang@icloud.com", NotCredential},
    {"CSV no header, price", "wang@icloud.com,12.50,2023-01-05", "wang@icloud.com", NotCredential},

    // SQL rows.
    {"INSERT cols, row 1", kSqlColumns, "li@163.com", Found(kExact, kCredential)},
    {"INSERT cols, row 2 NULL", kSqlColumns, "zs@163.com", Found(kExact, kExposure)},
    {"INSERT extended, row 1 md5", kSqlExtended, "zs@163.com", Found(kExact, kCredential)},
    {"INSERT extended, row 2 empty", kSqlExtended, "ls@163.com", Found(kExact, kExposure)},
    {"INSERT cols, phone", "INSERT INTO t_user (uid,mobile,pwd) VALUES (10,'13912345678','e10adc3949ba59abbe56e057f20f883e');",
     "+8613912345678", Found(kExact, kCredential)},
    {"CREATE TABLE then INSERT, row 1", kSqlCreateTable, "li@163.com", Found(kExact, kCredential)},
    {"CREATE TABLE then INSERT, row 2 empty", kSqlCreateTable, "zs@163.com", Found(kExact, kExposure)},
    {"COPY, row 1 bcrypt", kPgCopy, "li@163.com", Found(kExact, kCredential)},
    {"COPY, row 2 \\N", kPgCopy, "zs@163.com", Found(kExact, kExposure)},
    {"UCenter uc_members", kUcMembers, "admin@qq.com", Found(kExact, kCredential)},
    {"INSERT cols, no password column", "INSERT INTO members (id,email,nickname) VALUES (1,'li@163.com','xiaoli88');",
     "li@163.com", NotCredential},
    {"INSERT cols, order amount", "INSERT INTO orders (id,phone,amount) VALUES (1,'13800138000','99.00');",
     "+8613800138000", NotCredential},
    {"CREATE TABLE without password column", kSqlCreateTableNoPassword, "li@163.com", NotCredential},

    // JSON objects.
    {"JSON password", R"({"email":"x@qq.com","password":"abc123"})", "x@qq.com", Found(kExact, kCredential)},
    {"JSON name only", R"({"email":"x@qq.com","name":"x"})", "x@qq.com", Found(kExact, kExposure)},
    {"JSON password null", R"({"email":"x@qq.com","password":null})", "x@qq.com", Found(kExact, kExposure)},
    {"JSON password empty", R"({"email":"x@qq.com","password":""})", "x@qq.com", Found(kExact, kExposure)},
    {"JSON password first", R"({"password":"Abc12345","email":"wang@icloud.com"})", "wang@icloud.com",
     Found(kExact, kCredential)},
    {"JSON phone, pwd", R"({"phone":"13800138000","pwd":"a123456"})", "+8613800138000", Found(kExact, kCredential)},
    {"JSON array, object 1", kJsonArray, "a@qq.com", Found(kExact, kCredential)},
    {"JSON array, object 2", kJsonArray, "b@qq.com", Found(kExact, kExposure)},
    {"JSON pretty, bcrypt", kJsonPretty, "zs@163.com", Found(kExact, kCredential)},
    {"JSON phone beside email", R"({"email":"x@qq.com","phone":"13800138000"})", "x@qq.com", NotCredential},

    // Infostealer blocks.
    {"RedLine block 1", kRedLine, "wang.lei@icloud.com", Found(kExact, kCredential)},
    {"RedLine block 2, phone", kRedLine, "+8613800138000", Found(kExact, kCredential)},
    {"RedLine block 3, empty password", kRedLine, "li@163.com", Found(kExact, kExposure)},
    {"Raccoon block 1", kRaccoon, "wang@icloud.com", Found(kExact, kCredential)},
    {"Raccoon block 2, empty PASS", kRaccoon, "zs@163.com", Found(kExact, kExposure)},
    {"Vidar block 1, phone", kVidar, "+8613912345678", Found(kExact, kCredential)},
    {"Vidar block 2, empty password", kVidar, "li@163.com", Found(kExact, kExposure)},
    {"leetspeak labels", kLeet, "wang@icloud.com", Found(kExact, kCredential)},

    // Labelled blocks and labels on one line.
    {"账号/密码 block", "账号：wang@icloud.com\n密码：Abc12345\n", "wang@icloud.com", Found(kExact, kCredential)},
    {"账号/密码 one line", "账号：wang@icloud.com 密码：Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"手机号/密码 one line", "手机号：13800138000 密码：Abc12345", "+8613800138000", Found(kExact, kCredential)},
    {"手机号/密码, fullwidth comma", "手机号：13800138000，密码：Abc12345", "+8613800138000",
     Found(kExact, kCredential)},
    {"帐号/密碼 traditional", "帐号:wang@icloud.com\n密碼:Abc12345\n", "wang@icloud.com", Found(kExact, kCredential)},
    {"block of three, email", kLabelledBlock, "zs@163.com", Found(kExact, kCredential)},
    {"block of three, phone", kLabelledBlock, "+8613912345678", Found(kExact, kCredential)},
    {"苹果ID", "苹果ID：wang@icloud.com\n密码：Aa123456\n", "wang@icloud.com", Found(kExact, kCredential)},
    {"Apple ID one line", "Apple ID: wang@icloud.com Password: Abc12345", "wang@icloud.com",
     Found(kExact, kCredential)},
    {"email/pwd", "email: wang@icloud.com\npwd: 123456\n", "wang@icloud.com", Found(kExact, kCredential)},
    {"login/pass=", "login: wang@icloud.com\npass=Abc12345\n", "wang@icloud.com", Found(kExact, kCredential)},
    {"email=/pwd=", "email=wang@icloud.com pwd=Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"ID/pw", "ID: wang@icloud.com pw: Abc12345", "wang@icloud.com", Found(kExact, kCredential)},
    {"username/passwd", "username: li@163.com\npasswd: woaini1314\n", "li@163.com", Found(kExact, kCredential)},
    {"电话/口令", "电话：13912345678\n口令：888888\n", "+8613912345678", Found(kExact, kCredential)},
    {"手机/密码 weak", "手机：13800138000\n密码：woaini1314\n", "+8613800138000", Found(kExact, kCredential)},
    {"логин/Пароль", "логин: ivan.petrov@mail.ru\nПароль: qwerty123\n", "ivan.petrov@mail.ru",
     Found(kExact, kCredential)},
    {"почта/пароль one line", "почта: ivan@yandex.ru пароль: 12345678", "ivan@yandex.ru", Found(kExact, kCredential)},
    {"メールアドレス/パスワード", "メールアドレス：tanaka@docomo.ne.jp\nパスワード：abc12345\n", "tanaka@docomo.ne.jp",
     Found(kExact, kCredential)},
    {"ユーザー名/パスワード, ideographic space", "ユーザー名：tanaka.hiro@example.co.jp　パスワード：Tanaka2023",
     "tanaka.hiro@example.co.jp", Found(kExact, kCredential)},
    {"メール, no password", "メール: tanaka@gmail.com\n", "tanaka@gmail.com", Found(kExact, kExposure)},
    {"ID/비밀번호", "ID: kim.minsu@naver.com\n비밀번호: minsu1234\n", "kim.minsu@naver.com",
     Found(kExact, kCredential)},
    {"labelled, no password", "账号：wang@icloud.com\n昵称：小王\n", "wang@icloud.com", Found(kExact, kExposure)},
    {"labelled, empty password", "邮箱：wang@icloud.com 密码：", "wang@icloud.com", Found(kExact, kExposure)},

    // Labelled values that are not passwords, and 密码/password in prose.
    {"labelled, ID card", "邮箱：wang@icloud.com\n身份证：11010519900307123X\n", "wang@icloud.com", NotCredential},
    {"labelled, password is a phone", "账号：wang@icloud.com 密码：13912345678", "wang@icloud.com", NotCredential},
    {"labelled, password is a date", "账号：wang@icloud.com\n密码：2023-01-05\n", "wang@icloud.com", NotCredential},
    {"labelled, password null", "邮箱：wang@icloud.com 密码：null", "wang@icloud.com", NotCredential},
    {"密码 in prose", "忘记密码请联系客服 kefu@qq.com 处理", "kefu@qq.com", NotCredential},
    {"重置密码 in prose", "如需重置密码，请发送邮件至 support@163.com。", "support@163.com", NotCredential},
    {"password in English prose", "Forgot your password? Contact help@icloud.com for assistance.", "help@icloud.com",
     NotCredential},
    {"密码找回 in prose", "密码找回：请拨打客服电话 13800138000", "+8613800138000", NotCredential},

    // Obfuscated, fullwidth and encoded forms.
    {"obfuscated combo", "wang [at] icloud [dot] com----Abc12345", "wang@icloud.com", Found(kObfuscated, kCredential)},
    {"obfuscated, alone", "wang(at)icloud(dot)com", "wang@icloud.com", Found(kObfuscated, kExposure)},
    {"fullwidth email, labelled with password", "账号：ｗａｎｇ＠ｉｃｌｏｕｄ．ｃｏｍ　密码：Abc12345", "wang@icloud.com",
     Found(kObfuscated, kCredential)},
    {"base64 combo line", "data: d2FuZ0BpY2xvdWQuY29tLS0tLUFiYzEyMzQ1 end", "wang@icloud.com",
     Found(kEncoded, kCredential)},
    {"percent-encoded", "u=wang%40icloud.com&x=1", "wang@icloud.com", Found(kEncoded, kExposure)},
};

const Normalizer& TheNormalizer() {
  static const Normalizer normalizer;  // default region CN
  return normalizer;
}

std::string Describe(const Candidate& c) {
  return std::string(lw::MatchKindName(c.match)) + "/" + std::string(lw::SeverityName(c.severity));
}

}  // namespace

TEST_CASE("record formats: boundaries, records and severity", "[records]") {
  Extractor ex(TheNormalizer());
  int found_rows = 0, negative_rows = 0;
  for (const Row& row : kRows) {
    INFO(row.name << "\n  text: " << row.text << "\n  value: " << row.value);
    std::vector<Candidate> out;
    ex.Extract(row.text, &out);
    std::vector<const Candidate*> hits;
    std::string got;
    for (const Candidate& c : out) {
      if (std::string_view(c.value) != row.value) continue;
      hits.push_back(&c);
      got += (got.empty() ? "" : ", ") + Describe(c);
    }
    if (got.empty()) got = "(absent)";
    INFO("  got: " << got);

    switch (row.expect.want) {
      case Want::kFound: {
        ++found_rows;
        std::string want = std::string(lw::MatchKindName(row.expect.match)) + "/" +
                           std::string(lw::SeverityName(row.expect.severity));
        INFO("  want: " << want);
        bool ok = false;
        for (const Candidate* c : hits) ok = ok || (c->match == row.expect.match && c->severity == row.expect.severity);
        CHECK(ok);
        break;
      }
      case Want::kAbsent: {
        ++negative_rows;
        INFO("  want: (absent)");
        CHECK(hits.empty());
        break;
      }
      case Want::kNotCredential: {
        ++negative_rows;
        INFO("  want: absent or exposure");
        bool ok = true;
        for (const Candidate* c : hits) ok = ok && c->severity == kExposure;
        CHECK(ok);
        break;
      }
    }
  }
  CHECK(found_rows >= 80);
  CHECK(negative_rows >= 20);
}

// AIL's own sample pastes (../shared/real-world/leak, byte-exact copies that must not be
// copied into the project): its "credential" sample is a credential here too.
TEST_CASE("record formats: AIL's sample pastes", "[records]") {
  const std::filesystem::path path = std::filesystem::path(LW_SOURCE_DIR) / "../shared/real-world/leak/ail_samples_categ.gz";
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " is absent");
    return;
  }
  gzFile in = gzopen(path.c_str(), "rb");
  REQUIRE(in != nullptr);
  std::string text;
  char buf[1 << 16];
  for (int n; (n = gzread(in, buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  gzclose(in);
  REQUIRE(text.find("test@email.com:123456") != std::string::npos);
  lw::Normalizer normalizer;
  lw::Extractor extractor(normalizer);
  std::vector<Candidate> out;
  extractor.Extract(text, &out);
  const Candidate* found = nullptr;
  for (const Candidate& c : out)
    if (c.value == "test@email.com") found = &c;
  REQUIRE(found != nullptr);
  CHECK(found->severity == kCredential);
  // The .onion address, the CVE id and the card-like numbers around it are no identifiers.
  for (const Candidate& c : out) CHECK(std::string_view(c.value).find(".onion") == std::string_view::npos);
}

// Every row of the rule tables (matcher/records.cc) does what its kind says.
TEST_CASE("record formats: every label, delimiter and hash shape", "[records]") {
  lw::Normalizer normalizer;
  lw::Extractor extractor(normalizer);
  auto severity_of = [&](const std::string& text, std::string_view value) -> std::optional<Severity> {
    std::vector<Candidate> out;
    extractor.Extract(text, &out);
    for (const Candidate& c : out)
      if (c.value == value) return c.severity;
    return std::nullopt;
  };
  for (const lw::records::LabelRule& rule : lw::records::Labels()) {
    std::string label(rule.text);
    INFO("label " << label << " (" << rule.language << ")");
    switch (rule.kind) {
      case lw::records::LabelKind::kPassword:
        CHECK(severity_of("账号：wang@icloud.com " + label + "：Abc12345", "wang@icloud.com") == kCredential);
        CHECK(severity_of("login: wang@icloud.com\n" + label + ": Abc12345\n", "wang@icloud.com") == kCredential);
        CHECK(severity_of("wang@icloud.com " + label + "：", "wang@icloud.com") == kExposure);  // no value
        break;
      case lw::records::LabelKind::kIdentifier:
        CHECK(severity_of(label + ": wang@icloud.com\nPassword: Abc12345\n", "wang@icloud.com") == kCredential);
        CHECK(severity_of(label + ": wang@icloud.com\nCity: Beijing\n", "wang@icloud.com") == kExposure);
        break;
      case lw::records::LabelKind::kQq: {
        std::vector<Candidate> out;
        extractor.Extract("卖 " + label + "：987654321 价格私聊", &out);
        bool alias = false;
        for (const Candidate& c : out) alias |= c.value == "987654321@qq.com" && c.match == MatchKind::kAlias;
        CHECK(alias);
        break;
      }
      case lw::records::LabelKind::kOther:
        CHECK(severity_of("wang@icloud.com " + label + ": 2023-01-05", "wang@icloud.com") == kExposure);
        break;
    }
  }
  for (std::string_view d : lw::records::Delimiters()) {
    std::string delim(d);
    INFO("delimiter [" << delim << "]");
    CHECK(severity_of("wang@icloud.com" + delim + "Abc12345", "wang@icloud.com") == kCredential);
    CHECK(severity_of("13800138000" + delim + "Abc12345", "+8613800138000") == kCredential);
  }
  for (const lw::records::HashShape& h : lw::records::HashShapes()) {
    INFO("hash " << h.name << " " << h.prefix);
    std::string value(h.prefix);
    while (value.size() < h.min_size) value.push_back(h.hex ? 'a' : 'B');
    CHECK(lw::records::IsHashValue(value));
    CHECK(lw::records::IsPasswordValue(value, lw::records::FieldContext::kStrict));
    CHECK(severity_of("zhangsan,wang@icloud.com," + value + ",beijing", "wang@icloud.com") == kCredential);
  }
}
