// SPDX-License-Identifier: Apache-2.0
#include "DecommissionChecks.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

DecommissionChecks::DecommissionChecks(ChecklistCheckRunner runner, QObject* parent)
    : QObject(parent)
    , m_runner(std::move(runner))
{
}

DecommissionChecks::~DecommissionChecks()
{
    // A run still going finishes on its thread; its result is dropped (nothing half-recorded), the flag stops it
    // at its next read. The tasks' destructors wait for them.
    cancelAll();
}

bool DecommissionChecks::isRunning(ChecklistStep step) const
{
    const auto it = m_checks.find(step);
    const bool checks = it != m_checks.end() && it->second->isRunning();
    return checks || (step == ChecklistStep::Verification && isFreshScanRunning());
}

bool DecommissionChecks::runChecks(ChecklistStep step, QObject* page, std::function<void(ChecklistRun)> done)
{
    if (isRunning(step) || !m_runner)
        return false;
    // Made once per step, bound to its page (one page per step), and started again for each run: a run may start
    // from the last one's callback, which must not delete its own task.
    auto& task = m_checks[step];
    if (!task)
        task = std::make_unique<BackgroundTask<ChecklistRun>>(page, u"sunset-checks"_s);
    // The runner is copied into the work: it outlives nothing it points to.
    return task->start([runner = m_runner, step](TaskControl& control) { return runner(step, control.cancelFlag()); },
                       std::move(done));
}

bool DecommissionChecks::runFreshScan(QObject* page, std::function<void(const QString&, double)> progress,
                                      std::function<void(Expected<qint64, QString>)> done)
{
    if (isRunning(ChecklistStep::Verification) || !m_freshScanRunner)
        return false;
    if (!m_freshScan) // the verification page's, made once (as the step's checks)
        m_freshScan = std::make_unique<BackgroundTask<Expected<qint64, QString>>>(page, u"sunset-fresh-scan"_s);
    return m_freshScan->start(
        [runner = m_freshScanRunner, progress = std::move(progress)](TaskControl& control) {
            QString stageShown;
            int permilleShown = -2;
            const FreshScanProgressSink sink = [&](const QString& stage, double fraction) {
                const int permille = fraction < 0 ? -1 : int(fraction * 1000);
                if (stage == stageShown && permille / 10 == permilleShown / 10)
                    return;
                stageShown = stage;
                permilleShown = permille;
                control.post([progress, stage, fraction] { progress(stage, fraction); });
            };
            return runner(control.cancelFlag(), sink);
        },
        std::move(done));
}

void DecommissionChecks::cancel(ChecklistStep step)
{
    if (const auto it = m_checks.find(step); it != m_checks.end())
        it->second->cancel();
    if (step == ChecklistStep::Verification && m_freshScan)
        m_freshScan->cancel();
}

void DecommissionChecks::cancelAll()
{
    for (const auto& [step, task] : m_checks)
        task->cancel();
    if (m_freshScan)
        m_freshScan->cancel();
}

} // namespace sunset
