// SPDX-License-Identifier: Apache-2.0
#include "TestCloudSync.h"

#include "ChecklistChecks.h"
#include "CloudEmulator.h"
#include "CloudSource.h"
#include "CloudSyncClient.h"
#include "DemoTenantGenerator.h"
#include "DriftCauseFinder.h"
#include "DriftEngine.h"
#include "EmulatorScanSettings.h"
#include "Matcher.h"
#include "SnapshotFiles.h"
#include "SyncEmulator.h"
#include "TokenProvider.h"

#include <QDateTime>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QTimer>

#include <memory>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kApp = u"11111111-2222-3333-4444-555555555555"_s;
const QString kOtherApp = u"66666666-7777-8888-9999-000000000000"_s;
const QString kSecret = u"sync-read-secret"_s;
const QString kServicePrincipal = u"5f1d1e7c-0000-4000-8000-00000000c10d"_s;
const QString kJob = u"Entra2ADExchangeOnlineAttributeWriteback.3b99513e0cee4291aea884356239fb82.0123456789ab"_s;
// The demo tenant's scan time: its Cloud Sync answers are from the hours before.
const qint64 kDemoNow = QDateTime(QDate(2026, 11, 24), QTime(9, 0), QTimeZone::utc()).toMSecsSinceEpoch();

struct Demo {
    QTemporaryDir dir;
    QByteArray syncJobs, syncSchema, provisioning;
    QString path(const QString& name) const { return dir.filePath(name); }
};

Demo& demo()
{
    static Demo d;
    return d;
}

std::unique_ptr<CloudEmulator> g_emulator;
std::unique_ptr<ManualClock> g_clock;

// A client against the emulator, on the shared ManualClock: the pacer's waits move the clock instead of passing.
struct Reader {
    TokenProvider tokens;
    CloudSyncClient client;
    explicit Reader(const QString& clientId = kApp, CloudSyncReadOptions options = {})
        : tokens(g_emulator->baseUrl(), AppCredentials{kTenant, clientId, kSecret, {}, false, false})
        , client(g_emulator->baseUrl(), &tokens)
    {
        client.setResource(QString::fromLatin1(CloudEmulator::kGraphResource));
        client.setOptions(options);
        client.setClock(*g_clock);
        RetryPolicy fast;
        fast.baseDelayMsecs = 5;
        fast.maxDelayMsecs = 20;
        fast.maxRetryAfterMsecs = 20; // the emulator's Retry-After counts on the ManualClock, moved by the test
        fast.maxRetries = 4;
        client.setRetryPolicy(fast);
        client.provisioningPacer().setWaiter([](qint64 delay, QObject* context, std::function<void()> then) {
            g_clock->advanceMsecs(delay);
            QTimer::singleShot(0, context, std::move(then));
        });
    }
    bool run()
    {
        QSignalSpy finished(&client, &CloudSyncClient::finished);
        client.start();
        return finished.wait(60000) && finished.first().first().toBool();
    }
};

Result<CloudSyncState> fileState()
{
    return loadCloudSyncFiles(
        {demo().path(u"jobs.json"_s), demo().path(u"schema.json"_s), demo().path(u"provisioning.json"_s)});
}

// Every drift item of the demo tenant with its cause and evidence, in words, one line each: equal lists mean the
// same causes with the same evidence.
QStringList explainDemo(const CloudSyncState& state)
{
    auto ad = loadAdSnapshotFile(demo().path(u"ad.ldif"_s));
    auto graph = loadGraphUsersFile(demo().path(u"graph.json"_s));
    if (!ad || !graph)
        return {u"unreadable demo"_s};
    auto cloud = loadCloudSnapshotFile(demo().path(u"exo.json"_s), &graph.value());
    if (!cloud)
        return {u"unreadable demo"_s};
    DriftOptions options;
    options.asOfMsecs = kDemoNow;
    options.cloudSync = std::make_shared<const CloudSyncState>(state);
    const DriftReport report =
        computeDrift(ad.value(), cloud.value(), matchMailboxes(ad.value().records, cloud.value().records), options);
    QStringList lines;
    for (size_t pair = 0; pair < report.match.pairs.size(); ++pair) {
        for (const DriftItem& item : report.driftOf(pair)) {
            const DriftEvidence& ev = item.evidence;
            QString line = u"%1 %2 %3"_s.arg(QString::number(pair), AttributeCatalog::spec(item.attribute).ldapName,
                                             driftCauseKey(item.cause));
            if (ev.job >= 0) {
                const WritebackJob& job = report.cloudSync->jobs[size_t(ev.job)];
                line += u" job=%1 %2 %3 last=%4 next=%5"_s.arg(job.id, job.statusCodeText, job.unhealthyReason())
                            .arg(job.lastSuccessfulRunMsecs())
                            .arg(job.nextRunDueMsecs());
            }
            if (ev.provisioning >= 0) {
                const ProvisioningEntry& e = report.cloudSync->provisioning.objects[size_t(ev.provisioning)].latest;
                line +=
                    u" log=%1 %2 %3 %4 %5 %6"_s.arg(QString::number(e.activityMsecs), provisioningStatusName(e.status),
                                                    e.errorCode, e.reason, e.recommendedAction, e.skipReason);
            }
            line += u" write=%1 missing=%2"_s.arg(ev.lastWriteMsecs).arg(ev.missing);
            if (item.cause == DriftCause::Unexplained)
                line += u' ' + missingEvidenceTexts(ev, *report.cloudSync).join(u"; "_s);
            lines << line;
        }
    }
    return lines;
}

bool anyLineHas(const QStringList& lines, const QString& text)
{
    return std::any_of(lines.begin(), lines.end(), [&](const QString& l) { return l.contains(text); });
}

struct RawAnswer {
    int status = 0;
    QByteArray body;
};

RawAnswer rawGet(const QString& pathAndQuery)
{
    TokenProvider tokens(g_emulator->baseUrl(), AppCredentials{kTenant, kApp, kSecret, {}, false, false});
    std::optional<Result<QByteArray>> token;
    QObject context;
    tokens.accessToken(QString::fromLatin1(CloudEmulator::kGraphResource), &context,
                       [&](const Result<QByteArray>& r) { token = r; });
    if (!QTest::qWaitFor([&] { return token.has_value(); }, 10000) || !token->ok())
        return {};
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(g_emulator->baseUrl().toString() + pathAndQuery, QUrl::TolerantMode));
    request.setRawHeader("Authorization", "Bearer " + token->value());
    std::unique_ptr<QNetworkReply> reply(network.get(request));
    QSignalSpy done(reply.get(), &QNetworkReply::finished);
    if (!done.wait(20000))
        return {};
    return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
}

// A successful writeback entry of one object at a time (minutes before kDemoNow).
QJsonObject successEntry(const QString& objectId, qint64 minutesBefore)
{
    const QString at =
        QDateTime::fromMSecsSinceEpoch(kDemoNow - minutesBefore * 60000, QTimeZone::utc()).toString(Qt::ISODate);
    return QJsonObject{
        {u"id"_s, u"entry-%1"_s.arg(objectId)},
        {u"activityDateTime"_s, at},
        {u"jobId"_s, kJob},
        {u"provisioningAction"_s, u"update"_s},
        {u"sourceIdentity"_s, QJsonObject{{u"id"_s, objectId}, {u"identityType"_s, u"User"_s}}},
        {u"provisioningStatusInfo"_s,
         QJsonObject{{u"status"_s, u"success"_s}, {u"errorInformation"_s, QJsonValue::Null}}},
        {u"provisioningSteps"_s, QJsonArray{}},
        {u"modifiedProperties"_s,
         QJsonArray{QJsonObject{
             {u"displayName"_s, u"extensionAttribute1"_s}, {u"oldValue"_s, u"a"_s}, {u"newValue"_s, u"b"_s}}}},
    };
}

void plantOneJob()
{
    SyncEmulator& sync = g_emulator->sync();
    sync.addServicePrincipal(kServicePrincipal);
    SyncEmulator::JobSpec spec;
    spec.id = kJob;
    spec.domain = u"contoso.com"_s;
    spec.lastSuccessfulRun = u"2026-11-24T08:40:00Z"_s;
    sync.addJob(kServicePrincipal, SyncEmulator::makeJob(spec));
}

} // namespace

void TestCloudSync::initTestCase()
{
    QVERIFY(demo().dir.isValid());
    QHash<QString, QByteArray> files;
    DemoTenantSinks sinks;
    auto sink = [&](const QString& name) { return [&files, name](const QByteArray& chunk) { files[name] += chunk; }; };
    sinks.ldif = sink(u"ad.ldif"_s);
    sinks.exoJson = sink(u"exo.json"_s);
    sinks.graphJson = sink(u"graph.json"_s);
    sinks.syncJobsJson = sink(u"jobs.json"_s);
    sinks.syncSchemaJson = sink(u"schema.json"_s);
    sinks.provisioningJson = sink(u"provisioning.json"_s);
    generateDemoTenant(DemoTenantOptions{}, sinks);
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        QFile f(demo().path(it.key()));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(it.value());
    }
    demo().syncJobs = files.value(u"jobs.json"_s);
    demo().syncSchema = files.value(u"schema.json"_s);
    demo().provisioning = files.value(u"provisioning.json"_s);
    QVERIFY(!demo().provisioning.isEmpty());
}

void TestCloudSync::init()
{
    g_clock = std::make_unique<ManualClock>(kDemoNow);
    g_emulator = std::make_unique<CloudEmulator>();
    g_emulator->setClock(*g_clock);
    QVERIFY(g_emulator->listen());
    g_emulator->setTenant({kTenant}, "{\"value\":[]}", "[]");
    g_emulator->registerApp(kApp, kSecret);
    g_emulator->registerApp(kOtherApp, kSecret);
}

void TestCloudSync::cleanup()
{
    g_emulator.reset();
    g_clock.reset();
}

// The demo tenant plants every cause but a second writer; its Cloud Sync answers, served by the emulator and read
// live, explain every drift item exactly as the same answers read from files do.
void TestCloudSync::liveCausesEqualFiles()
{
    g_emulator->sync().addServicePrincipal(kServicePrincipal);
    g_emulator->sync().addServicePrincipal(u"another-app"_s, u"00000000-1111-2222-3333-444444444444"_s, u"Other"_s);
    g_emulator->sync().loadAnswers(kServicePrincipal, demo().syncJobs, demo().syncSchema, demo().provisioning);
    Reader reader;
    QVERIFY(reader.run());
    const CloudSyncState live = reader.client.takeState();
    QVERIFY2(live.jobsRead, qPrintable(live.jobsMissingReason));
    QVERIFY2(live.provisioningRead, qPrintable(live.provisioningMissingReason));
    QCOMPARE(live.jobs.size(), size_t(2));
    for (const WritebackJob& job : live.jobs) {
        QCOMPARE(job.servicePrincipalId, kServicePrincipal); // the file's jobs do not name it
        QVERIFY(job.schemaRead);
    }
    // Only the Cloud Sync service principal was asked for its jobs.
    for (const QUrl& url : g_emulator->sync().requests())
        QVERIFY2(!url.path().contains(u"another-app"_s), qPrintable(url.toString()));

    auto files = fileState();
    QVERIFY2(files.ok(), qPrintable(files.ok() ? QString() : files.error().toString()));
    QCOMPARE(live.provisioning.entriesRead, files.value().provisioning.entriesRead);
    const QStringList liveLines = explainDemo(live);
    const QStringList fileLines = explainDemo(files.value());
    QCOMPARE(liveLines, fileLines);
    // Each planted cause is there, with its evidence.
    QVERIFY(anyLineHas(liveLines,
                       u"jobUnhealthy job=Entra2ADExchangeOnlineAttributeWriteback.3b99513e0cee4291aea884356239fb82"
                       ".9a8b7c6d5e4f Quarantine quarantined (EncounteredQuarantineException)"_s));
    QVERIFY(anyLineHas(liveLines, u" mail notMapped job="_s));
    QVERIFY(anyLineHas(liveLines, u"writebackFailed"_s));
    QVERIFY(anyLineHas(liveLines, u"failure InsufficientRights"_s));
    QVERIFY(anyLineHas(liveLines, u"Grant its account write access to OU=Sales,OU=Staff,DC=contoso,DC=com."_s));
    QVERIFY(anyLineHas(liveLines, u"writebackSkipped"_s));
    QVERIFY(anyLineHas(liveLines, u"NotInScope"_s));
    QVERIFY(anyLineHas(liveLines, u"writebackPending"_s));
    // The provisioning log was asked per job, within the 30-day window.
    bool filtered = false;
    for (const QUrl& url : g_emulator->sync().requests())
        filtered |= url.query(QUrl::FullyDecoded).contains(u"jobId eq '"_s) &&
                    url.query(QUrl::FullyDecoded).contains(u"activityDateTime gt 2026-10-25T09:00:00Z"_s);
    QVERIFY2(filtered, qPrintable(g_emulator->sync().requests().last().toString()));
}

// 23 entries in pages of 2 are 12 requests: paced to 5 per 10 s on the client's clock, none provoked a 429.
void TestCloudSync::provisioningPagedAndPaced()
{
    plantOneJob();
    SyncEmulator& sync = g_emulator->sync();
    for (int i = 0; i < 23; ++i)
        sync.addProvisioningEntry(
            successEntry(u"0000%1-0000-4000-8000-000000000000"_s.arg(i, 4, 10, QChar(u'0')), i + 1));
    sync.addProvisioningEntry(successEntry(u"old-entry"_s, 31 * 24 * 60)); // outside the 30-day window
    QJsonObject otherJob = successEntry(u"other-job-entry"_s, 5);
    otherJob.insert(u"jobId"_s, u"AD2AADProvisioning.abc.def"_s);
    sync.addProvisioningEntry(otherJob);
    sync.setProvisioningPageSize(2);
    Reader reader;
    QVERIFY(reader.run());
    const CloudSyncState& state = reader.client.state();
    QVERIFY(state.provisioningRead);
    QCOMPARE(state.provisioning.entriesRead, qint64(23));
    QCOMPARE(state.provisioning.objects.size(), size_t(23));
    QVERIFY(!state.provisioning.find("old-entry"));
    QCOMPARE(sync.provisioningRequests(), 12);
    QCOMPARE(sync.throttledRequests(), 0);
    QVERIFY(sync.mostRequestsInOneWindow() <= 5);
    const RequestPacer& pacer = reader.client.provisioningPacer();
    // Requests 1-5 at once, 6-10 once the window passed, 11-12 after another: two waits of 10 s on the clock.
    QCOMPARE(pacer.delayedRequests(), 2);
    QCOMPARE(pacer.totalDelayMsecs(), qint64(20000));
}

// A client that does not pace (a throttle it does not know) is answered 429 + Retry-After, waits as told and
// ends with every entry, no error surfacing.
void TestCloudSync::throttleAnswerIsHonoured()
{
    plantOneJob();
    SyncEmulator& sync = g_emulator->sync();
    for (int i = 0; i < 9; ++i)
        sync.addProvisioningEntry(
            successEntry(u"1111%1-0000-4000-8000-000000000000"_s.arg(i, 4, 10, QChar(u'0')), i + 1));
    sync.setProvisioningPageSize(1);
    QList<qint64> waits;
    sync.setThrottleObserver([&waits](qint64 wait) {
        waits << wait;
        g_clock->advanceMsecs(wait); // time passes while the client waits (its timer is capped for the test)
    });
    CloudSyncReadOptions unpaced;
    unpaced.provisioningRequestsPerWindow = 1000;
    Reader reader(kApp, unpaced);
    QVERIFY(reader.run());
    QCOMPARE(reader.client.state().provisioning.entriesRead, qint64(9));
    QVERIFY(sync.throttledRequests() >= 1);
    QVERIFY(!waits.isEmpty());
    QVERIFY(waits.first() > 0 && waits.first() <= 10000);
    QCOMPARE(reader.client.retries(), sync.throttledRequests());
}

void TestCloudSync::permissionLackingDegrades_data()
{
    QTest::addColumn<QString>("permission");
    QTest::addColumn<bool>("onlyThisApp");
    QTest::newRow("Synchronization.Read.All") << QString::fromLatin1(SyncEmulator::kSynchronizationRead) << false;
    QTest::newRow("AuditLog.Read.All") << QString::fromLatin1(SyncEmulator::kAuditLogRead) << false;
    QTest::newRow("AuditLog.Read.All, this app only") << QString::fromLatin1(SyncEmulator::kAuditLogRead) << true;
}

// A permission the app lacks: the read still finishes, the part it guards is unread with a reason naming the
// permission, and the items it would have explained are unexplained with that reason.
void TestCloudSync::permissionLackingDegrades()
{
    QFETCH(QString, permission);
    QFETCH(bool, onlyThisApp);
    g_emulator->sync().addServicePrincipal(kServicePrincipal);
    g_emulator->sync().loadAnswers(kServicePrincipal, demo().syncJobs, demo().syncSchema, demo().provisioning);
    g_emulator->sync().denyPermission(permission, onlyThisApp ? kApp : QString());
    Reader reader;
    QVERIFY(reader.run()); // never a failure for it
    const CloudSyncState state = reader.client.takeState();
    const bool jobs = permission == QLatin1StringView(SyncEmulator::kSynchronizationRead);
    QCOMPARE(state.jobsRead, !jobs);
    QVERIFY(!state.provisioningRead);
    const QString& reason = jobs ? state.jobsMissingReason : state.provisioningMissingReason;
    QVERIFY2(reason.contains(permission), qPrintable(reason));
    QVERIFY2(reason.contains(u"403"_s), qPrintable(reason));
    const QStringList lines = explainDemo(state);
    QVERIFY(!anyLineHas(lines, u"writebackFailed"_s));
    QVERIFY(!anyLineHas(lines, u"writebackSkipped"_s));
    QVERIFY(anyLineHas(lines, u"unexplained"_s));
    QVERIFY2(anyLineHas(lines, permission), qPrintable(lines.join(u'\n')));
    if (onlyThisApp) { // another app with the permission reads it
        Reader other(kOtherApp);
        QVERIFY(other.run());
        QVERIFY(other.client.state().provisioningRead);
    }
}

// Searched by the observed application template id, a service principal registered under another is not found,
// and that is said; named by its id, its writeback jobs are read (and only those: templateId decides).
void TestCloudSync::noServicePrincipalIsSaid()
{
    SyncEmulator& sync = g_emulator->sync();
    sync.addServicePrincipal(kServicePrincipal, u"00000000-1111-2222-3333-444444444444"_s);
    SyncEmulator::JobSpec spec;
    spec.id = kJob;
    spec.domain = u"contoso.com"_s;
    sync.addJob(kServicePrincipal, SyncEmulator::makeJob(spec));
    SyncEmulator::JobSpec inboundSpec;
    inboundSpec.id = u"AD2AADProvisioning.abc.def"_s;
    QJsonObject inbound = SyncEmulator::makeJob(inboundSpec);
    inbound.insert(u"templateId"_s, u"AD2AADProvisioning"_s);
    sync.addJob(kServicePrincipal, inbound);
    Reader reader;
    QVERIFY(reader.run());
    const CloudSyncState& state = reader.client.state();
    QVERIFY(!state.jobsRead);
    QVERIFY2(state.jobsMissingReason.contains(u"no Cloud Sync service principal"_s),
             qPrintable(state.jobsMissingReason));
    QVERIFY(!state.provisioningRead);

    CloudSyncReadOptions named;
    named.servicePrincipalIds = {kServicePrincipal};
    Reader byId(kApp, named);
    QVERIFY(byId.run());
    QVERIFY(byId.client.state().jobsRead);
    QCOMPARE(byId.client.state().jobs.size(), size_t(1));
    QCOMPARE(byId.client.state().jobs.front().id, kJob);
    QVERIFY(byId.client.state().provisioningRead);
}

void TestCloudSync::emulatorRefusesUndocumentedQueries_data()
{
    QTest::addColumn<QString>("pathAndQuery");
    QTest::addColumn<int>("status");
    const QString job = u"jobId eq '%1'"_s.arg(kJob);
    QTest::newRow("documented")
        << u"/v1.0/auditLogs/provisioning?$filter=%1 and activityDateTime gt 2026-11-01T00:00:00Z"_s.arg(job) << 200;
    QTest::newRow("ge is not documented")
        << u"/v1.0/auditLogs/provisioning?$filter=activityDateTime ge 2026-11-01T00:00:00Z"_s << 400;
    QTest::newRow("ne on jobId") << u"/v1.0/auditLogs/provisioning?$filter=jobId ne 'x'"_s << 400;
    QTest::newRow("unknown property") << u"/v1.0/auditLogs/provisioning?$filter=colour eq 'red'"_s << 400;
    QTest::newRow("or") << u"/v1.0/auditLogs/provisioning?$filter=%1 or %1"_s.arg(job) << 400;
    QTest::newRow("damaged skiptoken") << u"/v1.0/auditLogs/provisioning?$skiptoken=bm9wZQ"_s << 400;
    QTest::newRow("unknown option") << u"/v1.0/auditLogs/provisioning?$expand=steps"_s << 400;
    QTest::newRow("sp by template")
        << u"/v1.0/servicePrincipals?$filter=applicationTemplateId eq '3b99513e-0cee-4291-aea8-84356239fb82'"_s << 200;
    QTest::newRow("sp by name") << u"/v1.0/servicePrincipals?$filter=displayName eq 'x'"_s << 400;
    QTest::newRow("jobs of an unknown sp") << u"/v1.0/servicePrincipals/nope/synchronization/jobs"_s << 404;
}

void TestCloudSync::emulatorRefusesUndocumentedQueries()
{
    QFETCH(QString, pathAndQuery);
    QFETCH(int, status);
    plantOneJob();
    const RawAnswer answer = rawGet(pathAndQuery);
    QVERIFY2(answer.status == status, answer.body.constData());
}

QTEST_MAIN(TestCloudSync)

// `checklist check prerequisites --tenant …` without --sync-jobs: the writeback checks read Cloud Sync's jobs and
// schemas live (the demo's: emea quarantined, contoso without its mail mapping) and leave the provisioning log,
// which they do not need, unasked.
void TestCloudSync::checklistReadsJobsLiveWithoutTheLog()
{
    g_emulator->sync().addServicePrincipal(kServicePrincipal);
    g_emulator->sync().loadAnswers(kServicePrincipal, demo().syncJobs, demo().syncSchema, demo().provisioning);
    CloudSettings cloud;
    cloud.scan = emulatorScanSettings(*g_emulator, kTenant, kApp, kSecret);
    ChecklistSources sources;
    sources.cloud = cloud;
    // The step's live reads run on this thread's event loop: wait here as sunset-cli waits at its edge.
    const QFuture<ChecklistRun> checked = runChecklistStep(ChecklistStep::Prerequisites, sources, u"tester"_s);
    QTRY_VERIFY_WITH_TIMEOUT(checked.isFinished(), 60000);
    QCOMPARE(checked.resultCount(), 1);
    const ChecklistRun run = checked.result();

    const auto finding = [&](QLatin1StringView check) -> const ChecklistFinding* {
        for (const ChecklistFinding& f : run.findings)
            if (f.check == check)
                return &f;
        return nullptr;
    };
    const ChecklistFinding* active = finding(kWritebackJobChecks[1]);
    QVERIFY(active);
    QCOMPARE(active->level, FindingLevel::Blocking);
    QVERIFY2(active->evidence.join(u'\n').contains(u"EncounteredQuarantineException"_s),
             qPrintable(active->evidence.join(u'\n')));
    const ChecklistFinding* mappings = finding(kWritebackJobChecks[2]);
    QVERIFY(mappings);
    QVERIFY2(mappings->level != FindingLevel::Unread && mappings->evidence.join(u'\n').contains(u"mail"_s),
             qPrintable(mappings->summary + u'\n' + mappings->evidence.join(u'\n')));
    QCOMPARE(g_emulator->sync().provisioningRequests(), 0);
}

// Cancelling a checklist step while its live read is under way stops that read: the future ends at once without a
// run, and the client lets go of its connection (the server, which never answers, sees it closed).
void TestCloudSync::checklistCancelStopsALiveRead()
{
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    const QUrl base(u"http://127.0.0.1:%1"_s.arg(silent.serverPort()));
    CloudSettings cloud;
    cloud.scan.connection.tenant = kTenant;
    cloud.scan.connection.clientId = kApp;
    cloud.scan.connection.authority = cloud.scan.connection.graphEndpoint = cloud.scan.connection.exoEndpoint =
        base.toString();
    cloud.scan.secret.clientSecret = kSecret;
    ChecklistSources sources;
    sources.cloud = cloud;
    QFuture<ChecklistRun> checked = runChecklistStep(ChecklistStep::HybridCleanup, sources, u"tester"_s);
    QTRY_VERIFY_WITH_TIMEOUT(silent.hasPendingConnections(), 10000); // the sign-in is waiting for its answer
    QTcpSocket* connection = silent.nextPendingConnection();
    QVERIFY(!checked.isFinished());

    checked.cancel();
    QTRY_VERIFY_WITH_TIMEOUT(checked.isFinished(), 10000);
    QVERIFY(checked.isCanceled());
    QCOMPARE(checked.resultCount(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(connection->state() == QAbstractSocket::UnconnectedState, 10000);
}
