// Retro-hunt: when identifiers are enrolled, the documents leakwatch read before that
// hold them become exposures, exactly as a scan would have recorded them had the
// identifiers been enrolled first: the same ids (identifier and document content), match
// kinds and severities, first_seen and last_seen from the document, each with its
// alert-outbox entry, marked "retro": true.
//
// The lookup itself happens inside bulk enrollment (BulkEnrollInput::retro_hunt), merged
// with the sorted keys it writes; this turns what it found into exposures.
#pragma once

#include <functional>
#include <span>
#include <string>

#include "base/status.h"
#include "store/store.h"

namespace lw {

struct RetroHuntSummary {
  uint64_t exposures = 0;    // new exposures recorded
  uint64_t identifiers = 0;  // distinct identifiers among them
};

// `hint_of`: the hint interned under RetroMatch::hint (BulkEnroller::Interned); "" when
// unknown (a --prehashed line), and a hint saying so is used.
// Writes in batches of bounded size; a crash in between and a re-run record each
// exposure once (ids are stable) and alert it at least once.
Result<RetroHuntSummary> RecordRetroExposures(Store& store, std::span<const RetroMatch> matches,
                                              const std::function<std::string(uint32_t)>& hint_of);

}  // namespace lw
