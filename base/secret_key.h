// The installation's secret key: 32 random bytes in DATA/secret.key, mode 0600, never
// inside the store. Whoever holds it can test guesses against the store, so a key file
// that group or others can read is refused.
#pragma once

#include <string>

#include "base/status.h"

namespace lw {

// Creates `path` with 32 bytes from the OS CSPRNG, mode 0600. Fails if it exists.
Status CreateSecretKey(const std::string& path);

// Reads a key file: 32 raw bytes, or 64 hex characters (optionally newline-terminated),
// so a key can also be handed around as text. Refuses group/other permissions.
Result<std::string> LoadSecretKey(const std::string& path);

}  // namespace lw
