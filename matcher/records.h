// Internal to matcher/ (the public API is matcher/extractor.h): the records of leaked
// text and what they say about an identifier found in them.
//
//  - Severity: is a password or a password hash in the same record as the identifier?
//  - QQ accounts: is a number written with a QQ label ("QQ:", "QQ号", "扣扣", ...)?
//
// One engine reads every record shape: a line of a combo list, CSV or TSV file; an SQL
// row (a tuple of INSERT ... VALUES, a line of COPY ... FROM stdin); a JSON object; an
// infostealer block (URL/Username/Password lines); a labelled block of consecutive
// lines ("账号：..." then "密码：..."). What it knows is data, in the tables of
// records.cc: labels by language and kind, delimiters, hash shapes. Tests walk every row
// (tests/record_formats_test.cc).
//
// With sightings on (the default) a scan asks it of every candidate, about one per 70
// bytes of a leak: the questions that answer for most records (the field beside the
// identifier, its SQL tuple or CSV row) come first, and what a text's records share (its
// INSERT statements, a column list, a CSV header) is worked out once per text. Every
// search it makes is bounded.
//
// Thread-safety: all functions are pure and may be called from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>
#include <string_view>
#include <unordered_map>

namespace lw::records {

struct CsvHeaderRow;  // records.cc

// What a label names.
enum class LabelKind : uint8_t {
  kPassword,    // password, 密码, пароль, パスワード, ...: its value makes a record a credential
  kIdentifier,  // 账号, email, login, логин, ...: its value is an identifier
  kQq,          // QQ, QQ号, 扣扣, 企鹅号: its value is a QQ number, the account NUMBER@qq.com
  kOther,       // URL, host, date, price, ID number, ...: a field that is no password
};

struct LabelRule {
  std::string_view text;      // as written; matched case-insensitively, leetspeak folded
                              // ("P455W0RD" is "password"), at the end of a label
  LabelKind kind;
  std::string_view language;  // "en", "zh", "ru", "ja", "ko"
};
std::span<const LabelRule> Labels();

// Password hashes as they appear in leaks: hex digests, crypt(3) and framework formats.
struct HashShape {
  std::string_view name;    // "md5", "bcrypt", ...
  std::string_view prefix;  // literal prefix ("$2y$"), empty for bare hex
  size_t min_size, max_size;
  bool hex;                 // the rest after the prefix is hex digits
};
std::span<const HashShape> HashShapes();

// Field delimiters of delimiter-separated records, longest first ("----" before "-").
std::span<const std::string_view> Delimiters();

// The records of one text, for many questions about it. Schema statements (INSERT,
// CREATE TABLE, COPY) are located once per text, when a question first needs them, so a
// dump full of watched identifiers costs one pass per kind of statement, not one search
// per identifier.
//
// `head` is the start of the document when `text` is a later part of it (a chunk of a
// large file): a CSV header row or an SQL schema is looked up there too. Empty when
// `text` starts the document. Both must outlive the reader. Not thread-safe (it caches).
class RecordReader {
 public:
  explicit RecordReader(std::string_view text, std::string_view head = {});
  ~RecordReader();
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // True when a password or password hash is in the record that holds text[begin, end),
  // an identifier.
  bool HasCredential(size_t begin, size_t end);

  std::string_view text() const { return text_; }

 private:
  struct Statements;  // records.cc
  // HasCredential's answer from the record's shape alone: the SQL tuple or CSV row that
  // holds text_[begin, end) on `line` (at text_[line_begin]), or the field beside it.
  bool ShapeHasCredential(size_t line_begin, std::string_view line, size_t begin, size_t end);
  const CsvHeaderRow* CsvHeader();  // the document's header row, parsed on first use; null if none
  // Which columns of a CREATE TABLE's column definitions (in text_ or head_) name a
  // password, worked out on first use of them.
  const std::vector<bool>& PasswordColumnsOfTable(std::string_view definitions);
  // The same for the column list in the parentheses that open at s[open] (an INSERT's or
  // a COPY's), looked up before the list is delimited: every row of a statement asks.
  const std::vector<bool>& PasswordColumnsOfListAt(std::string_view s, size_t open);
  // The text between the parentheses that open at text_[open] (an SQL tuple): an
  // identifier's tuple is often the previous identifier's too.
  std::string_view TupleAt(size_t open);
  // Where "VALUES" (either case) first is in the 4096 bytes from text_[insert_at] (an
  // INSERT statement), relative to it, or npos: every row of a statement asks.
  size_t FirstValuesOf(size_t insert_at);
  // Where the last "INSERT INTO" (either case) that ends by text_[line_begin + b] and starts
  // at or after text_[line_begin] starts, relative to line_begin, or npos.
  size_t LastInsertOnLine(size_t line_begin, size_t b);

  std::string_view text_, head_;
  std::unique_ptr<Statements> statements_, head_statements_;
  bool csv_header_parsed_ = false;
  std::unique_ptr<CsvHeaderRow> csv_header_;
  std::unordered_map<const char*, std::vector<bool>> password_columns_;  // by the definitions' first byte
  std::unordered_map<const char*, std::vector<bool>> password_columns_at_;  // by the list's '('
  size_t tuple_open_ = ~size_t{0};
  size_t values_insert_at_ = ~size_t{0}, values_at_ = 0;
  std::string_view tuple_;
};

// True when the digits at text[begin, ...) follow a QQ label ("QQ:", "QQ号：", "扣扣 ").
bool FollowsQqLabel(std::string_view text, size_t begin);

// Whether a field of a delimiter-separated record can be a password or a hash.
enum class FieldContext : uint8_t {
  kLoose,   // after "----", ':', '|', tab, ...: weak and all-digit passwords count
  kStrict,  // after a comma or in an SQL tuple: must mix letters with digits or symbols,
            // or be a hash (a surname or city in the next column is no password)
  kLabelled,  // the value of a password label: anything but empty, null or masked
};
bool IsPasswordValue(std::string_view field, FieldContext context);
bool IsHashValue(std::string_view field);

}  // namespace lw::records
