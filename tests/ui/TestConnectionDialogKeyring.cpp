// SPDX-License-Identifier: Apache-2.0
// "Remember in the desktop keyring" in the connection dialog. Run twice by CTest, like TestSecretStore: as
// TestConnectionDialogKeyring in a private D-Bus session with a fresh GNOME Keyring (tests/support/with-keyring.sh
// sets SUNSET_TEST_KEYRING=1), and as TestConnectionDialogNoKeyring with the session bus pointing nowhere. Each
// run asserts what its situation must give; the admin's own keyring is never reached.
#include "ConnectionDialog.h"
#include "ConnectionProfile.h"
#include "support/DemoScan.h"
#include "platform/SecretStore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDirIterator>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kClientId = u"11111111-2222-3333-4444-555555555555"_s;
const QString kSecret = u"Zq8~dialog-remembers-this-only-in-the-keyring"_s;
const QString kPassword = u"Pa55-bind-password-kept-in-the-keyring"_s;

// Any file under dir holding needle in clear.
QString fileHolding(const QString& dir, const QByteArray& needle)
{
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle))
            return file.fileName();
    }
    return {};
}

SecretResult<QByteArray> recall(const SecretKey& key)
{
    SecretStore store;
    std::optional<SecretResult<QByteArray>> answer;
    store.recall(key, &store, [&](const SecretResult<QByteArray>& r) { answer = r; });
    if (!QTest::qWaitFor([&] { return answer.has_value(); }, 30000))
        return SecretStoreError{SecretStoreError::Reason::Failed, u"no answer"_s};
    return *answer;
}

// A live tenant read with a client secret, AD live with a simple bind, under the name "Contoso".
void fillLiveProfile(ConnectionDialog& dialog)
{
    dialog.setProfile(ConnectionProfile::fromFiles(test::demoSources()));
    dialog.findChild<QComboBox*>(u"profileName"_s)->setCurrentText(u"Contoso"_s);
    dialog.findChild<QRadioButton*>(u"adLive"_s)->setChecked(true);
    dialog.findChild<QLineEdit*>(u"adUrl"_s)->setText(u"ldaps://dc01.contoso.com"_s);
    dialog.findChild<QLineEdit*>(u"adBindDn"_s)->setText(u"svc-sunset@contoso.com"_s);
    dialog.findChild<QRadioButton*>(u"cloudLive"_s)->setChecked(true);
    dialog.findChild<QLineEdit*>(u"cloudTenant"_s)->setText(kTenant);
    dialog.findChild<QLineEdit*>(u"cloudClientId"_s)->setText(kClientId);
    QTest::keyClicks(dialog.findChild<QLineEdit*>(u"cloudSecret"_s), kSecret);
    QTest::keyClicks(dialog.findChild<QLineEdit*>(u"adPassword"_s), kPassword);
}

} // namespace

class TestConnectionDialogKeyring final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void remembersAndRecallsAcrossDialogs();
    void withoutKeyringSaysSoAndWritesNothing();

private:
    QTemporaryDir m_home;
    bool m_keyring = false;
};

void TestConnectionDialogKeyring::initTestCase()
{
    QVERIFY(m_home.isValid());
    m_keyring = qEnvironmentVariableIntValue("SUNSET_TEST_KEYRING") == 1;
    // QtKeychain's plaintext fallback would be a settings file under the configuration directory: point it here,
    // so that the test can prove nothing was written.
    qputenv("XDG_CONFIG_HOME", m_home.filePath(u"config"_s).toUtf8());
    QCoreApplication::setOrganizationName(u"sunset-test"_s);
    QCoreApplication::setApplicationName(u"TestConnectionDialogKeyring"_s);
}

void TestConnectionDialogKeyring::remembersAndRecallsAcrossDialogs()
{
    if (!m_keyring)
        QSKIP("runs as TestConnectionDialogKeyring, inside with-keyring.sh");
    const QString path = m_home.filePath(u"sunset.ini"_s);
    const SecretKey clientSecretKey{SecretKey::Kind::ClientSecret, kTenant, kClientId};
    const SecretKey bindKey{SecretKey::Kind::AdBindPassword, u"dc01.contoso.com"_s, u"svc-sunset@contoso.com"_s};
    {
        QSettings settings(path, QSettings::IniFormat);
        ConnectionDialog dialog(settings);
        fillLiveProfile(dialog);
        auto* rememberSecret = dialog.findChild<QCheckBox*>(u"cloudRememberSecret"_s);
        auto* rememberPassword = dialog.findChild<QCheckBox*>(u"adRememberPassword"_s);
        QVERIFY(!rememberSecret->isChecked()); // off by default
        QVERIFY(!rememberPassword->isChecked());
        rememberSecret->setChecked(true);
        rememberPassword->setChecked(true);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTRY_COMPARE_WITH_TIMEOUT(dialog.keyringJobsUnderWay(), 0, 30000); // ticking asked the keyring; it answered
        QTest::mouseClick(dialog.findChild<QPushButton*>(u"scanButton"_s), Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.secrets().clientSecret, kSecret);
        // Stored once the scan started (asynchronously, the dialog already closed).
        QTRY_VERIFY_WITH_TIMEOUT(recall(clientSecretKey), 30000);
        QCOMPARE(recall(clientSecretKey).value(), kSecret.toUtf8());
        QTRY_VERIFY_WITH_TIMEOUT(recall(bindKey), 30000);
        QCOMPARE(recall(bindKey).value(), kPassword.toUtf8());
        QVERIFY(dialog.findChild<QLabel*>(u"keyringMessage"_s)->isHidden());
    }
    // The settings say only that the secrets are remembered; no secret in clear anywhere under the test's home.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QVERIFY2(content.contains("clientSecretInKeyring=true"), content.constData());
    QVERIFY2(content.contains("bindInKeyring=true"), content.constData());
    QVERIFY2(!content.contains(kSecret.toUtf8()), content.constData());
    QVERIFY2(!content.contains(kPassword.toUtf8()), content.constData());
    QCOMPARE(fileHolding(m_home.path(), kSecret.toUtf8()), QString());
    QCOMPARE(fileHolding(m_home.path(), kPassword.toUtf8()), QString());

    // A second dialog opens on the profile and fills both secrets from the keyring, masked.
    QSettings settings(path, QSettings::IniFormat);
    ConnectionDialog again(settings);
    auto* secret = again.findChild<QLineEdit*>(u"cloudSecret"_s);
    auto* password = again.findChild<QLineEdit*>(u"adPassword"_s);
    QTRY_COMPARE_WITH_TIMEOUT(secret->text(), kSecret, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(password->text(), kPassword, 30000);
    QCOMPARE(secret->echoMode(), QLineEdit::Password);
    QCOMPARE(password->echoMode(), QLineEdit::Password);
    QVERIFY(again.findChild<QCheckBox*>(u"cloudRememberSecret"_s)->isChecked());
    QVERIFY(again.validate().isEmpty()); // ready to scan without typing anything

    // Unticking forgets the secret at once; the profile then records that nothing is remembered.
    again.findChild<QCheckBox*>(u"cloudRememberSecret"_s)->setChecked(false);
    QTRY_VERIFY_WITH_TIMEOUT(!recall(clientSecretKey) &&
                                 recall(clientSecretKey).error().reason == SecretStoreError::Reason::NotFound,
                             30000);
    QVERIFY(recall(bindKey)); // the other secret stays
    QVERIFY(again.saveProfile());
    QVERIFY(!ConnectionProfileStore(settings).load(u"Contoso"_s).cloud.rememberClientSecret);
    QVERIFY(again.findChild<QLabel*>(u"keyringMessage"_s)->isHidden());
}

void TestConnectionDialogKeyring::withoutKeyringSaysSoAndWritesNothing()
{
    if (m_keyring)
        QSKIP("runs as TestConnectionDialogNoKeyring, without a keyring service");
    const QString path = m_home.filePath(u"sunset.ini"_s);
    QSettings settings(path, QSettings::IniFormat);
    ConnectionDialog dialog(settings);
    fillLiveProfile(dialog);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto* message = dialog.findChild<QLabel*>(u"keyringMessage"_s);
    QVERIFY(message->isHidden());

    // Ticking asks the keyring at once: none here, so the dialog says so inline and the box unticks itself.
    auto* remember = dialog.findChild<QCheckBox*>(u"cloudRememberSecret"_s);
    remember->setChecked(true);
    QTRY_VERIFY_WITH_TIMEOUT(message->isVisible(), 30000);
    QVERIFY2(message->text().contains(u"No desktop keyring: the secret is used for this scan only"_s),
             qPrintable(message->text()));
    QVERIFY(!remember->isChecked());

    // The scan goes ahead with the typed secret, for this scan only.
    QTest::mouseClick(dialog.findChild<QPushButton*>(u"scanButton"_s), Qt::LeftButton);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(dialog.secrets().clientSecret, kSecret);
    // Nothing asynchronous left that could still write (a keyring call under way, or one answering later), then
    // whatever it posted delivered, before looking at the files.
    QTRY_COMPARE_WITH_TIMEOUT(dialog.keyringJobsUnderWay(), 0, 30000);
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    settings.sync();
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QVERIFY2(content.contains("clientSecretInKeyring=false"), content.constData());
    QCOMPARE(fileHolding(m_home.path(), kSecret.toUtf8()), QString());
    QCOMPARE(fileHolding(m_home.path(), kPassword.toUtf8()), QString());
}

QTEST_MAIN(TestConnectionDialogKeyring)
#include "TestConnectionDialogKeyring.moc"
