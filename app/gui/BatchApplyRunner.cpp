// SPDX-License-Identifier: Apache-2.0
#include "BatchApplyRunner.h"

#include "UiLogging.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

BatchApplyRunner::BatchApplyRunner(QObject* parent) : QObject(parent) {}

BatchApplyRunner::~BatchApplyRunner() = default; // m_task cancels and waits (the worker posts to `this`)

void BatchApplyRunner::cancel()
{
    if (m_running)
        m_task.cancel();
}

bool BatchApplyRunner::apply(const QString& historyPath, const HistoryActor& actor, qint64 batchId,
                             std::shared_ptr<BatchTarget> target)
{
    return start(Job::Apply, historyPath, actor, batchId, std::move(target));
}

bool BatchApplyRunner::settleInterrupted(const QString& historyPath, const HistoryActor& actor, qint64 batchId,
                                         std::shared_ptr<BatchTarget> target)
{
    return start(Job::Settle, historyPath, actor, batchId, std::move(target));
}

bool BatchApplyRunner::start(Job job, const QString& historyPath, const HistoryActor& actor, qint64 batchId,
                             std::shared_ptr<BatchTarget> target)
{
    if (m_running || !target)
        return false;
    // The work's last word (its outcome, run on this thread once the work has returned) ends the run.
    m_running = m_task.start([this, job, historyPath, actor, batchId, target](TaskControl& task) -> TaskOutcome {
        const auto post = [&task](std::function<void()> f) { task.post(std::move(f)); };
        auto store = HistoryStore::open(historyPath, actor);
        if (!store) {
            const QString message = store.error().message;
            return [this, message] {
                m_running = false;
                Q_EMIT failed(message);
            };
        }
        ApplyControl control;
        control.cancelled = [&task] { return task.isCanceled(); };
        control.progress = [this, post](const std::vector<StoredChange>& settled, qint64 done, qint64 total) {
            post([this, settled, done, total] {
                if (!settled.empty())
                    Q_EMIT changesSettled(settled);
                Q_EMIT progress(done, total);
            });
        };
        const HistoryResult<ApplyReport> report = job == Job::Apply
                                                      ? target->apply(*store.value(), batchId, control)
                                                      : target->settleInterrupted(*store.value(), batchId);
        // Whatever the target did, the rows as recorded are the truth the view shows.
        std::vector<StoredChange> recorded;
        if (auto changes = (store.value())->changes(batchId))
            recorded = std::move(changes.value());
        return [this, report, recorded] {
            m_running = false;
            if (!recorded.empty())
                Q_EMIT changesSettled(recorded);
            if (report)
                Q_EMIT finished(report.value());
            else
                Q_EMIT failed(report.error().message);
        };
    });
    return m_running;
}

} // namespace sunset
