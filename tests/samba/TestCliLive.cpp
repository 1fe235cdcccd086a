// SPDX-License-Identifier: Apache-2.0
// sunset-cli reading AD live from the Samba AD DC of the SambaDc fixture: diff --ad ldaps://… with a
// Get-Mailbox export made from the fixture's seed, dump --ldif and its round trip through the LDIF reader,
// and the errors an admin meets first (bad password, missing --bind, a password on the command line).
#include "AdSnapshotReader.h"
#include "LdapConnection.h"
#include "LdapSnapshotReader.h"
#include "MailboxRecord.h"
#include "SambaTestDomain.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <map>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

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

private:
    Run cli(const QStringList& arguments, const QProcessEnvironment& extra = {});
    QStringList connection() const;
    QJsonObject summaryOf(const QString& reportPath);

    SambaTestDomain m_domain;
    QTemporaryDir m_dir;
    QString m_exoJson;
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
    QVERIFY(!connection.simpleBind(m_domain.bindUpn(), m_domain.password()));
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

QTEST_GUILESS_MAIN(TestCliLive)
#include "TestCliLive.moc"
