// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftReportWriter.h"
#include "RollbackImpact.h"

namespace sunset {

// The rollback impact as a report (`sunset-cli rollback-impact`, the GUI's export): JSON (format
// "sunset.rollback-impact", documented in README.md), one CSV row per attribute overwritten (RFC 4180), or text.
struct RollbackReportInput {
    const RollbackImpact& impact;
    const ReportSources& sources;
    qint64 asOfMsecs = 0; // the scan's time; 0 unknown
};

void writeRollbackImpactJson(const RollbackReportInput& input, const ReportSink& sink);
void writeRollbackImpactCsv(const RollbackReportInput& input, const ReportSink& sink);
QString formatRollbackSummaryText(const RollbackSummary& summary); // the counts, a few lines
QString formatRollbackImpactText(const RollbackReportInput& input); // the counts, then each mailbox's changes

// A value as an admin reads it: AD's recipient type numbers get their names ("2147483648 (RemoteUserMailbox)").
QString rollbackValueText(AttributeId attribute, const QString& value);

inline constexpr int kRollbackImpactFormatVersion = 1;

} // namespace sunset
