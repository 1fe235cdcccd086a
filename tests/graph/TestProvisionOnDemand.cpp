// SPDX-License-Identifier: Apache-2.0
// provisionOnDemand: the answer parser on Microsoft's documented examples, tolerated variants and garbage; the
// client's pacing (documented 5 per 10 s), 429/Retry-After, 403 naming the permission, the rule id read from the
// job's schema, against the emulator (no AD here: the outcomes are configured; the AD write is
// TestProvisionOnDemandLive's).
#include "CloudEmulator.h"
#include "OnDemand.h"
#include "OnDemandEmulator.h"
#include "ProvisionOnDemandClient.h"
#include "TokenProvider.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kApp = u"11111111-2222-3333-4444-555555555555"_s;
const QString kSecret = u"od-secret"_s;
const QString kSp = u"3e916d82-dd59-4944-824d-93092908fd8d"_s;
const QString kJob = u"Entra2ADExchangeOnlineAttributeWriteback.0a1b2c.3d4e5f"_s;
const QString kRule = u"6c409270-f78a-4bc6-af23-7cf3ab6482fe"_s;

// The documented Example 1 answer (api/synchronization-synchronizationjob-provisionondemand.md), shortened.
QByteArray documentedSkipped()
{
    const QJsonObject key{{u"result"_s, u"Skipped"_s},
                          {u"details"_s, QJsonObject{{u"errorCode"_s, u"RedundantExport"_s},
                                                     {u"errorMessage"_s, u"The state of the user in both the source "
                                                                         "and target systems already match."_s}}}};
    const QByteArray value =
        R"({"action":"Other","changeId":"g8ba3be8-1d7f-4a60-ae31-a8980da0a389","modifiedProperties":[{"displayName":"objectId","oldValue":null,"newValue":"52cf7b7a"},{"displayName":"accountEnabled","oldValue":null,"newValue":"True"}],"provisioningSteps":[{"name":"EntrySynchronizationSkip","type":"Export","status":"Skipped","details":{"SkipReason":"RedundantExport"}}],"statusInfo":{"status":"Skipped","errorCode":null,"reason":null}})";
    return QJsonDocument(QJsonObject{{u"key"_s, QString::fromUtf8(QJsonDocument(key).toJson(QJsonDocument::Compact))},
                                     {u"value"_s, QString::fromUtf8(value)}})
        .toJson(QJsonDocument::Compact);
}

QByteArray pair(const QJsonValue& key, const QJsonValue& value)
{
    return QJsonDocument(QJsonObject{{u"key"_s, key}, {u"value"_s, value}}).toJson(QJsonDocument::Compact);
}

} // namespace

class TestProvisionOnDemand final : public QObject {
    Q_OBJECT

    std::unique_ptr<CloudEmulator> m_emulator;
    OnDemandEmulator m_onDemand;
    QStringList m_ids;

    std::unique_ptr<TokenProvider> tokens()
    {
        AppCredentials credentials{kTenant, kApp, kSecret, {}, false, false};
        return std::make_unique<TokenProvider>(m_emulator->baseUrl(), credentials);
    }

    // Runs the client until finished; the result of finished().
    bool run(ProvisionOnDemandClient& client, const OnDemandJob& job, const QStringList& ids)
    {
        QSignalSpy done(&client, &ProvisionOnDemandClient::finished);
        client.start(job, ids);
        if (!done.wait(30000))
            return false;
        return done.first().first().toBool();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_emulator = std::make_unique<CloudEmulator>();
        QVERIFY(m_emulator->listen());
        m_emulator->setTenant({kTenant}, "{\"value\":[]}", "[]");
        m_emulator->registerApp(kApp, kSecret);
        m_onDemand.setJob(kSp, kJob, kRule);
        // The service's own limit only where the client's pacing is asserted (a new client does not know what
        // an earlier one sent: the service would answer it 429 within the window).
        m_onDemand.setEnforceRateLimit(false);
        m_emulator->setOnDemand(&m_onDemand);
        for (int i = 0; i < 6; ++i)
            m_ids << u"0000000%1-aaaa-bbbb-cccc-dddddddddddd"_s.arg(i);
    }

    void documentedAnswersParse()
    {
        const auto skipped = parseProvisionOnDemandAnswer(documentedSkipped(), u"test"_s);
        QVERIFY2(skipped, skipped ? "" : qPrintable(skipped.error().toString()));
        QCOMPARE(skipped->outcome, OnDemandOutcome::Skipped);
        QCOMPARE(skipped->skipReason, u"RedundantExport"_s);
        QCOMPARE(skipped->errorCode, u"RedundantExport"_s);
        QVERIFY(skipped->message.contains(u"already match"_s));
        QCOMPARE(skipped->modifiedProperties.size(), size_t(2));
        QCOMPARE(skipped->modifiedProperties[1].name, u"accountEnabled"_s);
        QCOMPARE(skipped->modifiedProperties[1].newValue, u"True"_s);
        QVERIFY(skipped->modifiedProperties[1].oldValue.isEmpty()); // null

        // Example 2: {"result":"Success","details":{}} and a record without modifiedProperties.
        const auto success = parseProvisionOnDemandAnswer(
            pair(u"{\"result\":\"Success\",\"details\":{}}"_s, u"{\"provisioningSteps\":[]}"_s), u"test"_s);
        QVERIFY(success);
        QCOMPARE(success->outcome, OnDemandOutcome::Success);
        QVERIFY(success->modifiedProperties.empty());

        const auto failure = parseProvisionOnDemandAnswer(
            pair(u"{\"result\":\"Failure\",\"details\":{\"errorCode\":\"InsufficientRights\",\"errorMessage\":\"no\"}}"_s,
                 u"{\"statusInfo\":{\"status\":\"Failure\",\"recommendedAction\":\"Grant it.\"}}"_s),
            u"test"_s);
        QVERIFY(failure);
        QCOMPARE(failure->outcome, OnDemandOutcome::Failure);
        QCOMPARE(failure->errorCode, u"InsufficientRights"_s);
        QCOMPARE(failure->recommendedAction, u"Grant it."_s);
    }

    void toleratedVariantsParse()
    {
        // key and value as objects; no result in the key: statusInfo.status decides; "failed" in lower case.
        const auto objects = parseProvisionOnDemandAnswer(
            pair(QJsonObject{{u"details"_s, QJsonObject{}}},
                 QJsonObject{{u"statusInfo"_s, QJsonObject{{u"status"_s, u"failed"_s}, {u"errorCode"_s, u"X"_s}}}}),
            u"test"_s);
        QVERIFY2(objects, objects ? "" : qPrintable(objects.error().toString()));
        QCOMPARE(objects->outcome, OnDemandOutcome::Failure);
        QCOMPARE(objects->errorCode, u"X"_s);
        // A skip whose reason is only in a provisioning step.
        const auto step = parseProvisionOnDemandAnswer(
            pair(u"{\"result\":\"skipped\"}"_s,
                 u"{\"provisioningSteps\":[{\"details\":{\"SkipReason\":\"NotInScope\"}}]}"_s),
            u"test"_s);
        QVERIFY(step);
        QCOMPARE(step->skipReason, u"NotInScope"_s);
    }

    void garbageIsAClearError_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("says");
        QTest::newRow("not JSON") << QByteArray("<html>") << u"$"_s << u"not a JSON object"_s;
        QTest::newRow("array") << QByteArray("[]") << u"$"_s << u"not a JSON object"_s;
        QTest::newRow("no key") << pair(QJsonValue(), u"{}"_s) << u"$.key"_s << u"found null"_s;
        QTest::newRow("key a number") << pair(5, u"{}"_s) << u"$.key"_s << u"another JSON type"_s;
        QTest::newRow("key not JSON") << pair(u"{result: Success"_s, u"{}"_s) << u"$.key"_s
                                      << u"does not hold a JSON object"_s;
        QTest::newRow("value not JSON") << pair(u"{\"result\":\"Success\"}"_s, u"Success"_s) << u"$.value"_s
                                        << u"does not hold a JSON object"_s;
        QTest::newRow("unknown result") << pair(u"{\"result\":\"Maybe\"}"_s, u"{}"_s) << u"$.key.result"_s
                                        << u"unknown result \"Maybe\""_s;
        QTest::newRow("no result anywhere") << pair(u"{}"_s, u"{}"_s) << u"$.value.statusInfo.status"_s
                                            << u"states no result"_s;
        QTest::newRow("modifiedProperties not an array")
            << pair(u"{\"result\":\"Success\"}"_s, u"{\"modifiedProperties\":{}}"_s) << u"$.value.modifiedProperties"_s
            << u"expected an array"_s;
        QTest::newRow("property without a name")
            << pair(u"{\"result\":\"Success\"}"_s, u"{\"modifiedProperties\":[{\"newValue\":\"x\"}]}"_s)
            << u"$.value.modifiedProperties[0].displayName"_s << u"property's name"_s;
    }

    void garbageIsAClearError()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, path);
        QFETCH(QString, says);
        const auto parsed = parseProvisionOnDemandAnswer(body, u"POST …/provisionOnDemand"_s);
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().jsonPath, path);
        QVERIFY2(parsed.error().message.contains(says), qPrintable(parsed.error().message));
        QVERIFY(parsed.error().toString().startsWith(u"POST …/provisionOnDemand"_s));
    }

    void requestBodyNamesTheSubject()
    {
        const QJsonObject body = QJsonDocument::fromJson(provisionOnDemandBody(kRule, m_ids[0])).object();
        const QJsonObject parameter = body.value("parameters"_L1).toArray().at(0).toObject();
        QCOMPARE(parameter.value("ruleId"_L1).toString(), kRule);
        const QJsonObject subject = parameter.value("subjects"_L1).toArray().at(0).toObject();
        QCOMPARE(subject.value("objectId"_L1).toString(), u"User_"_s + m_ids[0]);
        QCOMPARE(subject.value("objectTypeName"_L1).toString(), u"User"_s);
    }

    void rateLimitWindow()
    {
        OnDemandRateLimit limit;
        for (qint64 t : {0, 100, 200, 300, 400}) {
            QCOMPARE(limit.waitMsecs(t), 0);
            limit.recordSend(t);
        }
        QCOMPARE(limit.waitMsecs(500), 9500); // the sixth waits until the first is 10 s old
        QCOMPARE(limit.waitMsecs(10000), 0);
        limit.recordSend(10000);
        QCOMPARE(limit.waitMsecs(10000), 100); // now the second (at 100) bounds the window
    }

    void fiveGoWithoutWaitingAndTheRuleComesFromTheSchema()
    {
        for (int i = 0; i < 5; ++i)
            m_onDemand.setBehaviour(m_ids[i], OnDemandEmulator::Behaviour::SkipNotInScope);
        auto provider = tokens();
        ProvisionOnDemandClient client(m_emulator->baseUrl(), provider.get());
        client.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
        const int before = m_onDemand.provisionRequests();
        m_onDemand.setEnforceRateLimit(true);
        QVERIFY(run(client, {kSp, kJob, {}}, m_ids.mid(0, 5)));
        m_onDemand.setEnforceRateLimit(false);
        QCOMPARE(m_onDemand.rateLimited(), 0);
        QCOMPARE(client.job().ruleId, kRule);
        QCOMPARE(m_onDemand.provisionRequests() - before, 5);
        QCOMPARE(client.lastWaitMsecs(), -1); // five fit in the window: no pause
        QCOMPARE(client.results().size(), size_t(5));
        for (const OnDemandObjectResult& r : client.results()) {
            QCOMPARE(r.outcome(), OnDemandOutcome::Skipped);
            QCOMPARE(r.answer->skipReason, u"NotInScope"_s);
        }
    }

    void tooManyRequestsIsRetriedAfterRetryAfter()
    {
        m_onDemand.setBehaviour(m_ids[5], OnDemandEmulator::Behaviour::RateLimited);
        auto provider = tokens();
        ProvisionOnDemandClient client(m_emulator->baseUrl(), provider.get());
        client.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
        const int limited = m_onDemand.rateLimited();
        QVERIFY(run(client, {kSp, kJob, kRule}, {m_ids[5]}));
        QCOMPARE(m_onDemand.rateLimited(), limited + 1);
        QCOMPARE(client.retries(), 1);
        QCOMPARE(client.lastWaitMsecs(), 200); // Retry-After: 0.2
        QCOMPARE(client.results().size(), size_t(1));
        QCOMPARE(client.results()[0].outcome(), OnDemandOutcome::Failure); // no such object in the emulator
        QCOMPARE(client.results()[0].answer->errorCode, u"SourceObjectNotFound"_s);
    }

    void forbiddenStopsTheRunNamingThePermission()
    {
        m_onDemand.setBehaviour(m_ids[1], OnDemandEmulator::Behaviour::Forbidden);
        auto provider = tokens();
        ProvisionOnDemandClient client(m_emulator->baseUrl(), provider.get());
        client.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
        QVERIFY(!run(client, {kSp, kJob, kRule}, {m_ids[1], m_ids[2]}));
        QVERIFY(client.error());
        QVERIFY2(client.error()->message.contains(u"Synchronization.ReadWrite.All"_s),
                 qPrintable(client.error()->toString()));
        QVERIFY(client.error()->message.contains(u"HTTP 403"_s));
        QVERIFY(client.results().empty()); // the second object was never asked
        m_onDemand.setBehaviour(m_ids[1], OnDemandEmulator::Behaviour::Write);
    }

    void aWrongRuleIsThatObjectsFailure()
    {
        auto provider = tokens();
        ProvisionOnDemandClient client(m_emulator->baseUrl(), provider.get());
        client.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
        QVERIFY(run(client, {kSp, kJob, u"not-the-rule"_s}, {m_ids[0]}));
        QCOMPARE(client.results().size(), size_t(1));
        QVERIFY(!client.results()[0].answer);
        QVERIFY2(client.results()[0].requestError.contains(u"HTTP 400"_s),
                 qPrintable(client.results()[0].requestError));
    }

    void anUnknownJobIsAClearError()
    {
        auto provider = tokens();
        ProvisionOnDemandClient client(m_emulator->baseUrl(), provider.get());
        client.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
        QVERIFY(!run(client, {kSp, u"other-job"_s, {}}, {m_ids[0]}));
        QVERIFY(client.error());
        QVERIFY2(client.error()->message.contains(u"schema"_s) && client.error()->message.contains(u"404"_s),
                 qPrintable(client.error()->toString()));
    }

    void theJobIsTheMailboxesDomainsOwn()
    {
        const auto subject = [](const char* dn) {
            return OnDemandSubject{QString::fromLatin1(dn), u"id"_s, QString::fromLatin1(dn), {}};
        };
        OnDemandPlan plan;
        plan.subjects = {subject("CN=A,OU=Sales,DC=contoso,DC=com"), subject("CN=B,DC=contoso,DC=com")};
        CloudSyncState state;
        state.jobsMissingReason = u"no --sync-jobs file"_s;
        auto job = onDemandJobFor(state, plan);
        QVERIFY(!job && job.error().contains(u"no --sync-jobs file"_s) && job.error().contains(u"Synchronization.Read.All"_s));

        state.jobsRead = true;
        WritebackJob fabrikam;
        fabrikam.id = u"Entra2ADExchangeOnlineAttributeWriteback.1.1"_s;
        fabrikam.domain = u"fabrikam.com"_s;
        fabrikam.servicePrincipalId = u"sp-f"_s;
        state.jobs = {fabrikam};
        job = onDemandJobFor(state, plan);
        QVERIFY2(!job && job.error().contains(u"contoso.com"_s), qPrintable(job ? QString() : job.error()));

        WritebackJob contoso = fabrikam;
        contoso.id = u"Entra2ADExchangeOnlineAttributeWriteback.2.2"_s;
        contoso.domain = u"contoso.com"_s;
        contoso.servicePrincipalId.clear(); // read from a file
        state.jobs.push_back(contoso);
        job = onDemandJobFor(state, plan);
        QVERIFY2(!job && job.error().contains(u"service principal"_s), qPrintable(job ? QString() : job.error()));

        state.jobs.back().servicePrincipalId = u"sp-c"_s;
        job = onDemandJobFor(state, plan);
        QVERIFY(job);
        QCOMPARE(job->servicePrincipalId, u"sp-c"_s);
        QCOMPARE(job->jobId, contoso.id);
        QVERIFY(job->ruleId.isEmpty()); // read from the schema when asked

        plan.subjects.push_back(subject("CN=C,DC=fabrikam,DC=com"));
        job = onDemandJobFor(state, plan);
        QVERIFY(!job && job.error().contains(u"more than one AD domain"_s));
    }

    void planKeepsWhatCloudSyncWritesBack()
    {
        const auto selection = [](const char* dn, const char* managed, AttributeId attribute, const char* id) {
            WritebackSelection s{QString::fromLatin1(dn), QString::fromLatin1(dn), QString::fromLatin1(managed), {},
                                 QString::fromLatin1(id)};
            s.item.attribute = attribute;
            s.item.writable = true;
            return s;
        };
        const OnDemandPlan plan = planOnDemand(
            {selection("CN=A,DC=x", "true", AttributeId::ExtensionAttribute1, "ID-A"),
             selection("CN=A,DC=x", "True", AttributeId::ProxyAddresses, "ID-A"),
             selection("CN=B,DC=x", "false", AttributeId::ExtensionAttribute1, "id-b"),
             selection("CN=C,DC=x", "true", AttributeId::ExtensionAttribute2, "")},
            7);
        QCOMPARE(plan.scanId, 7);
        QCOMPARE(plan.subjects.size(), size_t(1)); // one object, both of its items
        QCOMPARE(plan.subjects[0].items.size(), size_t(2));
        QCOMPARE(plan.subjects[0].entraObjectId, u"id-a"_s);
        QCOMPARE(plan.leftOut.size(), 2);
        QVERIFY(plan.leftOut[0].contains(u"not cloud-managed"_s));
        QVERIFY(plan.leftOut[1].contains(u"no Entra object id"_s));
    }

    void cancelStops()
    {
        auto provider = tokens();
        ProvisionOnDemandClient client(m_emulator->baseUrl(), provider.get());
        client.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
        QSignalSpy done(&client, &ProvisionOnDemandClient::finished);
        client.start({kSp, kJob, kRule}, m_ids);
        client.cancel();
        QVERIFY(done.count() == 1 || done.wait(10000));
        QCOMPARE(done.first().first().toBool(), false);
        QCOMPARE(client.error()->message, u"cancelled"_s);
    }
};

QTEST_GUILESS_MAIN(TestProvisionOnDemand)
#include "TestProvisionOnDemand.moc"
