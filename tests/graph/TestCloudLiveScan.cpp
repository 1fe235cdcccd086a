// SPDX-License-Identifier: Apache-2.0
#include "TestCloudLiveScan.h"

#include "CloudEmulator.h"
#include "CloudLiveScan.h"
#include "EmulatorScanSettings.h"
#include "DemoTenantGenerator.h"
#include "SyncEmulator.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <memory>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kSecretApp = u"11111111-2222-3333-4444-555555555555"_s;
const QString kSecret = u"s3cr3t~value"_s;
const QString kPublicClient = u"fb78d390-0c51-40cd-8e17-fdbfab77341b"_s;
constexpr int kMailboxes = 2000;

struct Tenant {
    QByteArray graphJson;
    QByteArray exoJson;
};

Tenant& tenant()
{
    static Tenant t;
    return t;
}

std::unique_ptr<CloudEmulator> g_emulator;

CloudScanSettings settings()
{
    CloudScanSettings s = emulatorScanSettings(*g_emulator, kTenant, kSecretApp, kSecret);
    s.retryPolicy.baseDelayMsecs = 5;
    s.retryPolicy.maxDelayMsecs = 50;
    s.retryPolicy.maxRetries = 2;
    return s;
}

std::shared_ptr<const CloudScanResult> runScan(CloudLiveScan& scan, CloudScanSettings s, QString* failure = nullptr)
{
    QSignalSpy finished(&scan, &CloudLiveScan::finished);
    QSignalSpy failed(&scan, &CloudLiveScan::failed);
    scan.start(std::move(s));
    // A guard against a hang, not a timing: alone a scan here takes a second or two, but under a sanitizer on a
    // machine whose both cores are busy building, one took longer than 60 s. CTest's own limit is 300 s.
    if (!QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 180000)) {
        if (failure) // never the previous run's message
            *failure = u"the scan neither finished nor failed within 180 s"_s;
        return {};
    }
    if (!failed.isEmpty()) {
        if (failure)
            *failure = failed.first().first().toString();
        return {};
    }
    return finished.first().first().value<std::shared_ptr<const CloudScanResult>>();
}

// Every record alike: identities and compared cloud values. Empty when equal, else the first difference.
QString compareRecords(const Snapshot& a, const Snapshot& b)
{
    if (a.records.size() != b.records.size())
        return u"%1 vs %2 records"_s.arg(a.records.size()).arg(b.records.size());
    for (size_t i = 0; i < a.records.size(); ++i) {
        for (int f = 0; f < int(IdentityField::Count); ++f) {
            if (a.records[i].identity(IdentityField(f)) != b.records[i].identity(IdentityField(f)))
                return u"record %1: identity field %2 differs"_s.arg(i).arg(f);
        }
        for (int p = 0; p < int(CloudProperty::Count); ++p) {
            if (a.records[i].cloudValues(CloudProperty(p)).toStringList() !=
                b.records[i].cloudValues(CloudProperty(p)).toStringList())
                return u"record %1: %2 differs"_s.arg(i).arg(cloudPropertyName(CloudProperty(p)));
        }
    }
    return {};
}

// Every user alike: the same ids, and the fields that give mailboxes their anchors. Empty when equal.
QString compareUsers(const GraphDirectory& a, const GraphDirectory& b)
{
    if (a.usersById.size() != b.usersById.size())
        return u"%1 vs %2 users"_s.arg(a.usersById.size()).arg(b.usersById.size());
    for (auto it = b.usersById.cbegin(); it != b.usersById.cend(); ++it) {
        const GraphUser& other = a.usersById.value(it.key());
        if (other.userPrincipalName != it->userPrincipalName ||
            other.onPremisesImmutableId != it->onPremisesImmutableId ||
            other.onPremisesSecurityIdentifier != it->onPremisesSecurityIdentifier)
            return u"user %1 differs"_s.arg(QString::fromLatin1(it.key()));
    }
    return {};
}

} // namespace

void TestCloudLiveScan::initTestCase()
{
    DemoTenantOptions options;
    options.mailboxes = kMailboxes;
    DemoTenantSinks sinks;
    sinks.exoJson = [](const QByteArray& chunk) { tenant().exoJson += chunk; };
    sinks.graphJson = [](const QByteArray& chunk) { tenant().graphJson += chunk; };
    sinks.ldif = [](const QByteArray&) {};
    generateDemoTenant(options, sinks);
    QVERIFY(!tenant().exoJson.isEmpty());
}

void TestCloudLiveScan::init()
{
    g_emulator = std::make_unique<CloudEmulator>();
    QVERIFY(g_emulator->listen());
    g_emulator->setTenant({kTenant}, tenant().graphJson, tenant().exoJson);
    g_emulator->registerApp(kSecretApp, kSecret);
    g_emulator->setDeltaPageSize(300);
}

void TestCloudLiveScan::progressArrivesWhileTheCallerRuns()
{
    CloudLiveScan scan;
    QSignalSpy progress(&scan, &CloudLiveScan::progress);
    // The emulator answers on this thread, so every page needs this event loop to turn: a scan that blocked
    // the caller would never finish. A timer counts the turns besides.
    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(0);
    connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
    ticker.start();
    bool allOnCallerThread = true;
    connect(&scan, &CloudLiveScan::progress, this, [&allOnCallerThread] {
        allOnCallerThread = allOnCallerThread && QThread::currentThread() == qApp->thread();
    });
    const auto result = runScan(scan, settings());
    QVERIFY(result);
    QVERIFY(allOnCallerThread);
    QVERIFY(ticks > progress.size());
    QVERIFY(!scan.isRunning() || QTest::qWaitFor([&] { return !scan.isRunning(); }, 5000));

    // Graph first (delta pages of 300), then Exchange Online (pages of 1000); the counts only grow.
    qint64 graphLast = 0;
    qint64 graphTotal = -1;
    qint64 exoLast = 0;
    int graphReports = 0;
    for (const QList<QVariant>& report : std::as_const(progress)) {
        const auto service = report.at(0).value<CloudLiveScan::Service>();
        const qint64 items = report.at(1).toLongLong();
        QVERIFY(report.at(3).toDouble() > 0);
        if (service == CloudLiveScan::Service::Graph) {
            QVERIFY(exoLast == 0);
            // The total from GET /users/$count (delta pages carry none), once it has come back.
            QVERIFY(report.at(2).toLongLong() == -1 ||
                    report.at(2).toLongLong() == qint64(result->users.usersById.size()));
            graphTotal = std::max(graphTotal, report.at(2).toLongLong());
            QVERIFY(items > graphLast);
            graphLast = items;
            ++graphReports;
        } else {
            QVERIFY(items > exoLast);
            QCOMPARE(report.at(2).toLongLong(), -1); // Get-Mailbox does not count
            exoLast = items;
        }
    }
    QCOMPARE(graphLast, qint64(result->users.usersById.size()));
    QCOMPARE(graphReports, int((result->users.usersById.size() + 299) / 300));
    QCOMPARE(graphTotal, qint64(result->users.usersById.size()));
    QCOMPARE(g_emulator->countRequests(), 1);
    QCOMPARE(exoLast, qint64(result->mailboxes.records.size()));
    QVERIFY(result->mailboxes.records.size() >= size_t(kMailboxes));
    QCOMPARE(result->mailboxes.side, Side::Cloud);
    QVERIFY(result->deltaLink.contains("$deltatoken="));
    QVERIFY(!result->usersFromDelta);
}

void TestCloudLiveScan::cancelStopsTheScan()
{
    CloudLiveScan scan;
    QSignalSpy cancelled(&scan, &CloudLiveScan::cancelled);
    QSignalSpy finished(&scan, &CloudLiveScan::finished);
    QSignalSpy failed(&scan, &CloudLiveScan::failed);
    // The admin cancels while the third page of Graph users is being served (the emulator runs on this thread:
    // the cancel is in before that page's answer leaves, wherever the worker thread is by then).
    g_emulator->setRequestObserver([&scan](const QString& api, int n) {
        if (api == "users"_L1 && n == 3)
            scan.cancel();
    });
    scan.start(settings());
    QVERIFY(cancelled.wait(30000));
    QVERIFY(QTest::qWaitFor([&] { return !scan.isRunning(); }, 5000));
    // The worker has ended: whatever it posted is in this thread's queue now. Deliver it all before counting.
    QCoreApplication::sendPostedEvents();
    QCOMPARE(cancelled.size(), 1);
    QCOMPARE(finished.size(), 0);
    QCOMPARE(failed.size(), 0);
    // Stopped at that page: Graph had 7 pages of 300, no fourth was asked for, and Exchange Online never was.
    QCOMPARE(g_emulator->dataRequests(u"users"_s), 3);
    QCOMPARE(g_emulator->dataRequests(u"mailboxes"_s), 0);

    // A scan can start again afterwards, and cancelling an idle scan does nothing.
    g_emulator->setRequestObserver({});
    scan.cancel();
    QVERIFY(runScan(scan, settings()));
}

void TestCloudLiveScan::faultFailsClearly()
{
    // Fault: the third Exchange Online page is a proxy's HTML login page, and so are both retries (settings()
    // allows two). The user sees which request failed, why, and how far the scan got.
    // One stream (--exo-parallel 1): read in slices, the three broken answers would fall on three slices, each
    // read again once and the scan would succeed (TestExoSlices covers a slice out of retries).
    g_emulator->addFault({CloudEmulator::Fault::Kind::HtmlPage, u"mailboxes"_s, 3, 3, {}});
    CloudLiveScan scan;
    QString failure;
    CloudScanSettings oneStream = settings();
    oneStream.exoParallel = 1;
    QVERIFY(!runScan(scan, oneStream, &failure));
    qInfo().noquote() << "the user sees:" << failure;
    QVERIFY2(failure.startsWith(u"POST "_s + g_emulator->baseUrl().toString() + u"/adminapi/beta/"_s + kTenant +
                                u"/InvokeCommand, page 3: gave up after 2 retries: HTTP 200 with an HTML page "
                                "instead of JSON"_s),
             qPrintable(failure));
    QVERIFY(failure.contains("2000 mailboxes were read in 2 pages"_L1));

    // A sign-in failure names the token request.
    CloudScanSettings wrong = settings();
    wrong.secret.clientSecret = u"wrong"_s;
    QVERIFY(!runScan(scan, wrong, &failure));
    QVERIFY2(failure.contains("/oauth2/v2.0/token: sign-in failed: HTTP 401: invalid_client: AADSTS7000215"_L1),
             qPrintable(failure));
}

void TestCloudLiveScan::damagedPagesAreReadAgain()
{
    // A fault-free scan, then the same tenant through an emulator that answers some pages of both APIs with half
    // a JSON body, a proxy's HTML page or a body that ends before its Content-Length (twice running once: the
    // second retry gets it). Every such page is read again, and the scan gives the same records.
    CloudLiveScan scan;
    const auto clean = runScan(scan, settings());
    QVERIFY(clean);
    using K = CloudEmulator::Fault::Kind;
    const QList<CloudEmulator::Fault> faults{
        {K::TruncatedJson, u"users"_s, 2, 1, {}}, {K::HtmlPage, u"users"_s, 4, 2, {}},
        {K::CutOffBody, u"users"_s, 7, 1, {}},    {K::HtmlPage, u"mailboxes"_s, 1, 1, {}},
        {K::CutOffBody, u"mailboxes"_s, 3, 1, {}}, {K::TruncatedJson, u"mailboxes"_s, 5, 2, {}}};
    // A fault names the n-th request of its API since the emulator started: these land on the second scan.
    const int usersBefore = g_emulator->dataRequests(u"users"_s);
    const int mailboxesBefore = g_emulator->dataRequests(u"mailboxes"_s);
    int planted = 0;
    for (CloudEmulator::Fault f : faults) {
        f.onRequest += f.api == "users"_L1 ? usersBefore : mailboxesBefore;
        g_emulator->addFault(f);
        planted += f.times;
    }
    QString failure;
    const auto damaged = runScan(scan, settings(), &failure);
    QVERIFY2(damaged, qPrintable(failure));
    QCOMPARE(g_emulator->faultsInjected(), planted);

    const QString userDifference = compareUsers(damaged->users, clean->users);
    QVERIFY2(userDifference.isEmpty(), qPrintable(userDifference));
    const QString difference = compareRecords(damaged->mailboxes, clean->mailboxes);
    QVERIFY2(difference.isEmpty(), qPrintable(difference));
    QVERIFY(!damaged->deltaLink.isEmpty());
}

void TestCloudLiveScan::deviceCodeForTheGui()
{
    g_emulator->registerApp(kPublicClient, {});
    g_emulator->setDeviceFlow(2, true, CloudEmulator::DeviceOutcome::Approve, 1);
    CloudScanSettings s = settings();
    s.connection.clientId = kPublicClient;
    s.secret.clientSecret.clear();
    s.connection.signIn = CloudTenantSettings::SignIn::DeviceCode;
    s.deviceCodeSecondMsecs = 5;
    CloudLiveScan scan;
    QSignalSpy code(&scan, &CloudLiveScan::deviceCode);
    QSignalSpy signedIn(&scan, &CloudLiveScan::signedIn);
    QSignalSpy progress(&scan, &CloudLiveScan::progress);
    bool codeBeforeProgress = false;
    connect(&scan, &CloudLiveScan::deviceCode, this, [&] { codeBeforeProgress = progress.isEmpty(); });
    const auto result = runScan(scan, s);
    QVERIFY(result);
    QCOMPARE(code.size(), 1);
    QVERIFY(codeBeforeProgress);
    QVERIFY(code.first().at(0).toString().startsWith("EMU"_L1));
    QCOMPARE(code.first().at(1).toUrl(), QUrl(u"https://microsoft.com/devicelogin"_s));
    QVERIFY(code.first().at(2).toString().contains(code.first().at(0).toString()));
    QCOMPARE(code.first().at(3).toLongLong(), 900);
    QCOMPARE(signedIn.size(), 1);
    // One sign-in by the admin; Exchange Online's token came from the refresh token; the admin's mailbox
    // anchors the admin API requests.
    QCOMPARE(g_emulator->refreshGrants(), 1);
    QVERIFY(result->mailboxes.records.size() >= size_t(kMailboxes));
    for (const QByteArray& anchor : g_emulator->lastAnchors())
        QCOMPARE(anchor, QByteArray("UPN:admin@contoso.onmicrosoft.com"));

    // Declined: the scan fails with the service's reason.
    g_emulator->setDeviceFlow(0, false, CloudEmulator::DeviceOutcome::Decline, 1);
    QString failure;
    QVERIFY(!runScan(scan, s, &failure));
    QVERIFY2(failure.contains("device code sign-in failed: HTTP 400: authorization_declined"_L1), qPrintable(failure));

    // Cancelled while the admin has not signed in yet.
    g_emulator->setDeviceFlow(1000, false, CloudEmulator::DeviceOutcome::Approve, 1);
    QSignalSpy cancelled(&scan, &CloudLiveScan::cancelled);
    connect(&scan, &CloudLiveScan::deviceCode, &scan, [&scan] { scan.cancel(); });
    scan.start(s);
    QVERIFY(cancelled.wait(10000));
}

void TestCloudLiveScan::rescanFetchesOnlyChanges()
{
    CloudLiveScan scan;
    const auto first = runScan(scan, settings());
    QVERIFY(first);
    const int fullUserRequests = g_emulator->dataRequests(u"users"_s);
    QVERIFY(fullUserRequests > 1);

    // Three users change in ways that change their mailboxes' records (anchors and names come from Graph).
    const QList<QByteArray> ids = first->users.usersById.keys();
    g_emulator->changeUser(QString::fromLatin1(ids[10]), u"onPremisesImmutableId"_s, u"bmV3LWFuY2hvcg=="_s);
    g_emulator->changeUser(QString::fromLatin1(ids[20]), u"userPrincipalName"_s, u"renamed@contoso.com"_s);
    g_emulator->changeUser(QString::fromLatin1(ids[30]), u"onPremisesSecurityIdentifier"_s, u"S-1-5-21-1-2-3-99999"_s);

    CloudScanSettings again = settings();
    again.previous = first;
    const auto rescan = runScan(scan, again);
    QVERIFY(rescan);
    QCOMPARE(g_emulator->dataRequests(u"users"_s), fullUserRequests + 1); // one delta page, three entries
    QVERIFY(rescan->usersFromDelta);
    QCOMPARE(rescan->userChanges, 3);
    QVERIFY(rescan->deltaLink != first->deltaLink);
    QCOMPARE(rescan->users.usersById.value(ids[20]).userPrincipalName, QByteArray("renamed@contoso.com"));

    // The same as a full scan of the changed tenant, record by record.
    const auto full = runScan(scan, settings());
    QVERIFY(full);
    const QString userDifference = compareUsers(rescan->users, full->users);
    QVERIFY2(userDifference.isEmpty(), qPrintable(userDifference));
    const QString difference = compareRecords(rescan->mailboxes, full->mailboxes);
    QVERIFY2(difference.isEmpty(), qPrintable(difference));
    // ... and different from the first scan, so the comparison above could fail.
    QVERIFY(!compareRecords(first->mailboxes, full->mailboxes).isEmpty());
}

void TestCloudLiveScan::interruptedScanResumes()
{
    // Fault: the third Graph page is cut off mid-way, and so are both retries. The user sees the failure, and
    // the scan hands over what it read (two pages of 300 users) and where it stopped; the next scan continues there.
    g_emulator->addFault({CloudEmulator::Fault::Kind::TruncatedJson, u"users"_s, 3, 3, {}});
    CloudLiveScan scan;
    QSignalSpy interrupted(&scan, &CloudLiveScan::interrupted);
    QString failure;
    QVERIFY(!runScan(scan, settings(), &failure));
    QVERIFY2(failure.contains("/v1.0/users/delta, page 3"_L1) && failure.contains("600 users were read in 2 pages"_L1),
             qPrintable(failure));
    QCOMPARE(interrupted.size(), 1);
    const auto partial = interrupted.first().first().value<std::shared_ptr<const CloudScanResult>>();
    QVERIFY(partial);
    QCOMPARE(partial->users.usersById.size(), 600);
    QVERIFY(partial->usersResumeLink.contains("$skiptoken="));
    QVERIFY(partial->deltaLink.isEmpty());
    QCOMPARE(g_emulator->dataRequests(u"mailboxes"_s), 0);

    g_emulator->clearFaults();
    const int before = g_emulator->dataRequests(u"users"_s);
    CloudScanSettings again = settings();
    again.previous = partial;
    const auto resumed = runScan(scan, again);
    QVERIFY(resumed);
    const int pages = int((resumed->users.usersById.size() + 299) / 300);
    QCOMPARE(g_emulator->dataRequests(u"users"_s) - before, pages - 2); // pages 3.. only
    QVERIFY(resumed->deltaLink.contains("$deltatoken="));

    const auto full = runScan(scan, settings());
    QVERIFY(full);
    QCOMPARE(resumed->users.usersById.size(), full->users.usersById.size());
    const QString difference = compareRecords(resumed->mailboxes, full->mailboxes);
    QVERIFY2(difference.isEmpty(), qPrintable(difference));
}

void TestCloudLiveScan::nothingConfigured()
{
    CloudScanSettings s = settings();
    s.readGraph = false;
    s.readExo = false;
    CloudLiveScan scan;
    QString failure;
    QVERIFY(!runScan(scan, s, &failure));
    QVERIFY(failure.contains("nothing to read"_L1));
}

// Asked for, Cloud Sync's state is read on the worker after the mailboxes, with its own progress, into the result.
void TestCloudLiveScan::cloudSyncReadAfterTheMailboxes()
{
    SyncEmulator& sync = g_emulator->sync();
    sync.addServicePrincipal(u"cloud-sync-sp"_s);
    SyncEmulator::JobSpec job;
    job.id = u"Entra2ADExchangeOnlineAttributeWriteback.3b99513e0cee4291aea884356239fb82.aa"_s;
    job.domain = u"contoso.com"_s;
    job.lastSuccessfulRun = QDateTime::currentDateTimeUtc().addSecs(-600).toString(Qt::ISODate);
    sync.addJob(u"cloud-sync-sp"_s, SyncEmulator::makeJob(job));
    sync.setSchema(job.id, SyncEmulator::makeSchema(job.id, {u"proxyAddresses"_s, u"extensionAttribute1"_s}));
    sync.addProvisioningEntry(
        QJsonObject{{u"activityDateTime"_s, QDateTime::currentDateTimeUtc().addSecs(-3600).toString(Qt::ISODate)},
                    {u"jobId"_s, job.id},
                    {u"sourceIdentity"_s, QJsonObject{{u"id"_s, u"7cdbe897-3c7f-4fb6-a369-56408d68081f"_s}}},
                    {u"provisioningStatusInfo"_s,
                     QJsonObject{{u"status"_s, u"failure"_s},
                                 {u"errorInformation"_s, QJsonObject{{u"errorCode"_s, u"InsufficientRights"_s}}}}}});
    CloudLiveScan scan;
    QSignalSpy progress(&scan, &CloudLiveScan::progress);
    CloudScanSettings s = settings();
    s.readCloudSync = true;
    const auto result = runScan(scan, s);
    QVERIFY(result);
    QVERIFY(result->cloudSync);
    const CloudSyncState& state = *result->cloudSync;
    QVERIFY2(state.jobsRead, qPrintable(state.jobsMissingReason));
    QCOMPARE(state.jobs.size(), size_t(1));
    QCOMPARE(state.jobs.front().servicePrincipalId, u"cloud-sync-sp"_s);
    QVERIFY(state.jobs.front().schemaRead);
    QVERIFY(!state.jobs.front().maps(AttributeId::Mail));
    QVERIFY2(state.provisioningRead, qPrintable(state.provisioningMissingReason));
    const ObjectProvisioning* object = state.provisioning.find("7cdbe897-3c7f-4fb6-a369-56408d68081f");
    QVERIFY(object);
    QCOMPARE(object->latest.errorCode, u"InsufficientRights"_s);
    QVERIFY(std::any_of(progress.begin(), progress.end(), [](const QList<QVariant>& args) {
        return args.at(0).value<CloudLiveScan::Service>() == CloudLiveScan::Service::CloudSync;
    }));
    // Not asked for: not read.
    CloudLiveScan again;
    const auto plain = runScan(again, settings());
    QVERIFY(plain && !plain->cloudSync);
}

QTEST_GUILESS_MAIN(TestCloudLiveScan)
