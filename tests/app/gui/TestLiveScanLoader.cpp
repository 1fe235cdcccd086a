// SPDX-License-Identifier: Apache-2.0
// The GUI's scan with the cloud side read live (CloudLiveScan against the in-process cloud emulator of
// tests/support/cloud) and the AD side from a file: per-side progress in items with a rate, the device code dialog with
// its copy button, and the comparison at the end.
#include "support/cloud/CloudEmulator.h"
#include "support/cloud/EmulatorScanSettings.h"
#include "support/cloud/SyncEmulator.h"
#include "AttributeComparisonModel.h"
#include "support/DemoScan.h"
#include "DemoTenantGenerator.h"
#include "MailboxFilterProxyModel.h"
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
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kSecretApp = u"11111111-2222-3333-4444-555555555555"_s;
const QString kSecret = u"s3cr3t~value"_s;
const QString kPublicClient = u"fb78d390-0c51-40cd-8e17-fdbfab77341b"_s;
const QString kCloudSyncServicePrincipal = u"5f1d1e7c-0000-4000-8000-00000000c10d"_s;
// A mailbox of the demo's emea domain: its writeback job is quarantined.
constexpr QByteArrayView kEmeaUpn = "jurgen.svensson@contoso.com";
// The demo's planted write-back failure (InsufficientRights on extensionAttribute1), in the healthy contoso domain.
constexpr QByteArrayView kFailedUpn = "jurgen.muller@contoso.com";

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
    void cloudSyncCauseInTheCauseColumn();
    void cloudSyncDeniedNamesThePermission();

private:
    ScanRequest request(const QString& clientId, CloudTenantSettings::SignIn signIn) const;
    // Wires and shows the window, runs a live scan with the client secret and waits for it to be shown.
    bool scanWithSecret(MainWindow& window, ScanLoader& loader);
    // The emulator serves the demo's Cloud Sync state (its service principal, jobs, schemas, provisioning log).
    void serveCloudSync();
    // Selects the mailbox in the window's list; the text of the comparison's cause column for its attribute.
    static QString causeShown(MainWindow& window, QByteArrayView upn, AttributeId attribute);

    QTemporaryDir m_dir;
    QByteArray m_graphJson;
    QByteArray m_exoJson;
    QByteArray m_syncJobs, m_syncSchema, m_provisioning; // Cloud Sync's answers as the demo plants them
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
                                 [this](const QByteArray& c) { m_graphJson += c; }, {}, {}, {},
                                 [this](const QByteArray& c) { m_syncJobs += c; },
                                 [this](const QByteArray& c) { m_syncSchema += c; },
                                 [this](const QByteArray& c) { m_provisioning += c; }});
}

void TestLiveScanLoader::init()
{
    m_emulator = std::make_unique<CloudEmulator>();
    QVERIFY(m_emulator->listen());
    m_emulator->setTenant({kTenant}, m_graphJson, m_exoJson);
    m_emulator->registerApp(kSecretApp, kSecret);
    m_emulator->setDeltaPageSize(300);
}

ScanRequest TestLiveScanLoader::request(const QString& clientId, CloudTenantSettings::SignIn signIn) const
{
    ScanRequest r;
    r.profile.name = u"Emulated tenant"_s;
    r.profile.ad.ldifFile = m_dir.filePath(u"ad.ldif"_s);
    r.profile.cloud.kind = CloudSourceProfile::Kind::Live;
    r.profile.cloud.connection = emulatorTenantSettings(m_emulator->baseUrl(), kTenant, clientId);
    r.profile.cloud.connection.signIn = signIn;
    r.secrets.clientSecret = kSecret;
    return r;
}

bool TestLiveScanLoader::scanWithSecret(MainWindow& window, ScanLoader& loader)
{
    wire(loader, window);
    window.show();
    QSignalSpy shown(&window, &MainWindow::scanShown);
    Q_EMIT window.scanRequested(request(kSecretApp, CloudTenantSettings::SignIn::ClientSecret));
    return QTest::qWaitFor([&shown] { return shown.size() == 1; }, 60000);
}

void TestLiveScanLoader::serveCloudSync()
{
    m_emulator->sync().addServicePrincipal(kCloudSyncServicePrincipal);
    m_emulator->sync().loadAnswers(kCloudSyncServicePrincipal, m_syncJobs, m_syncSchema, m_provisioning);
}

void TestLiveScanLoader::liveCloudWithSecret()
{
    MainWindow window;
    ScanLoader loader;
    QSignalSpy progress(&loader, &ScanLoader::sideProgress);
    QVERIFY(scanWithSecret(window, loader));

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
    Q_EMIT window.scanRequested(request(kSecretApp, CloudTenantSettings::SignIn::ClientSecret));
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
    Q_EMIT window.scanRequested(request(kSecretApp, CloudTenantSettings::SignIn::ClientSecret));
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
    Q_EMIT window.scanRequested(request(kPublicClient, CloudTenantSettings::SignIn::DeviceCode));
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
    ScanRequest r = request(kSecretApp, CloudTenantSettings::SignIn::ClientSecret);
    r.secrets.clientSecret = u"wrong"_s;
    Q_EMIT window.scanRequested(r);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 60000);
    QCOMPARE(failed.first().first().value<ImportError>().file, kTenant);
    QTRY_COMPARE_WITH_TIMEOUT(loader.activeReaders(), 0, 20000); // the AD side stopped too
    const QString text = window.findChild<QLabel*>(u"messageText"_s)->text();
    QVERIFY2(text.contains(kTenant) && text.contains(u"Connect"_s), qPrintable(text));
    QVERIFY(!window.scan());
}

QString TestLiveScanLoader::causeShown(MainWindow& window, QByteArrayView upn, AttributeId attribute)
{
    const int row = test::rowOfUpn(*window.scan(), upn);
    if (row < 0)
        return u"(%1 is not in the scan)"_s.arg(QString::fromUtf8(upn));
    const QModelIndex source = window.mailboxFilter()->sourceModel()->index(row, 0);
    window.mailboxView()->setCurrentIndex(window.mailboxFilter()->mapFromSource(source));
    AttributeComparisonModel* comparison = window.comparisonModel();
    if (comparison->scanRowIndex() != row)
        return u"(%1 is not the mailbox compared)"_s.arg(QString::fromUtf8(upn));
    return comparison->index(comparison->rowOf(attribute), AttributeComparisonModel::LikelyCause).data().toString();
}

// The live scan reads Cloud Sync's jobs, schemas and provisioning log from the emulator: the cause column says why
// each planted drift is there, from that evidence: the emea mailbox's drift by its domain's quarantined job (the
// reason and since when), Müller's by the provisioning log's failure (error code and recommended action).
void TestLiveScanLoader::cloudSyncCauseInTheCauseColumn()
{
    serveCloudSync();
    MainWindow window;
    ScanLoader loader;
    QSignalSpy progress(&loader, &ScanLoader::sideProgress);
    QVERIFY(scanWithSecret(window, loader));
    bool sawCloudSync = false; // the step is shown while it reads
    for (const QList<QVariant>& args : std::as_const(progress))
        sawCloudSync |= args[1].value<SideProgress>().what == u"Cloud Sync's state"_s;
    QVERIFY(sawCloudSync);
    const CloudSyncState& sync = *window.scan()->report.cloudSync;
    QVERIFY2(sync.jobsRead, qPrintable(sync.jobsMissingReason));
    QCOMPARE(sync.jobs.size(), size_t(2));
    QVERIFY(sync.provisioningRead);
    QVERIFY(!m_emulator->sync().requests().isEmpty());

    const QString quarantined = causeShown(window, kEmeaUpn, AttributeId::MsExchExtensionCustomAttribute1);
    QVERIFY2(quarantined.startsWith(
                 u"Cloud Sync's writeback job is quarantined (EncounteredQuarantineException) since "_s),
             qPrintable(quarantined));
    QVERIFY2(quarantined.contains(u"Nothing is written back until it runs again."_s), qPrintable(quarantined));
    const QString failed = causeShown(window, kFailedUpn, AttributeId::ExtensionAttribute1);
    QVERIFY2(failed.startsWith(u"Cloud Sync failed at "_s) && failed.contains(u": InsufficientRights."_s) &&
                 failed.contains(u"Grant its account write access to OU=Sales,OU=Staff,DC=contoso,DC=com."_s),
             qPrintable(failed));
    // And the items carry the causes (not only their words).
    const auto causeOf = [&window](QByteArrayView upn, AttributeId attribute) {
        const int row = test::rowOfUpn(*window.scan(), upn);
        for (const DriftItem& item : window.scan()->driftOf(window.scan()->rows()[size_t(row)]))
            if (item.attribute == attribute)
                return item.cause;
        return DriftCause::Unexplained;
    };
    QCOMPARE(causeOf(kEmeaUpn, AttributeId::MsExchExtensionCustomAttribute1), DriftCause::JobUnhealthy);
    QCOMPARE(causeOf(kFailedUpn, AttributeId::ExtensionAttribute1), DriftCause::WritebackFailed);
}

// The app lacks Synchronization.Read.All: Graph answers 403; the scan still finishes, the Writeback panel names
// the permission, and the written-back drift is unexplained with that reason (never guessed).
void TestLiveScanLoader::cloudSyncDeniedNamesThePermission()
{
    serveCloudSync();
    m_emulator->sync().denyPermission(QString::fromLatin1(SyncEmulator::kSynchronizationRead));
    MainWindow window;
    ScanLoader loader;
    QSignalSpy failed(&loader, &ScanLoader::failed);
    QVERIFY(scanWithSecret(window, loader));
    QCOMPARE(failed.size(), 0);
    QCOMPARE(window.scan()->summary.cloudMailboxes, 1501);
    const CloudSyncState& sync = *window.scan()->report.cloudSync;
    QVERIFY(!sync.jobsRead);
    const QString denied = u"the app lacks the Graph permission Synchronization.Read.All"_s;
    QVERIFY2(sync.jobsMissingReason.contains(denied), qPrintable(sync.jobsMissingReason));
    const QString panel = window.findChild<QLabel*>(u"writebackStatus"_s)->text();
    QVERIFY2(panel.contains(u"The writeback jobs were not read: Cloud Sync's writeback jobs could not be read: "_s +
                            denied),
             qPrintable(panel));
    const QString cause = causeShown(window, kEmeaUpn, AttributeId::MsExchExtensionCustomAttribute1);
    QVERIFY2(cause.startsWith(u"Unexplained: "_s) && cause.contains(denied), qPrintable(cause));
}

QTEST_MAIN(TestLiveScanLoader)
#include "TestLiveScanLoader.moc"
