#include "base/partition_spill.h"

#include <unistd.h>

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
    ::unlink(path.c_str());  // unnamed: see the header
    std::setvbuf(f, nullptr, _IOFBF, 1 << 16);
  }
  if (!bytes.empty() && fwrite_unlocked(bytes.data(), 1, bytes.size(), f) != bytes.size())  // one thread appends
    return Fail(Error::IO("writing a spill file in " + dir_ + ": " + std::strerror(errno)));
  partition_bytes_[p] += bytes.size();
  bytes_ += bytes.size();
  return Ok();
}

Result<std::string> PartitionSpill::Take(int p) {
  std::string out;
  if (files_[static_cast<size_t>(p)] == nullptr) return out;
  out.resize(partition_bytes_[p]);
  if (auto s = ReadAndClose(p, out.data(), out.size()); !s) return Fail(s.error());
  return out;
}

Status PartitionSpill::ReadAndClose(int p, void* out, size_t size) {
  FILE*& f = files_[static_cast<size_t>(p)];
  if (std::fflush(f) != 0) return Fail(Error::IO("writing a spill file in " + dir_ + ": " + std::strerror(errno)));
  std::rewind(f);
  if (size > 0 && std::fread(out, 1, size, f) != size) return Fail(Error::IO("reading a spill file in " + dir_));
  std::fclose(f);
  f = nullptr;
  return Ok();
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
