// SPDX-License-Identifier: Apache-2.0
// A live read is bounded too: an entry bringing more values than LdapSearchRequest::maxValuesPerEntry (ranged
// follow-ups included, so a range that never ends cannot run on) fails the search with SizeLimitExceeded
// naming the entry. Shown on the test domain's mailbox with 1,600 proxyAddresses and a lowered bound; the
// default bound reads it whole.
#include "LdapConnection.h"
#include "support/samba/SambaTestDomain.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestLimitsLive final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void defaultBoundReadsTheBigMailbox();
    void lowerBoundStopsTheRangedRead();

private:
    LdapResult<void> read(qint64 maxValues, qint64* values);

    SambaTestDomain m_domain;
};

void TestLimitsLive::initTestCase()
{
    m_domain = SambaTestDomain::load();
    QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
}

LdapResult<void> TestLimitsLive::read(qint64 maxValues, qint64* values)
{
    LdapConnectionOptions options;
    options.uri = m_domain.ldapsUri();
    options.caFile = m_domain.caFile();
    LdapConnection connection(options);
    if (auto bound = connection.simpleBind(m_domain.bindUpn(), m_domain.password()); !bound)
        return bound;
    LdapSearchRequest search;
    search.baseDn = m_domain.baseDn();
    search.filter = "(sAMAccountName=big.aliases)";
    search.attributes = {"proxyAddresses"};
    search.rangeStep = 400; // several follow-up reads, as a server cutting at 400 would need
    search.maxValuesPerEntry = maxValues;
    *values = 0;
    return connection.search(search, [&](const LdifEntry& entry) -> LdapResult<void> {
        *values += qint64(entry.attributes.size());
        return {};
    });
}

void TestLimitsLive::defaultBoundReadsTheBigMailbox()
{
    qint64 values = 0;
    const auto readResult = read(LdapSearchRequest{}.maxValuesPerEntry, &values);
    QVERIFY2(readResult, readResult ? "" : qPrintable(readResult.error().toString()));
    QCOMPARE(values, qint64(1600));
}

void TestLimitsLive::lowerBoundStopsTheRangedRead()
{
    qint64 values = 0;
    const auto readResult = read(1000, &values);
    QVERIFY(!readResult);
    const auto& failure = readResult.error();
    QCOMPARE(failure.code, LdapErrorCode::SizeLimitExceeded);
    QVERIFY2(failure.message.contains(u"more than 1000 values"_s), qPrintable(failure.message));
    QVERIFY2(failure.message.contains(u"Big Aliases"_s), qPrintable(failure.message));
    QCOMPARE(values, qint64(0)); // nothing of the entry was handed over
}

QTEST_GUILESS_MAIN(TestLimitsLive)
#include "TestLimitsLive.moc"
