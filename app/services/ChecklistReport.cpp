// SPDX-License-Identifier: Apache-2.0
#include "ChecklistReport.h"
#include "platform/OwnerOnlyFile.h"

#include "HistoryExport.h"

#include <QGuiApplication>
#include <QPageSize>
#include <QPdfWriter>
#include <QTextDocument>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QString checklistLevelTitle(FindingLevel level)
{
    switch (level) {
    case FindingLevel::Pass:
        return u"OK"_s;
    case FindingLevel::Info:
        return u"Info"_s;
    case FindingLevel::Warning:
        return u"Warning"_s;
    case FindingLevel::Blocking:
        return u"Blocking"_s;
    case FindingLevel::Unread:
        return u"Not read"_s;
    }
    return {};
}

QString checklistStamp(const QDateTime& at, const QString& by)
{
    return at.toUTC().toString(u"yyyy-MM-dd HH:mm 'UTC'"_s) + u", "_s + by;
}

namespace {

// The report as HTML for QTextDocument, which paginates it onto the PDF writer.
QString reportHtml(const Checklist& checklist, const QString& generatedBy)
{
    auto esc = [](const QString& s) { return s.toHtmlEscaped(); };
    QString html = u"<html><body style='font-family:sans-serif;font-size:9pt'>"
                   "<h1>Exchange Server decommission checklist</h1>"_s;
    html += u"<p>Generated %1 by %2. Overall: <b>%3</b>.</p>"_s.arg(
        QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd HH:mm 'UTC'"_s), esc(generatedBy),
        checklist.complete() ? u"every step passed or overridden"_s : u"not complete"_s);
    html += u"<table border='1' cellspacing='0' cellpadding='3'><tr><th>Step</th><th>Status</th></tr>"_s;
    for (const StepRecord& r : checklist.steps)
        html += u"<tr><td>%1</td><td>%2</td></tr>"_s.arg(esc(checklistStepTitle(r.step)),
                                                         stepStatusTitle(evaluateStep(r).status));
    html += u"</table>"_s;
    int number = 1;
    for (const StepRecord& r : checklist.steps) {
        const StepEvaluation e = evaluateStep(r);
        html += u"<h2>%1. %2 — %3</h2><p><i>%4</i></p>"_s.arg(number++)
                    .arg(esc(checklistStepTitle(r.step)), stepStatusTitle(e.status), esc(checklistStepPurpose(r.step)));
        if (!e.reasons.isEmpty()) {
            html += u"<p>Open:</p><ul>"_s;
            for (const QString& reason : e.reasons)
                html += u"<li>%1</li>"_s.arg(esc(reason));
            html += u"</ul>"_s;
        }
        if (const ChecklistRun* run = r.latestRun()) {
            html += u"<p><b>Latest checks</b> (%1; %2):</p><ul>"_s.arg(
                esc(checklistStamp(run->at, run->by)),
                r.runs.size() == 1 ? u"the only run"_s : u"%1 runs in all"_s.arg(qint64(r.runs.size())));
            for (const QString& error : run->errors)
                html += u"<li><b>Error</b>: %1</li>"_s.arg(esc(error));
            for (const ChecklistFinding& f : run->findings) {
                html += u"<li><b>%1</b>: %2"_s.arg(checklistLevelTitle(f.level), esc(f.summary));
                if (!f.evidence.isEmpty()) {
                    html += u"<ul>"_s;
                    for (const QString& ev : f.evidence)
                        html += u"<li><tt>%1</tt></li>"_s.arg(esc(ev));
                    html += u"</ul>"_s;
                }
                html += u"</li>"_s;
            }
            html += u"</ul>"_s;
        }
        html += u"<p><b>Attestations</b>:</p><ul>"_s;
        for (const AttestationItem& item : attestationItems(r.step)) {
            QString when;
            for (auto it = r.attestations.rbegin(); it != r.attestations.rend(); ++it)
                if (it->key == item.key) {
                    when = checklistStamp(it->at, it->by);
                    break;
                }
            if (!r.needsAttestation(item) && when.isEmpty()) {
                html += u"<li>[checked by the latest run] %1</li>"_s.arg(esc(item.text));
                continue;
            }
            html += u"<li>[%1] %2%3</li>"_s.arg(r.isAttested(item.key) ? u"x"_s : u" "_s, esc(item.text),
                                                 when.isEmpty() ? QString() : u" (%1)"_s.arg(esc(when)));
        }
        html += u"</ul>"_s;
        for (const ChecklistOverride& o : r.overrides)
            html += u"<p><b>Override</b> (%1): %2</p>"_s.arg(esc(checklistStamp(o.at, o.by)), esc(o.reason));
        for (const ChecklistNote& n : r.notes)
            html += u"<p><b>Note</b> (%1): %2</p>"_s.arg(esc(checklistStamp(n.at, n.by)), esc(n.text));
    }
    html += u"</body></html>"_s;
    return html;
}

} // namespace

Expected<void, QString> writeChecklistJson(const Checklist& checklist, const QString& path, const QString& generatedBy)
{
    if (const auto written =
            writeExportFile(path, checklistToJson(checklist, QDateTime::currentDateTimeUtc(), generatedBy));
        !written)
        return written.error().message;
    return {};
}

Expected<void, QString> writeChecklistPdf(const Checklist& checklist, const QString& path, const QString& generatedBy)
{
    if (!qobject_cast<QGuiApplication*>(QCoreApplication::instance()))
        return u"a PDF needs QtGui's application object; run the export through sunset-cli or the wizard"_s;
    OwnerOnlyFile file(path);
    if (auto opened = file.open(); !opened)
        return opened.error().message;
    {
        QPdfWriter writer(file.device());
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setTitle(u"Exchange Server decommission checklist"_s);
        writer.setCreator(u"Sunset"_s);
        QTextDocument document;
        document.setHtml(reportHtml(checklist, generatedBy));
        document.print(&writer);
    }
    if (auto committed = file.commit(); !committed)
        return committed.error().message;
    return {};
}

} // namespace sunset
