// PartitionSpill: records of a job too large for memory, spilled to disk in 64
// partitions by their key's first byte and read back one partition at a time. Partitions
// hold key ranges in order, so a caller that sorts each partition as it takes it sees all
// the records in key order while holding a 64th of them. The files live in a private
// directory under `dir` (the data directory: /tmp may be memory), removed with the
// object; a crash leaves it for RemoveStale. The files are unnamed from the moment they
// are opened: a partition's space comes back as soon as it is taken (gigabytes for a
// large job, which the next partitions' output can reuse), and a crash leaves none.
//
// Not thread-safe: one thread appends. Once it is done, different partitions may be taken
// by different threads at once.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace lw {

class PartitionSpill {
 public:
  static constexpr int kPartitions = 64;
  static int PartitionOf(uint8_t first_byte) { return first_byte >> 2; }

  // A spill in a new directory "leakwatch-spill-*" under `dir`.
  static Result<std::unique_ptr<PartitionSpill>> Create(const std::string& dir);
  ~PartitionSpill();
  PartitionSpill(const PartitionSpill&) = delete;
  PartitionSpill& operator=(const PartitionSpill&) = delete;

  // Appends `bytes` (one record or several) to the partition of `first_byte`.
  Status Append(uint8_t first_byte, std::string_view bytes);
  // The bytes of partition p in the order appended; its file is then closed.
  Result<std::string> Take(int p);
  // The same as fixed-size records, into *out, whose room is kept (a caller taking every
  // partition reuses one vector: fresh pages cost more than the reading).
  template <class T>
  Status TakeRecords(int p, std::vector<T>* out) {
    out->clear();
    if (files_[static_cast<size_t>(p)] == nullptr) return Ok();
    out->resize(partition_bytes_[static_cast<size_t>(p)] / sizeof(T));
    return ReadAndClose(p, out->data(), out->size() * sizeof(T));
  }
  uint64_t bytes() const { return bytes_; }
  uint64_t bytes(int p) const { return partition_bytes_[static_cast<size_t>(p)]; }  // appended to partition p

  // Removes the spill directories under `dir` that crashed processes left. Call it only
  // while holding the store's writer lock (writers are the only ones that spill).
  static void RemoveStale(const std::string& dir);

 private:
  explicit PartitionSpill(std::string dir) : dir_(std::move(dir)), files_(kPartitions, nullptr) {}
  // Reads the first `size` bytes of partition p (which has a file) into `out`, then closes it.
  Status ReadAndClose(int p, void* out, size_t size);
  std::string dir_;
  std::vector<FILE*> files_;
  uint64_t partition_bytes_[kPartitions] = {};
  uint64_t bytes_ = 0;
};

}  // namespace lw
