// SPDX-License-Identifier: Apache-2.0
#include "DecommissionChecks.h"

#include "platform/BackgroundFuture.h"
#include "platform/StageProgressFilter.h"

#include <QPointer>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

DecommissionChecks::DecommissionChecks(ChecklistCheckStarter starter, QObject* parent)
    : QObject(parent)
    , m_starter(std::move(starter))
{
}

DecommissionChecks::DecommissionChecks(ChecklistCheckRunner runner, QObject* parent)
    : DecommissionChecks(
          [runner = std::move(runner)](ChecklistStep step, QObject* owner) {
              // The runner is copied into the work: it outlives nothing it points to.
              return backgroundFuture<ChecklistRun>(owner, u"sunset-checks"_s, [runner, step](TaskControl& control) {
                  return runner(step, control.cancelFlag());
              });
          },
          parent)
{
}

DecommissionChecks::~DecommissionChecks()
{
    // A run still going is cancelled: its result is dropped (nothing half-recorded), its live reads stop, and its
    // threads (children of this object) stop at their next look at the flag and are waited for.
    cancelAll();
}

bool DecommissionChecks::isRunning(ChecklistStep step) const
{
    return m_checks.contains(step) || (step == ChecklistStep::Verification && isFreshScanRunning());
}

bool DecommissionChecks::runChecks(ChecklistStep step, QObject* page,
                                   std::function<void(std::optional<ChecklistRun>)> done)
{
    if (isRunning(step) || !m_starter)
        return false;
    // A watcher per run: done may start the step's next run from inside this one's outcome.
    auto* watcher = new QFutureWatcher<ChecklistRun>(this);
    m_checks.insert_or_assign(step, watcher);
    // Once, at the first of: the run finished, or it was cancelled (without waiting for its reads to let go).
    const auto settle = [this, step, watcher, page = QPointer<QObject>(page), done = std::move(done)] {
        const auto it = m_checks.find(step);
        if (it == m_checks.end() || it->second != watcher)
            return;
        m_checks.erase(it);
        watcher->deleteLater();
        QFuture<ChecklistRun> future = watcher->future();
        if (!page)
            return;
        if (!future.isCanceled() && future.resultCount() > 0)
            done(future.takeResult());
        else
            done(std::nullopt);
    };
    connect(watcher, &QFutureWatcherBase::finished, this, settle);
    connect(watcher, &QFutureWatcherBase::canceled, this, settle);
    watcher->setFuture(m_starter(step, this));
    return true;
}

void DecommissionChecks::setFreshScanRunner(FreshScanRunner runner)
{
    setFreshScanStarter([runner = std::move(runner)](QObject* owner, const FreshScanProgressSink& progress) {
        return backgroundFuture<Expected<qint64, QString>>(
            owner, u"sunset-fresh-scan"_s, [runner, progress](TaskControl& control) {
                StageProgressFilter filter; // before crossing threads, so that the GUI's queue stays short
                return runner(control.cancelFlag(), [&](const QString& stage, double fraction) {
                    if (filter.changed(stage, fraction))
                        control.post([progress, stage, fraction] { progress(stage, fraction); });
                });
            });
    });
}

bool DecommissionChecks::runFreshScan(QObject* page, std::function<void(const QString&, double)> progress,
                                      std::function<void(Expected<qint64, QString>)> done)
{
    if (isRunning(ChecklistStep::Verification) || !m_freshScanStarter)
        return false;
    auto* watcher = new QFutureWatcher<Expected<qint64, QString>>(this);
    m_freshScan = watcher;
    const quint64 run = ++m_freshScanRuns;
    const QPointer<QObject> asker(page);
    auto filter = std::make_shared<StageProgressFilter>();
    const FreshScanProgressSink sink = [this, run, asker, filter, progress = std::move(progress)](const QString& stage,
                                                                                                  double fraction) {
        if (m_freshScan && m_freshScanRuns == run && asker && filter->changed(stage, fraction))
            progress(stage, fraction);
    };
    // Once, at the first of: the scan finished, or it was cancelled (without waiting for its reads to let go).
    const auto settle = [this, watcher, asker, done = std::move(done)] {
        if (m_freshScan != watcher)
            return;
        m_freshScan = nullptr;
        watcher->deleteLater();
        QFuture<Expected<qint64, QString>> future = watcher->future();
        if (!asker)
            return;
        if (!future.isCanceled() && future.resultCount() > 0)
            done(future.takeResult());
        else
            done(tr("The fresh scan was cancelled; no scan was recorded."));
    };
    connect(watcher, &QFutureWatcherBase::finished, this, settle);
    connect(watcher, &QFutureWatcherBase::canceled, this, settle);
    watcher->setFuture(m_freshScanStarter(this, sink));
    return true;
}

void DecommissionChecks::cancel(ChecklistStep step)
{
    if (const auto it = m_checks.find(step); it != m_checks.end())
        it->second->cancel();
    if (step == ChecklistStep::Verification && m_freshScan)
        m_freshScan->future().cancel();
}

void DecommissionChecks::cancelAll()
{
    for (const auto& [step, watcher] : m_checks)
        watcher->cancel();
    if (m_freshScan)
        m_freshScan->future().cancel();
}

} // namespace sunset
