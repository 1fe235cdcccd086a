// SPDX-License-Identifier: Apache-2.0
#include "ScanStore.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

HistoryResult<qint64> ScanStore::record(const ScanRecord& scan)
{
    qint64 id = 0;
    const auto rows = [&]() -> HistoryResult<void> {
        QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
        q.prepare(
            u"INSERT INTO scans (started_utc, finished_utc, ad_source, exo_source, graph_source, ad_mailboxes, "
            u"cloud_mailboxes, matched, drift_items, summary_json, drift_json, recorded_utc, os_user, mailboxes_z) "
            u"VALUES (?, ?, COALESCE(?, ''), COALESCE(?, ''), COALESCE(?, ''), ?, ?, ?, ?, ?, ?, ?, COALESCE(?, ''), ?)"_s);
        q.addBindValue(scan.started.isValid() ? QVariant(scan.started.toUTC().toString(Qt::ISODateWithMs))
                                              : QVariant());
        q.addBindValue(scan.finished.isValid() ? QVariant(scan.finished.toUTC().toString(Qt::ISODateWithMs))
                                               : QVariant());
        q.addBindValue(scan.adSource);
        q.addBindValue(scan.exoSource);
        q.addBindValue(scan.graphSource);
        q.addBindValue(scan.adMailboxes);
        q.addBindValue(scan.cloudMailboxes);
        q.addBindValue(scan.matched);
        q.addBindValue(scan.driftItems);
        q.addBindValue(QString::fromUtf8(scan.summaryJson.isEmpty() ? QByteArray("{}") : scan.summaryJson));
        q.addBindValue(QString::fromUtf8(scan.driftJson.isEmpty() ? QByteArray("[]") : scan.driftJson));
        q.addBindValue(historyNowText());
        q.addBindValue(m_database.actor().osUser);
        // Level 1: 600,000 mailboxes' lines shrink about as much as at the default level in a fraction of the time.
        q.addBindValue(scan.mailboxes ? QVariant(qCompress(*scan.mailboxes, 1))
                                      : QVariant(QMetaType(QMetaType::QByteArray)));
        if (!q.exec())
            return m_database.sqlError(u"recording the scan"_s, q);
        id = q.lastInsertId().toLongLong();
        // Retention: the freed pages are reused by the next scans' lists, so the file stops growing (no VACUUM).
        QSqlQuery prune(QSqlDatabase::database(m_database.connectionName()));
        prune.prepare(u"UPDATE scans SET mailboxes_z = NULL WHERE mailboxes_z IS NOT NULL AND id NOT IN "
                      u"(SELECT id FROM scans ORDER BY id DESC LIMIT ?)"_s);
        prune.addBindValue(kScansKeepingMailboxes);
        if (!prune.exec())
            return m_database.sqlError(u"dropping older scans' mailbox lists"_s, prune);
        const QByteArray detail =
            QJsonDocument(
                QJsonObject{{u"ad"_s, scan.adSource}, {u"exo"_s, scan.exoSource}, {u"driftItems"_s, scan.driftItems}})
                .toJson(QJsonDocument::Compact);
        return m_audit.appendInTransaction(u"scan.recorded"_s, u"scan %1"_s.arg(id), detail);
    };
    if (auto written = m_database.write(rows); !written)
        return written.error();
    return id;
}

namespace {

const auto kScanColumns = u"SELECT id, started_utc, finished_utc, ad_source, exo_source, graph_source, ad_mailboxes, "
                          u"cloud_mailboxes, matched, drift_items, recorded_utc, os_user"_s;

StoredScan scanFromQuery(const QSqlQuery& q, bool withJson)
{
    StoredScan s;
    s.id = q.value(0).toLongLong();
    s.record.started = historyTimeFromText(q.value(1));
    s.record.finished = historyTimeFromText(q.value(2));
    s.record.adSource = q.value(3).toString();
    s.record.exoSource = q.value(4).toString();
    s.record.graphSource = q.value(5).toString();
    s.record.adMailboxes = q.value(6).toLongLong();
    s.record.cloudMailboxes = q.value(7).toLongLong();
    s.record.matched = q.value(8).toLongLong();
    s.record.driftItems = q.value(9).toLongLong();
    s.recordedAt = historyTimeFromText(q.value(10));
    s.recordedBy = q.value(11).toString();
    if (withJson) {
        s.record.summaryJson = q.value(12).toString().toUtf8();
        s.record.driftJson = q.value(13).toString().toUtf8();
        if (!q.value(14).isNull())
            s.record.mailboxes = qUncompress(q.value(14).toByteArray());
    }
    return s;
}

} // namespace

HistoryResult<std::vector<StoredScan>> ScanStore::scans() const
{
    QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
    q.setForwardOnly(true);
    if (!q.exec(kScanColumns + u" FROM scans ORDER BY id DESC"_s))
        return m_database.sqlError(u"reading the scans"_s, q);
    std::vector<StoredScan> out;
    while (q.next())
        out.push_back(scanFromQuery(q, false));
    return out;
}

HistoryResult<StoredScan> ScanStore::scan(qint64 scanId) const
{
    QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
    q.setForwardOnly(true);
    q.prepare(kScanColumns + u", summary_json, drift_json, mailboxes_z FROM scans WHERE id = ?"_s);
    q.addBindValue(scanId);
    if (!q.exec())
        return m_database.sqlError(u"reading scan %1"_s.arg(scanId), q);
    if (!q.next())
        return HistoryError{
            u"History database %1 has no scan %2."_s.arg(QDir::toNativeSeparators(m_database.path())).arg(scanId)};
    return scanFromQuery(q, true);
}

HistoryResult<std::optional<StoredScan>> ScanStore::latest() const
{
    QSqlQuery q(QSqlDatabase::database(m_database.connectionName()));
    q.setForwardOnly(true);
    if (!q.exec(kScanColumns + u", summary_json, drift_json, mailboxes_z FROM scans ORDER BY id DESC LIMIT 1"_s))
        return m_database.sqlError(u"reading the newest scan"_s, q);
    if (!q.next())
        return std::optional<StoredScan>();
    return std::optional<StoredScan>(scanFromQuery(q, true));
}

} // namespace sunset
