// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AuditLog.h"
#include "HistoryDatabase.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>
#include <vector>

namespace sunset {

struct ScanRecord {
    QString adSource;
    QString exoSource;
    QString graphSource;
    QDateTime started;
    QDateTime finished;
    qint64 adMailboxes = 0;
    qint64 cloudMailboxes = 0;
    qint64 matched = 0;
    qint64 driftItems = 0;
    QByteArray summaryJson; // the scan's summary, as DriftReportWriter writes it
    QByteArray driftJson;   // the drift found (may be empty), so two scans can be compared
    // The scan's mailboxes (ScanMailboxList text), stored zlib-compressed; nullopt for a scan recorded before
    // schema version 3 (or without them).
    std::optional<QByteArray> mailboxes;
};

// A recorded scan: the record plus when and by whom it was recorded. scans() leaves summaryJson, driftJson and
// mailboxes empty (they can be large); scan(id) fills them.
struct StoredScan {
    qint64 id = 0;
    ScanRecord record;
    QDateTime recordedAt;
    QString recordedBy; // OS user
};

// The scans table: one row per recorded scan, each with its "scan.recorded" audit event.
class ScanStore final {
public:
    ScanStore(HistoryDatabase& database, AuditLog& audit)
        : m_database(database)
        , m_audit(audit)
    {
    }

    // Records the scan, and drops the mailbox lists of all but the newest kScansKeepingMailboxes scans: a list
    // only serves the next scan's "mailboxes added and removed since" (the newest scan's list), and at 600,000
    // mailboxes each is megabytes, so keeping every one would grow the file without bound (issue 15). The rest
    // of an older scan (counts, summary, drift) stays; its mailboxes read back as unknown, like a scan recorded
    // before lists were kept.
    static constexpr int kScansKeepingMailboxes = 3;
    HistoryResult<qint64> record(const ScanRecord& scan);
    // Newest first, without summaryJson and driftJson.
    HistoryResult<std::vector<StoredScan>> scans() const;
    // One scan with its summary and drift JSON.
    HistoryResult<StoredScan> scan(qint64 scanId) const;
    // The newest scan (with its JSON); nullopt when none was recorded.
    HistoryResult<std::optional<StoredScan>> latest() const;

private:
    HistoryDatabase& m_database;
    AuditLog& m_audit;
};

} // namespace sunset
