#include "matcher/decoders.h"

#include <algorithm>
#include <array>

#include "matcher/scan_util.h"

namespace lw {
namespace {

using scan::HexValue;
using scan::Is;

constexpr size_t kMinBase64 = 16;  // counting '=' padding
constexpr size_t kSegmentReach = 256;  // bytes kept either side of an escape

constexpr std::array<int8_t, 256> kBase64Value = [] {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<int8_t>(i);
    t['a' + i] = static_cast<int8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<int8_t>(52 + i);
  t['+'] = t['-'] = 62;
  t['/'] = t['_'] = 63;
  return t;
}();

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the valid UTF-8 sequence at s[0..n), or 0.
size_t Utf8SequenceLength(const unsigned char* s, size_t n) {
  unsigned char c = s[0];
  size_t len;
  uint32_t min;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (n < len) return 0;
  uint32_t cp = c & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

struct NamedEntity {
  std::string_view name;
  uint32_t cp;
  bool interesting;  // can be part of an identifier or another encoding
};
constexpr NamedEntity kNamedEntities[] = {
    {"commat", '@', true}, {"amp", '&', true},    {"period", '.', true}, {"plus", '+', true},
    {"percnt", '%', true}, {"num", '#', true},    {"colon", ':', true},  {"semi", ';', true},
    {"lowbar", '_', true}, {"hyphen", '-', true}, {"dash", '-', true},   {"equals", '=', true},
    {"sol", '/', true},    {"verbar", '|', true}, {"lpar", '(', true},   {"rpar", ')', true},
    {"lsqb", '[', true},   {"rsqb", ']', true},   {"lt", '<', false},    {"gt", '>', false},
    {"quot", '"', false},  {"apos", '\'', false}, {"nbsp", 0xA0, false},
};

// Parses an entity at s[i] == '&'. On success sets *cp, *end (one past ';') and
// *interesting.
bool ParseEntity(std::string_view s, size_t i, uint32_t* cp, size_t* end, bool* interesting) {
  size_t n = s.size();
  size_t j = i + 1;
  if (j < n && s[j] == '#') {
    ++j;
    bool hex = j < n && (s[j] == 'x' || s[j] == 'X');
    if (hex) ++j;
    size_t start = j;
    uint32_t v = 0;
    while (j < n && j - start < 8) {
      int d = hex ? HexValue(s[j]) : (scan::IsDigit(s[j]) ? s[j] - '0' : -1);
      if (d < 0) break;
      v = v * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      ++j;
    }
    if (j == start || j >= n || s[j] != ';') return false;
    *cp = v;
    *end = j + 1;
    *interesting = v != 0xA0 && v != ' ' && v != '<' && v != '>' && v != '"' && v != '\'';
    return true;
  }
  size_t start = j;
  while (j < n && j - start < 8 && Is(scan::kAlpha, s[j])) ++j;
  if (j == start || j >= n || s[j] != ';') return false;
  std::string_view name = s.substr(start, j - start);
  for (const auto& e : kNamedEntities) {
    if (e.name.size() != name.size()) continue;
    bool eq = true;
    for (size_t k = 0; k < name.size() && eq; ++k) eq = scan::ToLower(name[k]) == e.name[k];
    if (!eq) continue;
    *cp = e.cp;
    *end = j + 1;
    *interesting = e.interesting;
    return true;
  }
  return false;
}

// Delimiters of a percent- or entity-encoded token: whitespace, quotes, markup.
bool IsTokenDelimiter(char c) {
  return Is(scan::kSpace, c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' || c == '\0';
}

// Grows a segment around escapes found by `is_escape_at(i) -> length of the escape at i
// (0 if none), escape worth decoding?`, starting from the first escape at `first`.
template <class F>
size_t TokenSegment(std::string_view text, size_t first, size_t first_len, std::vector<EncodedSegment>* out,
                    Encoding encoding, F&& escape_at) {
  size_t n = text.size();
  size_t begin = first;
  while (begin > 0 && first - begin < kSegmentReach && !IsTokenDelimiter(text[begin - 1])) --begin;
  size_t last_escape_end = first + first_len;
  size_t i = last_escape_end;
  while (i < n && !IsTokenDelimiter(text[i]) && i - last_escape_end < kSegmentReach) {
    size_t len = escape_at(i);
    if (len > 0) {
      i += len;
      last_escape_end = i;
    } else {
      ++i;
    }
  }
  out->push_back({encoding, begin, i - begin});
  return i;
}

void FindBase64(std::string_view text, std::vector<EncodedSegment>* out) {
  scan::ForEachMixedCaseRun<scan::kBase64, kMinBase64Run>(text.data(), text.size(), [&](size_t begin, size_t end) {
    Base64SegmentOfRun(text, begin, end, out);
  });
}

void FindPercent(std::string_view text, std::vector<EncodedSegment>* out) {
  const char* s = text.data();
  size_t n = text.size();
  auto escape_at = [&](size_t i) -> size_t {
    return (s[i] == '%' && i + 2 < n && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0)
               ? 3
               : 0;
  };
  size_t i = 0;
  while ((i = scan::Find(s, i, n, '%')) < n) {
    if (escape_at(i) == 0) {
      ++i;
      continue;
    }
    i = TokenSegment(text, i, 3, out, Encoding::kPercent, escape_at);
  }
}

void FindEntities(std::string_view text, std::vector<EncodedSegment>* out) {
  const char* s = text.data();
  size_t n = text.size();
  auto escape_at = [&](size_t i) -> size_t {
    uint32_t cp;
    size_t end;
    bool interesting;
    if (s[i] != '&' || !ParseEntity(text, i, &cp, &end, &interesting)) return 0;
    return end - i;
  };
  size_t i = 0;
  while ((i = scan::Find(s, i, n, '&')) < n) {
    uint32_t cp;
    size_t end;
    bool interesting = false;
    if (!ParseEntity(text, i, &cp, &end, &interesting) || !interesting) {
      ++i;
      continue;
    }
    i = TokenSegment(text, i, end - i, out, Encoding::kHtmlEntity, escape_at);
  }
}

}  // namespace

bool DecodeBase64(std::string_view in, std::string* out) {
  out->clear();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return false;
  // Four characters make three bytes, written into a buffer sized once: a push_back per
  // byte showed in the scan's profile.
  const size_t full = in.size() / 4, rest = in.size() % 4;
  out->resize(full * 3 + (rest == 0 ? 0 : rest - 1));
  auto* dst = reinterpret_cast<unsigned char*>(out->data());
  const auto* src = reinterpret_cast<const unsigned char*>(in.data());
  int bad = 0;  // negative when any character is outside the alphabet
  for (size_t q = 0; q < full; ++q, src += 4, dst += 3) {
    const int a = kBase64Value[src[0]], b = kBase64Value[src[1]], c = kBase64Value[src[2]], d = kBase64Value[src[3]];
    bad |= a | b | c | d;
    const uint32_t v = static_cast<uint32_t>(a) << 18 | static_cast<uint32_t>(b) << 12 |
                       static_cast<uint32_t>(c) << 6 | static_cast<uint32_t>(d);
    dst[0] = static_cast<unsigned char>(v >> 16);
    dst[1] = static_cast<unsigned char>(v >> 8);
    dst[2] = static_cast<unsigned char>(v);
  }
  if (rest >= 2) {  // 2 or 3 characters left: 1 or 2 bytes
    const int a = kBase64Value[src[0]], b = kBase64Value[src[1]], c = rest == 3 ? kBase64Value[src[2]] : 0;
    bad |= a | b | c;
    const uint32_t v = static_cast<uint32_t>(a) << 18 | static_cast<uint32_t>(b) << 12 | static_cast<uint32_t>(c) << 6;
    dst[0] = static_cast<unsigned char>(v >> 16);
    if (rest == 3) dst[1] = static_cast<unsigned char>(v >> 8);
  }
  if (bad < 0) {
    out->clear();
    return false;
  }
  return true;
}

size_t DecodePercent(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  size_t decoded = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out->push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        ++decoded;
        continue;
      }
    }
    out->push_back(in[i]);
  }
  return decoded;
}

size_t DecodeHtmlEntities(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  size_t decoded = 0;
  for (size_t i = 0; i < in.size();) {
    uint32_t cp;
    size_t end;
    bool interesting;
    if (in[i] == '&' && ParseEntity(in, i, &cp, &end, &interesting)) {
      AppendUtf8(cp, out);
      i = end;
      ++decoded;
    } else {
      out->push_back(in[i++]);
    }
  }
  return decoded;
}

void Utf16ToUtf8(std::string_view in, bool little_endian, std::string* out, std::vector<uint32_t>* offsets) {
  out->clear();
  if (offsets) offsets->clear();
  out->reserve(in.size() / 2 + 8);
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  size_t units = in.size() / 2;
  auto unit = [&](size_t k) -> uint32_t {
    return little_endian ? (s[2 * k] | (s[2 * k + 1] << 8)) : ((s[2 * k] << 8) | s[2 * k + 1]);
  };
  for (size_t k = 0; k < units;) {
    size_t start = k;
    uint32_t cp = unit(k++);
    if (cp >= 0xD800 && cp <= 0xDBFF && k < units) {
      uint32_t lo = unit(k);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        ++k;
      }
    }
    size_t before = out->size();
    AppendUtf8(cp, out);  // lone surrogates become U+FFFD
    if (offsets) offsets->insert(offsets->end(), out->size() - before, static_cast<uint32_t>(2 * start));
  }
  if (offsets) offsets->push_back(static_cast<uint32_t>(in.size()));
}

bool LooksLikeUtf16Le(std::string_view in) {
  size_t units = std::min<size_t>(in.size() / 2, 256);
  if (units < 4) return false;
  // At least 80 % of the units are ASCII: stop at the first unit past the other 20 %.
  const size_t allowed = units - (units * 8 + 9) / 10;
  size_t other = 0;
  for (size_t k = 0; k < units; ++k) {
    unsigned char lo = static_cast<unsigned char>(in[2 * k]);
    unsigned char hi = static_cast<unsigned char>(in[2 * k + 1]);
    if (!(hi == 0 && lo != 0 && lo < 0x80) && ++other > allowed) return false;
  }
  return true;
}

bool LooksPrintable(std::string_view in) {
  if (in.empty()) return false;
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size(), bad = 0;
  for (size_t i = 0; i < n;) {
    size_t stop = n;
#if defined(__SSE2__)
    // Sixteen printable ASCII bytes (or tab, LF, CR) at a time; a block with anything
    // else goes byte by byte (UTF-8 sequences may cross its end).
    if (i + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
      __m128i ok = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x1F)), _mm_cmplt_epi8(v, _mm_set1_epi8(0x7F)));
      ok = _mm_or_si128(ok, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
                                         _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
                                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')))));
      if (_mm_movemask_epi8(ok) == 0xFFFF) {
        i += 16;
        continue;
      }
      stop = i + 16;
    }
#endif
    while (i < stop) {
      unsigned char c = s[i];
      if ((c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r') {
        ++i;
      } else if (size_t len = c >= 0x80 ? Utf8SequenceLength(s + i, n - i) : 0; len > 0) {
        i += len;
      } else {
        if (++bad * 10 > n) return false;  // binary (most base64 blobs): known after a few bytes
        ++i;
      }
    }
  }
  return true;
}

size_t FoldFullwidth(std::string_view in, std::string* out, std::vector<uint32_t>* offsets) {
  out->clear();
  if (offsets) offsets->clear();
  out->reserve(in.size());
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size(), folded = 0;
  for (size_t i = 0; i < n;) {
    char ascii = 0;
    if (i + 2 < n) {
      // U+FF01..U+FF3F is EF BC 81..BF; U+FF40..U+FF5E is EF BD 80..9E.
      if (s[i] == 0xEF && s[i + 1] == 0xBC && s[i + 2] >= 0x81 && s[i + 2] <= 0xBF) {
        ascii = static_cast<char>(s[i + 2] - 0x81 + 0x21);
      } else if (s[i] == 0xEF && s[i + 1] == 0xBD && s[i + 2] >= 0x80 && s[i + 2] <= 0x9E) {
        ascii = static_cast<char>(s[i + 2] - 0x80 + 0x60);
      } else if (s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80) {
        ascii = ' ';
      } else if (s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x82) {
        ascii = '.';
      }
    }
    if (ascii != 0) {
      out->push_back(ascii);
      if (offsets) offsets->push_back(static_cast<uint32_t>(i));
      i += 3;
      ++folded;
    } else {
      out->push_back(static_cast<char>(s[i]));
      if (offsets) offsets->push_back(static_cast<uint32_t>(i));
      ++i;
    }
  }
  if (offsets) offsets->push_back(static_cast<uint32_t>(n));
  return folded;
}

void Base64SegmentOfRun(std::string_view text, size_t begin, size_t end, std::vector<EncodedSegment>* out) {
  if (!scan::HasUpperAndLower(text.data(), begin, end)) return;
  size_t pad = 0;
  while (end + pad < text.size() && pad < 2 && text[end + pad] == '=') ++pad;
  if (end - begin + pad < kMinBase64) return;
  out->push_back({Encoding::kBase64, begin, end - begin + pad});
}

void FindEncodedSegments(std::string_view text, std::vector<EncodedSegment>* out) {
  FindBase64(text, out);
  FindEscapedSegments(text, out);
}

void FindEscapedSegments(std::string_view text, std::vector<EncodedSegment>* out) {
  FindPercent(text, out);
  FindEntities(text, out);
}

bool DecodeSegment(std::string_view text, const EncodedSegment& segment, std::string* out) {
  out->clear();
  if (segment.offset > text.size() || segment.size > text.size() - segment.offset) return false;
  std::string_view in = text.substr(segment.offset, segment.size);
  switch (segment.encoding) {
    case Encoding::kBase64: {
      // A length that no encoder produces: drop the dangling character.
      std::string_view body = in;
      while (!body.empty() && body.back() == '=') body.remove_suffix(1);
      if (body.size() % 4 == 1) body.remove_suffix(1);
      // Check a prefix first: long binary blobs (images) are rejected cheaply.
      if (body.size() > 64) {
        if (!DecodeBase64(body.substr(0, 64), out)) return false;
        if (!LooksPrintable(*out) && !LooksLikeUtf16Le(*out)) return false;
      }
      if (!DecodeBase64(body, out)) return false;
      if (LooksLikeUtf16Le(*out)) {
        std::string utf8;
        Utf16ToUtf8(*out, /*little_endian=*/true, &utf8, nullptr);
        *out = std::move(utf8);
      }
      return LooksPrintable(*out);
    }
    case Encoding::kPercent:
      return DecodePercent(in, out) > 0;
    case Encoding::kHtmlEntity:
      return DecodeHtmlEntities(in, out) > 0;
  }
  return false;
}

}  // namespace lw
