// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the history exports share (HistoryExport*.cpp, not a public header): the records a filter selects, and
// how times are written.
#include "HistoryExport.h"
#include "ScanRecording.h"

#include <QDateTime>
#include <QString>

#include <vector>

namespace sunset {

// A time as the CSV and the PDF show it: UTC, ISO 8601, to the second; empty when not set.
QString exportUtcText(const QDateTime& t);

// Everything an export covers, selected once by the filter; CSV and JSON only differ in how they write it.
struct ExportSelection {
    std::vector<StoredScan> scans;                 // oldest first, with their JSON
    std::vector<std::vector<RecordedDrift>> drift; // per scan: the items naming the object (object filter only)
    std::vector<StoredDecision> decisions;
    std::vector<StoredBatch> batches;
    std::vector<std::vector<StoredChange>> changes; // per batch
    std::vector<StoredEvent> events;
    HistoryVerification head;
};

// The records the filter selects, oldest first (an error names an empty date range or a batch that is not there).
HistoryResult<ExportSelection> selectForExport(const HistoryStore& store, const HistoryExportFilter& filter);

} // namespace sunset
