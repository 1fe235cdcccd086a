// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftReportWriter.h"
#include "HistoryStore.h"
#include "WritebackBatch.h"

#include <QDateTime>
#include <QJsonObject>

#include <vector>

namespace sunset {

// What the history keeps of a scan, and how a plan is rebuilt from it without the source files. Free of any CLI
// or GUI concern: sunset-cli diff and the desktop app both record their scans through scanRecord().

// The drift of a scan as the history stores it (ScanRecord::driftJson): format "sunset.scan-drift", version 2.
//   {"format": "sunset.scan-drift", "version": 2, "items": [
//      {"dn": "...", "upn": "...", "label": "...", "cloudManaged": "true|false|",
//       "mailbox": "<scanMailboxKey>",                                   /* version 2 */
//       "attribute": "<ldapName>", "severity": "critical|warning|normal", "cause": "<driftCauseKey>",
//       "because": "<the cause in words, as the GUI's cause column said it>", /* version 2 */
//       "evidence": {...the JSON report's evidence object...},            /* version 2 */
//       "ad": [...], "cloud": [...], "onlyInAd": [...], "onlyInCloud": [...],
//       "writable": true|false, "adTarget": [...] /* only when writable */ }, ...]}
// Every drift item of every matched pair is kept (not only the writable ones), so two scans can be compared, with
// the evidence of its cause at that time: a later reader of the history sees why it drifted then.
inline constexpr QLatin1StringView kScanDriftFormat{"sunset.scan-drift"};
inline constexpr int kScanDriftVersion = 2;

// The record of a finished scan: sources, times, counts, the summary (JSON object), the drift JSON above and the
// scan's mailboxes (ScanMailboxList; computed here unless given).
ScanRecord scanRecord(const DriftReportInput& input, const QDateTime& started, const QDateTime& finished,
                      const ScanMailboxList* mailboxes = nullptr);

// One drift item of a recorded scan, with the facts about its mailbox that planning and decisions need.
struct RecordedDrift {
    QString upn; // the cloud mailbox's UPN (may be empty when the cloud export had none)
    WritebackSelection selection; // dn, label, cloudManaged and the drift item (AD, cloud and target values)
    QByteArray mailboxKey;  // scanMailboxKey(); empty in a version 1 record
    QString because;        // the cause in words at the time of the scan; empty in a version 1 record
    QJsonObject evidence;   // the cause's evidence at the time of the scan; empty in a version 1 record
};

// The identity of the scan being made (its mailboxes and drift items), to compare with the previous one.
ScanIdentity scanIdentity(const DriftReportInput& input);

// What changed since the newest scan recorded in `store` (the previous scan of the profile: one history file per
// profile); call it before recording the current scan. A first scan, or a previous one recorded by an older
// Sunset, says so in the result's note.
HistoryResult<SinceScan> sinceLatestScan(const HistoryStore& store, const ScanIdentity& current);

// One item as the format above writes it (the history's drift and the JSON export share it).
QJsonObject recordedDriftJson(const RecordedDrift& drift);

// Parses ScanRecord::driftJson (as scanRecord writes it). A clear error for anything else.
HistoryResult<std::vector<RecordedDrift>> recordedDrift(const QByteArray& driftJson);

// Whether `mailbox` names this item's mailbox: its UPN, label or DN, case-insensitively.
bool namesMailbox(const RecordedDrift& drift, QStringView mailbox);

// Records a decision (approve, or ignore with a reason) on one drift item of a recorded scan, by the store's actor
// (OS user and bind identity). The mailbox is named by UPN, label or DN; the decision is stored with its DN.
// scanId 0: the newest scan. Returns the decision's id; an error names what was not found.
HistoryResult<qint64> recordDriftDecision(HistoryStore& store, qint64 scanId, QStringView mailbox,
                                          AttributeId attribute, DecisionKind decision, const QString& reason);

// Which writable drift of a recorded scan goes into a plan.
struct PlanFilter {
    std::vector<AttributeId> attributes; // empty: all
    QStringList mailboxes;               // UPN, label or DN; empty: all
};

struct ScanPlan {
    qint64 scanId = 0;
    std::vector<WritebackSelection> selections; // to WritebackBatch::build
    qint64 ignored = 0;                         // writable items left out: their latest decision is "ignore"
    QStringList unknownMailboxes;               // filter mailboxes with no writable drift in the scan
};

// The writable drift of a recorded scan (scanId 0: the newest), filtered, without the items whose latest
// decision (on any scan, for that DN and attribute) is "ignore": an ignore stands until a later "approve".
HistoryResult<ScanPlan> planFromScan(const HistoryStore& store, qint64 scanId, const PlanFilter& filter);

} // namespace sunset
