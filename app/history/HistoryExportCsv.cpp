// SPDX-License-Identifier: Apache-2.0
// History as CSV (HistoryExport.h's historyCsv).
#include "HistoryExportSelection.h"

#include "BreakGlass.h"
#include "CsvCell.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

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
    CsvRow(QByteArray r, qint64 i, QDateTime t)
        : record(std::move(r))
        , id(i)
        , at(std::move(t))
    {
    }
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
                                      csvText(exportUtcText(at)),
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
    auto selected = selectForExport(store, filter);
    if (!selected)
        return selected.error();
    const ExportSelection& s = selected.value();
    QByteArray out = kCsvColumns.join(',') + "\r\n";
    for (size_t i = 0; i < s.scans.size(); ++i) {
        const StoredScan& scan = s.scans[i];
        const ScanRecord& r = scan.record;
        CsvRow row("scan", scan.id, r.started);
        row.osUser = scan.recordedBy;
        row.scanId = scan.id;
        row.detail =
            u"AD %1; Exchange Online %2; Graph %3; finished %4; %5 AD mailboxes, %6 cloud mailboxes, "
            u"%7 matched, %8 drift items"_s.arg(r.adSource, r.exoSource, r.graphSource, exportUtcText(r.finished))
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
            row.detail += u"; approved %1 by %2"_s.arg(exportUtcText(b.approvedAt), b.approvedBy);
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

} // namespace sunset
