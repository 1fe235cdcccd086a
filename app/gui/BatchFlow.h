// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "BatchReviewDialog.h"
#include "BatchTarget.h"
#include "BreakGlass.h"
#include "DriftScan.h"
#include "ScanDifference.h"
#include "HistoryStore.h"
#include "platform/BackgroundTask.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>

#include <memory>
#include <optional>

class QAction;
class QLabel;

namespace sunset {

class BatchApplyRunner;
class BatchChangesModel;
class Confirmer;
class HistoryPresenter;
class MainWindow;

struct BatchFlowConfig {
    QString historyPath;                 // HistoryStore::defaultPath(profile)
    HistoryActor actor;                  // who approves (OS user; the target's bind identity is added)
    std::shared_ptr<BatchTarget> target; // where Apply writes; null: review and approve only
    QString noTarget;                    // why there is no target and what to do (shown instead of Apply)
    WritebackBatchOptions batchOptions;
};

// The desktop app's writeback workflow, beside the main window: builds the batch from the ticked drift items,
// shows it for review, records it approved in the history, applies it on a worker thread with per-change
// results, offers to settle and resume a batch a crash left in `applying`, undoes a batch, and opens the history
// window. It adds its actions (Batch menu, Ctrl+B, Ctrl+H) and the database path to the window in one place. Its
// questions (approval, break-glass reason, settling) go through the Confirmer it is given.
class BatchFlow final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BatchFlow)

public:
    BatchFlow(MainWindow& window, std::shared_ptr<Confirmer> confirmer);
    ~BatchFlow() override;

    // Opens the history database; an error names the file and what to do.
    HistoryResult<void> open(BatchFlowConfig config);
    void installActions();
    // Where Apply writes from now on (after a live AD scan, a LdapBatchTarget for that directory); null with the
    // reason when there is none. Approvals record the new target's bind identity; an open review shows the new
    // target. While a batch is being applied or settled the change waits: that run keeps its directory, the new
    // target takes over when it ends (the status bar says so).
    void setTarget(std::shared_ptr<BatchTarget> target, QString noTarget = {});
    bool targetChangePending() const { return m_pendingTarget.has_value(); }
    // Who answers from now on: the reviews opened after this ask it (sunset-screenshots answers for the admin).
    void setConfirmer(std::shared_ptr<Confirmer> confirmer);

    HistoryStore* store() const { return m_store.get(); }
    const BatchFlowConfig& config() const { return m_config; }
    BatchReviewDialog* reviewDialog() const { return m_dialog; }
    BatchChangesModel* changesModel() const { return m_changes; }
    BatchApplyRunner* runner() const { return m_runner; }
    HistoryPresenter* historyPresenter() const { return m_history; }
    qint64 currentBatchId() const { return m_batchId; }
    qint64 recordedScanId() const { return m_scanId; }
    QAction* reviewAction() const { return m_reviewAction; }
    QAction* historyAction() const { return m_historyAction; }

public Q_SLOTS:
    void reviewTicked();                   // Ctrl+B
    void showHistory();                    // Ctrl+H
    void openStoredBatch(qint64 batchId);  // review, approve, apply or resume a batch from the history
    void undoBatch(qint64 batchId);        // createUndoBatch, then the same review
    void offerInterruptedBatches();        // at start: a batch left in `applying` is offered for settle + resume
    void noteScanStarted();
    void recordScan(std::shared_ptr<const DriftScan> scan); // in the history, off the GUI thread

Q_SIGNALS:
    void batchApplied(qint64 batchId, const sunset::ApplyReport& report);
    void scanRecorded(qint64 scanId);
    // What changed since the previous scan of the profile, read from the history just before `scan` was recorded.
    void sinceScanKnown(std::shared_ptr<const sunset::DriftScan> scan, std::shared_ptr<const sunset::SinceScan> since);
    void historyChanged();

private:
    void showHistoryPath();
    BatchReviewDialog* ensureDialog();
    void approve(bool secondConfirmation, const QString& breakGlassReason);
    void showBreakGlass(BatchReviewDialog::Summary& summary, const StoredBatch* stored);
    void apply();
    void settle(qint64 batchId);
    void showStored(qint64 batchId, const QString& title);
    void reportError(const QString& text);
    QString targetText() const;
    void installTarget(std::shared_ptr<BatchTarget> target, QString noTarget);
    void installPendingTarget();

    MainWindow& m_window;
    std::shared_ptr<Confirmer> m_confirmer;
    BatchFlowConfig m_config;
    std::unique_ptr<HistoryStore> m_store;
    BatchApplyRunner* m_runner = nullptr;
    BatchChangesModel* m_changes = nullptr;
    QPointer<BatchReviewDialog> m_dialog;
    HistoryPresenter* m_history = nullptr;
    std::optional<WritebackBatch> m_unsaved; // the ticked items' batch until it is approved
    BreakGlassAssessment m_breakGlass;       // what Cloud Sync can do for the batch under review
    struct PendingTarget {
        std::shared_ptr<BatchTarget> target;
        QString noTarget;
    };
    std::optional<PendingTarget> m_pendingTarget; // set while a run was going on; installed when it ends
    qint64 m_batchId = 0;
    qint64 m_scanId = 0;
    QDateTime m_scanStarted;
    QAction* m_reviewAction = nullptr;
    QAction* m_historyAction = nullptr;
    QLabel* m_databaseLabel = nullptr;
    // Scans being recorded, each on a thread with its own history connection; waited for when the flow goes, so
    // that a scan shown is a scan recorded. Declared last: destroyed (and waited for) before the members above.
    BackgroundTaskGroup<TaskOutcome> m_recordings{this, QStringLiteral("sunset-record-scan")};
};

} // namespace sunset
