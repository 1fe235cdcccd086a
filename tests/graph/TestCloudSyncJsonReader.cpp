// SPDX-License-Identifier: Apache-2.0
#include "TestCloudSyncJsonReader.h"

#include "CloudSyncJsonReader.h"
#include "Identity.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

qint64 at(const char* iso) { return parseCloudTimestamp(QByteArrayView(iso)).value_or(-1); }

// As GET /servicePrincipals/{id}/synchronization/jobs answers (fields from Graph's synchronizationJob page; the
// DomainFQDN setting and the id form as observed).
const QByteArray kQuarantinedJob = R"({
  "id": "Entra2ADExchangeOnlineAttributeWriteback.3b99513e0cee4291aea884356239fb82.0a1b2c3d",
  "templateId": "Entra2ADExchangeOnlineAttributeWriteback",
  "schedule": {"expiration": null, "interval": "PT20M", "state": "Active"},
  "status": {
    "code": "Quarantine",
    "countSuccessiveCompleteFailures": 3,
    "escrowsPruned": false,
    "lastExecution": {"timeBegan": "2026-11-24T09:00:00Z", "timeEnded": "2026-11-24T09:01:12.1234567Z",
                      "state": "Failed", "error": {"code": "InsufficientRights", "message": "Access denied",
                      "tenantActionable": true}},
    "lastSuccessfulExecution": {"timeBegan": "2026-11-23T08:00:00Z", "timeEnded": "2026-11-23T08:02:00Z",
                                "state": "Succeeded"},
    "lastSuccessfulExecutionWithExports": null,
    "quarantine": {"currentBegan": "2026-11-23T09:12:00Z", "nextAttempt": "2026-11-24T21:12:00Z",
                   "reason": "EncounteredQuarantineException", "seriesBegan": "2026-11-23T09:12:00Z",
                   "seriesCount": 2},
    "steadyStateLastAchievedTime": "0001-01-01T00:00:00Z",
    "synchronizedEntryCountByType": [{"key": "User to user", "value": 1200}]
  },
  "synchronizationJobSettings": [{"name": "DomainFQDN", "value": "Contoso.com"}, {"name": "Other", "value": "x"}]
})";

const QByteArray kHealthyJob = R"({
  "id": "Entra2ADExchangeOnlineAttributeWriteback.3b99513e0cee4291aea884356239fb82.9f8e7d6c",
  "templateId": "Entra2ADExchangeOnlineAttributeWriteback",
  "schedule": {"interval": "PT40M", "state": "Active"},
  "status": {"code": "Active", "countSuccessiveCompleteFailures": "0",
             "lastSuccessfulExecution": {"timeBegan": "2026-11-24T08:40:00Z", "timeEnded": "2026-11-24T08:41:00Z",
                                         "state": "Succeeded"}},
  "synchronizationJobSettings": [{"name": "DomainFQDN", "value": "emea.contoso.com"}]
})";

const QByteArray kInboundJob = R"({"id": "AD2AADProvisioning.1a4721b3.x", "templateId": "AD2AADProvisioning",
  "status": {"code": "Active"}})";

QByteArray page(const QList<QByteArray>& items)
{
    QByteArray p = R"({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#x","value":[)";
    for (qsizetype i = 0; i < items.size(); ++i)
        p += QByteArray(i ? "," : "") + items[i];
    return p + "]}";
}

QByteArray schema(const QByteArray& id, const QList<QByteArray>& targets, const QByteArray& disabledTarget = {})
{
    QByteArray mappings;
    for (const QByteArray& t : targets)
        mappings += QByteArray(mappings.isEmpty() ? "" : ",") + R"({"targetAttributeName":")" + t +
                    R"(","source":{"expression":"[x]","name":"x","type":"Attribute","parameters":[]},"flowType":"Always"})";
    QByteArray disabled;
    if (!disabledTarget.isEmpty())
        disabled = R"(,{"name":"Off","enabled":false,"attributeMappings":[{"targetAttributeName":")" + disabledTarget +
                   R"("}]})";
    return R"({"id":")" + id + R"(","version":"1","directories":[],"synchronizationRules":[{"id":"r1","name":"rule",
      "objectMappings":[{"name":"User","enabled":true,"sourceObjectName":"user","targetObjectName":"user",
      "attributeMappings":[)" + mappings + "]}" + disabled + "]},{\"id\":\"r2\",\"objectMappings\":[{\"attributeMappings\":"
           "[{\"targetAttributeName\":\"mail\"}]}]}]}";
}

// As GET /auditLogs/provisioning answers (provisioningObjectSummary, v1.0).
QByteArray entry(const QByteArray& objectId, const QByteArray& when, const QByteArray& status,
                 const QByteArray& extra = {}, const QByteArray& jobId =
                     "Entra2ADExchangeOnlineAttributeWriteback.3b99513e0cee4291aea884356239fb82.0a1b2c3d")
{
    return R"({"id":"e-)" + objectId + when + R"(","activityDateTime":")" + when + R"(","jobId":")" + jobId +
           R"(","cycleId":"c1","changeId":"ch1","provisioningAction":"update",
      "initiatedBy":{"id":"","displayName":"Azure AD Provisioning Service","initiatorType":"system"},
      "sourceIdentity":{"id":")" + objectId + R"(","displayName":"x","identityType":"User","details":{}},
      "targetIdentity":{"id":"","displayName":"x","identityType":"user","details":{}},
      "provisioningStatusInfo":{"status":")" + status + R"("})" + extra + "}";
}

QString describeError(const ImportError& e) { return e.toString(); }

template <typename T>
ImportError errorOf(const Result<T>& r)
{
    return r.ok() ? ImportError{{}, 0, {}, u"(no error)"_s} : r.error();
}

} // namespace

void TestCloudSyncJsonReader::jobsPage()
{
    qint64 others = -1;
    const auto r = readSyncJobsJson(page({kQuarantinedJob, kInboundJob, kHealthyJob}), u"jobs.json"_s, &others);
    QVERIFY2(r.ok(), qPrintable(describeError(errorOf(r))));
    QCOMPARE(others, 1); // the AD-to-Entra job is not a writeback job
    QCOMPARE(r->size(), size_t(2));
    const WritebackJob& q = r->at(0);
    QCOMPARE(q.domain, u"contoso.com"_s);
    QCOMPARE(q.code, SyncJobCode::Quarantine);
    QVERIFY(q.quarantine);
    QCOMPARE(q.quarantine->reason, u"EncounteredQuarantineException"_s);
    QCOMPARE(q.quarantine->currentBeganMsecs, at("2026-11-23T09:12:00Z"));
    QCOMPARE(q.quarantine->nextAttemptMsecs, at("2026-11-24T21:12:00Z"));
    QCOMPARE(q.countSuccessiveCompleteFailures, 3);
    QCOMPARE(q.scheduleIntervalMsecs, 20 * 60 * 1000);
    QCOMPARE(q.scheduleState, u"Active"_s);
    QVERIFY(q.lastExecution);
    QCOMPARE(q.lastExecution->errorCode, u"InsufficientRights"_s);
    QCOMPARE(q.lastExecution->timeEndedMsecs, at("2026-11-24T09:01:12.123Z"));
    QCOMPARE(q.lastSuccessfulRunMsecs(), at("2026-11-23T08:02:00Z"));
    QVERIFY(!q.lastSuccessfulExecutionWithExports);
    QVERIFY(q.unhealthyReason().startsWith(u"quarantined (EncounteredQuarantineException) since 2026-11-23 09:12 UTC"_s));
    QCOMPARE(q.synchronizedEntryCounts.size(), size_t(1));
    QCOMPARE(q.synchronizedEntryCounts[0].type, u"User to user"_s);
    QCOMPARE(q.objectsInScope(), 1200);
    const WritebackJob& h = r->at(1);
    QCOMPARE(h.objectsInScope(), -1); // not reported: not a zero
    QCOMPARE(h.domain, u"emea.contoso.com"_s);
    QCOMPARE(h.countSuccessiveCompleteFailures, 0); // Int64 as a string (IEEE754Compatible)
    QCOMPARE(h.nextRunDueMsecs(), at("2026-11-24T09:21:00Z"));
    QVERIFY2(h.unhealthyReason().isEmpty(), qPrintable(h.unhealthyReason()));
}

void TestCloudSyncJsonReader::jobsConcatenatedAndArrayOfPages()
{
    const auto concatenated = readSyncJobsJson(QByteArray(page({kQuarantinedJob}) + "\n" + page({kHealthyJob}) + "\n"),
                                               u"jobs.json"_s);
    QVERIFY2(concatenated.ok(), qPrintable(describeError(errorOf(concatenated))));
    QCOMPARE(concatenated->size(), size_t(2));
    const auto arrayOfPages = readSyncJobsJson(QByteArray("[" + page({kQuarantinedJob}) + "," + page({kHealthyJob}) + "]"),
                                               u"jobs.json"_s);
    QVERIFY2(arrayOfPages.ok(), qPrintable(describeError(errorOf(arrayOfPages))));
    QCOMPARE(arrayOfPages->size(), size_t(2));
    const auto singleJob = readSyncJobsJson(kHealthyJob, u"job.json"_s); // GET …/jobs/{id}
    QVERIFY(singleJob.ok());
    QCOMPARE(singleJob->size(), size_t(1));
}

void TestCloudSyncJsonReader::jobNeverRunReadsAsNever()
{
    const QByteArray never = R"({"id":"Entra2ADExchangeOnlineAttributeWriteback.a.b",
      "templateId":"Entra2ADExchangeOnlineAttributeWriteback","schedule":{"interval":"PT20M","state":"Active"},
      "status":{"code":"NotRun","lastSuccessfulExecution":{"timeBegan":"0001-01-01T00:00:00Z",
      "timeEnded":"0001-01-01T00:00:00Z"}}})";
    const auto r = readSyncJobsJson(never, u"jobs.json"_s);
    QVERIFY2(r.ok(), qPrintable(describeError(errorOf(r))));
    QCOMPARE(r->front().lastSuccessfulRunMsecs(), 0);
    QCOMPARE(r->front().nextRunDueMsecs(), 0);
    QCOMPARE(r->front().domain, QString()); // no DomainFQDN: the only job serves every domain
    QCOMPARE(r->front().unhealthyReason(), u"has never run successfully"_s);
}

void TestCloudSyncJsonReader::schemaMappingsFromTheFirstRule()
{
    const auto r = readSyncSchemaJson(schema("s1", {"proxyAddresses", "extensionAttribute1", "notACatalogAttribute"},
                                             "targetAddress"),
                                      u"schema.json"_s);
    QVERIFY2(r.ok(), qPrintable(describeError(errorOf(r))));
    QCOMPARE(r->size(), size_t(1));
    const quint32 mapped = r->front().mappedAttributes;
    QVERIFY(mapped & (1u << int(AttributeId::ProxyAddresses)));
    QVERIFY(mapped & (1u << int(AttributeId::ExtensionAttribute1)));
    QVERIFY(!(mapped & (1u << int(AttributeId::Mail))));          // only in the second rule
    QVERIFY(!(mapped & (1u << int(AttributeId::TargetAddress)))); // its object mapping is disabled
}

void TestCloudSyncJsonReader::schemasAttachToTheirJobs()
{
    auto jobs = readSyncJobsJson(page({kQuarantinedJob, kHealthyJob}), u"jobs.json"_s);
    QVERIFY(jobs.ok());
    CloudSyncState state;
    state.jobs = jobs.value();
    const auto schemas = readSyncSchemaJson(
        QByteArray(schema("Entra2ADExchangeOnlineAttributeWriteback.3b99513e0cee4291aea884356239fb82.9f8e7d6c", {"mail"}) +
                   schema("unknown", {"mail"})),
        u"schema.json"_s);
    QVERIFY2(schemas.ok(), qPrintable(describeError(errorOf(schemas))));
    QCOMPARE(state.attachSchemas(schemas.value()), QStringList{u"unknown"_s});
    QVERIFY(!state.jobs[0].schemaRead);
    QVERIFY(state.jobs[1].schemaRead);
    QVERIFY(state.jobs[1].maps(AttributeId::Mail));
    QVERIFY(!state.jobs[1].maps(AttributeId::ProxyAddresses));
}

void TestCloudSyncJsonReader::provisioningLogReducedPerObject()
{
    const QByteArray id = "7CDBE897-3C7F-4FB6-A369-56408D68081F";
    const QByteArray older = entry(id, "2026-11-24T08:40:05Z", "success",
                                   R"(,"modifiedProperties":[{"displayName":"extensionAttribute1","oldValue":"a",
                                   "newValue":"b"},{"displayName":"proxyAddresses","oldValue":null,"newValue":"SMTP:x@y"}])");
    const QByteArray newest = entry(id, "2026-11-24T09:12:00Z", "failure",
                                    R"(,"provisioningStatusInfo":{"status":"failure","errorInformation":{
                                    "errorCode":"InsufficientRights","errorCategory":"NonServiceFailure",
                                    "reason":"Access is denied.","additionalDetails":null,
                                    "recommendedAction":"Grant the account write access."}},
                                    "modifiedProperties":[{"displayName":"extensionAttribute1","newValue":"c"}])");
    const QByteArray newerWrite = entry(id, "2026-11-24T09:00:00Z", "success",
                                        R"(,"modifiedProperties":[{"displayName":"extensionAttribute1","newValue":"bb"}])");
    // Newest first, as the log lists them, but across two pages out of order.
    const auto r = readProvisioningLogJson(QByteArray(page({newest, older}) + page({newerWrite})), u"provisioning.json"_s);
    QVERIFY2(r.ok(), qPrintable(describeError(errorOf(r))));
    QCOMPARE(r->entriesRead, 3);
    QCOMPARE(r->oldestMsecs, at("2026-11-24T08:40:05Z"));
    QCOMPARE(r->newestMsecs, at("2026-11-24T09:12:00Z"));
    const ObjectProvisioning* o = r->find("7cdbe897-3c7f-4fb6-a369-56408d68081f");
    QVERIFY(o);
    QCOMPARE(o->latest.status, ProvisioningStatus::Failure);
    QCOMPARE(o->latest.activityMsecs, at("2026-11-24T09:12:00Z"));
    QCOMPARE(o->latest.errorCode, u"InsufficientRights"_s);
    QCOMPARE(o->latest.errorCategory, u"NonServiceFailure"_s);
    QCOMPARE(o->latest.reason, u"Access is denied."_s);
    QCOMPARE(o->latest.recommendedAction, u"Grant the account write access."_s);
    // The failed entry wrote nothing; the newest successful write of each attribute is kept.
    const AttributeWrite* ea1 = o->lastWriteOf(AttributeId::ExtensionAttribute1);
    QVERIFY(ea1);
    QCOMPARE(ea1->newValue, u"bb"_s);
    QCOMPARE(ea1->activityMsecs, at("2026-11-24T09:00:00Z"));
    QVERIFY(o->lastWriteOf(AttributeId::ProxyAddresses));
    QVERIFY(!o->lastWriteOf(AttributeId::Mail));
}

// Live pages fold into one log one by one, in whatever order they come: the failures before a success are kept
// (count, first and last, the last one's error) however the pages are ordered.
void TestCloudSyncJsonReader::provisioningFailuresKeptPastALaterSuccess()
{
    const QByteArray id = "7cdbe897-3c7f-4fb6-a369-56408d68081f";
    const auto failure = [&](const QByteArray& when, const QByteArray& reason) {
        return entry(id, when, "failure",
                     R"(,"provisioningStatusInfo":{"status":"failure","errorInformation":{"errorCode":
                     "InsufficientRights","reason":")" + reason + R"(","recommendedAction":"Grant access."}})");
    };
    const QByteArray newer =
        page({entry(id, "2026-11-24T09:00:00Z", "success"), failure("2026-11-24T08:40:00Z", "b")});
    const QByteArray older = page({failure("2026-11-24T08:20:00Z", "a")});
    for (const bool newestFirst : {true, false}) {
        auto first = readProvisioningLogJson(newestFirst ? newer : older, u"page 1"_s);
        QVERIFY(first.ok());
        const auto log =
            readProvisioningLogJson(newestFirst ? older : newer, u"page 2"_s, {}, std::move(first.value()));
        QVERIFY2(log.ok(), qPrintable(describeError(errorOf(log))));
        const auto index = log->indexById.constFind(id);
        QVERIFY(index != log->indexById.cend());
        QCOMPARE(log->objects[size_t(*index)].latest.status, ProvisioningStatus::Success);
        const ProvisioningTrouble* trouble = log->troubleOf(*index);
        QVERIFY(trouble);
        QCOMPARE(trouble->failedEntries, 2);
        QCOMPARE(trouble->firstMsecs, at("2026-11-24T08:20:00Z"));
        QCOMPARE(trouble->last.activityMsecs, at("2026-11-24T08:40:00Z"));
        QCOMPARE(trouble->last.reason, u"b"_s);
        QCOMPARE(trouble->last.recommendedAction, u"Grant access."_s);
        QCOMPARE(trouble->lastWrittenBackMsecs, at("2026-11-24T09:00:00Z"));
        QCOMPARE(log->standing(*trouble), TroubleStanding::Recovered);
    }
}

void TestCloudSyncJsonReader::provisioningDocVariants()
{
    // errorInfo (an older docs page), statusInfo (deprecated beta), initiatingType, capitalised step types, a
    // skip reason in a step's details, and key/value details as older pages show them.
    const QByteArray skipped = R"({"activityDateTime":"2026-11-24T09:30:00Z",
      "jobId":"Entra2ADExchangeOnlineAttributeWriteback.x.y","initiatedBy":{"initiatingType":"system"},
      "sourceIdentity":{"id":"aaaaaaaa-0000-0000-0000-000000000001"},
      "statusInfo":{"status":"Skipped","errorInfo":{"errorCode":"x-code","reason":"r"}},
      "provisioningSteps":[{"name":"EntryImport","provisioningStepType":"Import","status":"success"},
        {"name":"EntrySynchronizationSkip","provisioningStepType":"Scoping","status":"skipped",
         "details":{"SkipReason":"NotInScope"}}]})";
    const QByteArray keyValueDetails = R"({"activityDateTime":"2026-11-24T09:30:00Z",
      "sourceIdentity":{"id":"aaaaaaaa-0000-0000-0000-000000000002"},"provisioningStatusInfo":{"status":"skipped"},
      "provisioningSteps":[{"details":[{"key":"SkipReason","value":"RedundantExport"}]}]})";
    const auto r = readProvisioningLogJson(QByteArray("[" + skipped + "," + keyValueDetails + "]"), u"provisioning.json"_s);
    QVERIFY2(r.ok(), qPrintable(describeError(errorOf(r))));
    const ObjectProvisioning* o = r->find("aaaaaaaa-0000-0000-0000-000000000001");
    QVERIFY(o);
    QCOMPARE(o->latest.status, ProvisioningStatus::Skipped);
    QCOMPARE(o->latest.skipReason, u"NotInScope"_s);
    QCOMPARE(o->latest.errorCode, u"x-code"_s);
    QCOMPARE(r->find("aaaaaaaa-0000-0000-0000-000000000002")->latest.skipReason, u"RedundantExport"_s);
}

void TestCloudSyncJsonReader::provisioningOfOtherJobsLeftOut()
{
    const auto r = readProvisioningLogJson(
        page({entry("aaaaaaaa-0000-0000-0000-000000000003", "2026-11-24T09:30:00Z", "failure", {},
                    "AD2AADProvisioning.1a4721b3.x")}),
        u"provisioning.json"_s);
    QVERIFY(r.ok());
    QCOMPARE(r->entriesRead, 0);
    QVERIFY(!r->find("aaaaaaaa-0000-0000-0000-000000000003"));
}

void TestCloudSyncJsonReader::cutJsonNamesFileAndPlace()
{
    const QByteArray whole = page({kQuarantinedJob, kHealthyJob});
    const ImportError e = errorOf(readSyncJobsJson(whole.left(whole.size() / 2), u"jobs.json"_s));
    QCOMPARE(e.file, u"jobs.json"_s);
    QVERIFY2(e.jsonPath.startsWith(u"$.value[0]"_s), qPrintable(e.toString()));
    QVERIFY2(e.line > 1, qPrintable(e.toString()));
    const ImportError p = errorOf(readProvisioningLogJson(QByteArray("{\"value\":[" + entry("a", "2026-11-24T09:30:00Z", "x")),
                                                          u"provisioning.json"_s));
    QCOMPARE(p.file, u"provisioning.json"_s);
    QVERIFY2(p.message.contains(u"the end of the input"_s), qPrintable(p.toString()));
}

void TestCloudSyncJsonReader::wrongShapeNamesPath()
{
    // A quarantine time that is a number, in the second job of a page.
    QByteArray broken = kHealthyJob;
    broken.replace(R"("timeEnded": "2026-11-24T08:41:00Z")", R"("timeEnded": 17)");
    ImportError e = errorOf(readSyncJobsJson(page({kQuarantinedJob, broken}), u"jobs.json"_s));
    QCOMPARE(e.file, u"jobs.json"_s);
    QCOMPARE(e.jsonPath, u"$.value[1].status.lastSuccessfulExecution.timeEnded"_s);
    QVERIFY2(e.message.contains(u"expected an ISO 8601 time"_s) && e.message.contains(u"found a number"_s),
             qPrintable(e.message));
    QVERIFY2(e.line >= 20, qPrintable(e.toString())); // the line where the job begins

    e = errorOf(readSyncJobsJson(R"({"value":[{"templateId":"Entra2ADExchangeOnlineAttributeWriteback",
      "id":"Entra2ADExchangeOnlineAttributeWriteback.a.b","schedule":{"interval":"20 minutes"}}]})",
                                 u"jobs.json"_s));
    QCOMPARE(e.jsonPath, u"$.value[0].schedule.interval"_s);

    e = errorOf(readProvisioningLogJson(R"({"value":[{"activityDateTime":"2026-11-24T09:30:00Z",
      "sourceIdentity":{"displayName":"x"}}]})",
                                        u"provisioning.json"_s));
    QCOMPARE(e.jsonPath, u"$.value[0].sourceIdentity.id"_s);

    e = errorOf(readSyncSchemaJson(R"({"id":"s","synchronizationRules":[]})", u"schema.json"_s));
    QCOMPARE(e.jsonPath, u"$.synchronizationRules"_s);

    e = errorOf(readSyncSchemaJson(R"("a schema")", u"schema.json"_s));
    QVERIFY2(e.message.contains(u"expected a Graph answer"_s), qPrintable(e.message));

    e = errorOf(readSyncSchemaJson(R"({"id":"s","synchronizationRules":{"id":"r"}})", u"schema.json"_s));
    QCOMPARE(e.jsonPath, u"$.synchronizationRules"_s);
    QVERIFY2(e.message.contains(u"expected an array, found an object"_s), qPrintable(e.message));
}

void TestCloudSyncJsonReader::secondJsonTextPlacesErrors()
{
    QByteArray broken = kHealthyJob;
    broken.replace(R"("interval": "PT40M")", R"("interval": "forty")");
    const QByteArray first = page({kQuarantinedJob});
    const ImportError e = errorOf(readSyncJobsJson(QByteArray(first + "\n" + page({broken})), u"jobs.json"_s));
    QCOMPARE(e.jsonPath, u"JSON text 2, $.value[0].schedule.interval"_s);
    QCOMPARE(e.line, qint64(first.count('\n') + 2)); // the page's line in the whole file
    const ImportError junk = errorOf(readSyncJobsJson(QByteArray(first + "\nnot json"), u"jobs.json"_s));
    QCOMPARE(junk.file, u"jobs.json"_s);
    QVERIFY2(!junk.message.isEmpty() && junk.message != u"(no error)"_s, qPrintable(junk.toString()));
}

void TestCloudSyncJsonReader::isoDurations()
{
    QCOMPARE(parseIsoDuration(u"PT20M"), 20 * 60 * 1000);
    QCOMPARE(parseIsoDuration(u"P1DT2H"), (24 + 2) * 3600 * 1000LL);
    QCOMPARE(parseIsoDuration(u"PT0.5S"), 500);
    QVERIFY(!parseIsoDuration(u"P1M"));  // months have no fixed length
    QVERIFY(!parseIsoDuration(u"PT"));
    QVERIFY(!parseIsoDuration(u"20M"));
}

void TestCloudSyncJsonReader::domainOfDn()
{
    QCOMPARE(sunset::domainOfDn(u"CN=Ann\\, Lee,OU=Sales,DC=EMEA,DC=Contoso,DC=com"), u"emea.contoso.com"_s);
    QCOMPARE(sunset::domainOfDn(u"CN=x,OU=y"), QString());
}

QTEST_GUILESS_MAIN(TestCloudSyncJsonReader)

// As GET /beta/groups?$filter=onPremisesSyncBehavior/isCloudManaged eq false&$count=true answers (two pages
// concatenated; group fields from Graph's group page, onPremisesSyncBehavior as its own page shows it).
void TestCloudSyncJsonReader::syncedGroupsAndContacts()
{
    const QByteArray groups = R"({"@odata.count": 4, "value": [
  {"id": "g1", "displayName": "Sales", "mail": "sales@contoso.com", "mailEnabled": true, "securityEnabled": false,
   "groupTypes": [], "onPremisesSyncEnabled": true},
  {"id": "g2", "displayName": "Finance Team", "mail": "finance@contoso.com", "mailEnabled": true,
   "securityEnabled": true, "groupTypes": [], "onPremisesSyncEnabled": true},
  {"id": "g3", "displayName": "Project X", "mail": "px@contoso.com", "mailEnabled": true, "securityEnabled": false,
   "groupTypes": ["Unified"], "onPremisesSyncEnabled": true}],
  "@odata.nextLink": "https://graph.microsoft.com/beta/groups?$skiptoken=x"}
{"value": [
  {"id": "g4", "displayName": "Moved", "mail": "moved@contoso.com", "mailEnabled": true, "securityEnabled": false,
   "groupTypes": [], "onPremisesSyncEnabled": true,
   "onPremisesSyncBehavior": {"value": {"@odata.type": "#microsoft.graph.onPremisesSyncBehavior", "id": "g4",
                                        "isCloudManaged": true}}},
  {"id": "g5", "displayName": "Cloud DL", "mailEnabled": true, "securityEnabled": false, "groupTypes": [],
   "onPremisesSyncEnabled": null}]}
)";
    auto read = readSyncedObjectsJson(groups, u"groups.json"_s, SyncedObjectKind::DistributionList);
    QVERIFY2(read, qPrintable(read ? QString() : read.error().toString()));
    QCOMPARE(read->size(), size_t(5));
    QCOMPARE(read->at(0).kind, SyncedObjectKind::DistributionList);
    QCOMPARE(read->at(1).kind, SyncedObjectKind::MailEnabledSecurityGroup);
    QCOMPARE(read->at(2).kind, SyncedObjectKind::Other); // a Microsoft 365 group
    QCOMPARE(read->at(3).cloudManaged, std::optional<bool>(true));
    QCOMPARE(read->at(4).onPremisesSyncEnabled, std::optional<bool>());
    QList<bool> blocking;
    for (const SyncedDirectoryObject& o : read.value())
        blocking << o.blocksDecommission();
    QCOMPARE(blocking, (QList<bool>{true, true, false, false, false}));

    const QByteArray contacts =
        R"({"value": [{"id": "c1", "displayName": "Partner", "mail": "p@fabrikam.com", "onPremisesSyncEnabled": true}]})";
    auto readContacts = readSyncedObjectsJson(contacts, u"contacts.json"_s, SyncedObjectKind::MailContact);
    QVERIFY(readContacts);
    QCOMPARE(readContacts->front().kind, SyncedObjectKind::MailContact);
    QVERIFY(readContacts->front().blocksDecommission());

    // A wrong shape names the file and the member.
    auto bad = readSyncedObjectsJson(R"({"value": [{"id": "g1", "mailEnabled": "yes"}]})", u"groups.json"_s,
                                     SyncedObjectKind::DistributionList);
    QVERIFY(!bad);
    QVERIFY2(bad.error().toString().contains(u"groups.json"_s) &&
                 bad.error().toString().contains(u"mailEnabled: expected true or false, found a string"_s),
             qPrintable(bad.error().toString()));
    auto noId = readSyncedObjectsJson(R"({"value": [{"displayName": "x"}]})", u"contacts.json"_s,
                                      SyncedObjectKind::MailContact);
    QVERIFY(!noId);
    QVERIFY(noId.error().toString().contains(u"GET /beta/contacts"_s));
}
