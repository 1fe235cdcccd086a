// Writes are refused at the LDAP layer's entry point (LdapModifyPipeline::run / modifyEntry), whoever calls it:
// an attribute outside Sunset's catalog and a catalog attribute that is not writable come back Refused with
// nothing sent, on a bound connection to the Samba test domain, and the entry keeps its values.
// (Batch approval and the cloud-managed fact are checked above this layer today; see the hardening report.)
#include "LdapConnection.h"
#include "LdapModify.h"
#include "SambaTestDomain.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestWriteGuardsLive final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void refusedAtTheEntryPoint_data();
    void refusedAtTheEntryPoint();

private:
    QByteArrayList valuesOf(const QByteArray& attribute);

    SambaTestDomain m_domain;
    std::unique_ptr<LdapConnection> m_connection;
    QByteArray m_dn;
};

void TestWriteGuardsLive::initTestCase()
{
    m_domain = SambaTestDomain::load();
    QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
    LdapConnectionOptions options;
    options.uri = m_domain.ldapsUri();
    options.caFile = m_domain.caFile();
    m_connection = std::make_unique<LdapConnection>(options);
    const auto failure = m_connection->simpleBind(m_domain.bindUpn(), m_domain.password());
    QVERIFY2(!failure, failure ? qPrintable(failure->toString()) : "");
    m_dn = "CN=Mailbox 00001," + m_domain.mailboxOu();
    QVERIFY(!valuesOf("mail").isEmpty());
}

QByteArrayList TestWriteGuardsLive::valuesOf(const QByteArray& attribute)
{
    LdapSearchRequest read;
    read.baseDn = m_dn;
    read.scope = LdapScope::Base;
    read.attributes = {attribute};
    read.pageSize = 0;
    QByteArrayList values;
    const auto failure = m_connection->search(read, [&](const LdifEntry& entry) -> std::optional<LdapError> {
        for (const LdifAttribute& a : entry.attributes)
            values << a.value.toByteArray();
        return std::nullopt;
    });
    if (failure)
        values << "read failed: " + failure->toString().toUtf8();
    return values;
}

void TestWriteGuardsLive::refusedAtTheEntryPoint_data()
{
    QTest::addColumn<QByteArray>("attribute");
    QTest::addColumn<QString>("why");
    QTest::newRow("outside the catalog") << QByteArray("description") << u"not an attribute of Sunset's catalog"_s;
    QTest::newRow("outside the catalog, privileged") << QByteArray("userAccountControl") << u"catalog"_s;
    QTest::newRow("catalog, read-only") << QByteArray("targetAddress") << u"read-only"_s;
}

void TestWriteGuardsLive::refusedAtTheEntryPoint()
{
    QFETCH(QByteArray, attribute);
    QFETCH(QString, why);
    const QByteArrayList before = valuesOf(attribute);
    const ModifyOutcome outcome = modifyEntry(*m_connection, {7, m_dn, {{attribute, before, {"written by an attacker"}}}});
    QCOMPARE(outcome.kind, ModifyOutcomeKind::Refused);
    QCOMPARE(outcome.id, quint64(7));
    QVERIFY2(outcome.error.message.contains(why), qPrintable(outcome.error.message));
    QCOMPARE(outcome.error.ldapResultCode, 0); // Sunset decided; the server never saw it
    QCOMPARE(valuesOf(attribute), before);
    QVERIFY(m_connection->isConnected());
}

QTEST_GUILESS_MAIN(TestWriteGuardsLive)
#include "TestWriteGuardsLive.moc"
