// Identifiers and their one normalization, shared by enrollment and the matcher.
//
//  - Emails: trimmed, NFKC, lower-cased, IDN domain in punycode (libidn2), then
//    validated (RFC 5321 sizes, dot-atom local part, LDH domain labels, a top-level
//    label in the Public Suffix List: base/public_suffix.h).
//    Which spellings are one account (icloud.com/me.com/mac.com, Gmail's dots, +tags)
//    is the provider table's business: base/providers.h.
//  - Phones: E.164 through libphonenumber, valid numbers only; a number without a
//    country code is read in the default region (CN unless configured).
//  - apple_id / auto: an email if it contains '@', a phone otherwise.
//
// Thread-safety: a Normalizer is immutable after construction and safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace lw {

enum class IdKind : uint8_t { kEmail = 1, kPhone = 2 };

// What the user says an input line is. kAppleId and kAuto both detect.
enum class InputKind { kAuto, kEmail, kPhone, kAppleId };

struct Identifier {
  IdKind kind = IdKind::kEmail;
  std::string value;  // normalized: "name@icloud.com", "+8613812345678"
};

std::string_view KindName(IdKind kind);        // "email" | "phone"
Result<InputKind> ParseInputKind(std::string_view name);

// The tag under which a kind is keyed-hashed (see KeyedHasher::Hash).
inline std::string_view HashTag(IdKind kind) { return KindName(kind); }

struct NormalizerOptions {
  // ISO 3166 region for phone numbers written without a country code.
  std::string default_region = "CN";
};

class Normalizer {
 public:
  explicit Normalizer(NormalizerOptions options = {});

  // Normalizes one identifier as typed or enrolled. Errors say why, without echoing
  // the identifier (callers print redacted forms only).
  Result<Identifier> Normalize(std::string_view raw, InputKind kind) const;
  Result<std::string> Email(std::string_view raw) const;
  Result<std::string> Phone(std::string_view raw) const;

  // For the matcher: the E.164 form a phone-looking candidate would have if it were
  // valid, without the (slow) validity check. Chinese mobiles in the CN region and
  // numbers written with an international prefix take a fast path; anything else goes
  // through libphonenumber's parser. Returns false when the text cannot be a number.
  bool PhoneForLookup(std::string_view raw, std::string* e164) const;

  const NormalizerOptions& options() const { return options_; }

 private:
  NormalizerOptions options_;
};

// Validates an already lower-case ASCII email ("fast path" of Email()): its syntax, and
// a top-level label in the Public Suffix List.
bool IsValidAsciiEmail(std::string_view email);
// The syntax alone (sizes, dot-atom local part, LDH labels, a top-level label with a letter).
bool IsValidAsciiEmailSyntax(std::string_view email);

// A hint that reveals too little to guess the identifier: first and last character of
// an email's local part and its domain ("l*********8@icloud.com"); a phone's country
// code and last two digits ("+86*********78"). REQUIRES: a normalized identifier.
std::string Hint(const Identifier& id);

}  // namespace lw
