// RFC 5322 messages for the email sink: headers mail filters accept, MIME for UTF-8.
#include <ctime>

#include "alerts/transport.h"

namespace lw {
namespace {

bool IsAscii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80 || c == '\r' || c == '\n') return false;
  return true;
}

std::string Base64(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// RFC 2047 "B" encoded words of at most 75 characters, split between UTF-8 characters
// (never inside one), folded onto continuation lines.
std::string EncodeHeaderWords(const std::string& text) {
  // 36 bytes -> 48 base64 characters + 12 of "=?utf-8?B?" "?=": with "Subject: " each line
  // stays under 78 characters.
  constexpr size_t kMaxRaw = 36;
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.size(), start + kMaxRaw);
    while (end < text.size() && end > start && (uint8_t(text[end]) & 0xC0) == 0x80) --end;
    if (end == start) end = std::min(text.size(), start + kMaxRaw);  // not UTF-8: split anyway
    if (!out.empty()) out += "\r\n ";
    out += "=?utf-8?B?" + Base64(std::string_view(text).substr(start, end - start)) + "?=";
    start = end;
  }
  return out;
}

// Header values from the configuration or the digest are one line.
std::string OneLine(std::string s) {
  for (char& c : s)
    if (c == '\r' || c == '\n') c = ' ';
  return s;
}

}  // namespace

std::string FormatRfc5322Date(UnixSeconds t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string ComposeMail(const MailMessage& m) {
  std::string out = "Date: " + FormatRfc5322Date(m.date) + "\r\n";
  if (!m.message_id.empty()) out += "Message-ID: " + OneLine(m.message_id) + "\r\n";
  out += "From: " + OneLine(m.from) + "\r\nTo: ";
  for (size_t i = 0; i < m.to.size(); ++i) out += (i ? ", " : "") + OneLine(m.to[i]);
  out += "\r\nSubject: " + (IsAscii(m.subject) ? m.subject : EncodeHeaderWords(m.subject)) + "\r\n";
  out += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  for (size_t i = 0; i < m.body.size(); ++i) {  // CRLF line ends for SMTP
    char ch = m.body[i];
    if (ch == '\n' && (i == 0 || m.body[i - 1] != '\r')) out += '\r';
    out += ch;
  }
  return out;
}

}  // namespace lw
