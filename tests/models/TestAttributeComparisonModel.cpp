// SPDX-License-Identifier: Apache-2.0
// The side-by-side view of one mailbox: per-value highlight spans, visible whitespace, decoded recipient
// types, primary SMTP first, and check boxes only where Sunset may write a drifting attribute.
#include "AttributeComparisonModel.h"
#include "support/DemoScan.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

QList<HighlightSpan> spansOf(const QModelIndex& index)
{
    return index.data(ItemRole::HighlightSpans).value<QList<HighlightSpan>>();
}

QStringList highlighted(const QModelIndex& index, HighlightKind kind)
{
    const QString text = index.data().toString();
    QStringList out;
    for (const HighlightSpan& s : spansOf(index))
        if (s.kind == kind)
            out << text.mid(s.start, s.length);
    return out;
}

} // namespace

class TestAttributeComparisonModel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void modelContracts();
    void layout();
    void removedAliasHighlightedInAdColumn();
    void addedAliasHighlightedInCloudColumn();
    void primarySmtpFirstAndMarked();
    void trailingSpaceMadeVisible();
    void recipientTypeDecoded();
    void checkBoxOnlyOnWritableDrift();
    void identityDifferences();
    void unmatchedMailbox();
    void longListsCutButKeepDifferences();
    void plainTextForClipboard();

private:
    int rowOf(const char* upn) const { return test::rowOfUpn(*m_scan, upn); }
    std::shared_ptr<const DriftScan> m_scan;
};

void TestAttributeComparisonModel::initTestCase()
{
    m_scan = test::loadDemoScan();
    QVERIFY(m_scan);
}

void TestAttributeComparisonModel::modelContracts()
{
    AttributeComparisonModel model;
    WritebackTicks selection;
    model.setWritebackSelection(&selection);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMailbox(m_scan, rowOf("lukasz.dubois@contoso.com"));
    model.setData(model.index(model.rowOf(AttributeId::ProxyAddresses), 0), Qt::Checked, Qt::CheckStateRole);
    model.setMailbox(m_scan, rowOf("chen.novak@contoso.com"));
    model.setMailbox(nullptr, -1);
    QCOMPARE(model.rowCount(), 0);
}

void TestAttributeComparisonModel::layout()
{
    AttributeComparisonModel model;
    model.setMailbox(m_scan, rowOf("jurgen.muller@contoso.com"));
    QCOMPARE(model.rowCount(), AttributeComparisonModel::IdentityRowCount + kAttributeCount);
    QCOMPARE(model.rowCount(), 34);
    QCOMPARE(model.index(0, 0).data().toString(), u"userPrincipalName"_s);
    QCOMPARE(model.index(model.rowOf(AttributeId::ExtensionAttribute1), 0).data().toString(), u"extensionAttribute1"_s);
    QCOMPARE(model.title(), u"Jürgen Müller — matched by Source anchor"_s);
    const QModelIndex ext1 = model.index(model.rowOf(AttributeId::ExtensionAttribute1), 0);
    QVERIFY(ext1.data(Qt::ToolTipRole).toString().contains(u"CustomAttribute1"_s));
    QVERIFY(ext1.data(Qt::ToolTipRole).toString().contains(u"writes it back"_s));
    QCOMPARE(ext1.data(ItemRole::RowTint).toInt(), int(Severity::Normal));
    QCOMPARE(model.index(ext1.row(), AttributeComparisonModel::ExchangeOnline).data().toString(), u"DE-Sales"_s);
    QCOMPARE(model.index(ext1.row(), AttributeComparisonModel::ActiveDirectory).data().toString(), u"DE-Marketing"_s);
    // The demo's provisioning log holds a failed writeback for this mailbox: the cause says it with its evidence.
    QCOMPARE(model.index(ext1.row(), AttributeComparisonModel::LikelyCause).data().toString().section(u'\n', 0, 0),
             u"Cloud Sync failed at 2026-11-24 08:12 UTC: InsufficientRights. Grant its account write access to "
             "OU=Sales,OU=Staff,DC=contoso,DC=com."_s);
    // Agreeing attributes carry no tint and no cause.
    const int ext2 = model.rowOf(AttributeId::ExtensionAttribute2);
    QVERIFY(!model.index(ext2, 0).data(ItemRole::RowTint).isValid());
    QVERIFY(model.index(ext2, AttributeComparisonModel::LikelyCause).data().toString().isEmpty());

    // The demo's second writer: AD's replication metadata (in the demo LDIF) shows a change on DC02 after the
    // writeback the log records.
    model.setMailbox(m_scan, rowOf("asa.novak@contoso.com"));
    const int ext4 = model.rowOf(AttributeId::ExtensionAttribute4);
    QCOMPARE(model.index(ext4, AttributeComparisonModel::LikelyCause).data().toString().section(u'\n', 0, 0),
             u"AD changed it at 2026-11-24 07:00 UTC on dc02.contoso.com (version 3), after Cloud Sync wrote it at "
             "2026-11-24 03:00 UTC: another writer is fighting Cloud Sync."_s);
}

void TestAttributeComparisonModel::removedAliasHighlightedInAdColumn()
{
    AttributeComparisonModel model;
    const int row = rowOf("noah.kowalski@contoso.com");
    QVERIFY(row >= 0);
    model.setMailbox(m_scan, row);
    const DriftItem* item = m_scan->driftItem(m_scan->rows()[size_t(row)], AttributeId::ProxyAddresses);
    QVERIFY(item);
    QCOMPARE(item->onlyInAd.size(), 1);
    const int r = model.rowOf(AttributeId::ProxyAddresses);
    const QModelIndex ad = model.index(r, AttributeComparisonModel::ActiveDirectory);
    const QModelIndex cloud = model.index(r, AttributeComparisonModel::ExchangeOnline);
    QCOMPARE(highlighted(ad, HighlightKind::OnlyThisSide), item->onlyInAd);
    QVERIFY(item->onlyInAd.first().startsWith(u"smtp:old.alias."_s));
    QVERIFY(highlighted(cloud, HighlightKind::OnlyThisSide).isEmpty());
    QCOMPARE(model.index(r, 0).data(ItemRole::RowTint).toInt(), int(Severity::Warning));
}

void TestAttributeComparisonModel::addedAliasHighlightedInCloudColumn()
{
    AttributeComparisonModel model;
    model.setMailbox(m_scan, rowOf("chen.novak@contoso.com"));
    const int r = model.rowOf(AttributeId::ProxyAddresses);
    const QStringList inCloud = highlighted(model.index(r, AttributeComparisonModel::ExchangeOnline),
                                            HighlightKind::OnlyThisSide);
    QCOMPARE(inCloud.size(), 1);
    QVERIFY(inCloud.first().startsWith(u"smtp:new.alias."_s));
    QVERIFY(highlighted(model.index(r, AttributeComparisonModel::ActiveDirectory), HighlightKind::OnlyThisSide).isEmpty());
    QCOMPARE(model.index(r, 0).data(ItemRole::RowTint).toInt(), int(Severity::Critical));
}

void TestAttributeComparisonModel::primarySmtpFirstAndMarked()
{
    AttributeComparisonModel model;
    model.setMailbox(m_scan, rowOf("chen.novak@contoso.com"));
    const int r = model.rowOf(AttributeId::ProxyAddresses);
    for (int column : {int(AttributeComparisonModel::ExchangeOnline), int(AttributeComparisonModel::ActiveDirectory)}) {
        const QModelIndex index = model.index(r, column);
        const QStringList lines = index.data().toString().split(u'\n');
        QVERIFY(lines.size() >= 3);
        QCOMPARE(lines.first(), u"SMTP:chen.novak@contoso.com (primary)"_s);
        QCOMPARE(highlighted(index, HighlightKind::Primary), QStringList{u"(primary)"_s});
        // The rest in case-insensitive order, the same in both columns.
        QStringList rest = lines.mid(1);
        QStringList sorted = rest;
        std::sort(sorted.begin(), sorted.end(), [](const QString& a, const QString& b) {
            return a.compare(b, Qt::CaseInsensitive) < 0;
        });
        QCOMPARE(rest, sorted);
    }
}

void TestAttributeComparisonModel::trailingSpaceMadeVisible()
{
    // The demo plants "Finance " (trailing space) in AD against "Finance" in the cloud.
    int row = -1;
    for (size_t i = 0; i < m_scan->rows().size() && row < 0; ++i) {
        const DriftItem* item = m_scan->driftItem(m_scan->rows()[i], AttributeId::ExtensionAttribute2);
        if (item && !item->ad.isEmpty() && item->ad.first().endsWith(u' '))
            row = int(i);
    }
    QVERIFY(row >= 0);
    AttributeComparisonModel model;
    model.setMailbox(m_scan, row);
    const int r = model.rowOf(AttributeId::ExtensionAttribute2);
    const QModelIndex ad = model.index(r, AttributeComparisonModel::ActiveDirectory);
    QCOMPARE(ad.data().toString(), u"Finance·"_s);
    QCOMPARE(highlighted(ad, HighlightKind::Invisible), QStringList{u"·"_s});
    QCOMPARE(highlighted(ad, HighlightKind::OnlyThisSide), QStringList{u"Finance·"_s});
    QCOMPARE(model.index(r, AttributeComparisonModel::ExchangeOnline).data().toString(), u"Finance"_s);
    // Tabs and leading spaces too.
    const auto cell = AttributeComparisonModel::buildCell({{u"  a\tb"_s, false, false}}, false, false, 10);
    QCOMPARE(cell.text, u"··a→b"_s);
    QCOMPARE(cell.spans.size(), 2);
    QCOMPARE(cell.values, QStringList{u"  a\tb"_s}); // the clipboard gets the real value
}

void TestAttributeComparisonModel::recipientTypeDecoded()
{
    AttributeComparisonModel model;
    model.setMailbox(m_scan, rowOf("chloe.tanaka@contoso.com"));
    const int r = model.rowOf(AttributeId::MsExchRecipientTypeDetails);
    QCOMPARE(model.index(r, AttributeComparisonModel::ActiveDirectory).data().toString(), u"1 (UserMailbox)"_s);
    QCOMPARE(model.index(r, AttributeComparisonModel::ExchangeOnline).data().toString(), u"UserMailbox"_s);
    QVERIFY(model.index(r, AttributeComparisonModel::LikelyCause).data().toString()
                .contains(u"2147483648 (RemoteUserMailbox)"_s));
    // Without drift the remote types read as names as well.
    model.setMailbox(m_scan, rowOf("jurgen.muller@contoso.com"));
    QCOMPARE(model.index(r, AttributeComparisonModel::ActiveDirectory).data().toString(),
             u"2147483648 (RemoteUserMailbox)"_s);
    const QString display = model.index(model.rowOf(AttributeId::MsExchRecipientDisplayType),
                                        AttributeComparisonModel::ActiveDirectory).data().toString();
    QVERIFY2(display.contains(u"SyncedMailboxUser"_s), qPrintable(display));
    const QString remote = model.index(model.rowOf(AttributeId::MsExchRemoteRecipientType),
                                       AttributeComparisonModel::ActiveDirectory).data().toString();
    QVERIFY2(remote.contains(u'(') && remote.contains(u')'), qPrintable(remote));
}

void TestAttributeComparisonModel::checkBoxOnlyOnWritableDrift()
{
    AttributeComparisonModel model;
    WritebackTicks selection;
    model.setWritebackSelection(&selection);
    const int row = rowOf("lukasz.dubois@contoso.com");
    model.setMailbox(m_scan, row);
    for (int r = 0; r < model.rowCount(); ++r) {
        const QModelIndex index = model.index(r, 0);
        const std::optional<AttributeId> attribute = model.attributeAt(r);
        const DriftItem* item = attribute ? m_scan->driftItem(m_scan->rows()[size_t(row)], *attribute) : nullptr;
        const bool expected = item && item->writable;
        QCOMPARE(bool(index.flags() & Qt::ItemIsUserCheckable), expected);
        QCOMPARE(index.data(Qt::CheckStateRole).isValid(), expected);
        for (int c = 1; c < AttributeComparisonModel::ColumnCount; ++c)
            QVERIFY(!(model.index(r, c).flags() & Qt::ItemIsUserCheckable));
    }
    const QModelIndex proxies = model.index(model.rowOf(AttributeId::ProxyAddresses), 0);
    const QModelIndex mail = model.index(model.rowOf(AttributeId::Mail), 0);
    QVERIFY(proxies.flags() & Qt::ItemIsUserCheckable);
    QVERIFY(mail.flags() & Qt::ItemIsUserCheckable);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(model.setData(proxies, Qt::Checked, Qt::CheckStateRole));
    QCOMPARE(proxies.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
    QVERIFY(changed.size() >= 1);
    QCOMPARE(selection.size(), 1);
    const qint32 pair = m_scan->rows()[size_t(row)].pair;
    QVERIFY(selection.contains(pair, AttributeId::ProxyAddresses));
    QVERIFY(!model.setData(model.index(model.rowOf(AttributeId::ExtensionAttribute1), 0), Qt::Checked,
                           Qt::CheckStateRole));
    // Another mailbox and back: the tick belongs to the (pair, attribute), not to the view.
    model.setMailbox(m_scan, rowOf("chen.novak@contoso.com"));
    QCOMPARE(model.index(model.rowOf(AttributeId::ProxyAddresses), 0).data(Qt::CheckStateRole).value<Qt::CheckState>(),
             Qt::Unchecked);
    model.setMailbox(m_scan, row);
    QCOMPARE(proxies.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
    QCOMPARE(selection.entries(), (std::vector<WritebackTicks::Entry>{{pair, AttributeId::ProxyAddresses}}));

    // Drift Sunset may not write (targetAddress, not written back by Cloud Sync and not writable): no check box.
    model.setMailbox(m_scan, rowOf("noah.martin@contoso.com"));
    const QModelIndex target = model.index(model.rowOf(AttributeId::TargetAddress), 0);
    QVERIFY(target.data(ItemRole::RowTint).isValid());
    QVERIFY(!(target.flags() & Qt::ItemIsUserCheckable));
}

void TestAttributeComparisonModel::identityDifferences()
{
    AttributeComparisonModel model;
    model.setMailbox(m_scan, rowOf("lukasz.dubois@contoso.com")); // a new primary SMTP in the cloud
    const int r = AttributeComparisonModel::PrimarySmtpRow;
    QCOMPARE(highlighted(model.index(r, AttributeComparisonModel::ExchangeOnline), HighlightKind::OnlyThisSide).size(), 1);
    QCOMPARE(highlighted(model.index(r, AttributeComparisonModel::ActiveDirectory), HighlightKind::OnlyThisSide),
             QStringList{u"lukasz.dubois@contoso.com"_s});
    QVERIFY(!model.index(AttributeComparisonModel::SourceAnchorRow, AttributeComparisonModel::ExchangeOnline)
                 .data().toString().isEmpty());
    QCOMPARE(model.index(AttributeComparisonModel::SourceAnchorRow, AttributeComparisonModel::ExchangeOnline).data(),
             model.index(AttributeComparisonModel::SourceAnchorRow, AttributeComparisonModel::ActiveDirectory).data());
    QCOMPARE(model.index(AttributeComparisonModel::MatchedByRow, AttributeComparisonModel::ExchangeOnline).data().toString(),
             u"Source anchor"_s);
}

void TestAttributeComparisonModel::unmatchedMailbox()
{
    AttributeComparisonModel model;
    WritebackTicks selection;
    model.setWritebackSelection(&selection);
    const auto& rows = m_scan->rows();
    const auto it = std::find_if(rows.begin(), rows.end(), [](const ScanRow& r) { return r.status == MailboxStatus::OnlyInCloud; });
    QVERIFY(it != rows.end());
    model.setMailbox(m_scan, int(it - rows.begin()));
    QVERIFY(model.title().contains(u"only in Exchange Online"_s));
    for (int r = 0; r < model.rowCount(); ++r) {
        QVERIFY(model.index(r, AttributeComparisonModel::ActiveDirectory).data().toString().isEmpty());
        QVERIFY(!(model.index(r, 0).flags() & Qt::ItemIsUserCheckable));
    }
    QVERIFY(!model.index(AttributeComparisonModel::MatchedByRow, AttributeComparisonModel::LikelyCause).data().toString().isEmpty());
}

void TestAttributeComparisonModel::longListsCutButKeepDifferences()
{
    std::vector<AttributeComparisonModel::ShownValue> values;
    for (int i = 0; i < 1600; ++i)
        values.push_back({u"smtp:info%1@contoso.com"_s.arg(i, 4, 10, QChar(u'0')), i == 1599, false});
    values.push_back({u"SMTP:info@contoso.com"_s, false, true});
    const auto cell = AttributeComparisonModel::buildCell(values, true, false, AttributeComparisonModel::kMaxValuesShown);
    const QStringList lines = cell.text.split(u'\n');
    QCOMPARE(lines.size(), AttributeComparisonModel::kMaxValuesShown + 1);
    QCOMPARE(lines.first(), u"SMTP:info@contoso.com (primary)"_s);
    QVERIFY(lines.contains(u"smtp:info1599@contoso.com"_s));
    QVERIFY(lines.last().contains(u"more"_s));
    QCOMPARE(cell.values.size(), 1601);
}

void TestAttributeComparisonModel::plainTextForClipboard()
{
    AttributeComparisonModel model;
    model.setMailbox(m_scan, rowOf("jurgen.muller@contoso.com"));
    const QString text = model.toPlainText();
    QVERIFY(text.startsWith(model.title()));
    QVERIFY(text.contains(u"* extensionAttribute1\tDE-Sales\tDE-Marketing\t"_s));
    QCOMPARE(text.count(u'\n'), 2 + model.rowCount());
}

QTEST_GUILESS_MAIN(TestAttributeComparisonModel)
#include "TestAttributeComparisonModel.moc"
