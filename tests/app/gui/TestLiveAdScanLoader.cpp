// SPDX-License-Identifier: Apache-2.0
// The GUI's scan with the AD side read live from the Samba test DC (fixture SambaDc) and the cloud side from
// the demo files: the profile's settings reach the connection (LDAPS with the CA, StartTLS on ldap://), the AD
// row counts entries with a rate, a refused bind stops both sides with the server named, and a rescan of the
// profile reads AD incrementally (its row says which read it was).
#include "support/samba/SambaTestDomain.h"
#include "support/DemoScan.h"
#include "MainWindow.h"
#include "ScanLoader.h"

#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestLiveAdScanLoader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void ldapsWithCaFile_data();
    void ldapsWithCaFile();
    void refusedBindStopsBothSides();
    void rescanReadsOnlyWhatChanged();

private:
    ScanRequest request(const QString& url) const;
    SambaTestDomain m_domain;
};

void TestLiveAdScanLoader::initTestCase()
{
    m_domain = SambaTestDomain::load();
    QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
}

ScanRequest TestLiveAdScanLoader::request(const QString& url) const
{
    ScanRequest r;
    r.profile = ConnectionProfile::fromFiles(test::demoSources(), u"Samba test domain"_s);
    r.profile.ad.kind = AdSourceProfile::Kind::Live;
    r.profile.ad.dc.uri = url;
    r.profile.ad.dc.startTls = true;
    r.profile.ad.dc.caFile = m_domain.caFile();
    r.profile.ad.dc.bindName = m_domain.bindUpn();
    r.secrets.adPassword = m_domain.password().trimmed();
    return r;
}

void TestLiveAdScanLoader::ldapsWithCaFile_data()
{
    QTest::addColumn<bool>("startTls");
    QTest::newRow("ldaps://") << false;
    QTest::newRow("ldap:// + StartTLS") << true;
}

void TestLiveAdScanLoader::ldapsWithCaFile()
{
    QFETCH(bool, startTls);
    const ScanRequest r = request(startTls ? m_domain.ldapUri() : m_domain.ldapsUri());
    QVERIFY(validateProfile(r.profile).isEmpty());
    MainWindow window;
    ScanLoader loader;
    QObject::connect(&loader, &ScanLoader::started, &window, &MainWindow::showLoadStarted);
    QObject::connect(&loader, &ScanLoader::sideProgress, &window, &MainWindow::showSideProgress);
    QObject::connect(&loader, &ScanLoader::finished, &window, &MainWindow::showScan);
    QSignalSpy progress(&loader, &ScanLoader::sideProgress);
    QSignalSpy failed(&loader, &ScanLoader::failed);
    QSignalSpy shown(&window, &MainWindow::scanShown);
    loader.start(r);
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() || !failed.isEmpty(), 120000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().value<ImportError>().toString()));

    bool sawSigningIn = false, sawEntries = false;
    for (const QList<QVariant>& args : std::as_const(progress)) {
        if (args[0].value<ScanSide>() != ScanSide::Ad)
            continue;
        const auto p = args[1].value<SideProgress>();
        sawSigningIn |= p.stage == SideProgress::Stage::SigningIn;
        sawEntries |= p.stage == SideProgress::Stage::Reading && p.unit == SideProgress::Unit::Items && p.done > 0;
    }
    QVERIFY(sawSigningIn && sawEntries);
    QCOMPARE(window.scan()->summary.adMailboxes, m_domain.mailboxes());
    QCOMPARE(window.scan()->sources.ad, r.profile.ad.dc.uri);
    const QString sources = window.findChild<QLabel*>(u"sourcesLabel"_s)->text();
    QVERIFY2(sources.contains(u"(live)"_s), qPrintable(sources));
}

void TestLiveAdScanLoader::refusedBindStopsBothSides()
{
    ScanRequest r = request(m_domain.ldapsUri());
    r.secrets.adPassword = "not-the-password";
    ScanLoader loader;
    QSignalSpy failed(&loader, &ScanLoader::failed);
    QSignalSpy finished(&loader, &ScanLoader::finished);
    loader.start(r);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 60000);
    const ImportError error = failed.first().first().value<ImportError>();
    QCOMPARE(error.file, m_domain.ldapsUri());
    QVERIFY(!error.message.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(loader.activeReaders(), 0, 20000);
    QCOMPARE(finished.size(), 0);
}

void TestLiveAdScanLoader::rescanReadsOnlyWhatChanged()
{
    // The profile's AD cursor in a data directory of this test's: the first scan finds none.
    QTemporaryDir data;
    QVERIFY(data.isValid());
    const QByteArray previousData = qgetenv("XDG_DATA_HOME");
    qputenv("XDG_DATA_HOME", QFile::encodeName(data.path()));
    const auto restore = qScopeGuard([&] { qputenv("XDG_DATA_HOME", previousData); });

    const ScanRequest r = request(m_domain.ldapsUri());
    const auto scan = [&](QString& adRow, qint64& adMailboxes) {
        MainWindow window;
        ScanLoader loader;
        QObject::connect(&loader, &ScanLoader::finished, &window, &MainWindow::showScan);
        QObject::connect(&loader, &ScanLoader::sideProgress, &window, [&adRow](ScanSide side, const SideProgress& p) {
            if (side == ScanSide::Ad && p.stage == SideProgress::Stage::Done)
                adRow = p.what;
        });
        QSignalSpy failed(&loader, &ScanLoader::failed);
        QSignalSpy shown(&window, &MainWindow::scanShown);
        loader.start(r);
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() || !failed.isEmpty(), 120000);
        adMailboxes = failed.isEmpty() ? window.scan()->summary.adMailboxes : -1;
    };
    QString first, second;
    qint64 mailboxes = 0;
    scan(first, mailboxes);
    QCOMPARE(mailboxes, m_domain.mailboxes());
    QVERIFY2(first.contains(u"AD: full read of "_s) && first.contains(u"no previous scan kept"_s), qPrintable(first));
    scan(second, mailboxes);
    QCOMPARE(mailboxes, m_domain.mailboxes());
    QVERIFY2(second.contains(u"AD: incremental read of "_s) &&
                 second.contains(u"%1 kept"_s.arg(m_domain.mailboxes())),
             qPrintable(second));
}

QTEST_MAIN(TestLiveAdScanLoader)
#include "TestLiveAdScanLoader.moc"
