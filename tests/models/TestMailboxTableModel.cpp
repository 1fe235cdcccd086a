// SPDX-License-Identifier: Apache-2.0
// The mailbox list over the demo tenant: model contracts, sort keys, search, quick and attribute filters.
#include "support/DemoScan.h"
#include "MailboxFilterProxyModel.h"
#include "MailboxTableModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestMailboxTableModel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void modelContracts();
    void rowCountCoversEveryMailbox();
    void displayAndSortRoles();
    void sortByDriftPutsDriftFirst();
    void searchFindsNameCaseInsensitively();
    void searchFindsSecondaryProxyAddress();
    void criticalQuickFilter();
    void otherQuickFilters();
    void attributeFilter();
    void causeFilter();
    void filtersCombine();
    void searchAgreesWithPlainScan();
    void sortKeepsSelectionAndTieOrder();

private:
    std::shared_ptr<const DriftScan> m_scan;
};

void TestMailboxTableModel::initTestCase()
{
    m_scan = test::loadDemoScan();
    QVERIFY(m_scan);
}

void TestMailboxTableModel::modelContracts()
{
    MailboxTableModel model;
    MailboxFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setScan(m_scan);
    proxy.sort(MailboxTableModel::Severity, Qt::DescendingOrder);
    proxy.setSearchText(u"noah"_s);
    proxy.setQuickFilter(MailboxFilterProxyModel::QuickFilter::DriftOnly);
    proxy.setAttributeFilter(AttributeId::ProxyAddresses);
    proxy.setSearchText({});
    proxy.setQuickFilter(MailboxFilterProxyModel::QuickFilter::All);
    proxy.setAttributeFilter(std::nullopt);
    model.setScan(nullptr);
    QCOMPARE(proxy.rowCount(), 0);
    model.setScan(m_scan);
}

void TestMailboxTableModel::rowCountCoversEveryMailbox()
{
    MailboxTableModel model;
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.setScan(m_scan);
    QCOMPARE(resets.size(), 1);
    const MatchResult& m = m_scan->report.match;
    qsizetype ambiguousMembers = 0;
    for (const AmbiguousGroup& g : m.ambiguous)
        ambiguousMembers += qsizetype(g.ad.size() + g.cloud.size());
    QCOMPARE(ambiguousMembers, 3);
    QCOMPARE(model.rowCount(), qsizetype(m.pairs.size() + m.unmatchedAd.size() + m.unmatchedCloud.size()) + ambiguousMembers);
    QCOMPARE(model.columnCount(), int(MailboxTableModel::ColumnCount));
}

void TestMailboxTableModel::displayAndSortRoles()
{
    MailboxTableModel model;
    model.setScan(m_scan);
    const int row = test::rowOfUpn(*m_scan, "lukasz.dubois@contoso.com");
    QVERIFY(row >= 0);
    auto cell = [&](int column, int role = Qt::DisplayRole) { return model.index(row, column).data(role); };
    QCOMPARE(cell(MailboxTableModel::DisplayName).toString(), u"Łukasz Dubois"_s);
    QCOMPARE(cell(MailboxTableModel::MatchedBy).toString(), u"Source anchor"_s);
    QCOMPARE(cell(MailboxTableModel::Drift).toInt(), 2);
    QCOMPARE(cell(MailboxTableModel::Severity).toString(), u"Critical"_s);
    QCOMPARE(cell(MailboxTableModel::CloudManaged).toString(), u"Yes"_s);
    QVERIFY(cell(MailboxTableModel::DistinguishedName).toString().startsWith(u"CN=Dubois\\, Łukasz"_s));
    QCOMPARE(cell(MailboxTableModel::Severity, ItemRole::Severity).toInt(), int(Severity::Critical));
    QCOMPARE(cell(MailboxTableModel::Drift, ItemRole::Sort).toLongLong(), 2);
    QCOMPARE(cell(MailboxTableModel::DisplayName, ItemRole::ScanRowIndex).toInt(), row);
    // The sort role is a number for every column, text columns included (a rank).
    for (int c = 0; c < MailboxTableModel::ColumnCount; ++c)
        QCOMPARE(cell(c, ItemRole::Sort).typeId(), QMetaType::LongLong);

    // Unpaired rows say so.
    bool sawAdOnly = false, sawCloudOnly = false, sawAmbiguous = false;
    for (int r = 0; r < model.rowCount(); ++r) {
        const QString by = model.index(r, MailboxTableModel::MatchedBy).data().toString();
        sawAdOnly |= by == u"Only in AD"_s;
        sawCloudOnly |= by == u"Only in Exchange Online"_s;
        sawAmbiguous |= by == u"Ambiguous"_s;
    }
    QVERIFY(sawAdOnly && sawCloudOnly && sawAmbiguous);
}

void TestMailboxTableModel::sortByDriftPutsDriftFirst()
{
    MailboxTableModel model;
    model.setScan(m_scan);
    MailboxFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.sort(MailboxTableModel::Drift, Qt::DescendingOrder);
    const int withDrift = int(m_scan->summary.mailboxesWithDrift);
    QCOMPARE(withDrift, 14);
    int previous = std::numeric_limits<int>::max();
    for (int r = 0; r < proxy.rowCount(); ++r) {
        const ScanRow& row = model.scanRow(proxy.mapToSource(proxy.index(r, 0)).row());
        QVERIFY2(row.driftCount <= previous, qPrintable(u"row %1"_s.arg(r)));
        previous = row.driftCount;
        QCOMPARE(row.driftCount > 0, r < withDrift);
    }
    // Ties are broken by name, ascending even in a descending sort.
    const QString a = proxy.index(withDrift, MailboxTableModel::DisplayName).data().toString();
    const QString b = proxy.index(withDrift + 1, MailboxTableModel::DisplayName).data().toString();
    QVERIFY2(a.toLower() <= b.toLower(), qPrintable(a + u" / "_s + b));
}

void TestMailboxTableModel::searchFindsNameCaseInsensitively()
{
    MailboxTableModel model;
    model.setScan(m_scan);
    MailboxFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    for (const QString& needle : {u"müller"_s, u"MÜLLER"_s, u"  Müller "_s}) {
        proxy.setSearchText(needle);
        QVERIFY2(proxy.rowCount() >= 1, qPrintable(needle));
        bool found = false;
        for (int r = 0; r < proxy.rowCount(); ++r)
            found |= proxy.index(r, MailboxTableModel::DisplayName).data().toString() == u"Jürgen Müller"_s;
        QVERIFY2(found, qPrintable(needle));
        for (int r = 0; r < proxy.rowCount(); ++r) {
            const QString text = proxy.index(r, MailboxTableModel::DisplayName).data().toString() +
                                 proxy.index(r, MailboxTableModel::DistinguishedName).data().toString();
            QVERIFY(text.contains(u"müller"_s, Qt::CaseInsensitive));
        }
    }
    proxy.setSearchText(u"no such mailbox anywhere"_s);
    QCOMPARE(proxy.rowCount(), 0);
    proxy.setSearchText({});
    QCOMPARE(proxy.rowCount(), model.rowCount());
}

void TestMailboxTableModel::searchFindsSecondaryProxyAddress()
{
    MailboxTableModel model;
    model.setScan(m_scan);
    MailboxFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    const int row = test::rowOfUpn(*m_scan, "chen.novak@contoso.com");
    QVERIFY(row >= 0);
    // A secondary address that is neither the UPN nor in the name: found only through proxyAddresses.
    QString secondary;
    const ValueList addresses = m_scan->cloudRecord(m_scan->rows()[size_t(row)])->cloudValues(CloudProperty::EmailAddresses);
    for (QByteArrayView v : addresses)
        if (v.startsWith("smtp:") && !v.contains("chen.novak") && !v.contains("onmicrosoft"))
            secondary = QString::fromUtf8(v.sliced(5));
    QVERIFY2(!secondary.isEmpty(), "the demo gives chen.novak a secondary alias");
    proxy.setSearchText(secondary.toUpper());
    QVERIFY(proxy.rowCount() >= 1);
    bool found = false;
    for (int r = 0; r < proxy.rowCount(); ++r)
        found |= proxy.mapToSource(proxy.index(r, 0)).row() == row;
    QVERIFY(found);

    // The alias added in the cloud only (new.alias.N) is found too.
    proxy.setSearchText(u"new.alias."_s);
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.mapToSource(proxy.index(0, 0)).row(), row);
}

void TestMailboxTableModel::criticalQuickFilter()
{
    MailboxTableModel model;
    model.setScan(m_scan);
    MailboxFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setQuickFilter(MailboxFilterProxyModel::QuickFilter::Critical);
    QCOMPARE(proxy.rowCount(), 5);
    QCOMPARE(qint64(proxy.rowCount()), m_scan->summary.mailboxesByWorstSeverity[size_t(Severity::Critical)]);
    QSet<QString> upns;
    for (int r = 0; r < proxy.rowCount(); ++r) {
        QCOMPARE(proxy.index(r, MailboxTableModel::Severity).data().toString(), u"Critical"_s);
        upns << proxy.index(r, MailboxTableModel::UserPrincipalName).data().toString();
    }
    const QSet<QString> expected{u"chen.novak@contoso.com"_s, u"lukasz.dubois@contoso.com"_s,
                                 u"chloe.tanaka@contoso.com"_s, u"noah.ferreira@contoso.com"_s,
                                 u"noah.martin@contoso.com"_s};
    QCOMPARE(upns, expected);
}

void TestMailboxTableModel::otherQuickFilters()
{
    MailboxTableModel model;
    model.setScan(m_scan);
    MailboxFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    using QF = MailboxFilterProxyModel::QuickFilter;
    proxy.setQuickFilter(QF::DriftOnly);
    QCOMPARE(proxy.rowCount(), 14);
    proxy.setQuickFilter(QF::OnlyInAd);
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setQuickFilter(QF::OnlyInCloud);
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setQuickFilter(QF::Ambiguous);
    QCOMPARE(proxy.rowCount(), 3);
    proxy.setQuickFilter(QF::NotCloudManaged);
    QVERIFY(proxy.rowCount() >= 1);
    for (int r = 0; r < proxy.rowCount(); ++r)
        QCOMPARE(proxy.index(r, MailboxTableModel::CloudManaged).data().toString(), u"No"_s);
    proxy.setQuickFilter(QF::All);
    QCOMPARE(proxy.rowCount(), model.rowCount());
}

void TestMailboxTableModel::causeFilter()
{
    MailboxTableModel model;
    model.setScan(m_scan);
    MailboxFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    // The demo plants one failed writeback (Müller, Jürgen), three pending items on three mailboxes and one
    // attribute changed in AD after its writeback (Novak, Åsa).
    proxy.setCauseFilter(DriftCause::WritebackFailed);
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setCauseFilter(DriftCause::WritebackPending);
    QCOMPARE(proxy.rowCount(), 3);
    proxy.setCauseFilter(DriftCause::ChangedInAdAfterWriteback);
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setAttributeFilter(AttributeId::Mail); // filters combine: the pending mailbox whose mail is not mapped
    proxy.setCauseFilter(DriftCause::NotMapped);
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setAttributeFilter(std::nullopt);
    proxy.setCauseFilter(std::nullopt);
    QCOMPARE(proxy.rowCount(), model.rowCount());
}

void TestMailboxTableModel::attributeFilter()
{
    MailboxTableModel model;
    model.setScan(m_scan);
    MailboxFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setAttributeFilter(AttributeId::ProxyAddresses);
    QCOMPARE(proxy.rowCount(), 3);
    proxy.setAttributeFilter(AttributeId::MsExchRecipientTypeDetails);
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setAttributeFilter(AttributeId::ExtensionAttribute15);
    QCOMPARE(proxy.rowCount(), 0);
    proxy.setAttributeFilter(std::nullopt);
    QCOMPARE(proxy.rowCount(), model.rowCount());
}

void TestMailboxTableModel::filtersCombine()
{
    MailboxTableModel model;
    model.setScan(m_scan);
    MailboxFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setQuickFilter(MailboxFilterProxyModel::QuickFilter::Critical);
    proxy.setAttributeFilter(AttributeId::ProxyAddresses);
    QCOMPARE(proxy.rowCount(), 2); // Novak (alias added in the cloud) and Dubois (new primary)
    proxy.setSearchText(u"dubois"_s);
    QCOMPARE(proxy.rowCount(), 1);
}

void TestMailboxTableModel::searchAgreesWithPlainScan()
{
    // Whatever path the proxy takes (whole text or row by row, narrowing or not), the rows it keeps are exactly
    // those whose search text contains the needle.
    MailboxTableModel model;
    model.setScan(m_scan);
    MailboxFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.sort(MailboxTableModel::Drift, Qt::DescendingOrder);
    QStringList needles{u"m"_s, u"mü"_s, u"müller"_s, u"ller"_s, u"o"_s, u"on"_s, u"contoso.com"_s,
                        u"smtp:"_s, u"x500"_s, u"M"_s, u"zz-none"_s, u"ou=staff"_s,
                        u"a"_s, u"an"_s, u"ann"_s, u"anna"_s};
    // The end of one row's text and the start of the next lie side by side in memory: not a hit.
    const QByteArrayView first = m_scan->searchText(m_scan->rows()[0]);
    const QByteArrayView second = m_scan->searchText(m_scan->rows()[1]);
    needles << QString::fromUtf8(first.last(4).toByteArray() + second.first(4).toByteArray());
    for (const QString& needle : needles) {
        proxy.setSearchText(needle);
        const QByteArray n = needle.trimmed().toLower().toUtf8();
        QSet<int> expected;
        for (size_t i = 0; i < m_scan->rows().size(); ++i)
            if (m_scan->searchText(m_scan->rows()[i]).contains(n))
                expected.insert(int(i));
        QSet<int> actual;
        for (int r = 0; r < proxy.rowCount(); ++r)
            actual.insert(proxy.mapToSource(proxy.index(r, 0)).row());
        QCOMPARE(actual.size(), proxy.rowCount()); // no row twice
        QVERIFY2(actual == expected, qPrintable(needle));
    }
}

void TestMailboxTableModel::sortKeepsSelectionAndTieOrder()
{
    MailboxTableModel model;
    model.setScan(m_scan);
    MailboxFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(MailboxTableModel::DisplayName, Qt::AscendingOrder);
    const QPersistentModelIndex kept = proxy.index(17, MailboxTableModel::UserPrincipalName);
    const QString upn = kept.data().toString();
    proxy.sort(MailboxTableModel::Drift, Qt::DescendingOrder);
    QVERIFY(kept.isValid());
    QCOMPARE(kept.data().toString(), upn);
    QCOMPARE(kept.column(), int(MailboxTableModel::UserPrincipalName));
    // Equal drift counts: names ascending even in a descending sort.
    for (int r = 1; r < proxy.rowCount(); ++r) {
        const int a = proxy.mapToSource(proxy.index(r - 1, 0)).row();
        const int b = proxy.mapToSource(proxy.index(r, 0)).row();
        const ScanRow& ra = model.scanRow(a);
        const ScanRow& rb = model.scanRow(b);
        QVERIFY(ra.driftCount >= rb.driftCount);
        if (ra.driftCount == rb.driftCount)
            QVERIFY(model.nameRank(a) < model.nameRank(b) || (model.nameRank(a) == model.nameRank(b) && a < b));
    }
}

QTEST_GUILESS_MAIN(TestMailboxTableModel)
#include "TestMailboxTableModel.moc"
