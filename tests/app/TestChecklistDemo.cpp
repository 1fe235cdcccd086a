// SPDX-License-Identifier: Apache-2.0
// The decommission checklist on the demo tenant's files (sunset-cli checklist check STEP --config-ldif
// --hybrid-json --exo --ad-ldif --graph, in-process): every step reports real findings from them — the
// not-cloud-managed mailbox, a fresh scan recorded and judged, the hybrid relationship and connectors, the
// registered server and its SCP, what must stay and what should go — and the file readers' errors name the file.
#include "../CliRun.h"
#include "ChecklistCommands.h"
#include "CliCommands.h"
#include "ExchangeConfiguration.h"
#include "HistoryStore.h"
#include "HybridArtifactsClient.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using test::cli;
using test::CliRun;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kDemo = QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo/");

bool writeFile(const QString& path, const QByteArray& data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
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
