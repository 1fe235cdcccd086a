// SPDX-License-Identifier: Apache-2.0
// The live AD scan runs on its own thread: the caller's event loop keeps turning while it reads, progress and
// the snapshot arrive by queued signals, and cancel stops it.
#include "AdLiveScan.h"
#include "support/samba/SambaTestDomain.h"

#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestAdLiveScan final : public QObject {
    Q_OBJECT

    SambaTestDomain m_domain;

    AdLiveScanSettings settings() const
    {
        AdLiveScanSettings s;
        s.dc.uri = m_domain.ldapsUri();
        s.dc.caFile = m_domain.caFile();
        s.dc.bindName = m_domain.bindUpn();
        s.password = m_domain.password();
        s.pageSize = 100; // several pages, so progress and cancel have somewhere to act
        return s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_domain = SambaTestDomain::load();
        QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
    }

    void readsEveryMailboxOffTheCallersThread()
    {
        AdLiveScan scan;
        QSignalSpy finished(&scan, &AdLiveScan::finished);
        QSignalSpy failed(&scan, &AdLiveScan::failed);
        QSignalSpy progress(&scan, &AdLiveScan::progress);
        int ticks = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
        ticker.start(5);
        scan.start(settings()); // base DN from the RootDSE
        QVERIFY(scan.isRunning());
        QVERIFY(finished.wait(120000) || !failed.isEmpty());
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        const auto snapshot = finished.first().first().value<std::shared_ptr<const Snapshot>>();
        QVERIFY(snapshot);
        QCOMPARE(qint64(snapshot->records.size()), m_domain.value("SUNSET_TEST_MAILBOXES").toLongLong());
        // The GUI's scan carries the replication metadata too: every mailbox has some (mailNickname at least).
        QCOMPARE(qint64(snapshot->changeMetadata.size()), qint64(snapshot->records.size()));
        QVERIFY(progress.size() >= 10); // one per page of 100
        QVERIFY(ticks > 0);             // the caller's event loop kept turning during the read
    }

    void wrongPasswordFailsWithAClearMessage()
    {
        AdLiveScan scan;
        QSignalSpy failed(&scan, &AdLiveScan::failed);
        AdLiveScanSettings s = settings();
        s.password = "not the password";
        scan.start(s);
        QVERIFY(failed.wait(60000));
        QVERIFY2(failed.first().first().toString().contains(m_domain.bindUpn(), Qt::CaseInsensitive) ||
                     failed.first().first().toString().contains(u"password"_s, Qt::CaseInsensitive),
                 qPrintable(failed.first().first().toString()));
    }

    void cancelStopsTheScan()
    {
        AdLiveScan scan;
        QSignalSpy failed(&scan, &AdLiveScan::failed);
        QSignalSpy finished(&scan, &AdLiveScan::finished);
        connect(&scan, &AdLiveScan::progress, &scan, &AdLiveScan::cancel); // after the first page
        scan.start(settings());
        QVERIFY(failed.wait(60000));
        QCOMPARE(failed.first().first().toString(), u"cancelled"_s);
        QVERIFY(finished.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestAdLiveScan)
#include "TestAdLiveScan.moc"
