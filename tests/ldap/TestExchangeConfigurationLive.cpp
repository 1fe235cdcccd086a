// SPDX-License-Identifier: Apache-2.0
// The decommission checks' AD side against the test DC: the Exchange organization samba-dc.sh seeds
// (exchange-organization.ldif) with one registered server, its Autodiscover SCP, a hybrid configuration and the
// Cloud Sync agent's gMSA; and a configuration partition without Exchange.
#include "ExchangeConfiguration.h"
#include "support/samba/SambaTestDomain.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestExchangeConfigurationLive final : public QObject {
    Q_OBJECT

    SambaTestDomain m_domain;
    std::unique_ptr<LdapConnection> m_connection;

private Q_SLOTS:
    void initTestCase()
    {
        m_domain = SambaTestDomain::load();
        QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
        LdapConnectionOptions options;
        options.uri = m_domain.ldapsUri();
        options.caFile = m_domain.caFile();
        m_connection = std::make_unique<LdapConnection>(options);
        const LdapResult<void> bound = m_connection->simpleBind(m_domain.bindUpn(), m_domain.password());
        QVERIFY2(bound, bound ? "" : qPrintable(bound.error().toString()));
    }

    void readsTheSeededOrganization()
    {
        const LdapResult<ExchangeConfiguration> config = readExchangeConfiguration(*m_connection);
        QVERIFY2(config.ok(), config.ok() ? "" : qPrintable(config.error().toString()));
        const QByteArray configNc = "CN=Configuration," + m_domain.baseDn();
        QCOMPARE(config->configurationNamingContext, configNc);
        const QString org = u"CN=Sunset Test Org,CN=Microsoft Exchange,CN=Services,"_s + QString::fromUtf8(configNc);
        const QString servers = u"CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative "
                                "Groups,"_s + org;

        QCOMPARE(config->servers.size(), size_t(1));
        QCOMPARE(config->servers.front().dn, u"CN=EX01,"_s + servers);
        QCOMPARE(config->servers.front().name, u"EX01"_s);
        QCOMPARE(config->servers.front().version, u"Version 15.2 (Build 1544.4)"_s);

        // The Autodiscover SCP and only it (the other SCP has another keyword).
        QCOMPARE(config->autodiscoverScps.size(), size_t(1));
        QCOMPARE(config->autodiscoverScps.front().dn, u"CN=EX01,CN=Autodiscover,CN=Protocols,CN=EX01,"_s + servers);
        QCOMPARE(config->autodiscoverScps.front().bindingInformation,
                 QStringList{u"https://mail.sunset.test/Autodiscover/Autodiscover.xml"_s});

        QCOMPARE(config->hybridConfigurations, QStringList{u"CN=Hybrid Configuration,CN=Hybrid Configuration,"_s + org});
        QCOMPARE(config->cloudSyncAgentAccounts,
                 QStringList{u"CN=provAgentgMSA,CN=Managed Service Accounts,"_s + QString::fromUtf8(m_domain.baseDn())});
        QVERIFY(config->exchangeContainers.contains(u"CN=Microsoft Exchange,CN=Services,"_s + QString::fromUtf8(configNc)));
        QVERIFY(config->exchangeContainers.contains(org));
        QCOMPARE(config->systemObjects.size(), 1);
        QCOMPARE(config->securityGroupContainers.size(), 1);
        QVERIFY(config->schemaExtended);
        QVERIFY(config->recipientsWithExchangeAttributes >= m_domain.mailboxes() - 10);
        // Counted per domain too (the writeback check's domains): all of them in the one domain read.
        QCOMPARE(config->recipientDomains.size(), 1);
        QCOMPARE(config->recipientDomains.value(domainOfDn(QString::fromUtf8(config->domainNamingContext))),
                 config->recipientsWithExchangeAttributes);

        // And what the checklist makes of it.
        QCOMPARE(findRegisteredServers(config->servers).level, FindingLevel::Blocking);
        QCOMPARE(findAutodiscoverScps(config->autodiscoverScps).level, FindingLevel::Blocking);
        QCOMPARE(findWritebackAgent(config->cloudSyncAgentAccounts).level, FindingLevel::Pass);
    }

    void aCustomAgentAccountNameIsEscaped()
    {
        ExchangeConfigurationOptions options;
        options.agentAccountName = u"prov*"_s; // a literal '*', not a wildcard: matches nothing
        const LdapResult<ExchangeConfiguration> config = readExchangeConfiguration(*m_connection, options);
        QVERIFY(config.ok());
        QVERIFY(config->cloudSyncAgentAccounts.isEmpty());
    }

    void aPartitionWithoutExchangeReadsEmpty()
    {
        // A configuration partition without CN=Microsoft Exchange and a domain without the Exchange containers:
        // the sites container and the mailbox OU stand in for them.
        ExchangeConfigurationOptions options;
        options.configurationDn = "CN=Sites,CN=Configuration," + m_domain.baseDn();
        options.domainDn = m_domain.mailboxOu();
        const LdapResult<ExchangeConfiguration> config = readExchangeConfiguration(*m_connection, options);
        QVERIFY2(config.ok(), config.ok() ? "" : qPrintable(config.error().toString()));
        QVERIFY(config->servers.empty());
        QVERIFY(config->autodiscoverScps.empty());
        QVERIFY(config->hybridConfigurations.isEmpty());
        QVERIFY(config->exchangeContainers.isEmpty());
        QVERIFY(config->cloudSyncAgentAccounts.isEmpty());
        QVERIFY(config->systemObjects.isEmpty());
        QCOMPARE(findRegisteredServers(config->servers).level, FindingLevel::Pass);
        QCOMPARE(findWritebackAgent(config->cloudSyncAgentAccounts).level, FindingLevel::Blocking);
    }
};

QTEST_GUILESS_MAIN(TestExchangeConfigurationLive)
#include "TestExchangeConfigurationLive.moc"
