// SPDX-License-Identifier: Apache-2.0
// The decommission checklist on the demo tenant's files (sunset-cli checklist check STEP --config-ldif
// --hybrid-json --exo --ad-ldif --graph, in-process): every step reports real findings from them — the
// not-cloud-managed mailbox, a fresh scan recorded and judged, the hybrid relationship and connectors, the
// registered server and its SCP, what must stay and what should go — and the file readers' errors name the file.
#include "support/CliRun.h"
#include "support/TestFiles.h"
#include "ChecklistCommands.h"
#include "CliCommands.h"
#include "ExchangeConfiguration.h"
#include "HistoryStore.h"
#include "AttributeCatalog.h"
#include "HybridArtifactsClient.h"

#include <QDateTime>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using test::cli;
using test::CliRun;
using test::writeFile;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kDemo = QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo/");

// Two healthy writeback jobs (the demo's ids and domains) that last succeeded 10 minutes ago, and schemas that
// map all 24 attributes: the answers of GET …/synchronization/jobs and …/jobs/{jobId}/schema.
const QStringList kDemoJobIds{u"Entra2ADExchangeOnlineAttributeWriteback.3b99513e0cee4291aea884356239fb82.5d1c0e7a4b2f"_s,
                              u"Entra2ADExchangeOnlineAttributeWriteback.3b99513e0cee4291aea884356239fb82.9a8b7c6d5e4f"_s};

QByteArray healthyJobsJson()
{
    const QString lastRun = QDateTime::currentDateTimeUtc().addSecs(-600).toString(Qt::ISODate);
    QString jobs;
    for (const auto& [id, domain] : {std::pair{kDemoJobIds[0], u"contoso.com"_s}, {kDemoJobIds[1], u"emea.contoso.com"_s}})
        jobs += (jobs.isEmpty() ? QString() : u","_s) +
                uR"({"id":"%1","templateId":"Entra2ADExchangeOnlineAttributeWriteback",
                    "schedule":{"interval":"PT20M","state":"Active"},
                    "status":{"code":"Active","countSuccessiveCompleteFailures":0,"quarantine":null,
                              "lastSuccessfulExecution":{"timeBegan":"%2","timeEnded":"%2","state":"Succeeded"}},
                    "synchronizationJobSettings":[{"name":"DomainFQDN","value":"%3"}]})"_s.arg(id, lastRun, domain);
    return (u"{\"value\":["_s + jobs + u"]}"_s).toUtf8();
}

QByteArray fullSchemaJson(const QString& jobId)
{
    QString mappings;
    for (const AttributeSpec& spec : AttributeCatalog::all())
        if (spec.writtenBackByCloudSync)
            mappings += (mappings.isEmpty() ? QString() : u","_s) +
                        uR"({"targetAttributeName":"%1","source":{"name":"%2","type":"Attribute"}})"_s.arg(
                            spec.ldapName, spec.exoName);
    return uR"({"id":"%1","synchronizationRules":[{"id":"r","objectMappings":[{"name":"users","attributeMappings":[%2]}]}]})"_s
        .arg(jobId, mappings)
        .toUtf8();
}

// Graph beta's answers, saved: GET /beta/groups and /beta/contacts filtered on
// onPremisesSyncBehavior/isCloudManaged eq false (two pages of groups concatenated).
QString groupsAnswer()
{
    return uR"({"@odata.count":5,"value":[
 {"id":"g1","displayName":"Sales","mail":"sales@contoso.com","mailEnabled":true,"securityEnabled":false,"groupTypes":[],"onPremisesSyncEnabled":true},
 {"id":"g2","displayName":"Finance Approvers","mail":"fin@contoso.com","mailEnabled":true,"securityEnabled":true,"groupTypes":[],"onPremisesSyncEnabled":true},
 {"id":"g3","displayName":"Project X","mail":"px@contoso.com","mailEnabled":true,"securityEnabled":false,"groupTypes":["Unified"],"onPremisesSyncEnabled":true}],
 "@odata.nextLink":"https:\/\/graph.microsoft.com\/beta\/groups?$skiptoken=x"}
{"value":[{"id":"g4","displayName":"Cloud List","mailEnabled":true,"securityEnabled":false,"groupTypes":[],"onPremisesSyncEnabled":null},
 {"id":"g5","displayName":"Moved","mailEnabled":true,"securityEnabled":false,"groupTypes":[],"onPremisesSyncEnabled":true,
  "onPremisesSyncBehavior":{"isCloudManaged":true}}]}
)"_s;
}

QString contactsAnswer()
{
    return uR"({"value":[{"id":"c1","displayName":"Fabrikam Partner","mail":"partner@fabrikam.com","onPremisesSyncEnabled":true}]})"_s;
}

} // namespace

class TestChecklistDemo final : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QStringList demoSources(const QString& hybrid = kDemo + u"demo-hybrid.json"_s) const
    {
        return {u"--config-ldif"_s, kDemo + u"demo-config.ldif"_s, u"--config-ldif"_s, kDemo + u"demo-ad.ldif"_s,
                u"--hybrid-json"_s, hybrid,  u"--exo"_s, kDemo + u"demo-exo.json"_s,
                u"--ad-ldif"_s, kDemo + u"demo-ad.ldif"_s, u"--graph"_s, kDemo + u"demo-graph.json"_s};
    }
    CliRun check(const QString& step, const QString& db, const QStringList& sources)
    {
        return cli(QStringList{u"checklist"_s, u"check"_s, step, u"--db"_s, db} + sources);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void walksAllFiveStepsOnTheDemoFiles()
    {
        const QString db = m_dir.filePath(u"walk.sqlite"_s);

        CliRun r = check(u"prerequisites"_s, db, demoSources());
        QVERIFY2(r.code == kChecklistNotPassed, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(u"blocking: 1 of 2999 directory-synced mailboxes are not cloud-managed"_s), qPrintable(r.out));
        QVERIFY(r.out.contains(u"<anna.schmidt@contoso.com>"_s));
        QVERIFY(r.out.contains(u"ok: The Entra Cloud Sync agent's account is in AD."_s));
        QVERIFY(r.out.contains(u"CN=provAgentgMSA,CN=Managed Service Accounts,DC=contoso,DC=com"_s));
        QVERIFY(!r.out.contains(u"error:"_s));

        r = check(u"verification"_s, db, demoSources());
        QVERIFY2(r.code == kChecklistNotPassed, qPrintable(r.out + r.err));
        QVERIFY(r.out.contains(u"Fresh scan recorded as scan 1."_s));
        QVERIFY2(r.out.contains(u"ok: The latest scan is recent."_s), qPrintable(r.out));
        QVERIFY(r.out.contains(u"critical drift items"_s)); // the demo's planted critical drift
        QVERIFY(r.out.contains(u"2998 matched mailboxes"_s));
        {
            auto history = HistoryStore::open(db, HistoryActor::current());
            QVERIFY(history.ok());
            auto scans = history.value()->scans();
            QVERIFY(scans.ok());
            QCOMPARE(scans->size(), size_t(1));
            QCOMPARE(scans->front().record.adSource, kDemo + u"demo-ad.ldif"_s);
            QCOMPARE(scans->front().record.exoSource, kDemo + u"demo-exo.json"_s);
        }

        r = check(u"hybrid-cleanup"_s, db, demoSources());
        QVERIFY2(r.code == kChecklistNotPassed, qPrintable(r.out + r.err));
        QVERIFY(r.out.contains(u"blocking: The hybrid organization relationship is still in Exchange Online"_s));
        QVERIFY(r.out.contains(u"hybrid inbound: Inbound from 8b5f1c9e"_s));
        QVERIFY(r.out.contains(u"hybrid outbound: Outbound to 8b5f1c9e"_s));
        QVERIFY(r.out.contains(u"other outbound: Fabrikam partner"_s));
        QVERIFY(r.out.contains(u"CN=Hybrid Configuration,CN=Hybrid Configuration,CN=Contoso,CN=Microsoft Exchange"_s));

        r = check(u"uninstall"_s, db, demoSources());
        QVERIFY2(r.code == kChecklistNotPassed, qPrintable(r.out + r.err));
        QVERIFY(r.out.contains(u"CN=EXCH01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT)"_s));
        QVERIFY(r.out.contains(u"Version 15.2 (Build 1544.4)"_s));
        QVERIFY(r.out.contains(u"-> https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml"_s));

        r = check(u"post-uninstall-cleanup"_s, db, demoSources());
        QVERIFY2(r.code == kChecklistNotPassed, qPrintable(r.out + r.err));
        QVERIFY(r.out.contains(u"ok: Keep: the Exchange schema extensions are present"_s));
        QVERIFY(r.out.contains(u"info: Keep: 3002 recipients carry msExch*/extensionAttribute* values"_s));
        QVERIFY(r.out.contains(u"blocking: 4 Exchange organization objects linger in AD"_s));
        QVERIFY(r.out.contains(u"security groups: OU=Microsoft Exchange Security Groups,DC=contoso,DC=com"_s));

        r = cli({u"checklist"_s, u"status"_s, u"--db"_s, db});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out.count(u": Failed"_s), 5);
    }

    // The writeback is checked from Cloud Sync's own state, not attested: the demo's jobs (the child domain's
    // quarantined, the main domain's without mail) fail with their evidence; healthy jobs pass and the
    // attestation is no longer asked for; without the files the checks say what to give and the attestation is.
    void writebackJobsCheckedFromCloudSyncFiles()
    {
        const QString attestation = u"Not attested: Entra Cloud Sync's Exchange Online attribute writeback"_s;
        const QString db = m_dir.filePath(u"writeback.sqlite"_s);
        const QStringList demoSync{u"--sync-jobs"_s, kDemo + u"demo-sync-jobs.json"_s, u"--sync-schema"_s,
                                   kDemo + u"demo-sync-schema.json"_s};
        CliRun r = check(u"prerequisites"_s, db, demoSources() + demoSync);
        QVERIFY2(r.code == kChecklistNotPassed, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(u"ok: Every AD domain with mailboxes has its writeback job"_s), qPrintable(r.out));
        QVERIFY(r.out.contains(u"emea.contoso.com (1 recipient with Exchange values): job "_s + kDemoJobIds[1]));
        QVERIFY(r.out.contains(u"blocking: Writeback jobs not running: 1 quarantined"_s));
        QVERIFY(r.out.contains(u"status Quarantine, schedule Active; quarantined (EncounteredQuarantineException) since "
                               "2026-11-23 07:00 UTC"_s));
        QVERIFY(r.out.contains(u"contoso.com (job "_s + kDemoJobIds[0] + u"): not mapped: mail\n"_s));
        QVERIFY(r.out.contains(u"\"Restore default mappings\" (this restarts the job"_s));
        QVERIFY(r.out.contains(u"blocking: 2 writeback jobs have not run successfully within 2 schedule intervals"_s));
        r = cli({u"checklist"_s, u"status"_s, u"--db"_s, db});
        QVERIFY2(!r.out.contains(attestation), qPrintable(r.out));

        const QString jobs = m_dir.filePath(u"healthy-jobs.json"_s);
        const QString schemas = m_dir.filePath(u"full-schemas.json"_s);
        QVERIFY(writeFile(jobs, healthyJobsJson()));
        QVERIFY(writeFile(schemas, fullSchemaJson(kDemoJobIds[0]) + '\n' + fullSchemaJson(kDemoJobIds[1])));
        r = check(u"prerequisites"_s, db, demoSources() + QStringList{u"--sync-jobs"_s, jobs, u"--sync-schema"_s, schemas});
        QVERIFY2(r.out.contains(u"ok: All 2 writeback jobs are active and not quarantined."_s), qPrintable(r.out + r.err));
        QVERIFY(r.out.contains(u"ok: Every writeback job maps all 24 Exchange attributes."_s));
        QVERIFY(r.out.contains(u"ok: Every writeback job ran successfully within 2 schedule intervals."_s));
        QVERIFY(r.out.contains(u"(10 min ago), interval 20 min: within 2 intervals"_s));
        QVERIFY(!r.out.contains(u"blocking: Writeback"_s));

        r = check(u"prerequisites"_s, db, demoSources());
        QVERIFY2(r.out.contains(u"not read: Cloud Sync's writeback jobs were not read: give --sync-jobs FILE and "
                                "--sync-schema FILE"_s),
                 qPrintable(r.out));
        r = cli({u"checklist"_s, u"status"_s, u"--db"_s, db});
        QVERIFY2(r.out.contains(attestation), qPrintable(r.out));

        // A schema alone is refused, naming the file and what is missing.
        r = check(u"prerequisites"_s, db, demoSources() + QStringList{u"--sync-schema"_s, schemas});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(u"error: Reading Cloud Sync's writeback jobs: "_s + schemas) &&
                     r.out.contains(u"give the jobs too (--sync-jobs FILE)"_s),
                 qPrintable(r.out));
    }

    // Groups and contacts still managed on-premises, from Graph beta's saved answers: the synced distribution list,
    // the mail-enabled security group and the contact block by name; a Microsoft 365 group, a cloud-managed list and
    // a never-synced one do not. Without the files the check is not read and the attestation is asked for.
    void groupsAndContactsFromSavedAnswers()
    {
        const QString soa = u"Not attested: Groups and contacts have had their source of authority"_s;
        const QString db = m_dir.filePath(u"soa.sqlite"_s);
        const QString groups = m_dir.filePath(u"groups.json"_s);
        const QString contacts = m_dir.filePath(u"contacts.json"_s);
        QVERIFY(writeFile(groups, groupsAnswer().toUtf8()));
        QVERIFY(writeFile(contacts, contactsAnswer().toUtf8()));
        CliRun r = check(u"prerequisites"_s, db, demoSources() + QStringList{u"--groups"_s, groups, u"--contacts"_s, contacts});
        QVERIFY2(r.out.contains(u"blocking: 2 synced mail-enabled groups and 1 mail contact still have their source of "
                                "authority on-premises"_s),
                 qPrintable(r.out + r.err));
        QVERIFY(r.out.contains(u"      distribution list: Sales <sales@contoso.com> (id g1)\n"
                               "      mail-enabled security group: Finance Approvers <fin@contoso.com> (id g2)\n"
                               "      mail contact: Fabrikam Partner <partner@fabrikam.com> (id c1)\n"_s));
        r = cli({u"checklist"_s, u"status"_s, u"--db"_s, db});
        QVERIFY2(!r.out.contains(soa), qPrintable(r.out));

        r = check(u"prerequisites"_s, db, demoSources());
        QVERIFY2(r.out.contains(u"not read: The source of authority of groups and contacts was not read (groups: give "
                                "--groups FILE"_s),
                 qPrintable(r.out));
        r = cli({u"checklist"_s, u"status"_s, u"--db"_s, db});
        QVERIFY(r.out.contains(soa));

        // A damaged answer is an error naming the file and the member.
        QVERIFY(writeFile(contacts, uR"({"value":[{"id":"c1","onPremisesSyncEnabled":"yes"}]})"_s.toUtf8()));
        r = check(u"prerequisites"_s, db, demoSources() + QStringList{u"--contacts"_s, contacts});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(contacts) && r.out.contains(u"onPremisesSyncEnabled: expected true or false"_s),
                 qPrintable(r.out));
    }

    // Once the hybrid objects are gone from Exchange Online, the same check on an emptied answer passes that part.
    void hybridObjectsRemovedPassTheCloudSide()
    {
        const QString empty = m_dir.filePath(u"hybrid-removed.json"_s);
        QVERIFY(writeFile(empty, R"({"Get-OrganizationRelationship": {"value": []}, "Get-InboundConnector":
                                    {"value": []}, "Get-OutboundConnector": {"value": [{"Name": "Fabrikam partner"}]}})"));
        const CliRun r = check(u"hybrid-cleanup"_s, m_dir.filePath(u"removed.sqlite"_s), demoSources(empty));
        QVERIFY2(!r.out.contains(u"organization relationship is still"_s), qPrintable(r.out));
        QVERIFY(!r.out.contains(u"hybrid inbound:"_s));
        QVERIFY(r.out.contains(u"CN=Hybrid Configuration,CN=Hybrid Configuration"_s)); // AD's side still there
    }

    void readersNameTheBadFile()
    {
        const QString broken = m_dir.filePath(u"broken.json"_s);
        QVERIFY(writeFile(broken, R"({"Get-OrganizationRelationship": {"value": []}})"));
        Result<HybridArtifacts> hybrid = readHybridArtifactsFile(broken);
        QVERIFY(!hybrid.ok());
        QVERIFY2(hybrid.error().toString().contains(u"Get-InboundConnector"_s), qPrintable(hybrid.error().toString()));
        QVERIFY(hybrid.error().toString().contains(broken));

        Result<ExchangeConfiguration> config = readExchangeConfigurationLdif({m_dir.filePath(u"missing.ldif"_s)});
        QVERIFY(!config.ok());
        QVERIFY(config.error().toString().contains(u"missing.ldif"_s));

        // Only the configuration file: no users, so no recipients counted, and no schema claimed without its entries.
        const QString bare = m_dir.filePath(u"bare.ldif"_s);
        QVERIFY(writeFile(bare, "dn: CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=x\nobjectClass: "
                                "msExchConfigurationContainer\n\n"));
        config = readExchangeConfigurationLdif({bare});
        QVERIFY(config.ok());
        QVERIFY(!config->schemaExtended);
        QCOMPARE(config->recipientsWithExchangeAttributes, 0);
        QCOMPARE(config->configurationNamingContext, QByteArray("CN=Configuration,DC=x"));
        QVERIFY(config->servers.empty());
    }

    // On the command line, a snapshot that cannot be read fails the check (exit 1, nothing judged on it) with an
    // error naming the file.
    void checkNamesTheUnreadableSnapshot()
    {
        const QString db = m_dir.filePath(u"errors.sqlite"_s);
        const QString missing = m_dir.filePath(u"no-such-hybrid.json"_s);
        CliRun r = check(u"hybrid-cleanup"_s, db,
                         {u"--hybrid-json"_s, missing, u"--config-ldif"_s, kDemo + u"demo-config.ldif"_s});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(u"Reading the hybrid objects snapshot: "_s + missing), qPrintable(r.out));

        const QString broken = m_dir.filePath(u"broken-config.ldif"_s);
        QVERIFY(writeFile(broken, "version: 1\n\ndn: CN=EXCH01,CN=Servers\nthis line has no colon\n\n"));
        r = check(u"uninstall"_s, db, {u"--config-ldif"_s, broken});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(u"Reading the Exchange configuration snapshot: "_s + broken), qPrintable(r.out));

        const QString missingAd = m_dir.filePath(u"no-such-ad.ldif"_s);
        r = check(u"verification"_s, db,
                  {u"--ad-ldif"_s, missingAd, u"--exo"_s, kDemo + u"demo-exo.json"_s});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(u"The fresh scan could not read AD: "_s + missingAd) ||
                     r.err.contains(u"The fresh scan could not read AD: "_s + missingAd),
                 qPrintable(r.out + r.err));
    }

    // Without the snapshot options, the AD steps still name both ways to give AD.
    void missingSourcesNameTheFileOptions()
    {
        const CliRun r = cli({u"checklist"_s, u"check"_s, u"uninstall"_s, u"--db"_s, m_dir.filePath(u"none.sqlite"_s)});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(u"--config-ldif FILE"_s), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(TestChecklistDemo)
#include "TestChecklistDemo.moc"
