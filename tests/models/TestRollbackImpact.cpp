// SPDX-License-Identifier: Apache-2.0
// Issue 14's rollback impact: before IsExchangeCloudManaged is set back to False, the cloud values the next sync
// would overwrite with AD's, from a hand-built tenant: single- and multi-valued attributes, cloud-only
// attributes, equal values, mailboxes that are not (or not known to be) cloud-managed, non-ASCII names; then
// the CSV, JSON and text reports and the GUI's table model.
#include "support/Rfc4180.h"
#include "CsvCell.h"
#include "DriftScan.h"
#include "RecordFactory.h"
#include "RollbackImpactModel.h"
#include "RollbackImpactWriter.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace sunset;
using namespace testing;
using namespace Qt::Literals::StringLiterals;
using A = AttributeId;
using P = CloudProperty;
using F = IdentityField;

namespace {

const QByteArray kZoeUpn = "zoë.ærø@contoso.com"; // non-ASCII: Entra allows it in UPNs (RFC 6531 addresses)

std::shared_ptr<const DriftScan> tenant()
{
    Snapshot ad, cloud;
    ad.side = Side::ActiveDirectory;
    cloud.side = Side::Cloud;
    ad.source = u"ad.ldif"_s;
    cloud.source = u"exo.json"_s;
    // Changed: a custom attribute edited in the cloud (written back, but not yet in AD), addresses added and
    // removed in the cloud, the mailbox hidden in the cloud (never written back), converted to shared in the
    // cloud. Equal under the rules besides: the primary address in other letter case.
    ad.records.push_back(adRecord({{A::ExtensionAttribute1, "Vertrieb Nord"},
                                   {A::ExtensionAttribute2, "=SUM(A1)"},
                                   {A::ProxyAddresses, "SMTP:zoe.aero@contoso.com"},
                                   {A::ProxyAddresses, "smtp:old@contoso.com"},
                                   {A::ProxyAddresses, "smtp:Zoë@contoso.com"},
                                   {A::Mail, "zoe.aero@contoso.com"},
                                   {A::MsExchHideFromAddressLists, "FALSE"},
                                   {A::MailNickname, "zoe"},
                                   {A::MsExchRecipientTypeDetails, "2147483648"},
                                   {A::MsExchRecipientDisplayType, "-2147483642"},
                                   {A::MsExchRemoteRecipientType, "4"},
                                   {A::TargetAddress, "SMTP:elsewhere@contoso.mail.onmicrosoft.com"}},
                                  {{F::UserPrincipalName, kZoeUpn}, {F::DistinguishedName, "CN=Zoë Ærø,OU=Süd,DC=contoso,DC=com"},
                                   {F::DisplayName, "Zoë Ærø"}}));
    cloud.records.push_back(cloudRecord({{P::CustomAttribute1, "Vertrieb Süd"},
                                         {P::EmailAddresses, "SMTP:Zoe.Aero@contoso.com"},
                                         {P::EmailAddresses, "smtp:Zoë@contoso.com"},
                                         {P::EmailAddresses, "smtp:neu@contoso.com"},
                                         {P::EmailAddresses, "smtp:zoe@contoso.mail.onmicrosoft.com"},
                                         {P::WindowsEmailAddress, "Zoe.Aero@contoso.com"},
                                         {P::HiddenFromAddressListsEnabled, "True"},
                                         {P::Alias, "zoe"},
                                         {P::RecipientTypeDetails, "SharedMailbox"}},
                                        {{F::UserPrincipalName, kZoeUpn}, {F::DisplayName, "Zoë Ærø"},
                                         {F::CloudManaged, "true"}}));
    // Equal: cloud-managed, nothing differs.
    ad.records.push_back(adRecord({{A::ExtensionAttribute1, "same"}, {A::ProxyAddresses, "SMTP:eq@contoso.com"}},
                                  {{F::UserPrincipalName, "eq@contoso.com"}, {F::DistinguishedName, "CN=Eq,DC=contoso,DC=com"}}));
    cloud.records.push_back(cloudRecord({{P::CustomAttribute1, "same"}, {P::EmailAddresses, "SMTP:eq@contoso.com"}},
                                        {{F::UserPrincipalName, "eq@contoso.com"}, {F::CloudManaged, "true"}}));
    // NotCloudManaged: differs, but AD is already the source.
    ad.records.push_back(adRecord({{A::ExtensionAttribute3, "ad"}},
                                  {{F::UserPrincipalName, "ad@contoso.com"}, {F::DistinguishedName, "CN=Ad,DC=contoso,DC=com"}}));
    cloud.records.push_back(cloudRecord({{P::CustomAttribute3, "cloud"}},
                                        {{F::UserPrincipalName, "ad@contoso.com"}, {F::CloudManaged, "false"}}));
    // ManagedUnknown: the export does not say.
    ad.records.push_back(adRecord({{A::ExtensionAttribute3, "ad"}}, {{F::UserPrincipalName, "unknown@contoso.com"},
                                                                      {F::DistinguishedName, "CN=Unknown,DC=contoso,DC=com"}}));
    cloud.records.push_back(cloudRecord({{P::CustomAttribute3, "cloud"}}, {{F::UserPrincipalName, "unknown@contoso.com"}}));
    // CloudOnly: cloud-managed, no AD object matched.
    cloud.records.push_back(cloudRecord({{P::CustomAttribute3, "cloud"}},
                                        {{F::UserPrincipalName, "lonely@contoso.com"}, {F::CloudManaged, "true"}}));
    return DriftScan::compute(std::move(ad), std::move(cloud), ReportSources{u"ad.ldif"_s, u"exo.json"_s, {}});
}

const RollbackChange* changeOf(const RollbackMailbox& m, AttributeId attribute)
{
    for (const RollbackChange& c : m.changes)
        if (c.attribute == attribute)
            return &c;
    return nullptr;
}

qint32 rowNamed(const DriftScan& scan, const QString& name)
{
    const std::vector<qint32> rows = scanRowsNamed(scan, name);
    return rows.size() == 1 ? rows.front() : -1;
}

QByteArray collect(const std::function<void(const ReportSink&)>& write)
{
    QByteArray bytes;
    write([&bytes](const QByteArray& chunk) { bytes += chunk; });
    return bytes;
}

} // namespace

class TestRollbackImpact final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void singleAndMultiValued();
    void excludedMailboxesAreCounted();
    void selectionNarrowsIt();
    void namesFindRows();
    void reports();
    void tableModel();
};

void TestRollbackImpact::singleAndMultiValued()
{
    const auto scan = tenant();
    const RollbackImpact impact = computeRollbackImpact(*scan);
    QCOMPARE(impact.mailboxes.size(), size_t(1));
    const RollbackMailbox& zoe = impact.mailboxes.front();
    QCOMPARE(zoe.userPrincipalName, QString::fromUtf8(kZoeUpn));
    QCOMPARE(zoe.displayName, u"Zoë Ærø"_s);
    QCOMPARE(zoe.distinguishedName, u"CN=Zoë Ærø,OU=Süd,DC=contoso,DC=com"_s);

    // Single-valued: the cloud's value is lost, AD's wins.
    const RollbackChange* custom = changeOf(zoe, A::ExtensionAttribute1);
    QVERIFY(custom);
    QCOMPARE(custom->cloud, QStringList{u"Vertrieb Süd"_s});
    QCOMPARE(custom->ad, QStringList{u"Vertrieb Nord"_s});
    QVERIFY(custom->writtenBack);
    // A value in AD the cloud does not hold: AD's value comes back (a formula-looking one included).
    const RollbackChange* second = changeOf(zoe, A::ExtensionAttribute2);
    QVERIFY(second);
    QCOMPARE(second->ad, QStringList{u"=SUM(A1)"_s});

    // Multi-valued: which addresses go and which come; the primary in another letter case and the address
    // both sides hold are neither.
    const RollbackChange* addresses = changeOf(zoe, A::ProxyAddresses);
    QVERIFY(addresses);
    QCOMPARE(addresses->lost,
             (QStringList{u"smtp:neu@contoso.com"_s, u"smtp:zoe@contoso.mail.onmicrosoft.com"_s}));
    QCOMPARE(addresses->gained, QStringList{u"smtp:old@contoso.com"_s});
    QCOMPARE(addresses->cloud.size(), 4);
    QCOMPARE(addresses->ad.size(), 3);

    // Never written back: the cloud value exists only in the cloud.
    const RollbackChange* hidden = changeOf(zoe, A::MsExchHideFromAddressLists);
    QVERIFY(hidden);
    QVERIFY(!hidden->writtenBack);
    QCOMPARE(hidden->cloud, QStringList{u"True"_s});
    QCOMPARE(hidden->ad, QStringList{u"FALSE"_s});

    // The type converted in the cloud: AD's remote type wins.
    const RollbackChange* type = changeOf(zoe, A::MsExchRecipientTypeDetails);
    QVERIFY(type);
    QCOMPARE(type->cloud, QStringList{u"SharedMailbox"_s});
    QCOMPARE(rollbackValueText(type->attribute, type->ad.first()), u"2147483648 (RemoteUserMailbox)"_s);

    // Equal under the rule (mail in other letter case, the alias) or no cloud value of the cloud's own
    // (targetAddress, msExchRemoteRecipientType, though both drift): not listed.
    QVERIFY(!changeOf(zoe, A::Mail));
    QVERIFY(!changeOf(zoe, A::MailNickname));
    QVERIFY(scan->driftItem(scan->rows()[size_t(zoe.row)], A::TargetAddress));
    QVERIFY(!changeOf(zoe, A::TargetAddress));
    QVERIFY(!changeOf(zoe, A::MsExchRemoteRecipientType));
    QVERIFY(!overwrittenOnRollback(A::TargetAddress));
    QVERIFY(overwrittenOnRollback(A::MailNickname));

    // Catalog order, and the counts.
    for (size_t i = 1; i < zoe.changes.size(); ++i)
        QVERIFY(int(zoe.changes[i - 1].attribute) < int(zoe.changes[i].attribute));
    const RollbackSummary& s = impact.summary;
    QCOMPARE(s.mailboxesConsidered, 2); // Changed and Equal
    QCOMPARE(s.mailboxesAffected, 1);
    QCOMPARE(s.changes, qint64(zoe.changes.size()));
    QCOMPARE(s.cloudOnlyChanges, 1);
    QCOMPARE(s.changesByAttribute[size_t(A::ProxyAddresses)], 1);
    QCOMPARE(s.changesByAttribute[size_t(A::TargetAddress)], 0);
    qint64 lost = 0, gained = 0;
    for (const RollbackChange& c : zoe.changes) {
        lost += c.lost.size();
        gained += c.gained.size();
    }
    QCOMPARE(s.valuesLost, lost);
    QCOMPARE(s.valuesGained, gained);
}

void TestRollbackImpact::excludedMailboxesAreCounted()
{
    const auto scan = tenant();
    const RollbackSummary s = computeRollbackImpact(*scan).summary;
    QCOMPARE(s.notCloudManaged, 1);
    QCOMPARE(s.cloudManagedUnknown, 1);
    QCOMPARE(s.withoutAdMatch, 1);
    // ... and none of them is listed, though each differs.
    for (const QString& name : {u"ad@contoso.com"_s, u"unknown@contoso.com"_s}) {
        const qint32 row = rowNamed(*scan, name);
        QVERIFY(row >= 0);
        QVERIFY(!scan->driftOf(scan->rows()[size_t(row)]).empty());
        const qint32 rows[] = {row};
        QVERIFY(computeRollbackImpact(*scan, rows).mailboxes.empty());
    }
}

void TestRollbackImpact::selectionNarrowsIt()
{
    const auto scan = tenant();
    const qint32 zoe = rowNamed(*scan, QString::fromUtf8(kZoeUpn));
    const qint32 equal = rowNamed(*scan, u"eq@contoso.com"_s);
    QVERIFY(zoe >= 0 && equal >= 0);
    const qint32 onlyEqual[] = {equal};
    const RollbackImpact none = computeRollbackImpact(*scan, onlyEqual);
    QVERIFY(none.mailboxes.empty());
    QCOMPARE(none.summary.mailboxesConsidered, 1);
    QCOMPARE(none.summary.notCloudManaged, 0);
    // A row named twice counts once; rows outside the scan are ignored.
    const qint32 twice[] = {zoe, equal, zoe, 9999, -1};
    const RollbackImpact both = computeRollbackImpact(*scan, twice);
    QCOMPARE(both.summary.mailboxesConsidered, 2);
    QCOMPARE(both.mailboxes.size(), size_t(1));
    QCOMPARE(both.mailboxes.front().row, zoe);
}

void TestRollbackImpact::namesFindRows()
{
    const auto scan = tenant();
    const qint32 zoe = rowNamed(*scan, QString::fromUtf8(kZoeUpn));
    QVERIFY(zoe >= 0);
    // Any letter case, non-ASCII letters included; the DN; the primary SMTP address is not set here.
    QCOMPARE(rowNamed(*scan, u"ZOË.ÆRØ@CONTOSO.COM"_s), zoe);
    QCOMPARE(rowNamed(*scan, u"  cn=zoë ærø,ou=süd,dc=contoso,dc=com "_s), zoe);
    QVERIFY(scanRowsNamed(*scan, u"nobody@contoso.com"_s).empty());
    QVERIFY(scanRowsNamed(*scan, u""_s).empty());
}

void TestRollbackImpact::reports()
{
    const auto scan = tenant();
    const RollbackImpact impact = computeRollbackImpact(*scan);
    const RollbackReportInput input{impact, scan->sources, 0};

    // CSV: RFC 4180, one row per change, the header first; values kept whole and formulas defused.
    QString problem;
    const QList<QStringList> rows =
        test::parseCsv(collect([&](const ReportSink& s) { writeRollbackImpactCsv(input, s); }), &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(rows.size(), 1 + int(impact.summary.changes));
    QCOMPARE(rows.first(), (QStringList{u"dn"_s, u"upn"_s, u"displayName"_s, u"attribute"_s, u"exoProperty"_s,
                                        u"writtenBack"_s, u"cloud"_s, u"ad"_s, u"lost"_s, u"gained"_s}));
    bool sawAddresses = false, sawFormula = false;
    for (const QStringList& row : rows.mid(1)) {
        QCOMPARE(row.size(), 10);
        QCOMPARE(row[1], QString::fromUtf8(kZoeUpn));
        QCOMPARE(row[2], u"Zoë Ærø"_s);
        if (row[3] == "proxyAddresses"_L1) {
            sawAddresses = true;
            QCOMPARE(parseCsvValues(row[8]),
                     (QStringList{u"smtp:neu@contoso.com"_s, u"smtp:zoe@contoso.mail.onmicrosoft.com"_s}));
            QCOMPARE(parseCsvValues(row[9]), QStringList{u"smtp:old@contoso.com"_s});
        }
        if (row[3] == "extensionAttribute2"_L1) {
            sawFormula = true;
            QCOMPARE(row[7], u"'=SUM(A1)"_s);
        }
        if (row[3] == "msExchHideFromAddressLists"_L1)
            QCOMPARE(row[5], u"false"_s);
    }
    QVERIFY(sawAddresses && sawFormula);

    // JSON: its format and version, the counts, and the values as read.
    const QByteArray json = collect([&](const ReportSink& s) { writeRollbackImpactJson(input, s); });
    QJsonParseError error;
    const QJsonObject root = QJsonDocument::fromJson(json, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(root.value("format"_L1).toString(), u"sunset.rollback-impact"_s);
    QCOMPARE(root.value("formatVersion"_L1).toInt(), kRollbackImpactFormatVersion);
    const QJsonObject summary = root.value("summary"_L1).toObject();
    QCOMPARE(summary.value("mailboxesAffected"_L1).toInt(), 1);
    QCOMPARE(summary.value("leftOut"_L1).toObject().value("notCloudManaged"_L1).toInt(), 1);
    QVERIFY(!summary.value("byAttribute"_L1).toObject().contains("targetAddress"_L1));
    const QJsonArray mailboxes = root.value("mailboxes"_L1).toArray();
    QCOMPARE(mailboxes.size(), 1);
    QCOMPARE(mailboxes.first().toObject().value("upn"_L1).toString(), QString::fromUtf8(kZoeUpn));
    const QJsonArray changes = mailboxes.first().toObject().value("changes"_L1).toArray();
    QCOMPARE(changes.size(), int(impact.summary.changes));
    const QJsonObject first = changes.first().toObject();
    QCOMPARE(first.value("attribute"_L1).toString(), u"extensionAttribute1"_s);
    QCOMPARE(first.value("cloud"_L1).toArray().first().toString(), u"Vertrieb Süd"_s);
    QCOMPARE(first.value("ad"_L1).toArray().first().toString(), u"Vertrieb Nord"_s);

    // Text: the counts first, then each change in words.
    const QString text = formatRollbackImpactText(input);
    QVERIFY2(text.startsWith("Setting IsExchangeCloudManaged back to False on 2 cloud-managed mailboxes: 1 would "
                             "lose cloud values"_L1),
             qPrintable(text));
    QVERIFY2(text.contains(u"extensionAttribute1 (CustomAttribute1): cloud \"Vertrieb Süd\" -> AD \"Vertrieb Nord\""_s),
             qPrintable(text));
    QVERIFY2(text.contains(u"proxyAddresses (EmailAddresses): loses \"smtp:neu@contoso.com\", "
                           "\"smtp:zoe@contoso.mail.onmicrosoft.com\"; gains \"smtp:old@contoso.com\""_s),
             qPrintable(text));
    QVERIFY2(text.contains(u"msExchHideFromAddressLists (HiddenFromAddressListsEnabled) [cloud-only: never written "
                           "back]"_s),
             qPrintable(text));
    QVERIFY2(text.contains(u"-> AD \"2147483648 (RemoteUserMailbox)\""_s), qPrintable(text));
}

void TestRollbackImpact::tableModel()
{
    const auto scan = tenant();
    RollbackImpactModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImpact(computeRollbackImpact(*scan));
    QCOMPARE(model.rowCount(), int(model.impact().summary.changes));
    int addressRow = -1;
    for (int r = 0; r < model.rowCount(); ++r)
        if (model.index(r, RollbackImpactModel::Attribute).data().toString().startsWith("proxyAddresses"_L1))
            addressRow = r;
    QVERIFY(addressRow >= 0);
    QCOMPARE(model.index(addressRow, RollbackImpactModel::Mailbox).data().toString(),
             u"Zoë Ærø <"_s + QString::fromUtf8(kZoeUpn) + u'>');
    // Every value, one a line, the primary first; the ones lost (cloud) and gained (AD) highlighted.
    const auto highlighted = [&](int column) {
        const QModelIndex cell = model.index(addressRow, column);
        const QString text = cell.data().toString();
        QStringList marked;
        for (const HighlightSpan& span : cell.data(ItemRole::HighlightSpans).value<QList<HighlightSpan>>())
            if (span.kind == HighlightKind::OnlyThisSide)
                marked << text.mid(span.start, span.length);
        marked.sort();
        return std::pair(text.split(u'\n'), marked);
    };
    const auto [cloudLines, lost] = highlighted(RollbackImpactModel::CloudLost);
    QCOMPARE(cloudLines.size(), 4);
    QCOMPARE(cloudLines.first(), u"SMTP:Zoe.Aero@contoso.com (primary)"_s);
    QCOMPARE(lost, (QStringList{u"smtp:neu@contoso.com"_s, u"smtp:zoe@contoso.mail.onmicrosoft.com"_s}));
    const auto [adLines, gained] = highlighted(RollbackImpactModel::AdWins);
    QCOMPARE(adLines.size(), 3);
    QCOMPARE(gained, QStringList{u"smtp:old@contoso.com"_s});
    // A single value: the cloud's and AD's, AD's recipient type named.
    for (int r = 0; r < model.rowCount(); ++r) {
        if (model.index(r, RollbackImpactModel::Attribute).data().toString().startsWith("msExchRecipientTypeDetails"_L1))
            QCOMPARE(model.index(r, RollbackImpactModel::AdWins).data().toString(), u"2147483648 (RemoteUserMailbox)"_s);
        if (model.index(r, RollbackImpactModel::Attribute).data().toString().startsWith("msExchHideFromAddressLists"_L1))
            QCOMPARE(model.index(r, RollbackImpactModel::WrittenBack).data().toString(), u"No: cloud only"_s);
    }
    model.setImpact({});
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(TestRollbackImpact)
#include "TestRollbackImpact.moc"
