// Retro-hunt: when identifiers are enrolled, the documents leakwatch read before that
// hold them become exposures, exactly as a scan would have recorded them had the
// identifiers been enrolled first: the same ids (identifier and document content), match
// kinds and severities, first_seen and last_seen from the document, each with its
// alert-outbox entry, marked "retro": true.
//
// The lookup itself happens inside bulk enrollment (BulkEnrollInput::retro_hunt), merged
// with the sorted keys it writes; this turns what it found into exposures.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "base/status.h"
#include "store/store.h"

namespace lw {

// The hints of the identifiers being enrolled, appended to an unlinked temporary file in
// `dir` (hints are redacted, never identifiers): Add's number finds one again for the few
// identifiers the retro-hunt finds, without a table of millions in memory. One thread adds.
class HintSpill {
 public:
  static Result<std::unique_ptr<HintSpill>> Create(const std::string& dir);
  ~HintSpill();
  HintSpill(const HintSpill&) = delete;
  HintSpill& operator=(const HintSpill&) = delete;
  // 0 for an empty hint (and past 4 GiB of them); else a number for Get.
  uint32_t Add(std::string_view hint);
  std::string Get(uint32_t number);

 private:
  explicit HintSpill(FILE* f) : f_(f) {}
  FILE* f_;
  uint64_t size_ = 1;  // numbers are offsets + 1
};

struct RetroHuntSummary {
  uint64_t exposures = 0;    // new exposures recorded
  uint64_t identifiers = 0;  // distinct identifiers among them
};

// `hint_of`: the hint numbered RetroMatch::hint (HintSpill::Get); "" when
// unknown (a --prehashed line), and a hint saying so is used.
// Writes in batches of bounded size; a crash in between and a re-run record each
// exposure once (ids are stable) and alert it at least once.
Result<RetroHuntSummary> RecordRetroExposures(Store& store, std::span<const RetroMatch> matches,
                                              const std::function<std::string(uint32_t)>& hint_of);

}  // namespace lw
