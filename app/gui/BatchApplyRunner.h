// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "BatchTarget.h"
#include "platform/BackgroundTask.h"

#include <QObject>

#include <memory>

namespace sunset {

// Runs a BatchTarget's apply or crash settle on a worker thread that opens its own connection to the history
// database (a HistoryStore is one connection, one thread). Progress and settled changes come back as queued
// calls on the runner's thread; nothing waits in a nested event loop. One run at a time.
class BatchApplyRunner final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BatchApplyRunner)

public:
    explicit BatchApplyRunner(QObject* parent = nullptr);
    ~BatchApplyRunner() override; // cancels and waits: the worker stops at its next object

    bool isRunning() const { return m_running; }
    bool apply(const QString& historyPath, const HistoryActor& actor, qint64 batchId,
               std::shared_ptr<BatchTarget> target);
    bool settleInterrupted(const QString& historyPath, const HistoryActor& actor, qint64 batchId,
                           std::shared_ptr<BatchTarget> target);
    void cancel();

Q_SIGNALS:
    void progress(qint64 doneObjects, qint64 totalObjects);
    void changesSettled(const std::vector<sunset::StoredChange>& changes);
    void finished(const sunset::ApplyReport& report);
    void failed(const QString& message);

private:
    enum class Job { Apply, Settle };
    bool start(Job job, const QString& historyPath, const HistoryActor& actor, qint64 batchId,
               std::shared_ptr<BatchTarget> target);

    bool m_running = false;
    BackgroundTask<TaskOutcome> m_task{this, QStringLiteral("sunset-batch-apply")};
};

} // namespace sunset
