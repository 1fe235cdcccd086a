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
