// SPDX-License-Identifier: Apache-2.0
#include "HistoryStore.h"

#include "HistoryMigrations.h"

#include <QStandardPaths>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QString HistoryStore::defaultPath(const QString& profile)
{
    // GenericDataLocation, not AppDataLocation: sunset and sunset-cli have different application names but must
    // share one history per profile (Linux: ~/.local/share/sunset/profiles/default/history.sqlite).
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/sunset/profiles/"_s + profile +
           u"/history.sqlite"_s;
}

HistoryStore::HistoryStore(std::unique_ptr<HistoryDatabase> database)
    : m_database(std::move(database))
    , m_audit(*m_database)
    , m_scans(*m_database, m_audit)
    , m_decisions(*m_database, m_audit)
    , m_batches(*m_database, m_audit)
{
}

HistoryStore::~HistoryStore() = default;

HistoryResult<std::unique_ptr<HistoryStore>> HistoryStore::open(const QString& path, HistoryActor actor)
{
    auto database = HistoryDatabase::open(path, std::move(actor));
    if (!database)
        return database.error();
    std::unique_ptr<HistoryStore> store(new HistoryStore(std::move(database.value())));
    if (auto migrated = migrateHistory(*store->m_database, store->m_audit); !migrated)
        return migrated.error();
    return store;
}

int HistoryStore::schemaVersion() const
{
    return m_database->schemaVersion();
}

HistoryResult<qint64> HistoryStore::recordScan(const ScanRecord& scan)
{
    return m_scans.record(scan);
}

HistoryResult<std::vector<StoredScan>> HistoryStore::scans() const
{
    return m_scans.scans();
}

HistoryResult<StoredScan> HistoryStore::scan(qint64 scanId) const
{
    return m_scans.scan(scanId);
}

HistoryResult<std::optional<StoredScan>> HistoryStore::latestScan() const
{
    return m_scans.latest();
}

HistoryResult<qint64> HistoryStore::recordDecision(const DecisionRecord& decision)
{
    return m_decisions.record(decision);
}

HistoryResult<std::vector<StoredDecision>> HistoryStore::decisions(qint64 scanId) const
{
    return m_decisions.decisions(scanId);
}

HistoryResult<qint64> HistoryStore::createBatch(const WritebackBatch& batch, qint64 scanId, qint64 undoOf)
{
    return m_batches.create(batch, scanId, undoOf);
}

HistoryResult<qint64> HistoryStore::createUndoBatch(qint64 batchId)
{
    return m_batches.createUndo(batchId);
}

HistoryResult<StoredBatch> HistoryStore::batch(qint64 batchId) const
{
    return m_batches.batch(batchId);
}

HistoryResult<std::vector<StoredChange>> HistoryStore::changes(qint64 batchId) const
{
    return m_batches.changes(batchId);
}

HistoryResult<std::vector<StoredBatch>> HistoryStore::batches() const
{
    return m_batches.batches();
}

HistoryResult<void> HistoryStore::approveBatch(qint64 batchId, const BreakGlassApproval& approval,
                                               bool secondConfirmation)
{
    return m_batches.approve(batchId, approval, secondConfirmation);
}

HistoryResult<void> HistoryStore::setBatchState(qint64 batchId, BatchState state)
{
    return m_batches.setState(batchId, state);
}

HistoryResult<void> HistoryStore::markPending(qint64 batchId, const std::vector<qint64>& objectSeqs, bool continuing)
{
    return m_batches.markPending(batchId, objectSeqs, continuing);
}

HistoryResult<void> HistoryStore::settle(qint64 batchId, const std::vector<ChangeOutcome>& outcomes)
{
    return m_batches.settle(batchId, outcomes);
}

HistoryResult<qint64> HistoryStore::appendEvent(const QString& kind, const QString& subject,
                                                const QByteArray& detailJson)
{
    return m_audit.append(kind, subject, detailJson);
}

HistoryResult<qint64> HistoryStore::appendEventWith(const QString& kind, const QString& subject,
                                                    const QByteArray& detailJson, const RowWriter& rows)
{
    return m_audit.append(kind, subject, detailJson, rows);
}

HistoryVerification HistoryStore::verify(const std::optional<HistoryAnchor>& expected) const
{
    return m_audit.verify(expected);
}

HistoryResult<std::vector<StoredEvent>> HistoryStore::events() const
{
    return m_audit.events();
}

} // namespace sunset
