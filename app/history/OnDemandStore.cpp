// SPDX-License-Identifier: Apache-2.0
#include "OnDemandStore.h"

#include "HistoryDatabase.h"
#include "HistoryJson.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QByteArray onDemandDriftJson(const std::vector<DriftItem>& items)
{
    QJsonArray out;
    for (const DriftItem& item : items)
        out.append(QJsonObject{{u"attribute"_s, QString(AttributeCatalog::spec(item.attribute).ldapName)},
                               {u"ad"_s, QJsonArray::fromStringList(item.ad)},
                               {u"cloud"_s, QJsonArray::fromStringList(item.cloud)},
                               {u"target"_s, QJsonArray::fromStringList(item.adTarget)}});
    return QJsonDocument(out).toJson(QJsonDocument::Compact);
}

std::vector<DriftItem> onDemandDriftFromJson(const QByteArray& json)
{
    std::vector<DriftItem> items;
    for (const QJsonValue& v : QJsonDocument::fromJson(json).array()) {
        const QJsonObject o = v.toObject();
        const auto id = AttributeCatalog::byLdapName(o.value("attribute"_L1).toString());
        if (!id)
            continue;
        DriftItem item;
        item.attribute = *id;
        item.ad = jsonStrings(o.value("ad"_L1));
        item.cloud = jsonStrings(o.value("cloud"_L1));
        item.adTarget = jsonStrings(o.value("target"_L1));
        item.writable = true;
        items.push_back(std::move(item));
    }
    return items;
}

HistoryResult<qint64> OnDemandStore::begin(qint64 scanId, const QString& servicePrincipalId, const QString& jobId,
                                           const QString& ruleId, const std::vector<OnDemandSubject>& subjects)
{
    const QString connection = m_history.connectionName();
    qint64 runId = 0;
    QJsonArray objects;
    for (const OnDemandSubject& s : subjects)
        objects.append(QJsonObject{{u"dn"_s, s.dn}, {u"entraId"_s, s.entraObjectId}, {u"label"_s, s.label}});
    QJsonObject detail{{u"servicePrincipal"_s, servicePrincipalId}, {u"job"_s, jobId}, {u"scan"_s, scanId}};
    detail.insert(u"objects"_s, objects);
    auto rows = [&]() -> HistoryResult<void> {
        QSqlQuery q(QSqlDatabase::database(connection));
        q.prepare(u"INSERT INTO on_demand_runs (scan_id, started_utc, os_user, bind_identity, service_principal, "
                  u"job_id, rule_id, state) VALUES (?, ?, COALESCE(?, ''), COALESCE(?, ''), COALESCE(?, ''), COALESCE(?, ''), "
                  u"COALESCE(?, ''), 'running')"_s);
        for (const QVariant& v : {scanId > 0 ? QVariant(scanId) : QVariant(), QVariant(historyNowText()),
                                  QVariant(m_history.actor().osUser), QVariant(m_history.actor().bindIdentity),
                                  QVariant(servicePrincipalId), QVariant(jobId), QVariant(ruleId)})
            q.addBindValue(v);
        if (!q.exec())
            return HistoryError{u"History database %1: recording the on-demand run failed: %2"_s.arg(
                QDir::toNativeSeparators(m_history.path()), q.lastError().text())};
        runId = q.lastInsertId().toLongLong();
        for (size_t i = 0; i < subjects.size(); ++i) {
            const OnDemandSubject& s = subjects[i];
            q.prepare(u"INSERT INTO on_demand_objects (run_id, seq, dn, entra_id, label, drift_json) "
                      u"VALUES (?, ?, COALESCE(?, ''), COALESCE(?, ''), COALESCE(?, ''), COALESCE(?, '[]'))"_s);
            for (const QVariant& v : {QVariant(runId), QVariant(qint64(i)), QVariant(s.dn), QVariant(s.entraObjectId),
                                      QVariant(s.label), QVariant(QString::fromUtf8(onDemandDriftJson(s.items)))})
                q.addBindValue(v);
            if (!q.exec())
                return HistoryError{u"History database %1: recording the on-demand run's objects failed: %2"_s.arg(
                    QDir::toNativeSeparators(m_history.path()), q.lastError().text())};
        }
        return {};
    };
    // The subject names the run by the id the rows get: known only inside the transaction, so the event says
    // "on-demand run" and its detail carries the job; the run's id is the row's.
    const auto event = m_history.appendEventWith(u"ondemand.started"_s, u"on-demand run"_s, compactJson(detail), rows);
    if (!event)
        return event.error();
    return runId;
}

HistoryResult<void> OnDemandStore::finish(qint64 runId, const QString& ruleId,
                                          const std::vector<OnDemandObjectRecord>& objects, bool stopped,
                                          const QString& message)
{
    const QString connection = m_history.connectionName();
    QJsonArray results;
    for (const OnDemandObjectRecord& o : objects)
        results.append(QJsonObject{{u"dn"_s, o.subject.dn},
                                   {u"entraId"_s, o.subject.entraObjectId},
                                   {u"result"_s, o.result},
                                   {u"skipReason"_s, o.skipReason},
                                   {u"errorCode"_s, o.errorCode},
                                   {u"message"_s, o.message},
                                   {u"modified"_s, QJsonDocument::fromJson(o.modifiedJson).array()},
                                   {u"verified"_s, o.verified}});
    QJsonObject detail{{u"run"_s, runId}, {u"state"_s, stopped ? u"stopped"_s : u"finished"_s}, {u"message"_s, message}};
    detail.insert(u"objects"_s, results);
    auto rows = [&]() -> HistoryResult<void> {
        QSqlQuery q(QSqlDatabase::database(connection));
        auto failed = [&](const QString& doing) {
            return HistoryError{u"History database %1: %2 failed: %3"_s.arg(QDir::toNativeSeparators(m_history.path()),
                                                                           doing, q.lastError().text())};
        };
        for (size_t i = 0; i < objects.size(); ++i) {
            const OnDemandObjectRecord& o = objects[i];
            q.prepare(u"UPDATE on_demand_objects SET result = ?, skip_reason = COALESCE(?, ''), error_code = COALESCE(?, ''), "
                      u"message = COALESCE(?, ''), modified_json = COALESCE(?, '[]'), verified = ?, "
                      u"verify_detail = COALESCE(?, '') WHERE run_id = ? AND seq = ?"_s);
            for (const QVariant& v :
                 {o.result.isEmpty() ? QVariant() : QVariant(o.result), QVariant(o.skipReason), QVariant(o.errorCode),
                  QVariant(o.message), QVariant(QString::fromUtf8(o.modifiedJson)),
                  o.verified.isEmpty() ? QVariant() : QVariant(o.verified), QVariant(o.verifyDetail), QVariant(runId),
                  QVariant(qint64(i))})
                q.addBindValue(v);
            if (!q.exec())
                return failed(u"recording an on-demand result"_s);
        }
        q.prepare(u"UPDATE on_demand_runs SET finished_utc = ?, state = ?, message = COALESCE(?, ''), rule_id = COALESCE(?, '') "
                  u"WHERE id = ? AND state = 'running'"_s);
        for (const QVariant& v : {QVariant(historyNowText()), QVariant(stopped ? u"stopped"_s : u"finished"_s),
                                  QVariant(message), QVariant(ruleId), QVariant(runId)})
            q.addBindValue(v);
        if (!q.exec())
            return failed(u"ending the on-demand run"_s);
        if (q.numRowsAffected() != 1)
            return HistoryError{u"On-demand run %1 is not running: it was already ended."_s.arg(runId)};
        return {};
    };
    const auto event =
        m_history.appendEventWith(u"ondemand.finished"_s, u"on-demand run %1"_s.arg(runId), compactJson(detail), rows);
    if (!event)
        return event.error();
    return {};
}

HistoryResult<OnDemandRunRecord> OnDemandStore::run(qint64 runId) const
{
    QSqlQuery q(QSqlDatabase::database(m_history.connectionName()));
    q.prepare(u"SELECT scan_id, started_utc, finished_utc, os_user, bind_identity, service_principal, job_id, "
              u"rule_id, state, message FROM on_demand_runs WHERE id = ?"_s);
    q.addBindValue(runId);
    if (!q.exec())
        return HistoryError{u"History database %1: reading on-demand run %2 failed: %3"_s.arg(
            QDir::toNativeSeparators(m_history.path()), QString::number(runId), q.lastError().text())};
    if (!q.next())
        return HistoryError{u"The history has no on-demand run %1."_s.arg(runId)};
    OnDemandRunRecord run;
    run.id = runId;
    run.scanId = q.value(0).toLongLong();
    run.started = historyTimeFromText(q.value(1));
    run.finished = historyTimeFromText(q.value(2));
    run.osUser = q.value(3).toString();
    run.bindIdentity = q.value(4).toString();
    run.servicePrincipalId = q.value(5).toString();
    run.jobId = q.value(6).toString();
    run.ruleId = q.value(7).toString();
    run.state = q.value(8).toString();
    run.message = q.value(9).toString();
    q.prepare(u"SELECT dn, entra_id, label, drift_json, result, skip_reason, error_code, message, modified_json, "
              u"verified, verify_detail FROM on_demand_objects WHERE run_id = ? ORDER BY seq"_s);
    q.addBindValue(runId);
    if (!q.exec())
        return HistoryError{u"History database %1: reading on-demand run %2's objects failed: %3"_s.arg(
            QDir::toNativeSeparators(m_history.path()), QString::number(runId), q.lastError().text())};
    while (q.next()) {
        OnDemandObjectRecord o;
        o.subject = {q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                     onDemandDriftFromJson(q.value(3).toString().toUtf8())};
        o.result = q.value(4).toString();
        o.skipReason = q.value(5).toString();
        o.errorCode = q.value(6).toString();
        o.message = q.value(7).toString();
        o.modifiedJson = q.value(8).toString().toUtf8();
        o.verified = q.value(9).toString();
        o.verifyDetail = q.value(10).toString();
        run.objects.push_back(std::move(o));
    }
    return run;
}

HistoryResult<std::vector<qint64>> OnDemandStore::runIds() const
{
    QSqlQuery q(QSqlDatabase::database(m_history.connectionName()));
    if (!q.exec(u"SELECT id FROM on_demand_runs ORDER BY id"_s))
        return HistoryError{u"History database %1: reading the on-demand runs failed: %2"_s.arg(
            QDir::toNativeSeparators(m_history.path()), q.lastError().text())};
    std::vector<qint64> ids;
    while (q.next())
        ids.push_back(q.value(0).toLongLong());
    return ids;
}

} // namespace sunset
