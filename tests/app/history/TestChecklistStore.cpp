// SPDX-License-Identifier: Apache-2.0
// The decommission checklist in the history: every record an audit event with who and when, replayed on load
// (so earlier runs stay), checklist_steps kept current, overrides refused without a real reason.
#include "support/TemporaryHistory.h"
#include "ChecklistStore.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestChecklistStore final : public QObject {
    Q_OBJECT

    static HistoryActor alice() { return {u"alice"_s, u"alice@sunset.test"_s}; }

private Q_SLOTS:
    void recordsSurviveAReopenAndKeepEarlierRuns()
    {
        test::TemporaryHistory history(alice());
        QVERIFY2(history.isOpen(), qPrintable(history.error()));
        {
            ChecklistStore store(history.store());
            QCOMPARE(store.actorName(), u"alice (alice@sunset.test)"_s);
            ChecklistRun failing{QDateTime::currentDateTimeUtc(), store.actorName(),
                                 {{u"exchange-servers"_s, FindingLevel::Blocking, u"1 server"_s, {u"CN=EX01"_s}}}, {}};
            const auto recorded = store.recordRun(ChecklistStep::Uninstall, failing);
            QVERIFY2(recorded, qPrintable(recorded ? QString() : recorded.error()));
            ChecklistRun passing{QDateTime::currentDateTimeUtc(), store.actorName(),
                                 {{u"exchange-servers"_s, FindingLevel::Pass, u"none"_s, {}}}, {}};
            QVERIFY(store.recordRun(ChecklistStep::Uninstall, passing));
            QVERIFY(store.recordAttestation(ChecklistStep::Uninstall, u"attributes-exported"_s, true));
            QVERIFY(store.recordAttestation(ChecklistStep::Uninstall, u"exchange-uninstalled"_s, true));
            QVERIFY(store.recordNote(ChecklistStep::Uninstall, u"EX01 wiped on 2026-11-20"_s));
            // Unknown items and short reasons are refused, with what would be accepted.
            const auto unknown = store.recordAttestation(ChecklistStep::Uninstall, u"nope"_s, true);
            QVERIFY(!unknown && unknown.error().contains(u"exchange-uninstalled"_s));
            QVERIFY(!store.recordOverride(ChecklistStep::Verification, u"ok"_s));
            QVERIFY(
                store.recordOverride(ChecklistStep::Verification, u"Scan server down; CAB-118 accepted the risk"_s));
        }
        QVERIFY2(history.reopen(), qPrintable(history.error()));
        ChecklistStore store(history.store());
        const Expected<Checklist, QString> loaded = store.load();
        QVERIFY(loaded.ok());
        const StepRecord& uninstall = loaded.value().step(ChecklistStep::Uninstall);
        QCOMPARE(uninstall.runs.size(), size_t(2));
        QCOMPARE(uninstall.runs.front().findings.front().evidence, QStringList{u"CN=EX01"_s});
        QCOMPARE(uninstall.runs.front().findings.front().level, FindingLevel::Blocking);
        QCOMPARE(uninstall.runs.front().by, u"alice (alice@sunset.test)"_s);
        QVERIFY(uninstall.runs.front().at.isValid());
        QCOMPARE(evaluateStep(uninstall).status, StepStatus::Passed);
        QCOMPARE(uninstall.currentNote(), u"EX01 wiped on 2026-11-20"_s);
        const StepRecord& verification = loaded.value().step(ChecklistStep::Verification);
        QCOMPARE(verification.overrides.size(), size_t(1)); // the refused one left no trace
        QCOMPARE(evaluateStep(verification).status, StepStatus::Overridden);

        // checklist_steps holds the current state of each step recorded.
        QSqlQuery q(QSqlDatabase::database(history->connectionName()));
        QVERIFY(q.exec(u"SELECT step, state, note, updated_by FROM checklist_steps ORDER BY step"_s));
        QHash<QString, QString> states;
        while (q.next())
            states.insert(q.value(0).toString(), q.value(1).toString());
        QCOMPARE(states.value(u"uninstall"_s), u"passed"_s);
        QCOMPARE(states.value(u"verification"_s), u"overridden"_s);

        // Each record is an audit event, and the chain is intact.
        QVERIFY(q.exec(u"SELECT COUNT(*) FROM events WHERE kind LIKE 'checklist.%'"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), 6);
        QVERIFY(history->verify().intact());
    }

    void latestScanReadsCriticalDrift()
    {
        test::TemporaryHistory history(alice());
        QVERIFY2(history.isOpen(), qPrintable(history.error()));
        ChecklistStore store(history.store());
        QVERIFY(store.latestScan().ok());
        QVERIFY(!store.latestScan().value());
        ScanRecord scan;
        scan.adSource = u"ad.ldif"_s;
        scan.exoSource = u"exo.json"_s;
        scan.started = scan.finished = QDateTime::currentDateTimeUtc();
        scan.matched = 10;
        scan.driftItems = 3;
        scan.summaryJson = R"({"bySeverity":{"critical":2,"warning":1,"normal":0}})";
        QVERIFY(history->recordScan(scan).ok());
        const auto facts = store.latestScan();
        QVERIFY(facts.ok() && facts.value());
        QCOMPARE(facts.value()->criticalItems, 2);
        QCOMPARE(facts.value()->driftItems, 3);
        QCOMPARE(facts.value()->matched, 10);
        QVERIFY(facts.value()->finished.isValid());
    }
};

QTEST_GUILESS_MAIN(TestChecklistStore)
#include "TestChecklistStore.moc"
