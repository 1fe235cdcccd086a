// SPDX-License-Identifier: Apache-2.0
// No secret reaches a log line or an error message: a client secret (right and wrong), a certificate's private
// key and an LDAP bind password, with every logging category at debug, through sign-ins against the in-process
// cloud emulator (tests/support/cloud) and binds that fail: the logs and the errors shown to admins. The history file,
// QSettings and exports after a whole scan and batch: TestSecretsAtRest.
#include "CloudEmulator.h"
#include "LdapConnection.h"
#include "TestCertificate.h"
#include "TokenProvider.h"

#include <QLoggingCategory>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kSecretApp = u"11111111-2222-3333-4444-555555555555"_s;
const QString kCertApp = u"66666666-7777-8888-9999-000000000000"_s;
const QString kSecret = u"Client-Secret~Never.Logged_8Q"_s;
const QString kWrongSecret = u"Wrong-Secret~Also.Never.Logged_7Z"_s;
const QByteArray kPassword = "Bind-Password!Never-Logged#42";

QStringList g_lines;
void capture(QtMsgType, const QMessageLogContext&, const QString& message)
{
    g_lines << message;
}

Result<QByteArray> fetchToken(TokenProvider& tokens)
{
    std::optional<Result<QByteArray>> result;
    QObject context;
    tokens.accessToken(QLatin1StringView(CloudEmulator::kGraphResource), &context,
                       [&](const Result<QByteArray>& r) { result = r; });
    if (!QTest::qWaitFor([&] { return result.has_value(); }, 10000))
        return ImportError{{}, 0, {}, u"timed out"_s};
    return *result;
}

} // namespace

class TestSecretsInLogs final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void clientSecret();
    void certificateKey();
    void bindPassword();

private:
    // Fails naming the first text (log line or error) that holds one of the secrets.
    static void verifyNoneHolds(const QStringList& texts, const QList<QByteArray>& secrets);

    CloudEmulator m_emulator;
    TestCertificate m_certificate;
    QtMessageHandler m_previous = nullptr;
};

void TestSecretsInLogs::initTestCase()
{
    QLoggingCategory::setFilterRules(u"*.debug=true"_s);
    m_previous = qInstallMessageHandler(capture);
    m_certificate = TestCertificate::generate("secrets-test");
    QVERIFY(m_emulator.listen());
    m_emulator.setTenant({kTenant}, R"({"value":[]})", "[]");
    m_emulator.registerApp(kSecretApp, kSecret);
    m_emulator.registerApp(kCertApp, {}, m_certificate.certificateDer);
}

void TestSecretsInLogs::cleanupTestCase()
{
    qInstallMessageHandler(m_previous);
}

void TestSecretsInLogs::verifyNoneHolds(const QStringList& texts, const QList<QByteArray>& secrets)
{
    for (const QString& text : texts) {
        const QByteArray utf8 = text.toUtf8();
        for (const QByteArray& secret : secrets)
            QVERIFY2(!utf8.contains(secret), qPrintable(u"a secret in: "_s + text));
    }
}

void TestSecretsInLogs::clientSecret()
{
    g_lines.clear();
    AppCredentials right;
    right.tenant = kTenant;
    right.clientId = kSecretApp;
    right.clientSecret = kSecret;
    TokenProvider tokens(m_emulator.baseUrl(), right);
    const Result<QByteArray> token = fetchToken(tokens);
    QVERIFY2(token, token ? "" : qPrintable(token.error().toString()));

    AppCredentials wrong = right;
    wrong.clientSecret = kWrongSecret;
    TokenProvider refused(m_emulator.baseUrl(), wrong);
    const Result<QByteArray> failure = fetchToken(refused);
    QVERIFY(!failure);
    QVERIFY(!g_lines.isEmpty()); // the categories are on: the sign-ins were logged
    // URL-encoded too: that is how the secret travels in the token request's form body.
    verifyNoneHolds(g_lines + QStringList{failure.error().toString()},
                    {kSecret.toUtf8(), kWrongSecret.toUtf8(), QUrl::toPercentEncoding(kSecret),
                     QUrl::toPercentEncoding(kWrongSecret), token.value()});
}

void TestSecretsInLogs::certificateKey()
{
    g_lines.clear();
    Result<ClientCertificate> certificate =
        ClientCertificate::fromPem(m_certificate.keyPem, m_certificate.certificatePem, u"app.pem"_s);
    QVERIFY(certificate);
    AppCredentials credentials;
    credentials.tenant = kTenant;
    credentials.clientId = kCertApp;
    credentials.certificate = certificate.value();
    TokenProvider tokens(m_emulator.baseUrl(), credentials);
    const Result<QByteArray> token = fetchToken(tokens);
    QVERIFY2(token, token ? "" : qPrintable(token.error().toString()));
    // A key read with the wrong certificate fails without quoting the key.
    const TestCertificate other = TestCertificate::generate("other");
    const Result<ClientCertificate> mixed =
        ClientCertificate::fromPem(m_certificate.keyPem, other.certificatePem, u"mixed.pem"_s);
    QVERIFY(!mixed);
    QList<QByteArray> keyLines; // every base64 line of the PEM key body
    for (const QByteArray& line : m_certificate.keyPem.split('\n'))
        if (line.size() >= 40 && !line.startsWith("-----"))
            keyLines << line;
    QVERIFY(keyLines.size() > 5);
    verifyNoneHolds(g_lines + QStringList{mixed.error().toString()}, keyLines + QList<QByteArray>{token.value()});
}

void TestSecretsInLogs::bindPassword()
{
    g_lines.clear();
    QStringList errors;
    for (const QString& uri : {u"ldap://127.0.0.1:1"_s, u"ldaps://127.0.0.1:1"_s}) {
        LdapConnectionOptions options;
        options.uri = uri;
        options.allowInsecurePlaintext = true;
        options.networkTimeout = std::chrono::milliseconds(2000);
        LdapConnection connection(options);
        const auto bindResult = connection.simpleBind(u"admin@contoso.com"_s, kPassword);
        QVERIFY(!bindResult);
        const auto& failure = bindResult.error();
        errors << failure.toString();
    }
    // Without TLS and without the explicit opt-in, the password is refused before anything is sent.
    LdapConnectionOptions plain;
    plain.uri = u"ldap://127.0.0.1:1"_s;
    plain.startTls = false;
    LdapConnection refused(plain);
    const auto bindResult = refused.simpleBind(u"admin@contoso.com"_s, kPassword);
    QVERIFY(!bindResult);
    const auto& failure = bindResult.error();
    errors << failure.toString();
    verifyNoneHolds(g_lines + errors, {kPassword});
}

QTEST_GUILESS_MAIN(TestSecretsInLogs)
#include "TestSecretsInLogs.moc"
