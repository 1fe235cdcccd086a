// SPDX-License-Identifier: Apache-2.0
// The connection dialog: validation names the field and the fix, profiles round-trip through QSettings, and no
// secret ever reaches the settings file.
#include "ConnectionDialog.h"
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
    p.cloud.tenant = u"contoso"_s;
    p.cloud.clientId = u"not-a-guid"_s;
    p.cloud.graphEndpoint = u"http://graph.microsoft.com"_s;
    QList<ProfileProblem> problems = validateProfile(p);
    QCOMPARE(problems.size(), 3);
    QCOMPARE(problems[0].field, u"cloudTenant"_s);
    QCOMPARE(problems[1].field, u"cloudClientId"_s);
    QVERIFY(problems[1].message.contains(u"App registrations"_s));
    QCOMPARE(problems[2].field, u"cloudGraphEndpoint"_s);
    QVERIFY(problems[2].message.contains(u"https://graph.microsoft.com"_s));

    p.cloud.tenant = u"contoso.onmicrosoft.com"_s;
    p.cloud.clientId = u"11111111-2222-3333-4444-555555555555"_s;
    p.cloud.graphEndpoint = u"https://graph.microsoft.us"_s;
    p.cloud.signIn = CloudSourceProfile::SignIn::Certificate;
    problems = validateProfile(p);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems[0].field, u"cloudCertificateFile"_s);
    p.cloud.signIn = CloudSourceProfile::SignIn::DeviceCode;
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
    QCOMPARE(p.cloud.authority, u"https://login.microsoftonline.us"_s);
    QCOMPARE(p.cloud.exoEndpoint, u"https://outlook.office365.us"_s);

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

QTEST_MAIN(TestConnectionDialog)
#include "TestConnectionDialog.moc"
