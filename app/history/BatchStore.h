// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AuditLog.h"
#include "BatchStateRules.h"
#include "HistoryDatabase.h"
#include "WritebackBatch.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace sunset {

// BatchState (planned -> approved -> applying -> applied | partial; cancelled) is in WritebackBatch.h, its moves,
// ChangeState and StoredChange in BatchStateRules.h.

struct StoredBatch {
    qint64 id = 0;
    qint64 scanId = 0; // 0: none
    BatchState state = BatchState::Planned;
    QDateTime createdAt;
    QString createdBy;
    QDateTime approvedAt;
    QString approvedBy;
    QString approvedBind;
    qint64 objectCount = 0;
    qint64 valueCount = 0;
    bool secondConfirmation = false; // needed before apply (more objects than the threshold)
    qint64 undoOf = 0;               // the batch this one reverses; 0: none
    QStringList warnings;
    // Given at approval (schema version 5): why this direct LDAP write, Cloud Sync's break-glass path, was chosen,
    // and what Sunset said Cloud Sync could do then (a JSON array, BreakGlass.h's cloudSyncJson). nullopt while
    // not approved, and for a batch approved before version 5.
    std::optional<QString> breakGlassReason;
    QByteArray breakGlassCloudSync; // "[]" when none was recorded
};

// The batch's break-glass reason for reports: the reason, "not approved yet", or for a batch approved before
// schema version 5 "no reason recorded (before break-glass reasons)".
QString breakGlassReasonText(const StoredBatch& batch);

// What the admin gives when approving a batch: the break-glass reason (breakGlassReasonProblem() must accept it)
// and the Cloud Sync state it was given against (a JSON array, BreakGlass.h's cloudSyncJson()).
struct BreakGlassApproval {
    QString reason;
    QByteArray cloudSyncJson = "[]";
};

// One settled outcome for all rows of one object of a batch.
struct ChangeOutcome {
    qint64 objectSeq = 0;
    ChangeState state = ChangeState::Applied;
    int ldapCode = 0;
    QString message;
};

// The batches and changes tables: the crash-safe journal of writeback batches. Every state move is checked and
// made in one statement under the write lock (BatchStateRules.h says which moves exist), with its audit event in
// the same transaction.
class BatchStore final {
public:
    BatchStore(HistoryDatabase& database, AuditLog& audit)
        : m_database(database)
        , m_audit(audit)
    {
    }

    HistoryResult<qint64> create(const WritebackBatch& batch, qint64 scanId = 0, qint64 undoOf = 0);
    // A new planned batch reversing an applied (or partial) one (planUndo).
    HistoryResult<qint64> createUndo(qint64 batchId);
    HistoryResult<StoredBatch> batch(qint64 batchId) const;
    HistoryResult<std::vector<StoredChange>> changes(qint64 batchId) const;
    HistoryResult<std::vector<StoredBatch>> batches() const;
    HistoryResult<void> approve(qint64 batchId, const BreakGlassApproval& approval, bool secondConfirmation);
    HistoryResult<void> setState(qint64 batchId, BatchState state);
    HistoryResult<void> markPending(qint64 batchId, const std::vector<qint64>& objectSeqs, bool continuing);
    HistoryResult<void> settle(qint64 batchId, const std::vector<ChangeOutcome>& outcomes);

private:
    // "Batch N is STATE: RULE." with the state read now (a refused state move).
    HistoryError stateRefusal(qint64 batchId, const QString& rule) const;

    HistoryDatabase& m_database;
    AuditLog& m_audit;
};

// Values as stored: a JSON array of strings (exact text; AD values of catalog attributes are text).
QByteArray valuesToJson(const QStringList& values);
QStringList valuesFromJson(const QByteArray& json);

} // namespace sunset
