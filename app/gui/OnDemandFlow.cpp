// SPDX-License-Identifier: Apache-2.0
#include "OnDemandFlow.h"

#include "BatchFlow.h"
#include "BatchPlanning.h"
#include "LdapBatchTarget.h"
#include "MainWindow.h"
#include "OnDemand.h"
#include "TickedDriftItems.h"

#include "platform/BackgroundFuture.h"
#include "platform/WhenFinished.h"

#include <QAction>
#include <QMenu>
#include <QMessageBox>
#include <QProgressDialog>
#include <QStatusBar>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

OnDemandFlow::OnDemandFlow(MainWindow& window, BatchFlow& batches)
    : QObject(&window)
    , m_window(window)
    , m_batches(batches)
{
}

OnDemandFlow::~OnDemandFlow() = default;

void OnDemandFlow::installActions()
{
    QMenu* menu = m_window.addFeatureMenu(tr("Cloud &Sync"));
    m_action = menu->addAction(tr("Ask Cloud Sync to &write it back now"), this, &OnDemandFlow::askTicked);
    m_action->setObjectName(u"provisionOnDemandAction"_s);
    m_action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    m_action->setToolTip(tr("The supported fix: ask Entra Cloud Sync to write the cloud's values of the ticked "
                            "drift items back to AD now (provisionOnDemand), then re-read AD (Ctrl+Shift+P)"));
}

void OnDemandFlow::tell(const QString& title, const QString& text)
{
    m_lastSummary = text;
    m_window.statusBar()->showMessage(title, 10000);
    auto* box = new QMessageBox(QMessageBox::Information, title, text, QMessageBox::Ok, &m_window);
    box->setObjectName(u"provisionOnDemandResult"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open(); // not modal-blocking: tests and the rest of the window go on
    Q_EMIT runFinished(text);
}

void OnDemandFlow::askTicked()
{
    if (isRunning()) {
        if (m_progress)
            m_progress->raise();
        return;
    }
    const auto& scan = m_window.scan();
    HistoryStore* store = m_batches.store();
    if (!scan || !store)
        return tell(tr("Nothing to ask Cloud Sync for"),
                    tr("Scan first: the ticked drift items of a scan go to Cloud Sync (and the history must be open)."));
    const OnDemandPlan plan = planOnDemand(selectionsForTicked(*scan, tickedDriftItems(m_window)),
                                           m_batches.recordedScanId());
    const QString leftOut = plan.leftOut.isEmpty() ? QString()
                                                   : tr("\n\nLeft out:\n%1").arg(plan.leftOut.join(u'\n'));
    if (plan.subjects.empty())
        return tell(tr("Nothing to ask Cloud Sync for"),
                    tr("No ticked drift item is on an attribute Cloud Sync writes back for a cloud-managed mailbox. "
                       "Tick such items (or use the Batch menu's direct LDAP write, the break-glass path).") +
                        leftOut);
    if (!m_cloud)
        return tell(tr("Cloud Sync cannot be asked"),
                    tr("Asking Cloud Sync needs the cloud read live: connect with your tenant (File › Connect…) and "
                       "scan, so that Sunset can sign in to Microsoft Graph (Synchronization.ReadWrite.All)."));
    const auto job = onDemandJobFor(*scan->report.cloudSync, plan);
    if (!job)
        return tell(tr("Cloud Sync cannot be asked"), job.error() + u'.');

    m_progress = new QProgressDialog(tr("Asking Cloud Sync to write back %n mailbox(es)…", nullptr,
                                        int(plan.subjects.size())),
                                     tr("Cancel"), 0, int(plan.subjects.size()), &m_window);
    m_progress->setObjectName(u"provisionOnDemandProgress"_s);
    m_progress->setWindowTitle(tr("Ask Cloud Sync to write it back now"));
    m_progress->setMinimumDuration(0);
    m_progress->setAutoClose(false);
    m_progress->setAutoReset(false);
    connect(m_progress, &QProgressDialog::canceled, this, &OnDemandFlow::cancelRun);
    m_progress->show();

    m_run = Run{plan, OnDemandRunSettings{*m_cloud, job.value()}, store->path(), store->actor(),
                m_batches.config().target, std::make_shared<OnDemandAnswers>(unanswered(plan)), false, {}};
    begin();
    m_window.statusBar()->showMessage(tr("Asking Cloud Sync to write back %n mailbox(es)…", nullptr,
                                         int(plan.subjects.size())) + leftOut.section(u'\n', 0, 0));
}

void OnDemandFlow::begin()
{
    // The run on record before Cloud Sync is asked, on a thread with a history connection of its own (a HistoryStore
    // is one thread's). Not cancelled: once begun, a run is always finished on record.
    auto work = [plan = m_run->plan, settings = m_run->settings, path = m_run->historyPath,
                 actor = m_run->actor](TaskControl&) -> HistoryResult<qint64> {
        auto history = HistoryStore::open(path, actor);
        if (!history)
            return history.error();
        return beginOnDemandRun(*history.value(), plan, settings);
    };
    whenFinished(backgroundFuture<HistoryResult<qint64>>(this, u"sunset-on-demand"_s, std::move(work)), this,
                 [this](QFuture<HistoryResult<qint64>> begun) {
                     if (begun.resultCount() == 0)
                         return;
                     const HistoryResult<qint64> runId = begun.result();
                     if (!runId)
                         return finish(runId.error());
                     ask(runId.value());
                 });
}

void OnDemandFlow::ask(qint64 runId)
{
    if (m_run->cancelled) {
        m_run->answers->stopped = onDemandCancelled();
        return record(runId);
    }
    auto answered = std::make_shared<int>(0);
    m_run->asking = askCloudSync(
        m_run->plan, m_run->settings, m_run->answers,
        [this, answered](const QString& line) {
            if (m_progress) {
                m_progress->setLabelText(line);
                m_progress->setValue(++*answered);
            }
        },
        this);
    whenFinished(m_run->asking, this, [this, runId](QFuture<QString> asked) {
        m_run->answers->stopped = asked.resultCount() > 0 ? asked.result() : onDemandCancelled();
        record(runId);
    });
}

void OnDemandFlow::record(qint64 runId)
{
    // AD's re-read and the results, on a thread with its own history connection and its own LDAP connection.
    auto work = [path = m_run->historyPath, actor = m_run->actor, target = m_run->target, answers = *m_run->answers,
                 runId](TaskControl&) -> HistoryResult<OnDemandRunRecord> {
        auto history = HistoryStore::open(path, actor);
        if (!history)
            return history.error();
        std::unique_ptr<LdapConnection> ad;
        if (auto* ldap = dynamic_cast<LdapBatchTarget*>(target.get())) {
            auto connected = ldap->connect();
            if (connected)
                ad = std::move(connected.value());
        }
        return finishOnDemandRun(*history.value(), runId, answers, ad.get());
    };
    whenFinished(backgroundFuture<HistoryResult<OnDemandRunRecord>>(this, u"sunset-on-demand"_s, std::move(work)),
                 this, [this](QFuture<HistoryResult<OnDemandRunRecord>> recorded) {
                     if (recorded.resultCount() > 0)
                         finish(recorded.result());
                 });
}

void OnDemandFlow::cancelRun()
{
    if (!m_run)
        return;
    // Stops the asking (now, or before it starts); the run is then recorded as stopped with the answers so far.
    m_run->cancelled = true;
    m_run->asking.cancel();
}

void OnDemandFlow::finish(const HistoryResult<OnDemandRunRecord>& run)
{
    m_run.reset();
    if (m_progress)
        m_progress->deleteLater();
    if (!run)
        return tell(tr("Cloud Sync could not be asked"), run.error().message);
    QStringList lines;
    int fixed = 0;
    for (const OnDemandObjectRecord& o : run->objects) {
        lines << o.subject.label + u": "_s + describeOnDemandObject(o);
        if (o.verified == "fixed"_L1)
            ++fixed;
    }
    QString text = tr("On-demand run %1, recorded in the history.").arg(run->id);
    if (run->state != "finished"_L1)
        text += u"\n"_s + tr("It stopped: %1").arg(run->message);
    text += u"\n\n"_s + lines.join(u'\n');
    tell(tr("Cloud Sync: %1 of %n mailbox(es) fixed", nullptr, int(run->objects.size())).arg(fixed), text);
    Q_EMIT m_batches.historyChanged();
}

} // namespace sunset
