// SPDX-License-Identifier: Apache-2.0
// "Ask Cloud Sync to write it back now" (Cloud Sync menu, Ctrl+Shift+P) driven like an admin, against the cloud
// emulator in the test process: ticked drift items of three cloud-managed demo mailboxes, whose writeback jobs are
// known with their service principal (as a live read of Cloud Sync names them); the run asked, answered, shown and
// recorded in the history; then runs that Cloud Sync answers slowly (an answer that never comes, a 429 asking for a
// minute's pause), cancelled from the progress dialog while it is being asked. No DC: the scan came from files, so
// the flow has no directory to re-read afterwards and every object's re-read stays empty.
#include "BatchFlow.h"
#include "BatchPlanning.h"
#include "CloudEmulator.h"
#include "EmulatorScanSettings.h"
#include "MainWindow.h"
#include "OnDemand.h"
#include "OnDemandEmulator.h"
#include "OnDemandFlow.h"
#include "OnDemandStore.h"
#include "TickedDriftItems.h"
#include "support/DemoScan.h"
#include "support/ScriptedConfirmer.h"

#include <QAction>
#include <QMessageBox>
#include <QPointer>
#include <QProgressDialog>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <span>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kApp = u"0d0d0d0d-1111-2222-3333-555555555555"_s;
const QString kSecret = u"on-demand-gui-secret"_s;
const QString kSp = u"5a5a5a5a-6b6b-7c7c-8d8d-000000000001"_s;
const QString kRule = u"AAD2ADExchangeOnlineWriteback-rule"_s;
const QString kProvisionApi = u"provisionOnDemand"_s;
// Far beyond any wait of these tests: each ends by an event, never by a timer running out.
constexpr int kRunTimeoutMsecs = 120000;

// One drift item of a mailbox Cloud Sync can be asked for, and what the emulated Cloud Sync holds for it.
struct Pick {
    TickedDriftItem item;
    OnDemandSubject subject;
};

// Three mailboxes of one writeback job (contoso.com's; the demo's other job serves emea.contoso.com), one written-back
// drift item each, in the plan's order.
std::vector<Pick> pickMailboxes(const DriftScan& scan, const QString& jobId)
{
    std::vector<Pick> picks;
    for (const ScanRow& row : scan.rows()) {
        if (row.pair < 0)
            continue;
        for (const AttributeSpec& spec : AttributeCatalog::all()) {
            if (!spec.writtenBackByCloudSync || !scan.driftItem(row, spec.id))
                continue;
            const TickedDriftItem item{row.pair, spec.id};
            const OnDemandPlan plan = planOnDemand(selectionsForTicked(scan, std::span(&item, 1)));
            if (plan.subjects.size() != 1)
                continue;
            if (const auto job = onDemandJobFor(*scan.report.cloudSync, plan); job && job->jobId == jobId) {
                picks.push_back({item, plan.subjects.front()});
                break; // one item per mailbox
            }
        }
        if (picks.size() == 3)
            break;
    }
    std::sort(picks.begin(), picks.end(), [](const Pick& a, const Pick& b) { return a.item.pair < b.item.pair; });
    return picks;
}

QByteArray ldapName(AttributeId attribute)
{
    return AttributeCatalog::spec(attribute).ldapName.toString().toUtf8();
}

} // namespace

class TestOnDemandFlow final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void aRunIsAnsweredShownAndRecorded();
    void cancelWhileCloudSyncIsAskedStopsTheRun_data();
    void cancelWhileCloudSyncIsAskedStopsTheRun();

private:
    QProgressDialog* progressDialog() const
    {
        return m_window->findChild<QProgressDialog*>(u"provisionOnDemandProgress"_s);
    }
    QList<QMessageBox*> resultBoxes() const
    {
        return m_window->findChildren<QMessageBox*>(u"provisionOnDemandResult"_s);
    }
    HistoryResult<OnDemandRunRecord> onlyRun() const;
    // What each mailbox's line of the result says begins with its label.
    static QString lineOf(const QString& summary, const Pick& pick);

    std::shared_ptr<const DriftScan> m_scan;
    QString m_jobId;
    std::vector<Pick> m_picks;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<CloudEmulator> m_emulator;
    std::unique_ptr<OnDemandEmulator> m_cloudSync;
    std::unique_ptr<MainWindow> m_window;
    BatchFlow* m_batches = nullptr;
    OnDemandFlow* m_onDemand = nullptr;
    qint64 m_scanId = 0;
};

void TestOnDemandFlow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    // Cloud Sync's jobs as a live read knows them: with the service principal their answer does not name.
    m_scan = test::loadDemoScan([](CloudSyncState& state) {
        for (WritebackJob& job : state.jobs)
            job.servicePrincipalId = kSp;
    });
    QVERIFY(m_scan);
    const qint32 job = m_scan->report.cloudSync->jobIndexForDomain(u"contoso.com");
    QVERIFY(job >= 0);
    m_jobId = m_scan->report.cloudSync->jobs[size_t(job)].id;
    m_picks = pickMailboxes(*m_scan, m_jobId);
    QCOMPARE(m_picks.size(), size_t(3));
}

void TestOnDemandFlow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());

    // The emulated Cloud Sync answers: the first mailbox written back, the second skipped (out of the job's scope),
    // the third refused (the agent's account may not write it).
    m_emulator = std::make_unique<CloudEmulator>();
    QVERIFY(m_emulator->listen());
    m_emulator->setTenant({kTenant}, "{\"value\":[]}", "[]");
    m_emulator->registerApp(kApp, kSecret);
    m_cloudSync = std::make_unique<OnDemandEmulator>();
    m_cloudSync->setJob(kSp, m_jobId, kRule);
    for (const Pick& p : m_picks) {
        QByteArrayList cloud;
        for (const QString& v : p.subject.items.front().adTarget)
            cloud << v.toUtf8();
        m_cloudSync->setObject(p.subject.entraObjectId, p.subject.dn.toUtf8(), {{ldapName(p.item.attribute), cloud}});
    }
    m_cloudSync->setBehaviour(m_picks[0].subject.entraObjectId, OnDemandEmulator::Behaviour::SucceedWithoutAd);
    m_cloudSync->setBehaviour(m_picks[1].subject.entraObjectId, OnDemandEmulator::Behaviour::SkipNotInScope);
    m_cloudSync->setBehaviour(m_picks[2].subject.entraObjectId, OnDemandEmulator::Behaviour::FailInsufficientRights);
    m_emulator->setOnDemand(m_cloudSync.get());

    // The desktop app after a scan from files: the scan shown and recorded, no directory to write or re-read, the
    // cloud sign-in of a live cloud read.
    m_window = std::make_unique<MainWindow>();
    m_window->showScan(m_scan);
    m_batches = new BatchFlow(*m_window, std::make_shared<test::ScriptedConfirmer>());
    m_batches->installActions();
    BatchFlowConfig config;
    config.historyPath = m_dir->filePath(u"history.sqlite"_s);
    config.actor = {u"alice"_s, {}};
    config.noTarget = u"The scan was read from files."_s;
    QVERIFY(m_batches->open(std::move(config)));
    QSignalSpy recorded(m_batches, &BatchFlow::scanRecorded);
    m_batches->recordScan(m_scan);
    QTRY_COMPARE_WITH_TIMEOUT(recorded.count(), 1, kRunTimeoutMsecs);
    m_scanId = recorded.first().at(0).toLongLong();
    QCOMPARE(m_batches->recordedScanId(), m_scanId);
    m_onDemand = new OnDemandFlow(*m_window, *m_batches);
    m_onDemand->installActions();
    m_onDemand->setCloudSettings(emulatorScanSettings(*m_emulator, kTenant, kApp, kSecret));

    for (const Pick& p : m_picks)
        tickDriftItem(*m_window, p.item);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestOnDemandFlow::cleanup()
{
    // A failed test leaves no run behind: cancelled, then waited for (its threads use the history file).
    if (m_onDemand && m_onDemand->isRunning()) {
        if (QProgressDialog* progress = progressDialog())
            progress->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!m_onDemand->isRunning(), kRunTimeoutMsecs);
    }
    m_window.reset();
    m_emulator.reset();
    m_cloudSync.reset();
    m_dir.reset();
}

HistoryResult<OnDemandRunRecord> TestOnDemandFlow::onlyRun() const
{
    OnDemandStore runs(*m_batches->store());
    const auto ids = runs.runIds();
    if (!ids)
        return ids.error();
    if (ids->size() != 1)
        return HistoryError{QString::number(ids->size()) + u" runs recorded, not one"_s};
    return runs.run(ids->front());
}

QString TestOnDemandFlow::lineOf(const QString& summary, const Pick& pick)
{
    const QString start = pick.subject.label + u": "_s;
    for (const QString& line : summary.split(u'\n'))
        if (line.startsWith(start))
            return line.mid(start.size());
    return {};
}

// The whole run: the progress dialog while Cloud Sync is asked, each mailbox's answer in the result the admin
// reads (box, status bar, runFinished), the run in the history with the job, the rule read from the job's schema
// and one result per mailbox, and the audit chain's events for it.
void TestOnDemandFlow::aRunIsAnsweredShownAndRecorded()
{
    QSignalSpy finished(m_onDemand, &OnDemandFlow::runFinished);
    QSignalSpy historyChanged(m_batches, &BatchFlow::historyChanged);
    m_onDemand->action()->trigger();
    QVERIFY(m_onDemand->isRunning());
    QProgressDialog* progress = progressDialog();
    QVERIFY(progress && progress->isVisible());
    QCOMPARE(progress->maximum(), 3);
    QVERIFY2(progress->labelText().contains(u"Asking Cloud Sync to write back 3 mailbox(es)"_s),
             qPrintable(progress->labelText()));

    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kRunTimeoutMsecs);
    QVERIFY(!m_onDemand->isRunning());
    const QString summary = m_onDemand->lastSummary();
    QCOMPARE(finished.first().at(0).toString(), summary);
    const auto run = onlyRun();
    QVERIFY2(run, run ? "" : qPrintable(run.error().message));
    QVERIFY2(summary.startsWith(u"On-demand run %1, recorded in the history.\n\n"_s.arg(run->id)), qPrintable(summary));
    QVERIFY2(!summary.contains(u"It stopped"_s), qPrintable(summary));
    const QString attribute = QString::fromUtf8(ldapName(m_picks[0].item.attribute));
    const QString cloudValue = m_picks[0].subject.items.front().adTarget.join(u';');
    QCOMPARE(lineOf(summary, m_picks[0]), u"Cloud Sync wrote %1 (\"\" → \"%2\")"_s.arg(attribute, cloudValue));
    QCOMPARE(lineOf(summary, m_picks[1]),
             u"Cloud Sync skipped it (NotInScope): The user is not in the scope of the writeback job."_s);
    QVERIFY2(lineOf(summary, m_picks[2]).startsWith(u"Cloud Sync failed (InsufficientRights): "_s),
             qPrintable(summary));
    // Without a re-read of AD nothing counts as fixed, though Cloud Sync said it wrote the first one.
    const QString title = u"Cloud Sync: 0 of 3 mailbox(es) fixed"_s;
    const QList<QMessageBox*> boxes = resultBoxes();
    QCOMPARE(boxes.size(), 1);
    QVERIFY(boxes.front()->isVisible());
    QCOMPARE(boxes.front()->windowTitle(), title);
    QCOMPARE(boxes.front()->text(), summary);
    QCOMPARE(m_window->statusBar()->currentMessage(), title);
    QTRY_VERIFY(!progressDialog()); // gone with the run
    QCOMPARE(historyChanged.count(), 1);

    // Cloud Sync was asked once per mailbox, nothing retried.
    QCOMPARE(m_emulator->dataRequests(kProvisionApi), 3);
    QCOMPARE(m_cloudSync->provisionRequests(), 3);

    QCOMPARE(run->state, u"finished"_s);
    QVERIFY(run->message.isEmpty());
    QCOMPARE(run->scanId, m_scanId);
    QCOMPARE(run->servicePrincipalId, kSp);
    QCOMPARE(run->jobId, m_jobId);
    QCOMPARE(run->ruleId, kRule);
    QCOMPARE(run->osUser, u"alice"_s);
    QVERIFY(run->started.isValid() && run->finished >= run->started);
    QCOMPARE(run->objects.size(), size_t(3));
    for (size_t i = 0; i < 3; ++i) {
        QCOMPARE(run->objects[i].subject.entraObjectId, m_picks[i].subject.entraObjectId);
        QCOMPARE(run->objects[i].subject.dn, m_picks[i].subject.dn);
        QVERIFY(run->objects[i].verified.isEmpty()); // no directory to re-read
    }
    QCOMPARE(run->objects[0].result, u"success"_s);
    QVERIFY(run->objects[0].modifiedJson.contains(ldapName(m_picks[0].item.attribute)));
    QCOMPARE(run->objects[1].result, u"skipped"_s);
    QCOMPARE(run->objects[1].skipReason, u"NotInScope"_s);
    QCOMPARE(run->objects[2].result, u"failure"_s);
    QCOMPARE(run->objects[2].errorCode, u"InsufficientRights"_s);

    HistoryStore& store = *m_batches->store();
    QVERIFY(store.verify().intact());
    const auto events = store.events();
    QVERIFY(events && events->size() >= 2);
    QCOMPARE(events->back().kind, u"ondemand.finished"_s);
    QCOMPARE(events->at(events->size() - 2).kind, u"ondemand.started"_s);
}

void TestOnDemandFlow::cancelWhileCloudSyncIsAskedStopsTheRun_data()
{
    QTest::addColumn<int>("slowness");
    // The second mailbox's request: answered 200 and then nothing (the run waits for the answer), or answered 429
    // asking for a minute's pause (the run waits to ask again).
    QTest::newRow("answer that never comes") << int(CloudEmulator::Fault::Kind::StalledPage);
    QTest::newRow("throttled for a minute") << int(CloudEmulator::Fault::Kind::TooManyRequests);
}

// Cancel on the progress dialog while the second of three mailboxes is being asked: the run ends (no hang), the admin
// is told it stopped, the history holds it stopped with the first mailbox's answer and the other two unanswered,
// and Cloud Sync hears nothing more from the run.
void TestOnDemandFlow::cancelWhileCloudSyncIsAskedStopsTheRun()
{
    QFETCH(int, slowness);
    CloudEmulator::Fault slow{CloudEmulator::Fault::Kind(slowness), kProvisionApi, 2};
    slow.retryAfter = "60";
    m_emulator->addFault(slow);
    QSignalSpy finished(m_onDemand, &OnDemandFlow::runFinished);
    m_onDemand->action()->trigger();
    QVERIFY(m_onDemand->isRunning());
    QPointer<QProgressDialog> progress = progressDialog();
    QVERIFY(progress && progress->isVisible());

    // The second request has reached Cloud Sync, which has not answered it (or asked to wait): the run is asking.
    QTRY_COMPARE_WITH_TIMEOUT(m_emulator->dataRequests(kProvisionApi), 2, kRunTimeoutMsecs);
    QCOMPARE(m_emulator->faultsInjected(), 1);
    QVERIFY(m_onDemand->isRunning());
    QCOMPARE(progress->value(), 1);
    QVERIFY2(progress->labelText().contains(m_picks[0].subject.label + u": Cloud Sync answered success"_s),
             qPrintable(progress->labelText()));
    QVERIFY(!m_onDemand->findChildren<ProvisionOnDemandClient*>().isEmpty());

    auto* cancel = progress->findChild<QPushButton*>();
    QVERIFY(cancel && cancel->isVisible() && cancel->text() == u"Cancel"_s);
    cancel->click();
    QTRY_VERIFY_WITH_TIMEOUT(!m_onDemand->isRunning(), kRunTimeoutMsecs);
    QCOMPARE(finished.count(), 1);

    // The admin is told: it stopped because it was cancelled; the first mailbox's answer, the others not asked.
    const QString summary = m_onDemand->lastSummary();
    QVERIFY2(summary.contains(u"\nIt stopped: %1\n"_s.arg(onDemandCancelled())), qPrintable(summary));
    QVERIFY2(lineOf(summary, m_picks[0]).startsWith(u"Cloud Sync wrote "_s), qPrintable(summary));
    QCOMPARE(lineOf(summary, m_picks[1]), u"not asked (the run stopped first)"_s);
    QCOMPARE(lineOf(summary, m_picks[2]), u"not asked (the run stopped first)"_s);
    const QList<QMessageBox*> boxes = resultBoxes();
    QCOMPARE(boxes.size(), 1);
    QCOMPARE(boxes.front()->text(), summary);
    QCOMPARE(boxes.front()->windowTitle(), u"Cloud Sync: 0 of 3 mailbox(es) fixed"_s);
    QTRY_VERIFY(!progress);

    // The history: the run stopped, cancelled, with one answer of three.
    const auto run = onlyRun();
    QVERIFY2(run, run ? "" : qPrintable(run.error().message));
    QCOMPARE(run->state, u"stopped"_s);
    QCOMPARE(run->message, onDemandCancelled());
    QCOMPARE(run->ruleId, kRule);
    QCOMPARE(run->objects.size(), size_t(3));
    QCOMPARE(run->objects[0].result, u"success"_s);
    QVERIFY(run->objects[1].result.isEmpty());
    QVERIFY(run->objects[2].result.isEmpty());
    QVERIFY(m_batches->store()->verify().intact());
    QCOMPARE(m_batches->store()->events()->back().kind, u"ondemand.finished"_s);

    // Nothing more reached Cloud Sync, and nothing more can: the run's client is gone (the pause's retry, the third
    // mailbox's request would have been its).
    QTRY_VERIFY(m_onDemand->findChildren<ProvisionOnDemandClient*>().isEmpty());
    QCOMPARE(m_emulator->dataRequests(kProvisionApi), 2);
    QCOMPARE(m_cloudSync->provisionRequests(), 1);
}

QTEST_MAIN(TestOnDemandFlow)
#include "TestOnDemandFlow.moc"
