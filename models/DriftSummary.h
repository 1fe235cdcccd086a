// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftEngine.h"

#include <array>

namespace sunset {

// What a scan's sources were, for reports and history.
struct ReportSources {
    QString ad;
    QString exo;
    QString graph; // empty when no Graph users export was given
};

// The counts an admin reads first. Derived from a DriftReport; cheap to recompute.
struct DriftSummary {
    qint64 adMailboxes = 0;
    qint64 adEntriesSkipped = 0;
    QString adSkippedReason;
    qint64 cloudMailboxes = 0;
    qint64 matched = 0;
    std::array<qint64, int(MatchKey::Count)> matchedBy{};
    qint64 adOnly = 0;
    qint64 cloudOnly = 0;
    qint64 ambiguousGroups = 0;
    qint64 mailboxesWithDrift = 0;
    std::array<qint64, 3> mailboxesByWorstSeverity{}; // indexed by Severity
    qint64 driftItems = 0;
    std::array<qint64, 3> itemsBySeverity{};
    std::array<qint64, kAttributeCount> itemsByAttribute{};
    std::array<qint64, int(DriftCause::Count)> itemsByCause{};

    qint64 softMatched() const;
};

DriftSummary summarize(const DriftReport& report, const Snapshot& ad, const Snapshot& cloud);

// The summary as the CLI prints it.
QString formatSummaryText(const DriftSummary& summary, const ReportSources& sources);

} // namespace sunset
