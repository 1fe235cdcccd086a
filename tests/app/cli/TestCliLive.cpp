// SPDX-License-Identifier: Apache-2.0
// sunset-cli reading AD live from the Samba AD DC of the SambaDc fixture: diff --ad ldaps://… with a
// Get-Mailbox export made from the fixture's seed, dump --ldif and its round trip through the LDIF reader,
// the errors an admin meets first (bad password, missing --bind, a password on the command line), and a second
// diff of the same profile reading only what changed (uSNChanged) with the report of a full read.
#include "AdSnapshotReader.h"
#include "LdapConnection.h"
#include "LdapSnapshotReader.h"
#include "MailboxRecord.h"
#include "support/samba/SambaTestDomain.h"

#include <QDebug>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <map>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

// Where two JSON values first differ ("summary.adMailboxes: 1106 vs 1107"), or empty: for a failure message.
QString firstDifference(const QJsonValue& a, const QJsonValue& b, const QString& path = u"report"_s)
{
    if (a.isObject() && b.isObject()) {
        const QJsonObject x = a.toObject(), y = b.toObject();
        QStringList keys = x.keys() + y.keys();
        keys.removeDuplicates();
        for (const QString& key : keys) {
            if (const QString d = firstDifference(x.value(key), y.value(key), path + u'.' + key); !d.isEmpty())
                return d;
        }
        return {};
    }
    if (a.isArray() && b.isArray()) {
        const QJsonArray x = a.toArray(), y = b.toArray();
        for (qsizetype i = 0; i < std::min(x.size(), y.size()); ++i) {
            if (const QString d = firstDifference(x[i], y[i], path + u'[' + QString::number(i) + u']'); !d.isEmpty())
                return d;
        }
        if (x.size() != y.size())
            return u"%1: %2 vs %3 elements"_s.arg(path).arg(x.size()).arg(y.size());
        return {};
    }
    if (a == b)
        return {};
    const auto text = [](const QJsonValue& v) {
        return v.isObject() || v.isArray() ? u"(structure)"_s : v.toVariant().toString();
    };
    return u"%1: %2 vs %3"_s.arg(path, text(a), text(b));
}

// Every array sorted (by its elements' compact JSON): the report lists mailboxes in the order AD gave them, and
// a full read's order is the DC's (Samba's is not creation order, observed), which an incremental read cannot
// reproduce for what changed; the comparison is of content.
QJsonValue inCanonicalOrder(const QJsonValue& value)
{
    if (value.isObject()) {
        QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            *it = inCanonicalOrder(*it);
        return object;
    }
    if (!value.isArray())
        return value;
    std::vector<std::pair<QByteArray, QJsonValue>> keyed;
    for (const QJsonValue& element : value.toArray()) {
        const QJsonValue sorted = inCanonicalOrder(element);
        keyed.emplace_back(QJsonDocument(QJsonArray{sorted}).toJson(QJsonDocument::Compact), sorted);
    }
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    QJsonArray array;
    for (const auto& [key, element] : keyed)
        array.append(element);
    return array;
}

constexpr int kCloudMailboxes = 1000; // the first 1,000 bulk mailboxes exist in the cloud export

} // namespace

class TestCliLive final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void diffReadsAdLive();
    void diffLiveEqualsDiffOfDump();
    void dumpRoundTrip();
    void wrongPassword();
    void missingBind();
    void passwordNeverOnCommandLine();
    void passwordFromEnvironment();
    void secondDiffReadsIncrementally();
    void cleanupTestCase();

private:
    QByteArray incrementalAddedDn() const { return "CN=Cli Incremental," + m_domain.mailboxOu(); }
    bool undoIncrementalChanges(bool mayFail);

    Run cli(const QStringList& arguments, const QProcessEnvironment& extra = {});
    QStringList connection() const;
    QJsonObject summaryOf(const QString& reportPath);
    static QJsonObject reportWithoutRunFacts(const QString& reportPath);

    SambaTestDomain m_domain;
    QTemporaryDir m_dir;
    QString m_exoJson;
    QByteArray m_dnOfMbx3; // a mailbox the cloud export has
    int m_strongMatches = 0;
};

void TestCliLive::initTestCase()
{
    m_domain = SambaTestDomain::load();
    QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
    QVERIFY(m_dir.isValid());

    // The cloud side, built from the seed the fixture loaded: the first 1,000 bulk mailboxes as Get-Mailbox
    // shows them (by UPN; with ExternalDirectoryObjectId where AD has msDS-ExternalDirectoryObjectId), plus two
    // mailboxes AD does not have.
    QFile seed(m_domain.value("SUNSET_TEST_SEED_LDIF"));
    QVERIFY(seed.open(QIODevice::ReadOnly));
    const QByteArray seedLdif = seed.readAll();
    auto seeded = readAdSnapshotFromLdif(seedLdif, seed.fileName());
    QVERIFY2(seeded.ok(), seeded ? "" : qPrintable(seeded.error().toString()));
    QJsonArray mailboxes;
    for (const MailboxRecord& record : seeded->records) {
        const QString upn = record.identityText(IdentityField::UserPrincipalName);
        if (!upn.startsWith(u"mbx"_s) || upn.mid(3, 5).toInt() > kCloudMailboxes)
            continue;
        if (upn.mid(3, 5).toInt() == 3)
            m_dnOfMbx3 = record.identity(IdentityField::DistinguishedName).toByteArray();
        QJsonObject m;
        m[u"UserPrincipalName"_s] = upn;
        m[u"PrimarySmtpAddress"_s] = record.identityText(IdentityField::PrimarySmtpAddress);
        m[u"WindowsEmailAddress"_s] = record.identityText(IdentityField::PrimarySmtpAddress);
        m[u"RecipientTypeDetails"_s] = u"UserMailbox"_s;
        m[u"IsExchangeCloudManaged"_s] = true;
        m[u"IsDirSynced"_s] = true;
        QJsonArray addresses;
        for (QByteArrayView a : record.adValues(AttributeId::ProxyAddresses))
            addresses.append(QString::fromUtf8(a));
        m[u"EmailAddresses"_s] = addresses;
        if (record.has(IdentityField::ExternalDirectoryObjectId)) {
            m[u"ExternalDirectoryObjectId"_s] = record.identityText(IdentityField::ExternalDirectoryObjectId);
            ++m_strongMatches;
        }
        mailboxes.append(m);
    }
    QCOMPARE(mailboxes.size(), kCloudMailboxes);
    QVERIFY(!m_dnOfMbx3.isEmpty());
    QVERIFY(m_strongMatches > 50);
    for (const QString& name : {u"cloud.only1"_s, u"cloud.only2"_s}) {
        QJsonObject m;
        const QString address = name + u"@sunset.test"_s;
        m[u"UserPrincipalName"_s] = address;
        m[u"PrimarySmtpAddress"_s] = address;
        m[u"RecipientTypeDetails"_s] = u"UserMailbox"_s;
        m[u"EmailAddresses"_s] = QJsonArray{QString(u"SMTP:"_s + address)};
        mailboxes.append(m);
    }
    m_exoJson = m_dir.filePath(u"exo.json"_s);
    QFile exo(m_exoJson);
    QVERIFY(exo.open(QIODevice::WriteOnly));
    exo.write(QJsonDocument(mailboxes).toJson());
}

Run TestCliLive::cli(const QStringList& arguments, const QProcessEnvironment& extra)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(u"SUNSET_BIND_PASSWORD"_s);
    for (const QString& key : extra.keys())
        environment.insert(key, extra.value(key));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(SUNSET_CLI_PATH), arguments);
    Run run;
    if (!process.waitForFinished(180'000)) {
        qWarning("sunset-cli did not finish");
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QStringList TestCliLive::connection() const
{
    return {u"--ad"_s, m_domain.ldapsUri(), u"--bind"_s,          m_domain.bindUpn(),
            u"--ca"_s, m_domain.caFile(),   u"--password-file"_s, m_domain.passwordFile()};
}

QJsonObject TestCliLive::summaryOf(const QString& reportPath)
{
    QFile file(reportPath);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object().value(u"summary"_s).toObject();
}

void TestCliLive::diffReadsAdLive()
{
    const QString report = m_dir.filePath(u"live.json"_s);
    const Run run =
        cli(QStringList{u"diff"_s} + connection() + QStringList{u"--exo"_s, m_exoJson, u"--json"_s, report});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(!run.err.contains(u"warning"_s), qPrintable(run.err)); // the fixture's password file is 600
    const QJsonObject summary = summaryOf(report);
    QCOMPARE(summary.value(u"adMailboxes"_s).toInteger(), m_domain.mailboxes());
    QCOMPARE(summary.value(u"cloudMailboxes"_s).toInt(), kCloudMailboxes + 2);
    QCOMPARE(summary.value(u"matched"_s).toInt(), kCloudMailboxes);
    QCOMPARE(summary.value(u"adOnly"_s).toInteger(), m_domain.mailboxes() - kCloudMailboxes);
    QCOMPARE(summary.value(u"cloudOnly"_s).toInt(), 2);
    const QJsonObject by = summary.value(u"matchedBy"_s).toObject();
    QCOMPARE(by.value(u"externalDirectoryObjectId"_s).toInt(), m_strongMatches);
    QCOMPARE(by.value(u"userPrincipalName"_s).toInt(), kCloudMailboxes - m_strongMatches);
    // The report names the live source.
    QVERIFY(run.out.contains(m_domain.ldapsUri()));
}

void TestCliLive::diffLiveEqualsDiffOfDump()
{
    const QString dump = m_dir.filePath(u"for-diff.ldif"_s);
    const Run dumped = cli(QStringList{u"dump"_s} + connection() + QStringList{u"--ldif"_s, dump});
    QVERIFY2(dumped.exitCode == 0, qPrintable(dumped.err));
    const QString fromLive = m_dir.filePath(u"a.json"_s);
    const QString fromDump = m_dir.filePath(u"b.json"_s);
    QCOMPARE(
        cli(QStringList{u"diff"_s} + connection() + QStringList{u"--exo"_s, m_exoJson, u"--json"_s, fromLive}).exitCode,
        0);
    QCOMPARE(cli({u"diff"_s, u"--ad"_s, dump, u"--exo"_s, m_exoJson, u"--json"_s, fromDump}).exitCode, 0);
    QFile a(fromLive), b(fromDump);
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QJsonObject live = QJsonDocument::fromJson(a.readAll()).object();
    QJsonObject offline = QJsonDocument::fromJson(b.readAll()).object();
    live.remove(u"sources"_s);
    offline.remove(u"sources"_s);
    live.remove(u"sinceScan"_s); // what changed since the profile's previous scan: both runs record in one history
    offline.remove(u"sinceScan"_s);
    QVERIFY(!live.isEmpty());
    QVERIFY2(live == offline, "the report from the dump differs from the live one");
}

void TestCliLive::dumpRoundTrip()
{
    const QString path = m_dir.filePath(u"dump.ldif"_s);
    const Run run = cli(QStringList{u"dump"_s} + connection() + QStringList{u"--ldif"_s, path});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(u"(%1 mailboxes)"_s.arg(m_domain.mailboxes())), qPrintable(run.out));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());
    const QByteArray ldif = file.readAll();
    for (const QByteArray& line : ldif.split('\n'))
        QVERIFY2(line.size() <= 76 || line.startsWith('#'), line.constData()); // values folded, comments not
    auto dumped = readAdSnapshotFromLdif(ldif, path);
    QVERIFY2(dumped.ok(), dumped ? "" : qPrintable(dumped.error().toString()));

    // The same read, in-process: every record identical, identity and values byte for byte, in order.
    LdapConnectionOptions options;
    options.uri = m_domain.ldapsUri();
    options.caFile = m_domain.caFile();
    LdapConnection connection(options);
    QVERIFY(connection.simpleBind(m_domain.bindUpn(), m_domain.password()));
    auto live = readAdSnapshotFromLdap(connection, m_domain.baseDn());
    QVERIFY2(live.ok(), live ? "" : qPrintable(live.error().toString()));
    QCOMPARE(dumped->records.size(), live->records.size());
    QCOMPARE(dumped->skippedEntries, live->skippedEntries);
    int bigMailboxes = 0;
    for (size_t i = 0; i < live->records.size(); ++i) {
        const MailboxRecord& a = live->records[i];
        const MailboxRecord& b = dumped->records[i];
        const QByteArray dn = a.identity(IdentityField::DistinguishedName).toByteArray();
        for (int f = 0; f < int(IdentityField::Count); ++f)
            QVERIFY2(a.identity(IdentityField(f)) == b.identity(IdentityField(f)),
                     QByteArray(dn + " identity " + QByteArray::number(f)).constData());
        for (int k = 0; k < kAttributeCount; ++k) {
            const auto id = AttributeId(k);
            QByteArrayList mine, theirs;
            for (QByteArrayView v : a.adValues(id))
                mine << v.toByteArray();
            for (QByteArrayView v : b.adValues(id))
                theirs << v.toByteArray();
            QVERIFY2(mine == theirs, QByteArray(dn + ' ' + AttributeCatalog::spec(id).ldapName.data()).constData());
        }
        bigMailboxes += a.adValues(AttributeId::ProxyAddresses).size() == 1600 ? 1 : 0;
    }
    QCOMPARE(bigMailboxes, 1);
    // The replication metadata too (the dump carries it and the schema and DC entries that decode it): every
    // mailbox's, stamp for stamp.
    QCOMPARE(qint64(live->changeMetadata.size()), qint64(live->records.size()));
    QCOMPARE(dumped->changeMetadata.size(), live->changeMetadata.size());
    for (auto it = live->changeMetadata.cbegin(); it != live->changeMetadata.cend(); ++it) {
        const auto& theirs = dumped->changeMetadata.value(it.key());
        QVERIFY2(theirs.size() == it->size(), it.key().constData());
        for (size_t k = 0; k < theirs.size(); ++k) {
            const AttributeLastChange& x = (*it)[k];
            const AttributeLastChange& y = theirs[k];
            QVERIFY2(x.attribute == y.attribute && x.version == y.version &&
                         x.originatingChangeMsecs == y.originatingChangeMsecs &&
                         live->changeMetadata.invocationId(x) == dumped->changeMetadata.invocationId(y) &&
                         live->changeMetadata.dcName(x) == dumped->changeMetadata.dcName(y) &&
                         !live->changeMetadata.dcName(x).isEmpty(),
                     it.key().constData());
        }
    }
}

void TestCliLive::wrongPassword()
{
    const QString badFile = m_dir.filePath(u"bad.password"_s);
    QFile file(badFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not-the-password\n");
    file.close();
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const Run run = cli({u"diff"_s, u"--ad"_s, m_domain.ldapsUri(), u"--bind"_s, m_domain.bindUpn(), u"--ca"_s,
                         m_domain.caFile(), u"--password-file"_s, badFile, u"--exo"_s, m_exoJson});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(u"the domain controller refused the bind"_s) &&
                 run.err.contains(u"password is wrong"_s) && run.err.contains(m_domain.bindUpn()),
             qPrintable(run.err));
}

void TestCliLive::missingBind()
{
    const Run run =
        cli({u"diff"_s, u"--ad"_s, m_domain.ldapsUri(), u"--ca"_s, m_domain.caFile(), u"--exo"_s, m_exoJson});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(u"--bind UPN is required"_s), qPrintable(run.err));
    const Run dump = cli({u"dump"_s, u"--ad"_s, m_domain.ldapsUri(), u"--ldif"_s, u"-"_s});
    QCOMPARE(dump.exitCode, 2);
}

void TestCliLive::passwordNeverOnCommandLine()
{
    const Run run = cli(QStringList{u"diff"_s} + connection() + QStringList{u"--password"_s, u"x"_s});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(u"no password on the command line"_s), qPrintable(run.err));
    // --bind without a password file or SUNSET_BIND_PASSWORD.
    const Run none =
        cli({u"diff"_s, u"--ad"_s, m_domain.ldapsUri(), u"--bind"_s, m_domain.bindUpn(), u"--exo"_s, m_exoJson});
    QCOMPARE(none.exitCode, 2);
    QVERIFY2(none.err.contains(u"SUNSET_BIND_PASSWORD"_s), qPrintable(none.err));
}

void TestCliLive::passwordFromEnvironment()
{
    // And a password file others can read is used, with a warning.
    const QString loose = m_dir.filePath(u"loose.password"_s);
    QVERIFY(QFile::copy(m_domain.passwordFile(), loose));
    QFile(loose).setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
    const Run warned = cli({u"dump"_s, u"--ad"_s, m_domain.ldapsUri(), u"--bind"_s, m_domain.bindUpn(), u"--ca"_s,
                            m_domain.caFile(), u"--password-file"_s, loose, u"--base"_s,
                            QString::fromUtf8("OU=Sales," + m_domain.mailboxOu()), u"--ldif"_s, u"-"_s});
    QVERIFY2(warned.exitCode == 0, qPrintable(warned.err));
    QVERIFY2(warned.err.contains(u"can be read or changed by other users"_s), qPrintable(warned.err));
    QVERIFY2(warned.err.contains(u"(5 mailboxes)"_s), qPrintable(warned.err)); // summary on stderr with -
    QVERIFY(warned.out.startsWith(u"# Sunset dump of "_s));

    QProcessEnvironment environment;
    environment.insert(u"SUNSET_BIND_PASSWORD"_s, QString::fromUtf8(m_domain.password()));
    const Run run =
        cli({u"dump"_s, u"--ad"_s, m_domain.ldapsUri(), u"--bind"_s, m_domain.bindUpn(), u"--ca"_s, m_domain.caFile(),
             u"--base"_s, QString::fromUtf8("OU=Sales," + m_domain.mailboxOu()), u"--ldif"_s, u"-"_s},
            environment);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.err.contains(u"(5 mailboxes)"_s), qPrintable(run.err));
}

QJsonObject TestCliLive::reportWithoutRunFacts(const QString& reportPath)
{
    QFile file(reportPath);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QJsonObject report = QJsonDocument::fromJson(file.readAll()).object();
    report.remove(u"sources"_s);   // when and how each side was read
    report.remove(u"sinceScan"_s); // what changed since the profile's previous scan: differs run to run
    report.remove(u"asOf"_s);      // when the comparison ran
    return inCanonicalOrder(report).toObject();
}

void TestCliLive::secondDiffReadsIncrementally()
{
    // A profile of its own (a fresh data directory): the first diff finds no cursor.
    QProcessEnvironment profile;
    profile.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(u"incremental-data"_s));
    const QStringList diff = QStringList{u"diff"_s} + connection() + QStringList{u"--exo"_s, m_exoJson, u"--json"_s};
    const auto diffTo = [&](const QString& name, const QStringList& more = {}) {
        const Run run = cli(diff + QStringList{m_dir.filePath(name)} + more, profile);
        if (run.exitCode != 0)
            qWarning().noquote() << run.err;
        return run;
    };

    const Run first = diffTo(u"first.json"_s);
    QCOMPARE(first.exitCode, 0);
    QVERIFY2(first.out.contains(u"AD: full read of "_s) && first.out.contains(u"no previous scan kept"_s),
             qPrintable(first.out));

    // Changes between the scans: a proxy address added to a mailbox the cloud export has (drift the report
    // shows), and a new mailbox.
    const QByteArray added = incrementalAddedDn();
    const QByteArray changed = m_dnOfMbx3;
    undoIncrementalChanges(true); // an aborted run's
    QVERIFY(m_domain.runLdapTool(u"ldapmodify"_s, {},
                                 "dn: " + changed + "\nchangetype: modify\nadd: proxyAddresses\n"
                                 "proxyAddresses: smtp:incremental.extra@sunset.test\n\n" +
                                     "dn: " + added + "\nchangetype: add\nobjectClass: user\n"
                                     "sAMAccountName: cli.incremental\nmailNickname: cli.incremental\n"
                                     "mail: cli.incremental@sunset.test\n"
                                     "proxyAddresses: SMTP:cli.incremental@sunset.test\n"
                                     "msExchRecipientTypeDetails: 2147483648\n\n"));

    const Run second = diffTo(u"second.json"_s);
    QCOMPARE(second.exitCode, 0);
    QVERIFY2(second.out.contains(u"AD: incremental read of "_s), qPrintable(second.out));
    QVERIFY2(second.out.contains(u"2 read again, 0 removed"_s), qPrintable(second.out));
    const Run full = diffTo(u"full.json"_s, {u"--ad-full"_s});
    QCOMPARE(full.exitCode, 0);
    QVERIFY2(full.out.contains(u"AD: full read of "_s) && full.out.contains(u"--ad-full"_s), qPrintable(full.out));
    // The one flag for both sides: --full-scan, the cloud's, reads AD in full too.
    const Run fullScan = diffTo(u"full-scan.json"_s, {u"--full-scan"_s});
    QCOMPARE(fullScan.exitCode, 0);
    QVERIFY2(fullScan.out.contains(u"AD: full read of "_s) && fullScan.out.contains(u"--full-scan"_s),
             qPrintable(fullScan.out));

    const QJsonObject before = reportWithoutRunFacts(m_dir.filePath(u"first.json"_s));
    const QJsonObject incremental = reportWithoutRunFacts(m_dir.filePath(u"second.json"_s));
    QVERIFY(!incremental.isEmpty());
    const QString differs = firstDifference(incremental, reportWithoutRunFacts(m_dir.filePath(u"full.json"_s)));
    QVERIFY2(differs.isEmpty(), qPrintable(u"the incremental read's report differs from a full read's: "_s + differs));
    QCOMPARE(reportWithoutRunFacts(m_dir.filePath(u"full-scan.json"_s)),
             reportWithoutRunFacts(m_dir.filePath(u"full.json"_s)));
    QVERIFY2(incremental != before, "the changes do not show in the report");
    QCOMPARE(incremental.value(u"summary"_s).toObject().value(u"adMailboxes"_s).toInteger(), m_domain.mailboxes() + 1);

    // Undone (the other tests read the seed as it was): the next incremental read removes the new mailbox and
    // gives the first report again.
    QVERIFY(undoIncrementalChanges(false));
    const Run undone = diffTo(u"undone.json"_s);
    QCOMPARE(undone.exitCode, 0);
    QVERIFY2(undone.out.contains(u"AD: incremental read of "_s) && undone.out.contains(u"1 removed"_s),
             qPrintable(undone.out));
    const QString stillDiffers = firstDifference(reportWithoutRunFacts(m_dir.filePath(u"undone.json"_s)), before);
    QVERIFY2(stillDiffers.isEmpty(), qPrintable(u"changes undone, the incremental read's report differs from the "
                                                "first full read's: "_s + stillDiffers));
}

bool TestCliLive::undoIncrementalChanges(bool mayFail)
{
    // -c: each change on its own (after a failed run, either may be done already).
    return m_domain
        .runLdapTool(u"ldapmodify"_s, {u"-c"_s},
                     "dn: " + m_dnOfMbx3 + "\nchangetype: modify\ndelete: proxyAddresses\n"
                     "proxyAddresses: smtp:incremental.extra@sunset.test\n\n" +
                         "dn: " + incrementalAddedDn() + "\nchangetype: delete\n\n",
                     mayFail)
        .has_value();
}

void TestCliLive::cleanupTestCase()
{
    // A failed secondDiffReadsIncrementally may have left its changes (the other Samba tests read the seed).
    if (!m_dnOfMbx3.isEmpty())
        undoIncrementalChanges(true);
}

QTEST_GUILESS_MAIN(TestCliLive)
#include "TestCliLive.moc"
