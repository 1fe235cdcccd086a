// SPDX-License-Identifier: Apache-2.0
// The records an export covers and the export file; each format has its file (HistoryExportCsv.cpp,
// HistoryExportJson.cpp, HistoryExportLdif.cpp, HistoryExportPdf.cpp).
#include "HistoryExportSelection.h"

#include "platform/OwnerOnlyFile.h"

#include <QDir>
#include <QSet>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QString exportUtcText(const QDateTime& t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QString();
}

namespace {

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

} // namespace

HistoryResult<ExportSelection> selectForExport(const HistoryStore& store, const HistoryExportFilter& f)
{
    if (f.since && f.until && *f.since > *f.until)
        return HistoryError{u"The date range is empty: %1 is after %2."_s.arg(f.since->toString(Qt::ISODate),
                                                                              f.until->toString(Qt::ISODate))};
    ExportSelection s;
    const auto allBatches = store.batches();
    if (!allBatches)
        return allBatches.error();
    if (f.batchId > 0 &&
        std::none_of(allBatches->begin(), allBatches->end(), [&f](const StoredBatch& b) { return b.id == f.batchId; }))
        return HistoryError{
            u"History database %1 has no batch %2."_s.arg(QDir::toNativeSeparators(store.path())).arg(f.batchId)};
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

HistoryResult<void> writeExportFile(const QString& path, const QByteArray& bytes)
{
    if (auto written = writeOwnerOnlyFile(path, bytes); !written)
        return HistoryError{written.error().message};
    return {};
}

} // namespace sunset
