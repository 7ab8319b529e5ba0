#include "crawler/feed.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <openssl/evp.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>

#include "crawler/html_text.h"
#include "crawler/url.h"

namespace lw {
namespace {

struct ParserCtxtDeleter {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};
struct DocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct XmlCharDeleter {
  void operator()(xmlChar* s) const { xmlFree(s); }
};
using XmlString = std::unique_ptr<xmlChar, XmlCharDeleter>;

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// The encoding the XML declaration names ("" when none), lower case.
std::string DeclaredEncoding(std::string_view body) {
  std::string_view head = body.substr(0, 256);
  if (!head.starts_with("<?xml")) return "";
  size_t end = head.find("?>");
  if (end == std::string_view::npos) return "";
  head = head.substr(0, end);
  size_t at = head.find("encoding");
  if (at == std::string_view::npos) return "";
  size_t q = head.find_first_of("\"'", at);
  if (q == std::string_view::npos) return "";
  size_t close = head.find(head[q], q + 1);
  if (close == std::string_view::npos) return "";
  return AsciiLower(head.substr(q + 1, close - q - 1));
}

// The charset libxml2 is told to read, "" to let it follow the document: a GB label is
// read as GB18030 (its superset), and a document that declares nothing (and has no byte
// order mark) is read in the HTTP charset.
std::string ReadEncoding(std::string_view body, std::string_view content_type) {
  std::string label = DeclaredEncoding(body);
  const bool declared = !label.empty();
  if (!declared) {
    if (body.starts_with("\xEF\xBB\xBF") || body.starts_with("\xFF\xFE") || body.starts_with("\xFE\xFF")) return "";
    label = DetectCharset("", content_type);
    if (label == "utf-8" || label == "utf8") return "";
  }
  if (label == "gb2312" || label == "gbk" || label == "x-gbk" || label == "cp936" || label == "euc-cn") return "GB18030";
  return declared ? "" : label;
}

std::string_view LocalName(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

bool IsElement(const xmlNode* n, std::string_view name) {
  return n->type == XML_ELEMENT_NODE && LocalName(n) == name;
}

const xmlNode* Child(const xmlNode* parent, std::string_view name) {
  for (const xmlNode* c = parent->children; c; c = c->next)
    if (IsElement(c, name)) return c;
  return nullptr;
}

std::string Attr(const xmlNode* n, const char* name) {
  XmlString v(xmlGetProp(n, reinterpret_cast<const xmlChar*>(name)));
  return v ? std::string(reinterpret_cast<const char*>(v.get())) : std::string();
}

// The character content of an element and its descendants (entities were decoded by the
// parser, CDATA merged into text).
std::string Content(const xmlNode* n) {
  XmlString v(xmlNodeGetContent(n));
  return v ? std::string(reinterpret_cast<const char*>(v.get())) : std::string();
}

std::string Trim(std::string_view s) {
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string_view::npos) return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(a, b - a + 1));
}

// Whether text still holds markup after a pass through Gumbo: a tag or an entity, as
// when a feed escaped its HTML twice.
bool HoldsMarkup(std::string_view s) {
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] == '<' && (std::isalpha(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '/')) {
      if (s.find('>', i) != std::string_view::npos) return true;
    }
    if (s[i] == '&') {
      size_t semi = s.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10 && semi > i + 1) return true;
    }
  }
  return false;
}

// HTML (escaped once or twice, or CDATA) to visible text.
std::string HtmlContentText(std::string_view html) {
  if (!HoldsMarkup(html)) return Trim(html);
  std::string text = HtmlToText(html);
  if (HoldsMarkup(text)) text = HtmlToText(text);  // escaped twice
  return Trim(text);
}

// The text of an entry's content element: Atom's type="text" is plain, everything else
// (RSS descriptions, type="html", type="xhtml") is HTML.
std::string ContentText(const xmlNode* n) {
  std::string type = AsciiLower(Attr(n, "type"));
  if (type == "text") return Trim(Content(n));
  return HtmlContentText(Content(n));
}

std::string EntryLink(const xmlNode* entry, std::string_view feed_url) {
  std::string href;
  for (const xmlNode* c = entry->children; c; c = c->next) {
    if (!IsElement(c, "link")) continue;
    std::string attr = Attr(c, "href");
    if (!attr.empty()) {  // Atom: the alternate link, else the first
      std::string rel = Attr(c, "rel");
      if (rel.empty() || rel == "alternate") {
        href = attr;
        break;
      }
      if (href.empty()) href = attr;
    } else if (href.empty()) {  // RSS
      href = Trim(Content(c));
    }
  }
  if (href.empty()) {  // RSS 2.0: a permalink guid is the link
    if (const xmlNode* guid = Child(entry, "guid"); guid && Attr(guid, "isPermaLink") != "false")
      href = Trim(Content(guid));
  }
  if (href.empty()) return "";
  std::string base(feed_url);
  XmlString xml_base(xmlNodeGetBase(entry->doc, entry));
  if (xml_base) {
    if (auto b = ResolveUrl(feed_url, reinterpret_cast<const char*>(xml_base.get()))) base = *b;
  }
  auto url = ResolveUrl(base, href);
  if (!url) return "";
  std::string scheme = UrlScheme(*url);
  if (scheme != "http" && scheme != "https") return "";
  return *url;
}

// A key for an entry with no guid, id or link: a digest of its text.
std::string TextDigest(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), md, &n, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < n; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

FeedEntry ReadEntry(const xmlNode* entry, std::string_view feed_url) {
  FeedEntry e;
  e.link = EntryLink(entry, feed_url);
  std::string text;
  if (const xmlNode* title = Child(entry, "title")) text = ContentText(title);
  // description (RSS), content:encoded (RSS), summary and content (Atom), in document order.
  for (const xmlNode* c = entry->children; c; c = c->next) {
    if (IsElement(c, "description") || IsElement(c, "encoded") || IsElement(c, "summary") ||
        IsElement(c, "content")) {
      std::string part = ContentText(c);
      if (part.empty()) continue;
      if (!text.empty()) text += '\n';
      text += part;
    }
  }
  e.text = std::move(text);
  if (const xmlNode* guid = Child(entry, "guid")) e.key = Trim(Content(guid));
  if (e.key.empty()) {
    if (const xmlNode* id = Child(entry, "id")) e.key = Trim(Content(id));
  }
  if (e.key.empty()) e.key = Attr(entry, "about");  // rdf:about
  if (e.key.empty()) e.key = e.link;
  if (e.key.empty()) e.key = TextDigest(e.text);
  return e;
}

void InitLibxml() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

}  // namespace

Result<std::vector<FeedEntry>> ParseFeed(std::string_view body, std::string_view content_type,
                                         std::string_view feed_url, const FeedLimits& limits) {
  // Entity declarations have no place in a feed and are how XML attacks start: refused
  // before parsing (and checked again on the tree, for encodings this scan cannot see).
  if (body.find("<!ENTITY") != std::string_view::npos)
    return Fail(Error::Invalid("the feed declares XML entities (refused: entity expansion or external entities)"));
  if (body.size() > static_cast<size_t>(INT32_MAX)) return Fail(Error::Invalid("the feed is too large"));
  InitLibxml();
  std::unique_ptr<xmlParserCtxt, ParserCtxtDeleter> ctxt(xmlNewParserCtxt());
  if (!ctxt) return Fail(Error::Internal("libxml2: cannot allocate a parser"));
  std::string encoding = ReadEncoding(body, content_type);
  // No XML_PARSE_NOENT (entities stay unexpanded), no XML_PARSE_DTDLOAD/DTDATTR (no
  // external DTD), no XML_PARSE_HUGE (libxml2's depth and size limits stay on).
  const int options = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  std::unique_ptr<xmlDoc, DocDeleter> doc(xmlCtxtReadMemory(ctxt.get(), body.data(), static_cast<int>(body.size()),
                                                            nullptr, encoding.empty() ? nullptr : encoding.c_str(),
                                                            options));
  if (!doc) {
    const xmlError* err = xmlCtxtGetLastError(ctxt.get());
    std::string what = err && err->message ? Trim(err->message) : "not XML";
    int line = err ? err->line : 0;
    return Fail(Error::Invalid("malformed feed" + (line > 0 ? ": line " + std::to_string(line) : std::string()) +
                               ": " + what));
  }
  if (doc->intSubset && doc->intSubset->entities)
    return Fail(Error::Invalid("the feed declares XML entities (refused: entity expansion or external entities)"));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!root) return Fail(Error::Invalid("malformed feed: no root element"));
  std::string_view root_name = LocalName(root);
  if (root_name != "rss" && root_name != "RDF" && root_name != "feed")
    return Fail(Error::Invalid("not a feed: the root element is <" + std::string(root_name) +
                               ">, not <rss>, <rdf:RDF> or <feed>"));
  std::vector<FeedEntry> entries;
  // RSS 2.0: rss/channel/item; RSS 1.0: rdf:RDF/item; Atom: feed/entry (and the
  // RSS 0.9x habit of items directly under the root).
  std::vector<const xmlNode*> parents{root};
  if (const xmlNode* channel = Child(root, "channel")) parents.push_back(channel);
  for (const xmlNode* parent : parents) {
    for (const xmlNode* c = parent->children; c; c = c->next) {
      if (!IsElement(c, "item") && !IsElement(c, "entry")) continue;
      if (entries.size() >= limits.max_entries) break;
      entries.push_back(ReadEntry(c, feed_url));
    }
  }
  return entries;
}

}  // namespace lw
