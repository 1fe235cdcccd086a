// SPDX-License-Identifier: Apache-2.0
#include "BatchFlow.h"

#include "BatchApplyRunner.h"
#include "BatchChangesModel.h"
#include "BatchLock.h"
#include "BatchPlanning.h"
#include "BatchReviewDialog.h"
#include "Confirmer.h"
#include "DisplayPath.h"
#include "ElidingLabel.h"
#include "HistoryPresenter.h"
#include "MainWindow.h"
#include "SavePathChooser.h"
#include "ScanRecording.h"
#include "TickedDriftItems.h"
#include "UiLogging.h"

#include <QAction>
#include <QCoreApplication>
#include <QDir>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QStatusBar>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

BatchReviewDialog::Summary summaryOf(const std::vector<StoredChange>& changes)
{
    BatchReviewDialog::Summary s;
    QSet<qint64> objects;
    for (const StoredChange& c : changes) {
        objects.insert(c.objectSeq);
        ++s.attributes;
        s.valuesDeleted += c.before.size();
        s.valuesAdded += c.after.size();
    }
    s.objects = objects.size();
    return s;
}

} // namespace

BatchFlow::BatchFlow(MainWindow& window, std::shared_ptr<Confirmer> confirmer)
    : QObject(&window)
    , m_window(window)
    , m_confirmer(std::move(confirmer))
{
    m_runner = new BatchApplyRunner(this);
    m_changes = new BatchChangesModel(this);
    connect(m_runner, &BatchApplyRunner::progress, this, [this](qint64 done, qint64 total) {
        if (m_dialog)
            m_dialog->showProgress(done, total);
    });
    connect(m_runner, &BatchApplyRunner::changesSettled, m_changes, &BatchChangesModel::updateChanges);
    // After the run's own handlers (queued): the finished run's outcome is shown with the target it used.
    const auto afterRun = [this] {
        QMetaObject::invokeMethod(this, &BatchFlow::installPendingTarget, Qt::QueuedConnection);
    };
    connect(m_runner, &BatchApplyRunner::finished, this, afterRun);
    connect(m_runner, &BatchApplyRunner::failed, this, afterRun);
}

BatchFlow::~BatchFlow() = default;

HistoryResult<void> BatchFlow::open(BatchFlowConfig config)
{
    m_config = std::move(config);
    if (m_config.target && m_config.actor.bindIdentity.isEmpty())
        m_config.actor.bindIdentity = m_config.target->bindIdentity();
    auto store = HistoryStore::open(m_config.historyPath, m_config.actor);
    if (!store)
        return store.error();
    delete m_history; // it reads the store being replaced
    m_history = nullptr;
    m_store = std::move(store.value());
    showHistoryPath();
    return {};
}

void BatchFlow::setTarget(std::shared_ptr<BatchTarget> target, QString noTarget)
{
    if (m_runner->isRunning()) {
        // Never mid-run: the running apply or settle holds the old target to its end, and the dialog in front of
        // the admin must not claim another directory for a batch that is going to the first one.
        const QString next = target ? target->description() : tr("nothing (%1)").arg(noTarget);
        m_pendingTarget = PendingTarget{std::move(target), std::move(noTarget)};
        const QString text = tr("A batch is being applied to %1; Apply writes to %2 once it is done.")
                                 .arg(targetText(), next);
        qCInfo(lcUi) << text;
        m_window.statusBar()->showMessage(text, 30000);
        return;
    }
    m_pendingTarget.reset();
    installTarget(std::move(target), std::move(noTarget));
}

void BatchFlow::setConfirmer(std::shared_ptr<Confirmer> confirmer) { m_confirmer = std::move(confirmer); }

void BatchFlow::installTarget(std::shared_ptr<BatchTarget> target, QString noTarget)
{
    m_config.target = std::move(target);
    m_config.noTarget = std::move(noTarget);
    // Approvals record the bind identity Apply will use.
    m_config.actor.bindIdentity = m_config.target ? m_config.target->bindIdentity() : QString();
    if (m_store)
        m_store->setActor(m_config.actor);
    qCInfo(lcUi) << "Apply writes to" << (m_config.target ? targetText() : u"nothing"_s);
    if (m_dialog && (m_dialog->stage() == BatchReviewDialog::Stage::Review ||
                     m_dialog->stage() == BatchReviewDialog::Stage::Approved))
        m_dialog->setTarget(targetText(), m_config.target ? QString() : m_config.noTarget);
}

void BatchFlow::installPendingTarget()
{
    if (!m_pendingTarget || m_runner->isRunning())
        return;
    PendingTarget next = std::move(*m_pendingTarget);
    m_pendingTarget.reset();
    installTarget(std::move(next.target), std::move(next.noTarget));
    m_window.statusBar()->showMessage(
        m_config.target ? tr("Apply now writes to %1.").arg(targetText()) : m_config.noTarget, 15000);
}

void BatchFlow::installActions()
{
    QMenu* menu = m_window.addFeatureMenu(tr("&Batch"));
    m_reviewAction = menu->addAction(QIcon::fromTheme(u"mail-send"_s), tr("&Review batch…"), this,
                                     &BatchFlow::reviewTicked);
    m_reviewAction->setObjectName(u"reviewBatchAction"_s);
    m_reviewAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_B));
    m_reviewAction->setToolTip(tr("Review the ticked drift items as a writeback batch, approve and apply it (Ctrl+B)"));
    m_historyAction = menu->addAction(QIcon::fromTheme(u"document-open-recent"_s), tr("&History…"), this,
                                      &BatchFlow::showHistory);
    m_historyAction->setObjectName(u"historyAction"_s);
    m_historyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    m_historyAction->setToolTip(tr("Scans, batches and changes recorded in this profile's history (Ctrl+H)"));
    m_window.addToolBarActions({m_reviewAction, m_historyAction});
    m_databaseLabel = new ElidingLabel(Qt::ElideMiddle, &m_window);
    m_databaseLabel->setObjectName(u"historyPathLabel"_s);
    showHistoryPath();
    m_window.statusBar()->addPermanentWidget(m_databaseLabel);
}

void BatchFlow::showHistoryPath()
{
    if (!m_databaseLabel || m_config.historyPath.isEmpty())
        return;
    m_databaseLabel->setText(tr("History: %1").arg(displayPath(m_config.historyPath)));
    m_databaseLabel->setToolTip(tr("The history database (scans, decisions, batches, checklist): %1")
                                    .arg(QDir::toNativeSeparators(m_config.historyPath)));
}

QString BatchFlow::targetText() const
{
    return m_config.target ? m_config.target->description() : QString();
}

BatchReviewDialog* BatchFlow::ensureDialog()
{
    if (m_dialog && m_dialog->stage() == BatchReviewDialog::Stage::Applying)
        return m_dialog; // one apply at a time: the running one stays in front
    if (m_dialog)
        m_dialog->deleteLater();
    m_dialog = new BatchReviewDialog(m_confirmer, &m_window);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog->setChangesModel(m_changes);
    connect(m_dialog, &BatchReviewDialog::approveRequested, this, &BatchFlow::approve);
    connect(m_dialog, &BatchReviewDialog::applyRequested, this, &BatchFlow::apply);
    connect(m_dialog, &BatchReviewDialog::cancelApplyRequested, m_runner, &BatchApplyRunner::cancel);
    return m_dialog;
}

void BatchFlow::reviewTicked()
{
    if (m_dialog && m_dialog->stage() == BatchReviewDialog::Stage::Applying) {
        m_dialog->raise();
        return;
    }
    const std::vector<TickedDriftItem> ticked = tickedDriftItems(m_window);
    std::vector<WritebackSelection> selections;
    if (const auto& scan = m_window.scan())
        selections = selectionsForTicked(*scan, ticked);
    m_unsaved = WritebackBatch::build(selections, m_config.batchOptions);
    m_batchId = 0;
    m_changes->setBatch(*m_unsaved);

    BatchReviewDialog::Summary s;
    const BatchCounts counts = countsOf(*m_unsaved);
    s.title = ticked.empty() ? tr("No drift item is ticked")
              : ticked.size() == 1
                  ? tr("New batch from 1 ticked drift item")
                  : tr("New batch from %1 ticked drift items").arg(QLocale().toString(qlonglong(ticked.size())));
    s.objects = counts.objects;
    s.attributes = counts.attributes;
    s.valuesDeleted = counts.valuesDeleted;
    s.valuesAdded = counts.valuesAdded;
    for (const BatchIssue& issue : m_unsaved->refusals())
        s.refusals << issue.message;
    for (const BatchIssue& issue : m_unsaved->warnings())
        s.warnings << issue.message;
    s.needsSecondConfirmation = m_unsaved->needsSecondConfirmation();
    s.target = targetText();
    s.cannotApply = m_config.target ? QString() : m_config.noTarget;
    // What Cloud Sync can do, from the scan shown (its causes and jobs), for the changes the batch kept.
    const std::shared_ptr<const CloudSyncState> sync =
        m_window.scan() ? m_window.scan()->report.cloudSync : std::make_shared<const CloudSyncState>();
    const std::vector<WritebackFact> facts = writebackFacts(selections, *sync);
    m_breakGlass = assessBreakGlass(batchChangeKeys(*m_unsaved), facts,
                                    sync->jobsMissingReason.isEmpty() ? tr("the scan read no Cloud Sync jobs")
                                                                      : sync->jobsMissingReason);
    showBreakGlass(s, nullptr);

    BatchReviewDialog* dialog = ensureDialog();
    dialog->setBatchId(0);
    dialog->setStage(BatchReviewDialog::Stage::Review);
    dialog->setSummary(s);
    if (ticked.empty())
        dialog->showOutcome(tr("Tick the check box of a writable drift item in the side-by-side view (one per "
                               "attribute to write back), then Review batch (Ctrl+B) again."),
                            true);
    dialog->show();
    dialog->raise();
}

void BatchFlow::showBreakGlass(BatchReviewDialog::Summary& summary, const StoredBatch* stored)
{
    summary.breakGlassHeadline = breakGlassHeadline();
    if (stored && stored->approvedAt.isValid()) { // as recorded at approval, not as the scan reads now
        summary.cloudSync = cloudSyncLabels(stored->breakGlassCloudSync);
        summary.breakGlassReason = breakGlassReasonText(*stored);
        return;
    }
    summary.cloudSync = m_breakGlass.labels();
}

void BatchFlow::approve(bool secondConfirmation, const QString& breakGlassReason)
{
    if (!m_store)
        return reportError(tr("The history database is not open, so nothing can be approved."));
    if (m_batchId == 0) {
        if (!m_unsaved)
            return;
        auto id = m_store->createBatch(*m_unsaved, m_scanId);
        if (!id)
            return reportError(id.error().message);
        m_batchId = id.value();
    }
    const BreakGlassApproval approval{breakGlassReason, m_breakGlass.cloudSyncJson()};
    if (auto approved = m_store->approveBatch(m_batchId, approval, secondConfirmation); !approved)
        return reportError(approved.error().message);
    qCInfo(lcUi) << "batch" << m_batchId << "approved by" << m_config.actor.osUser;
    if (m_unsaved) {
        m_unsaved.reset();
        clearTickedDriftItems(m_window); // those items are in the batch now
    }
    if (auto changes = m_store->changes(m_batchId))
        m_changes->setChanges(changes.value());
    if (m_dialog) {
        BatchReviewDialog::Summary summary = m_dialog->summary();
        if (const auto stored = m_store->batch(m_batchId))
            showBreakGlass(summary, &stored.value());
        m_dialog->setSummary(summary);
        m_dialog->setBatchId(m_batchId);
        m_dialog->setStage(BatchReviewDialog::Stage::Approved);
        m_dialog->showOutcome(tr("Batch %1 is approved and recorded in the history. Apply sends it now; you can "
                                 "also apply it later from History (Ctrl+H).")
                                  .arg(m_batchId),
                              true);
    }
    Q_EMIT historyChanged();
}

void BatchFlow::apply()
{
    if (!m_config.target)
        return reportError(m_config.noTarget);
    if (m_batchId == 0 || m_runner->isRunning())
        return;
    if (!m_runner->apply(m_config.historyPath, m_config.actor, m_batchId, m_config.target))
        return reportError(tr("Another batch is being applied; wait for it to finish."));
    if (m_dialog)
        m_dialog->setStage(BatchReviewDialog::Stage::Applying);
    const qint64 id = m_batchId;
    // One connection per run: the runner's signals are shared by apply and settle.
    auto* context = new QObject(this);
    connect(m_runner, &BatchApplyRunner::finished, context, [this, id, context](const ApplyReport& report) {
        context->deleteLater();
        if (m_dialog) {
            m_dialog->setStage(report.finalState == BatchState::Applied ? BatchReviewDialog::Stage::Finished
                                                                         : BatchReviewDialog::Stage::Approved);
            m_dialog->showOutcome(report.message, report.finalState == BatchState::Applied);
        }
        Q_EMIT batchApplied(id, report);
        Q_EMIT historyChanged();
    });
    connect(m_runner, &BatchApplyRunner::failed, context, [this, context](const QString& message) {
        context->deleteLater();
        if (m_dialog)
            m_dialog->setStage(BatchReviewDialog::Stage::Approved);
        reportError(message);
        Q_EMIT historyChanged();
    });
}

void BatchFlow::showStored(qint64 batchId, const QString& title)
{
    if (!m_store)
        return;
    const auto batch = m_store->batch(batchId);
    if (!batch)
        return reportError(batch.error().message);
    const auto changes = m_store->changes(batchId);
    if (!changes)
        return reportError(changes.error().message);
    m_unsaved.reset();
    m_batchId = batchId;
    m_changes->setChanges(changes.value());
    BatchReviewDialog::Summary s = summaryOf(changes.value());
    s.title = title.isEmpty() ? tr("Batch %1 (%2)").arg(batchId).arg(batchStateName(batch->state)) : title;
    s.warnings = batch->warnings;
    s.needsSecondConfirmation = batch->secondConfirmation;
    s.target = targetText();
    s.cannotApply = m_config.target ? QString() : m_config.noTarget;
    if (auto assessment = assessStoredBatch(*m_store, batch.value(), changes.value()))
        m_breakGlass = std::move(assessment.value());
    else
        m_breakGlass = assessBreakGlass(batchChangeKeys(changes.value()), {}, assessment.error().message);
    showBreakGlass(s, &batch.value());

    BatchReviewDialog* dialog = ensureDialog();
    dialog->setBatchId(batchId);
    dialog->setSummary(s);
    switch (batch->state) {
    case BatchState::Planned: dialog->setStage(BatchReviewDialog::Stage::Review); break;
    case BatchState::Approved: dialog->setStage(BatchReviewDialog::Stage::Approved); break;
    case BatchState::Partial:
        dialog->setStage(BatchReviewDialog::Stage::Approved);
        dialog->showOutcome(tr("Partly applied: Apply resumes with the changes never sent; conflicts and errors "
                               "stay as recorded."),
                            false);
        break;
    case BatchState::Applying:
        dialog->setStage(BatchReviewDialog::Stage::Finished);
        dialog->showOutcome(tr("This batch was interrupted while applying; settle it first (restart Sunset or "
                               "Batch › History)."),
                            false);
        break;
    case BatchState::Applied:
    case BatchState::Cancelled:
        dialog->setStage(BatchReviewDialog::Stage::Finished);
        dialog->showOutcome(tr("Batch %1 is %2.").arg(batchId).arg(batchStateName(batch->state)), true);
        break;
    }
    dialog->show();
    dialog->raise();
}

void BatchFlow::openStoredBatch(qint64 batchId)
{
    if (batchId <= 0)
        return;
    const auto batch = m_store ? m_store->batch(batchId) : HistoryResult<StoredBatch>(HistoryError{});
    if (batch && batch->state == BatchState::Applying)
        return settle(batchId);
    showStored(batchId, {});
}

void BatchFlow::undoBatch(qint64 batchId)
{
    if (!m_store || batchId <= 0)
        return;
    auto id = m_store->createUndoBatch(batchId);
    if (!id)
        return reportError(id.error().message);
    Q_EMIT historyChanged();
    showStored(id.value(), tr("Undo of batch %1: puts back the values it replaced").arg(batchId));
}

void BatchFlow::offerInterruptedBatches()
{
    if (!m_store)
        return;
    const auto batches = m_store->batches();
    if (!batches)
        return reportError(batches.error().message);
    for (const StoredBatch& b : batches.value()) {
        if (b.state != BatchState::Applying)
            continue;
        const qint64 id = b.id;
        // Another Sunset (sunset-cli apply, a second window) that is still sending it: not interrupted.
        if (const QString holder = BatchLock::holder(m_config.historyPath, id); !holder.isEmpty()) {
            m_window.statusBar()->showMessage(
                tr("Batch %1 is being applied by %2; its results show in History (Ctrl+H) when it is done.")
                    .arg(id)
                    .arg(holder),
                30000);
            continue;
        }
        m_confirmer->ask(
            &m_window, tr("Interrupted batch"),
            tr("Batch %1 (%2 objects, approved by %3) was being applied when Sunset stopped. Sunset can find out "
               "which changes were written, record each one, and then resume the rest. Nothing is sent twice.\n\n"
               "Settle batch %1 now?")
                .arg(id)
                .arg(b.objectCount)
                .arg(b.approvedBy),
            tr("Settle and review"), [this, id](bool yes) {
                if (yes)
                    settle(id);
            });
        return; // one at a time: the next is offered on the next start (or from History)
    }
}

void BatchFlow::settle(qint64 batchId)
{
    if (!m_config.target)
        return reportError(m_config.noTarget);
    if (!m_runner->settleInterrupted(m_config.historyPath, m_config.actor, batchId, m_config.target))
        return reportError(tr("Another batch is being applied; wait for it to finish."));
    auto* context = new QObject(this);
    connect(m_runner, &BatchApplyRunner::finished, context, [this, batchId, context](const ApplyReport& report) {
        context->deleteLater();
        Q_EMIT historyChanged();
        showStored(batchId, tr("Batch %1 after the interruption").arg(batchId));
        if (m_dialog)
            m_dialog->showOutcome(report.message + (report.notSent > 0 ? tr(" Apply resumes the rest.") : QString()),
                                  report.notSent == 0 && report.finalState == BatchState::Applied);
    });
    connect(m_runner, &BatchApplyRunner::failed, context, [this, context](const QString& message) {
        context->deleteLater();
        reportError(message);
    });
}

void BatchFlow::showHistory()
{
    if (!m_store)
        return reportError(tr("The history database is not open."));
    if (!m_history) {
        m_history = new HistoryPresenter(*m_store, std::make_shared<FileDialogSavePathChooser>(), &m_window, this);
        connect(m_history, &HistoryPresenter::undoRequested, this, &BatchFlow::undoBatch);
        connect(m_history, &HistoryPresenter::openBatchRequested, this, &BatchFlow::openStoredBatch);
        connect(this, &BatchFlow::historyChanged, m_history, &HistoryPresenter::refresh);
    }
    m_history->show();
}

void BatchFlow::noteScanStarted() { m_scanStarted = QDateTime::currentDateTimeUtc(); }

void BatchFlow::recordScan(std::shared_ptr<const DriftScan> scan)
{
    if (!scan || m_config.historyPath.isEmpty())
        return;
    const QDateTime started = m_scanStarted.isValid() ? m_scanStarted : QDateTime::currentDateTimeUtc();
    const QDateTime finished = QDateTime::currentDateTimeUtc();
    m_scanStarted = {};
    m_scanId = 0;
    const QString path = m_config.historyPath;
    const HistoryActor actor = m_config.actor;
    // The drift JSON of a large tenant is big: built and written on a worker with its own connection. What
    // changed since the previous scan is read there first (the newest scan before this one is recorded).
    m_recordings.start([this, scan, path, actor, started, finished](TaskControl&) -> TaskOutcome {
        QString error;
        qint64 id = 0;
        std::shared_ptr<const SinceScan> since;
        auto store = HistoryStore::open(path, actor);
        if (!store) {
            error = store.error().message;
        } else {
            const DriftReportInput input{scan->report, scan->ad, scan->cloud, scan->summary, scan->sources};
            const ScanIdentity identity = scanIdentity(input);
            if (auto compared = sinceLatestScan(*store.value(), identity))
                since = std::make_shared<const SinceScan>(std::move(compared.value()));
            else
                qCWarning(lcUi) << "what changed since the last scan:" << compared.error().message;
            auto recorded = (store.value())->recordScan(scanRecord(input, started, finished, &*identity.mailboxes));
            if (recorded)
                id = recorded.value();
            else
                error = recorded.error().message;
        }
        return [this, id, error, scan, since] {
            if (since) {
                m_window.setSinceScan(scan.get(), since); // ignored when another scan is shown by now
                Q_EMIT sinceScanKnown(scan, since);
            }
            if (!error.isEmpty()) {
                qCWarning(lcUi) << "scan not recorded:" << error;
                return;
            }
            m_scanId = id;
            Q_EMIT scanRecorded(id);
            Q_EMIT historyChanged();
        };
    });
}

void BatchFlow::reportError(const QString& text)
{
    qCWarning(lcUi) << text;
    if (m_dialog && m_dialog->isVisible())
        m_dialog->showError(text);
    else if (m_history)
        m_history->showMessage(text, true);
    else
        m_window.statusBar()->showMessage(text, 15000);
}

} // namespace sunset
