// SPDX-License-Identifier: Apache-2.0
// The decommission wizard, offscreen, over a real history file: a passing walk through the five steps, a failing
// check with its evidence, an override that needs a reason, and a new wizard over the same history resuming
// where the first one stopped. Checks run through a scripted runner on the worker thread, as in the app.
#include "ChecklistStore.h"
#include "DecommissionWizard.h"

#include <QAbstractButton>
#include <QDialog>
#include <QSettings>
#include <QStandardPaths>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QMutex>
#include <QPlainTextEdit>
#include <QPromise>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTreeWidget>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

// What the runner answers per step; set by the test between runs (guarded: the runner reads it on a worker).
class ScriptedChecks final {
public:
    void set(ChecklistStep step, ChecklistRun run)
    {
        QMutexLocker lock(&m_mutex);
        m_runs[int(step)] = std::move(run);
    }
    ChecklistCheckRunner runner()
    {
        return [this](ChecklistStep step, const std::atomic_bool*) {
            QMutexLocker lock(&m_mutex);
            m_threads.append(QThread::currentThread());
            ChecklistRun run = m_runs.value(int(step), pass());
            run.at = QDateTime::currentDateTimeUtc();
            run.by = u"tester"_s;
            return run;
        };
    }
    QList<QThread*> threads()
    {
        QMutexLocker lock(&m_mutex);
        return m_threads;
    }
    static ChecklistRun pass() { return {{}, {}, {{u"x"_s, FindingLevel::Pass, u"Nothing left."_s, {}}}, {}}; }

private:
    QMutex m_mutex;
    QHash<int, ChecklistRun> m_runs;
    QList<QThread*> m_threads;
};

// The checklist as recorded (a copy: the tests hold on to parts of it).
Checklist recorded(const ChecklistStore& store)
{
    Expected<Checklist, QString> loaded = store.load();
    if (!loaded)
        qFatal("%s", qPrintable(loaded.error()));
    return std::move(loaded.value());
}

} // namespace

class TestDecommissionWizard final : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    std::unique_ptr<HistoryStore> openHistory(const QString& name)
    {
        auto history = HistoryStore::open(m_dir.filePath(name), HistoryActor{u"alice"_s, {}});
        if (!history)
            qFatal("%s", qPrintable(history.error().message));
        return std::move(history.value());
    }

    static bool runChecks(DecommissionWizard& wizard, ChecklistStep step)
    {
        QSignalSpy done(&wizard, &DecommissionWizard::checksFinished);
        auto* button = wizard.stepPage(step)->findChild<QPushButton*>(u"runChecks"_s);
        if (!button || !button->isEnabled())
            return false;
        button->click();
        return done.wait(10000) && done.first().first().value<ChecklistStep>() == step;
    }

    static void attestAll(DecommissionWizard& wizard, ChecklistStep step)
    {
        for (const AttestationItem& item : attestationItems(step))
            wizard.stepPage(step)->findChild<QCheckBox*>(u"attest-"_s + item.key)->setChecked(true);
    }

    static QString statusText(DecommissionWizard& wizard, ChecklistStep step)
    {
        return wizard.stepPage(step)->findChild<QLabel*>(u"status"_s)->text();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // QSettings under ~/.qttest, not the admin's
        QCoreApplication::setOrganizationName(u"SunsetTest"_s);
        QCoreApplication::setApplicationName(u"TestDecommissionWizard"_s);
        QSettings().remove(u"decommission"_s);
    }

    void sourcesDialogKeepsPathsNotSecrets()
    {
        auto history = openHistory(u"sources.sqlite"_s);
        ChecklistStore store(*history);
        ScriptedChecks checks;
        DecommissionWizard wizard(&store, checks.runner());
        wizard.show();
        wizard.button(QWizard::CustomButton1)->click();
        auto* dialog = wizard.findChild<QDialog*>(u"decommissionSources"_s);
        QVERIFY(dialog);
        dialog->findChild<QLineEdit*>(u"adUri"_s)->setText(u"ldaps://dc01.sunset.test"_s);
        dialog->findChild<QLineEdit*>(u"passwordFile"_s)->setText(u" /home/alice/.ad-password "_s);
        dialog->accept();
        QSettings settings;
        QCOMPARE(settings.value(u"decommission/adUri"_s).toString(), u"ldaps://dc01.sunset.test"_s);
        QCOMPARE(settings.value(u"decommission/passwordFile"_s).toString(), u"/home/alice/.ad-password"_s);
        QVERIFY(!settings.contains(u"decommission/tenant"_s)); // empty fields are not stored
        settings.remove(u"decommission"_s);
    }

    // The snapshot files are offered beside the live sources and kept as paths (several configuration exports
    // split by ';').
    void sourcesDialogOffersSnapshotFiles()
    {
        auto history = openHistory(u"files.sqlite"_s);
        ChecklistStore store(*history);
        ScriptedChecks checks;
        DecommissionWizard wizard(&store, checks.runner());
        wizard.show();
        wizard.button(QWizard::CustomButton1)->click();
        auto* dialog = wizard.findChild<QDialog*>(u"decommissionSources"_s);
        QVERIFY(dialog);
        for (const QString& key : {u"configLdif"_s, u"exoFile"_s, u"hybridFile"_s, u"adFile"_s, u"graphFile"_s}) {
            QVERIFY2(dialog->findChild<QLineEdit*>(key), qPrintable(key));
            QVERIFY2(dialog->findChild<QAbstractButton*>(key + u"Browse"_s), qPrintable(key));
        }
        dialog->findChild<QLineEdit*>(u"configLdif"_s)->setText(u"/exports/config.ldif;/exports/users.ldif"_s);
        dialog->findChild<QLineEdit*>(u"hybridFile"_s)->setText(u"/exports/hybrid.json"_s);
        dialog->accept();
        QSettings settings;
        QCOMPARE(settings.value(u"decommission/configLdif"_s).toString(), u"/exports/config.ldif;/exports/users.ldif"_s);
        QCOMPARE(settings.value(u"decommission/hybridFile"_s).toString(), u"/exports/hybrid.json"_s);
        QVERIFY(!settings.contains(u"decommission/adFile"_s));
        settings.remove(u"decommission"_s);
    }

    // "Run a fresh scan" runs off the GUI thread with its stage shown; Cancel stops it, nothing is judged, and the
    // reason is on the page. A recorded scan is then judged, and "Show scan N in History" opens it.
    void freshScanShowsProgressAndCancels()
    {
        auto history = openHistory(u"fresh.sqlite"_s);
        ChecklistStore store(*history);
        ScriptedChecks checks;
        checks.set(ChecklistStep::Verification,
                   {{}, {}, {{u"recent-scan"_s, FindingLevel::Pass, u"The latest scan is recent."_s,
                              {u"scan 7, finished 2026-11-24T10:00:00Z"_s}}}, {}});
        DecommissionWizard wizard(&store, checks.runner());
        DecommissionStepPage* page = wizard.stepPage(ChecklistStep::Verification);
        QVERIFY(!page->findChild<QPushButton*>(u"freshScan"_s)->isVisibleTo(page)); // no runner yet
        std::atomic_bool record{false};
        QThread* scanThread = nullptr;
        wizard.setFreshScanRunner([&](const std::atomic_bool* cancel, const FreshScanProgressSink& progress) {
            scanThread = QThread::currentThread();
            for (int i = 0; !record.load(); ++i) {
                if (cancel->load())
                    return Expected<qint64, QString>(u"The fresh scan was cancelled; no scan was recorded."_s);
                progress(u"Reading AD from ad.ldif"_s, (i % 100) / 100.0);
                QThread::msleep(5);
            }
            return Expected<qint64, QString>(qint64(7));
        });
        QList<qint64> opened;
        wizard.setScanOpener([&](qint64 id) { opened.append(id); });
        wizard.show();
        QVERIFY(runChecks(wizard, ChecklistStep::Prerequisites));
        attestAll(wizard, ChecklistStep::Prerequisites);
        wizard.next();
        QCOMPARE(wizard.currentId(), int(ChecklistStep::Verification));
        auto* fresh = page->findChild<QPushButton*>(u"freshScan"_s);
        auto* cancel = page->findChild<QPushButton*>(u"cancelChecks"_s);
        auto* stage = page->findChild<QLabel*>(u"freshScanStage"_s);
        QVERIFY(fresh->isVisible());

        QSignalSpy finished(page, &DecommissionStepPage::freshScanFinished);
        fresh->click();
        QVERIFY(!fresh->isEnabled());
        QVERIFY(!page->findChild<QPushButton*>(u"runChecks"_s)->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(stage->text().startsWith(u"Reading AD from ad.ldif"_s), 10000);
        QVERIFY(page->findChild<QWidget*>(u"freshScanProgress"_s)->isVisible());
        cancel->click();
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY(page->findChild<QLabel*>(u"message"_s)->text().contains(u"cancelled"_s));
        QVERIFY(recorded(store).step(ChecklistStep::Verification).runs.empty()); // nothing judged
        QVERIFY(scanThread && scanThread != QThread::currentThread());
        QVERIFY(fresh->isEnabled());
        QVERIFY(!page->findChild<QPushButton*>(u"showScan"_s)->isVisible());

        record = true;
        QSignalSpy judged(&wizard, &DecommissionWizard::checksFinished);
        fresh->click();
        QVERIFY(judged.wait(10000));
        QCOMPARE(finished.count(), 2);
        QCOMPARE(finished.last().first().toBool(), true);
        QCOMPARE(recorded(store).step(ChecklistStep::Verification).runs.size(), size_t(1));
        auto* show = page->findChild<QPushButton*>(u"showScan"_s);
        QVERIFY(show->isVisible());
        QCOMPARE(show->text(), u"Show scan 7 in History"_s);
        show->click();
        QCOMPARE(opened, QList<qint64>{7});
    }

    // Cancel stops a step's checks that are mid-read: the future the starter gave is cancelled, the page has its
    // buttons back at once and says so, and nothing is recorded (a cancelled run is not a result).
    void cancelStopsChecksMidRead()
    {
        auto history = openHistory(u"cancel.sqlite"_s);
        ChecklistStore store(*history);
        QPromise<ChecklistRun> reading; // a read that answers only when told
        QFuture<ChecklistRun> started;
        auto* checks = new DecommissionChecks([&](ChecklistStep, QObject*) {
            reading.start();
            started = reading.future();
            return started;
        });
        DecommissionWizard wizard(&store, checks);
        wizard.show();
        DecommissionStepPage* page = wizard.stepPage(ChecklistStep::Prerequisites);
        auto* run = page->findChild<QPushButton*>(u"runChecks"_s);
        auto* cancel = page->findChild<QPushButton*>(u"cancelChecks"_s);
        run->click();
        QVERIFY(started.isStarted() && !started.isFinished());
        QVERIFY(!run->isEnabled());
        QVERIFY(cancel->isEnabled());
        QVERIFY(checks->isRunning(ChecklistStep::Prerequisites));

        cancel->click();
        QVERIFY(started.isCanceled());
        QTRY_VERIFY_WITH_TIMEOUT(run->isEnabled(), 10000);
        QVERIFY(!cancel->isEnabled());
        QVERIFY(!checks->isRunning(ChecklistStep::Prerequisites));
        QVERIFY(page->findChild<QLabel*>(u"message"_s)->text().contains(u"cancelled"_s));
        QVERIFY(recorded(store).step(ChecklistStep::Prerequisites).runs.empty());
        reading.finish();
    }

    void passingRunWalksAllFiveSteps()
    {
        auto history = openHistory(u"pass.sqlite"_s);
        ChecklistStore store(*history);
        ScriptedChecks checks;
        DecommissionWizard wizard(&store, checks.runner());
        wizard.show();
        QCOMPARE(wizard.currentId(), int(ChecklistStep::Prerequisites));
        for (ChecklistStep step : kChecklistSteps) {
            QCOMPARE(wizard.currentId(), int(step));
            DecommissionStepPage* page = wizard.stepPage(step);
            QVERIFY(!page->isComplete());
            QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled() || step == ChecklistStep::PostUninstallCleanup);
            QVERIFY(runChecks(wizard, step));
            QVERIFY(!page->isComplete()); // attestations outstanding
            attestAll(wizard, step);
            QVERIFY(page->isComplete());
            QVERIFY(statusText(wizard, step).contains(u"Passed"_s));
            if (step != ChecklistStep::PostUninstallCleanup) {
                QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
                wizard.next();
            }
        }
        QVERIFY(wizard.button(QWizard::FinishButton)->isEnabled());
        QVERIFY(recorded(store).complete());

        // Export hands the exporter the checklist as recorded.
        QVERIFY(!wizard.button(QWizard::CustomButton2)->isVisible());
        Checklist exported;
        QString exportedTo;
        wizard.setExporter([&](const Checklist& c, const QString& path) {
            exported = c;
            exportedTo = path;
            return Expected<void, QString>();
        });
        QVERIFY(wizard.button(QWizard::CustomButton2)->isVisible());
        QVERIFY(wizard.exportTo(u"/tmp/report.pdf"_s));
        QCOMPARE(exportedTo, u"/tmp/report.pdf"_s);
        QVERIFY(exported.complete());
        // The checks ran off the GUI thread.
        for (QThread* thread : checks.threads())
            QVERIFY(thread != QThread::currentThread());
    }

    // The writeback checks stand for the attestation: read, the box is not asked for (and the step can pass
    // without it); not read ("Not read" findings naming what to give), it is asked for again.
    void writebackChecksReplaceTheAttestationWhenRead()
    {
        auto history = openHistory(u"writeback.sqlite"_s);
        ChecklistStore store(*history);
        ScriptedChecks checks;
        std::vector<ChecklistFinding> read;
        std::vector<ChecklistFinding> unread;
        for (QLatin1StringView check : kWritebackJobChecks) {
            read.push_back({QString(check), FindingLevel::Pass, u"fine"_s, {u"contoso.com (job J)"_s}});
            unread.push_back({QString(check), FindingLevel::Unread, u"give --sync-jobs FILE"_s, {}});
        }
        checks.set(ChecklistStep::Prerequisites, {{}, {}, read, {}});
        DecommissionWizard wizard(&store, checks.runner());
        wizard.show();
        DecommissionStepPage* page = wizard.stepPage(ChecklistStep::Prerequisites);
        auto* writeback = page->findChild<QCheckBox*>(u"attest-cloud-sync-writeback"_s);
        auto* groups = page->findChild<QCheckBox*>(u"attest-groups-contacts-soa"_s);
        QVERIFY(writeback->isEnabled()); // no run yet: asked
        QVERIFY(runChecks(wizard, ChecklistStep::Prerequisites));
        QVERIFY(!writeback->isEnabled());
        QVERIFY(writeback->text().startsWith(u"Checked by the latest run, no confirmation needed: "_s));
        QCOMPARE(page->findChild<QLabel*>(u"reasons"_s)->text(), u"Open: 1 confirmation outstanding."_s);
        groups->setChecked(true);
        QVERIFY(page->isComplete());

        checks.set(ChecklistStep::Prerequisites, {{}, {}, unread, {}});
        QVERIFY(runChecks(wizard, ChecklistStep::Prerequisites));
        QVERIFY(writeback->isEnabled());
        QVERIFY(!page->isComplete());
        auto* tree = page->findChild<QTreeWidget*>(u"findings"_s);
        QCOMPARE(tree->topLevelItem(0)->text(0), u"Not read"_s);
        QCOMPARE(page->findChild<QLabel*>(u"reasons"_s)->text(), u"Open: 4 checks not read, 1 confirmation outstanding."_s);
        writeback->setChecked(true);
        QVERIFY(page->isComplete());
    }

    void failingCheckShowsItsEvidenceAndBlocks()
    {
        auto history = openHistory(u"fail.sqlite"_s);
        ChecklistStore store(*history);
        ScriptedChecks checks;
        checks.set(ChecklistStep::Prerequisites,
                   {{}, {}, {{u"mailboxes-cloud-managed"_s, FindingLevel::Blocking, u"1 of 3 not cloud-managed"_s,
                              {u"Bob <bob@sunset.test>"_s}}}, {}});
        DecommissionWizard wizard(&store, checks.runner());
        wizard.show();
        attestAll(wizard, ChecklistStep::Prerequisites);
        QVERIFY(runChecks(wizard, ChecklistStep::Prerequisites));
        DecommissionStepPage* page = wizard.stepPage(ChecklistStep::Prerequisites);
        QVERIFY(!page->isComplete());
        QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
        QVERIFY(statusText(wizard, ChecklistStep::Prerequisites).contains(u"Failed"_s));
        auto* tree = page->findChild<QTreeWidget*>(u"findings"_s);
        QCOMPARE(tree->topLevelItemCount(), 1);
        QCOMPARE(tree->topLevelItem(0)->text(0), u"Blocking"_s);
        QCOMPARE(tree->topLevelItem(0)->child(0)->text(1), u"Bob <bob@sunset.test>"_s);
        QCOMPARE(page->findChild<QLabel*>(u"reasons"_s)->text(), u"Open: 1 blocking finding."_s);
        QVERIFY(page->findChild<QLabel*>(u"reasons"_s)->toolTip().contains(u"1 of 3 not cloud-managed"_s));

        // Fixed and run again: passes, and the failed run stays in the history.
        checks.set(ChecklistStep::Prerequisites, ScriptedChecks::pass());
        QVERIFY(runChecks(wizard, ChecklistStep::Prerequisites));
        QVERIFY(page->isComplete());
        QCOMPARE(recorded(store).step(ChecklistStep::Prerequisites).runs.size(), size_t(2));
    }

    void overrideNeedsAWrittenReason()
    {
        auto history = openHistory(u"override.sqlite"_s);
        ChecklistStore store(*history);
        ScriptedChecks checks;
        checks.set(ChecklistStep::Prerequisites,
                   {{}, {}, {}, {u"AD was not given: give --ad ldaps://dc…"_s}});
        DecommissionWizard wizard(&store, checks.runner());
        wizard.show();
        QVERIFY(runChecks(wizard, ChecklistStep::Prerequisites));
        DecommissionStepPage* page = wizard.stepPage(ChecklistStep::Prerequisites);
        auto* reason = page->findChild<QLineEdit*>(u"overrideReason"_s);
        auto* button = page->findChild<QPushButton*>(u"override"_s);
        QVERIFY(!button->isEnabled()); // no reason, no override
        // One character short of kMinimumOverrideReasonLength (15): refused, nothing recorded.
        QTest::keyClicks(reason, u"CAB ticket C-9"_s);
        QCOMPARE(reason->text().size(), 14);
        QVERIFY(button->isEnabled());
        button->click();
        QVERIFY(page->findChild<QLabel*>(u"message"_s)->text().contains(u"too short"_s));
        QVERIFY(!page->isComplete());
        QVERIFY(recorded(store).step(ChecklistStep::Prerequisites).overrides.empty());

        // Exactly 15: enough.
        reason->clear();
        QTest::keyClicks(reason, u"CAB ticket CH-9"_s);
        QCOMPARE(reason->text().size(), 15);
        button->click();
        QVERIFY(page->isComplete());
        QVERIFY(statusText(wizard, ChecklistStep::Prerequisites).contains(u"Overridden"_s));
        QVERIFY(statusText(wizard, ChecklistStep::Prerequisites).contains(u"CH-9"_s));
        const Checklist checklist = recorded(store);
        const StepRecord& record = checklist.step(ChecklistStep::Prerequisites);
        QCOMPARE(record.overrides.size(), size_t(1));
        QCOMPARE(record.overrides.front().reason, u"CAB ticket CH-9"_s);
        QCOMPARE(record.overrides.front().by, u"alice"_s);
        QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
    }

    void resumesAfterRestart()
    {
        const QString name = u"resume.sqlite"_s;
        {
            auto history = openHistory(name);
            ChecklistStore store(*history);
            ScriptedChecks checks;
            DecommissionWizard wizard(&store, checks.runner());
            wizard.show();
            for (ChecklistStep step : {ChecklistStep::Prerequisites, ChecklistStep::Verification}) {
                QVERIFY(runChecks(wizard, step));
                attestAll(wizard, step);
                wizard.next();
            }
            // Half-way through step 3: one attestation and a note, then Sunset is closed.
            wizard.stepPage(ChecklistStep::HybridCleanup)
                ->findChild<QCheckBox*>(u"attest-dns-points-to-exo"_s)
                ->setChecked(true);
            auto* note = wizard.stepPage(ChecklistStep::HybridCleanup)->findChild<QPlainTextEdit*>(u"note"_s);
            note->setPlainText(u"Waiting for the DNS TTL"_s);
            wizard.stepPage(ChecklistStep::HybridCleanup)->findChild<QPushButton*>(u"saveNote"_s)->click();
        }
        auto history = openHistory(name);
        ChecklistStore store(*history);
        ScriptedChecks checks;
        DecommissionWizard wizard(&store, checks.runner());
        wizard.show();
        QCOMPARE(wizard.currentId(), int(ChecklistStep::HybridCleanup));
        DecommissionStepPage* page = wizard.stepPage(ChecklistStep::HybridCleanup);
        QVERIFY(page->findChild<QCheckBox*>(u"attest-dns-points-to-exo"_s)->isChecked());
        QVERIFY(!page->findChild<QCheckBox*>(u"attest-hybrid-removed"_s)->isChecked());
        QCOMPARE(page->findChild<QPlainTextEdit*>(u"note"_s)->toPlainText(), u"Waiting for the DNS TTL"_s);
        QVERIFY(statusText(wizard, ChecklistStep::Prerequisites).contains(u"Passed"_s));
        QVERIFY(wizard.stepPage(ChecklistStep::Prerequisites)
                    ->findChild<QCheckBox*>(u"attest-cloud-sync-writeback"_s)
                    ->isChecked());
        // Going back shows the earlier steps as they were recorded.
        wizard.back();
        QCOMPARE(wizard.currentId(), int(ChecklistStep::Verification));
        QVERIFY(wizard.stepPage(ChecklistStep::Verification)->isComplete());
    }
};

QTEST_MAIN(TestDecommissionWizard)
#include "TestDecommissionWizard.moc"
