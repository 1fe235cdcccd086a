// SPDX-License-Identifier: Apache-2.0
// "What changed since the last scan" as a pure comparison of two scans' identities (issue 15).
#include "RecordFactory.h"
#include "ScanDifference.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

ScanIdentity scanOf(qint64 id, std::vector<std::pair<QByteArray, QString>> mailboxes, std::vector<ScanDriftKey> drift)
{
    ScanIdentity s;
    s.scanId = id;
    s.finished = QDateTime(QDate(2026, 12, 1), QTime(9, 0), Qt::UTC).addDays(id);
    s.mailboxes = ScanMailboxList::fromEntries(std::move(mailboxes));
    s.drift = std::move(drift);
    return s;
}

ScanDriftKey drift(const char* key, AttributeId attribute, DriftCause cause = DriftCause::WritebackFailed)
{
    return {QByteArray(key), attribute, QString::fromLatin1(key).section(u':', 1) + u"@contoso.com"_s, cause};
}

} // namespace

class TestScanDifference final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void firstScanSaysSo()
    {
        const SinceScan since = compareScans(std::nullopt, scanOf(0, {{"eid:a", u"a@contoso.com"_s}},
                                                                  {drift("eid:a", AttributeId::Mail)}));
        QVERIFY(!since.hasPrevious());
        QVERIFY(since.note.contains(u"first scan"_s));
        QVERIFY(since.newDrift.empty());
        QVERIFY(since.mailboxesAdded.empty());
        QVERIFY(formatSinceScanText(since).contains(u"first scan"_s));
    }

    void newResolvedAddedRemoved()
    {
        // Before: a, b, c; a drifts on mail and targetAddress, c on displayName.
        // Now: a, c, d (b removed, d added); a still drifts on mail (cause changed: still the same item),
        // targetAddress resolved, c's drift resolved, c drifts on a new attribute, d (new mailbox) drifts.
        const ScanIdentity before = scanOf(4,
                                           {{"eid:b", u"b@contoso.com"_s},
                                            {"eid:a", u"a@contoso.com"_s},
                                            {"eid:c", u"c@contoso.com"_s}},
                                           {drift("eid:a", AttributeId::Mail),
                                            drift("eid:a", AttributeId::TargetAddress),
                                            drift("eid:c", AttributeId::MailNickname),
                                            drift("eid:b", AttributeId::Mail)});
        const ScanIdentity now = scanOf(0,
                                        {{"eid:d", u"d@contoso.com"_s},
                                         {"eid:a", u"a@contoso.com"_s},
                                         {"eid:c", u"c@contoso.com"_s}},
                                        {drift("eid:a", AttributeId::Mail, DriftCause::WritebackPending),
                                         drift("eid:c", AttributeId::Mail),
                                         drift("eid:d", AttributeId::MailNickname)});
        const SinceScan since = compareScans(before, now);
        QCOMPARE(since.previousScanId, 4);
        QCOMPARE(since.previousFinished, before.finished);
        QVERIFY(since.mailboxesCompared);
        QVERIFY(since.note.isEmpty());
        QCOMPARE(since.unchangedDrift, 1);

        QCOMPARE(since.newDrift.size(), size_t(2));
        QCOMPARE(since.newDrift[0].item.mailboxKey, "eid:c");
        QCOMPARE(since.newDrift[0].item.attribute, AttributeId::Mail);
        QVERIFY(!since.newDrift[0].mailboxChanged);
        QCOMPARE(since.newDrift[1].item.mailboxKey, "eid:d");
        QVERIFY(since.newDrift[1].mailboxChanged); // the mailbox itself is new

        QCOMPARE(since.resolvedDrift.size(), size_t(3));
        QCOMPARE(since.resolvedDrift[0].item.mailboxKey, "eid:a");
        QCOMPARE(since.resolvedDrift[0].item.attribute, AttributeId::TargetAddress);
        QCOMPARE(since.resolvedDrift[1].item.mailboxKey, "eid:b");
        QVERIFY(since.resolvedDrift[1].mailboxChanged); // gone with its mailbox
        QCOMPARE(since.resolvedDrift[2].item.mailboxKey, "eid:c");
        QCOMPARE(since.resolvedDrift[2].item.attribute, AttributeId::MailNickname);

        QCOMPARE(since.mailboxesAdded.size(), size_t(1));
        QCOMPARE(since.mailboxesAdded[0].key, "eid:d");
        QCOMPARE(since.mailboxesAdded[0].label, u"d@contoso.com"_s);
        QCOMPARE(since.mailboxesRemoved.size(), size_t(1));
        QCOMPARE(since.mailboxesRemoved[0].label, u"b@contoso.com"_s);

        QVERIFY(since.isNew("eid:c", AttributeId::Mail));
        QVERIFY(since.isNew("eid:d", AttributeId::MailNickname));
        QVERIFY(!since.isNew("eid:a", AttributeId::Mail));
        QVERIFY(!since.isNew("eid:d", AttributeId::Mail));

        const QString text = formatSinceScanText(since);
        QVERIFY2(text.startsWith(u"Since scan 4 (2026-12-05 09:00 UTC): 2 new drift items, 3 resolved (1 unchanged); "
                                 u"1 mailbox added, 1 removed."_s),
                 qPrintable(text));
        QVERIFY2(text.contains(u"  new d@contoso.com mailNickname (writebackFailed), new mailbox\n"_s), qPrintable(text));
        QVERIFY2(text.contains(u"  removed b@contoso.com\n"_s), qPrintable(text));
    }

    void unchangedScanHasNoDifference()
    {
        const ScanIdentity scan = scanOf(7, {{"eid:a", u"a@contoso.com"_s}, {"guid:x", u"CN=X,DC=contoso"_s}},
                                         {drift("eid:a", AttributeId::Mail)});
        const SinceScan since = compareScans(scan, scan);
        QCOMPARE(since.previousScanId, 7);
        QVERIFY(since.newDrift.empty());
        QVERIFY(since.resolvedDrift.empty());
        QVERIFY(since.mailboxesAdded.empty());
        QVERIFY(since.mailboxesRemoved.empty());
        QCOMPARE(since.unchangedDrift, 1);
    }

    void previousWithoutMailboxesComparesDriftOnly()
    {
        ScanIdentity before = scanOf(2, {}, {drift("eid:a", AttributeId::Mail)});
        before.mailboxes.reset();
        const SinceScan since = compareScans(before, scanOf(0, {{"eid:a", u"a"_s}}, {}));
        QVERIFY(!since.mailboxesCompared);
        QVERIFY(since.note.contains(u"older Sunset"_s));
        QCOMPARE(since.resolvedDrift.size(), size_t(1));
        QVERIFY(since.mailboxesAdded.empty());
    }

    void mailboxListIsSortedUniqueAndSearchable()
    {
        const ScanMailboxList list = ScanMailboxList::fromEntries(
            {{"eid:c", u"c"_s}, {"eid:a", u"a\twith tab"_s}, {"eid:b", u"b"_s}, {"eid:a", u"again"_s}});
        QCOMPARE(list.size(), 3);
        QCOMPARE(list.text(), QByteArray("eid:a\ta with tab\neid:b\tb\neid:c\tc\n"));
        QCOMPARE(list.labelOf("eid:b"), u"b"_s);
        QCOMPARE(list.labelOf("eid:c"), u"c"_s);
        QCOMPARE(list.labelOf("eid:a"), u"a with tab"_s);
        QVERIFY(!list.labelOf("eid:bb"));
        QVERIFY(ScanMailboxList::fromText(list.text()));
        QCOMPARE(ScanMailboxList::fromText(list.text())->size(), 3);
        QVERIFY(!ScanMailboxList::fromText("eid:b\tb\neid:a\ta\n")); // not sorted: a damaged history
    }

    void mailboxKeyPrefersTheEntraObjectId()
    {
        const MailboxRecord cloud = testing::cloudRecord(
            {}, {{IdentityField::ExternalDirectoryObjectId, "0A1B2C3D-0000-0000-0000-000000000001"},
                 {IdentityField::UserPrincipalName, "Alice@Contoso.com"}});
        const MailboxRecord ad = testing::adRecord(
            {}, {{IdentityField::DistinguishedName, "CN=Alice,OU=Staff,DC=contoso,DC=com"},
                 {IdentityField::ObjectGuid, QByteArray(16, '\x11')}});
        QCOMPARE(scanMailboxKey(&ad, &cloud), "eid:0a1b2c3d-0000-0000-0000-000000000001");
        // Without it: AD's objectGUID (survives renames and OU moves), then the UPN, then the DN.
        QCOMPARE(scanMailboxKey(&ad, nullptr), "guid:11111111-1111-1111-1111-111111111111");
        const MailboxRecord cloudUpnOnly =
            testing::cloudRecord({}, {{IdentityField::UserPrincipalName, "Alice@Contoso.com"}});
        QCOMPARE(scanMailboxKey(nullptr, &cloudUpnOnly), "upn:alice@contoso.com");
        const MailboxRecord adDnOnly =
            testing::adRecord({}, {{IdentityField::DistinguishedName, "CN=Bob,DC=Contoso,DC=com"}});
        QCOMPARE(scanMailboxKey(&adDnOnly, nullptr), "dn:cn=bob,dc=contoso,dc=com");
    }
};

QTEST_GUILESS_MAIN(TestScanDifference)
#include "TestScanDifference.moc"
