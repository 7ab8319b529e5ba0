// Decoders for identifiers hidden inside a document: base64 segments, percent-encoding,
// HTML entities, UTF-16 text, fullwidth characters. The extractor finds segments with
// FindEncodedSegments, decodes them with DecodeSegment and scans the result again.
//
// All functions take arbitrary bytes and never fail loudly: malformed input decodes to
// nothing (false / 0) or is copied through. Output is appended after clearing *out.
// Thread-safety: no shared state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lw {

// Standard ('+', '/') or URL-safe ('-', '_') alphabet, '=' padding optional.
// False when `in` has another byte or a length that no encoding produces (4k+1).
bool DecodeBase64(std::string_view in, std::string* out);

// "%XX" (either case) becomes the byte 0xXX; every other byte, including '+' and a '%'
// not followed by two hex digits, is copied. Returns the number of escapes decoded.
size_t DecodePercent(std::string_view in, std::string* out);

// Numeric ("&#64;", "&#x40;") and a small table of named entities ("&commat;",
// "&amp;", "&period;", "&lt;", ...) become UTF-8; anything else is copied. Code points
// that are not Unicode scalar values become U+FFFD. Returns the number decoded.
size_t DecodeHtmlEntities(std::string_view in, std::string* out);

// UTF-16 to UTF-8 (unpaired surrogates become U+FFFD; an odd last byte is dropped).
// If `offsets` is not null it receives, for every output byte, the offset in `in` of
// the code unit it came from, plus one final entry equal to in.size().
// REQUIRES: in.size() < 4 GiB when offsets is not null.
void Utf16ToUtf8(std::string_view in, bool little_endian, std::string* out, std::vector<uint32_t>* offsets);

// True when `in` looks like UTF-16LE without a byte order mark: mostly ASCII code units
// (NUL high bytes at odd offsets). Used on decoded base64 (PowerShell, .NET strings).
bool LooksLikeUtf16Le(std::string_view in);

// True when at least 90% of the bytes are printable ASCII, whitespace, or part of a
// valid multi-byte UTF-8 sequence. Empty input is not printable.
bool LooksPrintable(std::string_view in);

// Fullwidth forms U+FF01..U+FF5E become their ASCII twins, U+3000 (ideographic space)
// a space and U+3002 (ideographic full stop) a '.'; every other byte is copied.
// `offsets` as for Utf16ToUtf8. Returns the number of characters folded.
size_t FoldFullwidth(std::string_view in, std::string* out, std::vector<uint32_t>* offsets);

enum class Encoding : uint8_t { kBase64, kPercent, kHtmlEntity };

struct EncodedSegment {
  Encoding encoding;
  size_t offset;  // in the scanned text
  size_t size;
};

// Finds the segments of `text` worth decoding and appends them to *out:
//  - base64: a run of >= 16 alphabet bytes (plus '=' padding) with both upper- and
//    lower-case letters (hex digests and plain words are not base64);
//  - percent: the whitespace/quote-delimited token around "%XX" escapes;
//  - HTML entities: the same around entities that decode to something other than
//    markup or spacing (&lt; &gt; &quot; &apos; &nbsp;).
// Tokens are clipped to 256 bytes either side of the escapes they contain. Segments of
// one encoding are ascending and disjoint; the three encodings are listed in turn.
void FindEncodedSegments(std::string_view text, std::vector<EncodedSegment>* out);

// FindEncodedSegments in parts, for a caller that already walks the runs of base64
// alphabet bytes (the extractor finds hex digests in the same pass):
//  - Base64SegmentOfRun: the base64 rule for one maximal run text[begin, end) of
//    scan::kBase64 bytes at least kMinBase64Run long (scan::ForEachMixedCaseRun gives
//    the runs it can accept);
//  - FindEscapedSegments: the percent and HTML-entity segments.
inline constexpr size_t kMinBase64Run = 14;  // 16 with two '=' of padding
void Base64SegmentOfRun(std::string_view text, size_t begin, size_t end, std::vector<EncodedSegment>* out);
void FindEscapedSegments(std::string_view text, std::vector<EncodedSegment>* out);

// Decodes one segment found by FindEncodedSegments. Base64 must decode to printable
// text (UTF-16LE is transcoded to UTF-8 first); false when it does not or when
// nothing was decoded.
bool DecodeSegment(std::string_view text, const EncodedSegment& segment, std::string* out);

}  // namespace lw
