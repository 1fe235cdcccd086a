// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudLiveScan.h"
#include "OnDemand.h"
#include "OnDemandStore.h"

#include <QFuture>
#include <QObject>
#include <QPointer>

#include <memory>
#include <optional>

class QAction;
class QProgressDialog;

namespace sunset {

class BatchFlow;
class BatchTarget;
class MainWindow;

// The desktop app's "Ask Cloud Sync to write it back now" (Cloud Sync menu, Ctrl+Shift+P): the ticked drift items
// of cloud-managed mailboxes on written-back attributes go to Cloud Sync's provisionOnDemand, with a progress dialog
// and Cancel; the result per mailbox is shown and recorded in the history. The run's record is begun and finished
// (with AD's re-read, when the scan read a live DC) on worker threads with connections of their own; Cloud Sync is
// asked on the GUI thread's event loop (askCloudSync), without blocking it.
// It needs the last scan's live cloud sign-in (ScanLoader::cloudSourceRead) and its Cloud Sync jobs.
class OnDemandFlow final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OnDemandFlow)

public:
    OnDemandFlow(MainWindow& window, BatchFlow& batches);
    ~OnDemandFlow() override; // its run's threads are its children: cancelled and waited for

    void installActions();
    void setCloudSettings(const CloudScanSettings& settings) { m_cloud = settings; }
    QAction* action() const { return m_action; }
    bool isRunning() const { return m_run.has_value(); }
    // The last run's outcome in words (also shown to the admin), for tests.
    const QString& lastSummary() const { return m_lastSummary; }

public Q_SLOTS:
    void askTicked();

Q_SIGNALS:
    void runFinished(const QString& summary);

private:
    // One run from its start to its outcome.
    struct Run {
        OnDemandPlan plan;
        OnDemandRunSettings settings;
        QString historyPath;
        HistoryActor actor;
        std::shared_ptr<BatchTarget> target; // the scan's DC, re-read after the answers
        std::shared_ptr<OnDemandAnswers> answers;
        bool cancelled = false;
        QFuture<QString> asking;
    };
    void begin();
    void ask(qint64 runId);
    void record(qint64 runId);
    void cancelRun();
    void finish(const HistoryResult<OnDemandRunRecord>& run);
    void tell(const QString& title, const QString& text);

    MainWindow& m_window;
    BatchFlow& m_batches;
    std::optional<CloudScanSettings> m_cloud;
    QAction* m_action = nullptr;
    QPointer<QProgressDialog> m_progress;
    QString m_lastSummary;
    std::optional<Run> m_run;
};

} // namespace sunset
