// SPDX-License-Identifier: Apache-2.0
// The decommission checklist's Exchange Online side against the emulator: the hybrid cmdlets through
// InvokeCommand (HybridArtifactsClient), the cloud-managed flags Get-Mailbox reports (prerequisites), and the
// groups and contacts still managed on-premises (SyncedObjectsClient, Graph beta onPremisesSyncBehavior).
#include "CloudEmulator.h"
#include "DirectoryObjectsEmulator.h"
#include "ExoMailboxClient.h"
#include "HybridArtifactsClient.h"
#include "HybridCmdlets.h"
#include "SyncedObjectsClient.h"
#include "TokenProvider.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
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

    // Groups and contacts whose source of authority is still on-premises, paged (two per page), filtered by the
    // service on onPremisesSyncBehavior/isCloudManaged; the checklist then lists the synced mail-enabled ones.
    void syncedGroupsAndContactsNotCloudManaged()
    {
        emulatedDirectoryObjects(&m_emulator) = EmulatedDirectoryObjects::mixed();
        TokenProvider tokens(m_emulator.baseUrl(), credentials());
        SyncedObjectsRead reads[2];
        for (SyncedObjectKind kind : {SyncedObjectKind::DistributionList, SyncedObjectKind::MailContact}) {
            SyncedObjectsClient client(m_emulator.baseUrl(), &tokens, kind);
            client.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
            client.setPageSize(2);
            QSignalSpy finished(&client, &SyncedObjectsClient::finished);
            client.start();
            QVERIFY(finished.wait(10000));
            QVERIFY2(finished.first().first().toBool(), client.error() ? qPrintable(client.error()->toString()) : "");
            QVERIFY(client.result().read);
            reads[kind == SyncedObjectKind::MailContact] = client.result();
        }
        QCOMPARE(reads[0].objects.size(), size_t(4)); // the cloud-managed group left out by the filter
        QCOMPARE(reads[1].objects.size(), size_t(1));
        QVERIFY(emulatedDirectoryObjects(&m_emulator).requests >= 3); // two pages of groups, one of contacts
        const ChecklistFinding f = findGroupsAndContactsNotCloudManaged(reads[0], reads[1]);
        QCOMPARE(f.level, FindingLevel::Blocking);
        QCOMPARE(f.evidence,
                 (QStringList{u"distribution list: Sales Team <salesteam@contoso.com> (id 0a1b0000-0000-4000-8000-000000000001)"_s,
                              u"mail-enabled security group: Finance Approvers <financeapprovers@contoso.com> (id "
                              "0a1b0000-0000-4000-8000-000000000002)"_s,
                              u"mail contact: Fabrikam Partner <partner@fabrikam.com> (id 0c0c0000-0000-4000-8000-000000000001)"_s}));

        // All transferred: nothing blocks.
        for (QJsonArray* list : {&emulatedDirectoryObjects(&m_emulator).groups, &emulatedDirectoryObjects(&m_emulator).contacts})
            for (qsizetype i = 0; i < list->size(); ++i) {
                QJsonObject o = list->at(i).toObject();
                o[u"isCloudManaged"_s] = true;
                list->replace(i, o);
            }
        SyncedObjectsClient groups(m_emulator.baseUrl(), &tokens, SyncedObjectKind::DistributionList);
        groups.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
        QSignalSpy done(&groups, &SyncedObjectsClient::finished);
        groups.start();
        QVERIFY(done.wait(10000));
        QVERIFY(groups.result().objects.empty());
    }

    // The app lacks Group.Read.All / OrgContact.Read.All: the check degrades, naming the permission; the read
    // itself does not fail.
    void missingPermissionDegradesNamingIt()
    {
        emulatedDirectoryObjects(&m_emulator) = EmulatedDirectoryObjects::mixed();
        emulatedDirectoryObjects(&m_emulator).denyContacts = true;
        TokenProvider tokens(m_emulator.baseUrl(), credentials());
        SyncedObjectsClient client(m_emulator.baseUrl(), &tokens, SyncedObjectKind::MailContact);
        client.setResource(QLatin1StringView(CloudEmulator::kGraphResource));
        QSignalSpy finished(&client, &SyncedObjectsClient::finished);
        client.start();
        QVERIFY(finished.wait(10000));
        QVERIFY(finished.first().first().toBool());
        QVERIFY(!client.result().read);
        QVERIFY2(client.result().missingReason.contains(u"HTTP 403: Authorization_RequestDenied"_s) &&
                     client.result().missingReason.endsWith(
                         u"grant the app OrgContact.Read.All and Contacts-OnPremisesSyncBehavior.ReadWrite.All"_s),
                 qPrintable(client.result().missingReason));
        const ChecklistFinding f =
            findGroupsAndContactsNotCloudManaged(SyncedObjectsRead{true, u"groups"_s, {}, {}}, client.result());
        QCOMPARE(f.level, FindingLevel::Unread);
        QVERIFY(f.summary.contains(u"OrgContact.Read.All"_s));
        emulatedDirectoryObjects(&m_emulator).denyContacts = false;
    }

    // Strict as Graph: the onPremisesSyncBehavior filter is an advanced query.
    void advancedQueryNeedsConsistencyLevelAndCount()
    {
        TokenProvider tokens(m_emulator.baseUrl(), credentials());
        std::optional<Result<QByteArray>> token;
        QObject context;
        tokens.accessToken(QLatin1StringView(CloudEmulator::kGraphResource), &context,
                           [&](const Result<QByteArray>& r) { token = r; });
        QTRY_VERIFY_WITH_TIMEOUT(token.has_value(), 10000);
        QVERIFY(token->ok());
        auto get = [&](const QString& query, bool eventual) {
            QNetworkAccessManager network;
            QNetworkRequest request(QUrl(m_emulator.baseUrl().toString() + u"/beta/groups?"_s + query));
            request.setRawHeader("Authorization", "Bearer " + token->value());
            if (eventual)
                request.setRawHeader("ConsistencyLevel", "eventual");
            std::unique_ptr<QNetworkReply> reply(network.get(request));
            QSignalSpy done(reply.get(), &QNetworkReply::finished);
            done.wait(10000);
            return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        };
        const QString filter = u"$filter=onPremisesSyncBehavior/isCloudManaged%20eq%20false"_s;
        QCOMPARE(get(filter + u"&$count=true"_s, true), 200);
        QCOMPARE(get(filter + u"&$count=true"_s, false), 400);
        QCOMPARE(get(filter, true), 400);
        QCOMPARE(get(u"$filter=displayName%20eq%20'x'&$count=true"_s, true), 400);
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
