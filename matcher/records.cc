#include "matcher/records.h"

#include "matcher/scan_util.h"

#include <algorithm>
#include <cstring>
#include <string.h>  // memrchr

#include <array>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace lw::records {
namespace {

// ---------------------------------------------------------------------------------------
// The rules, as data.

constexpr LabelRule kLabels[] = {
    // Passwords.
    {"password", LabelKind::kPassword, "en"},
    {"passwd", LabelKind::kPassword, "en"},
    {"passwort", LabelKind::kPassword, "de"},
    {"pass", LabelKind::kPassword, "en"},
    {"pwd", LabelKind::kPassword, "en"},
    {"pw", LabelKind::kPassword, "en"},
    {"passcode", LabelKind::kPassword, "en"},
    {"password_hash", LabelKind::kPassword, "en"},
    {"hash", LabelKind::kPassword, "en"},
    {"secret", LabelKind::kPassword, "en"},
    {"密码", LabelKind::kPassword, "zh"},
    {"密碼", LabelKind::kPassword, "zh"},
    {"口令", LabelKind::kPassword, "zh"},
    {"パスワード", LabelKind::kPassword, "ja"},
    {"暗証番号", LabelKind::kPassword, "ja"},
    {"비밀번호", LabelKind::kPassword, "ko"},
    {"пароль", LabelKind::kPassword, "ru"},
    {"Пароль", LabelKind::kPassword, "ru"},
    {"ПАРОЛЬ", LabelKind::kPassword, "ru"},
    // Identifiers.
    {"账号", LabelKind::kIdentifier, "zh"},
    {"帐号", LabelKind::kIdentifier, "zh"},
    {"賬號", LabelKind::kIdentifier, "zh"},
    {"用户名", LabelKind::kIdentifier, "zh"},
    {"邮箱", LabelKind::kIdentifier, "zh"},
    {"手机", LabelKind::kIdentifier, "zh"},
    {"手机号", LabelKind::kIdentifier, "zh"},
    {"手机号码", LabelKind::kIdentifier, "zh"},
    {"电话号码", LabelKind::kIdentifier, "zh"},
    {"账户", LabelKind::kIdentifier, "zh"},
    {"帳戶", LabelKind::kIdentifier, "zh"},
    {"登录名", LabelKind::kIdentifier, "zh"},
    {"会员名", LabelKind::kIdentifier, "zh"},
    {"邮件", LabelKind::kIdentifier, "zh"},
    {"电子邮箱", LabelKind::kIdentifier, "zh"},
    {"郵箱", LabelKind::kIdentifier, "zh"},
    {"电话", LabelKind::kIdentifier, "zh"},
    {"苹果ID", LabelKind::kIdentifier, "zh"},
    {"Apple ID", LabelKind::kIdentifier, "en"},
    {"ID", LabelKind::kIdentifier, "en"},
    {"email", LabelKind::kIdentifier, "en"},
    {"mail", LabelKind::kIdentifier, "en"},
    {"login", LabelKind::kIdentifier, "en"},
    {"user", LabelKind::kIdentifier, "en"},
    {"username", LabelKind::kIdentifier, "en"},
    {"account", LabelKind::kIdentifier, "en"},
    {"phone", LabelKind::kIdentifier, "en"},
    {"логин", LabelKind::kIdentifier, "ru"},
    {"Логин", LabelKind::kIdentifier, "ru"},
    {"почта", LabelKind::kIdentifier, "ru"},
    {"Почта", LabelKind::kIdentifier, "ru"},
    {"メール", LabelKind::kIdentifier, "ja"},
    {"メールアドレス", LabelKind::kIdentifier, "ja"},
    {"ユーザー名", LabelKind::kIdentifier, "ja"},
    {"아이디", LabelKind::kIdentifier, "ko"},
    // QQ numbers.
    {"QQ", LabelKind::kQq, "zh"},
    {"QQ号", LabelKind::kQq, "zh"},
    {"QQ号码", LabelKind::kQq, "zh"},
    {"QQ账号", LabelKind::kQq, "zh"},
    {"扣扣", LabelKind::kQq, "zh"},
    {"企鹅号", LabelKind::kQq, "zh"},
    // Fields that are no password, whatever they hold.
    {"url", LabelKind::kOther, "en"},
    {"host", LabelKind::kOther, "en"},
    {"soft", LabelKind::kOther, "en"},
    {"application", LabelKind::kOther, "en"},
    {"date", LabelKind::kOther, "en"},
    {"price", LabelKind::kOther, "en"},
    {"身份证", LabelKind::kOther, "zh"},
    {"身份证号", LabelKind::kOther, "zh"},
    {"日期", LabelKind::kOther, "zh"},
    {"价格", LabelKind::kOther, "zh"},
    {"金额", LabelKind::kOther, "zh"},
    {"地址", LabelKind::kOther, "zh"},
};

constexpr HashShape kHashShapes[] = {
    {"md5", "", 32, 32, true},
    {"sha1", "", 40, 40, true},
    {"sha256", "", 64, 64, true},
    {"sha512", "", 128, 128, true},
    {"bcrypt", "$2a$", 60, 60, false},
    {"bcrypt", "$2b$", 60, 60, false},
    {"bcrypt", "$2y$", 60, 60, false},
    {"md5crypt", "$1$", 20, 40, false},
    {"apr1", "$apr1$", 22, 45, false},
    {"sha256crypt", "$5$", 50, 80, false},
    {"sha512crypt", "$6$", 90, 120, false},
    {"argon2", "$argon2", 40, 200, false},
    {"phpass", "$P$", 34, 34, false},
    {"phpass", "$H$", 34, 34, false},
    {"django", "pbkdf2_sha256$", 60, 120, false},
    {"ldap", "{SSHA}", 30, 80, false},
    {"ldap", "{SHA}", 30, 40, false},
};

// Longest first: a run of dashes is one delimiter.
constexpr std::string_view kDelimiters[] = {"----", "---", "--", "-", ":", ";", "|", "\t", ",", "#", "=", "~", "/",
                                            "\\", "：", "，", "｜", "；"};

constexpr size_t kMaxLine = 4096;       // bytes looked at on either side within a line
constexpr size_t kMaxBlockLines = 8;    // lines looked at on either side in a labelled block
constexpr size_t kMaxField = 256;
constexpr size_t kMaxNear = 256;       // labels are looked for this close to the identifier

// ---------------------------------------------------------------------------------------
// Bytes.

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigitByte(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Case and leetspeak folded: "P455W0RD" and "password" fold alike.
constexpr char FoldByte(char c) {
  c = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  switch (c) {
    case '0': return 'o';
    case '1': case 'i': return 'l';
    case '3': return 'e';
    case '4': case '@': return 'a';
    case '5': case '$': return 's';
    case '7': return 't';
    case '_': case '-': return ' ';
    default: return c;
  }
}
// As a table: every ':' and '=' near an identifier folds the bytes before it.
constexpr std::array<char, 256> kFold = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = FoldByte(static_cast<char>(c));
  return t;
}();
char Fold(char c) { return kFold[static_cast<unsigned char>(c)]; }

bool EqualsFolded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (Fold(a[i]) != Fold(b[i])) return false;
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (Lower(s[i]) != Lower(prefix[i])) return false;
  return true;
}

size_t FindIgnoreCase(std::string_view s, std::string_view needle, size_t from = 0) {
  const char first = Lower(needle[0]);
  for (size_t i = from; i + needle.size() <= s.size(); ++i)
    if (Lower(s[i]) == first && StartsWithIgnoreCase(s.substr(i), needle)) return i;
  return std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
  auto strip = [](char c) { return IsSpace(c) || c == '\n' || c == '"' || c == '\'' || c == '`'; };
  while (!s.empty() && strip(s.front())) s.remove_prefix(1);
  while (!s.empty() && strip(s.back())) s.remove_suffix(1);
  return s;
}

// The line that holds s[begin, end), at most kMaxLine bytes on either side of it.
std::string_view LineAround(std::string_view s, size_t begin, size_t end, size_t* line_begin) {
  size_t from = begin > kMaxLine ? begin - kMaxLine : 0;
  auto* nl = static_cast<const char*>(memrchr(s.data() + from, '\n', begin - from));
  size_t lb = nl != nullptr ? static_cast<size_t>(nl - s.data()) + 1 : from;
  size_t to = std::min(s.size(), end + kMaxLine);
  size_t le = scan::Find(s.data(), end, to, '\n');
  *line_begin = lb;
  return s.substr(lb, le - lb);
}

// ---------------------------------------------------------------------------------------
// Labels.

// The kind of the label that ends right before s[sep] (a ':', '：' or '='), past a
// closing quote and spaces, or nullopt. An ASCII label must start a word ("bypass:" is
// no "pass"); a CJK one may follow other text ("登录密码：" is a password label).
std::optional<LabelKind> LabelEndingAt(std::string_view s, size_t sep, std::optional<LabelKind> only = std::nullopt) {
  size_t e = sep;
  while (e > 0 && s[e - 1] == ' ') --e;
  if (e > 0 && (s[e - 1] == '"' || s[e - 1] == '\'')) --e;
  if (e == 0) return std::nullopt;
  // The rules that end in each folded byte, longest first (in table order among equal
  // lengths): most separators end no label, and the first rule that matches is the longest.
  static const std::array<std::vector<uint8_t>, 256> kByLastByte = [] {
    std::array<std::vector<uint8_t>, 256> t;
    for (size_t r = 0; r < std::size(kLabels); ++r) t[static_cast<unsigned char>(Fold(kLabels[r].text.back()))].push_back(static_cast<uint8_t>(r));
    for (auto& rules : t)
      std::stable_sort(rules.begin(), rules.end(), [](uint8_t a, uint8_t b) { return kLabels[a].text.size() > kLabels[b].text.size(); });
    return t;
  }();
  static_assert(std::size(kLabels) <= 256);
  for (uint8_t r : kByLastByte[static_cast<unsigned char>(Fold(s[e - 1]))]) {
    const LabelRule& rule = kLabels[r];
    size_t n = rule.text.size();
    if ((only && rule.kind != *only) || n > e || !EqualsFolded(s.substr(e - n, n), rule.text)) continue;
    bool ascii = static_cast<unsigned char>(rule.text[0]) < 0x80;
    if (ascii && e - n > 0) {
      char before = s[e - n - 1];
      if (IsAsciiLetter(before) || IsDigitByte(before)) continue;
    }
    return rule.kind;
  }
  return std::nullopt;
}

bool IsNullWord(std::string_view v) {
  switch (v.size()) {  // the words by length: most values have none of these
    case 1: return v[0] == '-';
    case 2: return StartsWithIgnoreCase(v, "\\n");
    case 3: return StartsWithIgnoreCase(v, "nil") || StartsWithIgnoreCase(v, "n/a");
    case 4: return StartsWithIgnoreCase(v, "null") || StartsWithIgnoreCase(v, "none");
    case 9: return StartsWithIgnoreCase(v, "undefined");
    default: return false;
  }
}

// The value after a label's separator at s[sep, sep + sep_size): up to a quote (when it
// opens with one), whitespace or a field delimiter.
std::string_view LabelValue(std::string_view s, size_t after) {
  size_t i = after;
  while (i < s.size() && s[i] == ' ') ++i;
  char quote = 0;
  if (i < s.size() && (s[i] == '"' || s[i] == '\'')) quote = s[i++];
  size_t j = i;
  while (j < s.size() && j - i < kMaxField) {
    char c = s[j];
    if (quote ? c == quote : (IsSpace(c) || c == '\n' || c == ',' || c == ';' || c == '}' || c == '|')) break;
    if (!quote && c == '\xEF' && j + 2 < s.size() && s[j + 1] == '\xBC') break;  // fullwidth punctuation
    ++j;
  }
  return s.substr(i, j - i);
}

// Calls f(label kind, position after the separator) for each "label: value" in s.
template <class F>
void ForEachLabel(std::string_view s, F&& f) {
  for (size_t i = scan::FindAny3(s.data(), 0, s.size(), ':', '=', '\xEF'); i < s.size();
       i = scan::FindAny3(s.data(), i + 1, s.size(), ':', '=', '\xEF')) {
    size_t sep_size = 0;
    if (s[i] == ':' || s[i] == '=') sep_size = 1;
    else if (s.substr(i, 3) == "：") sep_size = 3;
    if (sep_size == 0) continue;
    if (auto kind = LabelEndingAt(s, i)) {
      if (f(*kind, i + sep_size)) return;
    }
  }
}

bool HasPasswordLabel(std::string_view record) {
  bool found = false;
  ForEachLabel(record, [&](LabelKind kind, size_t after) {
    if (kind != LabelKind::kPassword) return false;
    found = IsPasswordValue(LabelValue(record, after), FieldContext::kLabelled);
    return found;
  });
  return found;
}

// A line that starts "label: value": the label folded (case, leetspeak, no spaces or
// quotes) and where its separator is. `folded` is empty for any other line.
struct LineLabel {
  std::string folded;
  size_t sep = 0;
};
LineLabel LineLabelOf(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && IsSpace(line[i])) ++i;
  size_t start = i;
  for (; i < line.size() && i - start <= 40; ++i) {
    char c = line[i];
    bool sep = c == ':' || c == '=' || (c == '\xEF' && line.substr(i, 3) == "：");
    if (sep) {
      if (i == start) return {};
      LineLabel label{.folded = {}, .sep = i};
      for (char d : line.substr(start, i - start))
        if (d != ' ' && d != '"') label.folded.push_back(Fold(d));
      return label;
    }
    if (c == '\n' || c == ',' || c == '|' || c == '@') return {};
  }
  return {};
}

// Lines that open a record of a stealer log (its URL, host or application).
bool StartsRecord(std::string_view folded_label) {
  return folded_label == "url" || folded_label == "host" || folded_label == "soft" || folded_label == "storage";
}

// A labelled block: the candidate's line, which must be labelled as an identifier, and
// its neighbours while each is "label: value", none repeats the candidate line's label
// (which would start the next record) and, going down, none opens the next stealer
// record (URL, host).
bool BlockHasPassword(std::string_view s, size_t line_begin, size_t line_end) {
  std::string_view own_line = s.substr(line_begin, line_end - line_begin);
  LineLabel own = LineLabelOf(own_line);
  if (own.folded.empty()) return false;
  auto own_kind = LabelEndingAt(own_line, own.sep);
  if (!own_kind || (*own_kind != LabelKind::kIdentifier && *own_kind != LabelKind::kQq)) return false;
  // 1: password, 0: go on, -1: stop here, 2: go on but stop after this line.
  auto check = [&](size_t lb, size_t le, bool down) -> int {
    std::string_view line = s.substr(lb, le - lb);
    std::string label = LineLabelOf(line).folded;
    if (label.empty() || label == own.folded) return -1;
    if (StartsRecord(label)) return down ? -1 : 2;
    return HasPasswordLabel(line) ? 1 : 0;
  };
  size_t pos = line_end;
  for (size_t k = 0; k < kMaxBlockLines && pos < s.size(); ++k) {
    size_t lb = pos + 1;
    size_t le = s.find('\n', lb);
    if (le == std::string_view::npos) le = s.size();
    if (le - lb > kMaxLine) break;
    int r = check(lb, le, true);
    if (r == 1) return true;
    if (r < 0) break;
    pos = le;
  }
  pos = line_begin;
  for (size_t k = 0; k < kMaxBlockLines && pos > 0; ++k) {
    size_t le = pos - 1;
    size_t lb = le;
    while (lb > 0 && s[lb - 1] != '\n' && le - lb <= kMaxLine) --lb;
    int r = check(lb, le, false);
    if (r == 1) return true;
    if (r < 0 || r == 2) break;
    pos = lb;
  }
  return false;
}

// The JSON object on the line around [begin, end): from the nearest '{' before it to
// the matching '}' after, when both are on the line; else empty.
std::string_view JsonObjectAround(std::string_view line, size_t begin, size_t end) {
  const auto* brace = static_cast<const char*>(memrchr(line.data(), '{', std::min(line.size(), begin + 1)));
  if (brace == nullptr) return {};
  const size_t open = static_cast<size_t>(brace - line.data());
  if (line.find('}', open) < begin) return {};
  size_t close = line.find('}', end);
  if (close == std::string_view::npos) return {};
  return line.substr(open, close + 1 - open);
}

// ---------------------------------------------------------------------------------------
// Fields of delimiter-separated records.

// The delimiter at s[i] (one of kDelimiters; a run of '-' counts as one), or empty.
// Whether a byte starts (or, read backwards, ends) any delimiter: most bytes beside an
// identifier do neither.
constexpr std::array<bool, 256> kDelimiterFirst = [] {
  std::array<bool, 256> t{};
  for (std::string_view d : kDelimiters) t[static_cast<unsigned char>(d.front())] = true;
  return t;
}();
constexpr std::array<bool, 256> kDelimiterLast = [] {
  std::array<bool, 256> t{};
  for (std::string_view d : kDelimiters) t[static_cast<unsigned char>(d.back())] = true;
  return t;
}();

std::string_view DelimiterAt(std::string_view s, size_t i) {
  if (i >= s.size() || !kDelimiterFirst[static_cast<unsigned char>(s[i])]) return {};
  for (std::string_view d : kDelimiters)
    if (s.substr(i, d.size()) == d) return d;
  return {};
}


bool LooksLikeHost(std::string_view f) {
  size_t dot = f.rfind('.');
  if (dot == std::string_view::npos || dot + 2 >= f.size()) return false;
  for (char c : f.substr(dot + 1))
    if (!IsAsciiLetter(c)) return false;
  return true;
}

// True for the field beside an identifier, found at s[from...) going `forward` or
// backward, up to the next `delim` or the line's end.
std::string_view FieldFrom(std::string_view line, size_t from, bool forward, std::string_view delim) {
  if (forward) {
    size_t to = line.find(delim, from);
    if (to == std::string_view::npos || to - from > kMaxField) to = std::min(line.size(), from + kMaxField);
    return line.substr(from, to - from);
  }
  size_t start = from >= delim.size() ? line.rfind(delim, from - delim.size()) : std::string_view::npos;
  start = start == std::string_view::npos ? 0 : start + delim.size();
  if (from - start > kMaxField) start = from - kMaxField;
  return line.substr(start, from - start);
}

FieldContext ContextOf(std::string_view delim, bool in_sql) {
  if (in_sql || delim == "," || delim == "，") return FieldContext::kStrict;
  return FieldContext::kLoose;
}

// A field "label: value" whose label is known: a password only when the label says so.
std::optional<bool> LabelledField(std::string_view field) {
  for (size_t i = 0; i < field.size() && i <= 48; ++i) {
    size_t sep = field[i] == ':' || field[i] == '=' ? 1 : field[i] == '\xEF' && field.substr(i, 3) == "：" ? 3 : 0;
    if (sep == 0) continue;
    auto kind = LabelEndingAt(field, i);
    if (!kind) return std::nullopt;
    return *kind == LabelKind::kPassword && IsPasswordValue(LabelValue(field, i + sep), FieldContext::kLabelled);
  }
  return std::nullopt;
}

bool NeighbourIsPassword(std::string_view line, size_t b, size_t e, bool in_sql) {
  // After the identifier.
  size_t p = e;
  if (p < line.size() && (line[p] == '"' || line[p] == '\'' || line[p] == '`')) ++p;
  while (p < line.size() && line[p] == ' ' && p - e < 3) ++p;
  if (std::string_view d = DelimiterAt(line, p); !d.empty()) {
    size_t from = p + d.size();
    while (d[0] == '-' && from < line.size() && line[from] == '-') ++from;
    // A dash run's field ends at the next run of two or more: passwords hold single dashes.
    std::string_view field = Trim(FieldFrom(line, from, true, d[0] == '-' ? "--" : d));
    // "name@x.com:123456 and more text": a combo written into prose ends at a space when
    // it starts right after the delimiter ("a@x.com | John Smith" is no combo).
    if (size_t space = field.find(' '); space != std::string_view::npos && from < line.size() && line[from] != ' ')
      field = field.substr(0, space);
    if (auto labelled = LabelledField(field)) {
      if (*labelled) return true;
    } else if (IsPasswordValue(field, ContextOf(d, in_sql))) {
      return true;
    }
  }
  // Before it: "Abc12345----name@", "user # pass # email". A label ("Username:") is no
  // password, nor is the site of a url:user:pass line; and the field must mix letters
  // with digits or symbols.
  p = b;
  if (p > 0 && (line[p - 1] == '"' || line[p - 1] == '\'' || line[p - 1] == '`')) --p;
  while (p > 0 && line[p - 1] == ' ' && b - p < 3) --p;
  if (p == 0 || !kDelimiterLast[static_cast<unsigned char>(line[p - 1])]) return false;
  for (std::string_view d : kDelimiters) {
    if (d == "-" || p < d.size() || line.substr(p - d.size(), d.size()) != d) continue;
    size_t to = p - d.size();
    if (d[0] == '-')
      while (to > 0 && line[to - 1] == '-') --to;
    if ((d == ":" || d == "=" || d == "：") && LabelEndingAt(line, to)) return false;
    std::string_view field = Trim(FieldFrom(line, to, false, d[0] == '-' ? "--" : d));
    if (field.find('/') != std::string_view::npos || LooksLikeHost(field)) return false;
    // Dash runs and " # " (CSDN's "user # password # email") delimit credentials; before
    // other delimiters a word is as likely a name or a label.
    bool loose = (d[0] == '-' || d == "#") && !in_sql;
    return IsPasswordValue(field, loose ? FieldContext::kLoose : FieldContext::kStrict);
  }
  return false;
}

// Calls f(index, field) for each field of a record, split at `delim` outside quotes,
// until f returns false. Returns false when f did.
template <class F>
bool ForEachField(std::string_view line, char delim, F&& f) {
  size_t start = 0, index = 0;
  char quote = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    char c = i < line.size() ? line[i] : delim;
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
      if (i < line.size()) continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == delim) {
      if (!f(index++, line.substr(start, std::min(i, line.size()) - start))) return false;
      start = i + 1;
    }
  }
  return true;
}

// Splits a record into fields at `delim` outside quotes.
std::vector<std::string_view> SplitFields(std::string_view line, char delim) {
  std::vector<std::string_view> fields;
  ForEachField(line, delim, [&](size_t, std::string_view field) {
    fields.push_back(field);
    return true;
  });
  return fields;
}

// How many fields SplitFields(line, delim) returns, without making them: a scan asks it of
// every line under a CSV header.
size_t CountFields(std::string_view line, char delim) {
  if (std::memchr(line.data(), '"', line.size()) == nullptr && std::memchr(line.data(), '\'', line.size()) == nullptr)
    return static_cast<size_t>(std::count(line.begin(), line.end(), delim)) + 1;
  size_t n = 0;
  ForEachField(line, delim, [&](size_t, std::string_view) {
    ++n;
    return true;
  });
  return n;
}

// Whether a column name names `kind`: it holds one of `words` (lower case), or ends with
// a label of that kind ("登录密码", "user_email").
bool ColumnIs(std::string_view name, LabelKind kind, std::initializer_list<std::string_view> words) {
  char buffer[64];
  std::string heap;
  char* folded = buffer;
  if (name.size() > sizeof buffer) heap.resize(name.size()), folded = heap.data();
  for (size_t i = 0; i < name.size(); ++i) folded[i] = Lower(name[i]);
  const std::string_view lower(folded, name.size());
  for (std::string_view w : words)
    if (lower.find(w) != std::string_view::npos) return true;
  for (const LabelRule& rule : kLabels)
    if (rule.kind == kind && name.size() >= rule.text.size() &&
        EqualsFolded(name.substr(name.size() - rule.text.size()), rule.text))
      return true;
  return false;
}

bool IsPasswordColumn(std::string_view name) {
  name = Trim(name);
  while (!name.empty() && (name.front() == '`' || name.front() == '[')) name.remove_prefix(1);
  while (!name.empty() && (name.back() == '`' || name.back() == ']')) name.remove_suffix(1);
  return !name.empty() && name.size() <= 40 && ColumnIs(name, LabelKind::kPassword, {"pass", "pwd", "hash"});
}

bool IsIdentifierColumn(std::string_view name) {
  return ColumnIs(name, LabelKind::kIdentifier, {"mail", "phone", "mobile", "user", "login", "account", "name", "tel"});
}

// A column list: the names between parentheses, or the definitions of a CREATE TABLE.
std::vector<std::string_view> ColumnNames(std::string_view list, bool definitions) {
  std::vector<std::string_view> names;
  for (std::string_view def : SplitFields(list, ',')) {
    def = Trim(def);
    while (!def.empty() && (def.front() == '\n' || IsSpace(def.front()))) def.remove_prefix(1);
    if (definitions) {
      for (std::string_view kw : {"primary", "unique", "key", "index", "constraint", "foreign", "check", "fulltext"})
        if (StartsWithIgnoreCase(def, kw)) def = {};
      size_t sp = def.find_first_of(" \t\n");
      def = def.substr(0, sp);
    }
    if (!def.empty()) names.push_back(def);
  }
  return names;
}

// Which columns of a list name a password: worked out once per list (a dump holds many
// rows under one).
std::vector<bool> PasswordColumns(const std::vector<std::string_view>& columns) {
  std::vector<bool> mask(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) mask[c] = IsPasswordColumn(columns[c]);
  return mask;
}

// A value in a password column: anything but empty or null.
bool IsPasswordCell(std::string_view v) {
  v = Trim(v);
  return !v.empty() && !IsNullWord(v) && v != "\\N" && v != "''";
}

// Whether a record's fields hold a value in one of the `password` columns.
bool ColumnsGiveCredential(const std::vector<bool>& password, std::string_view record, char delim) {
  if (std::find(password.begin(), password.end(), true) == password.end()) return false;
  bool found = false;
  ForEachField(record, delim, [&](size_t c, std::string_view field) {
    if (c >= password.size()) return false;
    found = password[c] && IsPasswordCell(field);
    return !found;
  });
  return found;
}

// The first of s[i, n) that is a parenthesis, a quote or a backslash, or n.
size_t FindParenthesisOrQuote(const char* s, size_t i, size_t n) {
#if defined(__SSE2__)
  const __m128i open = _mm_set1_epi8('('), close = _mm_set1_epi8(')'), single = _mm_set1_epi8('\''),
                dbl = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    const __m128i any = _mm_or_si128(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, open), _mm_cmpeq_epi8(v, close)),
                     _mm_or_si128(_mm_cmpeq_epi8(v, single), _mm_cmpeq_epi8(v, dbl))),
        _mm_cmpeq_epi8(v, backslash));
    if (const int m = _mm_movemask_epi8(any); m != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(m)));
  }
#endif
  for (; i < n; ++i)
    if (s[i] == '(' || s[i] == ')' || s[i] == '\'' || s[i] == '"' || s[i] == '\\') return i;
  return n;
}

// The text between the parentheses that open at s[open]; empty when unbalanced. Only
// parentheses, quotes and backslashes change its state: the bytes between are skipped
// sixteen at a time (a scan asks this of every identifier in an SQL tuple).
std::string_view Parenthesized(std::string_view s, size_t open) {
  int depth = 0;
  char quote = 0;
  const size_t limit = std::min(s.size(), open + (64 << 10));
  for (size_t i = open; (i = FindParenthesisOrQuote(s.data(), i, limit)) < limit; ++i) {
    char c = s[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      return s.substr(open + 1, i - open - 1);
    }
  }
  return {};
}

std::string_view TableName(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  size_t j = i;
  while (j < s.size() && !IsSpace(s[j]) && s[j] != '(' && s[j] != '\n') ++j;
  std::string_view name = s.substr(i, j - i);
  if (size_t dot = name.rfind('.'); dot != std::string_view::npos) name.remove_prefix(dot + 1);
  while (!name.empty() && (name.front() == '`' || name.front() == '"' || name.front() == '[')) name.remove_prefix(1);
  while (!name.empty() && (name.back() == '`' || name.back() == '"' || name.back() == ']')) name.remove_suffix(1);
  return name;
}

// The columns of a CREATE TABLE statement that starts at s[at], if it creates `table`.
// Its column definitions (the text between its parentheses, empty when it has none).
std::optional<std::string_view> CreateTableColumns(std::string_view s, size_t at, std::string_view table) {
  std::string_view rest = s.substr(at + 12);  // past "CREATE TABLE"
  if (StartsWithIgnoreCase(Trim(rest), "IF NOT EXISTS")) rest = Trim(rest).substr(13);
  if (TableName(rest) != table) return std::nullopt;
  size_t open = rest.find('(');
  if (open == std::string_view::npos) return std::string_view();
  return Parenthesized(rest, open);
}

// CSV/TSV: the document's first line, when it is a header row that names a password
// column (or surely is a header: it names an identifier column). It decides for the
// rows with as many fields.
}  // namespace

struct CsvHeaderRow {
  char delim = 0;
  std::vector<std::string_view> columns;
  std::vector<bool> password;  // PasswordColumns(columns)
};

namespace {

std::optional<CsvHeaderRow> ParseCsvHeader(std::string_view doc) {
  size_t eol = doc.find('\n');
  std::string_view header = doc.substr(0, eol == std::string_view::npos ? doc.size() : eol);
  if (!header.empty() && header.back() == '\r') header.remove_suffix(1);
  if (header.size() > kMaxLine) return std::nullopt;
  if (header.starts_with("\xEF\xBB\xBF")) header.remove_prefix(3);
  CsvHeaderRow row;
  size_t most = 0;
  for (char d : {',', '\t', ';', '|'}) {
    size_t c = static_cast<size_t>(std::count(header.begin(), header.end(), d));
    if (c > most) most = c, row.delim = d;
  }
  if (row.delim == 0) return std::nullopt;
  row.columns = SplitFields(header, row.delim);
  bool any_password = false, any_identifier = false;
  for (std::string_view c : row.columns) {
    std::string_view t = Trim(c);
    if (t.empty() || t.size() > 40 || t.find('@') != std::string_view::npos) return std::nullopt;
    if (std::any_of(t.begin(), t.end(), IsDigitByte) && !std::any_of(t.begin(), t.end(), IsAsciiLetter))
      return std::nullopt;
    any_password |= IsPasswordColumn(t);
    any_identifier |= IsIdentifierColumn(t);
  }
  if (!any_password && !any_identifier) return std::nullopt;
  row.password = PasswordColumns(row.columns);
  return row;
}

std::optional<bool> CsvRowCredential(const CsvHeaderRow& header, std::string_view line) {
  std::string_view row = line;
  if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
  if (CountFields(row, header.delim) != header.columns.size()) return std::nullopt;  // another section's
  return ColumnsGiveCredential(header.password, row, header.delim);
}

// Start positions of `needle` (at least three bytes) in s, in either all-upper or
// all-lower case, ascending. Sixteen positions at a time are ruled out by the first three
// bytes of either spelling: a scan asks this of every line that holds an identifier.
std::vector<size_t> FindAll(std::string_view s, std::string_view upper, bool at_line_start) {
  std::string lower(upper);
  for (char& c : lower) c = Lower(c);
  std::vector<size_t> at;
  auto record = [&](size_t i) {
    if (!at_line_start || i == 0 || s[i - 1] == '\n') at.push_back(i);
  };
  const size_t m = upper.size();
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i u0 = _mm_set1_epi8(upper[0]), u1 = _mm_set1_epi8(upper[1]), u2 = _mm_set1_epi8(upper[2]);
  const __m128i l0 = _mm_set1_epi8(lower[0]), l1 = _mm_set1_epi8(lower[1]), l2 = _mm_set1_epi8(lower[2]);
  auto opens = [&](__m128i v0, __m128i v1, __m128i v2) {
    const __m128i up = _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(v0, u0), _mm_cmpeq_epi8(v1, u1)), _mm_cmpeq_epi8(v2, u2));
    const __m128i lo = _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(v0, l0), _mm_cmpeq_epi8(v1, l1)), _mm_cmpeq_epi8(v2, l2));
    return _mm_or_si128(up, lo);
  };
  for (;;) {
    i = scan::SkipToThreeBytePattern(s.data(), i, s.size(), opens);
    if (i + 18 > s.size()) break;
    const std::string_view here = s.substr(i, m);
    if (here == upper || here == lower) record(i);
    ++i;
  }
#endif
  for (; i + m <= s.size(); ++i) {
    if (s[i] != upper[0] && s[i] != lower[0]) continue;
    const std::string_view here = s.substr(i, m);
    if (here == upper || here == lower) record(i);
  }
  return at;
}

// The last element of `v` that is <= x, as an index, or npos.
size_t LastAtOrBefore(const std::vector<size_t>& v, size_t x) {
  auto it = std::upper_bound(v.begin(), v.end(), x);
  return it == v.begin() ? std::string_view::npos : static_cast<size_t>(it - v.begin() - 1);
}

}  // namespace

// The schema statements of one text, each list found on first use.
struct RecordReader::Statements {
  explicit Statements(std::string_view text) : text(text) {}

  const std::vector<size_t>& Inserts() {
    if (!inserts) inserts = FindAll(text, "INSERT INTO", false), insert_ends.assign(inserts->size(), kUnknown);
    return *inserts;
  }
  const std::vector<size_t>& Creates() {
    if (!creates) creates = FindAll(text, "CREATE TABLE", false);
    return *creates;
  }
  const std::vector<size_t>& Copies() {
    if (!copies) copies = FindAll(text, "COPY ", true), copy_ends.assign(copies->size(), kUnknown);
    return *copies;
  }
  // Where the INSERT statement inserts[k] ends: its ";" at a line end, or the text's end.
  size_t InsertEnd(size_t k) {
    if (insert_ends[k] == kUnknown) {
      size_t from = (*inserts)[k];
      size_t end = text.size();
      for (size_t semi = text.find(';', from); semi != std::string_view::npos; semi = text.find(';', semi + 1)) {
        size_t after = semi + 1;
        while (after < text.size() && (text[after] == ' ' || text[after] == '\r')) ++after;
        if (after >= text.size() || text[after] == '\n') {
          end = semi;
          break;
        }
      }
      insert_ends[k] = end;
    }
    return insert_ends[k];
  }
  // Where the data of COPY copies[k] ends: its "\." line, or the text's end.
  size_t CopyEnd(size_t k) {
    if (copy_ends[k] == kUnknown) {
      size_t end = text.find("\n\\.", (*copies)[k]);
      copy_ends[k] = end == std::string_view::npos ? text.size() : end;
    }
    return copy_ends[k];
  }
  // The columns of the latest CREATE TABLE of `table` before `before`, or nullopt.
  // The column definitions of `table`'s last CREATE TABLE before `before`.
  std::optional<std::string_view> TableColumns(std::string_view table, size_t before) {
    const auto& all = Creates();
    for (size_t k = LastAtOrBefore(all, before); k != std::string_view::npos; k = k == 0 ? std::string_view::npos : k - 1) {
      if (auto columns = CreateTableColumns(text, all[k], table)) return columns;
    }
    return std::nullopt;
  }

  static constexpr size_t kUnknown = ~size_t{0};
  std::string_view text;
  std::optional<std::vector<size_t>> inserts, creates, copies;
  std::vector<size_t> insert_ends, copy_ends;
};

RecordReader::RecordReader(std::string_view text, std::string_view head)
    : text_(text), head_(head), statements_(std::make_unique<Statements>(text)),
      head_statements_(std::make_unique<Statements>(head)) {}
RecordReader::~RecordReader() = default;

size_t RecordReader::LastInsertOnLine(size_t line_begin, size_t b) {
  // From the text's list (found once, in one pass): nearly every line of a leak holds an
  // identifier, so a search of each line would read the text again.
  if (b < 11) return std::string_view::npos;
  const auto& all = statements_->Inserts();
  const size_t k = LastAtOrBefore(all, line_begin + b - 11);
  if (k == std::string_view::npos || all[k] < line_begin) return std::string_view::npos;
  return all[k] - line_begin;
}

const std::vector<bool>& RecordReader::PasswordColumnsOfTable(std::string_view definitions) {
  auto [it, added] = password_columns_.try_emplace(definitions.data());
  if (added) it->second = PasswordColumns(ColumnNames(definitions, true));
  return it->second;
}

const std::vector<bool>& RecordReader::PasswordColumnsOfListAt(std::string_view s, size_t open) {
  auto [it, added] = password_columns_at_.try_emplace(s.data() + open);
  if (added) it->second = PasswordColumns(ColumnNames(Parenthesized(s, open), false));
  return it->second;
}

size_t RecordReader::FirstValuesOf(size_t insert_at) {
  if (insert_at != values_insert_at_) {
    values_insert_at_ = insert_at;
    values_at_ = FindIgnoreCase(text_.substr(insert_at, std::min<size_t>(text_.size() - insert_at, 4096)), "VALUES");
  }
  return values_at_;
}

std::string_view RecordReader::TupleAt(size_t open) {
  if (open != tuple_open_) {
    tuple_open_ = open;
    tuple_ = Parenthesized(text_, open);
  }
  return tuple_;
}

const CsvHeaderRow* RecordReader::CsvHeader() {
  if (!csv_header_parsed_) {
    csv_header_parsed_ = true;
    if (auto row = ParseCsvHeader(head_.empty() ? text_ : head_)) csv_header_ = std::make_unique<CsvHeaderRow>(*row);
  }
  return csv_header_.get();
}

bool RecordReader::HasCredential(size_t begin, size_t end) {
  std::string_view s = text_;
  size_t line_begin = 0;
  std::string_view line = LineAround(s, begin, end, &line_begin);
  size_t b = begin - line_begin, e = end - line_begin;

  // Labels near the identifier: a JSON object's keys, "密码：", "Password=".
  size_t near_begin = b > kMaxNear ? b - kMaxNear : 0;
  std::string_view near = line.substr(near_begin, std::min(line.size(), e + kMaxNear) - near_begin);
  if (std::string_view object = JsonObjectAround(near, b - near_begin, e - near_begin); !object.empty()) {
    return HasPasswordLabel(object);
  }
  // A password label near the identifier, or in a block of "label: value" lines around its
  // own labelled line, can only say yes: the record's shape (an SQL tuple, a CSV row, the
  // field beside it) is asked first, as it answers for most records, which then need no
  // search for labels.
  if (ShapeHasCredential(line_begin, line, begin, end)) return true;
  if (HasPasswordLabel(near)) return true;
  return line.size() <= kMaxNear * 4 && BlockHasPassword(s, line_begin, line_begin + line.size());
}

bool RecordReader::ShapeHasCredential(size_t line_begin, std::string_view line, size_t begin, size_t end) {
  std::string_view s = text_;
  const size_t b = begin - line_begin, e = end - line_begin;
  // An SQL INSERT that holds the identifier: the tuple is the record.
  std::string_view tuple, target;
  size_t insert_at = std::string_view::npos;
  // An INSERT on the line itself is found there; the whole text's INSERTs are located
  // only for a line that may continue one (a tuple's '(' before the identifier, on a line
  // with no INSERT of its own, or a line too long to see whole).
  std::string_view before = line.substr(0, b);
  size_t same_line = LastInsertOnLine(line_begin, b);
  if (same_line != std::string_view::npos) {
    insert_at = line_begin + same_line;
  } else if (before.find('(') != std::string_view::npos || (line_begin > 0 && s[line_begin - 1] != '\n')) {
    const auto& inserts = statements_->Inserts();
    size_t k = LastAtOrBefore(inserts, begin);
    if (k != std::string_view::npos && statements_->InsertEnd(k) > begin) insert_at = inserts[k];
  }
  if (insert_at != std::string_view::npos) {
    {
      std::string_view statement = s.substr(insert_at, begin - insert_at);
      size_t values = FirstValuesOf(insert_at);  // in the statement's first 4096 bytes
      if (values != std::string_view::npos && values + 6 > std::min<size_t>(statement.size(), 4096))
        values = std::string_view::npos;  // not before the identifier
      if (values != std::string_view::npos) {
        target = statement.substr(11, values - 11);
        // Back to the '(' that opens the tuple (after "VALUES" or "),").
        for (size_t i = statement.size(); i-- > values + 6 && statement.size() - i <= (64 << 10);) {
          if (statement[i] != '(') continue;
          size_t k2 = i;
          while (k2 > values + 6 && (IsSpace(statement[k2 - 1]) || statement[k2 - 1] == '\n')) --k2;
          if (k2 == values + 6 || statement[k2 - 1] == ',') {
            tuple = TupleAt(insert_at + i);
            // The identifier must be inside it: a tuple that closed before it is another.
            if (!tuple.empty()) {
              size_t tuple_begin = static_cast<size_t>(tuple.data() - s.data());
              if (begin < tuple_begin || end > tuple_begin + tuple.size()) tuple = {};
            }
            break;
          }
        }
      }
    }
  }
  const bool in_sql = !tuple.empty();
  std::optional<std::vector<std::string_view>> sql_columns;
  if (in_sql) {
    if (size_t paren = target.find('('); paren != std::string_view::npos) {
      // The column list is given: it decides.
      return ColumnsGiveCredential(PasswordColumnsOfListAt(target, paren), tuple, ',');
    }
  } else if (head_.empty() && line_begin == 0) {
    // The first line of the document: a header row, if any, is no record of its own.
  } else if (const CsvHeaderRow* header = CsvHeader(); header != nullptr) {
    if (auto csv = CsvRowCredential(*header, line)) return *csv;
  }

  // A password or hash beside the identifier.
  if (NeighbourIsPassword(in_sql ? tuple : line, in_sql ? begin - (tuple.data() - s.data()) : b,
                          in_sql ? end - (tuple.data() - s.data()) : e, in_sql))
    return true;

  // Schemas further back: the table's CREATE TABLE, a COPY's column list.
  if (in_sql) {
    std::string_view table = TableName(target);
    auto columns = statements_->TableColumns(table, insert_at);
    if (!columns && !head_.empty()) columns = head_statements_->TableColumns(table, head_.size());
    return columns && ColumnsGiveCredential(PasswordColumnsOfTable(*columns), tuple, ',');
  }
  if (line.find('\t') != std::string_view::npos) {
    auto copy_line = [&](Statements& st, size_t before) -> std::string_view {
      const auto& copies = st.Copies();
      size_t k = LastAtOrBefore(copies, before);
      if (k == std::string_view::npos || st.CopyEnd(k) < before) return {};
      size_t at = copies[k];
      size_t eol = st.text.find('\n', at);
      return st.text.substr(at, (eol == std::string_view::npos ? st.text.size() : eol) - at);
    };
    std::string_view copy = copy_line(*statements_, line_begin);
    if (copy.empty() && !head_.empty()) copy = copy_line(*head_statements_, head_.size());
    if (!copy.empty() && FindIgnoreCase(copy, "FROM stdin") != std::string_view::npos &&
        copy.find('(') != std::string_view::npos) {
      return ColumnsGiveCredential(PasswordColumnsOfListAt(copy, copy.find('(')), line, '\t');
    }
  }
  return false;
}


std::span<const LabelRule> Labels() { return kLabels; }
std::span<const HashShape> HashShapes() { return kHashShapes; }
std::span<const std::string_view> Delimiters() { return kDelimiters; }

bool IsHashValue(std::string_view f) {
  // What any shape needs, worked out from the table once: a bare hex digest's size, or
  // the first byte of a prefix (most fields beside an identifier have neither).
  struct Quick {
    std::array<bool, 256> prefix_first{};
    std::array<bool, 129> hex_size{};
  };
  static const Quick quick = [] {
    Quick q;
    for (const HashShape& h : kHashShapes) {
      if (!h.prefix.empty()) q.prefix_first[static_cast<unsigned char>(h.prefix[0])] = true;
      if (h.prefix.empty())
        for (size_t n = h.min_size; n <= h.max_size && n < q.hex_size.size(); ++n) q.hex_size[n] = true;
    }
    return q;
  }();
  static_assert([] {
    for (const HashShape& h : kHashShapes)
      if (h.prefix.empty() && h.max_size > 128) return false;
    return true;
  }());
  if (f.empty()) return false;
  const bool salted = f.size() > 33 && f.size() <= 64 && f[32] == ':';
  if (!salted && !quick.prefix_first[static_cast<unsigned char>(f[0])] &&
      (f.size() >= quick.hex_size.size() || !quick.hex_size[f.size()]))
    return false;
  for (const HashShape& h : kHashShapes) {
    if (f.size() < h.min_size || f.size() > h.max_size || !f.starts_with(h.prefix)) continue;
    if (!h.hex) return true;
    if (std::all_of(f.begin(), f.end(), [](char c) {
          return IsDigitByte(c) || (Lower(c) >= 'a' && Lower(c) <= 'f');
        }))
      return true;
  }
  // Discuz! and vBulletin: md5 hex, a colon, a salt.
  if (f.size() > 33 && f.size() <= 64 && f[32] == ':') return IsHashValue(f.substr(0, 32));
  return false;
}

bool IsPasswordValue(std::string_view field, FieldContext context) {
  while (!field.empty() && (field.back() == ')' || field.back() == ';' || field.back() == '}' || field.back() == ']'))
    field.remove_suffix(1);
  field = Trim(field);
  if (field.empty() || IsNullWord(field)) return false;
  if (std::all_of(field.begin(), field.end(), [](char c) { return c == '*'; })) return false;  // masked
  if (IsHashValue(field)) return true;
  // A labelled value may be as weak as "x"; an unlabelled field needs four bytes.
  if (field.size() < (context == FieldContext::kLabelled ? 1 : 4) || field.size() > 128) return false;
  if (size_t at = field.find('@'); at != std::string_view::npos && field.find('.', at) != std::string_view::npos)
    return false;  // an email
  size_t digits = 0, letters = 0, dots = 0, dashes = 0, others = 0, date_marks = 0;
  for (char c : field) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return false;  // whitespace, non-ASCII
    if (IsDigitByte(c)) ++digits;
    else if (IsAsciiLetter(c)) ++letters;
    else if (c == '.') ++dots;
    else if (c == '-') ++dashes;
    else if (c == '/' || c == ':') ++date_marks;
    else ++others;
  }
  // Not a phone, a card, an ID-card number, a date, a time, a price or a Unix time.
  bool numeric = letters == 0 && others == 0 && digits > 0;
  if (numeric) {
    if (digits >= 11 && dots + dashes + date_marks == 0) return false;
    if (digits >= 11 && context == FieldContext::kLabelled) return false;
    if ((date_marks > 0 || dashes > 0) && digits >= 4) return false;
    if (dots == 1 && dashes + date_marks == 0) return false;
    if (digits == 10 && field[0] == '1') return false;
  }
  if (digits == 17 && letters == 1 && (field.back() == 'X' || field.back() == 'x') && field.size() == 18) return false;
  if (field[0] == '+' && digits >= 8 && letters == 0) return false;
  if (field.find("://") != std::string_view::npos || StartsWithIgnoreCase(field, "www.")) return false;
  if (context == FieldContext::kStrict && (letters == 0 || letters == field.size())) return false;
  return true;
}

bool FollowsQqLabel(std::string_view s, size_t begin) {
  size_t i = begin;
  for (int k = 0; k < 2 && i > 0 && s[i - 1] == ' '; ++k) --i;
  size_t sep = i;
  if (i > 0 && (s[i - 1] == ':' || s[i - 1] == '=' || s[i - 1] == '#')) {
    sep = i - 1;
  } else if (i >= 3 && s.substr(i - 3, 3) == "：") {
    sep = i - 3;
  } else if (i == begin && (i == 0 || static_cast<unsigned char>(s[i - 1]) < 0x80)) {
    return false;  // "QQ12345": no separator (but "QQ号12345" needs none)
  }
  // Cheap first: a QQ label ends in 'q', 号, 码 or 扣.
  size_t e = sep;
  while (e > 0 && s[e - 1] == ' ') --e;
  if (e == 0) return false;
  auto last = static_cast<unsigned char>(s[e - 1]);
  if (last != 'q' && last != 'Q' && last != 0xB7 && last != 0x81 && last != 0xA3) return false;
  return LabelEndingAt(s, sep, LabelKind::kQq) == LabelKind::kQq;
}

}  // namespace lw::records
