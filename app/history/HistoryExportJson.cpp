// SPDX-License-Identifier: Apache-2.0
// History as JSON (HistoryExport.h's historyJson; the format is documented in docs/formats.md).
#include "HistoryExportSelection.h"

#include "BreakGlass.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QJsonValue utcJson(const QDateTime& t)
{
    return t.isValid() ? QJsonValue(t.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue(QJsonValue::Null);
}

QJsonObject auditHeadJson(const HistoryVerification& head)
{
    return {{u"events"_s, head.events},
            {u"hash"_s, QString::fromLatin1(head.headHash)},
            {u"anchor"_s, HistoryAnchor{head.headHash, head.events}.toString()},
            {u"intact"_s, head.intact()},
            {u"message"_s, head.message}};
}

} // namespace

HistoryResult<QByteArray> historyJson(const HistoryStore& store, const HistoryExportFilter& filter)
{
    auto selected = selectForExport(store, filter);
    if (!selected)
        return selected.error();
    const ExportSelection& s = selected.value();
    QJsonObject filterJson;
    if (filter.since)
        filterJson.insert(u"since"_s, filter.since->toString(Qt::ISODate));
    if (filter.until)
        filterJson.insert(u"until"_s, filter.until->toString(Qt::ISODate));
    if (filter.batchId > 0)
        filterJson.insert(u"batch"_s, filter.batchId);
    if (!filter.object.isEmpty())
        filterJson.insert(u"object"_s, filter.object);

    QJsonArray scans;
    for (size_t i = 0; i < s.scans.size(); ++i) {
        const StoredScan& scan = s.scans[i];
        const ScanRecord& r = scan.record;
        QJsonObject o{
            {u"id"_s, scan.id},
            {u"startedUtc"_s, utcJson(r.started)},
            {u"finishedUtc"_s, utcJson(r.finished)},
            {u"recordedUtc"_s, utcJson(scan.recordedAt)},
            {u"recordedBy"_s, scan.recordedBy},
            {u"sources"_s, QJsonObject{{u"ad"_s, r.adSource}, {u"exo"_s, r.exoSource}, {u"graph"_s, r.graphSource}}},
            {u"adMailboxes"_s, r.adMailboxes},
            {u"cloudMailboxes"_s, r.cloudMailboxes},
            {u"matched"_s, r.matched},
            {u"driftItems"_s, r.driftItems},
            {u"summary"_s, QJsonDocument::fromJson(r.summaryJson).object()}};
        if (!filter.object.isEmpty()) {
            QJsonArray drift;
            for (const RecordedDrift& d : s.drift[i])
                drift.append(recordedDriftJson(d));
            o.insert(u"drift"_s, drift);
        }
        scans.append(o);
    }
    QJsonArray decisions;
    for (const StoredDecision& d : s.decisions)
        decisions.append(QJsonObject{{u"id"_s, d.id},
                                     {u"scan"_s, d.record.scanId},
                                     {u"dn"_s, d.record.dn},
                                     {u"attribute"_s, QString(AttributeCatalog::spec(d.record.attribute).ldapName)},
                                     {u"decision"_s, QString(decisionKindName(d.record.decision))},
                                     {u"reason"_s, d.record.reason},
                                     {u"osUser"_s, d.osUser},
                                     {u"bindIdentity"_s, d.bindIdentity},
                                     {u"decidedUtc"_s, utcJson(d.decidedAt)}});
    QJsonArray batches;
    for (size_t i = 0; i < s.batches.size(); ++i) {
        const StoredBatch& b = s.batches[i];
        QJsonArray changes;
        for (const StoredChange& c : s.changes[i])
            changes.append(QJsonObject{{u"id"_s, c.id},
                                       {u"object"_s, c.objectSeq},
                                       {u"dn"_s, c.dn},
                                       {u"attribute"_s, QString(AttributeCatalog::spec(c.attribute).ldapName)},
                                       {u"before"_s, QJsonArray::fromStringList(c.before)},
                                       {u"after"_s, QJsonArray::fromStringList(c.after)},
                                       {u"cloudManaged"_s, c.cloudManaged},
                                       {u"state"_s, QString(changeStateName(c.state))},
                                       {u"ldapCode"_s, c.ldapCode},
                                       {u"ldapMessage"_s, c.ldapMessage},
                                       {u"sentUtc"_s, utcJson(c.sentAt)},
                                       {u"settledUtc"_s, utcJson(c.settledAt)}});
        batches.append(QJsonObject{{u"id"_s, b.id},
                                   {u"scan"_s, b.scanId > 0 ? QJsonValue(b.scanId) : QJsonValue(QJsonValue::Null)},
                                   {u"state"_s, QString(batchStateName(b.state))},
                                   {u"createdUtc"_s, utcJson(b.createdAt)},
                                   {u"createdBy"_s, b.createdBy},
                                   {u"approvedUtc"_s, utcJson(b.approvedAt)},
                                   {u"approvedBy"_s, b.approvedBy},
                                   {u"approvedBind"_s, b.approvedBind},
                                   {u"objects"_s, b.objectCount},
                                   {u"values"_s, b.valueCount},
                                   {u"secondConfirmation"_s, b.secondConfirmation},
                                   {u"undoOf"_s, b.undoOf > 0 ? QJsonValue(b.undoOf) : QJsonValue(QJsonValue::Null)},
                                   {u"warnings"_s, QJsonArray::fromStringList(b.warnings)},
                                   {u"breakGlassReason"_s, breakGlassReasonText(b)},
                                   {u"cloudSync"_s, QJsonDocument::fromJson(b.breakGlassCloudSync).array()},
                                   {u"changes"_s, changes}});
    }
    QJsonArray events;
    for (const StoredEvent& e : s.events) {
        const QJsonDocument detail = QJsonDocument::fromJson(e.detailJson);
        events.append(
            QJsonObject{{u"id"_s, e.id},
                        {u"atUtc"_s, utcJson(e.at)},
                        {u"osUser"_s, e.osUser},
                        {u"bindIdentity"_s, e.bindIdentity},
                        {u"kind"_s, e.kind},
                        {u"subject"_s, e.subject},
                        {u"detail"_s, detail.isArray() ? QJsonValue(detail.array()) : QJsonValue(detail.object())},
                        {u"prevHash"_s, QString::fromLatin1(e.prevHash)},
                        {u"hash"_s, QString::fromLatin1(e.hash)}});
    }
    const QJsonObject root{{u"format"_s, QString(kHistoryJsonFormat)},
                           {u"version"_s, kHistoryJsonVersion},
                           {u"exportedUtc"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                           {u"database"_s, QDir::toNativeSeparators(store.path())},
                           {u"filter"_s, filterJson},
                           {u"auditHead"_s, auditHeadJson(s.head)},
                           {u"scans"_s, scans},
                           {u"decisions"_s, decisions},
                           {u"batches"_s, batches},
                           {u"events"_s, events}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

} // namespace sunset
