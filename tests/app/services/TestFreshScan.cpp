// SPDX-License-Identifier: Apache-2.0
// The services' composed async reads: the verification step's fresh scan (recordFreshScan) and the tenant's live
// read (readCloudSnapshot). Both return a future and block no thread of their caller: the reads run on threads of
// their own or on the caller's event loop, progress comes back on the caller's thread, a cancel stops them.
#include "CloudSource.h"
#include "FreshScan.h"

#include "support/DemoScan.h"
#include "support/TemporaryHistory.h"

#include <QFutureWatcher>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

ChecklistSources demoFiles()
{
    ChecklistSources sources;
    sources.adFile = test::demoFile("demo-ad.ldif");
    sources.exoFile = test::demoFile("demo-exo.json");
    sources.graphFile = test::demoFile("demo-graph.json");
    return sources;
}

// The future's outcome once it has finished (the test's event loop serves the reads meanwhile).
template <typename T> bool waitFor(QFuture<T>& future)
{
    QFutureWatcher<T> watcher;
    QSignalSpy finished(&watcher, &QFutureWatcherBase::finished);
    watcher.setFuture(future);
    return future.isFinished() || finished.wait(60000);
}

} // namespace

class TestFreshScan final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void canRecordNeedsBothSides()
    {
        ChecklistSources sources;
        QVERIFY(!canRecordFreshScan(sources));
        sources.adFile = u"ad.ldif"_s;
        QVERIFY(!canRecordFreshScan(sources));
        sources.exoFile = u"exo.json"_s;
        QVERIFY(canRecordFreshScan(sources));
        sources.adFile.clear();
        sources.ad = AdLiveScanSettings{};
        QVERIFY(canRecordFreshScan(sources));
    }

    // The demo's files are read, compared and recorded; each stage is heard on this thread, in order.
    void recordsTheScanAndSaysEachStage()
    {
        test::TemporaryHistory history;
        QVERIFY2(history.isOpen(), qPrintable(history.error()));
        QStringList stages;
        bool allOnThisThread = true;
        QThread* const here = QThread::currentThread();
        QFuture<Expected<qint64, QString>> recorded = recordFreshScan(
            demoFiles(), history.path(), test::TemporaryHistory::alice(), [&](const QString& stage, double) {
                allOnThisThread = allOnThisThread && QThread::currentThread() == here;
                if (stages.isEmpty() || stages.last() != stage)
                    stages.append(stage);
            });
        QVERIFY(waitFor(recorded));
        QCOMPARE(recorded.resultCount(), 1);
        const Expected<qint64, QString> id = recorded.result();
        QVERIFY2(id, qPrintable(id ? QString() : id.error()));
        QVERIFY(allOnThisThread);
        QVERIFY2(stages.first().startsWith(u"Reading AD from "_s), qPrintable(stages.join(u" | "_s)));
        QVERIFY2(stages.contains(u"Reading Graph users from "_s + test::demoFile("demo-graph.json")),
                 qPrintable(stages.join(u" | "_s)));
        QVERIFY2(stages.contains(u"Reading Exchange Online from "_s + test::demoFile("demo-exo.json")),
                 qPrintable(stages.join(u" | "_s)));
        QCOMPARE(stages.last(), u"Recording the scan"_s);

        QVERIFY(history.reopen());
        const auto latest = history->latestScan();
        QVERIFY(latest && latest.value());
        QCOMPARE(latest.value()->id, id.value());
    }

    // A file that cannot be read ends the scan with the reason, and nothing is recorded.
    void unreadableSideIsTheReason()
    {
        test::TemporaryHistory history;
        ChecklistSources sources = demoFiles();
        sources.exoFile = history.filePath(u"missing-exo.json"_s);
        QFuture<Expected<qint64, QString>> recorded =
            recordFreshScan(sources, history.path(), test::TemporaryHistory::alice());
        QVERIFY(waitFor(recorded));
        const Expected<qint64, QString> outcome = recorded.result();
        QVERIFY(!outcome);
        QVERIFY2(outcome.error().startsWith(u"The fresh scan could not read Exchange Online: "_s),
                 qPrintable(outcome.error()));
        QVERIFY2(outcome.error().contains(u"missing-exo.json"_s), qPrintable(outcome.error()));
        QVERIFY(history.reopen());
        QVERIFY(history->scans() && history->scans().value().empty());
    }

    // Cancelled while AD is being read (its thread started at once): the future ends without a result, no later
    // stage starts, the read's thread (owned by owner) stops, and no scan is recorded.
    void cancelRecordsNothing()
    {
        test::TemporaryHistory history;
        auto owner = std::make_unique<QObject>();
        QStringList stages;
        QFuture<Expected<qint64, QString>> recorded = recordFreshScan(
            demoFiles(), history.path(), test::TemporaryHistory::alice(),
            [&](const QString& stage, double) { stages.append(stage); }, owner.get());
        recorded.cancel(); // heard by the run on this thread's next turn
        QTRY_VERIFY_WITH_TIMEOUT(recorded.isFinished(), 10000);
        QVERIFY(recorded.isCanceled());
        QCOMPARE(recorded.resultCount(), 0);
        QTest::qWait(200); // what the AD read's thread still posts is served, and dropped
        owner.reset();     // waits for the threads it owns
        for (const QString& stage : std::as_const(stages))
            QVERIFY2(stage.startsWith(u"Reading AD from "_s), qPrintable(stage));
        QVERIFY(history.reopen());
        QVERIFY(history->scans() && history->scans().value().empty());
    }

    // The tenant's live read, cancelled while the sign-in waits for its answer: the future ends without a result
    // and the connection is closed.
    void cloudReadCancels()
    {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        const QString base = u"http://127.0.0.1:%1"_s.arg(silent.serverPort());
        CloudSettings cloud;
        cloud.scan.connection.tenant = u"contoso.onmicrosoft.com"_s;
        cloud.scan.connection.clientId = u"11111111-2222-3333-4444-555555555555"_s;
        cloud.scan.connection.authority = cloud.scan.connection.graphEndpoint = cloud.scan.connection.exoEndpoint =
            base;
        cloud.scan.secret.clientSecret = u"secret"_s;
        QTemporaryDir state;
        cloud.stateDirectory = state.path();
        QStringList notes;
        SourceReport report{[&](const QString& text) { notes.append(text); },
                            [&](const QString& text) { notes.append(text); }};
        QFuture<Result<CloudSnapshotRead>> read = readCloudSnapshot(cloud, report);
        QTRY_VERIFY_WITH_TIMEOUT(silent.hasPendingConnections(), 10000);
        QTcpSocket* connection = silent.nextPendingConnection();
        QVERIFY(!read.isFinished());

        read.cancel();
        QTRY_VERIFY_WITH_TIMEOUT(read.isFinished(), 10000);
        QVERIFY(read.isCanceled());
        QCOMPARE(read.resultCount(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(connection->state() == QAbstractSocket::UnconnectedState, 10000);
        QVERIFY2(notes.isEmpty(), qPrintable(notes.join(u"\n"_s)));
    }
};

QTEST_GUILESS_MAIN(TestFreshScan)
#include "TestFreshScan.moc"
