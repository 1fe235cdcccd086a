// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftSummary.h"
#include "ReportSink.h"
#include "ScanDifference.h"

namespace sunset {

// Everything a report needs to name the objects of a DriftReport.
struct DriftReportInput {
    const DriftReport& report;
    const Snapshot& ad;
    const Snapshot& cloud;
    const DriftSummary& summary;
    const ReportSources& sources;
    // The difference from the previous scan of the profile (the report's "sinceScan"); null: the history was not
    // used (--no-history), written as null.
    const SinceScan* sinceScan = nullptr;
};

// The JSON report of `sunset-cli diff` (format "sunset.drift-report", version 2; documented in docs/formats.md).
void writeDriftReportJson(const DriftReportInput& input, const ReportSink& sink);

// One CSV row per drift item; multi-valued cells joined with ";".
void writeDriftReportCsv(const DriftReportInput& input, const ReportSink& sink);

// The "evidence" object of one drift item, as the JSON report writes it (compact), for the history to keep.
QByteArray driftEvidenceJson(const DriftItem& item, const MailboxRecord& ad, const CloudSyncState& state);

inline constexpr int kDriftReportFormatVersion = 2; // 2: causes measured with evidence (issue 14)

} // namespace sunset
