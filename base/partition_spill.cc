#include "base/partition_spill.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace lw {

namespace fs = std::filesystem;

namespace {
constexpr char kPrefix[] = "leakwatch-spill-";
}  // namespace

Result<std::unique_ptr<PartitionSpill>> PartitionSpill::Create(const std::string& dir) {
  std::string tmpl = dir + "/" + kPrefix + "XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr)
    return Fail(Error::IO("creating a spill directory in " + dir + ": " + std::strerror(errno)));
  return std::unique_ptr<PartitionSpill>(new PartitionSpill(tmpl));
}

PartitionSpill::~PartitionSpill() {
  for (FILE* f : files_)
    if (f) std::fclose(f);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

Status PartitionSpill::Append(uint8_t first_byte, std::string_view bytes) {
  const int p = PartitionOf(first_byte);
  FILE*& f = files_[static_cast<size_t>(p)];
  if (f == nullptr) {
    const std::string path = dir_ + "/" + std::to_string(p);
    f = std::fopen(path.c_str(), "w+b");
    if (f == nullptr) return Fail(Error::IO(path + ": " + std::strerror(errno)));
    std::setvbuf(f, nullptr, _IOFBF, 1 << 16);
  }
  if (!bytes.empty() && fwrite_unlocked(bytes.data(), 1, bytes.size(), f) != bytes.size())
    return Fail(Error::IO("writing a spill file in " + dir_ + ": " + std::strerror(errno)));
  bytes_ += bytes.size();
  return Ok();
}

Result<std::string> PartitionSpill::Take(int p) {
  std::string out;
  FILE*& f = files_[static_cast<size_t>(p)];
  if (f == nullptr) return out;
  const std::string path = dir_ + "/" + std::to_string(p);
  long size = -1;
  if (std::fflush(f) == 0) size = std::ftell(f);
  if (size < 0) return Fail(Error::IO(path + ": " + std::strerror(errno)));
  out.resize(static_cast<size_t>(size));
  std::rewind(f);
  if (!out.empty() && std::fread(out.data(), 1, out.size(), f) != out.size())
    return Fail(Error::IO("reading the spill file " + path));
  std::fclose(f);
  f = nullptr;
  std::error_code ec;
  fs::remove(path, ec);
  return out;
}

void PartitionSpill::RemoveStale(const std::string& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kPrefix, 0) == 0) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

}  // namespace lw
