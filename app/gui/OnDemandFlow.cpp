// SPDX-License-Identifier: Apache-2.0
#include "OnDemandFlow.h"

#include "BatchFlow.h"
#include "BatchPlanning.h"
#include "LdapBatchTarget.h"
#include "MainWindow.h"
#include "OnDemand.h"
#include "TickedDriftItems.h"

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
    connect(m_progress, &QProgressDialog::canceled, this, [this] { m_run.cancel(); });
    m_progress->show();

    OnDemandRunSettings settings{*m_cloud, job.value()};
    const QString path = store->path();
    const HistoryActor actor = store->actor();
    const std::shared_ptr<BatchTarget> target = m_batches.config().target;
    m_run.start(
        [this, plan, settings, path, actor, target](TaskControl& control) -> HistoryResult<OnDemandRunRecord> {
            // This thread's own history connection (a HistoryStore is one thread's), and its own LDAP connection.
            auto history = HistoryStore::open(path, actor);
            if (!history)
                return history.error();
            std::unique_ptr<LdapConnection> ad;
            if (auto* ldap = dynamic_cast<LdapBatchTarget*>(target.get())) {
                auto connected = ldap->connect();
                if (connected)
                    ad = std::move(connected.value());
            }
            int done = 0;
            return runOnDemand(
                *history.value(), plan, settings, ad.get(),
                [this, &control, &done](const QString& line) {
                    const int value = ++done;
                    control.post([this, line, value] {
                        if (m_progress) {
                            m_progress->setLabelText(line);
                            m_progress->setValue(value);
                        }
                    });
                },
                control.cancelFlag());
        },
        [this](const HistoryResult<OnDemandRunRecord>& run) { finish(run); });
    m_window.statusBar()->showMessage(tr("Asking Cloud Sync to write back %n mailbox(es)…", nullptr,
                                         int(plan.subjects.size())) + leftOut.section(u'\n', 0, 0));
}

void OnDemandFlow::finish(const HistoryResult<OnDemandRunRecord>& run)
{
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
