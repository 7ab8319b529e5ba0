#include "watchlists/retro_hunt.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace lw {

Result<std::unique_ptr<HintSpill>> HintSpill::Create(const std::string& dir) {
  std::string path = (dir.empty() ? std::string("/tmp") : dir) + "/leakwatch-hints-XXXXXX";
  int fd = ::mkstemp(path.data());
  if (fd < 0) return Fail(Error::IO(path + ": " + std::strerror(errno)));
  ::unlink(path.c_str());
  FILE* f = ::fdopen(fd, "w+b");
  if (!f) {
    ::close(fd);
    return Fail(Error::IO(path + ": " + std::strerror(errno)));
  }
  std::setvbuf(f, nullptr, _IOFBF, 1 << 16);
  return std::unique_ptr<HintSpill>(new HintSpill(f));
}

HintSpill::~HintSpill() { std::fclose(f_); }

uint32_t HintSpill::Add(std::string_view hint) {
  if (hint.empty() || size_ + hint.size() + 1 > UINT32_MAX) return 0;
  const uint32_t number = static_cast<uint32_t>(size_);
  if (fwrite_unlocked(hint.data(), 1, hint.size(), f_) != hint.size() || fputc_unlocked('\n', f_) == EOF) return 0;
  size_ += hint.size() + 1;
  return number;
}

std::string HintSpill::Get(uint32_t number) {
  if (number == 0 || number >= size_ || std::fflush(f_) != 0) return {};
  char buf[512];
  ssize_t n = ::pread(::fileno(f_), buf, sizeof buf, number - 1);
  if (n <= 0) return {};
  std::string_view s(buf, static_cast<size_t>(n));
  return std::string(s.substr(0, s.find('\n')));
}

namespace {

// MatchKind (matcher/extractor.h) by value; a store sighting keeps that value.
constexpr uint8_t kExact = 0, kAlias = 1, kHashed = 4;
constexpr const char* kMatchNames[] = {"exact", "alias", "obfuscated", "encoded", "hashed"};
constexpr const char* kHashTags[] = {"", "", "md5", "sha1", "sha256"};  // by VariantType

// The match a scan would have given the sighting of a key reached through `via`
// (Scanner::Resolve): an alias key makes an exact spelling an alias; a hashed key, hashed.
uint8_t EffectiveMatch(uint8_t flags, uint8_t via) {
  uint8_t m = flags & kSightingMatchMask;
  if (m > kHashed) m = kHashed;
  if (via == static_cast<uint8_t>(VariantType::kAlias)) return m == kExact ? kAlias : m;
  if (via != 0) return kHashed;
  return m;
}

// What a document's sightings say of one identifier (Scanner::Merge): the strongest match
// (the lowest value), credential when any was.
struct Found {
  uint8_t match = 0xff;
  uint8_t via = 0;  // of that match
  bool credential = false;
  uint32_t hint = 0;
};

}  // namespace

Result<RetroHuntSummary> RecordRetroExposures(Store& store, std::span<const RetroMatch> matches,
                                              const std::function<std::string(uint32_t)>& hint_of) {
  RetroHuntSummary summary;
  std::map<std::pair<Digest, uint32_t>, Found> found;  // by (identifier, document)
  for (const RetroMatch& m : matches) {
    Found& f = found[{m.primary, m.document}];
    const uint8_t match = EffectiveMatch(m.flags, m.via);
    if (match < f.match) {
      f.match = match;
      f.via = m.via;
    }
    f.credential |= (m.flags & kSightingCredential) != 0;
    if (m.hint != 0) f.hint = m.hint;
  }
  std::unordered_map<uint32_t, std::optional<DocumentRecord>> documents;
  std::optional<Digest> members_of;
  std::vector<WatchEntry> members;
  std::set<Digest> identifiers;
  std::vector<Exposure> batch;
  constexpr size_t kBatch = 8192;  // as a scan's (Scanner::kRecordBatch)
  auto flush = [&]() -> Status {
    if (batch.empty()) return Ok();
    auto results = store.RecordExposures(batch);
    if (!results) return Fail(results.error());
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!(*results)[i].is_new) continue;
      ++summary.exposures;
      identifiers.insert(batch[i].identifier);
    }
    batch.clear();
    return Ok();
  };
  for (const auto& [key, f] : found) {
    const auto& [primary, number] = key;
    auto d = documents.find(number);
    if (d == documents.end()) {
      auto doc = store.GetDocument(number);
      if (!doc) return Fail(doc.error());
      d = documents.emplace(number, std::move(*doc)).first;
    }
    if (!d->second) continue;  // a sighting left behind by a document pruned meanwhile
    if (members_of != primary) {
      auto m = store.Memberships(primary);
      if (!m) return Fail(m.error());
      members = std::move(*m);
      members_of = primary;
    }
    if (members.empty()) continue;
    const DocumentRecord& doc = *d->second;
    Exposure& e = batch.emplace_back();
    e.identifier = primary;
    e.id = ExposureId(primary, doc.content_digest);
    e.kind = members[0].kind;
    for (const WatchEntry& w : members) {
      e.watchlists.push_back(w.watchlist);
      if (!w.label.empty()) e.labels.push_back(w.label);
    }
    e.source = doc.source;
    e.location = doc.location;
    e.content_digest = doc.content_digest;
    e.first_seen = doc.first_seen;
    e.last_seen = doc.last_seen;
    e.severity = f.credential ? "credential" : "exposure";
    e.match = kMatchNames[f.match];
    if (f.match == kHashed && f.via >= 2 && f.via <= 4) {
      e.hint = std::string(kHashTags[f.via]) + " of a watched email";
    } else {
      e.hint = f.hint != 0 ? hint_of(f.hint) : std::string();
      if (e.hint.empty()) e.hint = std::string("(prehashed ") + (e.kind == IdKind::kPhone ? "phone)" : "email)");
    }
    e.retro = true;
    if (batch.size() == kBatch)
      if (auto s = flush(); !s) return Fail(s.error());
  }
  if (auto s = flush(); !s) return Fail(s.error());
  summary.identifiers = identifiers.size();
  return summary;
}

}  // namespace lw
