// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AuditLog.h"
#include "BatchStore.h"
#include "DecisionStore.h"
#include "HistoryDatabase.h"
#include "ScanStore.h"

#include <QString>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace sunset {

// The per-profile SQLite history: scans, decisions, batches and their changes, checklist steps, and an append-only
// audit log whose rows are hash-chained (each row's hash covers the previous hash and the row's content).
// One connection, one thread. The file is created owner-only (0600) before anything is written; WAL journal,
// synchronous=FULL, foreign keys on. An older schema is upgraded on open; a newer one or a file that is not a
// Sunset history is refused with nothing touched.
// A facade over the parts that do each job: HistoryDatabase (the file, its connection, write transactions),
// HistoryMigrations (the schema), AuditLog (the hash chain) and one store per record family (ScanStore,
// DecisionStore, BatchStore; ChecklistStore and OnDemandStore take the HistoryStore itself).

class HistoryStore final {
public:
    static constexpr int kSchemaVersion = HistoryDatabase::kSchemaVersion;
    static constexpr qint32 kApplicationId = HistoryDatabase::kApplicationId; // "SUNS", in the SQLite header

    // <GenericDataLocation>/sunset/profiles/<profile>/history.sqlite, shared by sunset and sunset-cli
    static QString defaultPath(const QString& profile = QStringLiteral("default"));
    static HistoryResult<std::unique_ptr<HistoryStore>> open(const QString& path, HistoryActor actor);
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    const QString& path() const { return m_database->path(); }
    const HistoryActor& actor() const { return m_database->actor(); }
    // Who acts from now on (the desktop app's bind identity changes when a scan of another directory finishes).
    void setActor(HistoryActor actor) { m_database->setActor(std::move(actor)); }
    // The Qt SQL connection, for stores of their own tables over the same file (ChecklistStore); same thread only.
    const QString& connectionName() const { return m_database->connectionName(); }
    int schemaVersion() const;

    // ScanStore::record: keeps the mailbox lists of the newest kScansKeepingMailboxes scans only.
    static constexpr int kScansKeepingMailboxes = ScanStore::kScansKeepingMailboxes;
    HistoryResult<qint64> recordScan(const ScanRecord& scan);
    // Newest first, without summaryJson and driftJson.
    HistoryResult<std::vector<StoredScan>> scans() const;
    // One scan with its summary and drift JSON.
    HistoryResult<StoredScan> scan(qint64 scanId) const;
    // The newest scan (with its JSON); nullopt when none was recorded.
    HistoryResult<std::optional<StoredScan>> latestScan() const;

    HistoryResult<qint64> recordDecision(const DecisionRecord& decision);
    // The decisions on one scan's items, oldest first (scanId 0: all decisions of all scans).
    HistoryResult<std::vector<StoredDecision>> decisions(qint64 scanId = 0) const;

    HistoryResult<qint64> createBatch(const WritebackBatch& batch, qint64 scanId = 0, qint64 undoOf = 0);
    // The reverse of an applied (or partial) batch, from its recorded values: each applied change's after-values
    // become the values to delete and its before-values the values to add. A new planned batch, reviewed,
    // approved and applied like any other (with the same re-read and optimistic checks).
    HistoryResult<qint64> createUndoBatch(qint64 batchId);
    HistoryResult<StoredBatch> batch(qint64 batchId) const;
    HistoryResult<std::vector<StoredChange>> changes(qint64 batchId) const;
    HistoryResult<std::vector<StoredBatch>> batches() const;
    // Approve a planned batch: the admin's consent to a direct LDAP write, Cloud Sync's break-glass path. The
    // reason is required (breakGlassReasonProblem); it and the Cloud Sync state are stored with the batch and in
    // the batch.approved audit event, in one transaction. secondConfirmation must be true when the batch needs one.
    HistoryResult<void> approveBatch(qint64 batchId, const BreakGlassApproval& approval,
                                     bool secondConfirmation = false);
    // Ends an apply (applying -> applied | partial) or cancels a batch not yet sent (planned | approved ->
    // cancelled); any other move is refused, naming the batch's state.
    HistoryResult<void> setBatchState(qint64 batchId, BatchState state);

    // In one transaction, before sending: the objects' rows become Pending (sentAt now), the batch Applying.
    // Refused, nothing changed, unless the batch is approved (or partial, resumed) and every row never sent.
    // A writer that journals in chunks passes continuing=true for every chunk after its first: the batch must
    // then already be applying (its own first chunk moved it there), so another apply still cannot join in.
    HistoryResult<void> markPending(qint64 batchId, const std::vector<qint64>& objectSeqs, bool continuing = false);
    // Settles rows (one transaction for the list), with the LDAP result code and message.
    HistoryResult<void> settle(qint64 batchId, const std::vector<ChangeOutcome>& outcomes);

    // The audit log: append one event (kind like "batch.approved", subject like "batch 3", detail JSON object).
    HistoryResult<qint64> appendEvent(const QString& kind, const QString& subject, const QByteArray& detailJson = "{}");
    // The same, with rows of another record family written first in the same transaction (a store over this
    // connection, e.g. OnDemandStore): the rows and their audit event land together or not at all.
    using RowWriter = HistoryRowWriter;
    HistoryResult<qint64> appendEventWith(const QString& kind, const QString& subject, const QByteArray& detailJson,
                                          const RowWriter& rows);
    // Checks the hash chain; with an anchor, also that the chain still reaches that head (the event COUNT, when
    // given, has exactly that hash): deleting the newest events behind Sunset's back is then caught.
    HistoryVerification verify(const std::optional<HistoryAnchor>& expected = std::nullopt) const;
    // The audit log, oldest first.
    HistoryResult<std::vector<StoredEvent>> events() const;

private:
    explicit HistoryStore(std::unique_ptr<HistoryDatabase> database);

    std::unique_ptr<HistoryDatabase> m_database;
    AuditLog m_audit;
    ScanStore m_scans;
    DecisionStore m_decisions;
    BatchStore m_batches;
};

} // namespace sunset
