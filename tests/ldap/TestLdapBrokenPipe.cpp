// SPDX-License-Identifier: Apache-2.0
// A write on a connection the DC has closed must fail, not end the process: libldap writes with plain write(),
// and SIGPIPE's default action kills the process (exit status 141) on the second write after the peer closed.
// LdapConnection::connect() ignores SIGPIPE before its first connection; here the disposition is checked, and a
// write on a socket whose peer closed then fails with EPIPE while the test process lives on.
#include "LdapConnection.h"

#include <QTest>

#include <csignal>
#include <cerrno>

#include <sys/socket.h>
#include <unistd.h>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestLdapBrokenPipe final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void connectIgnoresSigpipe()
    {
        // As a program starts (a parent may hand down SIG_IGN: whoever runs the test must not decide it).
        std::signal(SIGPIPE, SIG_DFL);

        LdapConnectionOptions options;
        options.uri = u"not an address"_s; // refused before any network I/O; the disposition is set anyway
        LdapConnection connection(options);
        QVERIFY(!connection.connect());

        struct sigaction after {};
        QVERIFY(sigaction(SIGPIPE, nullptr, &after) == 0);
        QVERIFY(after.sa_handler == SIG_IGN);

        // What that buys: writing to a peer that has gone fails instead of killing the process.
        int pair[2];
        QVERIFY(socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
        ::close(pair[1]);
        const char byte = 'x';
        errno = 0;
        QCOMPARE(::write(pair[0], &byte, 1), ssize_t(-1));
        QCOMPARE(errno, EPIPE);
        ::close(pair[0]);
    }
};

QTEST_GUILESS_MAIN(TestLdapBrokenPipe)
#include "TestLdapBrokenPipe.moc"
