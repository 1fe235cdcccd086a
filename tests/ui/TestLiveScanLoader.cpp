// SPDX-License-Identifier: Apache-2.0
// The GUI's scan with the cloud side read live (CloudLiveScan against the in-process cloud emulator of
// tests/cloud) and the AD side from a file: per-side progress in items with a rate, the device code dialog with
// its copy button, and the comparison at the end.
#include "../cloud/CloudEmulator.h"
#include "DemoTenantGenerator.h"
#include "MainWindow.h"
#include "ScanLoader.h"

#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kSecretApp = u"11111111-2222-3333-4444-555555555555"_s;
const QString kSecret = u"s3cr3t~value"_s;
const QString kPublicClient = u"fb78d390-0c51-40cd-8e17-fdbfab77341b"_s;

void wire(ScanLoader& loader, MainWindow& window)
{
    QObject::connect(&window, &MainWindow::scanRequested, &loader, [&loader](const ScanRequest& r) { loader.start(r); });
    QObject::connect(&window, &MainWindow::cancelRequested, &loader, &ScanLoader::cancel);
    QObject::connect(&loader, &ScanLoader::started, &window, &MainWindow::showLoadStarted);
    QObject::connect(&loader, &ScanLoader::sideProgress, &window, &MainWindow::showSideProgress);
    QObject::connect(&loader, &ScanLoader::deviceCodeReady, &window, &MainWindow::showDeviceCode);
    QObject::connect(&loader, &ScanLoader::signedIn, &window, &MainWindow::hideDeviceCode);
    QObject::connect(&loader, &ScanLoader::finished, &window, &MainWindow::showScan);
    QObject::connect(&loader, &ScanLoader::failed, &window, &MainWindow::showLoadError);
}

} // namespace

class TestLiveScanLoader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void liveCloudWithSecret();
    void rescanReadsOnlyChangedMailboxes();
    void deviceCodeShownAndCopied();
    void wrongSecretNamesTheTenant();

private:
    ScanRequest request(const QString& clientId, CloudSourceProfile::SignIn signIn) const;

    QTemporaryDir m_dir;
    QByteArray m_graphJson;
    QByteArray m_exoJson;
    std::unique_ptr<CloudEmulator> m_emulator;
};

void TestLiveScanLoader::initTestCase()
{
    DemoTenantOptions options;
    options.mailboxes = 1500;
    QFile ldif(m_dir.filePath(u"ad.ldif"_s));
    QVERIFY(ldif.open(QIODevice::WriteOnly));
    generateDemoTenant(options, {[&](const QByteArray& c) { ldif.write(c); },
                                 [this](const QByteArray& c) { m_exoJson += c; }, {},
                                 [this](const QByteArray& c) { m_graphJson += c; }, {}, {}, {}, {}, {}, {}});
}

void TestLiveScanLoader::init()
{
    m_emulator = std::make_unique<CloudEmulator>();
    QVERIFY(m_emulator->listen());
    m_emulator->setTenant({kTenant}, m_graphJson, m_exoJson);
    m_emulator->registerApp(kSecretApp, kSecret);
    m_emulator->setDeltaPageSize(300);
}

ScanRequest TestLiveScanLoader::request(const QString& clientId, CloudSourceProfile::SignIn signIn) const
{
    ScanRequest r;
    r.profile.name = u"Emulated tenant"_s;
    r.profile.ad.ldifFile = m_dir.filePath(u"ad.ldif"_s);
    r.profile.cloud.kind = CloudSourceProfile::Kind::Live;
    r.profile.cloud.tenant = kTenant;
    r.profile.cloud.clientId = clientId;
    r.profile.cloud.signIn = signIn;
    r.profile.cloud.authority = r.profile.cloud.graphEndpoint = r.profile.cloud.exoEndpoint =
        m_emulator->baseUrl().toString();
    r.profile.cloud.graphResource = QLatin1StringView(CloudEmulator::kGraphResource);
    r.profile.cloud.exoResource = QLatin1StringView(CloudEmulator::kExoResource);
    r.secrets.clientSecret = kSecret;
    return r;
}

void TestLiveScanLoader::liveCloudWithSecret()
{
    MainWindow window;
    ScanLoader loader;
    wire(loader, window);
    window.show();
    QSignalSpy progress(&loader, &ScanLoader::sideProgress);
    QSignalSpy shown(&window, &MainWindow::scanShown);
    Q_EMIT window.scanRequested(request(kSecretApp, CloudSourceProfile::SignIn::ClientSecret));
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 60000);

    // The cloud side counted Graph users, then mailboxes, in items with a rate; the AD side read its file.
    bool sawUsers = false, sawMailboxes = false, sawRate = false, sawAdBytes = false;
    for (const QList<QVariant>& args : std::as_const(progress)) {
        const auto side = args[0].value<ScanSide>();
        const auto p = args[1].value<SideProgress>();
        if (side == ScanSide::Cloud && p.stage == SideProgress::Stage::Reading) {
            QCOMPARE(p.unit, SideProgress::Unit::Items);
            sawUsers |= p.what == u"Entra ID users"_s;
            sawMailboxes |= p.what == u"Exchange Online mailboxes"_s;
            sawRate |= p.perSecond > 0;
        }
        if (side == ScanSide::Ad && p.stage == SideProgress::Stage::Reading)
            sawAdBytes |= p.unit == SideProgress::Unit::Bytes && p.total > 0;
    }
    QVERIFY(sawUsers && sawMailboxes && sawRate && sawAdBytes);
    const DriftSummary& s = window.scan()->summary;
    QCOMPARE(s.cloudMailboxes, 1501); // the 1,500 generated plus the big shared mailbox: every one read
    QVERIFY2(s.matched >= 1495, qPrintable(QString::number(s.matched)));
    QVERIFY(window.scan()->sources.exo.contains(kTenant));
    const QString sources = window.findChild<QLabel*>(u"sourcesLabel"_s)->text();
    QVERIFY2(sources.contains(kTenant + u" (live)"_s), qPrintable(sources));
}

void TestLiveScanLoader::rescanReadsOnlyChangedMailboxes()
{
    MainWindow window;
    ScanLoader loader;
    wire(loader, window);
    window.show();
    QSignalSpy shown(&window, &MainWindow::scanShown);
    Q_EMIT window.scanRequested(request(kSecretApp, CloudSourceProfile::SignIn::ClientSecret));
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 60000);

    // One mailbox changes in Exchange Online; the same profile scanned again asks only for what changed since.
    QString guid;
    for (const QJsonValue& mailbox : m_emulator->mailboxes()) {
        if (mailbox[u"RecipientTypeDetails"_s].toString() == u"UserMailbox"_s) {
            guid = mailbox[u"ExchangeGuid"_s].toString();
            break;
        }
    }
    QVERIFY(!guid.isEmpty());
    m_emulator->changeMailbox(guid, u"CustomAttribute9"_s, u"changed in the cloud"_s);
    const qint64 servedBefore = m_emulator->mailboxesServed();
    QSignalSpy progress(&loader, &ScanLoader::sideProgress);
    Q_EMIT window.scanRequested(request(kSecretApp, CloudSourceProfile::SignIn::ClientSecret));
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 2, 60000);
    QVERIFY(m_emulator->lastExoBodies().last().contains("WhenChangedUTC -gt '"));
    QCOMPARE(m_emulator->mailboxesServed() - servedBefore, qint64(1));
    // The progress's last word says how Exchange Online was read; every mailbox is still in the scan shown.
    QString said;
    for (const QList<QVariant>& args : std::as_const(progress)) {
        const auto p = args[1].value<SideProgress>();
        if (args[0].value<ScanSide>() == ScanSide::Cloud && p.stage == SideProgress::Stage::Done)
            said = p.what;
    }
    QVERIFY2(said.startsWith(u"Exchange Online: 1 mailbox changed since"_s), qPrintable(said));
    QCOMPARE(window.scan()->summary.cloudMailboxes, 1501);
}

void TestLiveScanLoader::deviceCodeShownAndCopied()
{
    m_emulator->registerApp(kPublicClient, {});
    m_emulator->setDeviceFlow(2, false, CloudEmulator::DeviceOutcome::Approve, 1);
    MainWindow window;
    ScanLoader loader;
    wire(loader, window);
    window.show();
    QSignalSpy code(&loader, &ScanLoader::deviceCodeReady);
    QSignalSpy signedIn(&loader, &ScanLoader::signedIn);
    QSignalSpy shown(&window, &MainWindow::scanShown);
    Q_EMIT window.scanRequested(request(kPublicClient, CloudSourceProfile::SignIn::DeviceCode));
    QTRY_COMPARE_WITH_TIMEOUT(code.size(), 1, 30000);
    const QString userCode = code.first().first().toString();
    auto* dialog = window.findChild<QDialog*>(u"deviceCodeDialog"_s);
    QVERIFY(dialog && dialog->isVisible());
    QCOMPARE(dialog->findChild<QLabel*>(u"userCode"_s)->text(), userCode);
    QApplication::clipboard()->clear();
    QTest::mouseClick(dialog->findChild<QPushButton*>(u"copyCode"_s), Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), userCode);

    // The emulated admin approves after two polls: the dialog goes, the scan completes.
    QTRY_COMPARE_WITH_TIMEOUT(signedIn.size(), 1, 30000);
    QTRY_VERIFY(!window.findChild<QDialog*>(u"deviceCodeDialog"_s) ||
                !window.findChild<QDialog*>(u"deviceCodeDialog"_s)->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 60000);
    QCOMPARE(window.scan()->summary.cloudMailboxes, 1501);
}

void TestLiveScanLoader::wrongSecretNamesTheTenant()
{
    MainWindow window;
    ScanLoader loader;
    wire(loader, window);
    window.show();
    QSignalSpy failed(&loader, &ScanLoader::failed);
    ScanRequest r = request(kSecretApp, CloudSourceProfile::SignIn::ClientSecret);
    r.secrets.clientSecret = u"wrong"_s;
    Q_EMIT window.scanRequested(r);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 60000);
    QCOMPARE(failed.first().first().value<ImportError>().file, kTenant);
    QTRY_COMPARE_WITH_TIMEOUT(loader.activeReaders(), 0, 20000); // the AD side stopped too
    const QString text = window.findChild<QLabel*>(u"messageText"_s)->text();
    QVERIFY2(text.contains(kTenant) && text.contains(u"Connect"_s), qPrintable(text));
    QVERIFY(!window.scan());
}

QTEST_MAIN(TestLiveScanLoader)
#include "TestLiveScanLoader.moc"
