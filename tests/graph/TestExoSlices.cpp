// SPDX-License-Identifier: Apache-2.0
// Exchange Online read in parallel slices (graph/ExoMailboxSliceReader) against the emulator's OPATH -Filter
// (OpathFilter) and load model (ExoLoadModel): the union of the slices equals the single stream on a tenant whose
// names are made to trip slice borders, under each plausible name order, with 429s, a broken page, the
// Rate-Limit budget; concurrency never above the setting; cancel; v2 one stream.
#include "CloudEmulator.h"
#include "DemoTenantGenerator.h"
#include "EmulatorScanSettings.h"
#include "ExoMailboxClient.h"
#include "ExoMailboxSliceReader.h"
#include "OpathFilter.h"
#include "TokenProvider.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kApp = u"11111111-2222-3333-4444-555555555555"_s;
const QString kSecret = u"s3cr3t~value"_s;
constexpr int kMailboxes = 1200;
constexpr int kPageSize = 40; // many pages, so that slices split

// Names that sit on or near any border a client could choose: case twins, accented and non-Latin letters,
// digits, punctuation, quotes and apostrophes (OPATH quoting), spaces and parentheses.
const QStringList kTrickyNames{
    u"anna"_s, u"Anna"_s,  u"ANNA"_s,  u"Åsa"_s,   u"åke"_s,     u"Émile"_s,  u"émile"_s,   u"Zoë"_s,
    u"Ølav"_s, u"ßtraße"_s, u"0day"_s, u"9lives"_s, u"123"_s,     u"_under"_s, u"-dash"_s,   u"'quote"_s,
    u"O'Brien"_s, u"o''neil"_s, u"D\"Q"_s, u"space name"_s, u" lead"_s, u"中文"_s, u"Ωmega"_s, u"zz"_s,
    u"~tilde"_s, u"!bang"_s, u"a*b"_s,  u"(paren)"_s, u"m"_s,     u"M"_s,      u"mz"_s,      u"n"_s};

QByteArray trickyTenant(QByteArray* graphJson)
{
    DemoTenantOptions options;
    options.mailboxes = kMailboxes;
    QByteArray exo;
    DemoTenantSinks sinks;
    sinks.exoJson = [&exo](const QByteArray& chunk) { exo += chunk; };
    sinks.graphJson = [graphJson](const QByteArray& chunk) { *graphJson += chunk; };
    sinks.ldif = [](const QByteArray&) {};
    generateDemoTenant(options, sinks);
    QJsonArray mailboxes = QJsonDocument::fromJson(exo).array();
    for (qsizetype i = 0; i < mailboxes.size(); ++i) {
        QJsonObject mailbox = mailboxes[i].toObject();
        // Half the tenant tricky (unique, as Exchange's Name is), half the generator's own names.
        if (i % 2 == 0) {
            const qsizetype k = i / 2;
            const QString base = kTrickyNames[k % kTrickyNames.size()];
            mailbox.insert(u"Name"_s, k < kTrickyNames.size() ? base : base + u'.' + QString::number(k));
        }
        mailboxes[i] = mailbox;
    }
    return QJsonDocument(mailboxes).toJson(QJsonDocument::Compact);
}

struct Tenant {
    QByteArray graphJson;
    QByteArray exoJson;
};

Tenant& tenant()
{
    static Tenant t;
    return t;
}

AppCredentials credentials()
{
    return emulatorAppCredentials(kTenant, kApp, kSecret);
}

RetryPolicy fastRetries()
{
    RetryPolicy policy;
    policy.baseDelayMsecs = 5;
    policy.maxDelayMsecs = 50;
    policy.maxRetries = 2;
    return policy;
}

// A reader whose slices are clients like CloudLiveScan's, with small pages.
struct Reader {
    explicit Reader(CloudEmulator& emulator, int parallel, ExoAdminApi api = ExoAdminApi::InvokeCommand,
                    RetryPolicy policy = fastRetries())
        : tokens(emulator.baseUrl(), credentials())
        , reader([this, &emulator, api, policy] {
            auto client = std::make_unique<ExoMailboxClient>(emulator.baseUrl(), kTenant, &tokens);
            client->setResource(QLatin1StringView(CloudEmulator::kExoResource));
            client->setApi(api);
            client->setPageSize(kPageSize);
            client->setRetryPolicy(policy);
            return client;
        })
    {
        reader.setApi(api);
        reader.setParallel(parallel);
    }

    bool run()
    {
        QSignalSpy finished(&reader, &ExoMailboxSliceReader::finished);
        reader.start();
        if (!finished.wait(120000))
            return false;
        return finished.first().first().toBool();
    }

    TokenProvider tokens;
    ExoMailboxSliceReader reader;
};

// The records by ExternalDirectoryObjectId, each with every identity and cloud value: equal when the reads are.
QStringList canonical(const Snapshot& snapshot)
{
    QStringList rows;
    for (const MailboxRecord& record : snapshot.records) {
        QString row;
        for (int f = 0; f < int(IdentityField::Count); ++f)
            row += record.identityText(IdentityField(f)) + u'|';
        for (int p = 0; p < int(CloudProperty::Count); ++p)
            row += record.cloudValues(CloudProperty(p)).toStringList().join(u',') + u'|';
        rows.append(row);
    }
    std::sort(rows.begin(), rows.end());
    return rows;
}

QString errorOf(const ExoMailboxSliceReader& reader)
{
    return reader.error() ? reader.error()->toString() : u"no error"_s;
}

QStringList singleStream(CloudEmulator& emulator)
{
    Reader one(emulator, 1);
    if (!one.run())
        return {u"the single stream failed"_s};
    return canonical(one.reader.takeSnapshot());
}

std::unique_ptr<CloudEmulator> makeEmulator()
{
    auto emulator = std::make_unique<CloudEmulator>();
    if (!emulator->listen())
        return {};
    emulator->setTenant({kTenant}, tenant().graphJson, tenant().exoJson);
    emulator->registerApp(kApp, kSecret);
    return emulator;
}

} // namespace

class TestExoSlices final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        tenant().exoJson = trickyTenant(&tenant().graphJson);
        QVERIFY(!tenant().exoJson.isEmpty());
    }

    void opathFilterEvaluates_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("matches");
        QTest::newRow("ge") << u"Name -ge 'm'"_s << u"Mary"_s << true;
        QTest::newRow("ge, case-insensitive") << u"Name -GE 'M'"_s << u"mary"_s << true;
        QTest::newRow("lt") << u"Name -lt 'm'"_s << u"Mary"_s << false;
        QTest::newRow("and/not") << u"Name -ge 'a' -and -not (Name -ge 'b')"_s << u"Anna"_s << true;
        QTest::newRow("or") << u"Name -eq 'x' -or Name -like 'o''b*'"_s << u"O'Brien"_s << true;
        QTest::newRow("like middle") << u"Name -like '*ri*'"_s << u"O'Brien"_s << true;
        QTest::newRow("like is anchored") << u"Name -like 'ri*'"_s << u"O'Brien"_s << false;
        QTest::newRow("ne") << u"Name -ne 'anna'"_s << u"ANNA"_s << false;
        QTest::newRow("double quotes") << u"Name -eq \"D\"\"Q\""_s << u"D\"Q"_s << true;
        QTest::newRow("null") << u"Name -ne $null"_s << u"x"_s << true;
        QTest::newRow("date gt") << u"WhenChangedUTC -gt '2026-01-01T00:00:00Z'"_s << u"x"_s << true;
        QTest::newRow("date le, en-US") << u"WhenChangedUTC -le '1/1/2026'"_s << u"x"_s << false;
        QTest::newRow("parentheses") << u"(Name -lt 'b' -or Name -ge 'y') -and Name -ne 'zz'"_s << u"zz"_s << false;
    }

    void opathFilterEvaluates()
    {
        QFETCH(QString, filter);
        QFETCH(QString, name);
        QFETCH(bool, matches);
        const OpathFilter::Parsed parsed = OpathFilter::parse(filter);
        QVERIFY2(parsed.ok(), qPrintable(parsed.error));
        const QJsonObject mailbox{{u"Name"_s, name}, {u"WhenChangedUTC"_s, u"2026-03-04T05:06:07Z"_s}};
        QCOMPARE(parsed.match([&](const QString& property) -> QJsonValue {
            for (auto it = mailbox.begin(); it != mailbox.end(); ++it) {
                if (it.key().compare(property, Qt::CaseInsensitive) == 0)
                    return it.value();
            }
            return QJsonValue(QJsonValue::Undefined);
        }),
                 matches);
    }

    void opathFilterRefusesUnknownSyntax_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::newRow("unknown operator") << u"Name -gx 'a'"_s;
        QTest::newRow("unclosed quote") << u"Name -eq 'a"_s;
        QTest::newRow("unclosed parenthesis") << u"(Name -eq 'a'"_s;
        QTest::newRow("no value") << u"Name -eq"_s;
        QTest::newRow("dangling and") << u"Name -eq 'a' -and"_s;
        QTest::newRow("not a date") << u"WhenChangedUTC -gt 'yesterday'"_s;
        QTest::newRow("case-sensitive operator") << u"Name -ceq 'a'"_s;
    }

    void opathFilterRefusesUnknownSyntax()
    {
        QFETCH(QString, filter);
        const OpathFilter::Parsed parsed = OpathFilter::parse(filter);
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error.startsWith("Cannot bind parameter 'Filter'"_L1), qPrintable(parsed.error));
    }

    // The emulator answers a filter it cannot parse with 400 and Exchange's message, which the client shows.
    void badFilterIsA400()
    {
        auto emulator = makeEmulator();
        QVERIFY(emulator);
        TokenProvider tokens(emulator->baseUrl(), credentials());
        ExoMailboxClient client(emulator->baseUrl(), kTenant, &tokens);
        client.setResource(QLatin1StringView(CloudEmulator::kExoResource));
        client.setFilter(u"Name -gx 'a'"_s);
        QSignalSpy finished(&client, &ExoMailboxClient::finished);
        client.start();
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY(client.error());
        QVERIFY2(client.error()->toString().contains("Invalid filter syntax"_L1), qPrintable(client.error()->toString()));
    }

    // Under each order the service might compare names in, the slices together hold exactly the mailboxes of
    // the single stream: none lost at a border, none doubled.
    void unionEqualsSingleStream_data()
    {
        QTest::addColumn<int>("collation");
        QTest::newRow("case-insensitive") << int(OpathFilter::Collation::IgnoreCase);
        QTest::newRow("ordinal") << int(OpathFilter::Collation::Ordinal);
        QTest::newRow("culture") << int(OpathFilter::Collation::Culture);
    }

    void unionEqualsSingleStream()
    {
        QFETCH(int, collation);
        auto emulator = makeEmulator();
        QVERIFY(emulator);
        emulator->setNameCollation(OpathFilter::Collation(collation));
        const QStringList expected = singleStream(*emulator);
        QCOMPARE(expected.size(), kMailboxes + 1); // the generator adds its big shared mailbox
        Reader sliced(*emulator, 4);
        QSignalSpy progress(&sliced.reader, &ExoMailboxSliceReader::progress);
        QVERIFY2(sliced.run(), qPrintable(errorOf(sliced.reader)));
        QVERIFY(sliced.reader.slicesRead() > 4);
        QVERIFY(sliced.reader.splits() >= 2); // the first page, and at least one slice of more than a page
        QCOMPARE(sliced.reader.duplicates(), 0); // borders every plausible order sorts alike: disjoint slices
        const QStringList got = canonical(sliced.reader.takeSnapshot());
        QCOMPARE(got.size(), expected.size());
        QCOMPARE(got, expected);
        // Progress adds up across slices, never going back, to the mailboxes read.
        qint64 last = 0;
        for (const QList<QVariant>& p : progress) {
            QVERIFY(p.first().toLongLong() >= last);
            last = p.first().toLongLong();
        }
        QVERIFY(last >= expected.size());
        // Every filter sent was one the emulator parsed (a refusal fails the read), and quoting held: some
        // border was a name with an apostrophe or was not plain ASCII... at least the filters were used.
        bool filtered = false;
        for (const QByteArray& body : emulator->lastExoBodies())
            filtered = filtered || body.contains("\"Filter\"");
        QVERIFY(filtered);
    }

    // With the cost model's concurrency cap below the setting, 429s happen and only slow the read down.
    void throttledReadStillEqual()
    {
        auto emulator = makeEmulator();
        QVERIFY(emulator);
        const QStringList expected = singleStream(*emulator);
        ExoLoadModel::Settings load;
        load.enabled = true;
        load.latencyMsecs = 20;
        load.perRecordMsecs = 0.1;
        load.concurrencyCap = 2;
        load.retryAfter = "0.05";
        emulator->exoLoad().setSettings(load);
        Reader sliced(*emulator, 6);
        QVERIFY2(sliced.run(), qPrintable(errorOf(sliced.reader)));
        QVERIFY(emulator->exoLoad().throttled() > 0);
        QVERIFY(sliced.reader.throttled() > 0);
        QVERIFY(emulator->exoLoad().maxInFlight() <= 2);
        QCOMPARE(canonical(sliced.reader.takeSnapshot()), expected);
    }

    // The emulator counts requests in flight: never more than the setting, and the setting is used.
    void concurrencyNeverAboveTheSetting()
    {
        auto emulator = makeEmulator();
        QVERIFY(emulator);
        ExoLoadModel::Settings load;
        load.enabled = true;
        load.latencyMsecs = 30;
        load.perRecordMsecs = 0;
        load.concurrencyCap = 16; // no 429: only the client limits itself
        emulator->exoLoad().setSettings(load);
        Reader sliced(*emulator, 3);
        QVERIFY(sliced.run());
        QCOMPARE(sliced.reader.maxRunning(), 3);
        QVERIFY2(emulator->exoLoad().maxInFlight() <= 3, qPrintable(QString::number(emulator->exoLoad().maxInFlight())));
        QVERIFY(emulator->exoLoad().maxInFlight() >= 2); // 30 ms per answer: slices overlap
        QCOMPARE(emulator->exoLoad().throttled(), 0);
    }

    // A slice's page that arrives broken is read again by that slice; the result is the fault-free one.
    void brokenPageInOneSlice()
    {
        auto emulator = makeEmulator();
        QVERIFY(emulator);
        const QStringList expected = singleStream(*emulator);
        emulator->addFault({CloudEmulator::Fault::Kind::TruncatedJson, u"mailboxes"_s,
                            emulator->dataRequests(u"mailboxes"_s) + 5, 1});
        emulator->addFault({CloudEmulator::Fault::Kind::HtmlPage, u"mailboxes"_s,
                            emulator->dataRequests(u"mailboxes"_s) + 9, 1});
        Reader sliced(*emulator, 4);
        QVERIFY2(sliced.run(), qPrintable(errorOf(sliced.reader)));
        QCOMPARE(emulator->faultsInjected(), 2);
        QCOMPARE(canonical(sliced.reader.takeSnapshot()), expected);
    }

    // A slice whose retries are spent fails the read with its message, the slice named.
    void sliceOutOfRetriesFailsTheRead()
    {
        auto emulator = makeEmulator();
        QVERIFY(emulator);
        emulator->addFault({CloudEmulator::Fault::Kind::HtmlPage, u"mailboxes"_s, 4, 50});
        Reader sliced(*emulator, 4);
        QVERIFY(!sliced.run());
        const QString message = errorOf(sliced.reader);
        qInfo().noquote() << "the user sees:" << message;
        QVERIFY2(message.contains("slice -Filter \""_L1), qPrintable(message));
        QVERIFY2(message.contains("gave up after 2 retries"_L1), qPrintable(message));
        QVERIFY2(message.contains("can resume from page"_L1), qPrintable(message));
        QVERIFY(!sliced.reader.isRunning());
    }

    // Cancel stops every slice: finished(false) once, "cancelled", nothing running.
    void cancelMidRead()
    {
        auto emulator = makeEmulator();
        QVERIFY(emulator);
        Reader sliced(*emulator, 4);
        emulator->setRequestObserver([&sliced](const QString& api, int n) {
            if (api == "mailboxes"_L1 && n == 8)
                QMetaObject::invokeMethod(&sliced.reader, [&sliced] { sliced.reader.cancel(); }, Qt::QueuedConnection);
        });
        QSignalSpy finished(&sliced.reader, &ExoMailboxSliceReader::finished);
        QVERIFY(!sliced.run());
        QCOMPARE(finished.size(), 1);
        QVERIFY2(errorOf(sliced.reader).contains("cancelled"_L1), qPrintable(errorOf(sliced.reader)));
        QVERIFY(!sliced.reader.isRunning());
        const int requests = emulator->dataRequests(u"mailboxes"_s);
        QVERIFY(requests >= 8);
        // The slices that were running are gone: answers still coming reach nobody, and nothing new is asked. A
        // request already written to its socket when Cancel came may still reach the emulator (it shares this event
        // loop), at most one per slice that was running; after those, the count must stand still.
        QTest::qWait(100);
        const int settled = emulator->dataRequests(u"mailboxes"_s);
        QVERIFY2(settled <= requests + 4, qPrintable(u"%1 requests after Cancel"_s.arg(settled - requests)));
        QTest::qWait(100);
        QCOMPARE(emulator->dataRequests(u"mailboxes"_s), settled);
    }

    // The v2.0 Mailbox endpoint takes no -Filter: one stream, every body without one, the same mailboxes.
    void v2ReadsOneStream()
    {
        auto emulator = makeEmulator();
        QVERIFY(emulator);
        const QStringList expected = singleStream(*emulator);
        const int before = emulator->dataRequests(u"mailboxes"_s);
        Reader v2(*emulator, 4, ExoAdminApi::V2);
        QVERIFY2(v2.run(), qPrintable(errorOf(v2.reader)));
        QCOMPARE(v2.reader.slicesRead(), 1);
        QCOMPARE(v2.reader.splits(), 0);
        QCOMPARE(emulator->dataRequests(u"mailboxes"_s) - before, (kMailboxes + 1 + kPageSize - 1) / kPageSize);
        for (const QByteArray& body : emulator->lastExoBodies())
            QVERIFY(!body.contains("Filter"));
        QCOMPARE(canonical(v2.reader.takeSnapshot()), expected);
    }

    // The Rate-Limit budget the answers report is respected: requests wait for the reset instead of being
    // refused.
    void rateLimitHeadersPaceTheRead()
    {
        auto emulator = makeEmulator();
        QVERIFY(emulator);
        ExoLoadModel::Settings load;
        load.rateLimit = 12;
        load.rateWindowMsecs = 700;
        emulator->exoLoad().setSettings(load);
        RetryPolicy noThrottleBudget = fastRetries();
        noThrottleBudget.maxThrottledRetries = 0; // a 429 would fail the read: only pacing can get it through
        noThrottleBudget.maxRetries = 0;
        Reader sliced(*emulator, 4, ExoAdminApi::InvokeCommand, noThrottleBudget);
        QVERIFY2(sliced.run(), qPrintable(errorOf(sliced.reader)));
        QCOMPARE(emulator->exoLoad().rateLimited(), 0);
        QVERIFY(sliced.reader.rateLimitGate().pacedRequests() > 0);
        QVERIFY(emulator->dataRequests(u"mailboxes"_s) > load.rateLimit); // more than one window's worth
    }
};

QTEST_GUILESS_MAIN(TestExoSlices)
#include "TestExoSlices.moc"
