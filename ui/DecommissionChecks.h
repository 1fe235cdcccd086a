// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Checklist.h"
#include "ImportError.h"
#include "platform/BackgroundTask.h"

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>

#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace sunset {

// Starts one step's automatic checks on the GUI thread without blocking it (the services' runChecklistStep: its
// cloud reads on this thread's event loop, its LDAP and file reads on threads owned by owner) and returns their
// future. Cancelling the future stops them; a cancelled future carries no run.
using ChecklistCheckStarter = std::function<QFuture<ChecklistRun>(ChecklistStep step, QObject* owner)>;
// Checks that block (a scripted runner in the tests): run on a BackgroundTask owned by DecommissionChecks, with
// cancel set when the admin cancels or the wizard closes.
using ChecklistCheckRunner = std::function<ChecklistRun(ChecklistStep step, const CancelFlag* cancel)>;

// The verification step's "Run a fresh scan": reads both sides, compares them and records the scan in the history
// (as sunset-cli diff does) without blocking the GUI thread; its future carries the recorded scan's id or the
// reason there is none, and a cancel of it stops the scan. progress(stage, fraction of the current file or -1) is
// called on owner's thread.
using FreshScanProgressSink = std::function<void(const QString& stage, double fraction)>;
using FreshScanStarter =
    std::function<QFuture<Expected<qint64, QString>>(QObject* owner, const FreshScanProgressSink& progress)>;
// A fresh scan that blocks (a scripted runner in the tests): run on a thread of its own, progress called from it,
// cancel set by Cancel.
using FreshScanRunner =
    std::function<Expected<qint64, QString>(const CancelFlag* cancel, const FreshScanProgressSink& progress)>;

// The decommission wizard's background work: each step's checks and the verification's fresh scan (futures, their
// reads owned here), their outcomes going to the page that asked (dropped once it is gone). Not a
// widget: the wizard's pages ask it and show what it answers; the app's wiring makes it with the starter (the
// wizard makes one from a bare runner). Destroyed, it cancels every run and waits for its threads.
class DecommissionChecks final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DecommissionChecks)

public:
    explicit DecommissionChecks(ChecklistCheckStarter starter, QObject* parent = nullptr);
    explicit DecommissionChecks(ChecklistCheckRunner runner, QObject* parent = nullptr);
    ~DecommissionChecks() override;

    void setFreshScanStarter(FreshScanStarter starter) { m_freshScanStarter = std::move(starter); }
    void setFreshScanRunner(FreshScanRunner runner);
    bool hasFreshScan() const { return bool(m_freshScanStarter); }

    // The step's checks or (verification) its fresh scan are under way.
    bool isRunning(ChecklistStep step) const;
    bool isFreshScanRunning() const { return m_freshScan != nullptr; }

    // False while that step's work runs. done is called on page's thread, unless the page is gone by then, with
    // the run, or nullopt when it was cancelled (nothing to record).
    bool runChecks(ChecklistStep step, QObject* page, std::function<void(std::optional<ChecklistRun>)> done);
    // progress(stage, fraction) arrives on page's thread, only when the stage or the whole percent changed (a file
    // reports its fraction per chunk). False without a fresh scan or while the verification's work runs. A
    // cancelled scan is done with an error saying nothing was recorded.
    bool runFreshScan(QObject* page, std::function<void(const QString& stage, double fraction)> progress,
                      std::function<void(Expected<qint64, QString>)> done);
    void cancel(ChecklistStep step);
    void cancelAll();

private:
    ChecklistCheckStarter m_starter;
    FreshScanStarter m_freshScanStarter;
    // Each step's run, watched until its outcome is delivered (or it is cancelled: the page hears it at once).
    std::map<ChecklistStep, QFutureWatcher<ChecklistRun>*> m_checks;
    QFutureWatcher<Expected<qint64, QString>>* m_freshScan = nullptr; // the fresh scan under way
    quint64 m_freshScanRuns = 0; // its number: progress of an earlier one is dropped
};

} // namespace sunset
