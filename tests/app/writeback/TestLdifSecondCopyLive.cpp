// SPDX-License-Identifier: Apache-2.0
// The exported LDIF of a batch reproduces the batch on another copy of the data: two OUs of contacts with the same
// catalog values (copy A and copy B); on copy A the scripted change window runs through sunset-cli (diff of an
// ldapsearch export of A with a cloud export, batch plan, batch approve, apply against the DC); the batch is
// exported with `history export --format ldif`, only its DNs are rewritten from A to B, and `ldapmodify` applies
// it to copy B. Then every catalog attribute of every object is byte-identical between A and B.
// Contacts (not users) in OUs of this test's own, so no other test counts or changes them.
#include "support/CliRun.h"
#include "CliCommands.h"
#include "HistoryStore.h"
#include "LdapConnection.h"
#include "support/samba/SambaTestDomain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <map>

using namespace sunset;
using sunset::test::cli;
using sunset::test::CliRun;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int kObjects = 6;
using EntryValues = std::map<QByteArray, QByteArrayList>; // lower-case attribute name -> sorted values

QByteArray address(const char* local, int i)
{
    return local + QByteArray::number(i) + "@sunset-ldif.test";
}

QString newAttribute1(int i)
{
    return u"  Zoë «naïve» 東京 %1  "_s.arg(i); // leading/trailing spaces and UTF-8: base64 in LDIF
}

} // namespace

class TestLdifSecondCopyLive final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void exportedLdifGivesTheSameResultOnASecondCopy();

private:
    QByteArray dn(char copy, int i) const
    {
        return "CN=Copy Contact " + QByteArray::number(i) + "," + (copy == 'A' ? m_ouA : m_ouB);
    }
    std::optional<QByteArray> ldapTool(const QString& tool, const QStringList& arguments, const QByteArray& input = {},
                                       bool mayFail = false);
    QStringList connection() const;
    EntryValues read(const QByteArray& dn);
    static QByteArray rewriteDns(const QByteArray& ldif, const QByteArray& from, const QByteArray& to, int* rewritten);

    SambaTestDomain m_domain;
    QByteArray m_ouA;
    QByteArray m_ouB;
    QByteArrayList m_catalog;
    std::unique_ptr<LdapConnection> m_connection;
    QTemporaryDir m_dir;
};

void TestLdifSecondCopyLive::initTestCase()
{
    m_domain = SambaTestDomain::load();
    QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
    m_ouA = "OU=Sunset LDIF Copy A," + m_domain.baseDn();
    m_ouB = "OU=Sunset LDIF Copy B," + m_domain.baseDn();
    for (const AttributeSpec& spec : AttributeCatalog::all())
        m_catalog << QByteArray(spec.ldapName.data(), spec.ldapName.size());

    LdapConnectionOptions options;
    options.uri = m_domain.ldapsUri();
    options.caFile = m_domain.caFile();
    options.networkTimeout = std::chrono::seconds(5);
    options.operationTimeout = std::chrono::seconds(60);
    m_connection = std::make_unique<LdapConnection>(options);
    const auto bindResult = m_connection->simpleBind(m_domain.bindUpn(), m_domain.password());
    QVERIFY2(bindResult, bindResult ? "" : qPrintable(bindResult.error().toString()));

    const auto b64 = [](const QByteArray& name, const QByteArray& value) -> QByteArray {
        return name + ":: " + value.toBase64() + '\n';
    };
    QByteArray ldif;
    for (const char copy : {'A', 'B'}) {
        ldif += "dn: " + (copy == 'A' ? m_ouA : m_ouB) + "\nobjectClass: organizationalUnit\n\n";
        for (int i = 0; i < kObjects; ++i) {
            // The same catalog values in both copies.
            ldif += "dn: " + dn(copy, i) + "\nobjectClass: contact\n" + b64("mail", address("copy.", i)) +
                    b64("proxyAddresses", "SMTP:" + address("copy.", i)) +
                    b64("proxyAddresses", "smtp:" + address("alias.", i)) +
                    b64("mailNickname", "copy." + QByteArray::number(i)) +
                    b64("msExchRecipientTypeDetails", "2147483648") +
                    b64("extensionAttribute1", "old value " + QByteArray::number(i)) +
                    b64("extensionAttribute2", " keep  spaces ") + b64("msExchExtensionCustomAttribute1", "a") + "\n";
        }
    }
    for (const QByteArray& ou : {m_ouA, m_ouB}) // leftovers of an aborted run
        ldapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(ou)}, {}, true);
    QVERIFY(ldapTool(u"ldapadd"_s, {}, ldif));
}

void TestLdifSecondCopyLive::cleanupTestCase()
{
    for (const QByteArray& ou : {m_ouA, m_ouB})
        if (!ou.isEmpty())
            QVERIFY(ldapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(ou)}));
}

std::optional<QByteArray> TestLdifSecondCopyLive::ldapTool(const QString& tool, const QStringList& arguments,
                                                           const QByteArray& input, bool mayFail)
{
    return m_domain.runLdapTool(tool, arguments, input, mayFail);
}

QStringList TestLdifSecondCopyLive::connection() const
{
    return {u"--ad"_s, m_domain.ldapsUri(), u"--bind"_s,          m_domain.bindUpn(),
            u"--ca"_s, m_domain.caFile(),   u"--password-file"_s, m_domain.passwordFile()};
}

EntryValues TestLdifSecondCopyLive::read(const QByteArray& entryDn)
{
    LdapSearchRequest request;
    request.baseDn = entryDn;
    request.scope = LdapScope::Base;
    request.pageSize = 0;
    request.attributes = m_catalog;
    EntryValues values;
    const auto searched = m_connection->search(request, [&](const LdifEntry& entry) -> LdapResult<void> {
        for (const LdifAttribute& attribute : entry.attributes)
            values[attribute.name.toByteArray().toLower()] << attribute.value.toByteArray();
        return {};
    });
    if (!searched)
        qWarning("reading %s failed: %s", entryDn.constData(), qPrintable(searched.error().toString()));
    for (auto& [name, list] : values)
        std::sort(list.begin(), list.end());
    return values;
}

// Unfolds the LDIF (RFC 2849 continuation lines) and rewrites each record's DN (plain or base64) from one OU to
// another; every other line is left byte for byte.
QByteArray TestLdifSecondCopyLive::rewriteDns(const QByteArray& ldif, const QByteArray& from, const QByteArray& to,
                                              int* rewritten)
{
    QByteArrayList lines;
    for (const QByteArray& line : ldif.split('\n')) {
        if (line.startsWith(' ') && !lines.isEmpty())
            lines.last() += line.mid(1);
        else
            lines << line;
    }
    *rewritten = 0;
    for (QByteArray& line : lines) {
        QByteArray value;
        if (line.startsWith("dn:: "))
            value = QByteArray::fromBase64(line.mid(5));
        else if (line.startsWith("dn: "))
            value = line.mid(4);
        else
            continue;
        if (!value.endsWith(QByteArray("," + from)))
            continue;
        value.chop(from.size());
        line = "dn:: " + QByteArray(value + to).toBase64();
        ++*rewritten;
    }
    return lines.join('\n');
}

void TestLdifSecondCopyLive::exportedLdifGivesTheSameResultOnASecondCopy()
{
    // The AD side of the scan: copy A as an ldapsearch export (no objectClass asked: the Exchange attributes
    // make a mailbox), the cloud side: Get-Mailbox JSON with the values the cloud holds.
    const auto exported = ldapTool(u"ldapsearch"_s, QStringList{u"-LLL"_s, u"-b"_s, QString::fromUtf8(m_ouA), u"-s"_s,
                                                                u"one"_s, u"(objectClass=contact)"_s} +
                                                        QString::fromLatin1(m_catalog.join(' ')).split(u' '));
    QVERIFY(exported);
    const QString adLdif = m_dir.filePath(u"copy-a.ldif"_s);
    {
        QFile f(adLdif);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(*exported);
    }
    QJsonArray mailboxes;
    for (int i = 0; i < kObjects; ++i) {
        const QString primary = QString::fromLatin1(address("copy.", i));
        mailboxes.append(QJsonObject{
            {u"Name"_s, u"copy.%1"_s.arg(i)},
            {u"Alias"_s, u"copy.%1"_s.arg(i)},
            {u"DisplayName"_s, u"Copy Contact %1"_s.arg(i)},
            {u"UserPrincipalName"_s, primary},
            {u"PrimarySmtpAddress"_s, primary},
            {u"WindowsEmailAddress"_s, primary},
            {u"RecipientTypeDetails"_s, u"UserMailbox"_s},
            {u"IsDirSynced"_s, true},
            {u"IsExchangeCloudManaged"_s, true},
            {u"EmailAddresses"_s,
             QJsonArray{QString(u"SMTP:"_s + primary), QString(u"smtp:"_s + QString::fromLatin1(address("alias.", i))),
                        QString(u"smtp:"_s + QString::fromLatin1(address("new.", i)))}},
            {u"CustomAttribute1"_s, newAttribute1(i)},
            {u"CustomAttribute2"_s, u""_s},
            {u"CustomAttribute3"_s, u"=Project, \"Sunrise\""_s},
            {u"ExtensionCustomAttribute1"_s, QJsonArray{u"a"_s, u"B"_s, u"c c"_s}},
        });
    }
    const QString exo = m_dir.filePath(u"exo.json"_s);
    {
        QFile f(exo);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(mailboxes).toJson());
    }
    const QString db = m_dir.filePath(u"history.sqlite"_s);

    CliRun run = cli({u"diff"_s, u"--ad"_s, adLdif, u"--exo"_s, exo, u"--db"_s, db});
    QVERIFY2(run.code == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(u"Recorded as scan 1"_s), qPrintable(run.out));

    run = cli({u"batch"_s, u"plan"_s, u"--db"_s, db});
    QVERIFY2(run.code == 0, qPrintable(run.err + run.out));
    const QRegularExpressionMatch planned =
        QRegularExpression(u"^Batch (\\d+) planned from scan 1\\."_s).match(run.out);
    QVERIFY2(planned.hasMatch(), qPrintable(run.out));
    const QString batch = planned.captured(1);
    QVERIFY2(run.out.contains(u"\n%1 objects, "_s.arg(kObjects)), qPrintable(run.out));
    QVERIFY2(!run.out.contains(u"refused:"_s), qPrintable(run.out));

    run = cli({u"batch"_s, u"approve"_s, batch, u"--reason"_s, u"Cloud Sync job quarantined, ticket TEST-1"_s, u"--db"_s, db, u"--bind"_s, m_domain.bindUpn()});
    QVERIFY2(run.code == 0, qPrintable(run.err));
    run = cli(QStringList{u"apply"_s, u"--batch"_s, batch, u"--db"_s, db} + connection());
    QVERIFY2(run.code == 0, qPrintable(run.err + run.out));

    // Copy A now holds the cloud's values; copy B still the old ones.
    for (int i = 0; i < kObjects; ++i) {
        const EntryValues a = read(dn('A', i));
        QCOMPARE(a.at("extensionattribute1"), QByteArrayList{newAttribute1(i).toUtf8()});
        QVERIFY(!a.count("extensionattribute2"));
        QCOMPARE(a.at("extensionattribute3"), QByteArrayList{"=Project, \"Sunrise\""});
        QCOMPARE(a.at("msexchextensioncustomattribute1"), (QByteArrayList{"B", "a", "c c"}));
        QVERIFY(a.at("proxyaddresses").contains("smtp:" + address("new.", i)));
        QVERIFY(read(dn('B', i)) != a);
    }

    const QString exportedLdif = m_dir.filePath(u"batch.ldif"_s);
    run = cli({u"history"_s, u"export"_s, u"--db"_s, db, u"--format"_s, u"ldif"_s, u"--batch"_s, batch, u"--out"_s,
               exportedLdif});
    QVERIFY2(run.code == 0, qPrintable(run.err));
    QFile file(exportedLdif);
    QVERIFY(file.open(QIODevice::ReadOnly));
    int rewritten = 0;
    const QByteArray forB = rewriteDns(file.readAll(), m_ouA, m_ouB, &rewritten);
    QCOMPARE(rewritten, kObjects);
    QVERIFY(ldapTool(u"ldapmodify"_s, {}, forB));

    for (int i = 0; i < kObjects; ++i) {
        const EntryValues a = read(dn('A', i));
        const EntryValues b = read(dn('B', i));
        QVERIFY(!a.empty());
        for (const QByteArray& name : m_catalog) {
            const QByteArray key = name.toLower();
            const QByteArrayList inA = a.count(key) ? a.at(key) : QByteArrayList();
            const QByteArrayList inB = b.count(key) ? b.at(key) : QByteArrayList();
            QVERIFY2(inA == inB,
                     qPrintable(u"%1 of object %2: A [%3], B [%4]"_s.arg(QString::fromLatin1(name))
                                    .arg(i)
                                    .arg(QString::fromUtf8(inA.join('|')), QString::fromUtf8(inB.join('|')))));
        }
    }
    QVERIFY(cli({u"history"_s, u"verify"_s, u"--db"_s, db}).code == 0);
}

QTEST_GUILESS_MAIN(TestLdifSecondCopyLive)
#include "TestLdifSecondCopyLive.moc"
