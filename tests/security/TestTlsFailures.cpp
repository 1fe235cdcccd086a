// SPDX-License-Identifier: Apache-2.0
// TLS to the directory fails closed: a server certificate from an unknown CA, naming another host, or expired
// gives a TlsFailure that names the server and says what to do, and leaves no connection. The peer is an
// `openssl s_server` on a spare loopback port (the handshake fails before any LDAP is spoken), with throwaway
// certificates from make-tls-certs.sh. The control (a good certificate connects) proves the failures come from
// the certificate and not from the set-up; requireValidCertificate = false is the only way around, and it
// says so loudly in the log.
#include "LdapConnection.h"

#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

QStringList g_messages;
void captureMessage(QtMsgType, const QMessageLogContext&, const QString& message)
{
    g_messages << message;
}

} // namespace

class TestTlsFailures final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void goodCertificateConnects();
    void badCertificateRefused_data();
    void badCertificateRefused();
    void verificationOffIsTheOnlyWayAroundAndIsLogged();

private:
    // Starts s_server with certificate <name>.pem; the port it listens on, or 0 (the test then fails).
    quint16 serve(const QString& name);
    LdapConnectionOptions options(const QString& host, quint16 port) const;

    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_server;
};

void TestTlsFailures::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QProcess make;
    make.start(QStringLiteral(SUNSET_SOURCE_DIR "/tests/security/make-tls-certs.sh"), {m_dir.path()});
    QVERIFY(make.waitForFinished(60'000));
    QVERIFY2(make.exitStatus() == QProcess::NormalExit && make.exitCode() == 0, make.readAllStandardError().constData());
}

void TestTlsFailures::cleanup()
{
    if (m_server) {
        m_server->kill();
        m_server->waitForFinished(5000);
        m_server.reset();
    }
}

quint16 TestTlsFailures::serve(const QString& name)
{
    for (int attempt = 0; attempt < 5; ++attempt) {
        quint16 port = 0;
        {
            QTcpServer probe; // a port free a moment ago; s_server failing to bind is retried
            if (!probe.listen(QHostAddress::LocalHost, 0))
                return 0;
            port = probe.serverPort();
        }
        m_server = std::make_unique<QProcess>();
        m_server->setProcessChannelMode(QProcess::MergedChannels);
        m_server->start(u"openssl"_s, {u"s_server"_s, u"-accept"_s, u"127.0.0.1:%1"_s.arg(port), u"-cert"_s,
                                       m_dir.filePath(name + u".pem"_s), u"-key"_s, m_dir.filePath(name + u".key"_s),
                                       u"-naccept"_s, u"10"_s});
        if (!m_server->waitForStarted(10'000))
            return 0;
        QByteArray output;
        while (!output.contains("ACCEPT") && m_server->state() == QProcess::Running)
            if (m_server->waitForReadyRead(10'000))
                output += m_server->readAll();
            else
                break;
        if (output.contains("ACCEPT"))
            return port;
        m_server->kill();
        m_server->waitForFinished(5000);
        qWarning() << "s_server did not start on" << port << output;
    }
    return 0;
}

LdapConnectionOptions TestTlsFailures::options(const QString& host, quint16 port) const
{
    LdapConnectionOptions o;
    o.uri = u"ldaps://%1:%2"_s.arg(host).arg(port);
    o.caFile = m_dir.filePath(u"ca.pem"_s);
    o.networkTimeout = std::chrono::milliseconds(10'000);
    o.operationTimeout = std::chrono::milliseconds(10'000);
    return o;
}

void TestTlsFailures::goodCertificateConnects()
{
    const quint16 port = serve(u"good"_s);
    QVERIFY(port != 0);
    LdapConnection connection(options(u"127.0.0.1"_s, port));
    const auto connected = connection.connect();
    QVERIFY2(connected, connected ? "" : qPrintable(connected.error().toString()));
    QVERIFY(connection.isConnected());
    QVERIFY(connection.isEncrypted());
}

void TestTlsFailures::badCertificateRefused_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("host");
    QTest::newRow("unknown CA") << u"unknownca"_s << u"127.0.0.1"_s;
    QTest::newRow("wrong host name") << u"wronghost"_s << u"127.0.0.1"_s;
    QTest::newRow("wrong host name, by name") << u"wronghost"_s << u"localhost"_s;
    QTest::newRow("expired") << u"expired"_s << u"127.0.0.1"_s;
}

void TestTlsFailures::badCertificateRefused()
{
    QFETCH(QString, certificate);
    QFETCH(QString, host);
    const quint16 port = serve(certificate);
    QVERIFY(port != 0);
    LdapConnection connection(options(host, port));
    const auto connected = connection.connect();
    QVERIFY2(!connected, "a certificate that does not verify was accepted");
    const LdapError& failure = connected.error();
    QCOMPARE(failure.code, LdapErrorCode::TlsFailure);
    const QString hostPort = u"%1:%2"_s.arg(host).arg(port);
    // Clear: names the server, the trust it checked against, and the fix; never suggests turning it off.
    QVERIFY2(failure.message.contains(hostPort), qPrintable(failure.message));
    QVERIFY2(failure.message.contains(u"did not verify"_s), qPrintable(failure.message));
    QVERIFY2(failure.message.contains(m_dir.filePath(u"ca.pem"_s)), qPrintable(failure.message));
    QVERIFY2(failure.message.contains(u"never falls back"_s), qPrintable(failure.message));
    // No connection: nothing to bind on, and a bind does not open one behind the caller's back.
    QVERIFY(!connection.isConnected());
    QVERIFY(!connection.isEncrypted());
    const auto bindResult = connection.simpleBind(u"admin@contoso.com"_s, "secret-password");
    QVERIFY(!bindResult);
    const auto& bind = bindResult.error();
    QCOMPARE(bind.code, LdapErrorCode::TlsFailure);
    QVERIFY(!connection.isConnected());
}

void TestTlsFailures::verificationOffIsTheOnlyWayAroundAndIsLogged()
{
    const quint16 port = serve(u"expired"_s);
    QVERIFY(port != 0);
    LdapConnectionOptions o = options(u"127.0.0.1"_s, port);
    o.requireValidCertificate = false;
    g_messages.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureMessage);
    LdapConnection connection(o);
    const auto connected = connection.connect();
    qInstallMessageHandler(previous);
    QVERIFY2(connected, connected ? "" : qPrintable(connected.error().toString()));
    QVERIFY(connection.isEncrypted());
    const QString all = g_messages.join(u'\n');
    QVERIFY2(all.contains(u"TLS CERTIFICATE VERIFICATION IS OFF for 127.0.0.1:%1"_s.arg(port)), qPrintable(all));
}

QTEST_GUILESS_MAIN(TestTlsFailures)
#include "TestTlsFailures.moc"
