// SPDX-License-Identifier: Apache-2.0
// WritebackBatch: what a batch sends per object, what it refuses (not writable, not cloud-managed, primary
// address lost, nothing to write, twice selected) and when it asks for a second confirmation.
#include "WritebackBatch.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

WritebackSelection selection(const QString& dn, AttributeId attribute, QStringList ad, QStringList target,
                             const QString& cloudManaged = u"true"_s)
{
    WritebackSelection s;
    s.dn = dn;
    s.label = dn.section(u',', 0, 0).mid(3);
    s.cloudManaged = cloudManaged;
    s.item.attribute = attribute;
    s.item.ad = std::move(ad);
    s.item.adTarget = std::move(target);
    s.item.writable = AttributeCatalog::spec(attribute).writableBySunset;
    return s;
}

} // namespace

class TestWritebackBatch final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void changesGroupedPerObjectInCatalogOrder();
    void notWritableRefused();
    void notCloudManagedRefused_data();
    void notCloudManagedRefused();
    void primaryAddressLossRefused();
    void primaryAddressReplacedAccepted();
    void nothingToWriteAndDuplicatesLeftOut();
    void secondConfirmationAboveThreshold();
    void describeShowsWhatIsSent();
};

void TestWritebackBatch::changesGroupedPerObjectInCatalogOrder()
{
    const std::vector<WritebackSelection> selections = {
        selection(u"CN=A,DC=x"_s, AttributeId::Mail, {u"a@old.test"_s}, {u"a@new.test"_s}),
        selection(u"CN=B,DC=x"_s, AttributeId::ExtensionAttribute3, {}, {u" spaced "_s}),
        selection(u"CN=A,DC=x"_s, AttributeId::ExtensionAttribute1, {u"x"_s}, {}),
        selection(u"CN=A,DC=x"_s, AttributeId::ProxyAddresses, {u"SMTP:a@old.test"_s, u"smtp:k@x.test"_s},
                  {u"SMTP:a@new.test"_s, u"smtp:a@old.test"_s, u"smtp:k@x.test"_s}),
    };
    const WritebackBatch batch = WritebackBatch::build(selections);
    QVERIFY(batch.refusals().empty());
    QCOMPARE(batch.objectCount(), 2);
    QCOMPARE(batch.attributeCount(), 4);
    QCOMPARE(batch.objects()[0].dn, u"CN=A,DC=x"_s);
    QCOMPARE(batch.objects()[0].changes.size(), size_t(3));
    QCOMPARE(batch.objects()[0].changes[0].attribute, AttributeId::ExtensionAttribute1);
    QCOMPARE(batch.objects()[0].changes[0].after, QStringList());
    QCOMPARE(batch.objects()[0].changes[1].attribute, AttributeId::ProxyAddresses);
    QCOMPARE(batch.objects()[0].changes[2].attribute, AttributeId::Mail);
    QCOMPARE(batch.objects()[1].changes[0].after, QStringList{u" spaced "_s}); // exact, spaces kept
    QCOMPARE(batch.valuesDeleted(), 4);
    QCOMPARE(batch.valuesAdded(), 5);
    QVERIFY(!batch.needsSecondConfirmation());
}

void TestWritebackBatch::notWritableRefused()
{
    WritebackSelection s = selection(u"CN=A,DC=x"_s, AttributeId::TargetAddress, {u"SMTP:a@x.test"_s},
                                     {u"SMTP:a@tenant.mail.onmicrosoft.com"_s});
    s.item.writable = true; // even if an item claims it, the catalog decides
    const WritebackBatch batch = WritebackBatch::build(std::vector{s});
    QVERIFY(batch.isEmpty());
    QCOMPARE(batch.refusals().size(), size_t(1));
    QCOMPARE(batch.refusals()[0].kind, BatchIssueKind::NotWritable);
    QVERIFY(batch.refusals()[0].message.contains(u"targetAddress"_s));
}

void TestWritebackBatch::notCloudManagedRefused_data()
{
    QTest::addColumn<QString>("cloudManaged");
    QTest::newRow("false") << u"false"_s;
    QTest::newRow("not stated") << QString();
    QTest::newRow("True is not the exported spelling") << u"yes"_s;
}

void TestWritebackBatch::notCloudManagedRefused()
{
    QFETCH(QString, cloudManaged);
    const WritebackBatch batch = WritebackBatch::build(
        std::vector{selection(u"CN=A,DC=x"_s, AttributeId::ExtensionAttribute1, {}, {u"v"_s}, cloudManaged),
                    selection(u"CN=B,DC=x"_s, AttributeId::ExtensionAttribute1, {}, {u"v"_s})});
    QCOMPARE(batch.objectCount(), 1);
    QCOMPARE(batch.objects()[0].dn, u"CN=B,DC=x"_s);
    QCOMPARE(batch.refusals().size(), size_t(1));
    QCOMPARE(batch.refusals()[0].kind, BatchIssueKind::NotCloudManaged);
    QCOMPARE(batch.refusals()[0].dn, u"CN=A,DC=x"_s);
    QVERIFY(batch.refusals()[0].message.contains(u"not cloud-managed"_s));
}

void TestWritebackBatch::primaryAddressLossRefused()
{
    const WritebackBatch batch = WritebackBatch::build(
        std::vector{selection(u"CN=A,DC=x"_s, AttributeId::ProxyAddresses, {u"SMTP:a@x.test"_s, u"smtp:b@x.test"_s},
                              {u"smtp:a@x.test"_s, u"smtp:b@x.test"_s}),
                    selection(u"CN=B,DC=x"_s, AttributeId::Mail, {u"b@x.test"_s}, {})});
    QVERIFY(batch.isEmpty());
    QCOMPARE(batch.refusals().size(), size_t(2));
    for (const BatchIssue& r : batch.refusals())
        QCOMPARE(r.kind, BatchIssueKind::PrimaryAddressLost);
    QVERIFY(batch.refusals()[0].message.contains(u"SMTP:a@x.test"_s));
}

void TestWritebackBatch::primaryAddressReplacedAccepted()
{
    const WritebackBatch batch = WritebackBatch::build(
        std::vector{selection(u"CN=A,DC=x"_s, AttributeId::ProxyAddresses, {u"SMTP:a@x.test"_s},
                              {u"smtp:a@x.test"_s, u"SMTP:new@x.test"_s}),
                    selection(u"CN=B,DC=x"_s, AttributeId::ProxyAddresses, {u"smtp:only-secondary@x.test"_s}, {})});
    QVERIFY(batch.refusals().empty());
    QCOMPARE(batch.objectCount(), 2);
}

void TestWritebackBatch::nothingToWriteAndDuplicatesLeftOut()
{
    const WritebackBatch batch = WritebackBatch::build(
        std::vector{selection(u"CN=A,DC=x"_s, AttributeId::ExtensionAttribute2, {u"same"_s}, {u"same"_s}),
                    selection(u"CN=A,DC=x"_s, AttributeId::ExtensionAttribute3, {u"a"_s}, {u"b"_s}),
                    selection(u"CN=A,DC=x"_s, AttributeId::ExtensionAttribute3, {u"a"_s}, {u"c"_s})});
    QCOMPARE(batch.attributeCount(), 1);
    QCOMPARE(batch.objects()[0].changes[0].after, QStringList{u"b"_s});
    QCOMPARE(batch.refusals().size(), size_t(2));
    QCOMPARE(batch.refusals()[0].kind, BatchIssueKind::NothingToWrite);
    QCOMPARE(batch.refusals()[1].kind, BatchIssueKind::DuplicateItem);
}

void TestWritebackBatch::secondConfirmationAboveThreshold()
{
    std::vector<WritebackSelection> selections;
    for (int i = 0; i < 4; ++i)
        selections.push_back(selection(u"CN=M%1,DC=x"_s.arg(i), AttributeId::ExtensionAttribute1, {}, {u"v"_s}));
    QVERIFY(!WritebackBatch::build(selections, {4}).needsSecondConfirmation());
    const WritebackBatch batch = WritebackBatch::build(selections, {3});
    QVERIFY(batch.needsSecondConfirmation());
    QCOMPARE(batch.warnings().size(), size_t(1));
    QVERIFY(batch.warnings()[0].message.contains(u"4 objects, more than 3"_s));
}

void TestWritebackBatch::describeShowsWhatIsSent()
{
    const WritebackBatch batch = WritebackBatch::build(
        std::vector{selection(u"CN=A,DC=x"_s, AttributeId::ExtensionAttribute1, {u"old"_s}, {u"new"_s}),
                    selection(u"CN=B,DC=x"_s, AttributeId::ExtensionAttribute1, {}, {u"v"_s}, u"false"_s)});
    const QString text = batch.describe();
    QVERIFY2(text.contains(u"CN=A,DC=x\n  - extensionAttribute1: \"old\"\n  + extensionAttribute1: \"new\"\n"_s),
             qPrintable(text));
    QVERIFY(text.contains(u"1 objects, 1 attributes, 1 values deleted, 1 values added"_s));
    QVERIFY(text.contains(u"refused: "_s));
}

QTEST_GUILESS_MAIN(TestWritebackBatch)
#include "TestWritebackBatch.moc"
