#include "crawler/html_text.h"

#include <errno.h>
#include <gumbo.h>
#include <iconv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <unordered_set>

#include "crawler/html_tree.h"
#include "crawler/url.h"

namespace lw {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8
constexpr size_t kSniffBytes = 1024;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The media type of a Content-Type header, lower case, without parameters.
std::string MediaType(std::string_view content_type) {
  return Lower(Trim(content_type.substr(0, content_type.find(';'))));
}

// Reads a charset label starting at `s` (after "charset"): optional spaces, '=', optional
// spaces and quote, then the label. "" when there is none.
std::string ReadCharsetValue(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  if (i >= s.size() || s[i] != '=') return "";
  ++i;
  while (i < s.size() && IsSpace(s[i])) ++i;
  if (i < s.size() && (s[i] == '"' || s[i] == '\'')) ++i;
  size_t start = i;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '-' || s[i] == '_' ||
                          s[i] == '.' || s[i] == ':'))
    ++i;
  return Lower(s.substr(start, i - start));
}

std::string ContentTypeCharset(std::string_view content_type) {
  std::string lower = Lower(content_type);
  size_t pos = lower.find(';');
  while (pos != std::string::npos) {
    size_t p = lower.find_first_not_of(" \t", pos + 1);
    if (p != std::string::npos && lower.compare(p, 7, "charset") == 0) return ReadCharsetValue(std::string_view(lower).substr(p + 7));
    pos = lower.find(';', pos + 1);
  }
  return "";
}

// <meta charset=X> or <meta http-equiv=content-type content="...; charset=X"> in the
// first kSniffBytes bytes.
std::string MetaCharset(std::string_view body) {
  std::string head = Lower(body.substr(0, kSniffBytes));
  for (size_t pos = head.find("<meta"); pos != std::string::npos; pos = head.find("<meta", pos + 5)) {
    size_t end = head.find('>', pos);
    std::string_view tag = std::string_view(head).substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    for (size_t c = tag.find("charset"); c != std::string_view::npos; c = tag.find("charset", c + 7)) {
      std::string label = ReadCharsetValue(tag.substr(c + 7));
      if (!label.empty()) return label;
    }
  }
  return "";
}

std::string BomCharset(std::string_view body) {
  if (body.starts_with("\xEF\xBB\xBF")) return "utf-8";
  if (body.starts_with("\xFF\xFE")) return "utf-16le";
  if (body.starts_with("\xFE\xFF")) return "utf-16be";
  return "";
}

// The iconv name for a WHATWG-style label; supersets where browsers use them (GB18030
// for GBK/GB2312, CP932 for Shift_JIS, CP949 for EUC-KR, CP1252 for Latin-1). "" for
// UTF-8 (converted without iconv).
struct CharsetAlias {
  std::string_view label;
  std::string_view iconv_name;
};
constexpr CharsetAlias kAliases[] = {
    {"utf-8", ""},           {"utf8", ""},              {"unicode-1-1-utf-8", ""},
    {"gbk", "GB18030"},      {"gb2312", "GB18030"},     {"gb_2312-80", "GB18030"},
    {"gb18030", "GB18030"},  {"x-gbk", "GB18030"},      {"csgb2312", "GB18030"},
    {"chinese", "GB18030"},  {"iso-ir-58", "GB18030"},  {"big5", "BIG5-HKSCS"},
    {"big5-hkscs", "BIG5-HKSCS"}, {"x-x-big5", "BIG5-HKSCS"}, {"cn-big5", "BIG5-HKSCS"},
    {"csbig5", "BIG5-HKSCS"}, {"shift_jis", "CP932"},   {"shift-jis", "CP932"},
    {"sjis", "CP932"},       {"x-sjis", "CP932"},       {"ms_kanji", "CP932"},
    {"windows-31j", "CP932"}, {"cp932", "CP932"},       {"csshiftjis", "CP932"},
    {"euc-jp", "EUC-JP"},    {"x-euc-jp", "EUC-JP"},    {"euc-kr", "CP949"},
    {"ks_c_5601-1987", "CP949"}, {"windows-949", "CP949"}, {"cp949", "CP949"},
    {"korean", "CP949"},     {"csksc56011987", "CP949"}, {"iso-8859-1", "CP1252"},
    {"iso8859-1", "CP1252"}, {"iso_8859-1", "CP1252"},  {"latin1", "CP1252"},
    {"l1", "CP1252"},        {"us-ascii", "CP1252"},    {"ascii", "CP1252"},
    {"windows-1252", "CP1252"}, {"cp1252", "CP1252"},   {"x-cp1252", "CP1252"},
    {"utf-16", "UTF-16LE"},  {"utf-16le", "UTF-16LE"},  {"utf-16be", "UTF-16BE"},
};

// Owns an iconv_t.
class Iconv {
 public:
  Iconv(const char* to, const char* from) : cd_(iconv_open(to, from)) {}
  ~Iconv() {
    if (ok()) iconv_close(cd_);
  }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

// Converts with iconv, replacing every invalid byte (and a truncated sequence at the end)
// with U+FFFD. REQUIRES: cd.ok().
std::string Convert(const Iconv& cd, std::string_view body) {
  std::string out(body.size() * 2 + 16, '\0');
  size_t used = 0;
  auto ensure = [&](size_t n) {
    if (out.size() - used < n) out.resize(std::max(out.size() * 2, used + n));
  };
  char* in = const_cast<char*>(body.data());
  size_t in_left = body.size();
  while (true) {
    char* op = out.data() + used;
    size_t out_left = out.size() - used;
    size_t r = iconv(cd.get(), in_left ? &in : nullptr, in_left ? &in_left : nullptr, &op, &out_left);
    int err = errno;
    used = op - out.data();
    if (r != static_cast<size_t>(-1)) {
      if (in_left == 0) break;  // also flushed the shift state (stateful encodings)
      continue;
    }
    if (err == E2BIG) {
      ensure(out.size());
      continue;
    }
    ensure(kReplacement.size());
    out.replace(used, kReplacement.size(), kReplacement);
    used += kReplacement.size();
    if (err == EINVAL) break;  // a truncated sequence at the end
    ++in;                       // EILSEQ: skip one byte and resynchronize
    --in_left;
    if (in_left == 0) {
      in = nullptr;
    }
  }
  out.resize(used);
  return out;
}

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  unsigned char c = s[i];
  if (c < 0x80) return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c == 0xE0) n = 3, lo = 0xA0;
  else if (c >= 0xE1 && c <= 0xEC) n = 3;
  else if (c == 0xED) n = 3, hi = 0x9F;  // no surrogates
  else if (c >= 0xEE && c <= 0xEF) n = 3;
  else if (c == 0xF0) n = 4, lo = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) n = 4;
  else if (c == 0xF4) n = 4, hi = 0x8F;  // up to U+10FFFF
  else return 0;
  if (i + n > s.size()) return 0;
  unsigned char c1 = s[i + 1];
  if (c1 < lo || c1 > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

std::string RepairUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

// --- Gumbo ---------------------------------------------------------------------------

const GumboOptions& ParseOptions() {
  static const GumboOptions options = [] {
    GumboOptions o = kGumboDefaultOptions;
    o.max_errors = 0;  // we never look at parse errors; do not collect them
    return o;
  }();
  return options;
}

bool IsSkipped(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_IFRAME:  // its "content" is fallback text for ancient browsers
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_META:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_NOEMBED:
      return true;
    default:
      return false;
  }
}

bool IsBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BODY: case GUMBO_TAG_CAPTION: case GUMBO_TAG_CENTER: case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS: case GUMBO_TAG_DIR: case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL: case GUMBO_TAG_DT: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE: case GUMBO_TAG_FOOTER: case GUMBO_TAG_FORM: case GUMBO_TAG_H1:
    case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
    case GUMBO_TAG_HEADER: case GUMBO_TAG_HGROUP: case GUMBO_TAG_HR: case GUMBO_TAG_HTML:
    case GUMBO_TAG_LEGEND: case GUMBO_TAG_LI: case GUMBO_TAG_MAIN: case GUMBO_TAG_MENU:
    case GUMBO_TAG_NAV: case GUMBO_TAG_OL: case GUMBO_TAG_OPTION: case GUMBO_TAG_P:
    case GUMBO_TAG_PRE: case GUMBO_TAG_SECTION: case GUMBO_TAG_SELECT: case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_TABLE: case GUMBO_TAG_TBODY: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_THEAD: case GUMBO_TAG_TITLE: case GUMBO_TAG_TR: case GUMBO_TAG_UL:
      return true;
    default:
      return false;
  }
}

bool IsVerbatim(GumboTag tag) {
  return tag == GUMBO_TAG_PRE || tag == GUMBO_TAG_TEXTAREA || tag == GUMBO_TAG_LISTING ||
         tag == GUMBO_TAG_PLAINTEXT || tag == GUMBO_TAG_XMP;
}

// Accumulates text with collapsed whitespace and line structure.
class TextBuilder {
 public:
  void Text(std::string_view text, bool verbatim) {
    if (verbatim) {
      out_.append(text);
      pending_space_ = false;
      return;
    }
    for (size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      bool nbsp = c == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0';
      if (IsSpace(c) || nbsp) {
        pending_space_ = true;
        if (nbsp) ++i;
        continue;
      }
      if (pending_space_ && !AtLineStart()) out_ += ' ';
      pending_space_ = false;
      out_ += c;
    }
  }
  void EndLine() {
    if (!out_.empty() && out_.back() != '\n') out_ += '\n';
    pending_space_ = false;
  }
  void Break() {
    out_ += '\n';
    pending_space_ = false;
  }
  void Cell() {
    if (!AtLineStart()) out_ += '\t';
    pending_space_ = false;
  }
  std::string Take() {
    EndLine();
    return std::move(out_);
  }

 private:
  bool AtLineStart() const { return out_.empty() || out_.back() == '\n' || out_.back() == '\t'; }
  std::string out_;
  bool pending_space_ = false;
};

bool HasRelNext(const GumboNode* node) {
  const char* rel = Attribute(node, "rel");
  if (!rel) return false;
  std::string lower = Lower(rel);
  std::string_view rest = lower;
  while (!rest.empty()) {
    size_t start = 0;
    while (start < rest.size() && IsSpace(rest[start])) ++start;
    size_t end = start;
    while (end < rest.size() && !IsSpace(rest[end])) ++end;
    if (rest.substr(start, end - start) == "next") return true;
    rest.remove_prefix(end);
  }
  return false;
}

}  // namespace

void GumboOutputDeleter::operator()(GumboOutput* output) const { gumbo_destroy_output(&ParseOptions(), output); }

GumboOutputPtr ParseHtml(std::string_view html) {
  return GumboOutputPtr(gumbo_parse_with_options(&ParseOptions(), html.data(), html.size()));
}

const char* Attribute(const GumboNode* node, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&node->v.element.attributes, name);
  return a ? a->value : nullptr;
}

bool HasClass(const GumboNode* node, std::string_view name) {
  if (node->type != GUMBO_NODE_ELEMENT) return false;
  const char* cls = Attribute(node, "class");
  if (!cls) return false;
  std::string_view rest = cls;
  while (!rest.empty()) {
    size_t start = 0;
    while (start < rest.size() && IsSpace(rest[start])) ++start;
    size_t end = start;
    while (end < rest.size() && !IsSpace(rest[end])) ++end;
    if (rest.substr(start, end - start) == name) return true;
    rest.remove_prefix(end);
  }
  return false;
}

std::string DetectCharset(std::string_view body, std::string_view content_type) {
  if (std::string bom = BomCharset(body); !bom.empty()) return bom;
  if (std::string declared = ContentTypeCharset(content_type); !declared.empty()) return declared;
  if (LooksLikeHtml(content_type, body)) return MetaCharset(body);
  return "";
}

Result<std::string> ToUtf8(std::string_view body, std::string_view content_type) {
  std::string charset = DetectCharset(body, content_type);
  std::string bom = BomCharset(body);
  if (!bom.empty() && bom == charset) body.remove_prefix(bom == "utf-8" ? 3 : 2);
  std::string iconv_name;
  bool known = false;
  for (const CharsetAlias& a : kAliases) {
    if (a.label == charset) {
      iconv_name = a.iconv_name;
      known = true;
      break;
    }
  }
  if (!known && !charset.empty() && charset.size() <= 40) {
    // Some other label: let glibc try it by name (labels are [a-z0-9._:-] only).
    iconv_name = charset;
    std::transform(iconv_name.begin(), iconv_name.end(), iconv_name.begin(), [](unsigned char c) { return std::toupper(c); });
  }
  if (iconv_name.empty()) return RepairUtf8(body);
  Iconv cd("UTF-8", iconv_name.c_str());
  if (!cd.ok()) {
    if (known) return Fail(Error::Internal("iconv cannot convert from " + iconv_name + " (glibc gconv modules missing?)"));
    return RepairUtf8(body);  // an unknown label: read as UTF-8
  }
  return Convert(cd, body);
}

bool LooksLikeHtml(std::string_view content_type, std::string_view body) {
  std::string type = MediaType(content_type);
  if (type == "text/html" || type == "application/xhtml+xml") return true;
  if (!type.empty() && type != "application/octet-stream" && type != "unknown/unknown" && type != "application/unknown")
    return false;
  // The HTML signatures of the WHATWG MIME sniffing standard.
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  while (!body.empty() && IsSpace(body.front())) body.remove_prefix(1);
  std::string start = Lower(body.substr(0, 16));
  static constexpr std::string_view kSignatures[] = {"<!doctype html", "<html", "<head", "<script", "<iframe",
                                                     "<h1", "<div", "<font", "<table", "<a", "<style",
                                                     "<title", "<b", "<body", "<br", "<p", "<!--"};
  for (std::string_view sig : kSignatures) {
    if (!start.starts_with(sig)) continue;
    if (sig == "<!--") return true;
    if (start.size() > sig.size() && (start[sig.size()] == ' ' || start[sig.size()] == '>')) return true;
  }
  return false;
}

std::string NodeText(const GumboNode* root, const std::function<bool(const GumboNode*)>& skip) {
  TextBuilder text;
  int verbatim = 0;  // depth of <pre>/<textarea> we are inside
  Walk(
      root,
      [&](const GumboNode* node) {
        switch (node->type) {
          case GUMBO_NODE_DOCUMENT:
            return true;
          case GUMBO_NODE_TEXT:
          case GUMBO_NODE_WHITESPACE:
          case GUMBO_NODE_CDATA:
            text.Text(node->v.text.text, verbatim > 0);
            return false;
          case GUMBO_NODE_ELEMENT: {
            GumboTag tag = node->v.element.tag;
            if (IsSkipped(tag) || (skip && skip(node))) return false;
            if (tag == GUMBO_TAG_BR) {
              text.Break();
              return false;
            }
            if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) text.Cell();
            if (IsBlock(tag)) text.EndLine();
            if (IsVerbatim(tag)) ++verbatim;
            return true;
          }
          default:  // comments, <template> contents
            return false;
        }
      },
      [&](const GumboNode* node) {
        GumboTag tag = node->v.element.tag;
        if (IsVerbatim(tag)) --verbatim;
        if (IsBlock(tag)) text.EndLine();
      });
  return text.Take();
}

std::string HtmlToText(std::string_view html) {
  GumboOutputPtr output = ParseHtml(html);
  if (!output) return "";
  return NodeText(output->document);
}

std::vector<std::string> ExtractLinks(std::string_view html, std::string_view page_url) {
  GumboOutputPtr output = ParseHtml(html);
  if (!output) return {};
  std::vector<std::string> hrefs;
  std::optional<std::string> base_href;
  Walk(
      output->document,
      [&](const GumboNode* node) {
        if (node->type == GUMBO_NODE_DOCUMENT) return true;
        if (node->type != GUMBO_NODE_ELEMENT) return false;
        GumboTag tag = node->v.element.tag;
        const char* href = Attribute(node, "href");
        if (href && tag == GUMBO_TAG_BASE && !base_href) base_href = href;
        if (href && (tag == GUMBO_TAG_A || tag == GUMBO_TAG_AREA || (tag == GUMBO_TAG_LINK && HasRelNext(node))))
          hrefs.push_back(href);
        return true;
      },
      [](const GumboNode*) {});

  std::string base(page_url);
  if (base_href) {
    if (auto b = ResolveUrl(page_url, *base_href)) base = *b;
  }
  std::vector<std::string> links;
  std::unordered_set<std::string> seen;
  for (const std::string& href : hrefs) {
    auto url = ResolveUrl(base, href);
    if (!url) continue;
    std::string link = StripFragment(*url);
    std::string scheme = UrlScheme(link);
    if (scheme != "http" && scheme != "https") continue;
    if (seen.insert(link).second) links.push_back(std::move(link));
  }
  return links;
}

}  // namespace lw
