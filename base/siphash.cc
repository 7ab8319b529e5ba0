#include "base/siphash.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace lw {
namespace {

uint64_t LoadLittle64(const uint8_t* p) {
  if constexpr (std::endian::native == std::endian::little) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  } else {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
    return v;
  }
}

struct State {
  uint64_t v0, v1, v2, v3;

  void Round() {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }
  void Absorb(uint64_t m) {
    v3 ^= m;
    Round();
    Round();
    v0 ^= m;
  }
};

State Init(const SipKey& key) {
  uint64_t k0 = LoadLittle64(key.data()), k1 = LoadLittle64(key.data() + 8);
  return {0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1, 0x6c7967656e657261ULL ^ k0,
          0x7465646279746573ULL ^ k1};
}

// Word k of the padded message s: whole words, then the tail with the length on top.
uint64_t WordAt(std::string_view s, size_t k) {
  auto* p = reinterpret_cast<const uint8_t*>(s.data());
  size_t whole = s.size() / 8;
  if (k < whole) return LoadLittle64(p + 8 * k);
  uint64_t last = static_cast<uint64_t>(s.size()) << 56;
  for (size_t i = 0; i < s.size() % 8; ++i) last |= uint64_t{p[8 * whole + i]} << (8 * i);
  return last;
}

uint64_t Finish(State& s) {
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace

namespace {

// Up to 8 bytes of p[0, n) as a little-endian word, reading only inside it.
uint64_t LoadPartial(const uint8_t* p, size_t n) {
  if (n >= 8) return LoadLittle64(p);
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

// The message tag || 0x00 || data, read word by word from where its bytes are: the
// prefix (tag and NUL, 1..8 bytes) as a word of its own, the data in place. Every load
// stays inside `data`.
class TaggedMessage {
 public:
  TaggedMessage(std::string_view tag, std::string_view data)
      : prefix_(LoadPartial(reinterpret_cast<const uint8_t*>(tag.data()), tag.size())),
        p_(tag.size() + 1),
        d_(reinterpret_cast<const uint8_t*>(data.data())),
        n_(data.size()),
        whole_((p_ + n_) / 8) {}

  static bool Fits(std::string_view tag) { return tag.size() + 1 <= 8; }
  size_t words() const { return whole_ + 1; }  // with the final (length) word

  uint64_t Word(size_t k) const {
    const size_t length = p_ + n_;
    if (k < whole_) {
      if (k > 0) return LoadLittle64(d_ + 8 * k - p_);  // message bytes [8k, 8k + 8)
      return p_ == 8 ? prefix_ : prefix_ | LoadPartial(d_, 8 - p_) << (8 * p_);
    }
    // The final word: the last length % 8 bytes, and the length on top.
    uint64_t last = static_cast<uint64_t>(length) << 56;
    const size_t tail = length % 8;
    if (whole_ == 0) return last | prefix_ | LoadPartial(d_, n_) << (8 * p_);  // all of it (< 8 bytes)
    if (tail == 0) return last;
    // Data bytes [n - tail, n): from the last 8 of the data when there are 8, else one by one.
    if (n_ >= 8) return last | LoadLittle64(d_ + n_ - 8) >> (8 * (8 - tail));
    return last | LoadPartial(d_ + n_ - tail, tail);
  }

 private:
  uint64_t prefix_;
  size_t p_;
  const uint8_t* d_;
  size_t n_;
  size_t whole_;
};

}  // namespace

uint64_t SipHash24Tagged(const SipKey& key, std::string_view tag, std::string_view data) {
  if (!TaggedMessage::Fits(tag)) return SipHash24(key, tag, std::string_view("\0", 1), data);
  TaggedMessage m(tag, data);
  State s = Init(key);
  for (size_t k = 0; k < m.words(); ++k) s.Absorb(m.Word(k));
  return Finish(s);
}

void SipHash24TaggedPair(const SipKey& key, const std::string_view tag[2], const std::string_view data[2],
                         uint64_t out[2]) {
  if (!TaggedMessage::Fits(tag[0]) || !TaggedMessage::Fits(tag[1])) {
    out[0] = SipHash24Tagged(key, tag[0], data[0]);
    out[1] = SipHash24Tagged(key, tag[1], data[1]);
    return;
  }
  TaggedMessage a(tag[0], data[0]), b(tag[1], data[1]);
  State s = Init(key), t = Init(key);
  const size_t common = std::min(a.words(), b.words());
  size_t k = 0;
  for (; k < common; ++k) {  // both chains in one loop body: the compiler interleaves them
    s.Absorb(a.Word(k));
    t.Absorb(b.Word(k));
  }
  for (size_t j = k; j < a.words(); ++j) s.Absorb(a.Word(j));
  for (size_t j = k; j < b.words(); ++j) t.Absorb(b.Word(j));
  s.v2 ^= 0xff;
  t.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) {
    s.Round();
    t.Round();
  }
  out[0] = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
  out[1] = t.v0 ^ t.v1 ^ t.v2 ^ t.v3;
}

uint64_t SipHash24(const SipKey& key, std::string_view a, std::string_view b, std::string_view c) {
  State s = Init(key);
  const size_t total = a.size() + b.size() + c.size();
  if (total <= 256) {  // the usual case: the parts laid out whole, then plain words
    char buf[256];
    size_t at = 0;
    for (std::string_view part : {a, b, c}) {
      if (part.empty()) continue;  // an empty view's data() may be null: no memcpy
      std::memcpy(buf + at, part.data(), part.size());
      at += part.size();
    }
    std::string_view m(buf, total);
    for (size_t k = 0; k <= total / 8; ++k) s.Absorb(WordAt(m, k));
    return Finish(s);
  }
  // Whole words straight from each part; a part's last partial word is completed from
  // the next part through `pending`.
  uint8_t pending[8];
  size_t npending = 0;
  for (std::string_view part : {a, b, c}) {
    auto* p = reinterpret_cast<const uint8_t*>(part.data());
    size_t n = part.size();
    if (npending > 0) {
      size_t take = std::min(n, 8 - npending);
      if (take > 0) std::memcpy(pending + npending, p, take);
      npending += take;
      p += take;
      n -= take;
      if (npending < 8) continue;
      s.Absorb(LoadLittle64(pending));
      npending = 0;
    }
    for (; n >= 8; p += 8, n -= 8) s.Absorb(LoadLittle64(p));
    if (n > 0) std::memcpy(pending, p, n);
    npending = n;
  }
  uint64_t last = static_cast<uint64_t>(total) << 56;
  for (size_t i = 0; i < npending; ++i) last |= uint64_t{pending[i]} << (8 * i);
  s.Absorb(last);
  return Finish(s);
}

}  // namespace lw
