#include "watchlists/enroll.h"

#include <openssl/md5.h>
#include <openssl/sha.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <future>
#include <optional>
#include <thread>

#include "base/providers.h"
#include "watchlists/input_parser.h"
#include "watchlists/retro_hunt.h"
#include "watchlists/line_reader.h"

namespace lw {
namespace {

struct Outcome {
  bool ok = false;
  HashedIdentifier hashed;
  std::string reason;
  std::string hint;  // for the retro-hunt's exposures; empty for a prehashed line
};

// The low-level digest calls: OpenSSL 3's one-shot MD5()/SHA1()/SHA256() fetch the
// algorithm under a lock on every call, which serializes the hashing threads.
template <class Ctx, int (*Init)(Ctx*), int (*Update)(Ctx*, const void*, size_t),
          int (*Final)(unsigned char*, Ctx*)>
struct HexDigestOf {
  // Lower-case hex of the first n bytes of the digest of s, in a buffer of its own (no
  // allocation: enrollment makes three per email, by the million).
  HexDigestOf(std::string_view s, size_t n) : size(2 * n) {
    Ctx ctx;
    Init(&ctx);
    Update(&ctx, s.data(), s.size());
    uint8_t out[64];
    Final(out, &ctx);
    static const char kDigits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; ++i) {
      hex[2 * i] = kDigits[out[i] >> 4];
      hex[2 * i + 1] = kDigits[out[i] & 15];
    }
  }
  std::string_view view() const { return {hex, size}; }
  char hex[128];
  size_t size;
};

// `keying`: the store's; a store keyed by probes needs them on every prehashed line.
Outcome Process(const KeyedHasher& hasher, const Normalizer& normalizer, const EnrollOptions& options,
                IndexKeying keying, const ParsedLine& p) {
  Outcome o;
  if (!p.reason.empty()) {
    o.reason = p.reason;
    return o;
  }
  if (options.prehashed) {
    auto h = ParseHashLine(p.identifier, options.kind);
    if (!h) {
      o.reason = h.error().message;
      return o;
    }
    if (keying == IndexKeying::kProbe && !h->HasProbes()) {
      o.reason = "hash line without probe fingerprints (from an older 'leakwatch hash'): hash the identifier again";
      return o;
    }
    o.hashed = std::move(*h);
    o.ok = true;
    return o;
  }
  auto id = normalizer.Normalize(p.identifier, options.kind);
  if (!id) {
    o.reason = id.error().message;
    return o;
  }
  o.hashed = HashIdentifier(hasher, *id, p.identifier);
  if (options.retro_hunt) o.hint = Hint(*id);
  o.ok = true;
  return o;
}

}  // namespace

bool HashedIdentifier::HasProbes() const {
  return probe != 0 && std::all_of(variants.begin(), variants.end(), [](const VariantRecord& v) { return v.probe != 0; });
}

HashedIdentifier HashIdentifier(const KeyedHasher& hasher, const Identifier& id, std::string_view as_written) {
  HashedIdentifier h;
  h.kind = id.kind;
  if (id.kind != IdKind::kEmail) {
    h.digest = hasher.Hash(HashTag(id.kind), id.value);
    h.probe = hasher.Probe(HashTag(id.kind), id.value);
    return h;
  }
  // The address, its account key when that is another spelling, and the hex digests of
  // every spelling a leak may hash: one HashMany and one ProbeMany over all of them
  // (two SHA-256 chains at a time with SHA-NI).
  using Md5Hex = HexDigestOf<MD5_CTX, MD5_Init, MD5_Update, MD5_Final>;
  using Sha1Hex = HexDigestOf<SHA_CTX, SHA1_Init, SHA1_Update, SHA1_Final>;
  using Sha256Hex = HexDigestOf<SHA256_CTX, SHA256_Init, SHA256_Update, SHA256_Final>;
  const std::vector<std::string> spellings = HashedSpellings(id.value, as_written);
  // Scratch reused from call to call (enrollment hashes millions of addresses per thread).
  thread_local struct {
    std::vector<Md5Hex> md5;
    std::vector<Sha1Hex> sha1;
    std::vector<Sha256Hex> sha256;
    std::vector<HashInput> inputs;
    std::vector<VariantType> types;
    std::vector<Digest> digests;
    std::vector<uint64_t> probes;
    char key[kAccountKeyRoom];
  } scratch;
  auto& [md5, sha1, sha256, inputs, types, digests, probes, key] = scratch;
  md5.clear();
  sha1.clear();
  sha256.clear();
  inputs.clear();
  types.clear();
  md5.reserve(spellings.size());  // the views into them must not move
  sha1.reserve(spellings.size());
  sha256.reserve(spellings.size());
  inputs.push_back({HashTag(id.kind), id.value});
  if (size_t key_size = AccountKeyInto(id.value, key); key_size != 0) {
    inputs.push_back({"email", std::string_view(key, key_size)});
    types.push_back(VariantType::kAlias);
  }
  for (const std::string& s : spellings) {
    inputs.push_back({"md5", md5.emplace_back(s, 16).view()});
    inputs.push_back({"sha1", sha1.emplace_back(s, 20).view()});
    inputs.push_back({"sha256", sha256.emplace_back(s, 32).view()});
    types.insert(types.end(), {VariantType::kMd5, VariantType::kSha1, VariantType::kSha256});
  }
  digests.resize(inputs.size());
  probes.resize(inputs.size());
  hasher.HashMany(inputs, digests);
  hasher.ProbeMany(inputs, probes);
  h.digest = digests[0];
  h.probe = probes[0];
  h.variants.reserve(types.size());
  for (size_t i = 0; i < types.size(); ++i) h.variants.push_back({digests[i + 1], h.digest, types[i], probes[i + 1]});
  return h;
}

namespace {
constexpr std::string_view kVariantNames[] = {"", "alias", "md5", "sha1", "sha256"};

std::string ProbeHex(uint64_t probe) {
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(probe >> (56 - 8 * i));
  return ToHex(b, 8);
}

// 16 hex digits, nonzero.
std::optional<uint64_t> ParseProbe(std::string_view hex) {
  if (hex.size() != 16) return std::nullopt;
  auto bytes = FromHex(hex);
  if (!bytes) return std::nullopt;
  uint64_t v = 0;
  for (char c : *bytes) v = v << 8 | static_cast<uint8_t>(c);
  if (v == 0) return std::nullopt;
  return v;
}
}  // namespace

std::string FormatHashLine(const HashedIdentifier& h) {
  std::string out = ToHex(h.digest);
  out += ' ';
  out += KindName(h.kind);
  if (h.probe != 0) {
    out += " probe:";
    out += ProbeHex(h.probe);
  }
  for (const VariantRecord& v : h.variants) {
    out += ' ';
    out += kVariantNames[static_cast<int>(v.type)];
    out += ':';
    out += ToHex(v.variant);
    if (v.probe != 0) {
      out += ':';
      out += ProbeHex(v.probe);
    }
  }
  return out;
}

Result<HashedIdentifier> ParseHashLine(std::string_view line, InputKind kind) {
  HashedIdentifier h;
  std::vector<std::string_view> fields;
  for (size_t i = 0; i < line.size();) {
    size_t j = line.find(' ', i);
    if (j == std::string_view::npos) j = line.size();
    if (j > i) fields.push_back(line.substr(i, j - i));
    i = j + 1;
  }
  if (fields.empty()) return Fail(Error::Invalid("empty"));
  auto digest = DigestFromHex(fields[0]);
  if (!digest) return Fail(Error::Invalid("not a keyed hash from 'leakwatch hash' (64 hex characters)"));
  h.digest = *digest;
  h.kind = kind == InputKind::kPhone ? IdKind::kPhone : IdKind::kEmail;
  if (fields.size() >= 2) {
    if (fields[1] == "email") h.kind = IdKind::kEmail;
    else if (fields[1] == "phone") h.kind = IdKind::kPhone;
    else return Fail(Error::Invalid("unknown kind in hash line"));
    if ((kind == InputKind::kEmail && h.kind != IdKind::kEmail) || (kind == InputKind::kPhone && h.kind != IdKind::kPhone))
      return Fail(Error::Invalid("hash line is of another kind than --kind"));
  }
  size_t i = 2;
  if (i < fields.size() && fields[i].starts_with("probe:")) {
    auto probe = ParseProbe(fields[i].substr(6));
    if (!probe) return Fail(Error::Invalid("bad probe in hash line (16 hex digits)"));
    h.probe = *probe;
    ++i;
  }
  for (; i < fields.size(); ++i) {
    // TYPE:HEX, and :PROBE since probes exist.
    std::string_view f = fields[i];
    size_t colon = f.find(':');
    int type = 0;
    for (int t = 1; t <= 4; ++t)
      if (colon != std::string_view::npos && f.substr(0, colon) == kVariantNames[t]) type = t;
    std::string_view hex = type ? f.substr(colon + 1) : std::string_view();
    std::string_view probe_hex;
    if (size_t c2 = hex.find(':'); c2 != std::string_view::npos) {
      probe_hex = hex.substr(c2 + 1);
      hex = hex.substr(0, c2);
    }
    auto v = type ? DigestFromHex(hex) : Result<Digest>(Fail(Error::Invalid("")));
    if (!v) return Fail(Error::Invalid("bad variant in hash line"));
    uint64_t probe = 0;
    if (!probe_hex.empty() || f.back() == ':') {
      auto p = ParseProbe(probe_hex);
      if (!p) return Fail(Error::Invalid("bad probe in hash line (16 hex digits)"));
      probe = *p;
    }
    h.variants.push_back({*v, h.digest, static_cast<VariantType>(type), probe});
  }
  return h;
}

std::string RedactForMessage(std::string_view raw) {
  auto printable = [](char c) { return c >= 0x21 && c < 0x7f; };
  if (raw.empty()) return "(empty)";
  std::string out;
  out += printable(raw.front()) ? raw.front() : '?';
  out += std::string(std::min<size_t>(raw.size() > 2 ? raw.size() - 2 : 1, 12), '*');
  if (raw.size() > 1) out += printable(raw.back()) ? raw.back() : '?';
  return out;
}

Result<EnrollSummary> Enroll(Store& store, const KeyedHasher& hasher, const Normalizer& normalizer,
                             const EnrollOptions& options, const std::vector<std::string>& inputs,
                             const RejectFn& on_reject) {
  EnrollSummary summary;
  auto started = store.StartBulkEnroll({options.watchlist, options.temp_dir, options.retro_hunt});
  if (!started) return Fail(started.error());
  BulkEnroller& bulk = **started;
  const IndexKeying keying = store.index_keying();
  std::unique_ptr<HintSpill> hints;
  if (options.retro_hunt) {
    auto h = HintSpill::Create(options.temp_dir);
    if (!h) return Fail(h.error());
    hints = std::move(*h);
  }
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());

  // A pipeline: this thread reads and parses batches of lines; workers normalize and
  // hash them; batches are committed (rejections reported, records spilled) in input
  // order, so messages and "first label wins" do not depend on timing.
  constexpr size_t kBatch = 1 << 15;
  struct Batch {
    std::string input;
    std::vector<ParsedLine> lines;
    std::vector<Outcome> outcomes;
  };
  std::deque<std::future<std::unique_ptr<Batch>>> in_flight;
  auto launch = [&](std::unique_ptr<Batch> batch) {
    in_flight.push_back(std::async(std::launch::async, [&, b = std::move(batch)]() mutable {
      b->outcomes.reserve(b->lines.size());
      for (const ParsedLine& p : b->lines) b->outcomes.push_back(Process(hasher, normalizer, options, keying, p));
      return std::move(b);
    }));
  };
  auto commit_oldest = [&]() -> Status {
    std::unique_ptr<Batch> b = in_flight.front().get();
    in_flight.pop_front();
    for (size_t i = 0; i < b->lines.size(); ++i) {
      Outcome& o = b->outcomes[i];
      if (!o.ok) {
        ++summary.rejected;
        on_reject(b->input, b->lines[i].line, o.reason + " (" + RedactForMessage(b->lines[i].identifier) + ")");
        continue;
      }
      EnrollRecord r{o.hashed.digest, o.hashed.kind, bulk.InternLabel(b->lines[i].label),
                     static_cast<uint32_t>(b->lines[i].line), o.hashed.probe};
      r.hint = hints ? hints->Add(o.hint) : 0;
      if (auto s = bulk.Add(r); !s) return s;
      for (const VariantRecord& v : o.hashed.variants)
        if (auto s = bulk.AddVariant(v, r.hint); !s) return s;
    }
    return Ok();
  };
  auto submit = [&](std::unique_ptr<Batch> batch) -> Status {
    if (batch->lines.empty()) return Ok();
    launch(std::move(batch));
    while (in_flight.size() > threads)
      if (auto s = commit_oldest(); !s) return s;
    return Ok();
  };

  Status status;
  for (const std::string& path : inputs) {
    auto reader = LineReader::Open(path);
    if (!reader) {
      status = Fail(reader.error());
      break;
    }
    InputParser parser(options.prehashed);
    std::string_view line;
    auto batch = std::make_unique<Batch>();
    batch->input = (*reader)->name();
    ParsedLine p;
    while (status && (*reader)->Next(&line)) {
      if (!parser.Parse(line, (*reader)->line_number(), &p)) continue;
      batch->lines.push_back(std::move(p));
      if (batch->lines.size() >= kBatch) {
        status = submit(std::move(batch));
        batch = std::make_unique<Batch>();
        batch->input = (*reader)->name();
      }
    }
    if (status && !(*reader)->error().empty()) status = Fail(Error::IO((*reader)->error()));
    if (status) status = submit(std::move(batch));
    if (!status) break;
  }
  // Always drain: workers hold references to this frame.
  while (!in_flight.empty()) {
    Status s = commit_oldest();
    if (status && !s) status = s;
  }
  if (!status) return Fail(status.error());
  auto result = bulk.Finish();
  if (!result) return Fail(result.error());
  summary.added = result->added;
  summary.already_present = result->already_present;
  if (options.retro_hunt) {
    auto retro = RecordRetroExposures(store, result->retro, [&](uint32_t i) { return hints->Get(i); });
    if (!retro) return Fail(retro.error());
    summary.retro_exposures = retro->exposures;
    summary.retro_identifiers = retro->identifiers;
  }
  return summary;
}

}  // namespace lw
