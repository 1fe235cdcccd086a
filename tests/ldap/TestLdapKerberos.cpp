// SPDX-License-Identifier: Apache-2.0
// The Kerberos (SASL GSSAPI) bind against the Samba AD DC of the SambaDc fixture, whose KDC runs on
// 127.0.0.1:88: a ticket from kinit in a private credential cache (KRB5CCNAME) and the fixture's krb5.conf
// (KRB5_CONFIG), never the machine's. Also the Exchange schema check against the fixture's extended schema.
#include "ExchangeSchema.h"
#include "LdapConnection.h"
#include "support/samba/SambaTestDomain.h"

#include <QDateTime>
#include <QFile>
#include <QHostInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

QString describe(const LdapResult<void>& outcome)
{
    return outcome ? u"no error"_s : ldapErrorCodeName(outcome.error().code) + u": "_s + outcome.error().toString();
}

// A FILE credential cache, version 4 (MIT's "ccache_file_format", documented: big-endian, a header of tags, the
// default principal, then one credential after another to the end of the file), whose tickets all ended at
// endedAt: each credential's authtime, starttime, endtime and renew-till are rewritten in place. These are the
// times the client keeps beside each ticket (the KDC's own copy is sealed inside the ticket), and the ones MIT's
// GSSAPI checks before it asks the KDC for anything: a cache whose TGT has ended is refused as expired, which is
// what an admin's stale kinit looks like. Configuration entries (times 0) stay as they are. Empty when done, else
// what is wrong with the file.
QString endTicketsIn(const QString& path, const QDateTime& endedAt)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadWrite))
        return path + u": "_s + file.errorString();
    QByteArray bytes = file.readAll();
    qsizetype at = 0;
    bool ok = true;
    const auto take = [&](qsizetype size) {
        ok = ok && size >= 0 && at + size <= bytes.size();
        const qsizetype start = at;
        at = ok ? at + size : bytes.size();
        return start;
    };
    const auto u16 = [&] { const qsizetype p = take(2); return ok ? qFromBigEndian<quint16>(bytes.constData() + p) : 0; };
    const auto u32 = [&] { const qsizetype p = take(4); return ok ? qFromBigEndian<quint32>(bytes.constData() + p) : 0u; };
    const auto data = [&] { take(qsizetype(u32())); };
    const auto principal = [&] {
        u32(); // name type
        const quint32 components = u32();
        data(); // realm
        for (quint32 i = 0; ok && i < components; ++i)
            data();
    };
    if (u16() != 0x0504)
        return path + u": not a version 4 FILE credential cache"_s;
    take(u16()); // header tags (the KDC time offset)
    principal();   // the default principal
    const quint32 ended = quint32(endedAt.toSecsSinceEpoch());
    int rewritten = 0;
    while (ok && at < bytes.size()) {
        principal(); // client
        principal(); // server
        u16();       // key: enctype
        data();      // key: bytes
        const qsizetype times = take(16); // authtime, starttime, endtime, renew_till
        if (ok && qFromBigEndian<quint32>(bytes.constData() + times + 8) != 0) {
            const quint32 values[] = {ended - 3600, ended - 3600, ended, ended}; // issued an hour before it ended
            for (int i = 0; i < 4; ++i)
                qToBigEndian(values[i], bytes.data() + times + 4 * i);
            ++rewritten;
        }
        take(1); // is_skey
        u32();   // ticket flags
        for (quint32 n = u32(), i = 0; ok && i < n; ++i) { // addresses
            u16();
            data();
        }
        for (quint32 n = u32(), i = 0; ok && i < n; ++i) { // authorization data
            u16();
            data();
        }
        data(); // ticket
        data(); // second ticket
    }
    if (!ok)
        return path + u": the credential cache ends inside an entry"_s;
    if (rewritten == 0)
        return path + u": no ticket in the credential cache"_s;
    if (!file.seek(0) || file.write(bytes) != bytes.size())
        return path + u": "_s + file.errorString();
    return {};
}

} // namespace

class TestLdapKerberos final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void bindWithTicket_data();
    void bindWithTicket();
    void bindByDnsHostName();
    void noTicket();
    void expiredTicket();
    void addressWithoutSpn();
    void exchangeSchemaPresent();
    void attributeNotInSchema();

private:
    // kinit into cache with the administrator's password.
    bool kinit(const QString& cache);
    // What klist says of cache (its tickets and their service principals).
    QByteArray klist(const QString& cache) const;
    QProcessEnvironment krb5ToolEnvironment() const;
    void useCache(const QString& cache) { qputenv("KRB5CCNAME", (u"FILE:"_s + cache).toUtf8()); }
    LdapConnectionOptions options(const QString& uri) const;
    // A search only an authenticated account may make (Samba, like AD, answers anonymous binds with nothing).
    QByteArray readMailboxUpn(LdapConnection& connection);

    SambaTestDomain m_domain;
    QTemporaryDir m_dir;
    QString m_cache;
};

void TestLdapKerberos::initTestCase()
{
    m_domain = SambaTestDomain::load();
    QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
    QVERIFY(m_dir.isValid());
    // The fixture's realm only: no DNS, no /etc/krb5.conf.
    qputenv("KRB5_CONFIG", m_domain.value("SUNSET_TEST_KRB5_CONFIG").toUtf8());
    m_cache = m_dir.filePath(u"ticket.cache"_s);
    QVERIFY(kinit(m_cache));
}

QProcessEnvironment TestLdapKerberos::krb5ToolEnvironment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"KRB5_CONFIG"_s, m_domain.value("SUNSET_TEST_KRB5_CONFIG"));
    // What CTest preloads into this test (nss_wrapper, and the ASan runtime in the sanitizer build) is for the code
    // under test; kinit and klist reach the KDC by address and are not instrumented (LeakSanitizer would judge them).
    environment.remove(u"LD_PRELOAD"_s);
    return environment;
}

bool TestLdapKerberos::kinit(const QString& cache)
{
    QProcess process;
    QProcessEnvironment environment = krb5ToolEnvironment();
    environment.insert(u"KRB5CCNAME"_s, u"FILE:"_s + cache);
    process.setProcessEnvironment(environment);
    process.start(u"kinit"_s, {m_domain.value("SUNSET_TEST_KERBEROS_PRINCIPAL")});
    if (!process.waitForStarted(10'000)) {
        qWarning("kinit did not start (is krb5-user installed?)");
        return false;
    }
    process.write(m_domain.password() + '\n'); // MIT kinit reads the password from standard input
    process.closeWriteChannel();
    if (!process.waitForFinished(30'000) || process.exitCode() != 0) {
        qWarning("kinit failed: %s", process.readAllStandardError().constData());
        return false;
    }
    return true;
}

QByteArray TestLdapKerberos::klist(const QString& cache) const
{
    QProcess process;
    process.setProcessEnvironment(krb5ToolEnvironment());
    process.start(u"klist"_s, {u"-c"_s, u"FILE:"_s + cache});
    if (!process.waitForFinished(30'000))
        return "klist did not finish";
    return process.readAllStandardOutput() + process.readAllStandardError();
}

LdapConnectionOptions TestLdapKerberos::options(const QString& uri) const
{
    LdapConnectionOptions options;
    options.uri = uri;
    options.caFile = m_domain.caFile();
    options.networkTimeout = std::chrono::seconds(5);
    options.operationTimeout = std::chrono::seconds(30);
    return options;
}

QByteArray TestLdapKerberos::readMailboxUpn(LdapConnection& connection)
{
    LdapSearchRequest request;
    request.baseDn = "CN=Mailbox 00001," + m_domain.mailboxOu();
    request.scope = LdapScope::Base;
    request.pageSize = 0;
    request.attributes = {"userPrincipalName"};
    QByteArray upn;
    const auto searched = connection.search(request, [&](const LdifEntry& entry) -> LdapResult<void> {
        for (const LdifAttribute& attribute : entry.attributes)
            upn = attribute.value.toByteArray();
        return {};
    });
    if (!searched)
        qWarning("search failed: %s", qPrintable(describe(searched)));
    return upn;
}

void TestLdapKerberos::bindWithTicket_data()
{
    QTest::addColumn<QString>("uri");
    QTest::addColumn<bool>("startTls");
    QTest::addColumn<bool>("encrypted");
    const QString ldaps = m_domain.value("SUNSET_TEST_KERBEROS_URI"); // ldaps://localhost:636
    QString ldap = ldaps;
    ldap.replace(u"ldaps://"_s, u"ldap://"_s).replace(u":636"_s, u":389"_s);
    QTest::newRow("ldaps") << ldaps << true << true;
    QTest::newRow("StartTLS") << ldap << true << true;
    QTest::newRow("no TLS, Kerberos sealing") << ldap << false << false;
}

void TestLdapKerberos::bindWithTicket()
{
    QFETCH(QString, uri);
    QFETCH(bool, startTls);
    QFETCH(bool, encrypted);
    useCache(m_cache);
    LdapConnectionOptions o = options(uri);
    o.startTls = startTls;
    LdapConnection connection(o);
    QCOMPARE(describe(connection.kerberosBind()), u"no error"_s);
    QCOMPARE(connection.isEncrypted(), encrypted);
    const auto dse = connection.readRootDse();
    QVERIFY2(dse.ok(), dse ? "" : qPrintable(dse.error().toString()));
    QCOMPARE(QString::fromUtf8(dse->dnsHostName), m_domain.value("SUNSET_TEST_DC_HOSTNAME"));
    QCOMPARE(dse->defaultNamingContext, m_domain.baseDn());
    QCOMPARE(readMailboxUpn(connection), QByteArray("mbx00001@sunset.test"));
}

void TestLdapKerberos::bindByDnsHostName()
{
    // README's advice, connect by the DC's DNS name, against the DC's real SPN ldap/sunsetdc.sunset.test. The name
    // reaches 127.0.0.1 through nss_wrapper, preloaded into this test by CTest with the fixture's hosts file
    // (tests/support/samba/CMakeLists.txt); the machine's /etc/hosts knows nothing of it.
    const QString host = m_domain.value("SUNSET_TEST_DC_HOSTNAME");
    const QHostInfo info = QHostInfo::fromName(host);
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty() || !info.addresses().first().isLoopback()) {
        const QByteArray why = host.toUtf8() + " does not resolve to loopback: this test needs nss_wrapper (Debian's "
                               "libnss-wrapper, scripts/install-deps.sh; then re-run cmake) preloaded with "
                               "NSS_WRAPPER_HOSTS=" + m_domain.value("SUNSET_TEST_NSS_WRAPPER_HOSTS").toUtf8() +
                               " (LD_PRELOAD now: " + qgetenv("LD_PRELOAD") + ")";
        if (qEnvironmentVariable("CI") == u"true"_s)
            QFAIL(why.constData()); // CI must prove the bind by DNS name, never pass over it
        QSKIP(why.constData());
    }
    // A cache of its own, so that the service ticket found there afterwards was asked for by this bind.
    const QString cache = m_dir.filePath(u"by-name.cache"_s);
    QVERIFY(kinit(cache));
    useCache(cache);
    LdapConnection connection(options(u"ldaps://"_s + host));
    QCOMPARE(describe(connection.kerberosBind()), u"no error"_s);
    QCOMPARE(readMailboxUpn(connection), QByteArray("mbx00001@sunset.test"));
    // GSSAPI asked for ldap/<the DNS name as given> (no canonicalization, no reverse DNS), not the alias.
    const QByteArray tickets = klist(cache);
    const QByteArray spn = "ldap/" + host.toUtf8() + '@' + m_domain.value("SUNSET_TEST_REALM").toUtf8();
    QVERIFY2(tickets.contains(spn), tickets.constData());
    QVERIFY2(!tickets.contains("ldap/localhost@"), tickets.constData());
}

void TestLdapKerberos::noTicket()
{
    const QString empty = m_dir.filePath(u"no-such.cache"_s);
    useCache(empty);
    LdapConnection connection(options(m_domain.value("SUNSET_TEST_KERBEROS_URI")));
    const auto bound = connection.kerberosBind();
    QVERIFY(!bound);
    const LdapError& failure = bound.error();
    QCOMPARE(failure.code, LdapErrorCode::KerberosNoTicket);
    QVERIFY2(failure.message.contains(u"kinit you@"_s), qPrintable(failure.message));
    QVERIFY2(failure.message.contains(empty), qPrintable(failure.message));
    QVERIFY2(failure.message.contains(u"localhost:636"_s), qPrintable(failure.message));
}

void TestLdapKerberos::expiredTicket()
{
    // A ticket that ended a minute ago, by construction (no waiting for a clock): see endTicketsIn.
    const QString cache = m_dir.filePath(u"expired.cache"_s);
    QVERIFY(kinit(cache));
    const QString rewritten = endTicketsIn(cache, QDateTime::currentDateTimeUtc().addSecs(-60));
    QVERIFY2(rewritten.isEmpty(), qPrintable(rewritten));
    QVERIFY2(klist(cache).contains("krbtgt/"), "the rewritten cache still holds the TGT");
    useCache(cache);
    LdapConnection connection(options(m_domain.value("SUNSET_TEST_KERBEROS_URI")));
    const auto bound = connection.kerberosBind();
    QVERIFY(!bound);
    const LdapError& failure = bound.error();
    QVERIFY2(failure.code == LdapErrorCode::KerberosTicketExpired, qPrintable(describe(bound)));
    QVERIFY2(failure.message.contains(u"has expired"_s) && failure.message.contains(u"kinit"_s),
             qPrintable(failure.message));
}

void TestLdapKerberos::addressWithoutSpn()
{
    // By IP address: TLS verifies (the certificate names 127.0.0.1), but there is no SPN ldap/127.0.0.1.
    useCache(m_cache);
    LdapConnection connection(options(m_domain.ldapsUri()));
    const auto bound = connection.kerberosBind();
    QVERIFY(!bound);
    const LdapError& failure = bound.error();
    QVERIFY2(failure.code == LdapErrorCode::KerberosUnknownServer, qPrintable(describe(bound)));
    QVERIFY2(failure.message.contains(u"ldap/127.0.0.1"_s), qPrintable(failure.message));
    QVERIFY2(failure.message.contains(u"an IP address has no SPN"_s), qPrintable(failure.message));
    // The DC's own name, from its root DSE, is the advice.
    QVERIFY2(failure.message.contains(u"calls itself "_s + m_domain.value("SUNSET_TEST_DC_HOSTNAME")),
             qPrintable(failure.message));
}

void TestLdapKerberos::exchangeSchemaPresent()
{
    useCache(m_cache);
    LdapConnection connection(options(m_domain.value("SUNSET_TEST_KERBEROS_URI")));
    QCOMPARE(describe(connection.kerberosBind()), u"no error"_s);
    const auto check = checkExchangeSchema(connection);
    QVERIFY2(check.ok(), check ? "" : qPrintable(check.error().toString()));
    QCOMPARE(check->missing, QByteArrayList());
    QCOMPARE(check->present, exchangeSchemaAttributes());
    QVERIFY(describeSchemaCheck(check.value()).isEmpty());
}

void TestLdapKerberos::attributeNotInSchema()
{
    // A forest without the Exchange schema, as far as these names go: Samba's base schema has mail and
    // proxyAddresses but no msExch* attribute of this name.
    LdapConnection connection(options(m_domain.ldapsUri()));
    QCOMPARE(describe(connection.simpleBind(m_domain.bindUpn(), m_domain.password())), u"no error"_s);
    const auto check = checkExchangeSchema(
        connection, {"mail", "msExchSunsetNoSuchAttribute", "proxyAddresses", "msExchAlsoNotThere"});
    QVERIFY2(check.ok(), check ? "" : qPrintable(check.error().toString()));
    QCOMPARE(check->present, (QByteArrayList{"mail", "proxyAddresses"}));
    QCOMPARE(check->missing, (QByteArrayList{"msExchSunsetNoSuchAttribute", "msExchAlsoNotThere"}));
    QVERIFY2(describeSchemaCheck(check.value())
                 .startsWith(u"This forest has no Exchange schema: "
                             "msExchSunsetNoSuchAttribute, msExchAlsoNotThere missing."_s),
             qPrintable(describeSchemaCheck(check.value())));
}

QTEST_GUILESS_MAIN(TestLdapKerberos)
#include "TestLdapKerberos.moc"
