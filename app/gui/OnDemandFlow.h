// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudLiveScan.h"
#include "OnDemandStore.h"
#include "platform/BackgroundTask.h"

#include <QObject>
#include <QPointer>

#include <optional>

class QAction;
class QProgressDialog;

namespace sunset {

class BatchFlow;
class MainWindow;

// The desktop app's "Ask Cloud Sync to write it back now" (Cloud Sync menu, Ctrl+Shift+P): the ticked drift items
// of cloud-managed mailboxes on written-back attributes go to Cloud Sync's provisionOnDemand (runOnDemand, on a
// worker thread with its own history connection and, when the scan read a live DC, its own LDAP connection for
// the re-read), with a progress dialog and Cancel; the result per mailbox is shown and recorded in the history.
// It needs the last scan's live cloud sign-in (ScanLoader::cloudSourceRead) and its Cloud Sync jobs.
class OnDemandFlow final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OnDemandFlow)

public:
    OnDemandFlow(MainWindow& window, BatchFlow& batches);
    ~OnDemandFlow() override; // m_run cancels and waits for a run

    void installActions();
    void setCloudSettings(const CloudScanSettings& settings) { m_cloud = settings; }
    QAction* action() const { return m_action; }
    bool isRunning() const { return m_run.isRunning(); }
    // The last run's outcome in words (also shown to the admin), for tests.
    const QString& lastSummary() const { return m_lastSummary; }

public Q_SLOTS:
    void askTicked();

Q_SIGNALS:
    void runFinished(const QString& summary);

private:
    void finish(const HistoryResult<OnDemandRunRecord>& run);
    void tell(const QString& title, const QString& text);

    MainWindow& m_window;
    BatchFlow& m_batches;
    std::optional<CloudScanSettings> m_cloud;
    QAction* m_action = nullptr;
    QPointer<QProgressDialog> m_progress;
    QString m_lastSummary;
    BackgroundTask<HistoryResult<OnDemandRunRecord>> m_run{this, QStringLiteral("sunset-on-demand")};
};

} // namespace sunset
