// Errors as values. Every fallible function in leakwatch returns Status or Result<T>;
// exceptions from libraries (toml++, nlohmann-json, CLI11) are caught where those
// libraries are called and converted here. The CLI maps Error::Code to an exit code.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace lw {

struct Error {
  enum class Code {
    kInvalidArgument,  // bad input from the user: exit 2
    kConfig,           // bad configuration: exit 2
    kNotFound,         // a named thing does not exist
    kIO,               // the file system or network failed: exit 1
    kCorruption,       // stored data is not what we wrote: exit 1
    kBusy,             // another writer holds the store: exit 75
    kKeyMismatch,      // the secret key is not the store's key: exit 2
    kInternal,         // a bug
  };
  Code code = Code::kInternal;
  std::string message;

  static Error Invalid(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Error Config(std::string m) { return {Code::kConfig, std::move(m)}; }
  static Error NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Error IO(std::string m) { return {Code::kIO, std::move(m)}; }
  static Error Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Error Busy(std::string m) { return {Code::kBusy, std::move(m)}; }
  static Error KeyMismatch(std::string m) { return {Code::kKeyMismatch, std::move(m)}; }
  static Error Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
};

template <class T>
using Result = std::expected<T, Error>;

// Status is Result<void>: `if (auto s = F(); !s) return std::unexpected(s.error());`
using Status = std::expected<void, Error>;

inline std::unexpected<Error> Fail(Error e) { return std::unexpected(std::move(e)); }
inline Status Ok() { return {}; }

}  // namespace lw
