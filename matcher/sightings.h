// What a scan remembers of every candidate it extracts (store/sightings.h): the keyed
// fingerprint of its spelling (and of its account key, for another spelling of an account
// in the provider table), its match kind and whether a password sat beside it.
//
// Thread-safety: stateless functions; call them from any thread.
#pragma once

#include <span>
#include <vector>

#include "base/keyed_hash.h"
#include "matcher/extractor.h"
#include "store/sightings.h"

namespace lw {

// The sighting flags of a candidate (store/sightings.h). An account-key sighting stands for
// the account found in another spelling: an exact spelling counts as an alias, as the
// scanner's lookup of the account key makes it.
uint8_t SightingFlagsOf(MatchKind match, Severity severity, bool account_key);

// Appends the sightings of `candidates` to *out: one per candidate, its fingerprint from
// digests[i] (KeyedHasher::Hash(c.hash_tag, c.value), computed by the caller, who needs it
// for the index hits too), and one more for an email whose account key is another
// spelling (hashed here). REQUIRES: digests.size() == candidates.size().
void AppendSightings(const KeyedHasher& hasher, std::span<const Candidate> candidates, std::span<const Digest> digests,
                     std::vector<Sighting>* out);

// Sorts a document's sightings by fingerprint and merges those of one fingerprint: the
// strongest match kind (an account-key sighting's already counted as an alias), credential
// when any was, account key only when all were.
void SortAndMergeSightings(std::vector<Sighting>* sightings);
// The same for sightings that are already sorted and merged in runs (each chunk's, by the
// worker that found them), starting at `run_starts` (ascending, the first 0): runs are
// merged pairwise, in place, and then what they share.
void MergeSortedRuns(std::vector<Sighting>* sightings, std::vector<size_t> run_starts);

}  // namespace lw
