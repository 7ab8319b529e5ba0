// From fetched bytes to the text the matcher scans: charset conversion to UTF-8, the
// visible text of an HTML page, and the links on it.
//
// All functions take bytes from the network and never fail on bad input: invalid byte
// sequences become U+FFFD, broken HTML is parsed the way a browser would (Gumbo
// implements the HTML5 parsing algorithm). Thread-safe: no shared state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace lw {

// The charset a response declares: the Content-Type's charset parameter, else (for HTML)
// a <meta charset> or <meta http-equiv="Content-Type" content="...; charset=..."> in the
// first 1024 bytes, else a byte-order mark. Lower case, "" when none is declared.
std::string DetectCharset(std::string_view body, std::string_view content_type);

// Converts `body` to UTF-8 from the charset DetectCharset finds (UTF-8 when none).
// Handled: UTF-8, UTF-16LE/BE, GBK/GB2312/GB18030, Big5, Shift_JIS, EUC-JP, EUC-KR,
// Windows-1252/ISO-8859-1/US-ASCII and anything else glibc's iconv knows by name. Invalid
// or truncated sequences become U+FFFD; an unknown charset label is read as UTF-8.
// Fails only when iconv itself cannot be set up for a charset it should know (kInternal).
Result<std::string> ToUtf8(std::string_view body, std::string_view content_type);

// Whether the response is HTML, from its Content-Type (text/html, application/xhtml+xml)
// or, when that says nothing specific (absent, application/octet-stream), from the first
// bytes. text/plain, JSON and other types are not HTML even if they contain tags: they are
// matched as text and never handed to the HTML parser.
bool LooksLikeHtml(std::string_view content_type, std::string_view body);

// The visible text of an HTML document (UTF-8 in, UTF-8 out). Dropped: <head> (except
// <title>), <script>, <style>, <noscript>, <template>, comments. Block elements and <br>
// end lines, table cells are separated by tabs, whitespace elsewhere collapses to one
// space; <pre> and <textarea> are copied verbatim. Entities are decoded.
std::string HtmlToText(std::string_view html);

// The http(s) links of an HTML document: <a href>, <area href> and <link rel=next href>,
// resolved against the first <base href> (itself resolved against `page_url`) or else
// `page_url`; fragments stripped; duplicates removed, first occurrence kept; in document
// order. Links that do not parse or are not http(s) are skipped.
std::vector<std::string> ExtractLinks(std::string_view html, std::string_view page_url);

}  // namespace lw
