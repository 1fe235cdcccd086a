// SPDX-License-Identifier: Apache-2.0
#include "TestCloudHttps.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

// sunset-cli, as a separate process, against sunset-cloud-emulator over HTTPS with a certificate from a
// throwaway CA (the CloudEmulatorHttps fixture, cloud-emulator.sh). The certificate is verified: trusted
// through --ca-file, refused with another CA or with the system's.

namespace {

QJsonObject reportWithoutSources(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    o.remove(u"sources"_s);
    o.remove(u"sinceScan"_s); // what changed since the profile's previous scan: the runs share one history
    return o;
}

} // namespace

void TestCloudHttps::initTestCase()
{
    m_dir = qEnvironmentVariable("SUNSET_CLOUD_EMULATOR_DIR");
    QVERIFY2(!m_dir.isEmpty(), "SUNSET_CLOUD_EMULATOR_DIR is set by CTest (fixture CloudEmulatorHttps)");
    QFile env(m_dir + u"/env"_s);
    QVERIFY2(env.open(QIODevice::ReadOnly), qPrintable(env.fileName() + u" is missing: did CloudEmulatorStart run?"_s));
    for (const QByteArray& line : env.readAll().split('\n')) {
        const qsizetype eq = line.indexOf('=');
        if (eq > 0)
            m_env.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    }
    QVERIFY(m_env.value(u"URL"_s).startsWith("https://localhost:"_L1));
    QVERIFY(m_work.isValid());
}

int TestCloudHttps::cli(const QStringList& args, QString* errors)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // The kept delta state of this run goes here, not into the real profile.
    environment.insert(u"XDG_DATA_HOME"_s, m_work.filePath(u"data"_s));
    environment.remove(u"SUNSET_CLIENT_SECRET"_s);
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(SUNSET_CLI_PATH), args);
    if (!process.waitForFinished(240000))
        return -1;
    if (errors)
        *errors = QString::fromUtf8(process.readAllStandardError());
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

QStringList TestCloudHttps::liveArgs(const QString& report, const QString& caFile, bool withSyncState) const
{
    const QString url = m_env.value(u"URL"_s);
    QStringList args{u"diff"_s,
                     u"--ad"_s,
                     m_dir + u"/ad.ldif"_s,
                     u"--no-sync-state"_s, // compared with a report from files that carry no Cloud Sync state
                     u"--tenant"_s,
                     m_env.value(u"TENANT"_s),
                     u"--client-id"_s,
                     m_env.value(u"CLIENT_ID"_s),
                     u"--client-secret-file"_s,
                     m_dir + u"/secret"_s,
                     u"--authority"_s,
                     url,
                     u"--graph-endpoint"_s,
                     url,
                     u"--exo-endpoint"_s,
                     url,
                     u"--graph-resource"_s,
                     m_env.value(u"GRAPH_RESOURCE"_s),
                     u"--exo-resource"_s,
                     m_env.value(u"EXO_RESOURCE"_s),
                     u"--full-scan"_s,
                     u"--json"_s,
                     report};
    if (!caFile.isEmpty())
        args << u"--ca-file"_s << caFile;
    if (withSyncState)
        args.removeAll(u"--no-sync-state"_s);
    return args;
}

void TestCloudHttps::cliDiffOverVerifiedTls()
{
    const QString fromFiles = m_work.filePath(u"files.json"_s);
    QString errors;
    QCOMPARE(cli({u"diff"_s, u"--ad"_s, m_dir + u"/ad.ldif"_s, u"--exo"_s, m_dir + u"/exo.json"_s, u"--graph"_s,
                  m_dir + u"/graph.json"_s, u"--json"_s, fromFiles},
                 &errors),
             0);
    const QString live = m_work.filePath(u"live.json"_s);
    const int code = cli(liveArgs(live, m_dir + u"/ca.pem"_s), &errors);
    QVERIFY2(code == 0, qPrintable(errors));
    const QJsonObject expected = reportWithoutSources(fromFiles);
    QVERIFY(expected.value("summary"_L1).toObject().value("cloudMailboxes"_L1).toInt() > 0);
    QVERIFY(reportWithoutSources(live) == expected);
    // The report names where the cloud side came from.
    QFile report(live);
    QVERIFY(report.open(QIODevice::ReadOnly));
    const QByteArray exoSource = m_env.value(u"URL"_s).toUtf8() + QByteArray("/adminapi/beta/");
    QVERIFY(report.readAll().contains(exoSource));
}

void TestCloudHttps::wrongCaFailsClearly()
{
    // The user trusts the wrong CA (or none: the system's do not know the emulator's): the sign-in request
    // fails before anything is sent, saying which request and that the certificate is not trusted.
    for (const QString& ca : QStringList{m_dir + u"/wrong-ca.pem"_s, QString()}) {
        QString errors;
        const int code = cli(liveArgs(m_work.filePath(u"refused.json"_s), ca), &errors);
        qInfo().noquote() << "the user sees:" << errors.trimmed();
        QCOMPARE(code, 1);
        QVERIFY2(errors.contains(u"POST "_s + m_env.value(u"URL"_s) + u'/' + m_env.value(u"TENANT"_s) +
                                 u"/oauth2/v2.0/token: sign-in failed: SSL handshake failed"_s),
                 qPrintable(errors));
        QVERIFY(errors.contains("TLS certificate is not trusted"_L1));
        QVERIFY(!QFile::exists(m_work.filePath(u"refused.json"_s)));
    }
}


void TestCloudHttps::liveCloudSyncEqualsItsFiles()
{
    // The emulator serves the demo's Cloud Sync state and wrote the same answers beside the tenant's files: a live
    // scan finds the same causes, with the same evidence, as a scan of the files.
    const QString fromFiles = m_work.filePath(u"sync-files.json"_s);
    QString errors;
    QCOMPARE(cli({u"diff"_s, u"--ad"_s, m_dir + u"/ad.ldif"_s, u"--exo"_s, m_dir + u"/exo.json"_s, u"--graph"_s,
                  m_dir + u"/graph.json"_s, u"--sync-jobs"_s, m_dir + u"/sync-jobs.json"_s, u"--sync-schema"_s,
                  m_dir + u"/sync-schema.json"_s, u"--provisioning-log"_s, m_dir + u"/provisioning.json"_s, u"--json"_s,
                  fromFiles},
                 &errors),
             0);
    const QString live = m_work.filePath(u"sync-live.json"_s);
    const int code = cli(liveArgs(live, m_dir + u"/ca.pem"_s, true), &errors);
    QVERIFY2(code == 0, qPrintable(errors));
    const QJsonObject expected = reportWithoutSources(fromFiles);
    const QJsonObject counts = expected.value("summary"_L1).toObject().value("byCause"_L1).toObject();
    QVERIFY2(counts.value("jobUnhealthy"_L1).toInt() > 0 && counts.value("notMapped"_L1).toInt() > 0 &&
                 counts.value("writebackFailed"_L1).toInt() > 0,
             QJsonDocument(expected.value("summary"_L1).toObject()).toJson().constData());
    const QJsonObject got = reportWithoutSources(live);
    QVERIFY2(got == expected, QJsonDocument(got.value("summary"_L1).toObject()).toJson().constData());
    // And the live report says Cloud Sync came from Graph.
    QFile report(live);
    QVERIFY(report.open(QIODevice::ReadOnly));
    const QJsonObject sources = QJsonDocument::fromJson(report.readAll()).object().value("sources"_L1).toObject();
    QVERIFY2(!sources.value("syncJobs"_L1).toString().isEmpty(), "the live scan read no Cloud Sync jobs");
}

QTEST_GUILESS_MAIN(TestCloudHttps)
