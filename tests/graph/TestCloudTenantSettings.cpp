// SPDX-License-Identifier: Apache-2.0
// The one cloud-tenant settings type (models/CloudTenantSettings): its one set of defaults, and cloudConnectionFor()
// (graph/), the one place it becomes what the clients take: endpoints, token audiences, and the credentials each
// sign-in kind uses.
#include "support/cloud/TestCertificate.h"
#include "CloudConnection.h"
#include "CloudTenantSettings.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

CloudTenantSettings contoso(CloudTenantSettings::SignIn signIn)
{
    CloudTenantSettings s;
    s.tenant = u"contoso.onmicrosoft.com"_s;
    s.clientId = u"11111111-2222-3333-4444-555555555555"_s;
    s.signIn = signIn;
    return s;
}

// A secret holding both kinds, so that each sign-in kind shows which part it takes.
CloudSignInSecret bothSecrets(const ClientCertificate& certificate)
{
    return {u"Zq8~client-secret"_s, certificate};
}

ClientCertificate testCertificate()
{
    const TestCertificate generated = TestCertificate::generate("sunset-settings-test");
    Result<ClientCertificate> certificate =
        ClientCertificate::fromPem(generated.keyPem, generated.certificatePem, u"test"_s);
    if (!certificate)
        qFatal("%s", qPrintable(certificate.error().toString()));
    return certificate.value();
}

} // namespace

class TestCloudTenantSettings final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsAreTheGlobalCloud()
    {
        const CloudTenantSettings d;
        QCOMPARE(d.authority, u"https://login.microsoftonline.com"_s);
        QCOMPARE(d.graphEndpoint, u"https://graph.microsoft.com"_s);
        QCOMPARE(d.exoEndpoint, u"https://outlook.office365.com"_s);
        QCOMPARE(d.authority, QString(CloudTenantSettings::kDefaultAuthority));
        QCOMPARE(d.graphEndpoint, QString(CloudTenantSettings::kDefaultGraphEndpoint));
        QCOMPARE(d.exoEndpoint, QString(CloudTenantSettings::kDefaultExoEndpoint));
        QVERIFY(d.graphResource.isEmpty()); // every documented cloud: the endpoint's own audience
        QVERIFY(d.exoResource.isEmpty());
        QCOMPARE(d.signIn, CloudTenantSettings::SignIn::ClientSecret);
        QVERIFY(!d.legacyRs256X5t); // the current documentation's PS256 with x5t#S256
        QVERIFY(d.tenant.isEmpty() && d.clientId.isEmpty() && d.certificateFile.isEmpty() && d.caFile.isEmpty());
    }

    void equalityComparesEveryField()
    {
        const CloudTenantSettings a = contoso(CloudTenantSettings::SignIn::Certificate);
        CloudTenantSettings b = a;
        QVERIFY(a == b);
        b.exoResource = u"https://outlook.office365.us"_s;
        QVERIFY(!(a == b));
        b = a;
        b.legacyRs256X5t = true;
        QVERIFY(!(a == b));
        b = a;
        b.caFile = u"/etc/proxy-ca.pem"_s;
        QVERIFY(!(a == b));
    }

    void endpointsGiveTheirAudiences()
    {
        const CloudConnection global = cloudConnectionFor(CloudTenantSettings{}, {});
        QCOMPARE(global.authority, QUrl(u"https://login.microsoftonline.com"_s));
        QCOMPARE(global.graphEndpoint, QUrl(u"https://graph.microsoft.com"_s));
        QCOMPARE(global.exoEndpoint, QUrl(u"https://outlook.office365.com"_s));
        QCOMPARE(global.graphResource, u"https://graph.microsoft.com"_s);
        QCOMPARE(global.exoResource, u"https://outlook.office365.com"_s);

        // An audience is the endpoint's scheme and host (and port): never its path.
        CloudTenantSettings local;
        local.graphEndpoint = u"http://127.0.0.1:8443/graph/"_s;
        local.exoEndpoint = u"https://localhost:9443/exo"_s;
        const CloudConnection emulated = cloudConnectionFor(local, {});
        QCOMPARE(emulated.graphEndpoint, QUrl(u"http://127.0.0.1:8443/graph/"_s));
        QCOMPARE(emulated.graphResource, u"http://127.0.0.1:8443"_s);
        QCOMPARE(emulated.exoResource, u"https://localhost:9443"_s);

        // A configured audience wins over the endpoint's.
        local.graphResource = u"https://graph.windows.net"_s;
        local.exoResource = u"00000002-0000-0ff1-ce00-000000000000"_s;
        const CloudConnection configured = cloudConnectionFor(local, {});
        QCOMPARE(configured.graphResource, u"https://graph.windows.net"_s);
        QCOMPARE(configured.exoResource, u"00000002-0000-0ff1-ce00-000000000000"_s);
    }

    void clientSecretSignsInAsTheApp()
    {
        const ClientCertificate certificate = testCertificate();
        const CloudTenantSettings settings = contoso(CloudTenantSettings::SignIn::ClientSecret);
        const AppCredentials c = cloudConnectionFor(settings, bothSecrets(certificate)).credentials;
        QCOMPARE(c.tenant, u"contoso.onmicrosoft.com"_s);
        QCOMPARE(c.clientId, u"11111111-2222-3333-4444-555555555555"_s);
        QCOMPARE(c.clientSecret, u"Zq8~client-secret"_s);
        QVERIFY(!c.certificate);
        QVERIFY(!c.delegated);
    }

    void certificateSignsInAsTheApp()
    {
        const ClientCertificate certificate = testCertificate();
        CloudTenantSettings settings = contoso(CloudTenantSettings::SignIn::Certificate);
        AppCredentials c = cloudConnectionFor(settings, bothSecrets(certificate)).credentials;
        QVERIFY(c.clientSecret.isEmpty());
        QVERIFY(c.certificate);
        QCOMPARE(c.certificate->certificateDer(), certificate.certificateDer());
        QVERIFY(!c.legacyRs256X5t);
        QVERIFY(!c.delegated);
        settings.legacyRs256X5t = true;
        c = cloudConnectionFor(settings, bothSecrets(certificate)).credentials;
        QVERIFY(c.legacyRs256X5t);
    }

    void deviceCodeSignsInAsTheAdmin()
    {
        const ClientCertificate certificate = testCertificate();
        CloudTenantSettings settings = contoso(CloudTenantSettings::SignIn::DeviceCode);
        settings.legacyRs256X5t = true; // for a certificate only
        const AppCredentials c = cloudConnectionFor(settings, bothSecrets(certificate)).credentials;
        QVERIFY(c.delegated);
        QVERIFY(c.clientSecret.isEmpty());
        QVERIFY(!c.certificate);
        QVERIFY(!c.legacyRs256X5t);
        QCOMPARE(c.clientId, settings.clientId);
    }

    // The certificate file as the dialog, the CLI and the wizard read it: a .pfx/.p12 by its name, else PEM.
    void certificateFileByItsName()
    {
        const TestCertificate generated = TestCertificate::generate("sunset-file-test");
        const QByteArray pem = generated.keyPem + generated.certificatePem;
        const QByteArray pfx = generated.toPkcs12("pfx-password");
        QVERIFY(ClientCertificate::isPkcs12File(u"/keys/app.PFX"_s));
        QVERIFY(ClientCertificate::isPkcs12File(u"app.p12"_s));
        QVERIFY(!ClientCertificate::isPkcs12File(u"app.pem"_s));
        const Result<ClientCertificate> fromPem = ClientCertificate::fromFileContents(pem, {}, u"app.pem"_s);
        QVERIFY(fromPem);
        QCOMPARE(fromPem.value().certificateDer(), generated.certificateDer);
        const Result<ClientCertificate> fromPfx =
            ClientCertificate::fromFileContents(pfx, "pfx-password", u"app.pfx"_s);
        QVERIFY(fromPfx);
        QCOMPARE(fromPfx.value().certificateDer(), generated.certificateDer);
        QVERIFY(!ClientCertificate::fromFileContents(pfx, "wrong", u"app.pfx"_s));
        QVERIFY(!ClientCertificate::fromFileContents(pem, {}, u"app.p12"_s)); // named a .p12: not read as PEM
    }
};

QTEST_GUILESS_MAIN(TestCloudTenantSettings)
#include "TestCloudTenantSettings.moc"
