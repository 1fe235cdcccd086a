// SPDX-License-Identifier: Apache-2.0
// sunset-cli diff --remember-secret, the recall of a remembered secret, and sunset-cli secret forget, against the
// in-process cloud emulator. Run twice by CTest, like TestSecretStore: as TestCliKeyring in a private D-Bus session
// with a fresh GNOME Keyring (with-keyring.sh sets SUNSET_TEST_KEYRING=1), and as TestCliNoKeyring with the session
// bus pointing nowhere.
#include "support/CliRun.h"
#include "support/TestFiles.h"
#include "CliCommands.h"
#include "CloudEmulator.h"
#include "DemoTenantGenerator.h"
#include "platform/SecretStore.h"

#include <QDirIterator>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

using test::cliCode;
using test::writeOwnerOnlyFile; // the secret files sunset-cli reads must be owner-only

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kTenantId = u"9c8b3f3e-5a51-4c1f-9d1e-6f0c2d7b8a10"_s;
const QString kApp = u"11111111-2222-3333-4444-555555555555"_s;
const QString kSecret = u"Zq8~cli-remembers-this-only-in-the-keyring"_s;

SecretResult<QByteArray> recall(const SecretKey& key)
{
    SecretStore store;
    std::optional<SecretResult<QByteArray>> answer;
    store.recall(key, &store, [&](const SecretResult<QByteArray>& r) { answer = r; });
    if (!QTest::qWaitFor([&] { return answer.has_value(); }, 30000))
        return SecretStoreError{SecretStoreError::Reason::Failed, u"no answer"_s};
    return *answer;
}

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

} // namespace

class TestCliKeyring final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rememberRecallForget();
    void withoutKeyringTheSecretIsForThisRunOnly();

private:
    QStringList diff(const QStringList& credential) const
    {
        const QString base = m_emulator->baseUrl().toString();
        return QStringList{u"diff"_s,          u"--ad"_s,          m_ldif,
                           u"--tenant"_s,      kTenant,            u"--client-id"_s,
                           kApp,               u"--authority"_s,   base,
                           u"--graph-endpoint"_s, base,            u"--exo-endpoint"_s,
                           base,               u"--graph-resource"_s, QLatin1StringView(CloudEmulator::kGraphResource),
                           u"--exo-resource"_s, QLatin1StringView(CloudEmulator::kExoResource),
                           u"--full-scan"_s,   u"--json"_s,        m_dir.filePath(u"report.json"_s)} +
               credential;
    }

    QTemporaryDir m_dir;
    QString m_ldif;
    QString m_secretFile;
    std::unique_ptr<CloudEmulator> m_emulator;
    bool m_keyring = false;
};

void TestCliKeyring::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_keyring = qEnvironmentVariableIntValue("SUNSET_TEST_KEYRING") == 1;
    qputenv("XDG_CONFIG_HOME", m_dir.filePath(u"config"_s).toUtf8()); // where a plaintext fallback would write
    qunsetenv("SUNSET_CLIENT_SECRET");
    QStandardPaths::setTestModeEnabled(true); // the CLI's kept cloud state and history stay out of the real profile
    DemoTenantOptions options;
    options.mailboxes = 40;
    QByteArray ldif, graph, exo;
    DemoTenantSinks sinks;
    sinks.ldif = [&](const QByteArray& chunk) { ldif += chunk; };
    sinks.exoJson = [&](const QByteArray& chunk) { exo += chunk; };
    sinks.graphJson = [&](const QByteArray& chunk) { graph += chunk; };
    generateDemoTenant(options, sinks);
    m_ldif = m_dir.filePath(u"ad.ldif"_s);
    m_secretFile = m_dir.filePath(u"secret"_s);
    QVERIFY(writeOwnerOnlyFile(m_ldif, ldif));
    QVERIFY(writeOwnerOnlyFile(m_secretFile, kSecret.toUtf8() + '\n'));
    m_emulator = std::make_unique<CloudEmulator>();
    QVERIFY(m_emulator->listen());
    m_emulator->setTenant({kTenant, kTenantId}, graph, exo);
    m_emulator->registerApp(kApp, kSecret);
}

void TestCliKeyring::rememberRecallForget()
{
    if (!m_keyring)
        QSKIP("runs as TestCliKeyring, inside with-keyring.sh");
    const SecretKey key{SecretKey::Kind::ClientSecret, kTenant, kApp};
    QString errors;

    // A secret that does not sign in is not kept.
    const QString wrong = m_dir.filePath(u"wrong"_s);
    QVERIFY(writeOwnerOnlyFile(wrong, "not-the-secret\n"));
    QCOMPARE(cliCode(diff({u"--client-secret-file"_s, wrong, u"--remember-secret"_s}), &errors), int(CliBadInput));
    QVERIFY(!recall(key));
    QCOMPARE(recall(key).error().reason, SecretStoreError::Reason::NotFound);

    // Signed in with --remember-secret: kept in the keyring, and nowhere in clear under the test's directories.
    QCOMPARE(cliCode(diff({u"--client-secret-file"_s, m_secretFile, u"--remember-secret"_s}), &errors), int(CliOk));
    QVERIFY2(errors.contains(u"Remembered the client secret of %1 in %2 in the desktop keyring"_s.arg(kApp, kTenant)),
             qPrintable(errors));
    QCOMPARE(recall(key).value(), kSecret.toUtf8());
    QCOMPARE(fileHolding(m_dir.filePath(u"config"_s), kSecret.toUtf8()), QString());

    // No credential option: the remembered secret signs in, and stderr says where it came from.
    const int tokensBefore = m_emulator->tokenRequests();
    QCOMPARE(cliCode(diff({}), &errors), int(CliOk));
    QVERIFY2(errors.contains(u"using the client secret of %1 in %2 remembered in the desktop keyring"_s.arg(kApp, kTenant)),
             qPrintable(errors));
    QVERIFY(m_emulator->tokenRequests() > tokensBefore);

    // secret forget removes it; the next run without a credential is told what to give.
    QCOMPARE(cliCode({u"secret"_s, u"forget"_s, u"--tenant"_s, kTenant, u"--client-id"_s, kApp}, &errors), int(CliOk));
    QCOMPARE(recall(key).error().reason, SecretStoreError::Reason::NotFound);
    QCOMPARE(cliCode(diff({}), &errors), int(CliUsage));
    QVERIFY2(errors.contains(u"give one credential"_s) && errors.contains(u"nothing is remembered"_s),
             qPrintable(errors));
    QCOMPARE(cliCode({u"secret"_s, u"forget"_s, u"--tenant"_s, kTenant}, &errors), int(CliUsage));
}

void TestCliKeyring::withoutKeyringTheSecretIsForThisRunOnly()
{
    if (m_keyring)
        QSKIP("runs as TestCliNoKeyring, without a keyring service");
    QString errors;
    // The scan runs with the secret from the file; the keyring's absence is a warning, and no file gets the secret.
    QCOMPARE(cliCode(diff({u"--client-secret-file"_s, m_secretFile, u"--remember-secret"_s}), &errors), int(CliOk));
    QVERIFY2(errors.contains(u"no desktop keyring is available"_s) &&
                 errors.contains(u"the secret was used for this run only"_s),
             qPrintable(errors));
    QCOMPARE(fileHolding(m_dir.filePath(u"config"_s), kSecret.toUtf8()), QString());
    // Without a credential option: the usage error says what to give and why the keyring could not help.
    QCOMPARE(cliCode(diff({}), &errors), int(CliUsage));
    QVERIFY2(errors.contains(u"give one credential"_s) && errors.contains(u"no desktop keyring"_s), qPrintable(errors));
    QCOMPARE(cliCode({u"secret"_s, u"forget"_s, u"--tenant"_s, kTenant, u"--client-id"_s, kApp}, &errors),
             int(CliBadInput));
    QVERIFY2(errors.contains(u"no desktop keyring"_s), qPrintable(errors));
}

QTEST_MAIN(TestCliKeyring)
#include "TestCliKeyring.moc"
