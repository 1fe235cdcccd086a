// SPDX-License-Identifier: Apache-2.0
// sunset-cli checklist, in-process on a history file: status, attest, note, override, check (verification reads
// the history's latest scan; AD-based steps without --ad fail naming the option), export as JSON and PDF.
#include "support/CliRun.h"
#include "ChecklistCommands.h"
#include "CliCommands.h"
#include "HistoryStore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using test::cli;
using test::CliRun;
using namespace Qt::Literals::StringLiterals;

class TestChecklistCli final : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;

    CliRun checklist(const QStringList& args) { return cli(QStringList{u"checklist"_s} + args + QStringList{u"--db"_s, m_db}); }

private Q_SLOTS:
    void initTestCase() { m_db = m_dir.filePath(u"history.sqlite"_s); }

    void walkAndExport()
    {
        CliRun r = checklist({u"status"_s});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(u"1. Prerequisites (prerequisites): Not started"_s));

        // Verification without any scan: blocked, exit 4, recorded.
        r = checklist({u"check"_s, u"verification"_s});
        QCOMPARE(r.code, kChecklistNotPassed);
        QVERIFY(r.out.contains(u"No drift scan is recorded"_s));

        // With a clean recent scan and the attestations, it passes.
        {
            auto history = HistoryStore::open(m_db, HistoryActor::current());
            QVERIFY(history.ok());
            ScanRecord scan;
            scan.adSource = u"ad.ldif"_s;
            scan.exoSource = u"exo.json"_s;
            scan.started = scan.finished = QDateTime::currentDateTimeUtc();
            scan.matched = 5;
            scan.summaryJson = R"({"bySeverity":{"critical":0,"warning":0,"normal":0}})";
            QVERIFY(history.value()->recordScan(scan).ok());
        }
        QCOMPARE(checklist({u"attest"_s, u"2"_s, u"drift-reviewed"_s}).code, 0);
        QCOMPARE(checklist({u"attest"_s, u"verification"_s, u"writeback-observed"_s}).code, 0);
        r = checklist({u"check"_s, u"verification"_s});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(u"Status: Passed"_s));

        // An AD step without --ad: an error naming the option, exit 1.
        r = checklist({u"check"_s, u"uninstall"_s});
        QCOMPARE(r.code, 1);
        QVERIFY(r.out.contains(u"--ad ldaps://"_s));

        // Override: the reason is required and must say something.
        QCOMPARE(checklist({u"override"_s, u"uninstall"_s}).code, 2);
        r = checklist({u"override"_s, u"uninstall"_s, u"--reason"_s, u"fine"_s});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(u"too short"_s));
        QCOMPARE(checklist({u"override"_s, u"uninstall"_s, u"--reason"_s,
                            u"AD is read by the CAB's own audit; ticket CHG-4711"_s}).code, 0);
        QCOMPARE(checklist({u"note"_s, u"uninstall"_s, u"Checked with the AD team"_s}).code, 0);
        QCOMPARE(checklist({u"attest"_s, u"uninstall"_s, u"no-such-item"_s}).code, 2);
        QCOMPARE(checklist({u"check"_s, u"step7"_s}).code, 2);

        r = checklist({u"status"_s});
        QVERIFY(r.out.contains(u"2. Verification (verification): Passed"_s));
        QVERIFY(r.out.contains(u"4. Uninstall (uninstall): Overridden"_s));
        QVERIFY(r.out.contains(u"CHG-4711"_s));

        const QString json = m_dir.filePath(u"checklist.json"_s);
        QCOMPARE(checklist({u"export"_s, u"--format"_s, u"json"_s, u"--out"_s, json}).code, 0);
        QFile jf(json);
        QVERIFY(jf.open(QIODevice::ReadOnly));
        QCOMPARE(jf.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
        const QJsonObject root = QJsonDocument::fromJson(jf.readAll()).object();
        const QJsonArray steps = root.value("steps"_L1).toArray();
        QCOMPARE(steps.size(), 5);
        QCOMPARE(steps.at(1)["status"_L1].toString(), u"passed"_s);
        QCOMPARE(steps.at(1)["runs"_L1].toArray().size(), 2); // the failed run is kept
        QCOMPARE(steps.at(3)["overrides"_L1][0]["reason"_L1].toString(),
                 u"AD is read by the CAB's own audit; ticket CHG-4711"_s);

        const QString pdf = m_dir.filePath(u"checklist.pdf"_s);
        r = checklist({u"export"_s, u"--format"_s, u"pdf"_s, u"--out"_s, pdf});
        QCOMPARE(r.code, 0);
        QFile pf(pdf);
        QVERIFY(pf.open(QIODevice::ReadOnly));
        QCOMPARE(pf.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
        const QByteArray bytes = pf.readAll();
        QVERIFY(bytes.startsWith("%PDF-"));
        QVERIFY(bytes.size() > 2000);

        QVERIFY(cliNeedsGui({u"checklist"_s, u"export"_s, u"--format"_s, u"pdf"_s}));
        QVERIFY(cliNeedsGui({u"checklist"_s, u"export"_s, u"--format=pdf"_s}));
        QVERIFY(cliNeedsGui({u"history"_s, u"--db"_s, u"h.sqlite"_s, u"export"_s, u"--format"_s, u"pdf"_s}));
        QVERIFY(!cliNeedsGui({u"checklist"_s, u"export"_s, u"--format"_s, u"json"_s}));
        QVERIFY(!cliNeedsGui({u"history"_s, u"export"_s, u"--format"_s, u"csv"_s, u"--out"_s, u"pdf"_s}));
        QVERIFY(!cliNeedsGui({u"checklist"_s, u"status"_s}));
        QVERIFY(!cliNeedsGui({u"diff"_s, u"export"_s, u"--format"_s, u"pdf"_s}));
    }
};

QTEST_MAIN(TestChecklistCli)
#include "TestChecklistCli.moc"
