// SPDX-License-Identifier: Apache-2.0
// The decommission checklist's domain: step keys, findings from what the checks read, status evaluation, export.
#include "Checklist.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimeZone>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QDateTime kNow = QDateTime(QDate(2026, 11, 24), QTime(12, 0), Qt::UTC);

ChecklistRun passingRun()
{
    return {kNow, u"admin"_s, {{u"x"_s, FindingLevel::Pass, u"fine"_s, {}}}, {}};
}

void attestAll(StepRecord& record)
{
    for (const AttestationItem& item : attestationItems(record.step))
        record.attestations.push_back({QString(item.key), true, kNow, u"admin"_s});
}

// A healthy writeback job of a domain: active, every attribute mapped, last success 10 minutes before kNow.
WritebackJob healthyJob(const QString& domain)
{
    WritebackJob job;
    job.id = u"Entra2ADExchangeOnlineAttributeWriteback.%1.1"_s.arg(domain.section(u'.', 0, 0));
    job.domain = domain;
    job.statusCodeText = u"Active"_s;
    job.code = SyncJobCode::Active;
    job.scheduleState = u"Active"_s;
    job.scheduleIntervalMsecs = 20 * 60'000;
    job.lastSuccessfulExecution = SyncExecution{kNow.toMSecsSinceEpoch() - 11 * 60'000,
                                                kNow.toMSecsSinceEpoch() - 10 * 60'000, u"Succeeded"_s, {}};
    job.schemaRead = true;
    for (const AttributeSpec& spec : AttributeCatalog::all())
        if (spec.writtenBackByCloudSync)
            job.mappedAttributes |= quint32(1) << int(spec.id);
    return job;
}

CloudSyncState syncState(std::vector<WritebackJob> jobs)
{
    CloudSyncState state;
    state.jobsRead = true;
    state.jobsSource = u"jobs.json"_s;
    state.schemaSource = u"schema.json"_s;
    state.jobs = std::move(jobs);
    return state;
}

const std::vector<WritebackDomain> kTwoDomains{{u"contoso.com"_s, 40}, {u"emea.contoso.com"_s, 12}};

const ChecklistFinding& findingOf(const std::vector<ChecklistFinding>& fs, QLatin1StringView check)
{
    static const ChecklistFinding none;
    for (const ChecklistFinding& f : fs)
        if (f.check == check)
            return f;
    return none;
}

FindingLevel levelOf(const std::vector<ChecklistFinding>& fs, QLatin1StringView check)
{
    return findingOf(fs, check).level;
}

} // namespace

class TestChecklist final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stepKeysRoundTrip()
    {
        for (ChecklistStep step : kChecklistSteps) {
            QCOMPARE(checklistStepFromKey(QString(checklistStepKey(step))), step);
            QVERIFY(!attestationItems(step).isEmpty());
        }
        QCOMPARE(checklistStepFromKey(u"3"), ChecklistStep::HybridCleanup);
        QCOMPARE(checklistStepFromKey(u"Hybrid-Cleanup"), ChecklistStep::HybridCleanup);
        QVERIFY(!checklistStepFromKey(u"6"));
        QVERIFY(!checklistStepFromKey(u"cleanup"));
    }

    void cloudManagedExceptionsListEverySyncedMailboxNotCloudManaged()
    {
        const std::vector<CloudMailboxState> mailboxes{
            {u"Ann"_s, u"ann@contoso.com"_s, true, true},
            {u"Bob"_s, u"bob@contoso.com"_s, true, false},
            {u"Cloud only"_s, u"co@contoso.com"_s, false, false}, // not synced: outside the question
            {u"Dee"_s, u"dee@contoso.com"_s, true, std::nullopt},
        };
        const ChecklistFinding f = findCloudManagedExceptions(mailboxes);
        QCOMPARE(f.level, FindingLevel::Blocking);
        QCOMPARE(f.evidence.size(), 2);
        QCOMPARE(f.evidence.at(0), u"Bob <bob@contoso.com>"_s);
        QVERIFY(f.evidence.at(1).startsWith(u"Dee <dee@contoso.com>"_s));
        QVERIFY(f.summary.contains(u"2 of 3"_s));

        QCOMPARE(findCloudManagedExceptions({{u"Ann"_s, u"ann@contoso.com"_s, true, true}}).level,
                 FindingLevel::Pass);
        // No answer at all proves nothing.
        QCOMPARE(findCloudManagedExceptions({}).level, FindingLevel::Blocking);
    }

    void writebackAgentMustExist()
    {
        QCOMPARE(findWritebackAgent({}).level, FindingLevel::Blocking);
        const ChecklistFinding f = findWritebackAgent({u"CN=provAgentgMSA,CN=Managed Service Accounts,DC=x"_s});
        QCOMPARE(f.level, FindingLevel::Pass);
        QCOMPARE(f.evidence.size(), 1);
    }

    void writebackJobsAllGoodPass()
    {
        const CloudSyncState state = syncState({healthyJob(u"contoso.com"_s), healthyJob(u"emea.contoso.com"_s)});
        const auto fs = findWritebackJobs(&state, kTwoDomains, kNow, u"give --sync-jobs"_s);
        QCOMPARE(fs.size(), kWritebackJobChecks.size());
        for (size_t i = 0; i < fs.size(); ++i) {
            QCOMPARE(fs[i].check, QString(kWritebackJobChecks[i]));
            QVERIFY2(fs[i].level == FindingLevel::Pass, qPrintable(fs[i].summary));
            QCOMPARE(fs[i].evidence.size(), 2);
        }
        QVERIFY(findingOf(fs, kWritebackJobChecks[0]).evidence.at(1).startsWith(u"emea.contoso.com (12 recipients"_s));
        QVERIFY(findingOf(fs, kWritebackJobChecks[2]).evidence.at(0).endsWith(u"all 24 attributes mapped"_s));
        QVERIFY(findingOf(fs, kWritebackJobChecks[3]).evidence.at(0).contains(u"(10 min ago), interval 20 min: within 2"_s));
    }

    void writebackJobMissingForADomainBlocks()
    {
        const CloudSyncState state = syncState({healthyJob(u"contoso.com"_s)});
        const auto fs = findWritebackJobs(&state, kTwoDomains, kNow, {});
        const ChecklistFinding& f = findingOf(fs, kWritebackJobChecks[0]);
        QCOMPARE(f.level, FindingLevel::Blocking);
        QVERIFY(f.summary.contains(u"1 AD domain with mailboxes has no Cloud Sync writeback job (read from jobs.json)"_s));
        QCOMPARE(f.evidence.at(1), u"emea.contoso.com (12 recipients with Exchange values): no writeback job"_s);
        QCOMPARE(levelOf(fs, kWritebackJobChecks[1]), FindingLevel::Pass); // the job there is still judged
        // No job at all, domains unknown: still blocking (there is nothing writing back).
        const CloudSyncState none = syncState({});
        QCOMPARE(levelOf(findWritebackJobs(&none, std::nullopt, kNow, {}), kWritebackJobChecks[0]),
                 FindingLevel::Blocking);
    }

    void writebackJobPausedOrQuarantinedBlocks()
    {
        WritebackJob paused = healthyJob(u"contoso.com"_s);
        paused.code = SyncJobCode::Paused;
        paused.statusCodeText = u"Paused"_s;
        paused.scheduleState = u"Paused"_s;
        WritebackJob quarantined = healthyJob(u"emea.contoso.com"_s);
        quarantined.code = SyncJobCode::Quarantine;
        quarantined.statusCodeText = u"Quarantine"_s;
        quarantined.quarantine = SyncQuarantine{u"EncounteredQuarantineException"_s,
                                                kNow.addSecs(-3 * 3600).toMSecsSinceEpoch(), 0, 0};
        CloudSyncState state = syncState({paused, healthyJob(u"emea.contoso.com"_s)});
        auto fs = findWritebackJobs(&state, kTwoDomains, kNow, {});
        ChecklistFinding f = findingOf(fs, kWritebackJobChecks[1]);
        QCOMPARE(f.level, FindingLevel::Blocking);
        QVERIFY(f.summary.contains(u"1 paused, disabled or not configured"_s));
        QCOMPARE(f.evidence.at(0), u"contoso.com (job %1): status Paused, schedule Paused; not running"_s.arg(paused.id));
        QVERIFY(f.evidence.at(1).endsWith(u"status Active, schedule Active"_s));
        state = syncState({healthyJob(u"contoso.com"_s), quarantined});
        fs = findWritebackJobs(&state, kTwoDomains, kNow, {});
        f = findingOf(fs, kWritebackJobChecks[1]);
        QCOMPARE(f.level, FindingLevel::Blocking);
        QVERIFY(f.summary.contains(u"1 quarantined"_s));
        QVERIFY2(f.evidence.at(1).endsWith(
                     u"; quarantined (EncounteredQuarantineException) since 2026-11-24 09:00 UTC"_s),
                 qPrintable(f.evidence.at(1)));
    }

    void writebackJobMissingMappingNamesItAndTheFix()
    {
        WritebackJob job = healthyJob(u"contoso.com"_s);
        job.mappedAttributes &= ~(quint32(1) << int(AttributeId::Mail));
        const CloudSyncState state = syncState({job, healthyJob(u"emea.contoso.com"_s)});
        const auto fs = findWritebackJobs(&state, kTwoDomains, kNow, {});
        const ChecklistFinding& f = findingOf(fs, kWritebackJobChecks[2]);
        QCOMPARE(f.level, FindingLevel::Blocking);
        QCOMPARE(f.evidence.at(0), u"contoso.com (job %1): not mapped: mail"_s.arg(job.id));
        QVERIFY(f.summary.contains(u"\"Restore default mappings\" (this restarts the job"_s));
        // A schema not read is not a pass: Unread, naming the job.
        WritebackJob unreadSchema = healthyJob(u"emea.contoso.com"_s);
        unreadSchema.schemaRead = false;
        const CloudSyncState partly = syncState({healthyJob(u"contoso.com"_s), unreadSchema});
        const ChecklistFinding u = findingOf(findWritebackJobs(&partly, kTwoDomains, kNow, {}), kWritebackJobChecks[2]);
        QCOMPARE(u.level, FindingLevel::Unread);
        QVERIFY(u.evidence.at(1).endsWith(u": schema not read"_s));
    }

    void writebackJobLastSuccessOlderThanTwoIntervalsBlocks()
    {
        WritebackJob edge = healthyJob(u"contoso.com"_s);
        edge.lastSuccessfulExecution->timeEndedMsecs = kNow.toMSecsSinceEpoch() - 40 * 60'000; // exactly 2 intervals
        WritebackJob late = healthyJob(u"emea.contoso.com"_s);
        late.lastSuccessfulExecution->timeEndedMsecs = kNow.toMSecsSinceEpoch() - 40 * 60'000 - 1;
        late.lastExecution = SyncExecution{0, kNow.toMSecsSinceEpoch() - 5 * 60'000, u"Failed"_s, u"InsufficientRights"_s};
        late.countSuccessiveCompleteFailures = 2;
        const CloudSyncState state = syncState({edge, late});
        const ChecklistFinding f = findingOf(findWritebackJobs(&state, kTwoDomains, kNow, {}), kWritebackJobChecks[3]);
        QCOMPARE(f.level, FindingLevel::Blocking);
        QVERIFY(f.summary.startsWith(u"1 writeback job has not run successfully within 2 schedule intervals"_s));
        QVERIFY(f.evidence.at(0).endsWith(u"within 2 intervals"_s));
        QVERIFY2(f.evidence.at(1).contains(u"last successful run 2026-11-24 11:19 UTC (40 min ago), interval 20 min: "
                                          "more than 2 intervals ago; last run Failed 2026-11-24 11:55 UTC "
                                          "(InsufficientRights); 2 whole runs in a row failed"_s),
                 qPrintable(f.evidence.at(1)));
        WritebackJob never = healthyJob(u"contoso.com"_s);
        never.lastSuccessfulExecution.reset();
        never.scheduleIntervalMsecs = 0;
        const CloudSyncState neverState = syncState({never});
        const ChecklistFinding n =
            findingOf(findWritebackJobs(&neverState, std::vector<WritebackDomain>{kTwoDomains.front()}, kNow, {}),
                      kWritebackJobChecks[3]);
        QCOMPARE(n.level, FindingLevel::Blocking);
        QVERIFY(n.evidence.at(0).contains(u"has never run successfully, interval 20 min (not in the answer; PT20M assumed)"_s));
    }

    void writebackUnreadAsksForTheAttestationInstead()
    {
        const auto fs = findWritebackJobs(nullptr, kTwoDomains, kNow, u"give --sync-jobs FILE and --sync-schema FILE"_s);
        QCOMPARE(fs.size(), kWritebackJobChecks.size());
        for (const ChecklistFinding& f : fs) {
            QCOMPARE(f.level, FindingLevel::Unread);
            QVERIFY(f.summary.endsWith(u"give --sync-jobs FILE and --sync-schema FILE"_s));
        }
        // A live read's reason (a permission lacking) wins over the generic hint.
        CloudSyncState denied;
        denied.jobsMissingReason = u"Synchronization.Read.All is not granted"_s;
        QVERIFY(findWritebackJobs(&denied, kTwoDomains, kNow, u"x"_s).front().summary.endsWith(u"not granted"_s));

        const std::optional<AttestationItem> writeback = attestationItem(ChecklistStep::Prerequisites, u"cloud-sync-writeback");
        QVERIFY(writeback);
        StepRecord r;
        r.step = ChecklistStep::Prerequisites;
        r.runs.push_back({kNow, u"admin"_s, fs, {}});
        QVERIFY(r.needsAttestation(*writeback));
        StepEvaluation e = evaluateStep(r);
        QVERIFY(e.reasons.contains(u"Not attested: "_s + writeback->text));
        // Read and passing: the checks decide, the item is no longer asked for.
        const CloudSyncState good = syncState({healthyJob(u"contoso.com"_s), healthyJob(u"emea.contoso.com"_s)});
        r.runs.push_back({kNow, u"admin"_s, findWritebackJobs(&good, kTwoDomains, kNow, {}), {}});
        QVERIFY(!r.needsAttestation(*writeback));
        e = evaluateStep(r);
        QVERIFY(!e.reasons.contains(u"Not attested: "_s + writeback->text));
        // The export says which items the checks decided.
        Checklist checklist;
        checklist.step(ChecklistStep::Prerequisites) = r;
        const QJsonArray attestations = QJsonDocument::fromJson(checklistToJson(checklist, kNow, u"admin"_s))
                                            .object()[u"steps"_s][0][u"attestations"_s].toArray();
        QCOMPARE(attestations[0][u"item"_s].toString(), u"cloud-sync-writeback"_s);
        QCOMPARE(attestations[0][u"needed"_s].toBool(), false);
        QCOMPARE(attestations[1][u"needed"_s].toBool(), true);
        // Domains unknown: the per-domain check is unread, so the item is asked for again.
        r.runs.push_back({kNow, u"admin"_s, findWritebackJobs(&good, std::nullopt, kNow, {}), {}});
        QCOMPARE(levelOf(r.runs.back().findings, kWritebackJobChecks[0]), FindingLevel::Unread);
        QVERIFY(r.needsAttestation(*writeback));
        // "unread" round-trips by name, as the history stores it.
        QCOMPARE(findingLevelFromName(QString(findingLevelName(FindingLevel::Unread))), FindingLevel::Unread);
    }

    void groupsAndContactsStillOnPremisesBlock()
    {
        QCOMPARE(groupKind(true, false, {}), SyncedObjectKind::DistributionList);
        QCOMPARE(groupKind(true, true, {}), SyncedObjectKind::MailEnabledSecurityGroup);
        QCOMPARE(groupKind(true, false, {u"Unified"_s}), SyncedObjectKind::Other);
        QCOMPARE(groupKind(false, true, {}), SyncedObjectKind::Other);
        SyncedObjectsRead groups{true, u"groups.json"_s, {}, {}};
        SyncedObjectsRead contacts{true, u"contacts.json"_s, {}, {}};
        QCOMPARE(findGroupsAndContactsNotCloudManaged(groups, contacts).level, FindingLevel::Pass);
        groups.objects = {{u"g1"_s, u"Sales"_s, u"sales@contoso.com"_s, SyncedObjectKind::DistributionList, true, false},
                          {u"g2"_s, u"Moved"_s, {}, SyncedObjectKind::DistributionList, true, true},
                          {u"g3"_s, u"Never synced"_s, {}, SyncedObjectKind::DistributionList, std::nullopt, std::nullopt},
                          {u"g4"_s, u"Team"_s, {}, SyncedObjectKind::Other, true, false}};
        ChecklistFinding f = findGroupsAndContactsNotCloudManaged(groups, contacts);
        QCOMPARE(f.level, FindingLevel::Blocking);
        QCOMPARE(f.evidence, QStringList{u"distribution list: Sales <sales@contoso.com> (id g1)"_s});
        QVERIFY(f.summary.startsWith(u"1 synced mail-enabled group and 0 mail contacts still have"_s));
        contacts.objects = {{u"c1"_s, u"Partner"_s, u"p@fabrikam.com"_s, SyncedObjectKind::MailContact, true, std::nullopt}};
        f = findGroupsAndContactsNotCloudManaged(groups, contacts);
        QCOMPARE(f.evidence.size(), 2);
        QCOMPARE(f.evidence.at(1), u"mail contact: Partner <p@fabrikam.com> (id c1)"_s);
        // Not read (a permission lacking): unread, naming it; what the other list shows still blocks.
        const SyncedObjectsRead denied{false, {}, u"Graph refused (403): grant OrgContact.Read.All"_s, {}};
        f = findGroupsAndContactsNotCloudManaged(groups, denied);
        QCOMPARE(f.level, FindingLevel::Blocking);
        QVERIFY(f.evidence.contains(u"not read: contacts: Graph refused (403): grant OrgContact.Read.All"_s));
        f = findGroupsAndContactsNotCloudManaged(SyncedObjectsRead{true, u"g"_s, {}, {}}, denied);
        QCOMPARE(f.level, FindingLevel::Unread);
        QVERIFY(f.summary.contains(u"grant OrgContact.Read.All"_s));
        // The attestation is asked for only while the check is unread.
        const std::optional<AttestationItem> soa = attestationItem(ChecklistStep::Prerequisites, u"groups-contacts-soa");
        StepRecord r;
        r.step = ChecklistStep::Prerequisites;
        r.runs.push_back({kNow, u"admin"_s, {f}, {}});
        QVERIFY(r.needsAttestation(*soa));
        r.runs.push_back({kNow, u"admin"_s, {findGroupsAndContactsNotCloudManaged(groups, contacts)}, {}});
        QVERIFY(!r.needsAttestation(*soa));
    }

    void scanMustBeRecentAndFreeOfCriticalDrift()
    {
        auto level = [](const std::vector<ChecklistFinding>& fs, const QString& check) {
            for (const ChecklistFinding& f : fs)
                if (f.check == check)
                    return f.level;
            return FindingLevel::Pass;
        };
        QCOMPARE(findScanState(std::nullopt, kNow).front().level, FindingLevel::Blocking);
        ScanFacts scan{4, kNow.addDays(-1), 3, 0, 100};
        auto fs = findScanState(scan, kNow);
        QCOMPARE(level(fs, u"recent-scan"_s), FindingLevel::Pass);
        QCOMPARE(level(fs, u"critical-drift"_s), FindingLevel::Warning);
        scan.criticalItems = 1;
        QCOMPARE(level(findScanState(scan, kNow), u"critical-drift"_s), FindingLevel::Blocking);
        scan = {5, kNow.addDays(-8), 0, 0, 100};
        fs = findScanState(scan, kNow);
        QCOMPARE(level(fs, u"recent-scan"_s), FindingLevel::Blocking);
        QCOMPARE(level(fs, u"critical-drift"_s), FindingLevel::Pass);
    }

    void hybridNamesFollowTheWizardsPattern()
    {
        const QString guid = u"6b8a6b2e-1f0c-4c5e-9a57-0c9b1d6b1e2f"_s;
        QVERIFY(isHybridOrganizationRelationship(u"O365 to On-premises - "_s + guid));
        QVERIFY(!isHybridOrganizationRelationship(u"Fabrikam free/busy"_s));
        QVERIFY(!isHybridOrganizationRelationship(u"O365 to On-premises - not-a-guid"_s));
        QVERIFY(isHybridInboundConnector(u"Inbound from "_s + guid));
        QVERIFY(isHybridOutboundConnector(u"Outbound to "_s + guid));
        QVERIFY(!isHybridOutboundConnector(u"Outbound to smarthost"_s));

        QCOMPARE(findOrganizationRelationships({{u"O365 to On-premises - "_s + guid, {}, true}}).level,
                 FindingLevel::Blocking);
        QCOMPARE(findOrganizationRelationships({{u"Fabrikam"_s, {}, true}}).level, FindingLevel::Info);
        QCOMPARE(findOrganizationRelationships({}).level, FindingLevel::Pass);
        const ChecklistFinding c =
            findHybridConnectors({{u"Inbound from "_s + guid, {}, false}}, {{u"Partner TLS"_s, {}, true}});
        QCOMPARE(c.level, FindingLevel::Blocking);
        QCOMPARE(c.evidence.size(), 2);
        QVERIFY(c.evidence.at(0).contains(u"disabled"_s));
        QCOMPARE(findHybridConnectors({}, {{u"Partner TLS"_s, {}, true}}).level, FindingLevel::Info);
        QCOMPARE(findHybridConfigurationObjects({u"CN=Hybrid Configuration,CN=Org"_s}).level, FindingLevel::Blocking);
        QCOMPARE(findHybridConfigurationObjects({}).level, FindingLevel::Pass);
    }

    void serversAndAutodiscoverScpsMustBeGone()
    {
        QCOMPARE(findRegisteredServers({}).level, FindingLevel::Pass);
        const ChecklistFinding s = findRegisteredServers({{u"CN=EX01,CN=Servers"_s, u"EX01"_s, u"Version 15.2"_s}});
        QCOMPARE(s.level, FindingLevel::Blocking);
        QCOMPARE(s.evidence, QStringList{u"CN=EX01,CN=Servers, Version 15.2"_s});
        // Only Autodiscover SCPs count, by keyword, case-insensitively.
        const std::vector<ServiceConnectionPoint> scps{
            {u"CN=EX01,CN=Autodiscover"_s, {u"77378f46-2c66-4AA9-a6a6-3e7a48b19596"_s, u"Site=Default"_s},
             {u"https://mail.contoso.com/Autodiscover/Autodiscover.xml"_s}},
            {u"CN=Other SCP"_s, {u"SomeOtherKeyword"_s}, {}}};
        const ChecklistFinding a = findAutodiscoverScps(scps);
        QCOMPARE(a.level, FindingLevel::Blocking);
        QCOMPARE(a.evidence.size(), 1);
        QVERIFY(a.evidence.front().contains(u"-> https://mail.contoso.com"_s));
        QCOMPARE(findAutodiscoverScps({scps.back()}).level, FindingLevel::Pass);
    }

    void postUninstallKeepsSchemaAndRecipientValues()
    {
        ExchangeAdInventory inv;
        inv.schemaExtended = true;
        inv.recipientsWithExchangeAttributes = 10;
        auto fs = findLingeringExchangeObjects(inv);
        QVERIFY(std::none_of(fs.begin(), fs.end(), [](auto& f) { return f.level == FindingLevel::Blocking; }));
        inv.exchangeContainers = {u"CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=x"_s};
        inv.systemObjects = {u"CN=Microsoft Exchange System Objects,DC=x"_s};
        fs = findLingeringExchangeObjects(inv);
        const auto remove = std::find_if(fs.begin(), fs.end(),
                                         [](auto& f) { return f.check == u"remove-exchange-organization"_s; });
        QCOMPARE(remove->level, FindingLevel::Blocking);
        QCOMPARE(remove->evidence.size(), 2);
        // A forest whose Exchange schema is gone cannot take writeback: that is a failure, not a cleanup.
        inv = {};
        fs = findLingeringExchangeObjects(inv);
        QCOMPARE(fs.front().check, u"keep-exchange-schema"_s);
        QCOMPARE(fs.front().level, FindingLevel::Blocking);
    }

    void statusFollowsRunsAttestationsAndOverrides()
    {
        StepRecord r;
        r.step = ChecklistStep::Uninstall;
        QCOMPARE(evaluateStep(r).status, StepStatus::NotStarted);
        r.runs.push_back(passingRun());
        StepEvaluation e = evaluateStep(r);
        QCOMPARE(e.status, StepStatus::Failed); // attestations outstanding
        QCOMPARE(e.reasons.size(), attestationItems(r.step).size());
        attestAll(r);
        QCOMPARE(evaluateStep(r).status, StepStatus::Passed);
        // A later failing run decides; the earlier stays recorded.
        r.runs.push_back({kNow, u"admin"_s, {{u"exchange-servers"_s, FindingLevel::Blocking, u"EX01"_s, {}}}, {}});
        e = evaluateStep(r);
        QCOMPARE(e.status, StepStatus::Failed);
        QCOMPARE(e.reasons, QStringList{u"EX01"_s});
        QCOMPARE(r.runs.size(), size_t(2));
        r.overrides.push_back({u"EX01 is a powered-off VM, deleted next week"_s, kNow, u"admin"_s});
        QCOMPARE(evaluateStep(r).status, StepStatus::Overridden);
        QCOMPARE(evaluateStep(r).reasons, QStringList{u"EX01"_s}); // still said, for the record
        // A withdrawn attestation counts as not given.
        r.attestations.push_back({u"exchange-uninstalled"_s, false, kNow, u"admin"_s});
        QVERIFY(!r.isAttested(u"exchange-uninstalled"));
        // An error of a run fails it even without findings.
        StepRecord s;
        s.step = ChecklistStep::Uninstall;
        attestAll(s);
        s.runs.push_back({kNow, u"admin"_s, {}, {u"AD unreachable"_s}});
        QCOMPARE(evaluateStep(s).status, StepStatus::Failed);
    }

    void overrideNeedsARealReason()
    {
        QVERIFY(checkOverrideReason(QString()));
        QVERIFY(checkOverrideReason(u"   "_s));
        QVERIFY(checkOverrideReason(u"ok"_s)->contains(u"too short"_s));
        // The edge: kMinimumOverrideReasonLength (15) characters of the reason as written, spaces around and runs
        // of spaces inside not counted.
        QCOMPARE(kMinimumOverrideReasonLength, 15);
        QVERIFY(checkOverrideReason(u"CAB said yes 4"_s)->contains(u"at least 15 characters"_s)); // 14
        QVERIFY(!checkOverrideReason(u"CAB said yes 42"_s));                                      // 15
        QVERIFY(checkOverrideReason(u"  CAB said   yes 4  "_s)->contains(u"too short"_s));         // 14 once simplified
        QVERIFY(!checkOverrideReason(u"  CAB said   yes 42 "_s));
        QVERIFY(!checkOverrideReason(u"Approved by CAB 2026-118: server already wiped"_s));
    }

    void exportHasEveryStepWithItsRecord()
    {
        Checklist c;
        c.step(ChecklistStep::Prerequisites).runs.push_back(passingRun());
        attestAll(c.step(ChecklistStep::Prerequisites));
        c.step(ChecklistStep::Verification).notes.push_back({u"Reviewed with Jo"_s, kNow, u"admin"_s});
        QVERIFY(!c.complete());
        const QJsonObject root = QJsonDocument::fromJson(checklistToJson(c, kNow, u"admin"_s)).object();
        QCOMPARE(root.value("format"_L1).toString(), u"sunset.decommission-checklist"_s);
        QCOMPARE(root.value("complete"_L1).toBool(), false);
        const QJsonArray steps = root.value("steps"_L1).toArray();
        QCOMPARE(steps.size(), 5);
        QCOMPARE(steps.at(0)["status"_L1].toString(), u"passed"_s);
        QCOMPARE(steps.at(0)["runs"_L1][0]["findings"_L1][0]["level"_L1].toString(), u"pass"_s);
        QCOMPARE(steps.at(1)["status"_L1].toString(), u"not-started"_s);
        QCOMPARE(steps.at(1)["notes"_L1][0]["text"_L1].toString(), u"Reviewed with Jo"_s);
        QCOMPARE(steps.at(4)["step"_L1].toString(), u"post-uninstall-cleanup"_s);
    }
};

QTEST_GUILESS_MAIN(TestChecklist)
#include "TestChecklist.moc"
