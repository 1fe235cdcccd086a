// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftScan.h"
#include "TickedDriftItems.h"
#include "WritebackBatch.h"

#include <span>

namespace sunset {

// The writeback selections for the ticked items of a scan, with the facts the guard rails need (DN as read,
// label, CloudManaged), exactly as writebackSelections() makes them for a whole report. Items that are not
// (or no longer) drift of that pair are skipped.
std::vector<WritebackSelection> selectionsForTicked(const DriftScan& scan, std::span<const TickedDriftItem> ticked);

// The batch's objects as stored changes would list them, for WritebackBatch::fromObjects on the way back from
// the history (undo, resume), and the review's counts.
struct BatchCounts {
    qint64 objects = 0;
    qint64 attributes = 0;
    qint64 valuesDeleted = 0;
    qint64 valuesAdded = 0;
};
BatchCounts countsOf(const WritebackBatch& batch);

} // namespace sunset
