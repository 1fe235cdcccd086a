// SPDX-License-Identifier: Apache-2.0
#include "BatchStore.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QString breakGlassReasonText(const StoredBatch& batch)
{
    if (batch.breakGlassReason)
        return *batch.breakGlassReason;
    // From version 5 on the reason is written with the approval itself: an approved batch without one is older.
    return batch.approvedAt.isValid() ? u"no reason recorded (before break-glass reasons)"_s : u"not approved yet"_s;
}

QByteArray valuesToJson(const QStringList& values)
{
    return QJsonDocument(QJsonArray::fromStringList(values)).toJson(QJsonDocument::Compact);
}

QStringList valuesFromJson(const QByteArray& json)
{
    QStringList values;
    for (const QJsonValue& v : QJsonDocument::fromJson(json).array())
        values << v.toString();
    return values;
}

HistoryResult<qint64> BatchStore::create(const WritebackBatch& batch, qint64 scanId, qint64 undoOf)
{
    qint64 id = 0;
    const auto rows = [&]() -> HistoryResult<void> {
        QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
        QStringList warnings;
        for (const BatchIssue& w : batch.warnings())
            warnings << w.message;
        q.prepare(u"INSERT INTO batches (scan_id, state, created_utc, created_by, object_count, value_count, "
                  u"second_confirmation, warnings_json, undo_of) VALUES (?, 'planned', ?, COALESCE(?, ''), ?, ?, ?, "
                  u"?, ?)"_s);
        q.addBindValue(scanId > 0 ? QVariant(scanId) : QVariant(QMetaType(QMetaType::LongLong)));
        q.addBindValue(historyNowText());
        q.addBindValue(m_database.actor().osUser);
        q.addBindValue(batch.objectCount());
        q.addBindValue(batch.valuesDeleted() + batch.valuesAdded());
        q.addBindValue(batch.needsSecondConfirmation() ? 1 : 0);
        q.addBindValue(QString::fromUtf8(valuesToJson(warnings)));
        q.addBindValue(undoOf > 0 ? QVariant(undoOf) : QVariant(QMetaType(QMetaType::LongLong)));
        if (!q.exec())
            return m_database.sqlError(u"recording the batch"_s, q);
        id = q.lastInsertId().toLongLong();
        q.prepare(u"INSERT INTO changes (batch_id, object_seq, dn, attribute, before_json, after_json, "
                  u"cloud_managed, state) VALUES (?, ?, COALESCE(?, ''), ?, ?, ?, ?, 'planned')"_s);
        qint64 seq = 0;
        for (const BatchObjectChange& object : batch.objects()) {
            for (const BatchAttributeChange& change : object.changes) {
                q.addBindValue(id);
                q.addBindValue(seq);
                q.addBindValue(object.dn);
                q.addBindValue(QString(AttributeCatalog::spec(change.attribute).ldapName));
                q.addBindValue(QString::fromUtf8(valuesToJson(change.before)));
                q.addBindValue(QString::fromUtf8(valuesToJson(change.after)));
                q.addBindValue(object.cloudManaged ? 1 : 0);
                if (!q.exec())
                    return m_database.sqlError(u"recording the changes of the batch"_s, q);
            }
            ++seq;
        }
        const QByteArray detail = QJsonDocument(QJsonObject{{u"scan"_s, scanId},
                                                            {u"undoOf"_s, undoOf},
                                                            {u"objects"_s, batch.objectCount()},
                                                            {u"attributes"_s, batch.attributeCount()}})
                                      .toJson(QJsonDocument::Compact);
        return m_audit.appendInTransaction(u"batch.created"_s, u"batch %1"_s.arg(id), detail);
    };
    if (auto written = m_database.write(rows); !written)
        return written.error();
    return id;
}

namespace {

StoredBatch batchFromQuery(const QSqlQuery& q)
{
    StoredBatch b;
    b.id = q.value(0).toLongLong();
    b.scanId = q.value(1).toLongLong();
    b.state = batchStateFromName(q.value(2).toString()).value_or(BatchState::Planned);
    b.createdAt = historyTimeFromText(q.value(3));
    b.createdBy = q.value(4).toString();
    b.approvedAt = historyTimeFromText(q.value(5));
    b.approvedBy = q.value(6).toString();
    b.approvedBind = q.value(7).toString();
    b.objectCount = q.value(8).toLongLong();
    b.valueCount = q.value(9).toLongLong();
    b.secondConfirmation = q.value(10).toInt() != 0;
    b.warnings = valuesFromJson(q.value(11).toString().toUtf8());
    b.undoOf = q.value(12).toLongLong();
    if (!q.value(13).isNull())
        b.breakGlassReason = q.value(13).toString();
    b.breakGlassCloudSync = q.value(14).isNull() ? QByteArray("[]") : q.value(14).toString().toUtf8();
    return b;
}

const auto kBatchColumns = u"SELECT id, scan_id, state, created_utc, created_by, approved_utc, approved_by, "
                           u"approved_bind, object_count, value_count, second_confirmation, warnings_json, undo_of, "
                           u"break_glass_reason, break_glass_cloud_sync FROM batches "_s;

} // namespace

HistoryResult<StoredBatch> BatchStore::batch(qint64 batchId) const
{
    QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
    q.prepare(kBatchColumns + u"WHERE id = ?"_s);
    q.addBindValue(batchId);
    if (!q.exec())
        return m_database.sqlError(u"reading batch %1"_s.arg(batchId), q);
    if (!q.next())
        return HistoryError{
            u"History database %1 has no batch %2."_s.arg(QDir::toNativeSeparators(m_database.path())).arg(batchId)};
    return batchFromQuery(q);
}

HistoryResult<std::vector<StoredBatch>> BatchStore::batches() const
{
    QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
    if (!q.exec(kBatchColumns + u"ORDER BY id"_s))
        return m_database.sqlError(u"reading the batches"_s, q);
    std::vector<StoredBatch> out;
    while (q.next())
        out.push_back(batchFromQuery(q));
    return out;
}

HistoryResult<std::vector<StoredChange>> BatchStore::changes(qint64 batchId) const
{
    QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
    q.setForwardOnly(true);
    q.prepare(u"SELECT id, batch_id, object_seq, dn, attribute, before_json, after_json, state, ldap_code, "
              u"ldap_message, sent_utc, settled_utc, cloud_managed FROM changes WHERE batch_id = ? "
              u"ORDER BY object_seq, id"_s);
    q.addBindValue(batchId);
    if (!q.exec())
        return m_database.sqlError(u"reading the changes of batch %1"_s.arg(batchId), q);
    std::vector<StoredChange> out;
    while (q.next()) {
        StoredChange c;
        c.id = q.value(0).toLongLong();
        c.batchId = q.value(1).toLongLong();
        c.objectSeq = q.value(2).toLongLong();
        c.dn = q.value(3).toString();
        const auto attribute = AttributeCatalog::byLdapName(q.value(4).toString());
        if (!attribute)
            return HistoryError{
                u"History database %1: change %2 names %3, which is not a catalog attribute."_s.arg(m_database.path())
                    .arg(c.id)
                    .arg(q.value(4).toString())};
        c.attribute = *attribute;
        c.before = valuesFromJson(q.value(5).toString().toUtf8());
        c.after = valuesFromJson(q.value(6).toString().toUtf8());
        c.state = changeStateFromName(q.value(7).toString()).value_or(ChangeState::Unknown);
        c.ldapCode = q.value(8).toInt();
        c.ldapMessage = q.value(9).toString();
        c.sentAt = historyTimeFromText(q.value(10));
        c.settledAt = historyTimeFromText(q.value(11));
        c.cloudManaged = q.value(12).toInt() == 1;
        out.push_back(std::move(c));
    }
    return out;
}

HistoryResult<qint64> BatchStore::createUndo(qint64 batchId)
{
    const auto original = batch(batchId);
    if (!original)
        return original.error();
    const auto recorded = changes(batchId);
    if (!recorded)
        return recorded.error();
    auto objects = planUndo(batchId, original->state, recorded.value());
    if (!objects)
        return HistoryError{objects.error()};
    return create(WritebackBatch::fromObjects(std::move(objects.value())), original->scanId, batchId);
}

namespace {

// "state IN ('approved', 'partial')": the states a move may start from, for the statement that checks and makes
// the move at once.
QString stateIn(const std::vector<BatchState>& states)
{
    QStringList names;
    for (const BatchState state : states)
        names << u"'%1'"_s.arg(batchStateName(state));
    return u"state IN (%1)"_s.arg(names.join(u", "_s));
}

} // namespace

HistoryResult<void> BatchStore::approve(qint64 batchId, const BreakGlassApproval& approval, bool secondConfirmation)
{
    if (const auto problem = breakGlassReasonProblem(approval.reason))
        return HistoryError{u"Batch %1 was not approved. %2"_s.arg(batchId).arg(*problem)};
    const QJsonDocument cloudSync = QJsonDocument::fromJson(approval.cloudSyncJson);
    if (!cloudSync.isArray()) // an internal error: BreakGlass.h writes an array
        return HistoryError{
            u"Batch %1 was not approved: the Cloud Sync state to record is not a JSON array."_s.arg(batchId)};
    const QString reason = approval.reason.trimmed();
    const auto current = batch(batchId);
    if (!current)
        return current.error();
    if (!batchMayMove(current->state, BatchState::Approved))
        return HistoryError{u"Batch %1 is %2; only a planned batch can be approved."_s.arg(batchId).arg(
            batchStateName(current->state))};
    if (current->secondConfirmation && !secondConfirmation)
        return HistoryError{
            u"Batch %1 changes %2 objects: approving it needs a second confirmation."_s.arg(batchId).arg(
                current->objectCount)};
    return m_database.write([&]() -> HistoryResult<void> {
        QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
        q.prepare(u"UPDATE batches SET state = 'approved', approved_utc = ?, approved_by = COALESCE(?, ''), "
                  u"approved_bind = COALESCE(?, ''), break_glass_reason = ?, break_glass_cloud_sync = ? "
                  u"WHERE id = ? AND "_s +
                  stateIn(batchStatesBefore(BatchState::Approved)));
        q.addBindValue(historyNowText());
        q.addBindValue(m_database.actor().osUser);
        q.addBindValue(m_database.actor().bindIdentity);
        q.addBindValue(reason);
        q.addBindValue(QString::fromUtf8(cloudSync.toJson(QJsonDocument::Compact)));
        q.addBindValue(batchId);
        if (!q.exec())
            return m_database.sqlError(u"approving batch %1"_s.arg(batchId), q);
        if (q.numRowsAffected() != 1) // another process moved it on since it was read above
            return stateRefusal(batchId, u"only a planned batch can be approved"_s);
        return m_audit.appendInTransaction(u"batch.approved"_s, u"batch %1"_s.arg(batchId),
                                           QJsonDocument(QJsonObject{{u"secondConfirmation"_s, secondConfirmation},
                                                                     {u"breakGlassReason"_s, reason},
                                                                     {u"cloudSync"_s, cloudSync.array()}})
                                               .toJson(QJsonDocument::Compact));
    });
}

HistoryResult<void> BatchStore::setState(qint64 batchId, BatchState state)
{
    // The only moves left to this function: applying ends applied or partial; a batch not yet sent is cancelled.
    // planned -> approved and approved|partial -> applying go through approve() and markPending().
    if (!isPlainBatchMove(state))
        return HistoryError{
            u"Batch %1 cannot be set to %2 directly (an internal error; nothing was changed)."_s.arg(batchId).arg(
                batchStateName(state))};
    return m_database.write([&]() -> HistoryResult<void> {
        QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
        q.prepare(u"UPDATE batches SET state = ? WHERE id = ? AND "_s + stateIn(batchStatesBefore(state)));
        q.addBindValue(QString(batchStateName(state)));
        q.addBindValue(batchId);
        if (!q.exec())
            return m_database.sqlError(u"changing the state of batch %1"_s.arg(batchId), q);
        if (q.numRowsAffected() != 1)
            return stateRefusal(batchId, u"it cannot become %1 from there"_s.arg(batchStateName(state)));
        return m_audit.appendInTransaction(u"batch.%1"_s.arg(batchStateName(state)), u"batch %1"_s.arg(batchId), "{}");
    });
}

HistoryResult<void> BatchStore::markPending(qint64 batchId, const std::vector<qint64>& objectSeqs, bool continuing)
{
    return m_database.write([&]() -> HistoryResult<void> {
        QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
        // The check and the move in one statement, under the write lock: of two applies that both read
        // "approved", one journals, the other is refused here before it sends anything.
        q.prepare(
            u"UPDATE batches SET state = 'applying' WHERE id = ? AND "_s +
            stateIn(batchStatesBefore(BatchState::Applying, continuing ? ApplyStep::Continuing : ApplyStep::First)));
        q.addBindValue(batchId);
        if (!q.exec())
            return m_database.sqlError(u"marking batch %1 as applying"_s.arg(batchId), q);
        if (q.numRowsAffected() != 1)
            return stateRefusal(batchId, u"only an approved batch is applied (or a partial one resumed); nothing "
                                         u"was sent. Approve it with 'sunset-cli batch approve %1 --reason TEXT'; if "
                                         u"it is applying, another Sunset is sending it now or was interrupted (run "
                                         u"apply again when that one is done)"_s.arg(batchId));
        const QString now = historyNowText();
        q.prepare(u"UPDATE changes SET state = 'pending', sent_utc = ? WHERE batch_id = ? AND object_seq = ? "
                  u"AND state IN ('planned', 'not-sent')"_s);
        for (const qint64 seq : objectSeqs) {
            q.addBindValue(now);
            q.addBindValue(batchId);
            q.addBindValue(seq);
            if (!q.exec())
                return m_database.sqlError(u"journalling the changes of batch %1"_s.arg(batchId), q);
            if (q.numRowsAffected() < 1) // sent before: sending it again could apply it twice
                return HistoryError{u"Batch %1: object %2 was already sent (or is not in the batch); nothing was "
                                    u"sent. See 'sunset-cli batch show %1'."_s.arg(batchId)
                                        .arg(seq)};
        }
        return m_audit.appendInTransaction(
            u"batch.applying"_s, u"batch %1"_s.arg(batchId),
            QJsonDocument(QJsonObject{{u"objects"_s, qint64(objectSeqs.size())}}).toJson(QJsonDocument::Compact));
    });
}

HistoryResult<void> BatchStore::settle(qint64 batchId, const std::vector<ChangeOutcome>& outcomes)
{
    if (outcomes.empty())
        return {};
    return m_database.write([&]() -> HistoryResult<void> {
        QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
        const QString now = historyNowText();
        q.prepare(u"UPDATE changes SET state = ?, ldap_code = ?, ldap_message = COALESCE(?, ''), settled_utc = ? "
                  u"WHERE batch_id = ? AND object_seq = ?"_s);
        QJsonArray detail;
        for (const ChangeOutcome& o : outcomes) {
            q.addBindValue(QString(changeStateName(o.state)));
            q.addBindValue(o.ldapCode);
            q.addBindValue(o.message);
            q.addBindValue(now);
            q.addBindValue(batchId);
            q.addBindValue(o.objectSeq);
            if (!q.exec())
                return m_database.sqlError(u"recording outcomes of batch %1"_s.arg(batchId), q);
            detail.append(QJsonObject{{u"object"_s, o.objectSeq},
                                      {u"state"_s, QString(changeStateName(o.state))},
                                      {u"ldapCode"_s, o.ldapCode}});
        }
        return m_audit.appendInTransaction(u"changes.settled"_s, u"batch %1"_s.arg(batchId),
                                           QJsonDocument(detail).toJson(QJsonDocument::Compact));
    });
}

HistoryError BatchStore::stateRefusal(qint64 batchId, const QString& rule) const
{
    const auto current = batch(batchId);
    if (!current)
        return current.error();
    return HistoryError{u"Batch %1 is %2: %3."_s.arg(batchId).arg(batchStateName(current->state), rule)};
}

} // namespace sunset
