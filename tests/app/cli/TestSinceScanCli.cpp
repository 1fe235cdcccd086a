// SPDX-License-Identifier: Apache-2.0
// "What changed since the last scan" from sunset-cli diff (issue 15): two file scans of one profile with planted
// changes between them; the summary lines and the JSON report's sinceScan. And issue 14's "evidence in the
// history": each recorded drift item keeps its cause, in words, and its evidence, as the report gave them.
#include "support/CliRun.h"
#include "support/TestFiles.h"
#include "HistoryStore.h"
#include "ScanRecording.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

using test::cli;
using test::CliRun;
using test::writeFile;

const QString kDemo = QStringLiteral(SUNSET_SOURCE_DIR "/resources/demo/");

// One mailbox of the hand-made tenant: extensionAttribute1..3 in AD and CustomAttribute1..3 in the cloud.
struct Mailbox {
    int n;
    QStringList ad;    // extensionAttribute1..3
    QStringList cloud; // CustomAttribute1..3
};

QString edoid(int n) { return u"00000000-0000-4000-8000-%1"_s.arg(n, 12, 10, QChar(u'0')); }

QByteArray ldif(const std::vector<Mailbox>& mailboxes)
{
    QByteArray out;
    for (const Mailbox& m : mailboxes) {
        const QByteArray name = "user" + QByteArray::number(m.n);
        QByteArray guid(16, char(m.n));
        out += "dn: CN=" + name + ",OU=Staff,DC=contoso,DC=com\n"
               "objectClass: user\n"
               "userPrincipalName: " + name + "@contoso.com\n"
               "mail: " + name + "@contoso.com\n"
               "mailNickname: " + name + "\n"
               "proxyAddresses: SMTP:" + name + "@contoso.com\n"
               "proxyAddresses: smtp:" + name + "@contoso.mail.onmicrosoft.com\n"
               "targetAddress: SMTP:" + name + "@contoso.mail.onmicrosoft.com\n"
               "msExchRecipientTypeDetails: 2147483648\n"
               "msExchRecipientDisplayType: -2147483642\n"
               "msExchRemoteRecipientType: 4\n"
               "msDS-ExternalDirectoryObjectId: User_" + edoid(m.n).toLatin1() + "\n"
               "objectGUID:: " + guid.toBase64() + "\n";
        for (int i = 0; i < 3; ++i)
            if (!m.ad[i].isEmpty())
                out += "extensionAttribute" + QByteArray::number(i + 1) + ": " + m.ad[i].toUtf8() + "\n";
        out += "whenChanged: 20261104230800.0Z\n\n";
    }
    return out;
}

QByteArray exoJson(const std::vector<Mailbox>& mailboxes)
{
    QJsonArray out;
    for (const Mailbox& m : mailboxes) {
        const QString name = u"user%1"_s.arg(m.n);
        const QString address = name + u"@contoso.com"_s;
        QJsonObject o{{u"Name"_s, name},
                      {u"DisplayName"_s, name},
                      {u"Alias"_s, name},
                      {u"UserPrincipalName"_s, address},
                      {u"PrimarySmtpAddress"_s, address},
                      {u"WindowsEmailAddress"_s, address},
                      {u"RecipientTypeDetails"_s, u"UserMailbox"_s},
                      {u"IsDirSynced"_s, true},
                      {u"IsExchangeCloudManaged"_s, true},
                      {u"HiddenFromAddressListsEnabled"_s, false},
                      {u"ExternalDirectoryObjectId"_s, edoid(m.n)},
                      {u"EmailAddresses"_s,
                       QJsonArray{QString(u"SMTP:"_s + name + u"@contoso.com"_s),
                                  QString(u"smtp:"_s + name + u"@contoso.mail.onmicrosoft.com"_s)}},
                      {u"WhenChangedUTC"_s, u"2026-11-04T23:01:05.0000000Z"_s}};
        for (int i = 0; i < 3; ++i)
            o.insert(u"CustomAttribute%1"_s.arg(i + 1), m.cloud[i]);
        out.append(o);
    }
    return QJsonDocument(out).toJson();
}

QJsonObject readJson(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
}

// "label attribute" of each item of a sinceScan list, with its flag when set.
QStringList items(const QJsonArray& list, const QString& flag)
{
    QStringList out;
    for (const QJsonValue& v : list) {
        const QJsonObject o = v.toObject();
        out << o[u"label"_s].toString() + u' ' + o[u"attribute"_s].toString() +
                   (o[flag].toBool() ? u" "_s + flag : QString());
    }
    return out;
}

QStringList labels(const QJsonArray& list)
{
    QStringList out;
    for (const QJsonValue& v : list)
        out << v.toObject()[u"label"_s].toString();
    return out;
}

} // namespace

class TestSinceScanCli final : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    CliRun diff(const std::vector<Mailbox>& tenant, const QString& report, const QStringList& extra = {})
    {
        if (!writeFile(m_dir.filePath(u"ad.ldif"_s), ldif(tenant)) ||
            !writeFile(m_dir.filePath(u"exo.json"_s), exoJson(tenant)))
            return {};
        return cli(QStringList{u"diff"_s, u"--ad"_s, m_dir.filePath(u"ad.ldif"_s), u"--exo"_s,
                               m_dir.filePath(u"exo.json"_s), u"--json"_s, m_dir.filePath(report)} +
                   extra);
    }

private Q_SLOTS:
    void twoScansShowWhatChanged()
    {
        const QString db = m_dir.filePath(u"two-scans.sqlite"_s);
        // Scan 1: user1 drifts on extensionAttribute1, user2 on extensionAttribute2; user3 is clean.
        const std::vector<Mailbox> before = {{1, {u"A"_s, {}, {}}, {u"B"_s, {}, {}}},
                                             {2, {{}, u"x"_s, {}}, {{}, u"y"_s, {}}},
                                             {3, {{}, {}, {}}, {{}, {}, {}}}};
        const CliRun first = diff(before, u"first.json"_s, {u"--db"_s, db});
        QVERIFY2(first.code == 0, qPrintable(first.err));
        QVERIFY2(first.out.contains(u"Since the last scan: This is the first scan of this profile: there is no "
                                    u"earlier scan to compare with.\n"_s),
                 qPrintable(first.out));
        const QJsonObject firstSince = readJson(m_dir.filePath(u"first.json"_s))[u"sinceScan"_s].toObject();
        QVERIFY(firstSince[u"previousScan"_s].isNull());
        QVERIFY(firstSince[u"note"_s].toString().contains(u"first scan"_s));
        QCOMPARE(firstSince[u"newDrift"_s].toArray().size(), 0);

        // Between the scans: user2's extensionAttribute2 fixed, user2 drifts on extensionAttribute3 now, user3
        // gone, user4 (drifting) new; user1's drift unchanged.
        const std::vector<Mailbox> after = {{1, {u"A"_s, {}, {}}, {u"B"_s, {}, {}}},
                                            {2, {{}, u"y"_s, u"old"_s}, {{}, u"y"_s, u"new"_s}},
                                            {4, {u"C"_s, {}, {}}, {u"D"_s, {}, {}}}};
        const CliRun second = diff(after, u"second.json"_s, {u"--db"_s, db});
        QVERIFY2(second.code == 0, qPrintable(second.err));
        QVERIFY2(second.out.contains(u": 2 new drift items, 1 resolved (1 unchanged); 1 mailbox added, 1 removed.\n"_s),
                 qPrintable(second.out));
        QVERIFY2(second.out.contains(u"Since scan 1 ("_s), qPrintable(second.out));
        QVERIFY2(second.out.contains(u"  new user2@contoso.com extensionAttribute3 ("_s), qPrintable(second.out));
        QVERIFY2(second.out.contains(u"  resolved user2@contoso.com extensionAttribute2 ("_s), qPrintable(second.out));
        QVERIFY2(second.out.contains(u"  added user4@contoso.com\n"_s), qPrintable(second.out));
        QVERIFY2(second.out.contains(u"  removed user3@contoso.com\n"_s), qPrintable(second.out));
        QVERIFY2(second.out.contains(u"Recorded as scan 2"_s), qPrintable(second.out));

        const QJsonObject since = readJson(m_dir.filePath(u"second.json"_s))[u"sinceScan"_s].toObject();
        QCOMPARE(since[u"previousScan"_s][u"id"_s].toInt(), 1);
        QVERIFY(QDateTime::fromString(since[u"previousScan"_s][u"finished"_s].toString(), Qt::ISODate).isValid());
        QVERIFY(since[u"note"_s].isNull());
        const QJsonObject counts = since[u"counts"_s].toObject();
        QCOMPARE(counts[u"newDrift"_s].toInt(), 2);
        QCOMPARE(counts[u"resolvedDrift"_s].toInt(), 1);
        QCOMPARE(counts[u"unchangedDrift"_s].toInt(), 1);
        QCOMPARE(counts[u"mailboxesAdded"_s].toInt(), 1);
        QCOMPARE(counts[u"mailboxesRemoved"_s].toInt(), 1);
        QCOMPARE(items(since[u"newDrift"_s].toArray(), u"newMailbox"_s),
                 (QStringList{u"user2@contoso.com extensionAttribute3"_s,
                              u"user4@contoso.com extensionAttribute1 newMailbox"_s}));
        QCOMPARE(items(since[u"resolvedDrift"_s].toArray(), u"mailboxRemoved"_s),
                 QStringList{u"user2@contoso.com extensionAttribute2"_s});
        QCOMPARE(since[u"newDrift"_s][0][u"mailbox"_s].toString(), u"eid:"_s + edoid(2));
        QVERIFY(!since[u"newDrift"_s][0][u"cause"_s].toString().isEmpty());
        QCOMPARE(labels(since[u"mailboxesAdded"_s].toArray()), QStringList{u"user4@contoso.com"_s});
        QCOMPARE(labels(since[u"mailboxesRemoved"_s].toArray()), QStringList{u"user3@contoso.com"_s});

        // The same tenant again: nothing changed.
        const CliRun third = diff(after, u"third.json"_s, {u"--db"_s, db});
        QVERIFY2(third.out.contains(u"Since scan 2 ("_s) &&
                     third.out.contains(u": 0 new drift items, 0 resolved (3 unchanged); 0 mailboxes added, 0 removed.\n"_s),
                 qPrintable(third.out));

        // Without the history there is nothing to compare with: sinceScan is null and nothing is said.
        const CliRun lone = diff(after, u"lone.json"_s, {u"--no-history"_s});
        QVERIFY2(lone.code == 0, qPrintable(lone.err));
        QVERIFY(!lone.out.contains(u"Since scan"_s) && !lone.out.contains(u"Since the last scan"_s));
        QVERIFY(readJson(m_dir.filePath(u"lone.json"_s))[u"sinceScan"_s].isNull());
    }

    void historyKeepsEachItemsCauseAndEvidence()
    {
        // The demo with Cloud Sync's files: every planted cause is measured, with its evidence.
        const QString db = m_dir.filePath(u"evidence.sqlite"_s);
        const QString report = m_dir.filePath(u"demo.json"_s);
        const CliRun run = cli({u"diff"_s, u"--ad"_s, kDemo + u"demo-ad.ldif"_s, u"--exo"_s, kDemo + u"demo-exo.json"_s,
                                u"--graph"_s, kDemo + u"demo-graph.json"_s, u"--sync-jobs"_s,
                                kDemo + u"demo-sync-jobs.json"_s, u"--sync-schema"_s, kDemo + u"demo-sync-schema.json"_s,
                                u"--provisioning-log"_s, kDemo + u"demo-provisioning.json"_s, u"--json"_s, report,
                                u"--db"_s, db});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QHash<QString, QJsonObject> reported; // "upn attribute" -> the report's drift item
        for (const QJsonValue& m : readJson(report)[u"mailboxes"_s].toArray())
            for (const QJsonValue& d : m[u"drift"_s].toArray())
                reported.insert(m[u"upn"_s].toString() + u' ' + d[u"attribute"_s].toString(), d.toObject());
        QVERIFY(reported.size() >= 10);

        auto store = HistoryStore::open(db, HistoryActor::current());
        QVERIFY(store);
        auto scan = store.value()->latestScan();
        QVERIFY(scan && scan.value().has_value());
        auto recorded = recordedDrift(scan.value()->record.driftJson);
        QVERIFY(recorded);
        QCOMPARE(qsizetype(recorded->size()), reported.size());
        QSet<QString> causes;
        for (const RecordedDrift& d : recorded.value()) {
            const QString key = d.upn + u' ' + AttributeCatalog::spec(d.selection.item.attribute).ldapName;
            QVERIFY2(reported.contains(key), qPrintable(key));
            const QJsonObject item = reported.value(key);
            QCOMPARE(QString(driftCauseKey(d.selection.item.cause)), item[u"cause"_s].toString());
            QCOMPARE(d.evidence, item[u"evidence"_s].toObject()); // exactly what the report said, kept
            QVERIFY2(!d.because.isEmpty(), qPrintable(key));
            QVERIFY(!d.mailboxKey.isEmpty());
            causes << item[u"cause"_s].toString();
        }
        // The demo plants measured causes, not only unexplained ones: the evidence kept is real evidence.
        QVERIFY2(causes.contains(u"writebackFailed"_s) && causes.contains(u"jobUnhealthy"_s),
                 qPrintable(QStringList(causes.values()).join(u", "_s)));
        // The audit log still chains (the scan's record and the schema upgrade are events of it).
        QVERIFY(store.value()->verify().intact());
    }
};

QTEST_GUILESS_MAIN(TestSinceScanCli)
#include "TestSinceScanCli.moc"
