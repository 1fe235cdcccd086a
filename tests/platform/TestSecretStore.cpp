// SPDX-License-Identifier: Apache-2.0
#include "TestSecretStore.h"

#include "platform/SecretStore.h"

#include <QDirIterator>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include <optional>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

// Run twice by CTest: as TestSecretStore without any keyring service (as in CI or over SSH), and as
// TestSecretStoreKeyring inside a private D-Bus session with a fresh GNOME Keyring (with-keyring.sh sets
// SUNSET_TEST_KEYRING=1). Each run asserts what its situation must give.

namespace {

const QByteArray kSecret = "Zq8~remember-me.only-in-the-keyring";

SecretKey key(SecretKey::Kind kind = SecretKey::Kind::ClientSecret)
{
    return {kind, u"Contoso.onmicrosoft.com"_s, u"11111111-2222-3333-4444-555555555555"_s};
}

SecretResult<void> remember(SecretStore& store, const SecretKey& k, const QByteArray& secret)
{
    std::optional<SecretResult<void>> answer;
    store.remember(k, secret, &store, [&](const SecretResult<void>& outcome) { answer = outcome; });
    if (!QTest::qWaitFor([&] { return answer.has_value(); }, 30000))
        return SecretStoreError{SecretStoreError::Reason::Failed, u"no answer"_s};
    return *answer;
}

SecretResult<QByteArray> recall(SecretStore& store, const SecretKey& k)
{
    std::optional<SecretResult<QByteArray>> answer;
    store.recall(k, &store, [&](const SecretResult<QByteArray>& r) { answer = r; });
    if (!QTest::qWaitFor([&] { return answer.has_value(); }, 30000))
        return SecretStoreError{SecretStoreError::Reason::Failed, u"no answer"_s};
    return *answer;
}

SecretResult<void> forget(SecretStore& store, const SecretKey& k)
{
    std::optional<SecretResult<void>> answer;
    store.forget(k, &store, [&](const SecretResult<void>& outcome) { answer = outcome; });
    if (!QTest::qWaitFor([&] { return answer.has_value(); }, 30000))
        return SecretStoreError{SecretStoreError::Reason::Failed, u"no answer"_s};
    return *answer;
}

// Any file under dir holding the secret in clear.
QString fileHolding(const QString& dir, const QByteArray& secret)
{
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly) && file.readAll().contains(secret))
            return file.fileName();
    }
    return {};
}

} // namespace

void TestSecretStore::initTestCase()
{
    QVERIFY(m_home.isValid());
    m_keyring = qEnvironmentVariableIntValue("SUNSET_TEST_KEYRING") == 1;
    // QtKeychain's plaintext fallback would be a QSettings file under the configuration directory: point that
    // here, so that the test can prove nothing was written.
    qputenv("XDG_CONFIG_HOME", m_home.filePath(u"config"_s).toUtf8());
    qputenv("XDG_DATA_HOME",
            qgetenv("XDG_DATA_HOME").isEmpty() ? m_home.filePath(u"data"_s).toUtf8() : qgetenv("XDG_DATA_HOME"));
    QCoreApplication::setOrganizationName(u"sunset-test"_s);
    QCoreApplication::setApplicationName(u"TestSecretStore"_s);
}

void TestSecretStore::entryNames()
{
    QCOMPARE(SecretStore::entryName(key()),
             u"client-secret/contoso.onmicrosoft.com/11111111-2222-3333-4444-555555555555"_s);
    QCOMPARE(SecretStore::entryName(key(SecretKey::Kind::CertificatePassword)),
             u"certificate-password/contoso.onmicrosoft.com/11111111-2222-3333-4444-555555555555"_s);
    QCOMPARE(SecretStore::entryName({SecretKey::Kind::AdBindPassword, u"DC01.contoso.com"_s, u"Admin@contoso.com"_s}),
             u"ad-bind-password/dc01.contoso.com/admin@contoso.com"_s);
    QCOMPARE(SecretStore::serviceName(), u"Sunset"_s);
}

void TestSecretStore::withoutKeyringTheErrorIsClearAndNothingIsWritten()
{
    if (m_keyring)
        QSKIP("runs as TestSecretStore, without a keyring service");
    // No keyring service on the session bus (CTest points DBUS_SESSION_BUS_ADDRESS at nothing).
    SecretStore store;
    store.setServiceName(u"Sunset-test"_s);
    const SecretResult<void> remembered = remember(store, key(), kSecret);
    QVERIFY(!remembered);
    const SecretStoreError& error = remembered.error();
    qInfo().noquote() << "the user sees:" << error.message;
    QCOMPARE(int(error.reason), int(SecretStoreError::Reason::NoKeyring));
    QVERIFY(error.message.startsWith("no desktop keyring is available"_L1));
    QVERIFY(error.message.contains("never in a file"_L1));
    QVERIFY(!error.message.contains(QString::fromLatin1(kSecret)));
    QCOMPARE(fileHolding(m_home.path(), kSecret), QString());

    const SecretResult<QByteArray> recalled = recall(store, key());
    QVERIFY(!recalled.ok());
    QCOMPARE(int(recalled.error().reason), int(SecretStoreError::Reason::NoKeyring));
}

void TestSecretStore::withKeyringRememberRecallForget()
{
    if (!m_keyring)
        QSKIP("runs as TestSecretStoreKeyring, in a private D-Bus session with GNOME Keyring");
    SecretStore store;
    store.setServiceName(u"Sunset-test"_s);
    QCOMPARE(int(recall(store, key()).error().reason), int(SecretStoreError::Reason::NotFound));
    const SecretResult<void> remembered = remember(store, key(), kSecret);
    QVERIFY2(remembered, remembered ? "" : qPrintable(remembered.error().message));
    QVERIFY(remember(store, key(SecretKey::Kind::CertificatePassword), "pfx-password"));
    const SecretResult<QByteArray> recalled = recall(store, key());
    QVERIFY2(recalled.ok(), recalled.ok() ? "" : qPrintable(recalled.error().message));
    QCOMPARE(recalled.value(), kSecret);
    QCOMPARE(recall(store, key(SecretKey::Kind::CertificatePassword)).value(), QByteArray("pfx-password"));
    // The keyring keeps it encrypted; no plaintext copy anywhere under the session's home.
    QCOMPARE(fileHolding(m_home.path(), kSecret), QString());
    QCOMPARE(fileHolding(qEnvironmentVariable("HOME"), kSecret), QString());

    QVERIFY(forget(store, key()));
    QCOMPARE(int(recall(store, key()).error().reason), int(SecretStoreError::Reason::NotFound));
    QVERIFY(forget(store, key())); // forgetting nothing is fine
    QCOMPARE(recall(store, key(SecretKey::Kind::CertificatePassword)).value(), QByteArray("pfx-password"));
}

QTEST_GUILESS_MAIN(TestSecretStore)
