// SPDX-License-Identifier: Apache-2.0
#include "HistoryExport.h"

#include "platform/OwnerOnlyFile.h"

#include "BreakGlass.h"
#include "CsvCell.h"
#include "ScanRecording.h"

#include <QAbstractTextDocumentLayout>
#include <QDir>
#include <QGuiApplication>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSet>
#include <QTextDocument>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QString utcText(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QString();
}

QJsonValue utcJson(const QDateTime& t)
{
    return t.isValid() ? QJsonValue(t.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue(QJsonValue::Null);
}

// Everything an export covers, selected once by the filter; CSV and JSON only differ in how they write it.
struct Selection {
    std::vector<StoredScan> scans;                    // oldest first, with their JSON
    std::vector<std::vector<RecordedDrift>> drift;    // per scan: the items naming the object (object filter only)
    std::vector<StoredDecision> decisions;
    std::vector<StoredBatch> batches;
    std::vector<std::vector<StoredChange>> changes; // per batch
    std::vector<StoredEvent> events;
    HistoryVerification head;
};

bool inDates(const QDateTime& t, const HistoryExportFilter& f)
{
    if (!f.since && !f.until)
        return true;
    if (!t.isValid())
        return false;
    const QDate d = t.toUTC().date();
    return (!f.since || d >= *f.since) && (!f.until || d <= *f.until);
}

bool names(const QString& text, const HistoryExportFilter& f)
{
    return f.object.isEmpty() || text.contains(f.object, Qt::CaseInsensitive);
}

HistoryResult<Selection> select(const HistoryStore& store, const HistoryExportFilter& f)
{
    if (f.since && f.until && *f.since > *f.until)
        return HistoryError{u"The date range is empty: %1 is after %2."_s.arg(f.since->toString(Qt::ISODate),
                                                                              f.until->toString(Qt::ISODate))};
    Selection s;
    const auto allBatches = store.batches();
    if (!allBatches)
        return allBatches.error();
    if (f.batchId > 0 && std::none_of(allBatches->begin(), allBatches->end(),
                                      [&f](const StoredBatch& b) { return b.id == f.batchId; }))
        return HistoryError{u"History database %1 has no batch %2."_s.arg(QDir::toNativeSeparators(store.path()))
                                .arg(f.batchId)};
    QSet<qint64> batchScans;
    for (const StoredBatch& b : allBatches.value()) {
        if (f.batchId > 0 && b.id != f.batchId)
            continue;
        auto changes = store.changes(b.id);
        if (!changes)
            return changes.error();
        std::vector<StoredChange> kept;
        for (StoredChange& c : changes.value())
            if (names(c.dn, f))
                kept.push_back(std::move(c));
        if (!f.object.isEmpty() && kept.empty())
            continue; // the batch never touched the object
        if (!inDates(b.createdAt, f) && std::none_of(kept.begin(), kept.end(), [&f](const StoredChange& c) {
                return inDates(c.settledAt.isValid() ? c.settledAt : c.sentAt, f);
            }))
            continue;
        batchScans.insert(b.scanId);
        s.batches.push_back(b);
        s.changes.push_back(std::move(kept));
    }

    const auto scans = store.scans();
    if (!scans)
        return scans.error();
    for (auto it = scans->rbegin(); it != scans->rend(); ++it) {
        if (f.batchId > 0 && !batchScans.contains(it->id))
            continue;
        if (!inDates(it->record.started.isValid() ? it->record.started : it->recordedAt, f))
            continue;
        auto full = store.scan(it->id);
        if (!full)
            return full.error();
        std::vector<RecordedDrift> items;
        if (!f.object.isEmpty()) {
            auto drift = recordedDrift(full->record.driftJson);
            if (!drift)
                return drift.error();
            for (RecordedDrift& d : drift.value())
                if (names(d.selection.dn, f) || names(d.upn, f))
                    items.push_back(std::move(d));
        }
        full->record.driftJson.clear(); // the items kept above are all an export carries
        full->record.mailboxes.reset();
        s.scans.push_back(std::move(full.value()));
        s.drift.push_back(std::move(items));
    }
    QSet<qint64> scanIds;
    for (const StoredScan& scan : s.scans)
        scanIds.insert(scan.id);

    const auto decisions = store.decisions();
    if (!decisions)
        return decisions.error();
    QSet<QString> decisionSubjects;
    for (const StoredDecision& d : decisions.value()) {
        if (f.batchId > 0 && !scanIds.contains(d.record.scanId))
            continue;
        if (!names(d.record.dn, f) || !inDates(d.decidedAt, f))
            continue;
        decisionSubjects.insert(u"decision %1"_s.arg(d.id));
        s.decisions.push_back(d);
    }

    const auto events = store.events();
    if (!events)
        return events.error();
    QSet<QString> subjects = decisionSubjects;
    for (const StoredBatch& b : s.batches)
        subjects.insert(u"batch %1"_s.arg(b.id));
    for (const StoredScan& scan : s.scans)
        subjects.insert(u"scan %1"_s.arg(scan.id));
    const bool narrowed = f.batchId > 0 || !f.object.isEmpty();
    for (const StoredEvent& e : events.value()) {
        if (!inDates(e.at, f))
            continue;
        if (narrowed && !subjects.contains(e.subject) &&
            (f.object.isEmpty() || !QString::fromUtf8(e.detailJson).contains(f.object, Qt::CaseInsensitive)))
            continue;
        s.events.push_back(e);
    }
    s.head = store.verify();
    return s;
}

// --- CSV -------------------------------------------------------------------------------------------------------

QByteArray csvText(const QString& text)
{
    return csvCell(text).toUtf8();
}

QByteArray csvNumber(qint64 n)
{
    return QByteArray::number(n);
}

const QList<QByteArray> kCsvColumns{"record",    "id",     "at_utc",    "os_user",      "bind_identity", "scan_id",
                                    "batch_id",  "dn",     "attribute", "state",        "before",        "after",
                                    "ldap_code", "detail", "hash",      "cloud_managed"};

struct CsvRow {
    CsvRow(QByteArray r, qint64 i, QDateTime t) : record(std::move(r)), id(i), at(std::move(t)) {}
    QByteArray record;
    qint64 id = 0;
    QDateTime at;
    QString osUser, bind;
    qint64 scanId = 0, batchId = 0;
    QString dn, attribute, state;
    QStringList before, after;
    std::optional<int> ldapCode;
    QString detail;
    QString hash;
    QString cloudManaged; // "true" or "false" for a drift item or a change; empty when not stated

    QByteArray line() const
    {
        const auto optional = [](qint64 n) { return n > 0 ? QByteArray::number(n) : QByteArray(); };
        const QList<QByteArray> cells{csvText(QString::fromLatin1(record)),
                                      csvNumber(id),
                                      csvText(utcText(at)),
                                      csvText(osUser),
                                      csvText(bind),
                                      optional(scanId),
                                      optional(batchId),
                                      csvText(dn),
                                      csvText(attribute),
                                      csvText(state),
                                      csvValuesCell(before).toUtf8(),
                                      csvValuesCell(after).toUtf8(),
                                      ldapCode ? csvNumber(*ldapCode) : QByteArray(),
                                      csvText(detail),
                                      csvText(hash),
                                      csvText(cloudManaged)};
        return cells.join(',') + "\r\n";
    }
};

} // namespace

HistoryResult<QByteArray> historyCsv(const HistoryStore& store, const HistoryExportFilter& filter)
{
    auto selected = select(store, filter);
    if (!selected)
        return selected.error();
    const Selection& s = selected.value();
    QByteArray out = kCsvColumns.join(',') + "\r\n";
    for (size_t i = 0; i < s.scans.size(); ++i) {
        const StoredScan& scan = s.scans[i];
        const ScanRecord& r = scan.record;
        CsvRow row("scan", scan.id, r.started);
        row.osUser = scan.recordedBy;
        row.scanId = scan.id;
        row.detail = u"AD %1; Exchange Online %2; Graph %3; finished %4; %5 AD mailboxes, %6 cloud mailboxes, "
                     u"%7 matched, %8 drift items"_s.arg(r.adSource, r.exoSource, r.graphSource, utcText(r.finished))
                         .arg(r.adMailboxes)
                         .arg(r.cloudMailboxes)
                         .arg(r.matched)
                         .arg(r.driftItems);
        out += row.line();
        for (const RecordedDrift& d : s.drift[i]) {
            const DriftItem& item = d.selection.item;
            CsvRow drift("drift", 0, r.started);
            drift.scanId = scan.id;
            drift.dn = d.selection.dn;
            drift.attribute = AttributeCatalog::spec(item.attribute).ldapName;
            drift.state = item.writable ? u"writable"_s : u"read-only"_s;
            drift.before = item.ad;
            drift.after = item.writable ? item.adTarget : item.cloud;
            drift.cloudManaged = d.selection.cloudManaged;
            drift.detail = u"%1; %2; %3; cloud %4"_s.arg(
                d.upn, severityName(item.severity), driftCauseKey(item.cause),
                QString::fromUtf8(
                    QJsonDocument(QJsonArray::fromStringList(item.cloud)).toJson(QJsonDocument::Compact)));
            if (!d.because.isEmpty()) // the cause as measured at the scan, with its evidence (drift version 2)
                drift.detail += u"; because: "_s + d.because;
            out += drift.line();
        }
    }
    for (const StoredDecision& d : s.decisions) {
        CsvRow row("decision", d.id, d.decidedAt);
        row.osUser = d.osUser;
        row.bind = d.bindIdentity;
        row.scanId = d.record.scanId;
        row.dn = d.record.dn;
        row.attribute = AttributeCatalog::spec(d.record.attribute).ldapName;
        row.state = decisionKindName(d.record.decision);
        row.detail = d.record.reason;
        out += row.line();
    }
    for (size_t i = 0; i < s.batches.size(); ++i) {
        const StoredBatch& b = s.batches[i];
        CsvRow row("batch", b.id, b.createdAt);
        row.osUser = b.createdBy;
        row.bind = b.approvedBind;
        row.scanId = b.scanId;
        row.batchId = b.id;
        row.state = batchStateName(b.state);
        row.detail = u"%1 objects, %2 values"_s.arg(b.objectCount).arg(b.valueCount);
        if (b.approvedAt.isValid())
            row.detail += u"; approved %1 by %2"_s.arg(utcText(b.approvedAt), b.approvedBy);
        if (b.undoOf > 0)
            row.detail += u"; reverses batch %1"_s.arg(b.undoOf);
        row.detail += u"; break-glass reason: "_s + breakGlassReasonText(b);
        for (const QString& label : cloudSyncLabels(b.breakGlassCloudSync))
            row.detail += u"; Cloud Sync: "_s + label;
        for (const QString& w : b.warnings)
            row.detail += u"; warning: "_s + w;
        out += row.line();
        for (const StoredChange& c : s.changes[i]) {
            CsvRow change("change", c.id, c.settledAt.isValid() ? c.settledAt : c.sentAt);
            change.scanId = b.scanId;
            change.batchId = b.id;
            change.dn = c.dn;
            change.attribute = AttributeCatalog::spec(c.attribute).ldapName;
            change.state = changeStateName(c.state);
            change.before = c.before;
            change.after = c.after;
            change.ldapCode = c.ldapCode;
            change.detail = c.ldapMessage;
            change.cloudManaged = c.cloudManaged ? u"true"_s : u"false"_s;
            out += change.line();
        }
    }
    for (const StoredEvent& e : s.events) {
        CsvRow row("event", e.id, e.at);
        row.osUser = e.osUser;
        row.bind = e.bindIdentity;
        row.state = e.kind;
        row.detail = e.subject + u' ' + QString::fromUtf8(e.detailJson);
        row.hash = QString::fromLatin1(e.hash);
        out += row.line();
    }
    return out;
}

namespace {

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
    auto selected = select(store, filter);
    if (!selected)
        return selected.error();
    const Selection& s = selected.value();
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
        QJsonObject o{{u"id"_s, scan.id},
                      {u"startedUtc"_s, utcJson(r.started)},
                      {u"finishedUtc"_s, utcJson(r.finished)},
                      {u"recordedUtc"_s, utcJson(scan.recordedAt)},
                      {u"recordedBy"_s, scan.recordedBy},
                      {u"sources"_s, QJsonObject{{u"ad"_s, r.adSource},
                                                  {u"exo"_s, r.exoSource},
                                                  {u"graph"_s, r.graphSource}}},
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
        events.append(QJsonObject{{u"id"_s, e.id},
                                  {u"atUtc"_s, utcJson(e.at)},
                                  {u"osUser"_s, e.osUser},
                                  {u"bindIdentity"_s, e.bindIdentity},
                                  {u"kind"_s, e.kind},
                                  {u"subject"_s, e.subject},
                                  {u"detail"_s, detail.isArray() ? QJsonValue(detail.array())
                                                                 : QJsonValue(detail.object())},
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

std::optional<HistoryError> writeExportFile(const QString& path, const QByteArray& bytes)
{
    if (auto error = writeOwnerOnlyFile(path, bytes))
        return HistoryError{std::move(error->message)};
    return std::nullopt;
}

namespace {

QString html(const QString& text)
{
    return text.toHtmlEscaped();
}

QString valuesHtml(const QStringList& values)
{
    if (values.isEmpty())
        return u"<i>(none)</i>"_s;
    QStringList out;
    for (const QString& v : values)
        out << u"\u201C"_s + html(v) + u"\u201D"_s;
    return out.join(u"<br>"_s);
}

QString causeKey(const QString& dn, AttributeId attribute)
{
    return dn.toCaseFolded() + u'\n' + QString::number(int(attribute));
}

// Each drift item's cause in words as its scan measured it (drift format version 2), by DN and attribute; empty
// for a scan recorded without them (or none).
QHash<QString, QString> causesOfScan(const HistoryStore& store, qint64 scanId)
{
    QHash<QString, QString> out;
    if (scanId <= 0)
        return out;
    const auto scan = store.scan(scanId);
    if (!scan)
        return out;
    const auto drift = recordedDrift(scan->record.driftJson);
    if (!drift)
        return out;
    for (const RecordedDrift& d : drift.value())
        if (!d.because.isEmpty())
            out.insert(causeKey(d.selection.dn, d.selection.item.attribute), d.because);
    return out;
}

QString batchReportHtml(const HistoryStore& store, const StoredBatch& b, const std::vector<StoredChange>& changes,
                        const std::vector<StoredEvent>& events, const HistoryVerification& head)
{
    const QHash<QString, QString> causes = causesOfScan(store, b.scanId);
    qint64 counts[int(ChangeState::NotSent) + 1] = {};
    for (const StoredChange& c : changes)
        ++counts[int(c.state)];
    QString h;
    h += u"<h1>Sunset writeback batch %1</h1>"_s.arg(b.id);
    h += u"<table cellpadding='3'>"_s;
    const auto row = [&h](const QString& key, const QString& value) {
        h += u"<tr><td><b>%1</b></td><td>%2</td></tr>"_s.arg(html(key), value);
    };
    row(u"State"_s, html(QString(batchStateName(b.state))));
    row(u"Created"_s, html(utcText(b.createdAt) + u" by "_s + b.createdBy));
    row(u"Approved"_s, b.approvedAt.isValid()
                           ? html(utcText(b.approvedAt) + u" by "_s + b.approvedBy +
                                  (b.approvedBind.isEmpty() ? QString() : u", bound to AD as "_s + b.approvedBind))
                           : u"<i>not approved</i>"_s);
    row(u"Break-glass reason"_s, html(breakGlassReasonText(b)));
    if (const QStringList labels = cloudSyncLabels(b.breakGlassCloudSync); !labels.isEmpty()) {
        QStringList lines;
        for (const QString& label : labels)
            lines << html(label);
        row(u"Cloud Sync"_s, lines.join(u"<br>"_s));
    }
    if (b.scanId > 0)
        row(u"From scan"_s, QString::number(b.scanId));
    if (b.undoOf > 0)
        row(u"Reverses batch"_s, QString::number(b.undoOf));
    row(u"Objects"_s, QString::number(b.objectCount));
    row(u"Values"_s, html(u"%1 (deleted and added)"_s.arg(b.valueCount)));
    QStringList results;
    for (int i = 0; i <= int(ChangeState::NotSent); ++i)
        if (counts[i] > 0)
            results << u"%1 %2"_s.arg(counts[i]).arg(changeStateName(ChangeState(i)));
    row(u"Changes"_s, html(u"%1: %2"_s.arg(changes.size()).arg(results.join(u", "_s))));
    row(u"History"_s, html(QDir::toNativeSeparators(store.path())));
    row(u"Printed"_s, html(utcText(QDateTime::currentDateTimeUtc()) + u" by "_s + store.actor().osUser));
    h += u"</table>"_s;
    for (const QString& w : b.warnings)
        h += u"<p><b>Warning:</b> %1</p>"_s.arg(html(w));

    h += u"<h2>Changes</h2>"_s;
    // The changes go in tables of at most kRowsPerTable rows: QTextDocument walks every cell of a table to paint
    // any page of it, so one table of 20,000 changes took 34 s to print (quadratic), chunks take linear time.
    constexpr int kRowsPerTable = 100;
    const QString changesTable = u"<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
                                 u"<thead><tr><th width='20%'>Attribute</th><th width='33%'>Before</th>"
                                 u"<th width='33%'>After</th><th width='14%'>Result</th></tr></thead>"_s;
    h += changesTable;
    QString dn;
    int rowsInTable = 0;
    for (const StoredChange& c : changes) {
        if (rowsInTable >= kRowsPerTable) {
            h += u"</table>"_s + changesTable;
            rowsInTable = 0;
            dn.clear(); // the next table names its object again
        }
        ++rowsInTable;
        if (c.dn != dn) {
            dn = c.dn;
            h += u"<tr><td colspan='4' bgcolor='#e8e8e8'><b>%1</b></td></tr>"_s.arg(html(dn));
        }
        QString result = html(QString(changeStateName(c.state)));
        if (c.state != ChangeState::Planned)
            result += u"<br>LDAP %1"_s.arg(c.ldapCode);
        if (!c.ldapMessage.isEmpty())
            result += u"<br>"_s + html(c.ldapMessage);
        QString attribute = html(QString(AttributeCatalog::spec(c.attribute).ldapName));
        if (const QString because = causes.value(causeKey(c.dn, c.attribute)); !because.isEmpty())
            attribute += u"<br><i>Cause at scan %1: %2</i>"_s.arg(b.scanId).arg(html(because));
        h += u"<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td></tr>"_s.arg(attribute, valuesHtml(c.before),
                                                                            valuesHtml(c.after), result);
    }
    h += u"</table>"_s;

    // Who did what to this batch, from the audit log: each event with its OS user and AD bind identity.
    h += u"<h2>Audit trail of batch %1</h2>"_s.arg(b.id);
    h += u"<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
         u"<tr><th width='8%'>Event</th><th width='22%'>Time (UTC)</th><th width='20%'>What</th>"
         u"<th width='20%'>OS user</th><th width='30%'>Bound to AD as</th></tr>"_s;
    const QString subject = u"batch %1"_s.arg(b.id);
    for (const StoredEvent& e : events) {
        if (e.subject != subject)
            continue;
        h += u"<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td></tr>"_s.arg(e.id)
                 .arg(html(utcText(e.at)), html(e.kind), html(e.osUser), html(e.bindIdentity));
    }
    h += u"</table>"_s;

    h += u"<h2>Audit log</h2>"_s;
    h += u"<p>%1</p>"_s.arg(html(head.message));
    h += u"<p>Head of the audit log when printed (check it later with <tt>sunset-cli history verify "
         u"--expect-head</tt>):<br><tt>%1</tt></p>"_s.arg(html(HistoryAnchor{head.headHash, head.events}.toString()));
    return h;
}

} // namespace

std::optional<HistoryError> writeBatchReportPdf(const HistoryStore& store, qint64 batchId, const QString& path,
                                                const HistoryExportProgress& progress)
{
    const auto goOn = [&progress](int done, int total) { return !progress || progress(done, total); };
    const HistoryError cancelled{u"The report of batch %1 was cancelled; nothing was written to %2."_s.arg(batchId).arg(
        QDir::toNativeSeparators(path))};
    if (!qobject_cast<QGuiApplication*>(QCoreApplication::instance()))
        return HistoryError{u"The PDF report needs a QGuiApplication (fonts); sunset-cli creates one for "
                            u"'history export --format pdf'."_s};
    const auto batch = store.batch(batchId);
    if (!batch)
        return batch.error();
    const auto changes = store.changes(batchId);
    if (!changes)
        return changes.error();
    const auto events = store.events();
    if (!events)
        return events.error();
    const HistoryVerification head = store.verify();

    OwnerOnlyFile file(path);
    if (auto error = file.open())
        return HistoryError{std::move(error->message)};
    int pages = 0;
    {
        QPdfWriter writer(file.device());
        writer.setTitle(u"Sunset writeback batch %1"_s.arg(batchId));
        writer.setCreator(u"Sunset"_s);
        writer.setResolution(300);
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(15, 15, 15, 15),
                                         QPageLayout::Millimeter));
        QPainter painter;
        if (!painter.begin(&writer))
            return HistoryError{u"Cannot start the PDF %1."_s.arg(QDir::toNativeSeparators(path))};
        const QRect page = writer.pageLayout().paintRectPixels(writer.resolution());
        // The footer (page N of M) takes the bottom line; the document flows in the rest.
        const int footerHeight = writer.resolution() / 4;
        QTextDocument document;
        QFont font(u"DejaVu Sans"_s);
        font.setPointSizeF(9);
        // Letter spacing turns ligatures off (Qt shapes "ff" as one glyph otherwise): a DN or an address copied
        // from the report, or searched in it, must be the exact characters.
        font.setLetterSpacing(QFont::AbsoluteSpacing, 0.1);
        document.setDefaultFont(font);
        document.documentLayout()->setPaintDevice(&writer);
        if (!goOn(0, 0))
            return cancelled;
        document.setHtml(batchReportHtml(store, batch.value(), changes.value(), events.value(), head));
        const QSizeF bodySize(page.width(), page.height() - footerHeight);
        document.setPageSize(bodySize);
        pages = document.pageCount(); // lays the whole document out before the first page is painted
        for (int i = 0; i < pages; ++i) {
            if (!goOn(i, pages)) {
                painter.end();
                return cancelled;
            }
            if (i > 0)
                writer.newPage();
            painter.save();
            const QRectF clip(0, i * bodySize.height(), bodySize.width(), bodySize.height());
            painter.translate(0, -clip.top());
            document.drawContents(&painter, clip);
            painter.restore();
            painter.setFont(font);
            painter.drawText(QRect(0, page.height() - footerHeight, page.width(), footerHeight),
                             Qt::AlignRight | Qt::AlignBottom,
                             u"Sunset batch %1 \u2014 page %2 of %3"_s.arg(batchId).arg(i + 1).arg(pages));
        }
        painter.end();
    }
    if (!goOn(pages, pages))
        return cancelled;
    if (auto error = file.commit())
        return HistoryError{std::move(error->message)};
    return std::nullopt;
}

} // namespace sunset
