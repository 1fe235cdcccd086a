// SPDX-License-Identifier: Apache-2.0
// Huge or endless input from a file is bounded, with a clear error naming where: an LDIF line longer than
// LdifReader::kMaxLineBytes (plain or folded), an entry with more than kMaxValuesPerEntry values. A big but real
// entry (2,000 proxyAddresses, above AD's 1,500 per range) still reads.
#include "AdSnapshotReader.h"
#include "LdifReader.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestLimits final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hugeLineRefused_data();
    void hugeLineRefused();
    void tooManyValuesRefused();
    void bigRealEntryReads();
};

namespace {

QByteArray mailboxHeader()
{
    return "version: 1\n\ndn: CN=Ann,DC=contoso,DC=com\nobjectClass: user\nhomeMDB: CN=DB01\n"
           "userPrincipalName: ann@contoso.com\nmail: ann@contoso.com\n";
}

Result<void> readAll(const QByteArray& ldif)
{
    LdifReader reader(ldif, u"huge.ldif"_s);
    return reader.read([](const LdifEntry&) -> Result<void> { return {}; });
}

} // namespace

void TestLimits::hugeLineRefused_data()
{
    QTest::addColumn<bool>("folded");
    QTest::newRow("one physical line") << false;
    QTest::newRow("folded") << true;
}

void TestLimits::hugeLineRefused()
{
    QFETCH(bool, folded);
    QByteArray ldif = mailboxHeader() + "extensionAttribute1: ";
    const qsizetype total = LdifReader::kMaxLineBytes + 1024;
    if (folded) {
        const QByteArray chunk = QByteArray(75, 'x') + "\n ";
        ldif.reserve(ldif.size() + total + total / 75 * 2);
        while (ldif.size() < total + total / 75 * 2)
            ldif += chunk;
    } else {
        ldif += QByteArray(total, 'x');
    }
    ldif += "\n\n";
    const auto readResult = readAll(ldif);
    QVERIFY(!readResult);
    const auto& failure = readResult.error();
    QCOMPARE(failure.file, u"huge.ldif"_s);
    QCOMPARE(failure.line, qint64(8)); // the extensionAttribute1 line
    QVERIFY2(failure.message.contains(u"longer than 16 MiB"_s), qPrintable(failure.toString()));
    // The AD snapshot reader on top of it stops the same way.
    const Result<Snapshot> snapshot = readAdSnapshotFromLdif(ldif, u"huge.ldif"_s);
    QVERIFY(!snapshot);
    QVERIFY2(snapshot.error().message.contains(u"longer than"_s), qPrintable(snapshot.error().toString()));
}

void TestLimits::tooManyValuesRefused()
{
    QByteArray ldif = mailboxHeader();
    for (qsizetype i = 0; i <= LdifReader::kMaxValuesPerEntry; ++i)
        ldif += "proxyAddresses: smtp:a" + QByteArray::number(i) + "@contoso.com\n";
    ldif += "\n";
    const auto readResult = readAll(ldif);
    QVERIFY(!readResult);
    const auto& failure = readResult.error();
    QVERIFY2(failure.message.contains(u"more than 50000 values"_s), qPrintable(failure.toString()));
    QVERIFY2(failure.message.contains(u"CN=Ann,DC=contoso,DC=com"_s), qPrintable(failure.toString()));
    QVERIFY(failure.line > LdifReader::kMaxValuesPerEntry);
}

void TestLimits::bigRealEntryReads()
{
    QByteArray ldif = mailboxHeader() + "proxyAddresses: SMTP:ann@contoso.com\n";
    for (int i = 0; i < 2000; ++i)
        ldif += "proxyAddresses: smtp:a" + QByteArray::number(i) + "@contoso.com\n";
    ldif += "\n";
    const Result<Snapshot> snapshot = readAdSnapshotFromLdif(ldif, u"big.ldif"_s);
    QVERIFY2(snapshot, snapshot ? "" : qPrintable(snapshot.error().toString()));
    QCOMPARE(snapshot->records.size(), size_t(1));
}

QTEST_GUILESS_MAIN(TestLimits)
#include "TestLimits.moc"
