// SPDX-License-Identifier: Apache-2.0
#include "TestCloudClients.h"

#include "support/CliRun.h"
#include "support/TestFiles.h"
#include "CliCommands.h"
#include "CloudEmulator.h"
#include "CloudHttp.h"
#include "CloudScanState.h"
#include "DemoTenantGenerator.h"
#include "DeviceCodeSignIn.h"
#include "ExoMailboxClient.h"
#include "ExoMailboxJsonReader.h"
#include "GraphUsersClient.h"
#include "GraphUsersJsonReader.h"
#include "SyncEmulator.h"
#include "TestCertificate.h"
#include "TokenProvider.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

using test::cliCode;
using test::writeOwnerOnlyFile; // the secret files sunset-cli reads must be owner-only

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kTenantId = u"9c8b3f3e-5a51-4c1f-9d1e-6f0c2d7b8a10"_s;
const QString kSecretApp = u"11111111-2222-3333-4444-555555555555"_s;
const QString kCertApp = u"66666666-7777-8888-9999-000000000000"_s;
const QString kSecret = u"s3cr3t~value.with+special&chars="_s;
const QString kPublicClient = u"fb78d390-0c51-40cd-8e17-fdbfab77341b"_s; // ExchangeOnlineManagement's
constexpr int kMailboxes = 5000;

struct Tenant {
    QByteArray ldif;
    QByteArray graphJson;
    QByteArray exoJson;
    QByteArray syncJobs, syncSchema, provisioning; // Cloud Sync's answers, planting the causes
};

Tenant& tenant()
{
    static Tenant t;
    return t;
}

TestCertificate& certificate()
{
    static TestCertificate c = TestCertificate::generate("sunset-test-app");
    return c;
}

std::unique_ptr<CloudEmulator> g_emulator;

// QVERIFY2 evaluates its message even when the check passes.
template <typename T> QString errorText(const Result<T>& result)
{
    return result.ok() ? QString() : result.error().toString();
}

RetryPolicy fastRetries()
{
    RetryPolicy p;
    p.baseDelayMsecs = 5;
    p.maxDelayMsecs = 50;
    p.maxRetries = 3;
    return p;
}

AppCredentials secretCredentials(const QString& secret = kSecret)
{
    AppCredentials c;
    c.tenant = kTenant;
    c.clientId = kSecretApp;
    c.clientSecret = secret;
    return c;
}

Result<QByteArray> fetchToken(TokenProvider& tokens, const QString& resource)
{
    std::optional<Result<QByteArray>> result;
    QObject context;
    tokens.accessToken(resource, &context, [&](const Result<QByteArray>& r) { result = r; });
    if (!QTest::qWaitFor([&] { return result.has_value(); }, 10000))
        return ImportError{{}, 0, {}, u"timed out"_s};
    return *result;
}

// Get-Mailbox for every mailbox, as Microsoft documents the request (cloud-wire.md §3: the CmdletInput body of
// InvokeCommand and of the v2 Mailbox endpoint, whose Get-Mailbox takes ResultSize; without it Get-Mailbox stops
// at 1000). Written here from the documentation, not from the client, so that the client is checked against it.
const QByteArray kDocumentedGetAllMailboxes =
    R"({"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":"Unlimited"}}})";

// A body in one canonical spelling (keys sorted, no spaces), so that equal JSON compares equal.
QByteArray canonicalJson(const QByteArray& json)
{
    return QJsonDocument::fromJson(json).toJson(QJsonDocument::Compact);
}

// One request to the emulator outside the clients: to check what it refuses.
struct RawAnswer {
    int status = 0;
    QByteArray body;
};

RawAnswer rawRequest(const QByteArray& method, const QString& pathAndQuery,
                     const QList<std::pair<QByteArray, QByteArray>>& headers, const QByteArray& body = {})
{
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(g_emulator->baseUrl().toString() + pathAndQuery, QUrl::TolerantMode));
    for (const auto& [name, value] : headers)
        request.setRawHeader(name, value);
    std::unique_ptr<QNetworkReply> reply(network.sendCustomRequest(request, method, body));
    QSignalSpy done(reply.get(), &QNetworkReply::finished);
    if (!done.wait(20000))
        return {};
    return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
}

template <typename Client> bool runToEnd(Client& client, bool resume = false)
{
    QSignalSpy finished(&client, &Client::finished);
    if (resume)
        client.resume();
    else
        client.start();
    if (!finished.wait(120000))
        return false;
    return finished.first().first().toBool();
}

} // namespace

void TestCloudClients::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // the CLI's kept cloud state goes to ~/.qttest, not the real profile
    DemoTenantOptions options;
    options.mailboxes = kMailboxes;
    DemoTenantSinks sinks;
    sinks.ldif = [](const QByteArray& chunk) { tenant().ldif += chunk; };
    sinks.exoJson = [](const QByteArray& chunk) { tenant().exoJson += chunk; };
    sinks.graphJson = [](const QByteArray& chunk) { tenant().graphJson += chunk; };
    sinks.syncJobsJson = [](const QByteArray& chunk) { tenant().syncJobs += chunk; };
    sinks.syncSchemaJson = [](const QByteArray& chunk) { tenant().syncSchema += chunk; };
    sinks.provisioningJson = [](const QByteArray& chunk) { tenant().provisioning += chunk; };
    generateDemoTenant(options, sinks);
    QVERIFY(!tenant().exoJson.isEmpty());
    QVERIFY(!certificate().certificateDer.isEmpty());
}

void TestCloudClients::init()
{
    QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/sunset"_s).removeRecursively();
    g_emulator = std::make_unique<CloudEmulator>();
    QVERIFY(g_emulator->listen());
    g_emulator->setTenant({kTenant, kTenantId}, tenant().graphJson, tenant().exoJson);
    g_emulator->registerApp(kSecretApp, kSecret);
    g_emulator->registerApp(kCertApp, {}, certificate().certificateDer);
}

void TestCloudClients::endpointPolicy()
{
    QVERIFY(checkEndpointUrl(QUrl(u"https://graph.microsoft.com"_s), u"x"_s).isEmpty());
    QVERIFY(checkEndpointUrl(QUrl(u"http://127.0.0.1:8080"_s), u"x"_s).isEmpty());
    QVERIFY(checkEndpointUrl(QUrl(u"http://[::1]:8080"_s), u"x"_s).isEmpty());
    QVERIFY(checkEndpointUrl(QUrl(u"http://localhost"_s), u"x"_s).isEmpty());
    QVERIFY(checkEndpointUrl(QUrl(u"http://graph.microsoft.com"_s), u"--graph-endpoint"_s)
                .contains("only for loopback"_L1));
    QVERIFY(!checkEndpointUrl(QUrl(u"ftp://graph.microsoft.com"_s), u"x"_s).isEmpty());
    QVERIFY(!checkEndpointUrl(QUrl(u"https://user:pw@graph.microsoft.com"_s), u"x"_s).isEmpty());
    QCOMPARE(describeRequest("GET", QUrl(u"https://graph.microsoft.com/v1.0/users?$skiptoken=abc"_s)),
             u"GET https://graph.microsoft.com/v1.0/users"_s);

    // A client refuses a non-loopback http:// endpoint before sending anything (no token either).
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    GraphUsersClient users(QUrl(u"http://graph.example.com"_s), &tokens);
    QVERIFY(!runToEnd(users));
    QVERIFY(users.error()->message.contains("only for loopback"_L1));
    QCOMPARE(g_emulator->tokenRequests(), 0);
}

void TestCloudClients::retryAfterIsDecimal()
{
    QCOMPARE(parseRetryAfterMsecs("10"), 10000);
    QCOMPARE(parseRetryAfterMsecs("2.128"), 2128);
    QVERIFY(!parseRetryAfterMsecs("soon"));
    QVERIFY(!parseRetryAfterMsecs(""));
    // An HTTP date counts from the clock's now (2026-01-01T00:00:00Z is a Thursday).
    const ManualClock clock(QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch() - 1500);
    QCOMPARE(parseRetryAfterMsecs("Thu, 01 Jan 2026 00:00:00 GMT", clock), 1500);
    QCOMPARE(parseRetryAfterMsecs("Wed, 31 Dec 2025 23:00:00 GMT", clock), 0); // in the past: now
    RetryPolicy policy;
    QCOMPARE(policy.delayMsecs(1, 2128), 2128);
    for (int attempt = 1; attempt < 10; ++attempt) {
        const qint64 d = policy.delayMsecs(attempt, std::nullopt);
        QVERIFY(d >= std::min(policy.maxDelayMsecs, policy.baseDelayMsecs << (attempt - 1)) / 2);
        QVERIFY(d <= policy.maxDelayMsecs);
    }
}

void TestCloudClients::secretSignIn()
{
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    QVERIFY(tokens.check().isEmpty());
    const Result<QByteArray> graph = fetchToken(tokens, QLatin1StringView(CloudEmulator::kGraphResource));
    QVERIFY2(graph.ok(), qPrintable(errorText(graph)));
    const Result<QByteArray> again = fetchToken(tokens, QLatin1StringView(CloudEmulator::kGraphResource));
    QVERIFY(again.ok());
    QCOMPARE(again.value(), graph.value()); // from memory
    QCOMPARE(tokens.signInCount(), 1);
    const Result<QByteArray> exo = fetchToken(tokens, QLatin1StringView(CloudEmulator::kExoResource));
    QVERIFY(exo.ok());
    QVERIFY(exo.value() != graph.value()); // one token per resource
    QCOMPARE(tokens.signInCount(), 2);

    // Time passes on a clock the test moves, shared by the client and the emulator: no real waiting.
    ManualClock clock(QDateTime::currentMSecsSinceEpoch());
    g_emulator->setClock(clock);
    const auto restoreClock = qScopeGuard([] { g_emulator->setClock(Clock::system()); });
    const QString graphResource = QLatin1StringView(CloudEmulator::kGraphResource);

    // A token within the renewal lead time is renewed before use.
    g_emulator->setTokenLifetimeSeconds(100);
    TokenProvider shortLived(g_emulator->baseUrl(), secretCredentials());
    shortLived.setClock(clock);
    shortLived.setRenewLeadSeconds(100); // capped at half the lifetime: renewed after 50 s, not now
    const Result<QByteArray> first = fetchToken(shortLived, graphResource);
    QVERIFY(first.ok());
    clock.advanceMsecs(49999);
    const Result<QByteArray> kept = fetchToken(shortLived, graphResource);
    QVERIFY(kept.ok());
    QCOMPARE(kept.value(), first.value());
    QCOMPARE(shortLived.signInCount(), 1);
    clock.advanceMsecs(1); // 50 s: within the lead time of its 100 s
    const Result<QByteArray> renewed = fetchToken(shortLived, graphResource);
    QVERIFY(renewed.ok());
    QVERIFY(renewed.value() != first.value());
    QCOMPARE(shortLived.signInCount(), 2);

    // A token that has expired is not used again.
    g_emulator->setTokenLifetimeSeconds(1);
    TokenProvider expiring(g_emulator->baseUrl(), secretCredentials());
    expiring.setClock(clock);
    QVERIFY(fetchToken(expiring, graphResource).ok());
    clock.advanceMsecs(999);
    QVERIFY(fetchToken(expiring, graphResource).ok());
    QCOMPARE(expiring.signInCount(), 1);
    clock.advanceMsecs(1);
    QVERIFY(fetchToken(expiring, graphResource).ok());
    QCOMPARE(expiring.signInCount(), 2);
}

void TestCloudClients::certificateSignIn_data()
{
    QTest::addColumn<bool>("legacy");
    QTest::addColumn<QString>("tenantName");
    QTest::newRow("PS256 x5t#S256, domain tenant") << false << kTenant;
    QTest::newRow("RS256 x5t, GUID tenant") << true << kTenantId;
}

void TestCloudClients::certificateSignIn()
{
    QFETCH(bool, legacy);
    QFETCH(QString, tenantName);
    Result<ClientCertificate> cert =
        ClientCertificate::fromPem(certificate().keyPem, certificate().certificatePem, u"app.pem"_s);
    QVERIFY2(cert.ok(), qPrintable(errorText(cert)));
    AppCredentials credentials;
    credentials.tenant = tenantName;
    credentials.clientId = kCertApp;
    credentials.certificate = cert.value();
    credentials.legacyRs256X5t = legacy;
    TokenProvider tokens(g_emulator->baseUrl(), credentials);
    const Result<QByteArray> token = fetchToken(tokens, QLatin1StringView(CloudEmulator::kExoResource));
    QVERIFY2(token.ok(), qPrintable(errorText(token)));

    // The key must belong to the certificate.
    const TestCertificate other = TestCertificate::generate("other");
    Result<ClientCertificate> mismatched =
        ClientCertificate::fromPem(other.keyPem, certificate().certificatePem, u"mixed.pem"_s);
    QVERIFY(!mismatched.ok());
    QVERIFY(mismatched.error().toString().contains("does not belong"_L1));
}

void TestCloudClients::certificateFromPkcs12()
{
    const QByteArray pfx = certificate().toPkcs12("pfx-password");
    QVERIFY(!pfx.isEmpty());
    Result<ClientCertificate> cert = ClientCertificate::fromPkcs12(pfx, "pfx-password", u"app.pfx"_s);
    QVERIFY2(cert.ok(), qPrintable(errorText(cert)));
    QCOMPARE(cert.value().certificateDer(), certificate().certificateDer);
    Result<ClientCertificate> wrong = ClientCertificate::fromPkcs12(pfx, "guess", u"app.pfx"_s);
    QVERIFY(!wrong.ok());
    QCOMPARE(wrong.error().toString(),
             u"app.pfx: the PKCS#12 file could not be opened: wrong password or damaged file"_s);
    QVERIFY(!ClientCertificate::fromPkcs12("not a pfx", {}, u"x.pfx"_s).ok());

    AppCredentials credentials;
    credentials.tenant = kTenant;
    credentials.clientId = kCertApp;
    credentials.certificate = cert.value();
    TokenProvider tokens(g_emulator->baseUrl(), credentials);
    QVERIFY(fetchToken(tokens, QLatin1StringView(CloudEmulator::kGraphResource)).ok());
}

void TestCloudClients::wrongSecretShowsAadstsError()
{
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials(u"not-the-secret"_s));
    const Result<QByteArray> token = fetchToken(tokens, QLatin1StringView(CloudEmulator::kGraphResource));
    QVERIFY(!token.ok());
    const QString shown = token.error().toString();
    qInfo().noquote() << "the user sees:" << shown;
    QVERIFY(shown.startsWith(u"POST "_s + g_emulator->baseUrl().toString() + u'/' + kTenant +
                             u"/oauth2/v2.0/token: sign-in failed: HTTP 401: invalid_client: AADSTS7000215: "
                             "Invalid client secret provided."_s));
    QVERIFY(!shown.contains("Trace ID"_L1));
    QVERIFY(!shown.contains("not-the-secret"_L1));

    AppCredentials unknownTenant = secretCredentials();
    unknownTenant.tenant = u"fabrikam.onmicrosoft.com"_s;
    TokenProvider elsewhere(g_emulator->baseUrl(), unknownTenant);
    const Result<QByteArray> t2 = fetchToken(elsewhere, QLatin1StringView(CloudEmulator::kGraphResource));
    QVERIFY(!t2.ok());
    QVERIFY(t2.error().message.contains("AADSTS90002"_L1));
}

void TestCloudClients::unregisteredCertificateIsRefused()
{
    const TestCertificate other = TestCertificate::generate("not-registered");
    Result<ClientCertificate> cert = ClientCertificate::fromPem(other.keyPem, other.certificatePem, u"other.pem"_s);
    QVERIFY(cert.ok());
    AppCredentials credentials;
    credentials.tenant = kTenant;
    credentials.clientId = kCertApp;
    credentials.certificate = cert.value();
    TokenProvider tokens(g_emulator->baseUrl(), credentials);
    const Result<QByteArray> token = fetchToken(tokens, QLatin1StringView(CloudEmulator::kGraphResource));
    QVERIFY(!token.ok());
    QVERIFY2(token.error().message.contains("AADSTS700027"_L1), qPrintable(errorText(token)));
}

void TestCloudClients::graphRefusesPageSizeOver999()
{
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    const Result<QByteArray> token = fetchToken(tokens, QLatin1StringView(CloudEmulator::kGraphResource));
    QVERIFY(token.ok());
    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(g_emulator->baseUrl().toString() + u"/v1.0/users?$top=1000"_s));
    request.setRawHeader("Authorization", "Bearer " + token.value());
    std::unique_ptr<QNetworkReply> reply(network.get(request));
    QSignalSpy done(reply.get(), &QNetworkReply::finished);
    QVERIFY(done.wait(10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 400);
    QVERIFY(describeHttpFailure(400, "application/json", reply->readAll())
                .contains("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive."_L1));
}

void TestCloudClients::usersPagedWithCount()
{
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    GraphUsersClient users(g_emulator->baseUrl(), &tokens);
    users.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
    QSignalSpy progress(&users, &GraphUsersClient::progress);
    QVERIFY(runToEnd(users));
    const Result<GraphDirectory> fromFile = readGraphUsersJson(tenant().graphJson, u"graph.json"_s);
    QVERIFY(fromFile.ok());
    QVERIFY(fromFile.value().usersById.size() >= kMailboxes);
    QCOMPARE(users.directory().usersById.size(), fromFile.value().usersById.size());
    const qint64 pages = (fromFile.value().usersById.size() + 998) / 999;
    QCOMPARE(g_emulator->dataRequests(u"users"_s), int(pages));
    QCOMPARE(progress.size(), int(pages));
    QCOMPARE(progress.first().at(0).toLongLong(), 999);
    QCOMPARE(progress.first().at(1).toLongLong(), qint64(fromFile.value().usersById.size())); // $count known
    QCOMPARE(progress.last().at(0).toLongLong(), qint64(fromFile.value().usersById.size()));
    QVERIFY(users.resumeUrl().isEmpty());
}

void TestCloudClients::mailboxesPagedByRePost()
{
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    ExoMailboxClient exo(g_emulator->baseUrl(), kTenantId, &tokens);
    exo.setResource(QLatin1StringView(CloudEmulator::kExoResource));
    QVERIFY(runToEnd(exo));
    QVERIFY(exo.snapshot().records.size() >= size_t(kMailboxes));
    const qsizetype pages = qsizetype((exo.snapshot().records.size() + 999) / 1000);
    QCOMPARE(g_emulator->dataRequests(u"mailboxes"_s), int(pages));
    QVERIFY(!g_emulator->lastExoBodies().isEmpty());
    for (const QByteArray& body : g_emulator->lastExoBodies())
        QCOMPARE(canonicalJson(body), canonicalJson(kDocumentedGetAllMailboxes));
}

void TestCloudClients::getMailboxStopsAtResultSize()
{
    // The emulator answers Get-Mailbox as the service does: without ResultSize, the first 1000 mailboxes and a
    // warning that more exist; with a number, that many, over as many pages as Prefer asks.
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    const Result<QByteArray> token = fetchToken(tokens, QLatin1StringView(CloudEmulator::kExoResource));
    QVERIFY(token.ok());
    const QString path = u"/adminapi/beta/"_s + kTenant + u"/InvokeCommand"_s;
    const QList<std::pair<QByteArray, QByteArray>> headers{
        {"Authorization", "Bearer " + token.value()},
        {"Content-Type", "application/json"},
        {"X-AnchorMailbox", ExoMailboxClient::appAnchorMailbox(kTenant)}};
    const QString moreResults = u"There are more results available than are currently displayed. To view them, "
                                "increase the value for the ResultSize parameter."_s;

    const RawAnswer defaulted = rawRequest("POST", path, headers, R"({"CmdletInput":{"CmdletName":"Get-Mailbox"}})");
    QCOMPARE(defaulted.status, 200);
    const QJsonObject page = QJsonDocument::fromJson(defaulted.body).object();
    QCOMPARE(page.value("value"_L1).toArray().size(), 1000);
    QVERIFY(!page.contains("@odata.nextLink"_L1)); // no more pages: the rest is simply not returned
    QCOMPARE(page.value("@adminapi.warnings"_L1).toArray(), QJsonArray{moreResults});

    // ResultSize 3 in pages of 2: 2, then 1 with the warning and no further link.
    QList<std::pair<QByteArray, QByteArray>> paged = headers;
    paged.emplaceBack("Prefer", "odata.maxpagesize=2");
    const QByteArray three = R"({"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":3}}})";
    const RawAnswer first = rawRequest("POST", path, paged, three);
    QCOMPARE(first.status, 200);
    const QJsonObject one = QJsonDocument::fromJson(first.body).object();
    QCOMPARE(one.value("value"_L1).toArray().size(), 2);
    QCOMPARE(one.value("@adminapi.warnings"_L1).toArray(), QJsonArray{});
    const QUrl next(one.value("@odata.nextLink"_L1).toString());
    QVERIFY(next.isValid());
    const RawAnswer second = rawRequest("POST", next.path() + u'?' + next.query(QUrl::FullyEncoded), paged, three);
    QCOMPARE(second.status, 200);
    const QJsonObject two = QJsonDocument::fromJson(second.body).object();
    QCOMPARE(two.value("value"_L1).toArray().size(), 1);
    QVERIFY(!two.contains("@odata.nextLink"_L1));
    QCOMPARE(two.value("@adminapi.warnings"_L1).toArray(), QJsonArray{moreResults});

    // Unlimited: every mailbox, no warning (what the client asks for; mailboxesPagedByRePost reads them all).
    const RawAnswer all = rawRequest("POST", path, headers, kDocumentedGetAllMailboxes);
    QCOMPARE(all.status, 200);
    const QJsonObject unlimited = QJsonDocument::fromJson(all.body).object();
    QVERIFY(unlimited.contains("@odata.nextLink"_L1));
    QCOMPARE(unlimited.value("@adminapi.warnings"_L1).toArray(), QJsonArray{});
}

void TestCloudClients::emulatorRefusesWhatTheServiceRefuses_data()
{
    // Each row: a request the service refuses, and what the emulator must answer. The clients send the right
    // form of each (the other tests pass against the same emulator).
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("anchor"); // X-AnchorMailbox; the Exchange rows only
    QTest::addColumn<QByteArray>("consistencyLevel");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("userSees"); // in describeHttpFailure's words
    const QString exo = u"/adminapi/beta/"_s + kTenant + u"/InvokeCommand"_s;
    const QByteArray app = ExoMailboxClient::appAnchorMailbox(kTenant);
    const QByteArray all = kDocumentedGetAllMailboxes;
    QTest::newRow("Get-Mailbox with a parameter it does not have")
        << QByteArray("POST") << exo << app << QByteArray()
        << QByteArray(R"({"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":"Unlimited",)"
                      R"("ResultSzie":"Unlimited"}}})")
        << u"HTTP 400: BadRequest: A parameter cannot be found that matches parameter name 'ResultSzie'."_s;
    QTest::newRow("Get-Mailbox with ResultSize not a size")
        << QByteArray("POST") << exo << app << QByteArray()
        << QByteArray(R"({"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":"all"}}})")
        << u"Cannot process argument transformation on parameter 'ResultSize'."_s;
    QTest::newRow("mailbox $skiptoken damaged")
        << QByteArray("POST") << QString(exo + u"?$skiptoken=bm90LWEtdG9rZW4"_s) << app << QByteArray() << all
        << u"HTTP 400: BadRequest: The skip token is not valid."_s;
    QTest::newRow("X-AnchorMailbox missing")
        << QByteArray("POST") << exo << QByteArray() << QByteArray() << all << u"none was sent"_s;
    QTest::newRow("X-AnchorMailbox without APP: or UPN:")
        << QByteArray("POST") << exo << QByteArray("admin@contoso.onmicrosoft.com") << QByteArray() << all
        << u"is not APP:<system mailbox>@<tenant> or UPN:<user principal name>"_s;
    QTest::newRow("X-AnchorMailbox APP: naming a user")
        << QByteArray("POST") << exo << QByteArray("APP:admin@contoso.onmicrosoft.com") << QByteArray() << all
        << u"an APP: anchor names the system mailbox SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@"_s;
    QTest::newRow("X-AnchorMailbox APP: of another tenant")
        << QByteArray("POST") << exo << ExoMailboxClient::appAnchorMailbox(u"fabrikam.onmicrosoft.com"_s)
        << QByteArray() << all << u"'fabrikam.onmicrosoft.com' is not this tenant"_s;
    QTest::newRow("users $select of a property users do not have")
        << QByteArray("GET") << u"/v1.0/users?$select=id,proxyAddress"_s << QByteArray() << QByteArray() << QByteArray()
        << u"HTTP 400: BadRequest: Could not find a property named 'proxyAddress' on type 'microsoft.graph.user'."_s;
    QTest::newRow("users/delta $select of a property users do not have")
        << QByteArray("GET") << u"/v1.0/users/delta?$select=id,extensionAttribute1"_s << QByteArray() << QByteArray()
        << QByteArray() << u"Could not find a property named 'extensionAttribute1' on type 'microsoft.graph.user'."_s;
    QTest::newRow("users $count=true without ConsistencyLevel")
        << QByteArray("GET") << u"/v1.0/users?$select=id&$count=true"_s << QByteArray() << QByteArray() << QByteArray()
        << u"HTTP 400: Request_BadRequest: $count is not currently supported."_s;
    QTest::newRow("users $skiptoken damaged")
        << QByteArray("GET") << u"/v1.0/users?$skiptoken=bm90LWEtdG9rZW4"_s << QByteArray() << QByteArray("eventual")
        << QByteArray() << u"HTTP 400: Directory_InvalidSkipToken"_s;
}

void TestCloudClients::emulatorRefusesWhatTheServiceRefuses()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, anchor);
    QFETCH(QByteArray, consistencyLevel);
    QFETCH(QByteArray, body);
    QFETCH(QString, userSees);
    const bool isExo = path.startsWith("/adminapi/"_L1);
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    const Result<QByteArray> token =
        fetchToken(tokens, QLatin1StringView(isExo ? CloudEmulator::kExoResource : CloudEmulator::kGraphResource));
    QVERIFY(token.ok());
    QList<std::pair<QByteArray, QByteArray>> headers{{"Authorization", "Bearer " + token.value()}};
    if (!anchor.isEmpty())
        headers.emplaceBack("X-AnchorMailbox", anchor);
    if (!consistencyLevel.isEmpty())
        headers.emplaceBack("ConsistencyLevel", consistencyLevel);
    if (!body.isEmpty())
        headers.emplaceBack("Content-Type", "application/json");
    const RawAnswer answer = rawRequest(method, path, headers, body);
    QCOMPARE(answer.status, 400);
    const QString shown = describeHttpFailure(answer.status, "application/json", answer.body);
    QVERIFY2(shown.contains(userSees), qPrintable(shown));
}

void TestCloudClients::deviceCodePollNeedsItsClientId()
{
    // A poll must name the application the code was issued to (client_id is a required parameter).
    g_emulator->registerApp(kPublicClient, {});
    g_emulator->registerApp(u"22222222-3333-4444-5555-666666666666"_s, {});
    const QList<std::pair<QByteArray, QByteArray>> form{{"Content-Type", "application/x-www-form-urlencoded"}};
    const RawAnswer issued =
        rawRequest("POST", u"/"_s + kTenant + u"/oauth2/v2.0/devicecode"_s, form,
                   "client_id=" + kPublicClient.toLatin1() + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default");
    QCOMPARE(issued.status, 200);
    const QByteArray code =
        QUrl::toPercentEncoding(QJsonDocument::fromJson(issued.body).object().value("device_code"_L1).toString());
    QVERIFY(!code.isEmpty());
    const QString tokenPath = u"/"_s + kTenant + u"/oauth2/v2.0/token"_s;
    const QByteArray grant = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=" + code;
    auto poll = [&](const QByteArray& extra) {
        const RawAnswer a = rawRequest("POST", tokenPath, form, grant + extra);
        return describeHttpFailure(a.status, "application/json", a.body);
    };
    QVERIFY2(poll({}).contains("HTTP 400: invalid_request: AADSTS900144"_L1), qPrintable(poll({})));
    const QString other = poll("&client_id=22222222-3333-4444-5555-666666666666");
    QVERIFY2(other.contains("HTTP 400: invalid_grant: AADSTS70000"_L1), qPrintable(other));
    const QString right = poll("&client_id=" + kPublicClient.toLatin1());
    QVERIFY2(right.contains("authorization_pending"_L1), qPrintable(right)); // the code itself is good
}

void TestCloudClients::retryAfterDateIsReadOnTheClock()
{
    // Retry-After as an HTTP date: the pager waits until then by its clock, here 0.25 s before that date.
    const QDateTime date(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);
    const ManualClock clock(date.toMSecsSinceEpoch() - 250);
    g_emulator->addFault(
        {CloudEmulator::Fault::Kind::TooManyRequests, u"users"_s, 2, 1, "Thu, 01 Jan 2026 00:00:00 GMT"});
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    GraphUsersClient users(g_emulator->baseUrl(), &tokens);
    users.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
    users.setRetryPolicy(fastRetries());
    users.setClock(clock);
    QCOMPARE(users.lastRetryDelayMsecs(), -1);
    QVERIFY(runToEnd(users));
    QCOMPARE(users.retries(), 1);
    QCOMPARE(users.lastRetryDelayMsecs(), 250);
}

void TestCloudClients::faults_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("api");
    QTest::addColumn<int>("times");        // the same page answered so, this many times running
    QTest::addColumn<bool>("completes");   // without the user doing anything
    QTest::addColumn<QString>("userSees"); // in the error, when it does not
    using K = CloudEmulator::Fault::Kind;
    // A dropped connection is dropped three times running: Qt resends a request once by itself when the
    // connection closes before any answer, so only the later drops reach the pager's own backoff.
    // A damaged 200 (cut off, HTML, ending early) is read again like a 503; every one of fastRetries()'s three
    // retries damaged too, and the scan stops with what was wrong and where to resume.
    const int spent = 1 + fastRetries().maxRetries;
    const QString html = u"HTTP 200 with an HTML page instead of JSON (\"Web Proxy - Authentication Required\")"_s;
    for (const QString& api : {u"users"_s, u"mailboxes"_s}) {
        const QByteArray a = api.toLatin1();
        QTest::addRow("%s: 429 Retry-After 0.2", a.constData())
            << int(K::TooManyRequests) << api << 1 << true << QString();
        QTest::addRow("%s: 503 Retry-After", a.constData())
            << int(K::ServiceUnavailable) << api << 1 << true << QString();
        QTest::addRow("%s: 401 token expired mid-scan", a.constData())
            << int(K::ExpiredToken) << api << 1 << true << QString();
        QTest::addRow("%s: dropped connection", a.constData())
            << int(K::DropConnection) << api << 3 << true << QString();
        QTest::addRow("%s: truncated JSON page", a.constData())
            << int(K::TruncatedJson) << api << 1 << true << QString();
        QTest::addRow("%s: HTML error page", a.constData()) << int(K::HtmlPage) << api << 1 << true << QString();
        QTest::addRow("%s: body ends before its Content-Length", a.constData())
            << int(K::CutOffBody) << api << 1 << true << QString();
        QTest::addRow("%s: truncated JSON page, retries spent", a.constData())
            << int(K::TruncatedJson) << api << spent << false << u"gave up after 3 retries: "_s;
        QTest::addRow("%s: HTML error page, retries spent", a.constData())
            << int(K::HtmlPage) << api << spent << false << u"gave up after 3 retries: "_s + html;
        QTest::addRow("%s: body ends early, retries spent", a.constData())
            << int(K::CutOffBody) << api << spent << false << u"gave up after 3 retries: "_s;
    }
}

void TestCloudClients::faults()
{
    QFETCH(int, kind);
    QFETCH(QString, api);
    QFETCH(int, times);
    QFETCH(bool, completes);
    QFETCH(QString, userSees);
    CloudEmulator::Fault fault{CloudEmulator::Fault::Kind(kind), api, 3, times, "0.2"};
    g_emulator->addFault(fault);

    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    GraphUsersClient users(g_emulator->baseUrl(), &tokens);
    users.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
    users.setRetryPolicy(fastRetries());
    ExoMailboxClient exo(g_emulator->baseUrl(), kTenant, &tokens);
    exo.setResource(QLatin1StringView(CloudEmulator::kExoResource));
    exo.setRetryPolicy(fastRetries());

    const bool isUsers = api == "users"_L1;
    bool ok = isUsers ? runToEnd(users) : runToEnd(exo);
    const std::optional<ImportError> error = isUsers ? users.error() : exo.error();
    QCOMPARE(g_emulator->faultsInjected(), fault.times);
    using K = CloudEmulator::Fault::Kind;
    const bool damaged = kind == int(K::TruncatedJson) || kind == int(K::HtmlPage) || kind == int(K::CutOffBody);
    if (completes) {
        QVERIFY2(ok, error ? qPrintable(error->toString()) : "no error");
        const int retries = isUsers ? users.retries() : exo.retries();
        if (kind == int(CloudEmulator::Fault::Kind::ExpiredToken))
            QCOMPARE(retries, 0); // a renewal, not a retry
        else
            QVERIFY(retries >= 1);
        if (kind == int(CloudEmulator::Fault::Kind::TooManyRequests) ||
            kind == int(CloudEmulator::Fault::Kind::ServiceUnavailable))
            QCOMPARE(isUsers ? users.lastRetryDelayMsecs() : exo.lastRetryDelayMsecs(), 200); // Retry-After: 0.2
        if (kind == int(CloudEmulator::Fault::Kind::ExpiredToken))
            QCOMPARE(tokens.signInCount(), 2); // one renewal
        if (damaged) {
            QCOMPARE(retries, 1); // read again once, like a 503, and taken whole the second time
            // Backoff with jitter, not a Retry-After: half to all of the first step (5 ms).
            const qint64 delay = isUsers ? users.lastRetryDelayMsecs() : exo.lastRetryDelayMsecs();
            QVERIFY2(delay >= 2 && delay <= 5, qPrintable(QString::number(delay)));
        }
    } else {
        QVERIFY(!ok);
        QVERIFY(error);
        QCOMPARE(g_emulator->dataRequests(api), 2 + times); // the first two pages, then page 3 and its retries
        const QString shown = error->toString();
        qInfo().noquote() << "the user sees:" << shown;
        QVERIFY2(shown.contains(userSees), qPrintable(shown));
        const QString request = isUsers ? QString(u"GET "_s + g_emulator->baseUrl().toString() + u"/v1.0/users"_s)
                                        : QString(u"POST "_s + g_emulator->baseUrl().toString() + u"/adminapi/beta/"_s +
                                                  kTenant + u"/InvokeCommand"_s);
        QVERIFY2(shown.startsWith(request + u", page 3"_s), qPrintable(shown));
        QVERIFY2(
            shown.contains(isUsers ? "1998 users were read in 2 pages"_L1 : "2000 mailboxes were read in 2 pages"_L1),
            qPrintable(shown));
        QVERIFY(shown.contains("resume from page 3"_L1));
        // Resuming fetches the failed page again and finishes the scan.
        ok = isUsers ? runToEnd(users, true) : runToEnd(exo, true);
        QVERIFY(ok);
    }
    if (isUsers) {
        const Result<GraphDirectory> fromFile = readGraphUsersJson(tenant().graphJson, u"graph.json"_s);
        QCOMPARE(users.directory().usersById.size(), fromFile.value().usersById.size());
    } else {
        const Result<Snapshot> fromFile = readExoMailboxesJson(tenant().exoJson, u"exo.json"_s);
        QCOMPARE(exo.snapshot().records.size(), fromFile.value().records.size());
    }
}

void TestCloudClients::secondRefusalOfATokenFails()
{
    // The token is refused, renewed, and the new one is refused too: one renewal only, then a clear error.
    g_emulator->addFault({CloudEmulator::Fault::Kind::ExpiredToken, u"users"_s, 2, 2, {}});
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    GraphUsersClient users(g_emulator->baseUrl(), &tokens);
    users.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
    QVERIFY(!runToEnd(users));
    const QString shown = users.error()->toString();
    qInfo().noquote() << "the user sees:" << shown;
    QVERIFY2(shown.contains(
                 "page 2: HTTP 401: InvalidAuthenticationToken: Access token has expired or is not yet valid."_L1),
             qPrintable(shown));
    QCOMPARE(tokens.signInCount(), 2);
}

void TestCloudClients::persistentOutageGivesUp()
{
    g_emulator->addFault({CloudEmulator::Fault::Kind::ServiceUnavailable, u"mailboxes"_s, 2, 100, "0.01"});
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    ExoMailboxClient exo(g_emulator->baseUrl(), kTenant, &tokens);
    exo.setResource(QLatin1StringView(CloudEmulator::kExoResource));
    exo.setRetryPolicy(fastRetries());
    QVERIFY(!runToEnd(exo));
    const QString shown = exo.error()->toString();
    qInfo().noquote() << "the user sees:" << shown;
    QVERIFY2(shown.contains("gave up after 3 retries: HTTP 503: serviceNotAvailable: Service unavailable."_L1),
             qPrintable(shown));
    QCOMPARE(g_emulator->dataRequests(u"mailboxes"_s), 1 + 1 + 3);
    QVERIFY(exo.resumeUrl().toString().contains("$skiptoken"_L1));
}

void TestCloudClients::tokenNeverFollowsAForeignNextLink()
{
    g_emulator->setForeignNextLinks(true);
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    GraphUsersClient users(g_emulator->baseUrl(), &tokens);
    users.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
    QVERIFY(!runToEnd(users));
    const QString shown = users.error()->toString();
    qInfo().noquote() << "the user sees:" << shown;
    QVERIFY2(shown.contains("the next page link points elsewhere (GET http://graph.example.net:"_L1),
             qPrintable(shown));
    QVERIFY(shown.contains("0 users were read in 0 pages"_L1)); // the page with the bad link is not taken
    QCOMPARE(g_emulator->dataRequests(u"users"_s), 1);
    QCOMPARE(users.directory().usersById.size(), 0);
}

void TestCloudClients::cancel()
{
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    ExoMailboxClient exo(g_emulator->baseUrl(), kTenant, &tokens);
    exo.setResource(QLatin1StringView(CloudEmulator::kExoResource));
    exo.setPageSize(100);
    QSignalSpy finished(&exo, &ExoMailboxClient::finished);
    connect(&exo, &ExoMailboxClient::progress, &exo, [&exo](qint64 done) {
        if (done >= 300)
            exo.cancel();
    });
    exo.start();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY(exo.error()->message.startsWith("cancelled; 300 mailboxes were read in 3 pages"_L1));
    QCOMPARE(exo.snapshot().records.size(), size_t(300));

    // Resuming continues with page 4 and ends with every mailbox once.
    QObject::disconnect(&exo, &ExoMailboxClient::progress, &exo, nullptr);
    QVERIFY(runToEnd(exo, true));
    const Result<Snapshot> fromFile = readExoMailboxesJson(tenant().exoJson, u"exo.json"_s);
    QCOMPARE(exo.snapshot().records.size(), fromFile.value().records.size());
    QCOMPARE(g_emulator->dataRequests(u"mailboxes"_s), int((fromFile.value().records.size() + 99) / 100));
    // A finished scan has nothing to resume.
    QVERIFY(runToEnd(exo, true));
    QCOMPARE(exo.snapshot().records.size(), fromFile.value().records.size());
}

void TestCloudClients::deltaRescan()
{
    g_emulator->setDeltaPageSize(700);
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    GraphUsersClient users(g_emulator->baseUrl(), &tokens);
    users.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
    QSignalSpy finished(&users, &GraphUsersClient::finished);
    users.startDelta();
    QVERIFY(finished.wait(60000));
    QVERIFY(finished.first().first().toBool());
    const Result<GraphDirectory> fromFile = readGraphUsersJson(tenant().graphJson, u"graph.json"_s);
    const qsizetype all = fromFile.value().usersById.size();
    QCOMPARE(users.directory().usersById.size(), all);
    const QByteArray link = users.deltaLink();
    QVERIFY(link.contains("$deltatoken="));
    const int fullRequests = g_emulator->dataRequests(u"users"_s);
    QCOMPARE(fullRequests, int((all + 699) / 700));

    // Two users change, one is deleted: the rescan fetches one page with three entries.
    const QList<QByteArray> ids = fromFile.value().usersById.keys();
    g_emulator->changeUser(QString::fromLatin1(ids[0]), u"onPremisesImmutableId"_s, u"bmV3LWFuY2hvcg=="_s);
    g_emulator->changeUser(QString::fromLatin1(ids[1]), u"userPrincipalName"_s, u"renamed@contoso.com"_s);
    g_emulator->removeUser(QString::fromLatin1(ids[2]));
    QSignalSpy progress(&users, &GraphUsersClient::progress);
    users.startDelta(link);
    QVERIFY(finished.wait(60000));
    QVERIFY(finished.last().first().toBool());
    QCOMPARE(g_emulator->dataRequests(u"users"_s), fullRequests + 1);
    QCOMPARE(progress.last().first().toLongLong(), 3);
    QCOMPARE(users.directory().usersById.size(), all - 1);
    QVERIFY(!users.directory().usersById.contains(ids[2]));
    QCOMPARE(users.directory().usersById.value(ids[0]).onPremisesImmutableId, QByteArray("bmV3LWFuY2hvcg=="));
    QCOMPARE(users.directory().usersById.value(ids[1]).userPrincipalName, QByteArray("renamed@contoso.com"));
    QVERIFY(users.deltaLink() != link);

    // A deltaLink from elsewhere is refused before anything is sent.
    users.startDelta("https://graph.example.com/v1.0/users/delta?$deltatoken=x");
    QVERIFY(finished.wait(10000));
    QVERIFY(!finished.last().first().toBool());
    QVERIFY(users.error()->message.contains("does not belong to this Graph endpoint"_L1));
}

void TestCloudClients::deviceCode_data()
{
    QTest::addColumn<int>("outcome");
    QTest::addColumn<bool>("slowDown");
    QTest::addColumn<QString>("userSees");
    using O = CloudEmulator::DeviceOutcome;
    QTest::newRow("approved after 3 pending polls") << int(O::Approve) << false << QString();
    QTest::newRow("slow_down, then approved") << int(O::Approve) << true << QString();
    QTest::newRow("declined") << int(O::Decline) << false << u"authorization_declined: AADSTS70000"_s;
    QTest::newRow("expired") << int(O::Expire) << false << u"expired_token: AADSTS70020"_s;
}

void TestCloudClients::deviceCode()
{
    QFETCH(int, outcome);
    QFETCH(bool, slowDown);
    QFETCH(QString, userSees);
    const QString publicClient = u"fb78d390-0c51-40cd-8e17-fdbfab77341b"_s;
    g_emulator->registerApp(publicClient, {});
    g_emulator->setDeviceFlow(3, slowDown, CloudEmulator::DeviceOutcome(outcome), 1);
    DeviceCodeSignIn signIn(g_emulator->baseUrl(), kTenant, publicClient);
    signIn.setSecondMsecs(10);
    QSignalSpy code(&signIn, &DeviceCodeSignIn::codeReady);
    QSignalSpy finished(&signIn, &DeviceCodeSignIn::finished);
    signIn.start(QLatin1StringView(CloudEmulator::kExoResource) + u"/.default offline_access"_s);
    QVERIFY(finished.wait(20000));
    QCOMPARE(code.size(), 1);
    QVERIFY(code.first().at(0).toString().startsWith("EMU"_L1));
    QCOMPARE(code.first().at(1).toUrl(), QUrl(u"https://microsoft.com/devicelogin"_s));
    QVERIFY(code.first().at(2).toString().contains(code.first().at(0).toString()));
    const bool ok = finished.first().first().toBool();
    if (userSees.isEmpty()) {
        QVERIFY(ok);
        QVERIFY(!signIn.accessToken().isEmpty());
        QVERIFY(!signIn.refreshToken().isEmpty());
        QCOMPARE(signIn.polls(), slowDown ? 5 : 4);
        QCOMPARE(signIn.intervalSeconds(), slowDown ? 1 + 5 : 1); // the interval grew by 5 s after slow_down
        // The token works against the admin API.
        QNetworkAccessManager network;
        QNetworkRequest request(
            QUrl(g_emulator->baseUrl().toString() + u"/adminapi/beta/"_s + kTenant + u"/InvokeCommand"_s));
        request.setRawHeader("Authorization", "Bearer " + signIn.accessToken());
        request.setRawHeader("X-AnchorMailbox", "UPN:admin@contoso.com");
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        std::unique_ptr<QNetworkReply> reply(network.post(request, ExoMailboxClient::getMailboxBody()));
        QSignalSpy done(reply.get(), &QNetworkReply::finished);
        QVERIFY(done.wait(20000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    } else {
        QVERIFY(!ok);
        const QString shown = signIn.error()->toString();
        qInfo().noquote() << "the user sees:" << shown;
        QVERIFY2(shown.contains(userSees), qPrintable(shown));
        QVERIFY(shown.contains("device code sign-in failed"_L1));
    }
}

namespace {

AppCredentials delegatedCredentials()
{
    AppCredentials c;
    c.tenant = kTenant;
    c.clientId = kPublicClient;
    c.delegated = true;
    return c;
}

} // namespace

void TestCloudClients::delegatedSecondResourceByRefreshToken()
{
    // The admin signs in once, by device code, for Graph; Exchange Online's token comes from the refresh token.
    g_emulator->registerApp(kPublicClient, {});
    g_emulator->setDeviceFlow(2, false, CloudEmulator::DeviceOutcome::Approve, 1);
    TokenProvider tokens(g_emulator->baseUrl(), delegatedCredentials());
    tokens.setDeviceCodeSecondMsecs(10);
    QVERIFY(tokens.check().isEmpty());
    QSignalSpy code(&tokens, &TokenProvider::deviceCode);
    QSignalSpy signedIn(&tokens, &TokenProvider::signedIn);
    const QString graphResource = QLatin1StringView(CloudEmulator::kGraphResource);
    const QString exoResource = QLatin1StringView(CloudEmulator::kExoResource);
    // Both asked for at once: one device code, the second resource waits for it.
    std::optional<Result<QByteArray>> graph;
    std::optional<Result<QByteArray>> exo;
    QObject context;
    tokens.accessToken(graphResource, &context, [&](const Result<QByteArray>& r) { graph = r; });
    tokens.accessToken(exoResource, &context, [&](const Result<QByteArray>& r) { exo = r; });
    QVERIFY(QTest::qWaitFor([&] { return graph && exo; }, 20000));
    QVERIFY2(graph->ok(), qPrintable(errorText(*graph)));
    QVERIFY2(exo->ok(), qPrintable(errorText(*exo)));
    QCOMPARE(code.size(), 1);
    QCOMPARE(signedIn.size(), 1);
    QCOMPARE(g_emulator->deviceScopes(), QStringList{graphResource + u"/.default offline_access openid profile"_s});
    QCOMPARE(g_emulator->refreshGrants(), 1);
    QCOMPARE(tokens.signedInUser(), u"admin@contoso.onmicrosoft.com"_s);

    // Each token works for its own resource only (the emulator checks the audience).
    ExoMailboxClient mailboxes(g_emulator->baseUrl(), kTenant, &tokens);
    mailboxes.setResource(exoResource);
    mailboxes.setAnchorMailbox("UPN:" + tokens.signedInUser().toUtf8());
    QVERIFY(runToEnd(mailboxes));
    QVERIFY(mailboxes.snapshot().records.size() >= size_t(kMailboxes));
    QCOMPARE(g_emulator->lastAnchors().first(), QByteArray("UPN:admin@contoso.onmicrosoft.com"));

    // A refused token is renewed with the (rotated) refresh token, without asking the admin again.
    tokens.invalidate(exoResource, exo->value());
    const Result<QByteArray> renewed = fetchToken(tokens, exoResource);
    QVERIFY(renewed.ok());
    QVERIFY(renewed.value() != exo->value());
    QCOMPARE(g_emulator->refreshGrants(), 2);
    QCOMPARE(code.size(), 1);

    // The refresh token revoked: the error says to sign in again.
    g_emulator->revokeRefreshTokens();
    tokens.invalidate(exoResource, renewed.value());
    const Result<QByteArray> refused = fetchToken(tokens, exoResource);
    QVERIFY(!refused.ok());
    const QString shown = refused.error().toString();
    qInfo().noquote() << "the user sees:" << shown;
    QVERIFY2(shown.contains("invalid_grant: AADSTS70008"_L1) && shown.contains("sign in again"_L1), qPrintable(shown));
}

void TestCloudClients::delegatedSignInFailures_data()
{
    QTest::addColumn<int>("outcome");
    QTest::addColumn<bool>("slowDown");
    QTest::addColumn<QString>("userSees");
    using O = CloudEmulator::DeviceOutcome;
    QTest::newRow("authorization_pending x3, slow_down, then approved") << int(O::Approve) << true << QString();
    QTest::newRow("declined") << int(O::Decline) << false << u"authorization_declined: AADSTS70000"_s;
    QTest::newRow("expired") << int(O::Expire) << false << u"expired_token: AADSTS70020"_s;
}

void TestCloudClients::delegatedSignInFailures()
{
    QFETCH(int, outcome);
    QFETCH(bool, slowDown);
    QFETCH(QString, userSees);
    g_emulator->registerApp(kPublicClient, {});
    g_emulator->setDeviceFlow(3, slowDown, CloudEmulator::DeviceOutcome(outcome), 1);
    TokenProvider tokens(g_emulator->baseUrl(), delegatedCredentials());
    tokens.setDeviceCodeSecondMsecs(5);
    QSignalSpy code(&tokens, &TokenProvider::deviceCode);
    const Result<QByteArray> token = fetchToken(tokens, QLatin1StringView(CloudEmulator::kExoResource));
    QCOMPARE(code.size(), 1);
    QVERIFY(code.first().at(2).toString().contains(code.first().at(0).toString())); // the message names the code
    if (userSees.isEmpty()) {
        QVERIFY2(token.ok(), qPrintable(errorText(token)));
        return;
    }
    QVERIFY(!token.ok());
    const QString shown = token.error().toString();
    qInfo().noquote() << "the user sees:" << shown;
    QVERIFY2(shown.contains(userSees) && shown.contains("device code sign-in failed"_L1), qPrintable(shown));
    // Nothing is retried behind the admin's back: a new request starts a new sign-in.
    QCOMPARE(g_emulator->refreshGrants(), 0);
}

void TestCloudClients::mailboxesThroughV2Endpoint()
{
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    ExoMailboxClient v2(g_emulator->baseUrl(), kTenantId, &tokens);
    v2.setResource(QLatin1StringView(CloudEmulator::kExoResource));
    v2.setApi(ExoAdminApi::V2);
    QVERIFY(runToEnd(v2));
    const QList<QByteArray> paths = g_emulator->lastExoPaths();
    QCOMPARE(paths.size(), int((v2.snapshot().records.size() + 999) / 1000));
    for (const QByteArray& path : paths)
        QCOMPARE(path, QByteArray("/adminapi/v2.0/" + kTenantId.toLatin1() + "/Mailbox"));
    QVERIFY(!g_emulator->lastExoBodies().isEmpty());
    for (const QByteArray& body : g_emulator->lastExoBodies())
        QCOMPARE(canonicalJson(body), canonicalJson(kDocumentedGetAllMailboxes));
    QVERIFY(v2.snapshot().source.contains("/adminapi/v2.0/"_L1));

    // The same records as through InvokeCommand, and as the file.
    ExoMailboxClient beta(g_emulator->baseUrl(), kTenantId, &tokens);
    beta.setResource(QLatin1StringView(CloudEmulator::kExoResource));
    QVERIFY(runToEnd(beta));
    const Result<Snapshot> fromFile = readExoMailboxesJson(tenant().exoJson, u"exo.json"_s);
    QCOMPARE(v2.snapshot().records.size(), fromFile.value().records.size());
    QCOMPARE(beta.snapshot().records.size(), fromFile.value().records.size());
    for (size_t i = 0; i < fromFile.value().records.size(); i += 97) {
        for (int p = 0; p < int(CloudProperty::Count); ++p) {
            const auto property = CloudProperty(p);
            QCOMPARE(v2.snapshot().records[i].cloudValues(property).toStringList(),
                     fromFile.value().records[i].cloudValues(property).toStringList());
            QCOMPARE(beta.snapshot().records[i].cloudValues(property).toStringList(),
                     fromFile.value().records[i].cloudValues(property).toStringList());
        }
    }
}

void TestCloudClients::deltaGoneResyncs()
{
    // Fault: the kept delta token is too old; Graph answers 410 Gone with a Location to start over from.
    // The user sees a rescan that reads every user again instead of failing.
    g_emulator->setDeltaPageSize(1000);
    TokenProvider tokens(g_emulator->baseUrl(), secretCredentials());
    GraphUsersClient users(g_emulator->baseUrl(), &tokens);
    users.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
    QSignalSpy finished(&users, &GraphUsersClient::finished);
    users.startDelta();
    QVERIFY(finished.wait(60000));
    QVERIFY(finished.last().first().toBool());
    const QByteArray link = users.deltaLink();
    const qsizetype all = users.directory().usersById.size();
    const int fullRequests = g_emulator->dataRequests(u"users"_s);
    const QByteArray changed = users.directory().usersById.keys().first();

    g_emulator->expireDeltaTokens();
    g_emulator->changeUser(QString::fromLatin1(changed), u"userPrincipalName"_s, u"moved@contoso.com"_s);
    users.startDelta(link);
    QVERIFY(finished.wait(60000));
    QVERIFY2(finished.last().first().toBool(), qPrintable(users.error() ? users.error()->toString() : QString()));
    QVERIFY(users.resynced());
    QCOMPARE(users.directory().usersById.size(), all);
    QCOMPARE(users.directory().usersById.value(changed).userPrincipalName, QByteArray("moved@contoso.com"));
    QCOMPARE(g_emulator->dataRequests(u"users"_s), 2 * fullRequests + 1); // the 410, then every page again
    QVERIFY(!users.deltaLink().isEmpty());
    QVERIFY(users.deltaLink() != link);

    // The new link works: the next round is a delta again.
    users.startDelta(users.deltaLink());
    QVERIFY(finished.wait(60000));
    QVERIFY(finished.last().first().toBool());
    QVERIFY(!users.resynced());
    QCOMPARE(users.changes(), 0);
}

void TestCloudClients::scanMatchesSnapshotFiles()
{
    // The reference: the same generator's files through the snapshot readers.
    const Result<GraphDirectory> graphFile = readGraphUsersJson(tenant().graphJson, u"graph.json"_s);
    QVERIFY(graphFile.ok());
    const Result<Snapshot> exoFile = readExoMailboxesJson(tenant().exoJson, u"exo.json"_s, &graphFile.value());
    QVERIFY(exoFile.ok());

    // The scan, with a token expiring mid-way and a throttled page for good measure.
    g_emulator->addFault({CloudEmulator::Fault::Kind::ExpiredToken, u"mailboxes"_s, 4, 1, {}});
    g_emulator->addFault({CloudEmulator::Fault::Kind::TooManyRequests, u"users"_s, 2, 1, "0.05"});
    Result<ClientCertificate> cert =
        ClientCertificate::fromPem(certificate().keyPem, certificate().certificatePem, u"app.pem"_s);
    QVERIFY(cert.ok());
    AppCredentials credentials;
    credentials.tenant = kTenant;
    credentials.clientId = kCertApp;
    credentials.certificate = cert.value();
    TokenProvider tokens(g_emulator->baseUrl(), credentials);
    GraphUsersClient users(g_emulator->baseUrl(), &tokens);
    users.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
    users.setRetryPolicy(fastRetries());
    QVERIFY(runToEnd(users));
    ExoMailboxClient exo(g_emulator->baseUrl(), kTenant, &tokens);
    exo.setResource(QLatin1StringView(CloudEmulator::kExoResource));
    exo.setRetryPolicy(fastRetries());
    exo.setGraphDirectory(&users.directory());
    QVERIFY(runToEnd(exo));

    const Snapshot& scanned = exo.snapshot();
    const Snapshot& expected = exoFile.value();
    QCOMPARE(scanned.side, Side::Cloud);
    QCOMPARE(scanned.records.size(), expected.records.size());
    QCOMPARE(scanned.skippedEntries, expected.skippedEntries);
    QCOMPARE(scanned.newestChangeMsecs, expected.newestChangeMsecs);
    for (size_t i = 0; i < expected.records.size(); ++i) {
        const MailboxRecord& a = scanned.records[i];
        const MailboxRecord& b = expected.records[i];
        for (int f = 0; f < int(IdentityField::Count); ++f) {
            if (a.identity(IdentityField(f)) != b.identity(IdentityField(f)))
                QFAIL(qPrintable(u"mailbox %1 (%2): identity field %3 differs: \"%4\" vs \"%5\""_s.arg(
                    QString::number(i), b.identityText(IdentityField::UserPrincipalName), QString::number(f),
                    a.identityText(IdentityField(f)), b.identityText(IdentityField(f)))));
        }
        for (int p = 0; p < int(CloudProperty::Count); ++p) {
            const QStringList av = a.cloudValues(CloudProperty(p)).toStringList();
            const QStringList bv = b.cloudValues(CloudProperty(p)).toStringList();
            if (av != bv)
                QFAIL(qPrintable(u"mailbox %1 (%2): %3 differs: [%4] vs [%5]"_s.arg(
                    QString::number(i), b.identityText(IdentityField::UserPrincipalName),
                    cloudPropertyName(CloudProperty(p)), av.join(u';'), bv.join(u';'))));
        }
    }
    QCOMPARE(tokens.signInCount(), 3); // Graph, EXO, EXO again after the 401
}

namespace {

} // namespace

void TestCloudClients::cliDiffLiveMatchesFiles()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString ldif = dir.filePath(u"ad.ldif"_s);
    const QString exo = dir.filePath(u"exo.json"_s);
    const QString graph = dir.filePath(u"graph.json"_s);
    const QString secret = dir.filePath(u"secret"_s);
    QVERIFY(writeOwnerOnlyFile(ldif, tenant().ldif));
    QVERIFY(writeOwnerOnlyFile(exo, tenant().exoJson));
    QVERIFY(writeOwnerOnlyFile(graph, tenant().graphJson));
    QVERIFY(writeOwnerOnlyFile(secret, kSecret.toUtf8() + '\n'));
    // Cloud Sync's state: from files, and the same answers served live (read by default with --tenant).
    const QString jobs = dir.filePath(u"jobs.json"_s);
    const QString schema = dir.filePath(u"schema.json"_s);
    const QString provisioning = dir.filePath(u"provisioning.json"_s);
    QVERIFY(writeOwnerOnlyFile(jobs, tenant().syncJobs));
    QVERIFY(writeOwnerOnlyFile(schema, tenant().syncSchema));
    QVERIFY(writeOwnerOnlyFile(provisioning, tenant().provisioning));
    g_emulator->sync().addServicePrincipal(u"cloud-sync-sp"_s);
    g_emulator->sync().loadAnswers(u"cloud-sync-sp"_s, tenant().syncJobs, tenant().syncSchema, tenant().provisioning);
    const QString fromFiles = dir.filePath(u"files.json"_s);
    const QString fromLive = dir.filePath(u"live.json"_s);
    QString errors;
    QCOMPARE(cliCode({u"diff"_s, u"--ad"_s, ldif, u"--exo"_s, exo, u"--graph"_s, graph, u"--sync-jobs"_s, jobs,
                  u"--sync-schema"_s, schema, u"--provisioning-log"_s, provisioning, u"--json"_s, fromFiles},
                 &errors),
             int(CliOk));
    const QString base = g_emulator->baseUrl().toString();
    g_emulator->addFault({CloudEmulator::Fault::Kind::TooManyRequests, u"mailboxes"_s, 2, 1, "0.05"});
    const int code = cliCode({u"diff"_s,
                          u"--ad"_s,
                          ldif,
                          u"--tenant"_s,
                          kTenant,
                          u"--client-id"_s,
                          kSecretApp,
                          u"--client-secret-file"_s,
                          secret,
                          u"--authority"_s,
                          base,
                          u"--graph-endpoint"_s,
                          base,
                          u"--exo-endpoint"_s,
                          base,
                          u"--graph-resource"_s,
                          QLatin1StringView(CloudEmulator::kGraphResource),
                          u"--exo-resource"_s,
                          QLatin1StringView(CloudEmulator::kExoResource),
                          u"--json"_s,
                          fromLive},
                         &errors);
    QVERIFY2(code == CliOk, qPrintable(errors));
    auto report = [](const QString& path) {
        QFile file(path);
        file.open(QIODevice::ReadOnly);
        QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
        o.remove(u"sources"_s);
        o.remove(u"sinceScan"_s); // what changed since the profile's previous scan: the runs share one history
        return o;
    };
    const QJsonObject a = report(fromFiles);
    const QJsonObject b = report(fromLive);
    QVERIFY(!a.isEmpty());
    QVERIFY(a.value("summary"_L1).toObject().value("cloudMailboxes"_L1).toInt() >= kMailboxes);
    QVERIFY(a.value("summary"_L1).toObject().value("driftItems"_L1).toInt() > 0);
    QCOMPARE(b.value("summary"_L1), a.value("summary"_L1));
    QVERIFY(b == a); // the same drift report, mailbox by mailbox, causes and evidence included
    const QByteArray text = QJsonDocument(a).toJson();
    for (const char* cause : {"jobUnhealthy", "notMapped", "writebackFailed", "writebackSkipped", "writebackPending"})
        QVERIFY2(text.contains(cause), cause);
    QVERIFY2(errors.contains(u"Cloud Sync jobs:"_s) || g_emulator->sync().provisioningRequests() > 0,
             qPrintable(errors));
    QVERIFY(g_emulator->sync().provisioningRequests() >= 2); // the log of each of the two jobs, read live
}

void TestCloudClients::cliDiffUsage()
{
    QString errors;
    QCOMPARE(cliCode({u"diff"_s, u"--ad"_s, u"x.ldif"_s, u"--tenant"_s, kTenant, u"--client-id"_s, kSecretApp}, &errors),
             int(CliUsage));
    QVERIFY2(errors.contains("--client-secret-file"_L1), qPrintable(errors));
    QCOMPARE(cliCode({u"diff"_s, u"--ad"_s, u"x.ldif"_s, u"--tenant"_s, kTenant, u"--client-id"_s, kSecretApp,
                  u"--client-secret-file"_s, u"s"_s, u"--graph-endpoint"_s, u"http://graph.example.com"_s},
                 &errors),
             int(CliUsage));
    QVERIFY2(errors.contains("only for loopback"_L1), qPrintable(errors));
    QCOMPARE(cliCode({u"diff"_s, u"--ad"_s, u"x.ldif"_s, u"--exo"_s, u"e.json"_s, u"--tenant"_s, kTenant}, &errors),
             int(CliUsage));
}

namespace {

// The report's "sinceScan": what changed since the profile's previous scan.
QJsonObject sinceScanOf(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object()[u"sinceScan"_s].toObject();
}

QJsonObject reportWithoutSources(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    o.remove(u"sources"_s);
    o.remove(u"sinceScan"_s); // what changed since the profile's previous scan: the runs share one history
    return o;
}

// The files of the generated tenant, and the drift report from them: what every live read must reproduce.
struct CliTenant {
    QTemporaryDir dir;
    QString ldif = dir.filePath(u"ad.ldif"_s);
    QString secret = dir.filePath(u"secret"_s);
    QString fromFiles = dir.filePath(u"files.json"_s);

    bool write()
    {
        const QString exo = dir.filePath(u"exo.json"_s);
        const QString graph = dir.filePath(u"graph.json"_s);
        return writeOwnerOnlyFile(ldif, tenant().ldif) && writeOwnerOnlyFile(exo, tenant().exoJson) &&
               writeOwnerOnlyFile(graph, tenant().graphJson) && writeOwnerOnlyFile(secret, kSecret.toUtf8() + '\n') &&
               cliCode({u"diff"_s, u"--ad"_s, ldif, u"--exo"_s, exo, u"--graph"_s, graph, u"--json"_s, fromFiles}) == CliOk;
    }

    QStringList live(const QString& report, const QStringList& credential) const
    {
        const QString base = g_emulator->baseUrl().toString();
        return QStringList{u"diff"_s,
                           u"--ad"_s,
                           ldif,
                           u"--no-sync-state"_s, // compared with files that carry none (see cliDiffLiveMatchesFiles)
                           u"--tenant"_s,
                           kTenant,
                           u"--authority"_s,
                           base,
                           u"--graph-endpoint"_s,
                           base,
                           u"--exo-endpoint"_s,
                           base,
                           u"--graph-resource"_s,
                           QLatin1StringView(CloudEmulator::kGraphResource),
                           u"--exo-resource"_s,
                           QLatin1StringView(CloudEmulator::kExoResource),
                           u"--json"_s,
                           report} +
               credential;
    }
};

} // namespace

void TestCloudClients::cliDiffRescanReadsOnlyChanges()
{
    CliTenant files;
    QVERIFY(files.write());
    const QStringList secret{u"--client-id"_s, kSecretApp, u"--client-secret-file"_s, files.secret};
    const QString first = files.dir.filePath(u"first.json"_s);
    QString errors;
    QCOMPARE(cliCode(files.live(first, secret), &errors), int(CliOk));
    const int fullRequests = g_emulator->dataRequests(u"users"_s);
    QVERIFY(fullRequests > 1);

    // The kept state: owner-only, links and users, no token and no secret.
    const QString stateDir = cloudStateDirectory(u"default"_s);
    for (const QString& name : {u"cloud-state.json"_s, u"cloud-users.json"_s, u"cloud-mailboxes.json"_s}) {
        QFile file(stateDir + u'/' + name);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        QCOMPARE(file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                                       QFileDevice::WriteOther),
                 QFileDevice::Permissions());
        const QByteArray content = file.readAll();
        QVERIFY(!content.contains(kSecret.toUtf8()));
        QVERIFY(!content.contains("emu.")); // the emulator's access tokens
        QVERIFY(!content.contains("emu-refresh."));
    }
    const Result<std::optional<CloudScanState>> kept = loadCloudScanState(stateDir);
    QVERIFY(kept.ok() && kept.value());
    QVERIFY(kept.value()->deltaLink.contains("$deltatoken="));

    // The second run reads only the delta (nothing changed: one page) and reports the same drift.
    const QString second = files.dir.filePath(u"second.json"_s);
    QCOMPARE(cliCode(files.live(second, secret), &errors), int(CliOk));
    QVERIFY2(errors.contains("Reading only the Entra ID users changed since"_L1), qPrintable(errors));
    QCOMPARE(g_emulator->dataRequests(u"users"_s), fullRequests + 1);
    QVERIFY(errors.contains("0 Entra ID users changed since the last run"_L1));
    // ... and only the mailboxes changed since the first run's read began (none), merged into those it kept.
    QVERIFY2(errors.contains("Exchange Online: 0 mailboxes changed since"_L1) &&
                 errors.contains("--full-scan reads every mailbox"_L1),
             qPrintable(errors));
    QVERIFY(g_emulator->lastExoBodies().last().contains("WhenChangedUTC -gt '"));
    const QJsonObject expected = reportWithoutSources(files.fromFiles);
    QVERIFY(!expected.isEmpty());
    QVERIFY(reportWithoutSources(first) == expected);
    QVERIFY(reportWithoutSources(second) == expected);

    // A user changes its anchor: the third run fetches that change only, and its report differs accordingly
    // from the files' (that user's mailbox no longer matches by anchor the same way).
    const QByteArray id = kept.value()->users.usersById.keys().first();
    g_emulator->changeUser(QString::fromLatin1(id), u"onPremisesImmutableId"_s, u"Y2hhbmdlZA=="_s);
    // ... and another user's mailbox changes in Exchange Online alone: fetched through the WhenChangedUTC filter.
    QJsonObject changedMailbox;
    for (const QJsonValue& mailbox : g_emulator->mailboxes()) {
        if (mailbox[u"ExternalDirectoryObjectId"_s].toString() != QString::fromLatin1(id) &&
            mailbox[u"RecipientTypeDetails"_s].toString() == u"UserMailbox"_s) {
            changedMailbox = mailbox.toObject();
            break;
        }
    }
    QVERIFY(!changedMailbox.isEmpty());
    g_emulator->changeMailbox(changedMailbox[u"ExchangeGuid"_s].toString(), u"CustomAttribute9"_s,
                              u"changed in the cloud"_s);
    const QString third = files.dir.filePath(u"third.json"_s);
    QCOMPARE(cliCode(files.live(third, secret), &errors), int(CliOk));
    QCOMPARE(g_emulator->dataRequests(u"users"_s), fullRequests + 2);
    QVERIFY(errors.contains("1 Entra ID users changed since the last run"_L1));
    QVERIFY2(errors.contains("Exchange Online: 1 mailbox changed since"_L1), qPrintable(errors));
    // What changed since the last scan (the history the runs share) names that mailbox's new drift.
    const QJsonObject thirdSince = sinceScanOf(third);
    const QString changedKey = u"eid:"_s + changedMailbox[u"ExternalDirectoryObjectId"_s].toString();
    bool named = false;
    for (const QJsonValue& item : thirdSince[u"newDrift"_s].toArray())
        named = named || (item[u"mailbox"_s].toString() == changedKey &&
                          item[u"attribute"_s].toString() == u"extensionAttribute9"_s);
    QVERIFY2(named, QJsonDocument(thirdSince).toJson().constData());
    // ... and equals a full read of the changed tenant.
    const QString full = files.dir.filePath(u"full.json"_s);
    QCOMPARE(cliCode(files.live(full, secret + QStringList{u"--full-scan"_s}), &errors), int(CliOk));
    QCOMPARE(g_emulator->dataRequests(u"users"_s), 2 * fullRequests + 2);
    QVERIFY2(errors.contains("(full read: a full read was asked for)"_L1), qPrintable(errors));
    QVERIFY(reportWithoutSources(third) == reportWithoutSources(full));
    // ... so the full read finds nothing changed since the incremental one.
    const QJsonObject counts = sinceScanOf(full)[u"counts"_s].toObject();
    QCOMPARE(counts, (QJsonObject{{u"newDrift"_s, 0},
                                  {u"resolvedDrift"_s, 0},
                                  {u"unchangedDrift"_s, counts[u"unchangedDrift"_s]},
                                  {u"mailboxesAdded"_s, 0},
                                  {u"mailboxesRemoved"_s, 0}}));
    QVERIFY(counts[u"unchangedDrift"_s].toInt() > 0);
}

void TestCloudClients::cliDiffThroughDamagedPages()
{
    // Issue 15: a live scan through pages answered with half a JSON body, a proxy's HTML page or a body that
    // ends before its Content-Length, on both APIs, reads each again and writes the fault-free run's report.
    CliTenant files;
    QVERIFY(files.write());
    const QStringList secret{u"--client-id"_s, kSecretApp, u"--client-secret-file"_s, files.secret,
                             u"--full-scan"_s};
    const QString clean = files.dir.filePath(u"clean.json"_s);
    QString errors;
    QCOMPARE(cliCode(files.live(clean, secret), &errors), int(CliOk));
    using K = CloudEmulator::Fault::Kind;
    const QList<CloudEmulator::Fault> faults{
        {K::TruncatedJson, u"users"_s, 2, 1, {}}, {K::HtmlPage, u"users"_s, 4, 1, {}},
        {K::CutOffBody, u"users"_s, 6, 1, {}},    {K::HtmlPage, u"mailboxes"_s, 1, 1, {}},
        {K::TruncatedJson, u"mailboxes"_s, 3, 1, {}}, {K::CutOffBody, u"mailboxes"_s, 5, 1, {}}};
    // A fault names the n-th request of its API since the emulator started: these land on the second run.
    const int usersBefore = g_emulator->dataRequests(u"users"_s);
    const int mailboxesBefore = g_emulator->dataRequests(u"mailboxes"_s);
    for (CloudEmulator::Fault f : faults) {
        f.onRequest += f.api == "users"_L1 ? usersBefore : mailboxesBefore;
        g_emulator->addFault(f);
    }
    const QString damaged = files.dir.filePath(u"damaged.json"_s);
    QVERIFY2(cliCode(files.live(damaged, secret), &errors) == CliOk, qPrintable(errors));
    QCOMPARE(g_emulator->faultsInjected(), int(faults.size()));
    const QJsonObject expected = reportWithoutSources(clean);
    QVERIFY(!expected.isEmpty());
    QVERIFY(expected == reportWithoutSources(files.fromFiles));
    QVERIFY(reportWithoutSources(damaged) == expected);
}

void TestCloudClients::cliDiffDeviceCode()
{
    // sunset-cli diff --device-code: the service's sign-in message on standard error, polling until the admin
    // has signed in (here after one authorization_pending), one sign-in for both resources.
    CliTenant files;
    QVERIFY(files.write());
    g_emulator->registerApp(kPublicClient, {});
    g_emulator->setDeviceFlow(1, false, CloudEmulator::DeviceOutcome::Approve, 1);
    const QString report = files.dir.filePath(u"live.json"_s);
    QString errors;
    const int code = cliCode(files.live(report, {u"--client-id"_s, kPublicClient, u"--device-code"_s}), &errors);
    QVERIFY2(code == CliOk, qPrintable(errors));
    QVERIFY2(errors.contains("To sign in, use a web browser to open the page https://microsoft.com/devicelogin and "
                             "enter the code EMU"_L1),
             qPrintable(errors));
    QVERIFY(errors.contains("Signed in."_L1));
    QCOMPARE(g_emulator->refreshGrants(), 1);
    QVERIFY(reportWithoutSources(report) == reportWithoutSources(files.fromFiles));

    // Declined: a clear error, exit code 1.
    g_emulator->setDeviceFlow(0, false, CloudEmulator::DeviceOutcome::Decline, 1);
    QCOMPARE(cliCode(files.live(report, {u"--client-id"_s, kPublicClient, u"--device-code"_s, u"--full-scan"_s}), &errors),
             int(CliBadInput));
    QVERIFY2(errors.contains("device code sign-in failed: HTTP 400: authorization_declined"_L1), qPrintable(errors));

    // One credential only.
    QCOMPARE(cliCode(files.live(report, {u"--client-id"_s, kPublicClient, u"--device-code"_s, u"--client-secret-file"_s,
                                     files.secret}),
                 &errors),
             int(CliUsage));
    QVERIFY(errors.contains("give one credential"_L1));
}

void TestCloudClients::cliDiffExoApiV2()
{
    CliTenant files;
    QVERIFY(files.write());
    const QString report = files.dir.filePath(u"v2.json"_s);
    QString errors;
    const QStringList args = files.live(
        report, {u"--client-id"_s, kSecretApp, u"--client-secret-file"_s, files.secret, u"--exo-api"_s, u"v2"_s});
    QVERIFY2(cliCode(args, &errors) == CliOk, qPrintable(errors));
    QVERIFY(!g_emulator->lastExoPaths().isEmpty());
    for (const QByteArray& path : g_emulator->lastExoPaths())
        QVERIFY(path.startsWith("/adminapi/v2.0/"));
    QVERIFY(reportWithoutSources(report) == reportWithoutSources(files.fromFiles));
    QCOMPARE(cliCode(files.live(report, {u"--client-id"_s, kSecretApp, u"--client-secret-file"_s, files.secret,
                                     u"--exo-api"_s, u"v3"_s}),
                 &errors),
             int(CliUsage));
    QVERIFY(errors.contains("use invokecommand or v2"_L1));
}

// --exo-parallel: the default reads Exchange Online in slices (-Filter on Name), 1 as one stream; both give the
// report the files give. A value outside 1..16 is a usage error saying the range.
void TestCloudClients::cliDiffExoParallel()
{
    CliTenant files;
    QVERIFY(files.write());
    const QString report = files.dir.filePath(u"sliced.json"_s);
    const QStringList credential{u"--client-id"_s, kSecretApp, u"--client-secret-file"_s, files.secret};
    const auto filtered = [](qsizetype from) {
        const QList<QByteArray> bodies = g_emulator->lastExoBodies();
        return std::count_if(bodies.begin() + from, bodies.end(),
                             [](const QByteArray& body) { return body.contains("\"Filter\""); });
    };
    QString errors;
    QVERIFY2(cliCode(files.live(report, credential), &errors) == CliOk, qPrintable(errors));
    QVERIFY(filtered(0) > 1); // kMailboxes is five pages: the default of 4 slices them
    QVERIFY(reportWithoutSources(report) == reportWithoutSources(files.fromFiles));

    const qsizetype before = g_emulator->lastExoBodies().size();
    QVERIFY2(cliCode(files.live(report, credential + QStringList{u"--exo-parallel"_s, u"1"_s, u"--full-scan"_s}), &errors) ==
                 CliOk,
             qPrintable(errors));
    QVERIFY(g_emulator->lastExoBodies().size() > before);
    QCOMPARE(filtered(before), 0);
    QVERIFY(reportWithoutSources(report) == reportWithoutSources(files.fromFiles));

    for (const QString& wrong : {u"0"_s, u"17"_s, u"four"_s}) {
        QCOMPARE(cliCode(files.live(report, credential + QStringList{u"--exo-parallel"_s, wrong}), &errors), int(CliUsage));
        QVERIFY2(errors.contains(u"--exo-parallel '%1': give a number of slices from 1 to 16"_s.arg(wrong)),
                 qPrintable(errors));
    }
}

void TestCloudClients::damagedKeptStateMeansAFullRead()
{
    // Fault: the kept state file was damaged (or hand-edited). The user sees a warning naming the file, and the
    // run reads every user and writes a good state.
    CliTenant files;
    QVERIFY(files.write());
    const QString stateDir = cloudStateDirectory(u"default"_s);
    QVERIFY(QDir().mkpath(stateDir));
    QVERIFY(writeOwnerOnlyFile(stateDir + u"/cloud-state.json"_s, "{\"version\": 1, \"deltaLink\": "));
    const Result<std::optional<CloudScanState>> damaged = loadCloudScanState(stateDir);
    QVERIFY(!damaged.ok());
    QVERIFY(damaged.error().toString().startsWith(stateDir + u"/cloud-state.json: not a cloud scan state"_s));
    QString errors;
    const QString report = files.dir.filePath(u"live.json"_s);
    QCOMPARE(cliCode(files.live(report, {u"--client-id"_s, kSecretApp, u"--client-secret-file"_s, files.secret}), &errors),
             int(CliOk));
    QVERIFY2(errors.contains("warning: "_L1 + stateDir + u"/cloud-state.json: not a cloud scan state"_s) &&
                 errors.contains("reading every user"_L1),
             qPrintable(errors));
    QVERIFY(reportWithoutSources(report) == reportWithoutSources(files.fromFiles));
    const Result<std::optional<CloudScanState>> rewritten = loadCloudScanState(stateDir);
    QVERIFY(rewritten.ok() && rewritten.value() && !rewritten.value()->deltaLink.isEmpty());
}

// An app without AuditLog.Read.All: the live diff still succeeds; the summary names the permission, and no item
// is said to have failed or been skipped by the writeback (that needs the log), while the jobs still prove theirs.
void TestCloudClients::cliDiffWithoutAuditLogPermission()
{
    CliTenant files;
    QVERIFY(files.write());
    g_emulator->sync().addServicePrincipal(u"cloud-sync-sp"_s);
    g_emulator->sync().loadAnswers(u"cloud-sync-sp"_s, tenant().syncJobs, tenant().syncSchema, tenant().provisioning);
    g_emulator->sync().denyPermission(QString::fromLatin1(SyncEmulator::kAuditLogRead));
    QStringList args = files.live(u"-"_s, {u"--client-id"_s, kSecretApp, u"--client-secret-file"_s, files.secret});
    args.removeAll(u"--no-sync-state"_s);
    QString outText;
    QString errText;
    QTextStream out(&outText);
    QTextStream err(&errText);
    QCOMPARE(runCli(args, out, err), int(CliOk));
    out.flush();
    err.flush();
    QVERIFY2(errText.contains(u"Provisioning log:  The provisioning log could not be read: the app lacks the Graph "
                              "permission AuditLog.Read.All"_s),
             qPrintable(errText));
    QVERIFY2(errText.contains(u"2 writeback jobs from Graph"_s), qPrintable(errText));
    QVERIFY(outText.contains(u"jobUnhealthy"_s));
    QVERIFY(outText.contains(u"AuditLog.Read.All"_s)); // in the unexplained items' evidence
    // No item's cause says so (the summary still lists every cause, with its count).
    QVERIFY(!outText.contains(QRegularExpression(u"\"cause\": ?\"writeback(Failed|Skipped)\""_s)));
    QVERIFY(outText.contains(QRegularExpression(u"\"cause\": ?\"jobUnhealthy\""_s)));
}

void TestCloudClients::cliDiffSyncStateUsage()
{
    QString errors;
    QCOMPARE(cliCode({u"diff"_s, u"--ad"_s, u"x.ldif"_s, u"--exo"_s, u"e.json"_s, u"--no-sync-state"_s}, &errors),
             int(CliUsage));
    QVERIFY2(errors.contains("go with --tenant"_L1), qPrintable(errors));
    QTemporaryDir dir;
    const QString secret = dir.filePath(u"secret"_s);
    QVERIFY(writeOwnerOnlyFile(secret, kSecret.toUtf8() + '\n'));
    QCOMPARE(cliCode({u"diff"_s, u"--ad"_s, u"x.ldif"_s, u"--tenant"_s, kTenant, u"--client-id"_s, kSecretApp,
                  u"--client-secret-file"_s, secret, u"--sync-window-days"_s, u"31"_s},
                 &errors),
             int(CliUsage));
    QVERIFY2(errors.contains("1 to 30"_L1), qPrintable(errors));
}

QTEST_GUILESS_MAIN(TestCloudClients)
