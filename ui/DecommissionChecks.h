// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Checklist.h"
#include "ImportError.h"
#include "platform/BackgroundTask.h"

#include <QObject>

#include <functional>
#include <map>
#include <memory>

namespace sunset {

// Runs one step's automatic checks. Called on a worker thread (never the GUI thread): it may block on LDAP and
// HTTP. cancel is set when the admin cancels or the wizard closes.
using ChecklistCheckRunner = std::function<ChecklistRun(ChecklistStep step, const CancelFlag* cancel)>;

// The verification step's "Run a fresh scan": reads both sides, compares them and records the scan in the history
// (as sunset-cli diff does), on a worker thread; returns the recorded scan's id or the reason there is none.
// progress(stage, fraction of the current file or -1) may be called from that thread; cancel is set by Cancel.
using FreshScanProgressSink = std::function<void(const QString& stage, double fraction)>;
using FreshScanRunner =
    std::function<Expected<qint64, QString>(const CancelFlag* cancel, const FreshScanProgressSink& progress)>;

// The decommission wizard's background work: each step's checks and the verification's fresh scan, each a
// BackgroundTask whose callbacks go to the page that asked (dropped once it is gone). Not a widget: the wizard's
// pages ask it and show what it answers; the app's wiring makes it with the runners (the wizard makes one from a
// bare runner). Destroyed, it cancels every run and waits for it.
class DecommissionChecks final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DecommissionChecks)

public:
    explicit DecommissionChecks(ChecklistCheckRunner runner, QObject* parent = nullptr);
    ~DecommissionChecks() override;

    const ChecklistCheckRunner& runner() const { return m_runner; }
    void setFreshScanRunner(FreshScanRunner runner) { m_freshScanRunner = std::move(runner); }
    const FreshScanRunner& freshScanRunner() const { return m_freshScanRunner; }

    // The step's checks or (verification) its fresh scan are under way.
    bool isRunning(ChecklistStep step) const;
    bool isFreshScanRunning() const { return m_freshScan && m_freshScan->isRunning(); }

    // False while that step's work runs. done is called on page's thread, unless the page is gone by then.
    bool runChecks(ChecklistStep step, QObject* page, std::function<void(ChecklistRun)> done);
    // progress(stage, fraction) arrives on page's thread, only when the stage or the whole percent changed (a file
    // reports its fraction per chunk). False without a fresh scan runner or while the verification's work runs.
    bool runFreshScan(QObject* page, std::function<void(const QString& stage, double fraction)> progress,
                      std::function<void(Expected<qint64, QString>)> done);
    void cancel(ChecklistStep step);
    void cancelAll();

private:
    ChecklistCheckRunner m_runner;
    FreshScanRunner m_freshScanRunner;
    std::map<ChecklistStep, std::unique_ptr<BackgroundTask<ChecklistRun>>> m_checks;
    std::unique_ptr<BackgroundTask<Expected<qint64, QString>>> m_freshScan;
};

} // namespace sunset
