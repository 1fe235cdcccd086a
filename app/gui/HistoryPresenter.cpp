// SPDX-License-Identifier: Apache-2.0
#include "HistoryPresenter.h"

#include "BatchChangesModel.h"
#include "BreakGlass.h"
#include "HistoryExport.h"
#include "HistoryExportRunner.h"
#include "HistoryTableModel.h"
#include "UiLogging.h"

#include <QDir>
#include <QLocale>
#include <QTableView>
#include <QHeaderView>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// Changes beyond this many are not listed (export them, or narrow the filter): the table stays instant.
constexpr int kMaxChangesShown = 20'000;

QString when(const QDateTime& t)
{
    return t.isValid() ? QLocale().toString(t.toLocalTime(), u"yyyy-MM-dd HH:mm:ss"_s) : QString();
}

bool inRange(const QDateTime& t, const HistoryView::Filter& f)
{
    const QDate d = t.toUTC().date();
    return (!f.since || d >= *f.since) && (!f.until || d <= *f.until);
}

int batchSeverity(BatchState s)
{
    switch (s) {
    case BatchState::Partial:
    case BatchState::Applying: return int(Severity::Critical);
    case BatchState::Planned:
    case BatchState::Approved: return int(Severity::Warning);
    default: return -1;
    }
}

int changeSeverity(ChangeState s)
{
    switch (s) {
    case ChangeState::Conflict:
    case ChangeState::Error:
    case ChangeState::Refused: return int(Severity::Critical);
    case ChangeState::Unknown:
    case ChangeState::Pending:
    case ChangeState::NotSent: return int(Severity::Warning);
    default: return -1;
    }
}

} // namespace

HistoryPresenter::HistoryPresenter(HistoryStore& store, std::shared_ptr<SavePathChooser> savePaths,
                                   QWidget* parentWindow, QObject* parent)
    : QObject(parent)
    , m_store(store)
{
    m_batches = new HistoryTableModel({tr("Batch"), tr("State"), tr("Created"), tr("By"), tr("Approved"),
                                       tr("Approved by"), tr("Objects"), tr("Values sent"), tr("Undo of"), tr("Scan"),
                                       tr("Break-glass reason")},
                                      1, this);
    m_changes = new HistoryTableModel({tr("Batch"), tr("Object"), tr("Attribute"), tr("Before"), tr("After"),
                                       tr("State"), tr("LDAP result"), tr("Settled")},
                                      5, this);
    m_scans = new HistoryTableModel({tr("Scan"), tr("Finished"), tr("By"), tr("AD mailboxes"), tr("Cloud mailboxes"),
                                     tr("Matched"), tr("Drift items"), tr("Sources")},
                                    -1, this);
    m_selected = new BatchChangesModel(this);
    m_view = new HistoryView(std::move(savePaths), parentWindow);
    m_view->setBatchChangesModel(m_selected);
    connect(m_view, &HistoryView::batchSelected, this, &HistoryPresenter::showBatch);
    m_view->setAttribute(Qt::WA_DeleteOnClose, false);
    m_view->setModels(m_batches, m_changes, m_scans);
    m_view->setDatabasePath(store.path());
    const auto widths = [this](HistoryView::Tab tab, std::initializer_list<int> sizes) {
        int c = 0;
        for (int w : sizes)
            m_view->table(tab)->horizontalHeader()->resizeSection(c++, w);
    };
    widths(HistoryView::BatchesTab, {70, 90, 160, 110, 160, 110, 80, 80, 80, 60});
    widths(HistoryView::ChangesTab, {60, 380, 150, 230, 230, 110, 220});
    widths(HistoryView::ScansTab, {60, 160, 110, 110, 120, 90, 90});
    connect(m_view, &HistoryView::filterChanged, this, &HistoryPresenter::refresh);
    connect(m_view, &HistoryView::refreshRequested, this, &HistoryPresenter::refresh);
    connect(m_view, &HistoryView::exportRequested, this, &HistoryPresenter::exportTo);
    m_exports = new HistoryExportRunner(this);
    connectExports();
    connect(m_view, &HistoryView::undoRequested, this, &HistoryPresenter::undoRequested);
    connect(m_view, &HistoryView::openBatchRequested, this, &HistoryPresenter::openBatchRequested);
    refresh();
}

HistoryPresenter::~HistoryPresenter()
{
    delete m_exports; // cancels a running export and waits for its worker, which posts to it
    delete m_view; // a top-level window parented to the main window; its models die with this presenter
}

void HistoryPresenter::show()
{
    refresh();
    m_view->show();
    m_view->raise();
    m_view->activateWindow();
}

void HistoryPresenter::showScan(qint64 scanId)
{
    show();
    if (m_view->selectRecord(HistoryView::ScansTab, scanId))
        return;
    m_view->setFilter({}); // the date, batch or object filter hid it
    refresh();
    if (!m_view->selectRecord(HistoryView::ScansTab, scanId))
        showMessage(tr("Scan %1 is not in this history (%2).").arg(scanId).arg(m_store.path()), true);
}

void HistoryPresenter::showMessage(const QString& text, bool error) { m_view->showMessage(text, error); }

void HistoryPresenter::refresh()
{
    const HistoryView::Filter f = m_view->filter();
    const QString needle = f.object;
    const QLocale locale;

    const auto batches = m_store.batches();
    if (!batches)
        return showMessage(batches.error().message, true);
    std::vector<HistoryTableModel::Row> batchRows;
    std::vector<HistoryTableModel::Row> changeRows;
    qint64 changesMatched = 0;
    for (const StoredBatch& b : batches.value()) {
        if (f.batchId > 0 && b.id != f.batchId)
            continue;
        if (!inRange(b.createdAt, f))
            continue;
        const auto changes = m_store.changes(b.id);
        if (!changes)
            return showMessage(changes.error().message, true);
        bool objectMatches = needle.isEmpty();
        for (const StoredChange& c : changes.value()) {
            if (!needle.isEmpty() && !c.dn.contains(needle, Qt::CaseInsensitive))
                continue;
            objectMatches = true;
            ++changesMatched;
            if (int(changeRows.size()) >= kMaxChangesShown)
                continue;
            QString result = c.ldapCode != 0 ? u"%1 "_s.arg(c.ldapCode) : QString();
            result += c.ldapMessage;
            changeRows.push_back({c.id,
                                  {QString::number(b.id), c.dn, QString(AttributeCatalog::spec(c.attribute).ldapName),
                                   c.before.join(u"; "_s), c.after.join(u"; "_s), QString(changeStateName(c.state)),
                                   result, when(c.settledAt)},
                                  changeSeverity(c.state),
                                  BatchChangesModel::stateText(c.state)});
        }
        if (!objectMatches)
            continue;
        batchRows.push_back({b.id,
                             {QString::number(b.id), QString(batchStateName(b.state)), when(b.createdAt), b.createdBy,
                              when(b.approvedAt),
                              b.approvedBy + (b.approvedBind.isEmpty() ? QString() : u" ("_s + b.approvedBind + u')'),
                              locale.toString(b.objectCount), locale.toString(b.valueCount),
                              b.undoOf ? QString::number(b.undoOf) : QString(),
                              b.scanId ? QString::number(b.scanId) : QString(), breakGlassReasonText(b)},
                             batchSeverity(b.state),
                             (cloudSyncLabels(b.breakGlassCloudSync) + b.warnings).join(u'\n')});
    }

    std::vector<HistoryTableModel::Row> scanRows;
    if (f.batchId == 0) { // scans belong to no batch: a batch filter leaves them out, as the exports do
        const auto scans = m_store.scans();
        if (!scans)
            return showMessage(scans.error().message, true);
        for (const StoredScan& s : scans.value()) {
            if (!inRange(s.record.finished.isValid() ? s.record.finished : s.recordedAt, f))
                continue;
            QStringList sources{s.record.adSource, s.record.exoSource, s.record.graphSource};
            sources.removeAll(QString());
            scanRows.push_back({s.id,
                                {QString::number(s.id), when(s.record.finished), s.recordedBy,
                                 locale.toString(s.record.adMailboxes), locale.toString(s.record.cloudMailboxes),
                                 locale.toString(s.record.matched), locale.toString(s.record.driftItems),
                                 sources.join(u"  ·  "_s)},
                                -1,
                                sources.join(u'\n')});
        }
    }
    m_batches->setRows(std::move(batchRows));
    m_changes->setRows(std::move(changeRows));
    m_scans->setRows(std::move(scanRows));
    m_view->tabs()->setTabText(HistoryView::BatchesTab, tr("Ba&tches (%1)").arg(locale.toString(m_batches->rowCount())));
    m_view->tabs()->setTabText(HistoryView::ChangesTab, tr("C&hanges (%1)").arg(locale.toString(changesMatched)));
    m_view->tabs()->setTabText(HistoryView::ScansTab, tr("&Scans (%1)").arg(locale.toString(m_scans->rowCount())));
    showBatch(m_view->selectedBatchId());
    if (changesMatched > kMaxChangesShown)
        showMessage(tr("The first %1 of %2 changes are listed; narrow the filter or export them all.")
                        .arg(locale.toString(kMaxChangesShown), locale.toString(changesMatched)),
                    false);
    else
        showMessage({}, false);
}

void HistoryPresenter::showBatch(qint64 batchId)
{
    m_selectedId = batchId;
    if (batchId <= 0)
        return m_selected->setChanges({});
    const auto changes = m_store.changes(batchId);
    if (!changes)
        return showMessage(changes.error().message, true);
    m_selected->setChanges(changes.value());
}

void HistoryPresenter::exportTo(HistoryView::Export format, const QString& path)
{
    if (m_exports->isRunning())
        return showMessage(tr("An export is still being written; wait for it or cancel it first."), true);
    const HistoryView::Filter f = m_view->filter();
    const HistoryExportFilter filter{f.since, f.until, f.batchId, f.object};
    const qint64 batch = m_view->selectedBatchId();
    if (format == HistoryView::Export::Ldif && batch <= 0)
        return showMessage(tr("Select a batch in the Batches tab to export it as LDIF."), true);
    if (format == HistoryView::Export::Pdf && batch <= 0)
        return showMessage(tr("Select a batch in the Batches tab to export its report as PDF."), true);
    m_exportLabel = format == HistoryView::Export::Pdf
                        ? tr("Writing the report of batch %1 to %2").arg(batch).arg(QDir::toNativeSeparators(path))
                        : tr("Writing %1").arg(QDir::toNativeSeparators(path));
    showMessage({}, false);
    m_view->showExportProgress(m_exportLabel, 0, 0);
    m_exports->start(m_store.path(), m_store.actor(), format, filter, batch, path);
}

void HistoryPresenter::connectExports()
{
    connect(m_view, &HistoryView::exportCancelRequested, m_exports, &HistoryExportRunner::cancel);
    connect(m_exports, &HistoryExportRunner::progress, this, [this](int done, int total) {
        if (m_view && m_exports->isRunning())
            m_view->showExportProgress(m_exportLabel, done, total);
    });
    connect(m_exports, &HistoryExportRunner::finished, this, [this](const QString& path) {
        if (m_view)
            m_view->endExportProgress();
        qCInfo(lcUi) << "history exported to" << path;
        showMessage(tr("Exported to %1").arg(QDir::toNativeSeparators(path)), false);
        Q_EMIT exported(path);
    });
    connect(m_exports, &HistoryExportRunner::failed, this, [this](const QString& message) {
        if (m_view)
            m_view->endExportProgress();
        showMessage(message, true);
    });
    connect(m_exports, &HistoryExportRunner::cancelled, this, [this](const QString& path) {
        if (m_view)
            m_view->endExportProgress();
        showMessage(tr("Export cancelled; nothing was written to %1.").arg(QDir::toNativeSeparators(path)), false);
    });
}

} // namespace sunset
