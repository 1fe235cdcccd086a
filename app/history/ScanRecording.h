#pragma once

#include "DriftReportWriter.h"
#include "HistoryStore.h"
#include "WritebackBatch.h"

#include <QDateTime>

#include <vector>

namespace sunset {

// What the history keeps of a scan, and how a plan is rebuilt from it without the source files. Free of any CLI
// or GUI concern: sunset-cli diff and the desktop app both record their scans through scanRecord().

// The drift of a scan as the history stores it (ScanRecord::driftJson): format "sunset.scan-drift", version 1.
//   {"format": "sunset.scan-drift", "version": 1, "items": [
//      {"dn": "...", "upn": "...", "label": "...", "cloudManaged": "true|false|",
//       "attribute": "<ldapName>", "severity": "critical|warning|normal", "cause": "<driftCauseKey>",
//       "ad": [...], "cloud": [...], "onlyInAd": [...], "onlyInCloud": [...],
//       "writable": true|false, "adTarget": [...] /* only when writable */ }, ...]}
// Every drift item of every matched pair is kept (not only the writable ones), so two scans can be compared.
inline constexpr QLatin1StringView kScanDriftFormat{"sunset.scan-drift"};
inline constexpr int kScanDriftVersion = 1;

// The record of a finished scan: sources, times, counts, the summary (JSON object) and the drift JSON above.
ScanRecord scanRecord(const DriftReportInput& input, const QDateTime& started, const QDateTime& finished);

// One drift item of a recorded scan, with the facts about its mailbox that planning and decisions need.
struct RecordedDrift {
    QString upn; // the cloud mailbox's UPN (may be empty when the cloud export had none)
    WritebackSelection selection; // dn, label, cloudManaged and the drift item (AD, cloud and target values)
};

// Parses ScanRecord::driftJson (as scanRecord writes it). A clear error for anything else.
HistoryResult<std::vector<RecordedDrift>> recordedDrift(const QByteArray& driftJson);

// Whether `mailbox` names this item's mailbox: its UPN, label or DN, case-insensitively.
bool namesMailbox(const RecordedDrift& drift, QStringView mailbox);

} // namespace sunset
