// SPDX-License-Identifier: Apache-2.0
#include "DecisionStore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QLatin1StringView decisionKindName(DecisionKind kind)
{
    return kind == DecisionKind::Ignore ? "ignore"_L1 : "approve"_L1;
}

HistoryResult<qint64> DecisionStore::record(const DecisionRecord& decision)
{
    qint64 id = 0;
    const auto rows = [&]() -> HistoryResult<void> {
        QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
        q.prepare(
            u"INSERT INTO decisions (scan_id, dn, attribute, decision, reason, os_user, bind_identity, "
            u"decided_utc) VALUES (?, COALESCE(?, ''), ?, ?, COALESCE(?, ''), COALESCE(?, ''), COALESCE(?, ''), ?)"_s);
        const QString kind = decision.decision == DecisionKind::Approve ? u"approve"_s : u"ignore"_s;
        const QString attribute = AttributeCatalog::spec(decision.attribute).ldapName;
        for (const QVariant& v : {QVariant(decision.scanId), QVariant(decision.dn), QVariant(attribute), QVariant(kind),
                                  QVariant(decision.reason), QVariant(m_database.actor().osUser),
                                  QVariant(m_database.actor().bindIdentity), QVariant(historyNowText())})
            q.addBindValue(v);
        if (!q.exec())
            return m_database.sqlError(u"recording the decision"_s, q);
        id = q.lastInsertId().toLongLong();
        const QByteArray detail = QJsonDocument(QJsonObject{{u"scan"_s, decision.scanId},
                                                            {u"dn"_s, decision.dn},
                                                            {u"attribute"_s, attribute},
                                                            {u"decision"_s, kind},
                                                            {u"reason"_s, decision.reason}})
                                      .toJson(QJsonDocument::Compact);
        return m_audit.appendInTransaction(u"decision.recorded"_s, u"decision %1"_s.arg(id), detail);
    };
    if (auto written = m_database.write(rows); !written)
        return written.error();
    return id;
}

HistoryResult<std::vector<StoredDecision>> DecisionStore::decisions(qint64 scanId) const
{
    QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
    q.setForwardOnly(true);
    const QString columns = u"SELECT id, scan_id, dn, attribute, decision, reason, os_user, bind_identity, "
                            u"decided_utc FROM decisions "_s;
    if (scanId > 0) {
        q.prepare(columns + u"WHERE scan_id = ? ORDER BY id"_s);
        q.addBindValue(scanId);
    } else {
        q.prepare(columns + u"ORDER BY id"_s);
    }
    if (!q.exec())
        return m_database.sqlError(u"reading the decisions"_s, q);
    std::vector<StoredDecision> out;
    while (q.next()) {
        StoredDecision d;
        d.id = q.value(0).toLongLong();
        d.record.scanId = q.value(1).toLongLong();
        d.record.dn = q.value(2).toString();
        const auto attribute = AttributeCatalog::byLdapName(q.value(3).toString());
        if (!attribute)
            return HistoryError{
                u"History database %1: decision %2 names %3, which is not a catalog attribute."_s.arg(m_database.path())
                    .arg(d.id)
                    .arg(q.value(3).toString())};
        d.record.attribute = *attribute;
        d.record.decision = q.value(4).toString() == u"ignore"_s ? DecisionKind::Ignore : DecisionKind::Approve;
        d.record.reason = q.value(5).toString();
        d.osUser = q.value(6).toString();
        d.bindIdentity = q.value(7).toString();
        d.decidedAt = historyTimeFromText(q.value(8));
        out.push_back(std::move(d));
    }
    return out;
}

} // namespace sunset
