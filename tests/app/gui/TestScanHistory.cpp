// SPDX-License-Identifier: Apache-2.0
// The GUI records each scan into the history and reads the overview's trend back from it.
#include "support/DemoScan.h"
#include "ScanHistory.h"

#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestScanHistory final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void recordsScansAndReadsTrend();
    void unwritableHistoryIsReported();
};

void TestScanHistory::recordsScansAndReadsTrend()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"history.sqlite"_s);
    const auto scan = test::loadDemoScan();
    QVERIFY(scan);
    const QDateTime t0 = QDateTime::fromString(u"2026-11-24T09:00:00Z"_s, Qt::ISODate);

    ScanHistoryResult first = recordScanAndReadTrend(path, scan, t0, t0.addSecs(2));
    QVERIFY2(!first.error, qPrintable(first.error.value_or(QString())));
    QCOMPARE(first.trend.size(), 1);
    QCOMPARE(first.trend[0].mailboxesWithDrift, 14);
    QCOMPARE(first.trend[0].critical, 5);
    QCOMPARE(first.trend[0].when, t0.addSecs(2));

    ScanHistoryResult second = recordScanAndReadTrend(path, scan, t0.addDays(1), t0.addDays(1).addSecs(2));
    QCOMPARE(second.trend.size(), 2);
    QVERIFY(second.trend[0].when < second.trend[1].when); // oldest first

    // Reading only (at start-up) records nothing; the limit keeps the newest.
    ScanHistoryResult read = recordScanAndReadTrend(path, nullptr, {}, {}, 1);
    QCOMPARE(read.trend.size(), 1);
    QCOMPARE(read.trend[0].when, t0.addDays(1).addSecs(2));
}

void TestScanHistory::unwritableHistoryIsReported()
{
    const ScanHistoryResult result =
        recordScanAndReadTrend(u"/proc/sunset-no-such-dir/history.sqlite"_s, nullptr, {}, {});
    QVERIFY(result.error);
    QVERIFY(result.trend.isEmpty());
}

QTEST_MAIN(TestScanHistory)
#include "TestScanHistory.moc"
