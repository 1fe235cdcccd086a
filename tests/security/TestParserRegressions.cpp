// SPDX-License-Identifier: Apache-2.0
// Inputs the fuzzers (tests/fuzz) and the security pass found mishandled, kept as regression tests in the
// normal suite.
#include "LdifReader.h"
#include "TokenProvider.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestParserRegressions final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void tokenLifetimeOutOfRange_data();
    void tokenLifetimeOutOfRange();
    void ldifEndingWithoutBlankLine_data();
    void ldifEndingWithoutBlankLine();
};

void TestParserRegressions::tokenLifetimeOutOfRange_data()
{
    QTest::addColumn<QByteArray>("expiresIn");
    QTest::addColumn<qint64>("seconds"); // 0: refused
    QTest::newRow("normal") << QByteArray("3599") << qint64(3599);
    // qint64(1e300) was undefined behaviour (UBSan: float-cast-overflow), and 1e18 s overflowed the renewal time.
    QTest::newRow("1e300") << QByteArray("1e300") << qint64(86400);
    QTest::newRow("1e18") << QByteArray("1e18") << qint64(86400);
    QTest::newRow("negative huge") << QByteArray("-1e300") << qint64(0);
    QTest::newRow("fraction") << QByteArray("0.5") << qint64(0);
    QTest::newRow("string") << QByteArray("\"3599\"") << qint64(0);
}

void TestParserRegressions::tokenLifetimeOutOfRange()
{
    QFETCH(QByteArray, expiresIn);
    QFETCH(qint64, seconds);
    const QByteArray body = R"({"token_type":"Bearer","access_token":"abc","expires_in":)" + expiresIn + "}";
    const Result<TokenAnswer> answer = parseTokenAnswer(200, "application/json", body, u"POST token"_s);
    if (seconds == 0) {
        QVERIFY(!answer);
        QVERIFY2(answer.error().message.contains(u"expires_in"_s), qPrintable(answer.error().toString()));
    } else {
        QVERIFY2(answer, answer ? "" : qPrintable(answer.error().toString()));
        QCOMPARE(answer->expiresInSeconds, seconds);
    }
}

void TestParserRegressions::ldifEndingWithoutBlankLine_data()
{
    QTest::addColumn<QByteArray>("ldif");
    // FuzzLdif: at the end of the input inside an entry, LdifReader did pointer arithmetic on a null pointer
    // (clang UBSan: "applying non-zero offset 1 to null pointer"). gcc's UBSan in build-asan does not flag that
    // check, so the input is also a FuzzLdif seed (corpus/FuzzLdif/regression-null-offset-at-end.ldif), which
    // the clang fuzz smoke run replays in every make check.
    QTest::newRow("newline, no blank line") << QByteArray("dn: CN=a,DC=x\nobjectClass: user\n");
    QTest::newRow("no final newline") << QByteArray("dn: CN=a,DC=x\nobjectClass: user");
    QTest::newRow("folded last line") << QByteArray("dn: CN=a,DC=x\ndescription: fold\n ed\n");
}

void TestParserRegressions::ldifEndingWithoutBlankLine()
{
    QFETCH(QByteArray, ldif);
    LdifReader reader(ldif, u"end.ldif"_s);
    int entries = 0;
    const auto readResult = reader.read([&](const LdifEntry& entry) -> Result<void> {
        ++entries;
        if (entry.dn != QByteArrayView("CN=a,DC=x"))
            return ImportError{u"end.ldif"_s, 0, {}, u"wrong dn"_s};
        return {};
    });
    QVERIFY2(readResult, readResult ? "" : qPrintable(readResult.error().toString()));
    QCOMPARE(entries, 1);
}

QTEST_GUILESS_MAIN(TestParserRegressions)
#include "TestParserRegressions.moc"
