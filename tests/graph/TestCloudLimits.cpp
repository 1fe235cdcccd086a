// SPDX-License-Identifier: Apache-2.0
// Size and time limits on cloud answers (issue 9, "Limits"): a huge or endless page, a trickling or silent
// server, a record with 100,000 values or a value of several MiB end with a clear error naming the request and
// the limit, the scan says how far it got and can resume, and memory stays bounded. The limits are small here to
// keep the tests fast; the defaults are asserted in defaults().

#include "CloudEmulator.h"
#include "CloudHttp.h"
#include "CloudRecordMapper.h"
#include "DemoTenantGenerator.h"
#include "EmulatorScanSettings.h"
#include "ExoMailboxClient.h"
#include "GraphUsersClient.h"
#include "TokenProvider.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kTenantId = u"9c8b3f3e-5a51-4c1f-9d1e-6f0c2d7b8a10"_s;
const QString kApp = u"11111111-2222-3333-4444-555555555555"_s;
const QString kSecret = u"limits-test-secret"_s;
constexpr qint64 kMiB = qint64(1) << 20;
constexpr qint64 kTestPageBytes = 8 * kMiB; // real pages of the demo tenant are below 2 MiB

using Kind = CloudEmulator::Fault::Kind;

// A value of /proc/self/status in bytes ("VmRSS", "VmHWM"); -1 when unreadable.
qint64 procStatusBytes(QByteArrayView field)
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray& line : lines) {
        if (line.startsWith(QByteArray(field.toByteArray() + ':')))
            return line.mid(field.size() + 1).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return -1;
}

AppCredentials credentials()
{
    return emulatorAppCredentials(kTenant, kApp, kSecret);
}

RetryPolicy testPolicy()
{
    RetryPolicy p;
    p.baseDelayMsecs = 5;
    p.maxDelayMsecs = 20;
    p.maxRetries = 2;
    p.maxPageBytes = kTestPageBytes;
    p.requestTimeoutMsecs = 30000; // only the trickle test relies on it, with its own small value
    p.transferTimeoutMsecs = 30000;
    return p;
}

template <typename Client> bool runToEnd(Client& client, bool resume = false)
{
    QSignalSpy finished(&client, &Client::finished);
    if (resume)
        client.resume();
    else
        client.start();
    if (!finished.wait(60000))
        return false;
    return finished.first().first().toBool();
}

} // namespace

class TestCloudLimits final : public QObject {
    Q_OBJECT

    std::unique_ptr<CloudEmulator> m_emulator;
    QByteArray m_graphJson;
    QByteArray m_exoJson;

    // Runs one client (users or mailboxes) to its end against the emulator with policy.
    struct Run {
        bool ok = false;
        QString error;
        qint64 items = 0;
    };
    Run scan(const QString& api, const RetryPolicy& policy, bool resume, std::unique_ptr<TokenProvider>& tokens,
             std::unique_ptr<GraphUsersClient>& users, std::unique_ptr<ExoMailboxClient>& exo)
    {
        if (!tokens)
            tokens = std::make_unique<TokenProvider>(m_emulator->baseUrl(), credentials());
        Run run;
        if (api == "users"_L1) {
            if (!users) {
                users = std::make_unique<GraphUsersClient>(m_emulator->baseUrl(), tokens.get());
                users->setResource(QLatin1StringView(CloudEmulator::kGraphResource));
                users->setRetryPolicy(policy);
            }
            run.ok = runToEnd(*users, resume);
            run.error = users->error() ? users->error()->toString() : QString();
            run.items = users->directory().usersById.size();
        } else {
            if (!exo) {
                exo = std::make_unique<ExoMailboxClient>(m_emulator->baseUrl(), kTenant, tokens.get());
                exo->setResource(QLatin1StringView(CloudEmulator::kExoResource));
                exo->setRetryPolicy(policy);
            }
            run.ok = runToEnd(*exo, resume);
            run.error = exo->error() ? exo->error()->toString() : QString();
            run.items = qint64(exo->snapshot().records.size());
        }
        return run;
    }

    QString requestOf(const QString& api) const
    {
        return api == "users"_L1 ? QString(u"GET "_s + m_emulator->baseUrl().toString() + u"/v1.0/users"_s)
                                 : QString(u"POST "_s + m_emulator->baseUrl().toString() + u"/adminapi/beta/"_s +
                                           kTenant + u"/InvokeCommand"_s);
    }

private Q_SLOTS:
    void initTestCase()
    {
        DemoTenantOptions options;
        options.mailboxes = 2500; // three pages of each API
        DemoTenantSinks sinks;
        sinks.ldif = [](const QByteArray&) {};
        sinks.exoJson = [this](const QByteArray& chunk) { m_exoJson += chunk; };
        sinks.graphJson = [this](const QByteArray& chunk) { m_graphJson += chunk; };
        generateDemoTenant(options, sinks);
        QVERIFY(!m_exoJson.isEmpty());
        // One fault-free scan of each API first, so that the peak memory of an ordinary scan (emulator and
        // client together, in this process) is already in VmHWM and the tests below measure only what a fault
        // adds.
        init();
        std::unique_ptr<TokenProvider> tokens;
        std::unique_ptr<GraphUsersClient> users;
        std::unique_ptr<ExoMailboxClient> exo;
        QVERIFY(scan(u"users"_s, testPolicy(), false, tokens, users, exo).ok);
        QVERIFY(scan(u"mailboxes"_s, testPolicy(), false, tokens, users, exo).ok);
    }

    void init()
    {
        m_emulator = std::make_unique<CloudEmulator>();
        QVERIFY(m_emulator->listen());
        m_emulator->setTenant({kTenant, kTenantId}, m_graphJson, m_exoJson);
        m_emulator->registerApp(kApp, kSecret);
    }

    void defaults()
    {
        const RetryPolicy policy;
        QCOMPARE(policy.maxPageBytes, 64 * kMiB);
        QCOMPARE(policy.requestTimeoutMsecs, 600000);
        QCOMPARE(policy.transferTimeoutMsecs, 120000);
        const TransferLimits page = policy.pageLimits();
        QCOMPARE(page.maxBodyBytes, 64 * kMiB);
        QCOMPARE(page.stallTimeoutMsecs, 120000);
        QCOMPARE(page.totalTimeoutMsecs, 600000);
        const TransferLimits token = tokenEndpointLimits();
        QCOMPARE(token.maxBodyBytes, kMiB);
        QCOMPARE(token.stallTimeoutMsecs, 60000);
        QCOMPARE(token.totalTimeoutMsecs, 120000);
        QCOMPARE(CloudRecordMapper::kMaxValuesPerProperty, 10000);
        QCOMPARE(CloudRecordMapper::kMaxValueBytes, kMiB);
    }

    // An endless page (no Content-Length) is cut as soon as it passes the limit; a page announcing 2 GiB is
    // refused at its headers. Not retried (the service would send it again); the scan resumes from that page.
    void hugePage_data()
    {
        QTest::addColumn<QString>("api");
        QTest::addColumn<int>("kind");
        QTest::newRow("users endless") << u"users"_s << int(Kind::EndlessPage);
        QTest::newRow("users announces 2 GiB") << u"users"_s << int(Kind::HugeAnnouncedPage);
        QTest::newRow("mailboxes endless") << u"mailboxes"_s << int(Kind::EndlessPage);
        QTest::newRow("mailboxes announces 2 GiB") << u"mailboxes"_s << int(Kind::HugeAnnouncedPage);
    }
    void hugePage()
    {
        QFETCH(QString, api);
        QFETCH(int, kind);
        m_emulator->addFault({Kind(kind), api, 2, 1, {}});
        std::unique_ptr<TokenProvider> tokens;
        std::unique_ptr<GraphUsersClient> users;
        std::unique_ptr<ExoMailboxClient> exo;

        const qint64 peakBefore = procStatusBytes("VmHWM");
        const Run run = scan(api, testPolicy(), false, tokens, users, exo);
        const qint64 peakAfter = procStatusBytes("VmHWM");
        QVERIFY(!run.ok);
        qInfo().noquote() << "the user sees:" << run.error;
        QVERIFY2(run.error.startsWith(requestOf(api) + u", page 2: "_s), qPrintable(run.error));
        QVERIFY2(run.error.contains("the answer is larger than the 8 MiB limit"_L1), qPrintable(run.error));
        QVERIFY2(run.error.contains(api == "users"_L1 ? "999 users were read in 1 page"_L1
                                                      : "1000 mailboxes were read in 1 page"_L1),
                 qPrintable(run.error));
        QVERIFY2(run.error.contains("resume from page 2"_L1), qPrintable(run.error));
        QCOMPARE(m_emulator->dataRequests(api), 2); // not retried
        // The reply held at most the limit and a read or two; the emulator streamed that plus what the kernel's
        // socket buffers on both sides took. Without the limit, the endless page grows by hundreds of MiB a
        // second on loopback until the time limit.
        const qint64 streamed = m_emulator->streamedBytes();
        QVERIFY2(streamed < kTestPageBytes + 24 * kMiB, qPrintable(QString::number(streamed)));
        if (kind == int(Kind::HugeAnnouncedPage))
            // Refused at the headers: less than the limit went out (what the kernel's socket buffers took).
            QVERIFY2(streamed < kTestPageBytes, qPrintable(QString::number(streamed)));
        // The refused page's connection is closed, not left streaming: a client that stops reading without
        // closing keeps the server sending, and (seen under AddressSanitizer) its network thread never gets to the
        // resume's request.
        QTRY_COMPARE_WITH_TIMEOUT(m_emulator->openStreams(), 0, 10000);
        QVERIFY(peakBefore > 0 && peakAfter > 0);
        QVERIFY2(peakAfter - peakBefore < 64 * kMiB, qPrintable(QString::number((peakAfter - peakBefore) / kMiB)));
        qInfo() << "streamed" << streamed / kMiB << "MiB; peak memory grew by" << (peakAfter - peakBefore) / kMiB
                << "MiB";

        // The fault was once: a resume reads the rest.
        const Run resumed = scan(api, testPolicy(), true, tokens, users, exo);
        QVERIFY2(resumed.ok, qPrintable(resumed.error));
        QVERIFY(resumed.items > 2000);
    }

    // A server that trickles a byte every 50 ms never trips the stall timeout; the total deadline cuts each
    // attempt, the attempts are retried (bounded), then the scan stops with a clear error.
    void tricklingServer()
    {
        m_emulator->addFault({Kind::TricklePage, u"users"_s, 2, 100, {}});
        RetryPolicy policy = testPolicy();
        policy.requestTimeoutMsecs = 400;
        std::unique_ptr<TokenProvider> tokens;
        std::unique_ptr<GraphUsersClient> users;
        std::unique_ptr<ExoMailboxClient> exo;
        const Run run = scan(u"users"_s, policy, false, tokens, users, exo);
        QVERIFY(!run.ok);
        qInfo().noquote() << "the user sees:" << run.error;
        QVERIFY2(run.error.startsWith(requestOf(u"users"_s) + u", page 2: gave up after 2 retries: "_s),
                 qPrintable(run.error));
        QVERIFY2(run.error.contains("did not finish within 0.4 s (the time limit per request)"_L1),
                 qPrintable(run.error));
        QVERIFY2(run.error.contains("999 users were read in 1 page"_L1), qPrintable(run.error));
        QCOMPARE(m_emulator->dataRequests(u"users"_s), 1 + 1 + 2);
        QVERIFY(m_emulator->streamedBytes() > 0); // it did trickle

        m_emulator->clearFaults();
        const Run resumed = scan(u"users"_s, policy, true, tokens, users, exo);
        QVERIFY2(resumed.ok, qPrintable(resumed.error));
    }

    // Headers, then silence: the stall timeout (QNetworkRequest::setTransferTimeout) ends each attempt.
    void silentServer()
    {
        m_emulator->addFault({Kind::StalledPage, u"mailboxes"_s, 2, 100, {}});
        RetryPolicy policy = testPolicy();
        policy.transferTimeoutMsecs = 300;
        policy.maxRetries = 1;
        std::unique_ptr<TokenProvider> tokens;
        std::unique_ptr<GraphUsersClient> users;
        std::unique_ptr<ExoMailboxClient> exo;
        const Run run = scan(u"mailboxes"_s, policy, false, tokens, users, exo);
        QVERIFY(!run.ok);
        qInfo().noquote() << "the user sees:" << run.error;
        QVERIFY2(run.error.startsWith(requestOf(u"mailboxes"_s) + u", page 2: gave up after 1 retries: "_s),
                 qPrintable(run.error));
        QVERIFY2(run.error.contains("the server sent nothing for 0.3 s (the stall time limit)"_L1),
                 qPrintable(run.error));
        QVERIFY2(run.error.contains("1000 mailboxes were read in 1 page"_L1), qPrintable(run.error));
        QCOMPARE(m_emulator->dataRequests(u"mailboxes"_s), 1 + 1 + 1);
    }

    // One record with 100,000 values in a property, or one value of 2 MiB: refused with the record's place in
    // the page (and its identity when read before), not retried; reading stops at the 10,001st value.
    void hugeRecord_data()
    {
        QTest::addColumn<QString>("api");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QStringList>("userSees");
        QTest::newRow("mailbox with 100,000 addresses")
            << u"mailboxes"_s << int(Kind::HugeAttribute)
            << QStringList{u"$.value[0].EmailAddresses[10000]: this mailbox has more than 10000 values in EmailAddresses"_s};
        QTest::newRow("mailbox with a 2 MiB display name")
            << u"mailboxes"_s << int(Kind::HugeValue)
            << QStringList{u"$.value[0].DisplayName: this mailbox has a value of 2097152 bytes, more than the 1 MiB limit"_s};
        QTest::newRow("user with a 2 MiB user name")
            << u"users"_s << int(Kind::HugeValue)
            << QStringList{u"$.value[0].userPrincipalName: user "_s, // its id comes before userPrincipalName
                           u" has a value of 2097152 bytes, more than the 1 MiB limit"_s};
    }
    void hugeRecord()
    {
        QFETCH(QString, api);
        QFETCH(int, kind);
        QFETCH(QStringList, userSees);
        m_emulator->addFault({Kind(kind), api, 2, 1, {}});
        std::unique_ptr<TokenProvider> tokens;
        std::unique_ptr<GraphUsersClient> users;
        std::unique_ptr<ExoMailboxClient> exo;
        const qint64 peakBefore = procStatusBytes("VmHWM");
        const Run run = scan(api, testPolicy(), false, tokens, users, exo);
        const qint64 peakAfter = procStatusBytes("VmHWM");
        QVERIFY(!run.ok);
        qInfo().noquote() << "the user sees:" << run.error;
        QVERIFY2(run.error.startsWith(requestOf(api) + u", page 2"_s), qPrintable(run.error));
        for (const QString& part : std::as_const(userSees))
            QVERIFY2(run.error.contains(part), qPrintable(run.error));
        QVERIFY2(run.error.contains("resume from page 2"_L1), qPrintable(run.error));
        QCOMPARE(m_emulator->dataRequests(api), 2);
        QVERIFY2(peakAfter - peakBefore < 96 * kMiB, qPrintable(QString::number((peakAfter - peakBefore) / kMiB)));
    }

    // A property the scan does not read may be as long as it likes within the page limit: skipped unread.
    void hugeIgnoredPropertyIsSkipped()
    {
        m_emulator->addFault({Kind::HugeAttribute, u"users"_s, 2, 1, {}});
        std::unique_ptr<TokenProvider> tokens;
        std::unique_ptr<GraphUsersClient> users;
        std::unique_ptr<ExoMailboxClient> exo;
        const Run run = scan(u"users"_s, testPolicy(), false, tokens, users, exo);
        QVERIFY2(run.ok, qPrintable(run.error));
    }

    // The token endpoint's answers are held to 1 MiB and their own deadline.
    void tokenAnswerLimits()
    {
        m_emulator->addFault({Kind::EndlessPage, u"token"_s, 1, 1, {}});
        TokenProvider tokens(m_emulator->baseUrl(), credentials());
        std::optional<Result<QByteArray>> result;
        QObject context;
        tokens.accessToken(QLatin1StringView(CloudEmulator::kGraphResource), &context,
                           [&](const Result<QByteArray>& r) { result = r; });
        QVERIFY(QTest::qWaitFor([&] { return result.has_value(); }, 30000));
        QVERIFY(!result->ok());
        QString shown = result->error().toString();
        qInfo().noquote() << "the user sees:" << shown;
        QVERIFY2(shown.startsWith(u"POST "_s + tokens.tokenUrl().toString()), qPrintable(shown));
        QVERIFY2(shown.contains("sign-in failed: the answer is larger than the 1 MiB limit"_L1), qPrintable(shown));
        QVERIFY(m_emulator->streamedBytes() < 4 * kMiB);

        m_emulator->clearFaults();
        m_emulator->addFault({Kind::TricklePage, u"token"_s, 2, 1, {}});
        TokenProvider slow(m_emulator->baseUrl(), credentials());
        slow.setTransferLimits({kMiB, 30000, 300});
        result.reset();
        slow.accessToken(QLatin1StringView(CloudEmulator::kGraphResource), &context,
                         [&](const Result<QByteArray>& r) { result = r; });
        QVERIFY(QTest::qWaitFor([&] { return result.has_value(); }, 30000));
        QVERIFY(!result->ok());
        shown = result->error().toString();
        QVERIFY2(shown.contains("sign-in failed: the answer did not finish within 0.3 s"_L1), qPrintable(shown));
    }
};

QTEST_GUILESS_MAIN(TestCloudLimits)
#include "TestCloudLimits.moc"
