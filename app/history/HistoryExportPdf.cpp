// SPDX-License-Identifier: Apache-2.0
// One batch as a printable PDF report (HistoryExport.h's writeBatchReportPdf).
#include "HistoryExportSelection.h"

#include "platform/OwnerOnlyFile.h"

#include "BreakGlass.h"

#include <QAbstractTextDocumentLayout>
#include <QDir>
#include <QGuiApplication>
#include <QHash>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

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
    row(u"Created"_s, html(exportUtcText(b.createdAt) + u" by "_s + b.createdBy));
    row(u"Approved"_s, b.approvedAt.isValid()
                           ? html(exportUtcText(b.approvedAt) + u" by "_s + b.approvedBy +
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
    row(u"Printed"_s, html(exportUtcText(QDateTime::currentDateTimeUtc()) + u" by "_s + store.actor().osUser));
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
        h += u"<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td></tr>"_s.arg(e.id).arg(
            html(exportUtcText(e.at)), html(e.kind), html(e.osUser), html(e.bindIdentity));
    }
    h += u"</table>"_s;

    h += u"<h2>Audit log</h2>"_s;
    h += u"<p>%1</p>"_s.arg(html(head.message));
    h += u"<p>Head of the audit log when printed (check it later with <tt>sunset-cli history verify "
         u"--expect-head</tt>):<br><tt>%1</tt></p>"_s.arg(html(HistoryAnchor{head.headHash, head.events}.toString()));
    return h;
}

} // namespace

HistoryResult<void> writeBatchReportPdf(const HistoryStore& store, qint64 batchId, const QString& path,
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
    if (auto opened = file.open(); !opened)
        return HistoryError{opened.error().message};
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
    if (auto committed = file.commit(); !committed)
        return HistoryError{committed.error().message};
    return {};
}

} // namespace sunset
