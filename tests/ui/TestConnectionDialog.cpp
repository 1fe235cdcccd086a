// SPDX-License-Identifier: Apache-2.0
// The connection dialog: validation names the field and the fix, profiles round-trip through QSettings, and no
// secret ever reaches the settings file.
#include "ConnectionDialog.h"
#include "CloudTenantSettingsKeys.h"
#include "ConnectionProfile.h"
#include "support/DemoScan.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestConnectionDialog final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void validationNamesFieldAndFix();
    void liveAdRules();
    void liveCloudRules();
    void dialogRefusesAndMarksFields();
    void profileSavedWithoutSecret();
    void profileNamesWithSlashes();
    void earlierSettingsLoadUnchanged();

private:
    static QString problemText(const QList<ProfileProblem>& problems)
    {
        QStringList lines;
        for (const ProfileProblem& p : problems)
            lines << p.field + u": "_s + p.message;
        return lines.join(u'\n');
    }
};

void TestConnectionDialog::validationNamesFieldAndFix()
{
    QCOMPARE(validateProfile(ConnectionProfile::fromFiles(test::demoSources())).size(), 0);

    ConnectionProfile p = ConnectionProfile::fromFiles({u"/nonexistent/ad.ldif"_s, QString(), QString()});
    const QList<ProfileProblem> problems = validateProfile(p);
    QCOMPARE(problems.size(), 2);
    QCOMPARE(problems[0].field, u"adLdifFile"_s);
    QVERIFY(problems[0].message.contains(u"/nonexistent/ad.ldif does not exist"_s));
    QVERIFY(problems[0].message.contains(u"Browse"_s));
    QCOMPARE(problems[1].field, u"cloudExoFile"_s);
    QVERIFY(problems[1].message.contains(u"Get-Mailbox"_s)); // says how to make the missing file
}

void TestConnectionDialog::liveAdRules()
{
    ConnectionProfile p = ConnectionProfile::fromFiles(test::demoSources());
    p.ad.kind = AdSourceProfile::Kind::Live;
    p.ad.dc.uri = u"dc01.contoso.com"_s;
    QList<ProfileProblem> problems = validateProfile(p);
    QCOMPARE(problems.size(), 2);
    QCOMPARE(problems[0].field, u"adUrl"_s);
    QVERIFY(problems[0].message.contains(u"ldaps://"_s));
    QCOMPARE(problems[1].field, u"adBindDn"_s);

    // Plaintext only when asked for, loudly; and only for ldap://.
    p.ad.dc.uri = u"ldap://dc01.contoso.com"_s;
    p.ad.dc.startTls = false;
    p.ad.dc.bindName = u"admin@contoso.com"_s;
    problems = validateProfile(p);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems[0].field, u"adStartTls"_s);
    QVERIFY(problems[0].message.contains(u"Allow plaintext"_s));
    p.ad.dc.allowInsecurePlaintext = true;
    QVERIFY2(validateProfile(p).isEmpty(), qPrintable(problemText(validateProfile(p))));
    p.ad.dc.uri = u"ldaps://dc01.contoso.com"_s;
    problems = validateProfile(p);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems[0].field, u"adAllowPlaintext"_s);

    p.ad.dc.allowInsecurePlaintext = false;
    p.ad.dc.kerberos = true;
    p.ad.dc.bindName.clear();
    p.ad.dc.uri = u"ldaps://dc01"_s;
    problems = validateProfile(p);
    QCOMPARE(problems.size(), 1);
    QVERIFY(problems[0].message.contains(u"full DNS name"_s));
    p.ad.dc.uri = u"ldaps://dc01.contoso.com"_s;
    p.ad.dc.baseDn = u"contoso.com"_s;
    problems = validateProfile(p);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems[0].field, u"adBaseDn"_s);
    QVERIFY(problems[0].message.contains(u"DC=contoso,DC=com"_s));
}

void TestConnectionDialog::liveCloudRules()
{
    ConnectionProfile p = ConnectionProfile::fromFiles(test::demoSources());
    p.cloud.kind = CloudSourceProfile::Kind::Live;
    p.cloud.connection.tenant = u"contoso"_s;
    p.cloud.connection.clientId = u"not-a-guid"_s;
    p.cloud.connection.graphEndpoint = u"http://graph.microsoft.com"_s;
    QList<ProfileProblem> problems = validateProfile(p);
    QCOMPARE(problems.size(), 3);
    QCOMPARE(problems[0].field, u"cloudTenant"_s);
    QCOMPARE(problems[1].field, u"cloudClientId"_s);
    QVERIFY(problems[1].message.contains(u"App registrations"_s));
    QCOMPARE(problems[2].field, u"cloudGraphEndpoint"_s);
    QVERIFY(problems[2].message.contains(u"https://graph.microsoft.com"_s));

    p.cloud.connection.tenant = u"contoso.onmicrosoft.com"_s;
    p.cloud.connection.clientId = u"11111111-2222-3333-4444-555555555555"_s;
    p.cloud.connection.graphEndpoint = u"https://graph.microsoft.us"_s;
    p.cloud.connection.signIn = CloudTenantSettings::SignIn::Certificate;
    problems = validateProfile(p);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems[0].field, u"cloudCertificateFile"_s);
    p.cloud.connection.signIn = CloudTenantSettings::SignIn::DeviceCode;
    QVERIFY(validateProfile(p).isEmpty());
}

void TestConnectionDialog::dialogRefusesAndMarksFields()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(u"sunset.ini"_s), QSettings::IniFormat);
    ConnectionDialog dialog(settings);
    dialog.setProfile(ConnectionProfile::fromFiles(test::demoSources()));
    dialog.findChild<QRadioButton*>(u"adLive"_s)->setChecked(true);
    dialog.findChild<QLineEdit*>(u"adUrl"_s)->setText(u"ldaps://dc01.contoso.com"_s);
    dialog.findChild<QLineEdit*>(u"adBindDn"_s)->setText(u"admin@contoso.com"_s);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));

    // Scan without the password: the dialog stays, says which field and why, and puts the cursor there.
    QTest::mouseClick(dialog.findChild<QPushButton*>(u"scanButton"_s), Qt::LeftButton);
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    auto* problems = dialog.findChild<QLabel*>(u"problemsLabel"_s);
    QVERIFY(problems->isVisible());
    QVERIFY2(problems->text().contains(u"Password: enter the password of admin@contoso.com"_s),
             qPrintable(problems->text()));
    auto* password = dialog.findChild<QLineEdit*>(u"adPassword"_s);
    QTRY_VERIFY(password->hasFocus());
    QVERIFY(!password->styleSheet().isEmpty());

    QTest::keyClicks(password, u"s3cret!"_s);
    QTest::mouseClick(dialog.findChild<QPushButton*>(u"scanButton"_s), Qt::LeftButton);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    const ScanRequest request = dialog.request();
    QCOMPARE(request.secrets.adPassword, QByteArray("s3cret!"));
    QCOMPARE(request.profile.ad.dc.uri, u"ldaps://dc01.contoso.com"_s);
    QCOMPARE(request.profile.cloud.exoFile, test::demoSources().exo);
}

void TestConnectionDialog::profileSavedWithoutSecret()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"sunset.ini"_s);
    const QString secret = u"Zq8~very-secret-value"_s;
    const QByteArray password = "Pa55-word-for-AD";
    {
        QSettings settings(path, QSettings::IniFormat);
        ConnectionDialog dialog(settings);
        dialog.findChild<QComboBox*>(u"profileName"_s)->setCurrentText(u"Contoso / production"_s);
        dialog.findChild<QRadioButton*>(u"adLive"_s)->setChecked(true);
        dialog.findChild<QLineEdit*>(u"adUrl"_s)->setText(u"ldap://dc01.contoso.com"_s);
        dialog.findChild<QLineEdit*>(u"adBindDn"_s)->setText(u"svc-sunset@contoso.com"_s);
        dialog.findChild<QLineEdit*>(u"adPassword"_s)->setText(QString::fromUtf8(password));
        dialog.findChild<QLineEdit*>(u"adBaseDn"_s)->setText(u"OU=Staff,DC=contoso,DC=com"_s);
        dialog.findChild<QRadioButton*>(u"cloudLive"_s)->setChecked(true);
        dialog.findChild<QLineEdit*>(u"cloudTenant"_s)->setText(u"contoso.onmicrosoft.com"_s);
        dialog.findChild<QLineEdit*>(u"cloudClientId"_s)->setText(u"11111111-2222-3333-4444-555555555555"_s);
        dialog.findChild<QLineEdit*>(u"cloudSecret"_s)->setText(secret);
        auto* preset = dialog.findChild<QComboBox*>(u"cloudPreset"_s);
        preset->setCurrentIndex(1);
        Q_EMIT preset->activated(1); // GCC High
        QVERIFY(dialog.validate().isEmpty());
        QTest::mouseClick(dialog.findChild<QPushButton*>(u"saveProfile"_s), Qt::LeftButton);
    }
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QVERIFY(content.contains("svc-sunset@contoso.com"));
    QVERIFY(content.contains("https://graph.microsoft.us"));
    QVERIFY2(!content.contains(secret.toUtf8()), content.constData());
    QVERIFY2(!content.contains(password), content.constData());
    QVERIFY(!content.toLower().contains("password"));
    QVERIFY(!content.toLower().contains("secret="));

    QSettings settings(path, QSettings::IniFormat);
    ConnectionProfileStore store(settings);
    QCOMPARE(store.names(), QStringList{u"Contoso / production"_s});
    QCOMPARE(store.lastUsed(), u"Contoso / production"_s);
    const ConnectionProfile p = store.load(u"Contoso / production"_s);
    QCOMPARE(p.ad.kind, AdSourceProfile::Kind::Live);
    QCOMPARE(p.ad.dc.baseDn, u"OU=Staff,DC=contoso,DC=com"_s);
    QCOMPARE(p.cloud.connection.authority, u"https://login.microsoftonline.us"_s);
    QCOMPARE(p.cloud.connection.exoEndpoint, u"https://outlook.office365.us"_s);

    // A new dialog opens on the last profile, without its secrets.
    ConnectionDialog again(settings);
    QCOMPARE(again.profile(), p);
    QVERIFY(again.secrets().adPassword.isEmpty());
    QVERIFY(again.secrets().clientSecret.isEmpty());
}

void TestConnectionDialog::profileNamesWithSlashes()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(u"sunset.ini"_s), QSettings::IniFormat);
    ConnectionProfileStore store(settings);
    ConnectionProfile a = ConnectionProfile::fromFiles(test::demoSources(), u"EU/West 50%"_s);
    store.save(a);
    store.save(ConnectionProfile::fromFiles(test::demoSources(), u"Lab"_s));
    QCOMPARE(store.names(), (QStringList{u"EU/West 50%"_s, u"Lab"_s}));
    QCOMPARE(store.load(u"EU/West 50%"_s), a);
    store.remove(u"EU/West 50%"_s);
    QCOMPARE(store.names(), QStringList{u"Lab"_s});
}

// Profiles and wizard settings saved before the cloud settings became one type load into it as they were, and a
// profile is saved again under exactly the keys it was read from.
void TestConnectionDialog::earlierSettingsLoadUnchanged()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(u"sunset.ini"_s), QSettings::IniFormat);
    // A GCC High profile signing in with a .pfx, as every earlier version wrote it ...
    const QList<std::pair<QString, QVariant>> written = {
        {u"profiles/Fabrikam/name"_s, u"Fabrikam"_s},
        {u"profiles/Fabrikam/ad/kind"_s, u"snapshot"_s},
        {u"profiles/Fabrikam/ad/ldifFile"_s, u"/exports/ad.ldif"_s},
        {u"profiles/Fabrikam/ad/url"_s, QString()},
        {u"profiles/Fabrikam/ad/startTls"_s, true},
        {u"profiles/Fabrikam/ad/bind"_s, u"simple"_s},
        {u"profiles/Fabrikam/ad/bindDn"_s, QString()},
        {u"profiles/Fabrikam/ad/baseDn"_s, QString()},
        {u"profiles/Fabrikam/ad/caFile"_s, QString()},
        {u"profiles/Fabrikam/ad/allowPlaintext"_s, false},
        {u"profiles/Fabrikam/ad/bindInKeyring"_s, false},
        {u"profiles/Fabrikam/cloud/kind"_s, u"live"_s},
        {u"profiles/Fabrikam/cloud/exoFile"_s, QString()},
        {u"profiles/Fabrikam/cloud/graphFile"_s, QString()},
        {u"profiles/Fabrikam/cloud/tenant"_s, u"fabrikam.onmicrosoft.us"_s},
        {u"profiles/Fabrikam/cloud/clientId"_s, u"11111111-2222-3333-4444-555555555555"_s},
        {u"profiles/Fabrikam/cloud/signIn"_s, u"certificate"_s},
        {u"profiles/Fabrikam/cloud/certificateFile"_s, u"/keys/sunset.pfx"_s},
        {u"profiles/Fabrikam/cloud/authority"_s, u"https://login.microsoftonline.us"_s},
        {u"profiles/Fabrikam/cloud/graphEndpoint"_s, u"https://graph.microsoft.us"_s},
        {u"profiles/Fabrikam/cloud/exoEndpoint"_s, u"https://outlook.office365.us"_s},
        {u"profiles/Fabrikam/cloud/graphResource"_s, u"https://graph.microsoft.us/"_s},
        {u"profiles/Fabrikam/cloud/clientSecretInKeyring"_s, false},
        {u"profiles/Fabrikam/cloud/pfxInKeyring"_s, true},
    };
    for (const auto& [key, value] : written)
        settings.setValue(key, value);
    // ... and one from before sign-in kinds and endpoints were saved: the defaults fill in.
    settings.setValue(u"profiles/Old/cloud/kind"_s, u"live"_s);
    settings.setValue(u"profiles/Old/cloud/tenant"_s, u"contoso.onmicrosoft.com"_s);
    settings.setValue(u"profiles/Old/cloud/clientId"_s, u"66666666-7777-8888-9999-000000000000"_s);

    ConnectionProfileStore store(settings);
    const ConnectionProfile fabrikam = store.load(u"Fabrikam"_s);
    CloudTenantSettings expected;
    expected.tenant = u"fabrikam.onmicrosoft.us"_s;
    expected.clientId = u"11111111-2222-3333-4444-555555555555"_s;
    expected.signIn = CloudTenantSettings::SignIn::Certificate;
    expected.certificateFile = u"/keys/sunset.pfx"_s;
    expected.authority = u"https://login.microsoftonline.us"_s;
    expected.graphEndpoint = u"https://graph.microsoft.us"_s;
    expected.exoEndpoint = u"https://outlook.office365.us"_s;
    expected.graphResource = u"https://graph.microsoft.us/"_s;
    QCOMPARE(fabrikam.cloud.kind, CloudSourceProfile::Kind::Live);
    QVERIFY(fabrikam.cloud.connection == expected);
    QVERIFY(fabrikam.cloud.rememberCertificatePassword);
    QVERIFY(!fabrikam.cloud.rememberClientSecret);

    const ConnectionProfile old = store.load(u"Old"_s);
    CloudTenantSettings oldExpected;
    oldExpected.tenant = u"contoso.onmicrosoft.com"_s;
    oldExpected.clientId = u"66666666-7777-8888-9999-000000000000"_s;
    QVERIFY(old.cloud.connection == oldExpected);
    QCOMPARE(old.cloud.connection.signIn, CloudTenantSettings::SignIn::ClientSecret);
    QCOMPARE(old.cloud.connection.authority, u"https://login.microsoftonline.com"_s);

    // Saved again: the same keys with the same values, and no other.
    store.save(fabrikam);
    settings.beginGroup(u"profiles/Fabrikam"_s);
    QCOMPARE(settings.allKeys().size(), written.size());
    settings.endGroup();
    for (const auto& [key, value] : written)
        QCOMPARE(settings.value(key).toString(), value.toString());

    // The wizard's group shares the keys: its tenant and clientId load the same way, and its caFile (the domain
    // controller's) is not taken for the cloud.
    settings.beginGroup(u"decommission"_s);
    settings.setValue(u"tenant"_s, u"contoso.onmicrosoft.com"_s);
    settings.setValue(u"clientId"_s, u"66666666-7777-8888-9999-000000000000"_s);
    settings.setValue(u"clientSecretFile"_s, u"/home/alice/.client-secret"_s);
    settings.setValue(u"caFile"_s, u"/etc/ssl/dc-ca.pem"_s);
    QVERIFY(readCloudTenantSettings(settings) == oldExpected);
    settings.endGroup();
}

QTEST_MAIN(TestConnectionDialog)
#include "TestConnectionDialog.moc"
