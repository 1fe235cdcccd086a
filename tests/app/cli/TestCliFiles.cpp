// SPDX-License-Identifier: Apache-2.0
// What docs/cli.md promises about the files sunset-cli writes and the secrets it reads:
// - exit code 3 when a report cannot be written, and the report an earlier run left is still there, whole;
// - a --client-secret-file that other users can read or change draws a warning naming it and the fix; an owner-only
//   one draws none.
#include "support/CliRun.h"
#include "support/TestFiles.h"
#include "CliCommands.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>

using namespace sunset;
using namespace sunset::test;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kDemo = QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo/");
const QByteArray kOldReport = "{\"format\": \"sunset.drift-report\", \"note\": \"the report of an earlier run\"}\n";

// --no-history: exit code 3 also means "the scan could not be recorded"; here it must be the report's alone.
QStringList diffOfTheDemo(const QString& jsonReport)
{
    return {u"diff"_s, u"--ad"_s, kDemo + u"demo-ad.ldif"_s, u"--exo"_s, kDemo + u"demo-exo.json"_s,
            u"--no-history"_s, u"--json"_s, jsonReport};
}

} // namespace

class TestCliFiles final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // The cloud profile's state (and any history) goes under the test's own data home, never the user's.
        qputenv("XDG_DATA_HOME", m_dir.filePath(u"data-home"_s).toUtf8());
        qunsetenv("SUNSET_CLIENT_SECRET");
    }

    // The disk fills while the report is written (here: a file size limit, which stops root as well as anyone):
    // exit code 3, the message names the report, and the earlier report is untouched, with no temporary file left.
    void reportThatCannotBeWrittenKeepsTheOldOne()
    {
        const QDir reports(m_dir.filePath(u"full-disk"_s));
        QVERIFY(QDir().mkpath(reports.path()));
        const QString report = reports.filePath(u"report.json"_s);
        QVERIFY(writeFile(report, kOldReport));

        QProcess process;
        process.setChildProcessModifier([] {
            // In the child between fork and exec: a write past 16 KiB fails with EFBIG (as a full disk fails with
            // ENOSPC) instead of the signal that would end the process.
            ::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit{16 * 1024, 16 * 1024};
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
        process.start(QStringLiteral(SUNSET_CLI_PATH), diffOfTheDemo(report));
        QVERIFY(process.waitForFinished(120'000));
        const QString errors = QString::fromUtf8(process.readAllStandardError());
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(process.exitCode() == int(CliOutputFailed), qPrintable(errors));
        QVERIFY2(errors.contains(u"Writing %1 failed: only part of it could be written (is the disk full?); the "
                                 "file was not changed."_s.arg(report)),
                 qPrintable(errors));
        QCOMPARE(readFile(report), kOldReport);
        QCOMPARE(reports.entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot), QStringList{u"report.json"_s});

        // The same run where the file can be written replaces it: the failure above was the write's.
        const CliRun run = cli(diffOfTheDemo(report));
        QVERIFY2(run.code == int(CliOk), qPrintable(run.err));
        QVERIFY(readFile(report) != kOldReport);
    }

    // Places no one can write a report to, root included: exit code 3 and a message naming the path; whatever was
    // there stays.
    void reportIntoAPlaceThatCannotBeWritten_data()
    {
        QTest::addColumn<QString>("report");
        QTest::addColumn<QString>("survivor");
        const QString notADirectory = m_dir.filePath(u"plain-file"_s);
        QVERIFY(writeFile(notADirectory, kOldReport));
        QTest::newRow("parent is a file") << notADirectory + u"/report.json"_s << notADirectory;
        const QString directory = m_dir.filePath(u"report-is-a-directory.json"_s);
        QVERIFY(QDir().mkpath(directory));
        QVERIFY(writeFile(directory + u"/report.json"_s, kOldReport));
        QTest::newRow("report path is a directory") << directory << directory + u"/report.json"_s;
    }

    void reportIntoAPlaceThatCannotBeWritten()
    {
        QFETCH(QString, report);
        QFETCH(QString, survivor);
        const CliRun run = cli(diffOfTheDemo(report));
        QVERIFY2(run.code == int(CliOutputFailed), qPrintable(run.err));
        QVERIFY2(run.err.contains(report), qPrintable(run.err));
        QVERIFY2(run.out.contains(u"Matched:"_s) || run.err.contains(u"Matched:"_s), "the comparison itself ran");
        QCOMPARE(readFile(survivor), kOldReport);
    }

    void clientSecretFileReadableByOthers_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<bool>("warned");
        QTest::newRow("0644") << 0644 << true;
        QTest::newRow("0640") << 0640 << true;
        QTest::newRow("0606") << 0606 << true;
        QTest::newRow("0600") << 0600 << false;
        QTest::newRow("0400") << 0400 << false;
    }

    void clientSecretFileReadableByOthers()
    {
        QFETCH(int, mode);
        QFETCH(bool, warned);
        const QString secret = m_dir.filePath(u"secret-%1"_s.arg(mode, 0, 8));
        QVERIFY(writeFile(secret, "not-a-real-secret\n"));
        QFile::Permissions permissions;
        for (const auto& [bit, permission] :
             {std::pair{0400, QFile::ReadOwner}, std::pair{0200, QFile::WriteOwner}, std::pair{0040, QFile::ReadGroup},
              std::pair{0020, QFile::WriteGroup}, std::pair{0004, QFile::ReadOther}, std::pair{0002, QFile::WriteOther}})
            if (mode & bit)
                permissions |= permission;
        QVERIFY(QFile::setPermissions(secret, permissions));

        // The sign-in goes to a loopback port nothing listens on: it fails at once, after the secret was read.
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const QString authority = u"http://127.0.0.1:%1"_s.arg(closed.serverPort());
        closed.close();
        const CliRun run = cli({u"diff"_s, u"--no-history"_s, u"--ad"_s, kDemo + u"demo-ad.ldif"_s, u"--tenant"_s,
                                u"contoso.example"_s,
                                u"--client-id"_s, u"00000000-0000-0000-0000-000000000001"_s, u"--client-secret-file"_s,
                                secret, u"--authority"_s, authority, u"--json"_s, m_dir.filePath(u"cloud.json"_s)});
        QVERIFY2(run.code != int(CliOk) && run.code != int(CliUsage), qPrintable(run.err));
        const QString warning = u"sunset-cli: warning: %1 can be read or changed by other users; make it the owner's "
                                "only (chmod 600 %1)."_s.arg(secret);
        QVERIFY2(run.err.contains(warning) == warned, qPrintable(run.err));
        QVERIFY2(!run.err.contains(u"not-a-real-secret"_s), "the secret itself is never printed");
    }

    // The incremental AD options belong to a domain controller: with --ad a file, or a bad value, a usage error
    // that names the option.
    void incrementalAdOptionsNeedALiveAd_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("--ad-full with a file") << QStringList{u"--ad-full"_s}
                                               << u"--ad-full applies only when --ad is a domain controller"_s;
        QTest::newRow("--ad-profile with a file")
            << QStringList{u"--ad-profile"_s, u"p1"_s} << u"--ad-profile applies only when --ad is a domain controller"_s;
    }
    void incrementalAdOptionsNeedALiveAd()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const CliRun run = cli(diffOfTheDemo(m_dir.filePath(u"unused.json"_s)) + arguments);
        QCOMPARE(run.code, int(CliUsage));
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestCliFiles)
#include "TestCliFiles.moc"
