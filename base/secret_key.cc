#include "base/secret_key.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/keyed_hash.h"

namespace lw {

Status CreateSecretKey(const std::string& path) {
  unsigned char key[kSecretKeySize];
  if (RAND_bytes(key, sizeof key) != 1) return Fail(Error::Internal("RAND_bytes failed"));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(Error::IO(path + ": " + std::strerror(errno)));
  ssize_t n = ::write(fd, key, sizeof key);
  OPENSSL_cleanse(key, sizeof key);
  bool ok = n == static_cast<ssize_t>(sizeof key) && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return Fail(Error::IO(path + ": writing the key failed: " + std::strerror(saved)));
  }
  return Ok();
}

Result<std::string> LoadSecretKey(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return Fail(Error::NotFound(path + ": no secret key (run 'leakwatch init' first)"));
    return Fail(Error::IO(path + ": " + std::strerror(errno)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Fail(Error::IO(path + ": " + std::strerror(errno)));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Fail(Error::Config(path + ": key file is readable by group or others (mode " + mode +
                              "); run: chmod 600 " + path));
  }
  char buf[130];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n < 0) return Fail(Error::IO(path + ": " + std::strerror(errno)));
  std::string raw(buf, static_cast<size_t>(n));
  OPENSSL_cleanse(buf, sizeof buf);
  if (raw.size() == kSecretKeySize) return raw;
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.pop_back();
  if (raw.size() == 2 * kSecretKeySize) {
    auto bytes = FromHex(raw);
    OPENSSL_cleanse(raw.data(), raw.size());
    if (bytes) return *bytes;
  }
  return Fail(Error::Config(path + ": not a leakwatch key (expected 32 bytes or 64 hex characters)"));
}

}  // namespace lw
