// SPDX-License-Identifier: Apache-2.0
// sunset-cli rollback-impact on the bundled demo tenant: what it lists agrees with the drift 'diff' reports for
// the same files (cloud-managed mailboxes only, on the attributes the sync overwrites), in JSON, CSV and text;
// --mailbox narrows it; wrong usage and unknown mailboxes are clear errors.
#include "support/CliRun.h"
#include "support/Rfc4180.h"
#include "CliCommands.h"
#include "CsvCell.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace sunset::test;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kDemo = QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo/");

QStringList demoInputs()
{
    return {u"--ad"_s, kDemo + u"demo-ad.ldif"_s, u"--exo"_s, kDemo + u"demo-exo.json"_s, u"--graph"_s,
            kDemo + u"demo-graph.json"_s};
}

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// "upn attribute" -> {cloud values, AD values}, as one report or the other states them.
using Changes = QHash<QString, std::pair<QStringList, QStringList>>;

QStringList strings(const QJsonValue& array)
{
    QStringList out;
    for (const QJsonValue& v : array.toArray())
        out << v.toString();
    return out;
}

} // namespace

class TestCliRollbackImpact final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("XDG_DATA_HOME", m_dir.filePath(u"data-home"_s).toUtf8());
    }

    void agreesWithDiff()
    {
        // What diff reports: drift of cloud-managed mailboxes, less targetAddress and msExchRemoteRecipientType
        // (no cloud value of the cloud's own).
        const QString diffJson = m_dir.filePath(u"diff.json"_s);
        CliRun run = cli(QStringList{u"diff"_s, u"--no-history"_s, u"--json"_s, diffJson} + demoInputs());
        QVERIFY2(run.code == CliOk, qPrintable(run.err));
        Changes expected;
        int cloudManaged = 0;
        for (const QJsonValue& m : QJsonDocument::fromJson(readFile(diffJson)).object().value("mailboxes"_L1).toArray()) {
            const QJsonObject mailbox = m.toObject();
            if (!mailbox.value("cloudManaged"_L1).toBool())
                continue;
            ++cloudManaged;
            for (const QJsonValue& d : mailbox.value("drift"_L1).toArray()) {
                const QJsonObject item = d.toObject();
                const QString attribute = item.value("attribute"_L1).toString();
                if (attribute == "targetAddress"_L1 || attribute == "msExchRemoteRecipientType"_L1)
                    continue;
                expected.insert(mailbox.value("upn"_L1).toString() + u' ' + attribute,
                                {strings(item.value("cloud"_L1)), strings(item.value("ad"_L1))});
            }
        }
        QVERIFY(expected.size() >= 5); // the demo plants drift on cloud-managed mailboxes
        QVERIFY(cloudManaged > 100);

        const QString impactJson = m_dir.filePath(u"impact.json"_s);
        run = cli(QStringList{u"rollback-impact"_s, u"--format"_s, u"json"_s, u"--output"_s, impactJson} +
                  demoInputs());
        QVERIFY2(run.code == CliOk, qPrintable(run.err));
        QVERIFY2(run.out.contains(u"Setting IsExchangeCloudManaged back to False on %1 cloud-managed mailboxes"_s.arg(
                     cloudManaged)),
                 qPrintable(run.out));
        QVERIFY(run.out.contains("Written to "_L1 + impactJson));
        const QJsonObject root = QJsonDocument::fromJson(readFile(impactJson)).object();
        QCOMPARE(root.value("format"_L1).toString(), u"sunset.rollback-impact"_s);
        QCOMPARE(root.value("formatVersion"_L1).toInt(), 1);
        QCOMPARE(root.value("summary"_L1).toObject().value("mailboxesConsidered"_L1).toInt(), cloudManaged);
        Changes listed;
        for (const QJsonValue& m : root.value("mailboxes"_L1).toArray()) {
            const QJsonObject mailbox = m.toObject();
            for (const QJsonValue& c : mailbox.value("changes"_L1).toArray()) {
                const QJsonObject change = c.toObject();
                listed.insert(mailbox.value("upn"_L1).toString() + u' ' + change.value("attribute"_L1).toString(),
                              {strings(change.value("cloud"_L1)), strings(change.value("ad"_L1))});
            }
        }
        QCOMPARE(listed.size(), expected.size());
        for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
            QVERIFY2(listed.contains(it.key()), qPrintable(it.key()));
            QCOMPARE(listed.value(it.key()), it.value());
        }
        QCOMPARE(root.value("summary"_L1).toObject().value("changes"_L1).toInt(), int(expected.size()));

        // CSV: RFC 4180, a row per change, the same pairs.
        const QString csv = m_dir.filePath(u"impact.csv"_s);
        run = cli(QStringList{u"rollback-impact"_s, u"--format"_s, u"csv"_s, u"--output"_s, csv} + demoInputs());
        QVERIFY2(run.code == CliOk, qPrintable(run.err));
        QString problem;
        const QList<QStringList> rows = parseCsv(readFile(csv), &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(rows.size(), 1 + int(expected.size()));
        for (const QStringList& row : rows.mid(1)) {
            const QString key = row[1] + u' ' + row[3];
            QVERIFY2(expected.contains(key), qPrintable(key));
            QCOMPARE(parseCsvValues(row[6]), expected.value(key).first);
        }
    }

    void textAndMailboxFilter()
    {
        // Text on standard output; two mailboxes named, one in capitals, one by its AD DN with non-ASCII letters.
        const CliRun run = cli(QStringList{u"rollback-impact"_s, u"--mailbox"_s, u"MIA.PETROV@CONTOSO.COM"_s,
                                           u"--mailbox"_s, u"CN=Müller\\, Jürgen,OU=Sales,OU=Staff,DC=contoso,DC=com"_s} +
                               demoInputs());
        QVERIFY2(run.code == CliOk, qPrintable(run.err));
        qInfo().noquote() << run.out;
        QVERIFY2(run.out.startsWith("Setting IsExchangeCloudManaged back to False on 2 cloud-managed mailboxes: 2 would "
                                    "lose cloud values"_L1),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains("msExchHideFromAddressLists (HiddenFromAddressListsEnabled) [cloud-only: never "
                                  "written back]"_L1),
                 qPrintable(run.out));
        QVERIFY2(run.out.contains(u"CN=Müller\\, Jürgen,OU=Sales,OU=Staff,DC=contoso,DC=com"_s), qPrintable(run.out));
        QVERIFY2(run.out.contains("extensionAttribute1 (CustomAttribute1): cloud "_L1), qPrintable(run.out));
        QVERIFY(!run.out.contains("noah.kowalski"_L1));
    }

    void errors()
    {
        CliRun run = cli(QStringList{u"rollback-impact"_s, u"--format"_s, u"xml"_s} + demoInputs());
        QCOMPARE(run.code, int(CliUsage));
        QVERIFY2(run.err.contains("--format 'xml' is not text, csv or json"_L1), qPrintable(run.err));
        run = cli({u"rollback-impact"_s, u"--ad"_s, kDemo + u"demo-ad.ldif"_s});
        QCOMPARE(run.code, int(CliUsage));
        QVERIFY2(run.err.contains("sunset-cli rollback-impact: --ad and one of --exo"_L1), qPrintable(run.err));
        run = cli(QStringList{u"rollback-impact"_s, u"--mailbox"_s, u"nobody@contoso.com"_s} + demoInputs());
        QCOMPARE(run.code, int(CliBadInput));
        QVERIFY2(run.err.contains("no mailbox of the scan is named nobody@contoso.com"_L1), qPrintable(run.err));
        run = cli({u"rollback-impact"_s, u"--help"_s});
        QCOMPARE(run.code, int(CliOk));
        for (const char* option : {"--format", "--output", "--mailbox", "--ad", "--exo", "--tenant", "--sync-jobs"})
            QVERIFY2(run.out.contains(QLatin1StringView(option)), option);
        run = cli({u"--help"_s});
        QVERIFY(run.out.contains("  rollback-impact  "_L1));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestCliRollbackImpact)
#include "TestCliRollbackImpact.moc"
