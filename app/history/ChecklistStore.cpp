// SPDX-License-Identifier: Apache-2.0
#include "ChecklistStore.h"

#include "HistoryJson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

const QString kRun = u"checklist.run"_s;
const QString kAttest = u"checklist.attest"_s;
const QString kNote = u"checklist.note"_s;
const QString kOverride = u"checklist.override"_s;

QString subjectFor(ChecklistStep step)
{
    return u"checklist "_s + checklistStepKey(step);
}

QDateTime parseUtc(const QString& text)
{
    QDateTime at = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!at.isValid())
        at = QDateTime::fromString(text, Qt::ISODate);
    return at.toUTC();
}

QString actorText(const QString& osUser, const QString& bind)
{
    return bind.isEmpty() ? osUser : u"%1 (%2)"_s.arg(osUser, bind);
}

QJsonObject runToJson(const ChecklistRun& run)
{
    QJsonArray findings;
    for (const ChecklistFinding& f : run.findings)
        findings.append(QJsonObject{{u"check"_s, f.check},
                                    {u"level"_s, QString(findingLevelName(f.level))},
                                    {u"summary"_s, f.summary},
                                    {u"evidence"_s, QJsonArray::fromStringList(f.evidence)}});
    return {{u"findings"_s, findings}, {u"errors"_s, QJsonArray::fromStringList(run.errors)}};
}

QStringList stringList(const QJsonValue& v)
{
    QStringList list;
    for (const QJsonValue& item : v.toArray())
        list.append(item.toString());
    return list;
}

} // namespace

QString ChecklistStore::actorName() const
{
    return actorText(m_history.actor().osUser, m_history.actor().bindIdentity);
}

Expected<Checklist, QString> ChecklistStore::load() const
{
    QSqlQuery q(QSqlDatabase::database(m_history.connectionName()));
    q.prepare(u"SELECT at_utc, os_user, bind_identity, kind, subject, detail_json FROM events "
              u"WHERE kind LIKE 'checklist.%' ORDER BY id"_s);
    if (!q.exec())
        return u"History database %1: cannot read the checklist: %2"_s.arg(m_history.path(), q.lastError().text());
    Checklist checklist;
    while (q.next()) {
        const QString subject = q.value(4).toString();
        const std::optional<ChecklistStep> step = checklistStepFromKey(subject.section(u' ', 1));
        if (!step)
            continue; // a step of a later Sunset: not ours to judge
        StepRecord& record = checklist.step(*step);
        const QDateTime at = parseUtc(q.value(0).toString());
        const QString by = actorText(q.value(1).toString(), q.value(2).toString());
        const QString kind = q.value(3).toString();
        const QJsonObject detail = QJsonDocument::fromJson(q.value(5).toString().toUtf8()).object();
        if (kind == kRun) {
            ChecklistRun run{at, by, {}, stringList(detail.value("errors"_L1))};
            for (const QJsonValue& v : detail.value("findings"_L1).toArray()) {
                const QJsonObject f = v.toObject();
                run.findings.push_back({f.value("check"_L1).toString(),
                                        findingLevelFromName(f.value("level"_L1).toString()).value_or(
                                            FindingLevel::Blocking),
                                        f.value("summary"_L1).toString(), stringList(f.value("evidence"_L1))});
            }
            record.runs.push_back(std::move(run));
        } else if (kind == kAttest) {
            record.attestations.push_back(
                {detail.value("item"_L1).toString(), detail.value("given"_L1).toBool(), at, by});
        } else if (kind == kNote) {
            record.notes.push_back({detail.value("text"_L1).toString(), at, by});
        } else if (kind == kOverride) {
            record.overrides.push_back({detail.value("reason"_L1).toString(), at, by});
        }
    }
    return checklist;
}

Expected<void, QString> ChecklistStore::record(ChecklistStep step, const QString& kind, const QByteArray& detailJson)
{
    if (auto appended = m_history.appendEvent(kind, subjectFor(step), detailJson); !appended)
        return appended.error().message;
    const Expected<Checklist, QString> checklist = load();
    if (!checklist)
        return checklist.error();
    const StepRecord& record = checklist->step(step);
    QSqlQuery q(QSqlDatabase::database(m_history.connectionName()));
    q.prepare(u"INSERT INTO checklist_steps (step, state, note, updated_utc, updated_by) "
              u"VALUES (?, ?, COALESCE(?, ''), ?, COALESCE(?, '')) "
              u"ON CONFLICT(step) DO UPDATE SET state = excluded.state, note = excluded.note, "
              u"updated_utc = excluded.updated_utc, updated_by = excluded.updated_by"_s);
    q.addBindValue(QString(checklistStepKey(step)));
    q.addBindValue(QString(stepStatusName(evaluateStep(record).status)));
    q.addBindValue(record.currentNote());
    q.addBindValue(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    q.addBindValue(actorName());
    if (!q.exec())
        return u"History database %1: cannot record the state of step '%2': %3"_s.arg(
            m_history.path(), checklistStepTitle(step), q.lastError().text());
    return {};
}

Expected<void, QString> ChecklistStore::recordRun(ChecklistStep step, const ChecklistRun& run)
{
    return record(step, kRun, compactJson(runToJson(run)));
}

Expected<void, QString> ChecklistStore::recordAttestation(ChecklistStep step, const QString& item, bool given)
{
    if (!attestationItem(step, item)) {
        QStringList known;
        for (const AttestationItem& i : attestationItems(step))
            known.append(i.key);
        return u"Step '%1' has no attestation '%2'; it has: %3."_s.arg(checklistStepTitle(step), item,
                                                                       known.join(u", "_s));
    }
    return record(step, kAttest, compactJson({{u"item"_s, item}, {u"given"_s, given}}));
}

Expected<void, QString> ChecklistStore::recordNote(ChecklistStep step, const QString& text)
{
    return record(step, kNote, compactJson({{u"text"_s, text}}));
}

Expected<void, QString> ChecklistStore::recordOverride(ChecklistStep step, const QString& reason)
{
    if (std::optional<QString> refused = checkOverrideReason(reason))
        return *refused;
    return record(step, kOverride, compactJson({{u"reason"_s, reason.trimmed()}}));
}

HistoryResult<std::optional<ScanFacts>> ChecklistStore::latestScan() const
{
    QSqlQuery q(QSqlDatabase::database(m_history.connectionName()));
    if (!q.exec(u"SELECT id, finished_utc, matched, drift_items, summary_json FROM scans ORDER BY id DESC LIMIT 1"_s))
        return HistoryError{
            u"History database %1: cannot read the latest scan: %2"_s.arg(m_history.path(), q.lastError().text())};
    if (!q.next())
        return std::optional<ScanFacts>();
    ScanFacts facts;
    facts.id = q.value(0).toLongLong();
    facts.finished = parseUtc(q.value(1).toString());
    facts.matched = q.value(2).toLongLong();
    facts.driftItems = q.value(3).toLongLong();
    const QJsonObject summary = QJsonDocument::fromJson(q.value(4).toString().toUtf8()).object();
    // DriftReportWriter's summary: {"bySeverity": {"critical": n, …}}, possibly nested under "summary".
    QJsonObject bySeverity = summary.value("bySeverity"_L1).toObject();
    if (bySeverity.isEmpty())
        bySeverity = summary.value("summary"_L1).toObject().value("bySeverity"_L1).toObject();
    facts.criticalItems = bySeverity.value("critical"_L1).toInteger();
    return std::optional<ScanFacts>(facts);
}

} // namespace sunset
