// SPDX-License-Identifier: Apache-2.0
// Every cause of issue 14 planted on a hand-built tenant (Cloud Sync state, provisioning log, AD replication
// metadata) and found with its evidence; then the JSON report that carries them.
#include "DriftCauseFinder.h"
#include "DriftReportWriter.h"
#include "RecordFactory.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace sunset;
using namespace testing;
using namespace Qt::Literals::StringLiterals;
using A = AttributeId;
using P = CloudProperty;
using F = IdentityField;

namespace {

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kNow = 1795510800000; // 2026-11-24T09:00:00Z
constexpr qint64 kLastRun = kNow - 30 * kMinute;

QByteArray objectId(int i) { return u"00000000-0000-4000-8000-%1"_s.arg(i, 12, 10, QChar(u'0')).toUtf8(); }

// One tenant, one pair per planted cause. Pairs drift on extensionAttribute1 (written back) unless said otherwise.
class PlantedTenant final {
public:
    enum Pair : int {
        NotCloudManaged, NotWrittenBack, QuarantinedDomain, NoJobDomain, NotMappedMail, Failed, Skipped,
        RedundantThenPending, SecondWriterAfterLog, SecondWriterAfterRun, Unexplained, CloudManagedUnknown, Count
    };

    PlantedTenant()
    {
        ad.side = Side::ActiveDirectory;
        cloud.side = Side::Cloud;
        for (int i = 0; i < Count; ++i)
            add(Pair(i));

        auto state = std::make_shared<CloudSyncState>();
        state->jobsRead = true;
        state->jobsSource = u"jobs.json"_s;
        state->schemaSource = u"schema.json"_s;
        WritebackJob healthy;
        healthy.id = u"Entra2ADExchangeOnlineAttributeWriteback.a.contoso"_s;
        healthy.domain = u"contoso.com"_s;
        healthy.statusCodeText = u"Active"_s;
        healthy.code = SyncJobCode::Active;
        healthy.scheduleIntervalMsecs = 20 * kMinute;
        healthy.scheduleState = u"Active"_s;
        healthy.lastSuccessfulExecution = SyncExecution{kLastRun - kMinute, kLastRun, u"Succeeded"_s, {}};
        healthy.schemaRead = true;
        for (const AttributeSpec& spec : AttributeCatalog::all())
            if (spec.writtenBackByCloudSync && spec.id != A::Mail) // a job configured before mail was mapped
                healthy.mappedAttributes |= 1u << int(spec.id);
        WritebackJob quarantined = healthy;
        quarantined.id = u"Entra2ADExchangeOnlineAttributeWriteback.a.fabrikam"_s;
        quarantined.domain = u"fabrikam.com"_s;
        quarantined.statusCodeText = u"Quarantine"_s;
        quarantined.code = SyncJobCode::Quarantine;
        quarantined.quarantine = SyncQuarantine{u"EncounteredQuarantineException"_s, kNow - 120 * kMinute,
                                                kNow - 120 * kMinute, kNow + 600 * kMinute};
        state->jobs = {healthy, quarantined};

        state->provisioningRead = true;
        state->provisioningSource = u"provisioning.json"_s;
        ProvisioningEntry failed{kNow - 20 * kMinute, ProvisioningStatus::Failure, healthy.id,
                                 u"InsufficientRights"_s, u"NonServiceFailure"_s, u"Access is denied."_s,
                                 u"Grant the Cloud Sync account write access to OU=Staff,DC=contoso,DC=com."_s, {}};
        state->provisioning.add(objectId(Failed), failed, {});
        ProvisioningEntry skipped{kNow - 20 * kMinute, ProvisioningStatus::Skipped, healthy.id, {}, {}, {}, {},
                                  u"NotInScope"_s};
        state->provisioning.add(objectId(Skipped), skipped, {});
        ProvisioningEntry redundant = skipped;
        redundant.skipReason = u"RedundantExport"_s;
        state->provisioning.add(objectId(RedundantThenPending), redundant, {});
        ProvisioningEntry success{kNow - 50 * kMinute, ProvisioningStatus::Success, healthy.id, {}, {}, {}, {}, {}};
        state->provisioning.add(objectId(SecondWriterAfterLog), success, {{A::ExtensionAttribute1, 0, u"b"_s}});
        state->provisioning.add(objectId(Unexplained), success, {{A::ExtensionAttribute1, 0, u"b"_s}});
        cloudSync = state;
    }

    DriftReport compute() const
    {
        MatchResult match;
        for (qint32 i = 0; i < qint32(ad.records.size()); ++i)
            match.pairs.push_back({i, i, MatchKey::SourceAnchor});
        DriftOptions options;
        options.asOfMsecs = kNow;
        options.cloudSync = cloudSync;
        return computeDrift(ad, cloud, match, options);
    }

    Snapshot ad;
    Snapshot cloud;
    std::shared_ptr<const CloudSyncState> cloudSync;

private:
    void add(Pair pair)
    {
        const QByteArray domain = pair == QuarantinedDomain ? "DC=fabrikam,DC=com"
                                  : pair == NoJobDomain     ? "DC=tailspin,DC=com"
                                                            : "DC=contoso,DC=com";
        const QByteArray dn = "CN=Mailbox " + QByteArray::number(pair) + ",OU=Staff," + domain;
        const QByteArray managed = pair == NotCloudManaged ? "false" : pair == CloudManagedUnknown ? "" : "true";
        // The cloud changed before the last run, except where the writeback is pending.
        const qint64 cloudChanged = pair == RedundantThenPending ? kNow - 5 * kMinute : kLastRun - 60 * kMinute;
        if (pair == NotWrittenBack) {
            ad.records.push_back(adRecord({{A::MsExchHideFromAddressLists, "FALSE"}}, {{F::DistinguishedName, dn}}));
            cloud.records.push_back(cloudRecord({{P::HiddenFromAddressListsEnabled, "True"}},
                                                {{F::ExternalDirectoryObjectId, objectId(pair)},
                                                 {F::CloudManaged, managed}}));
            return;
        }
        if (pair == NotMappedMail) {
            ad.records.push_back(adRecord({{A::Mail, "old@contoso.com"}}, {{F::DistinguishedName, dn}}));
            cloud.records.push_back(cloudRecord({{P::WindowsEmailAddress, "new@contoso.com"}},
                                                {{F::ExternalDirectoryObjectId, objectId(pair)},
                                                 {F::CloudManaged, managed},
                                                 {F::WhenChangedMsecs, QByteArray::number(cloudChanged)}}));
            return;
        }
        ad.records.push_back(adRecord({{A::ExtensionAttribute1, "a"}}, {{F::DistinguishedName, dn}}));
        Ids ids{{F::ExternalDirectoryObjectId, objectId(pair)}, {F::CloudManaged, managed},
                {F::WhenChangedMsecs, QByteArray::number(cloudChanged)}};
        cloud.records.push_back(cloudRecord({{P::CustomAttribute1, "b"}}, ids));
        // AD's replication metadata: a second writer after the writeback's logged write (50 minutes ago) or,
        // without a logged write, after the last run; otherwise the attribute last changed long before.
        qint64 adChanged = kNow - 24 * 60 * kMinute;
        if (pair == SecondWriterAfterLog)
            adChanged = kNow - 10 * kMinute;
        if (pair == SecondWriterAfterRun)
            adChanged = kLastRun + 15 * kMinute;
        if (pair != CloudManagedUnknown)
            ad.changeMetadata.byDn.insert(dn, {{adChanged, 7, 0, A::ExtensionAttribute1}});
        ad.changeMetadata.dcs = {{u"6f1c…"_s, u"DC02"_s}};
    }
};

const DriftItem& only(const DriftReport& report, int pair)
{
    const auto items = report.driftOf(size_t(pair));
    if (items.size() != 1)
        qFatal("pair %d has %d drift items, expected one", pair, int(items.size()));
    return items.front();
}

} // namespace

class TestDriftCauses final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyPlantedCauseIsFound()
    {
        const PlantedTenant t;
        const DriftReport r = t.compute();
        using T = PlantedTenant;
        QCOMPARE(only(r, T::NotCloudManaged).cause, DriftCause::NotCloudManaged);
        QCOMPARE(only(r, T::NotWrittenBack).cause, DriftCause::NotWrittenBack);
        QCOMPARE(only(r, T::QuarantinedDomain).cause, DriftCause::JobUnhealthy);
        QCOMPARE(only(r, T::NoJobDomain).cause, DriftCause::JobUnhealthy);
        QCOMPARE(only(r, T::NotMappedMail).cause, DriftCause::NotMapped);
        QCOMPARE(only(r, T::Failed).cause, DriftCause::WritebackFailed);
        QCOMPARE(only(r, T::Skipped).cause, DriftCause::WritebackSkipped);
        QCOMPARE(only(r, T::RedundantThenPending).cause, DriftCause::WritebackPending);
        QCOMPARE(only(r, T::SecondWriterAfterLog).cause, DriftCause::ChangedInAdAfterWriteback);
        QCOMPARE(only(r, T::SecondWriterAfterRun).cause, DriftCause::ChangedInAdAfterWriteback);
        QCOMPARE(only(r, T::Unexplained).cause, DriftCause::Unexplained);
        QCOMPARE(only(r, T::CloudManagedUnknown).cause, DriftCause::Unexplained);
    }

    // DriftCauseFinder::kWritebackSlackMsecs at its edge: an AD write up to the slack after the logged writeback
    // is the writeback's own; one millisecond later it is a second writer.
    void secondWriterSlackAtItsEdge()
    {
        PlantedTenant t;
        const qint64 loggedWrite = kNow - 50 * kMinute; // the success entry of SecondWriterAfterLog
        const QByteArray dn = "CN=Mailbox " + QByteArray::number(PlantedTenant::SecondWriterAfterLog) +
                              ",OU=Staff,DC=contoso,DC=com";
        QVERIFY(t.ad.changeMetadata.contains(dn));
        auto stampAt = [&](qint64 msecs) {
            t.ad.changeMetadata.byDn[dn] = {{msecs, 7, 0, A::ExtensionAttribute1}};
            return only(t.compute(), PlantedTenant::SecondWriterAfterLog).cause;
        };
        QCOMPARE(DriftCauseFinder::kWritebackSlackMsecs, 5 * kMinute);
        QVERIFY(stampAt(loggedWrite + DriftCauseFinder::kWritebackSlackMsecs) != DriftCause::ChangedInAdAfterWriteback);
        QCOMPARE(stampAt(loggedWrite + DriftCauseFinder::kWritebackSlackMsecs + 1),
                 DriftCause::ChangedInAdAfterWriteback);
        QVERIFY(stampAt(loggedWrite - kMinute) != DriftCause::ChangedInAdAfterWriteback); // before the writeback
    }

    void evidenceNamesWhatProvedIt()
    {
        const PlantedTenant t;
        const DriftReport r = t.compute();
        const CloudSyncState& s = *r.cloudSync;
        using T = PlantedTenant;

        const DriftItem& quarantined = only(r, T::QuarantinedDomain);
        QCOMPARE(quarantined.evidence.job, 1);
        QVERIFY(causeInWords(quarantined, s).contains(u"quarantined (EncounteredQuarantineException) since "
                                                      "2026-11-24 07:00 UTC"_s));
        const DriftItem& noJob = only(r, T::NoJobDomain);
        QCOMPARE(noJob.evidence.job, -1);
        QVERIFY(noJob.evidence.noJobForDomain);

        const DriftItem& failed = only(r, T::Failed);
        QCOMPARE(failed.evidence.job, 0);
        QVERIFY(failed.evidence.provisioning >= 0);
        QCOMPARE(s.provisioning.objects[size_t(failed.evidence.provisioning)].latest.errorCode, u"InsufficientRights"_s);
        QCOMPARE(causeInWords(failed, s), u"Cloud Sync failed at 2026-11-24 08:40 UTC: InsufficientRights. Grant "
                                          "the Cloud Sync account write access to OU=Staff,DC=contoso,DC=com."_s);

        QCOMPARE(causeInWords(only(r, T::Skipped), s), u"Cloud Sync skipped this mailbox at 2026-11-24 08:40 UTC: "
                                                       "NotInScope."_s);

        const DriftItem& pending = only(r, T::RedundantThenPending);
        QCOMPARE(pending.evidence.cloudChangedMsecs, kNow - 5 * kMinute);
        QVERIFY(causeInWords(pending, s).endsWith(u"Next run due 2026-11-24 08:50 UTC."_s));

        const DriftItem& afterLog = only(r, T::SecondWriterAfterLog);
        QCOMPARE(afterLog.evidence.lastWriteMsecs, kNow - 50 * kMinute);
        QVERIFY(afterLog.evidence.ad);
        QCOMPARE(afterLog.evidence.ad->originatingDc, u"DC02"_s);
        QCOMPARE(afterLog.evidence.ad->version, 7u);
        QCOMPARE(causeInWords(afterLog, s), u"AD changed it at 2026-11-24 08:50 UTC on DC02 (version 7), after Cloud "
                                            "Sync wrote it at 2026-11-24 08:10 UTC: another writer is fighting "
                                            "Cloud Sync."_s);
        const DriftItem& afterRun = only(r, T::SecondWriterAfterRun);
        QCOMPARE(afterRun.evidence.lastWriteMsecs, 0); // no logged write: the run is the reference
        QVERIFY(afterRun.evidence.missing & EvidenceMissing::ProvisioningEntry);

        // Everything was read and nothing explains it: said so, no guess.
        const DriftItem& unexplained = only(r, T::Unexplained);
        QCOMPARE(unexplained.evidence.missing, quint8(0));
        QVERIFY(missingEvidenceTexts(unexplained.evidence, s).front().contains(u"nothing read explains it"_s));
        QCOMPARE(only(r, T::CloudManagedUnknown).evidence.missing, quint8(EvidenceMissing::CloudManagedFlag));
    }

    // The causes judge each object's latest entry: failures before a success (recovered) do not make drift a failed
    // writeback, and a success before the failures does not hide one.
    void earlierEntriesLeaveTheCauseToTheLatest()
    {
        PlantedTenant t;
        auto state = std::make_shared<CloudSyncState>(*t.cloudSync);
        ProvisioningEntry failure{kNow - 90 * kMinute, ProvisioningStatus::Failure, state->jobs.front().id,
                                  u"InsufficientRights"_s, {}, u"Access is denied."_s, {}, {}};
        for (const PlantedTenant::Pair pair : {PlantedTenant::SecondWriterAfterLog, PlantedTenant::Unexplained}) {
            state->provisioning.add(objectId(pair), failure, {});
            failure.activityMsecs += 10 * kMinute; // still before their success (50 minutes ago)
            state->provisioning.add(objectId(pair), failure, {});
        }
        state->provisioning.add(objectId(PlantedTenant::Failed),
                                {kNow - 200 * kMinute, ProvisioningStatus::Success, state->jobs.front().id, {}, {}, {},
                                 {}, {}},
                                {{A::ExtensionAttribute1, 0, u"b"_s}});
        t.cloudSync = state;
        QCOMPARE(state->provisioning.troubleCounts().recovered, 2);
        const DriftReport r = t.compute();
        QCOMPARE(only(r, PlantedTenant::SecondWriterAfterLog).cause, DriftCause::ChangedInAdAfterWriteback);
        QCOMPARE(only(r, PlantedTenant::Unexplained).cause, DriftCause::Unexplained);
        QCOMPARE(only(r, PlantedTenant::Failed).cause, DriftCause::WritebackFailed);
    }

    void missingPiecesAreNamed()
    {
        PlantedTenant t;
        // Nothing of Cloud Sync read, as a scan without --sync-jobs / --provisioning-log: every written-back item
        // of a cloud-managed mailbox is unexplained, and says what to give; the AD metadata still counts.
        t.cloudSync = nullptr;
        const DriftReport r = t.compute();
        QCOMPARE(only(r, PlantedTenant::Failed).cause, DriftCause::Unexplained);
        QCOMPARE(only(r, PlantedTenant::QuarantinedDomain).cause, DriftCause::Unexplained);
        const QStringList texts = missingEvidenceTexts(only(r, PlantedTenant::Failed).evidence, *r.cloudSync);
        QCOMPARE(texts, (QStringList{
                            u"no Cloud Sync job state read: give --sync-jobs or sign in with Synchronization.Read.All"_s,
                            u"no provisioning log read: give --provisioning-log or sign in with AuditLog.Read.All"_s}));

        // The log read, but without this object: its window and the retention are named.
        auto logOnly = std::make_shared<CloudSyncState>();
        logOnly->provisioningRead = true;
        logOnly->provisioning.add("someone-else", {kNow - 60 * kMinute, ProvisioningStatus::Success, {}, {}, {}, {},
                                                   {}, {}},
                                  {});
        t.cloudSync = logOnly;
        const DriftReport withLog = t.compute();
        const DriftItem& item = only(withLog, PlantedTenant::Failed);
        QCOMPARE(item.cause, DriftCause::Unexplained);
        QVERIFY(missingEvidenceTexts(item.evidence, *withLog.cloudSync)
                    .contains(u"no provisioning log entry for this object in the log read (2026-11-24 08:00 UTC to "
                              "2026-11-24 08:00 UTC); retention is 30 days, 7 without Entra ID P1"_s));

        // A job saved without its status (e.g. with $select): its health is unknown, never "never ran".
        auto noStatus = std::make_shared<CloudSyncState>();
        noStatus->jobsRead = true;
        noStatus->jobs.push_back({});
        noStatus->jobs.back().id = u"Entra2ADExchangeOnlineAttributeWriteback.a.b"_s;
        noStatus->jobs.back().domain = u"contoso.com"_s;
        t.cloudSync = noStatus;
        const DriftReport withoutStatus = t.compute();
        const DriftItem& unknownHealth = only(withoutStatus, PlantedTenant::Unexplained);
        QCOMPARE(unknownHealth.cause, DriftCause::Unexplained);
        QVERIFY(unknownHealth.evidence.missing & EvidenceMissing::JobState);
    }

    void jsonReportCarriesCauseAndEvidence()
    {
        const PlantedTenant t;
        const DriftReport r = t.compute();
        const DriftSummary summary = summarize(r, t.ad, t.cloud);
        QCOMPARE(summary.itemsByCause[size_t(DriftCause::JobUnhealthy)], 2);
        QCOMPARE(summary.itemsByCause[size_t(DriftCause::ChangedInAdAfterWriteback)], 2);
        QCOMPARE(summary.itemsByCause[size_t(DriftCause::Unexplained)], 2);
        const ReportSources sources{u"ad.ldif"_s, u"exo.json"_s, {}};
        QByteArray json;
        writeDriftReportJson({r, t.ad, t.cloud, summary, sources}, [&](const QByteArray& chunk) { json += chunk; });
        QJsonParseError error;
        const QJsonObject root = QJsonDocument::fromJson(json, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(root[u"formatVersion"_s].toInt(), 2);
        QCOMPARE(root[u"sources"_s][u"syncJobs"_s].toString(), u"jobs.json"_s);
        QCOMPARE(root[u"sources"_s][u"provisioningLog"_s].toString(), u"provisioning.json"_s);
        const QJsonObject byCause = root[u"summary"_s][u"byCause"_s].toObject();
        QCOMPARE(byCause.size(), int(DriftCause::Count));
        QCOMPARE(byCause[u"writebackFailed"_s].toInt(), 1);
        QCOMPARE(byCause[u"notMapped"_s].toInt(), 1);
        const QJsonArray mailboxes = root[u"mailboxes"_s].toArray();
        auto itemOf = [&](int pair) { return mailboxes[pair][u"drift"_s][0].toObject(); };

        const QJsonObject failed = itemOf(PlantedTenant::Failed);
        QCOMPARE(failed[u"cause"_s].toString(), u"writebackFailed"_s);
        const QJsonObject prov = failed[u"evidence"_s][u"provisioning"_s].toObject();
        QCOMPARE(prov[u"status"_s].toString(), u"failure"_s);
        QCOMPARE(prov[u"errorCode"_s].toString(), u"InsufficientRights"_s);
        QCOMPARE(prov[u"activityDateTime"_s].toString(), u"2026-11-24T08:40:00Z"_s);
        QVERIFY(prov[u"recommendedAction"_s].toString().startsWith(u"Grant"_s));
        QVERIFY(prov[u"skipReason"_s].isNull());
        const QJsonObject job = failed[u"evidence"_s][u"job"_s].toObject();
        QCOMPARE(job[u"status"_s].toString(), u"Active"_s);
        QCOMPARE(job[u"lastSuccessfulRun"_s].toString(), u"2026-11-24T08:30:00Z"_s);
        QCOMPARE(job[u"nextRunDue"_s].toString(), u"2026-11-24T08:50:00Z"_s);

        const QJsonObject quarantined = itemOf(PlantedTenant::QuarantinedDomain)[u"evidence"_s][u"job"_s].toObject();
        QCOMPARE(quarantined[u"quarantineReason"_s].toString(), u"EncounteredQuarantineException"_s);
        QCOMPARE(quarantined[u"quarantinedSince"_s].toString(), u"2026-11-24T07:00:00Z"_s);
        QCOMPARE(quarantined[u"nextRunDue"_s].toString(), u"2026-11-24T19:00:00Z"_s); // its next attempt
        const QJsonObject noJob = itemOf(PlantedTenant::NoJobDomain)[u"evidence"_s][u"job"_s].toObject();
        QVERIFY(noJob[u"id"_s].isNull());
        QCOMPARE(noJob[u"domain"_s].toString(), u"tailspin.com"_s);
        QCOMPARE(noJob[u"status"_s].toString(), u"noWritebackJob"_s);

        const QJsonObject adMetadata = itemOf(PlantedTenant::SecondWriterAfterLog)[u"evidence"_s][u"adMetadata"_s].toObject();
        QCOMPARE(adMetadata[u"originatingChangeTime"_s].toString(), u"2026-11-24T08:50:00Z"_s);
        QCOMPARE(adMetadata[u"originatingDc"_s].toString(), u"DC02"_s);
        QCOMPARE(adMetadata[u"version"_s].toInt(), 7);

        const QJsonObject pending = itemOf(PlantedTenant::RedundantThenPending)[u"evidence"_s].toObject();
        QCOMPARE(pending[u"cloudChanged"_s].toString(), u"2026-11-24T08:55:00Z"_s);

        const QJsonObject unknown = itemOf(PlantedTenant::CloudManagedUnknown);
        QCOMPARE(unknown[u"cause"_s].toString(), u"unexplained"_s);
        QVERIFY(unknown[u"evidence"_s][u"missing"_s][0].toString().contains(u"IsExchangeCloudManaged"_s));
        // Causes told by the catalog or the export carry an empty evidence object, never a made-up one.
        QCOMPARE(itemOf(PlantedTenant::NotWrittenBack)[u"evidence"_s].toObject(), QJsonObject());
    }

    void causeKeysRoundTrip()
    {
        for (int c = 0; c < int(DriftCause::Count); ++c)
            QCOMPARE(driftCauseFromKey(QString(driftCauseKey(DriftCause(c)))), std::optional<DriftCause>(DriftCause(c)));
        QVERIFY(!driftCauseFromKey(u"recentChange"));
    }
};

QTEST_GUILESS_MAIN(TestDriftCauses)
#include "TestDriftCauses.moc"
