// The Kerberos (SASL GSSAPI) bind against the Samba AD DC of the SambaDc fixture, whose KDC runs on
// 127.0.0.1:88: a ticket from kinit in a private credential cache (KRB5CCNAME) and the fixture's krb5.conf
// (KRB5_CONFIG), never the machine's. Also the Exchange schema check against the fixture's extended schema.
#include "ExchangeSchema.h"
#include "LdapConnection.h"
#include "SambaTestDomain.h"

#include <QHostInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

QString describe(const std::optional<LdapError>& error)
{
    return error ? ldapErrorCodeName(error->code) + u": "_s + error->toString() : u"no error"_s;
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
    // kinit into cache with the administrator's password; lifetime empty for the KDC's default.
    bool kinit(const QString& cache, const QString& lifetime = {});
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

bool TestLdapKerberos::kinit(const QString& cache, const QString& lifetime)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"KRB5_CONFIG"_s, m_domain.value("SUNSET_TEST_KRB5_CONFIG"));
    environment.insert(u"KRB5CCNAME"_s, u"FILE:"_s + cache);
    process.setProcessEnvironment(environment);
    QStringList arguments;
    if (!lifetime.isEmpty())
        arguments << u"-l"_s << lifetime;
    arguments << m_domain.value("SUNSET_TEST_KERBEROS_PRINCIPAL");
    process.start(u"kinit"_s, arguments);
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
    const auto failure = connection.search(request, [&](const LdifEntry& entry) -> std::optional<LdapError> {
        for (const LdifAttribute& attribute : entry.attributes)
            upn = attribute.value.toByteArray();
        return std::nullopt;
    });
    if (failure)
        qWarning("search failed: %s", qPrintable(describe(failure)));
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
    // The DC's real SPN, ldap/sunsetdc.sunset.test, needs that name to reach 127.0.0.1: only where the
    // machine resolves it (the fixture adds no /etc/hosts entry).
    const QString host = m_domain.value("SUNSET_TEST_DC_HOSTNAME");
    const QHostInfo info = QHostInfo::fromName(host);
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty() || !info.addresses().first().isLoopback())
        QSKIP("the DC's host name does not resolve to loopback here; the alias SPN ldap/localhost covers the bind");
    useCache(m_cache);
    LdapConnection connection(options(u"ldaps://"_s + host));
    QCOMPARE(describe(connection.kerberosBind()), u"no error"_s);
    QCOMPARE(readMailboxUpn(connection), QByteArray("mbx00001@sunset.test"));
}

void TestLdapKerberos::noTicket()
{
    const QString empty = m_dir.filePath(u"no-such.cache"_s);
    useCache(empty);
    LdapConnection connection(options(m_domain.value("SUNSET_TEST_KERBEROS_URI")));
    const auto failure = connection.kerberosBind();
    QVERIFY(failure);
    QCOMPARE(failure->code, LdapErrorCode::KerberosNoTicket);
    QVERIFY2(failure->message.contains(u"kinit you@"_s), qPrintable(failure->message));
    QVERIFY2(failure->message.contains(empty), qPrintable(failure->message));
    QVERIFY2(failure->message.contains(u"localhost:636"_s), qPrintable(failure->message));
}

void TestLdapKerberos::expiredTicket()
{
    const QString cache = m_dir.filePath(u"short.cache"_s);
    QVERIFY(kinit(cache, u"2s"_s));
    std::this_thread::sleep_for(std::chrono::milliseconds(3500));
    useCache(cache);
    LdapConnection connection(options(m_domain.value("SUNSET_TEST_KERBEROS_URI")));
    const auto failure = connection.kerberosBind();
    QVERIFY(failure);
    QVERIFY2(failure->code == LdapErrorCode::KerberosTicketExpired, qPrintable(describe(failure)));
    QVERIFY2(failure->message.contains(u"has expired"_s) && failure->message.contains(u"kinit"_s),
             qPrintable(failure->message));
}

void TestLdapKerberos::addressWithoutSpn()
{
    // By IP address: TLS verifies (the certificate names 127.0.0.1), but there is no SPN ldap/127.0.0.1.
    useCache(m_cache);
    LdapConnection connection(options(m_domain.ldapsUri()));
    const auto failure = connection.kerberosBind();
    QVERIFY(failure);
    QVERIFY2(failure->code == LdapErrorCode::KerberosUnknownServer, qPrintable(describe(failure)));
    QVERIFY2(failure->message.contains(u"ldap/127.0.0.1"_s), qPrintable(failure->message));
    QVERIFY2(failure->message.contains(u"an IP address has no SPN"_s), qPrintable(failure->message));
    // The DC's own name, from its root DSE, is the advice.
    QVERIFY2(failure->message.contains(u"calls itself "_s + m_domain.value("SUNSET_TEST_DC_HOSTNAME")),
             qPrintable(failure->message));
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
