// SPDX-License-Identifier: Apache-2.0
// The bundled demo tenant: the generator reproduces it byte for byte, and `sunset-cli diff` on it reports
// exactly the drift the generator planted (no more, no less), from the JSON and from the CSV export alike.
#include "support/Rfc4180.h"
#include "CliCommands.h"
#include "CsvCell.h"
#include "DemoTenantGenerator.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kDemo = QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo/");

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

QJsonObject readJson(const QString& path)
{
    return QJsonDocument::fromJson(readAll(path)).object();
}

QStringList strings(const QJsonValue& v)
{
    QStringList list;
    for (const QJsonValue& item : v.toArray())
        list << item.toString();
    return list;
}

// "upn | attribute | severity | cause" per drift item.
QSet<QString> plantedDrift(const QJsonObject& manifest)
{
    QSet<QString> set;
    for (const QJsonValue& v : manifest.value(u"drift"_s).toArray()) {
        const QJsonObject o = v.toObject();
        set << QStringList{o[u"upn"_s].toString(), o[u"attribute"_s].toString(), o[u"severity"_s].toString(),
                           o[u"cause"_s].toString()}.join(u" | "_s);
    }
    return set;
}

QSet<QString> reportedDrift(const QJsonObject& report)
{
    QSet<QString> set;
    for (const QJsonValue& m : report.value(u"mailboxes"_s).toArray())
        for (const QJsonValue& d : m.toObject().value(u"drift"_s).toArray()) {
            const QJsonObject o = d.toObject();
            set << QStringList{m.toObject()[u"upn"_s].toString(), o[u"attribute"_s].toString(),
                               o[u"severity"_s].toString(), o[u"cause"_s].toString()}.join(u" | "_s);
        }
    return set;
}

} // namespace

// Cloud Sync's state for the demo: the causes are measured from these.
QStringList cloudSyncFiles()
{
    return {u"--sync-jobs"_s, kDemo + u"demo-sync-jobs.json"_s, u"--sync-schema"_s, kDemo + u"demo-sync-schema.json"_s,
            u"--provisioning-log"_s, kDemo + u"demo-provisioning.json"_s};
}

class TestDemoTenant final : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;

    QJsonObject diff(const QString& exoFile)
    {
        const QString out = m_tmp.filePath(u"report.json"_s);
        QString stdoutText, stderrText;
        QTextStream o(&stdoutText), e(&stderrText);
        const int code = runCli(QStringList{u"diff"_s, u"--ad"_s, kDemo + u"demo-ad.ldif"_s, u"--exo"_s, kDemo + exoFile,
                                            u"--graph"_s, kDemo + u"demo-graph.json"_s, u"--json"_s, out} +
                                    cloudSyncFiles(),
                                o, e);
        o.flush();
        e.flush();
        if (code != 0)
            qWarning().noquote() << stderrText;
        [&] { QCOMPARE(code, 0); }();
        return readJson(out);
    }

    void compareWithManifest(const QJsonObject& report)
    {
        const QJsonObject manifest = readJson(kDemo + u"planted-drift.json"_s);
        const QSet<QString> planted = plantedDrift(manifest);
        const QSet<QString> reported = reportedDrift(report);
        QVERIFY2(planted.size() == 16, "the manifest lists the 16 planted drift items");
        QCOMPARE(QStringList(QSet(reported).subtract(planted).values()), QStringList()); // nothing extra
        QCOMPARE(QStringList(QSet(planted).subtract(reported).values()), QStringList()); // nothing missed
        QCOMPARE(reported.size(), planted.size());

        const QJsonObject unmatched = report.value(u"unmatched"_s).toObject();
        QCOMPARE(strings(unmatched.value(u"ad"_s)), strings(manifest.value(u"adOnly"_s)));
        QCOMPARE(strings(unmatched.value(u"cloud"_s)), strings(manifest.value(u"cloudOnly"_s)));

        QStringList soft;
        for (const QJsonValue& m : report.value(u"mailboxes"_s).toArray())
            if (m.toObject().value(u"softMatch"_s).toBool())
                soft << m.toObject().value(u"upn"_s).toString();
        QCOMPARE(soft, strings(manifest.value(u"softMatched"_s)));

        const QJsonArray ambiguous = report.value(u"ambiguous"_s).toArray();
        const QJsonArray expectedAmbiguous = manifest.value(u"ambiguous"_s).toArray();
        QCOMPARE(ambiguous.size(), expectedAmbiguous.size());
        for (qsizetype i = 0; i < ambiguous.size(); ++i) {
            QCOMPARE(ambiguous[i].toObject().value(u"key"_s), expectedAmbiguous[i].toObject().value(u"key"_s));
            QCOMPARE(strings(ambiguous[i].toObject().value(u"ad"_s)), strings(expectedAmbiguous[i].toObject().value(u"ad"_s)));
            QCOMPARE(strings(ambiguous[i].toObject().value(u"cloud"_s)),
                     strings(expectedAmbiguous[i].toObject().value(u"cloud"_s)));
        }
        const QJsonObject summary = report.value(u"summary"_s).toObject();
        QCOMPARE(summary.value(u"adEntriesSkipped"_s).toInt(), manifest.value(u"adEntriesSkipped"_s).toInt());
        QCOMPARE(summary.value(u"driftItems"_s).toInt(), planted.size());
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void generatorReproducesTheBundledFiles()
    {
        QByteArray ldif, json, csv, graph, manifest, config, hybrid, jobs, schema, provisioning;
        generateDemoTenant({}, {[&](const QByteArray& c) { ldif += c; }, [&](const QByteArray& c) { json += c; },
                                [&](const QByteArray& c) { csv += c; }, [&](const QByteArray& c) { graph += c; },
                                [&](const QByteArray& c) { manifest += c; }, [&](const QByteArray& c) { config += c; },
                                [&](const QByteArray& c) { hybrid += c; }, [&](const QByteArray& c) { jobs += c; },
                                [&](const QByteArray& c) { schema += c; },
                                [&](const QByteArray& c) { provisioning += c; }});
        QVERIFY(ldif == readAll(kDemo + u"demo-ad.ldif"_s));
        QVERIFY(json == readAll(kDemo + u"demo-exo.json"_s));
        QVERIFY(csv == readAll(kDemo + u"demo-exo.csv"_s));
        QVERIFY(graph == readAll(kDemo + u"demo-graph.json"_s));
        QVERIFY(manifest == readAll(kDemo + u"planted-drift.json"_s));
        QVERIFY(config == readAll(kDemo + u"demo-config.ldif"_s));
        QVERIFY(hybrid == readAll(kDemo + u"demo-hybrid.json"_s));
        QVERIFY(jobs == readAll(kDemo + u"demo-sync-jobs.json"_s));
        QVERIFY(schema == readAll(kDemo + u"demo-sync-schema.json"_s));
        QVERIFY(provisioning == readAll(kDemo + u"demo-provisioning.json"_s));
    }

    // Every cause the demo plants comes with the evidence that proved it (the manifest pins the causes).
    void causesCarryTheirEvidence()
    {
        const QJsonObject report = diff(u"demo-exo.json"_s);
        QJsonObject byCause = report[u"summary"_s][u"byCause"_s].toObject();
        for (const QString& cause : {u"jobUnhealthy"_s, u"notMapped"_s, u"writebackFailed"_s, u"writebackSkipped"_s,
                                     u"writebackPending"_s, u"changedInAdAfterWriteback"_s, u"unexplained"_s,
                                     u"notWrittenBack"_s, u"notCloudManaged"_s})
            QVERIFY2(byCause[cause].toInt() > 0, qPrintable(cause));
        QHash<QString, QJsonObject> evidenceByCause;
        for (const QJsonValue& m : report[u"mailboxes"_s].toArray())
            for (const QJsonValue& d : m[u"drift"_s].toArray())
                evidenceByCause.insert(d[u"cause"_s].toString(), d[u"evidence"_s].toObject());
        const QJsonObject failed = evidenceByCause.value(u"writebackFailed"_s);
        QCOMPARE(failed[u"provisioning"_s][u"errorCode"_s].toString(), u"InsufficientRights"_s);
        QCOMPARE(failed[u"provisioning"_s][u"activityDateTime"_s].toString(), u"2026-11-24T08:12:00Z"_s);
        QVERIFY(failed[u"provisioning"_s][u"recommendedAction"_s].toString().startsWith(u"Grant its account write "
                                                                                        "access to OU="_s));
        QCOMPARE(evidenceByCause.value(u"writebackSkipped"_s)[u"provisioning"_s][u"skipReason"_s].toString(),
                 u"NotInScope"_s);
        const QJsonObject quarantined = evidenceByCause.value(u"jobUnhealthy"_s)[u"job"_s].toObject();
        QCOMPARE(quarantined[u"domain"_s].toString(), u"emea.contoso.com"_s);
        QCOMPARE(quarantined[u"quarantineReason"_s].toString(), u"EncounteredQuarantineException"_s);
        QCOMPARE(evidenceByCause.value(u"writebackPending"_s)[u"job"_s][u"nextRunDue"_s].toString(),
                 u"2026-11-24T09:10:00Z"_s);
        QVERIFY(!evidenceByCause.value(u"unexplained"_s)[u"missing"_s].toArray().isEmpty());
        // A second writer: AD's replication metadata in the demo LDIF (decoded with its schema and nTDSDSA
        // entries) shows a change on DC02 four hours after the writeback the log records.
        const QJsonObject secondWriter = evidenceByCause.value(u"changedInAdAfterWriteback"_s);
        QCOMPARE(secondWriter[u"adMetadata"_s][u"originatingDc"_s].toString(), u"dc02.contoso.com"_s);
        QCOMPARE(secondWriter[u"adMetadata"_s][u"originatingChangeTime"_s].toString(), u"2026-11-24T07:00:00Z"_s);
        QCOMPARE(secondWriter[u"adMetadata"_s][u"version"_s].toInt(), 3);
        QCOMPARE(secondWriter[u"provisioning"_s][u"activityDateTime"_s].toString(), u"2026-11-24T03:00:00Z"_s);
    }

    void diffOnTheGetMailboxJsonFindsExactlyThePlantedDrift() { compareWithManifest(diff(u"demo-exo.json"_s)); }

    void diffOnTheExportCsvFindsTheSameDrift() { compareWithManifest(diff(u"demo-exo.csv"_s)); }

    void reportNamesTheEscapedAndNonAsciiDn()
    {
        const QJsonObject report = diff(u"demo-exo.json"_s);
        bool found = false;
        for (const QJsonValue& m : report.value(u"mailboxes"_s).toArray())
            found |= m.toObject().value(u"dn"_s).toString().startsWith(u"CN=Müller\\, Jürgen,OU="_s);
        QVERIFY(found);
    }

    void csvReportHasOneRowPerDriftItem()
    {
        const QString out = m_tmp.filePath(u"report.csv"_s);
        QString o, e;
        QTextStream so(&o), se(&e);
        QCOMPARE(runCli(QStringList{u"diff"_s, u"--ad"_s, kDemo + u"demo-ad.ldif"_s, u"--exo"_s,
                                    kDemo + u"demo-exo.json"_s, u"--graph"_s, kDemo + u"demo-graph.json"_s,
                                    u"--csv"_s, out} +
                            cloudSyncFiles(),
                        so, se),
                 0);
        QString problem;
        const QList<QStringList> rows = test::parseCsv(readAll(out), &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(rows.size(), 1 + 16);
        QCOMPARE(rows.first().mid(0, 8), (QStringList{u"dn"_s, u"upn"_s, u"matchedBy"_s, u"attribute"_s, u"severity"_s,
                                                      u"cause"_s, u"evidence"_s, u"ad"_s}));
        bool sawTrailingSpace = false, sawFailure = false;
        for (const QStringList& row : rows) {
            sawTrailingSpace |= row.mid(3, 3) == QStringList{u"extensionAttribute2"_s, u"normal"_s, u"unexplained"_s} &&
                                row.value(7) == u"Finance "_s && row.value(8) == u"Finance"_s;
            sawFailure |= row.value(5) == u"writebackFailed"_s &&
                          row.value(6).startsWith(u"Cloud Sync failed at 2026-11-24 08:12 UTC: InsufficientRights. "
                                                  "Grant its account write access to OU="_s);
        }
        QVERIFY(sawTrailingSpace);
        QVERIFY(sawFailure);
        // Multi-valued cells: one value per line, so the proxy addresses read back as the values they are.
        bool sawAddresses = false;
        for (const QStringList& row : rows) {
            if (row.size() != 12 || row[3] != u"proxyAddresses"_s)
                continue;
            sawAddresses = true;
            const QStringList ad = parseCsvValues(row[7]);
            QVERIFY2(ad.size() >= 2, qPrintable(row[7]));
            for (const QString& address : ad)
                QVERIFY2(address.contains(u':') && !address.contains(u'\n'), qPrintable(address));
        }
        QVERIFY(sawAddresses);
        QCOMPARE(QFile(out).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
    }

    void cliExitCodes()
    {
        QProcess cli;
        cli.start(QStringLiteral(SUNSET_CLI_PATH),
                  {u"diff"_s, u"--ad"_s, kDemo + u"demo-ad.ldif"_s, u"--exo"_s, kDemo + u"demo-exo.json"_s,
                   u"--json"_s, u"-"_s});
        QVERIFY(cli.waitForFinished(120000));
        QCOMPARE(cli.exitCode(), 0);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(cli.readAllStandardOutput(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError); // the summary went to stderr
        QCOMPARE(doc.object().value(u"format"_s).toString(), u"sunset.drift-report"_s);
        QVERIFY(cli.readAllStandardError().contains("Matched:"));

        cli.start(QStringLiteral(SUNSET_CLI_PATH), {u"diff"_s, u"--ad"_s, u"/nonexistent.ldif"_s, u"--exo"_s,
                                                    kDemo + u"demo-exo.json"_s});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), int(CliBadInput));
        QVERIFY(cli.readAllStandardError().contains("/nonexistent.ldif: file not found"));

        cli.start(QStringLiteral(SUNSET_CLI_PATH), {u"diff"_s, u"--ad"_s, kDemo + u"demo-ad.ldif"_s});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), int(CliUsage));
    }

    void badInputNamesFileAndLine()
    {
        const QString bad = m_tmp.filePath(u"bad.ldif"_s);
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("version: 1\n\ndn: CN=a,DC=x\nobjectClass: user\nproxyAddresses:: not*base64\n");
        f.close();
        QString o, e;
        QTextStream out(&o), err(&e);
        const int code = runCli({u"diff"_s, u"--ad"_s, bad, u"--exo"_s, kDemo + u"demo-exo.json"_s}, out, err);
        err.flush();
        QCOMPARE(code, int(CliBadInput));
        QVERIFY2(e.contains(bad + u":5"_s), qPrintable(e));
    }
};

QTEST_GUILESS_MAIN(TestDemoTenant)
#include "TestDemoTenant.moc"
