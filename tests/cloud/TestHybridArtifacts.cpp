// SPDX-License-Identifier: Apache-2.0
// The decommission checklist's Exchange Online side against the emulator: the hybrid cmdlets through
// InvokeCommand (HybridArtifactsClient), and the cloud-managed flags Get-Mailbox reports (prerequisites).
#include "CloudEmulator.h"
#include "ExoMailboxClient.h"
#include "HybridArtifactsClient.h"
#include "HybridCmdlets.h"
#include "TokenProvider.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {
const QString kTenant = u"sunsettest.onmicrosoft.com"_s;
const QString kApp = u"11111111-2222-3333-4444-555555555555"_s;
const QString kSecret = u"emulator-secret"_s;

AppCredentials credentials()
{
    AppCredentials c;
    c.tenant = kTenant;
    c.clientId = kApp;
    c.clientSecret = kSecret;
    return c;
}

// Three synced mailboxes (one not cloud-managed, one that does not say) and a cloud-only one.
const QByteArray kMailboxes = R"([
 {"DisplayName":"Ann","PrimarySmtpAddress":"ann@sunset.test","UserPrincipalName":"ann@sunset.test",
  "ExternalDirectoryObjectId":"0a000000-0000-0000-0000-000000000001","IsDirSynced":true,"IsExchangeCloudManaged":true,
  "RecipientTypeDetails":"UserMailbox","EmailAddresses":["SMTP:ann@sunset.test"]},
 {"DisplayName":"Bob","PrimarySmtpAddress":"bob@sunset.test","UserPrincipalName":"bob@sunset.test",
  "ExternalDirectoryObjectId":"0a000000-0000-0000-0000-000000000002","IsDirSynced":true,"IsExchangeCloudManaged":false,
  "RecipientTypeDetails":"UserMailbox","EmailAddresses":["SMTP:bob@sunset.test"]},
 {"DisplayName":"Cloud Only","PrimarySmtpAddress":"co@sunset.test","UserPrincipalName":"co@sunset.test",
  "ExternalDirectoryObjectId":"0a000000-0000-0000-0000-000000000003","IsDirSynced":false,"IsExchangeCloudManaged":false,
  "RecipientTypeDetails":"UserMailbox","EmailAddresses":["SMTP:co@sunset.test"]}
])";
} // namespace

class TestHybridArtifacts final : public QObject {
    Q_OBJECT

    CloudEmulator m_emulator;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_emulator.listen());
        m_emulator.setTenant({kTenant}, "[]", kMailboxes);
        m_emulator.registerApp(kApp, kSecret);
    }

    void readsTheHybridWizardsLeftovers()
    {
        emulatedHybridTenant(&m_emulator) = EmulatedHybridTenant::afterHybridWizard();
        TokenProvider tokens(m_emulator.baseUrl(), credentials());
        HybridArtifactsClient client(m_emulator.baseUrl(), kTenant, &tokens);
        client.setResource(QLatin1StringView(CloudEmulator::kExoResource));
        QSignalSpy finished(&client, &HybridArtifactsClient::finished);
        client.start();
        QVERIFY(finished.wait(10000));
        QVERIFY2(finished.first().first().toBool(), client.error() ? qPrintable(client.error()->toString()) : "");
        const HybridArtifacts& a = client.artifacts();
        QCOMPARE(a.organizationRelationships.size(), size_t(2));
        QCOMPARE(a.inboundConnectors.size(), size_t(1));
        QCOMPARE(a.outboundConnectors.size(), size_t(2));
        QVERIFY(!a.outboundConnectors.front().enabled);

        // Each cmdlet went through InvokeCommand with its own name.
        QStringList names;
        for (const QByteArray& body : m_emulator.lastExoBodies())
            names.append(QJsonDocument::fromJson(body)["CmdletInput"_L1]["CmdletName"_L1].toString());
        QVERIFY(names.contains(u"Get-OrganizationRelationship"_s));
        QVERIFY(names.contains(u"Get-InboundConnector"_s));
        QVERIFY(names.contains(u"Get-OutboundConnector"_s));

        const ChecklistFinding relationships = findOrganizationRelationships(a.organizationRelationships);
        QCOMPARE(relationships.level, FindingLevel::Blocking);
        const ChecklistFinding connectors = findHybridConnectors(a.inboundConnectors, a.outboundConnectors);
        QCOMPARE(connectors.level, FindingLevel::Blocking);
        QVERIFY(connectors.summary.startsWith(u"2 hybrid connectors"_s));
    }

    void aCleanTenantPasses()
    {
        EmulatedHybridTenant clean;
        clean.outboundConnectors = EmulatedHybridTenant::afterHybridWizard().outboundConnectors;
        clean.outboundConnectors.removeFirst(); // only the partner connector stays
        emulatedHybridTenant(&m_emulator) = clean;
        TokenProvider tokens(m_emulator.baseUrl(), credentials());
        HybridArtifactsClient client(m_emulator.baseUrl(), kTenant, &tokens);
        client.setResource(QLatin1StringView(CloudEmulator::kExoResource));
        QSignalSpy finished(&client, &HybridArtifactsClient::finished);
        client.start();
        QVERIFY(finished.wait(10000));
        QVERIFY(finished.first().first().toBool());
        QCOMPARE(findOrganizationRelationships(client.artifacts().organizationRelationships).level, FindingLevel::Pass);
        QCOMPARE(findHybridConnectors(client.artifacts().inboundConnectors, client.artifacts().outboundConnectors).level,
                 FindingLevel::Info);
    }

    void aRefusedSignInIsAnError()
    {
        AppCredentials wrong = credentials();
        wrong.clientSecret = u"wrong"_s;
        TokenProvider tokens(m_emulator.baseUrl(), wrong);
        HybridArtifactsClient client(m_emulator.baseUrl(), kTenant, &tokens);
        client.setResource(QLatin1StringView(CloudEmulator::kExoResource));
        QSignalSpy finished(&client, &HybridArtifactsClient::finished);
        client.start();
        QVERIFY(finished.wait(10000));
        QVERIFY(!finished.first().first().toBool());
        QVERIFY(client.error());
    }

    void mailboxesReportTheirCloudManagedFlag()
    {
        TokenProvider tokens(m_emulator.baseUrl(), credentials());
        ExoMailboxClient exo(m_emulator.baseUrl(), kTenant, &tokens);
        exo.setResource(QLatin1StringView(CloudEmulator::kExoResource));
        QSignalSpy finished(&exo, &ExoMailboxClient::finished);
        exo.start();
        QVERIFY(finished.wait(10000));
        QVERIFY(finished.first().first().toBool());
        const ChecklistFinding f = findCloudManagedExceptions(cloudMailboxStates(exo.snapshot()));
        QCOMPARE(f.level, FindingLevel::Blocking);
        QCOMPARE(f.evidence, QStringList{u"Bob <bob@sunset.test>"_s});
    }
};

QTEST_GUILESS_MAIN(TestHybridArtifacts)
#include "TestHybridArtifacts.moc"
